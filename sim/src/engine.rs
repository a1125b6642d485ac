//! The matrix: every ordered (source, destination, probe), computed per pair of
//! endpoint classes in parallel (rayon) and instantiated per pair of nodes.

use crate::classes::{classify, Mode};
use crate::driver;
use crate::fabric::{self, Cx};
use crate::graph::World;
use crate::matrix::{Cell, DenyReason, Disposition, Hop, Mechanism, Probe, StateMatrix};
use crate::nodes::{self, Ep, Nodes, Who};
use crate::path::{best, hop, Answer, Deny, Verdict, DST_IP, DST_NAME, SRC_IP, SRC_NAME};
use hnsim_model::{Design, Driver};
use rayon::prelude::*;
use std::collections::HashMap;

/// The matrix of one resolved design.
pub fn state_matrix(design: &Design, step: Option<usize>, label: &str, mode: Mode) -> StateMatrix {
    let w = World::new(design);
    let n = nodes::build(&w);
    let cx = Cx { w: &w, n: &n };
    let cells = cells(&cx, mode);
    StateMatrix {
        step,
        label: label.to_string(),
        nodes: n.nodes.clone(),
        cells,
    }
}

type Answers = HashMap<(usize, usize), Vec<(Probe, Answer)>>;

/// The decisions alone: one answer per class pair and probe, before they are turned
/// into cells. Returns how many answers were computed (the benchmark times this).
pub fn decide_only(design: &Design, mode: Mode) -> usize {
    let w = World::new(design);
    let n = nodes::build(&w);
    let cx = Cx { w: &w, n: &n };
    let classes = classify(&cx, mode);
    decide(&cx, &classes).values().map(Vec::len).sum()
}

fn decide(cx: &Cx, classes: &crate::classes::Classes) -> Answers {
    // One job per pair of classes that holds at least one pair of distinct nodes.
    let mut jobs: Vec<(usize, usize, usize, usize)> = Vec::new();
    for (ca, ma) in classes.members.iter().enumerate() {
        for (cb, mb) in classes.members.iter().enumerate() {
            let pick = if ca != cb {
                Some((ma[0], mb[0]))
            } else if ma.len() > 1 {
                Some((ma[0], ma[1]))
            } else {
                None
            };
            if let Some((s, t)) = pick {
                jobs.push((ca, cb, s, t));
            }
        }
    }
    jobs.par_iter()
        .map(|&(ca, cb, s, t)| {
            let list = cx.n.probes[t]
                .iter()
                .map(|&p| (p, answer(cx, s, t, p)))
                .collect();
            ((ca, cb), list)
        })
        .collect()
}

fn cells(cx: &Cx, mode: Mode) -> Vec<Cell> {
    let classes = classify(cx, mode);
    let count = cx.n.who.len();
    let answers = decide(cx, &classes);
    // Dense class-pair table: one index per cell instead of hashing a key.
    let k = classes.members.len();
    let mut table: Vec<Option<&Vec<(Probe, Answer)>>> = vec![None; k * k];
    for ((ca, cb), list) in &answers {
        table[ca * k + cb] = Some(list);
    }
    let idents: Vec<Ident> = (0..count).map(|i| ident(cx, i)).collect();
    (0..count)
        .into_par_iter()
        .flat_map_iter(|s| {
            let mut out = Vec::new();
            for t in 0..count {
                if s == t {
                    continue;
                }
                if same_container(cx, s, t) {
                    for &p in &cx.n.probes[t] {
                        out.push(build_cell(
                            cx,
                            &idents,
                            s,
                            t,
                            p,
                            &sibling_answer(cx, s, t, p),
                        ));
                    }
                    continue;
                }
                if let Some(list) = table[classes.of[s] * k + classes.of[t]] {
                    for (p, a) in list {
                        out.push(build_cell(cx, &idents, s, t, *p, a));
                    }
                }
            }
            out
        })
        .collect()
}

fn same_container(cx: &Cx, s: usize, t: usize) -> bool {
    match (cx.n.who[s], cx.n.who[t]) {
        (Who::Ep(a), Who::Ep(b)) => cx.n.eps[a].container == cx.n.eps[b].container,
        _ => false,
    }
}

/// Two endpoints of one container: the container talks to its own address inside its
/// compartment (ARCH-2).
fn sibling_answer(cx: &Cx, s: usize, t: usize, probe: Probe) -> Answer {
    let (Who::Ep(a), Who::Ep(b)) = (cx.n.who[s], cx.n.who[t]) else {
        return Answer::denied(
            None,
            vec![],
            Deny::new(
                DenyReason::NoRoute,
                "?",
                "not an endpoint pair",
                &["ARCH-2"],
            ),
        );
    };
    let (a, b) = (&cx.n.eps[a], &cx.n.eps[b]);
    if let Some(x) = unusable(cx, a, true, probe).or_else(|| unusable(cx, b, false, probe)) {
        return x;
    }
    let hops = vec![hop(
        format!("{SRC_NAME} compartment"),
        Mechanism::Vnic,
        "the destination address is the container's own: delivered inside its compartment",
        &["ARCH-2"],
    )];
    driver::finish(cx, b, probe, driver::container_addr(probe), hops)
}

/// A source or destination endpoint that cannot take part at all.
fn unusable(cx: &Cx, ep: &Ep, as_source: bool, probe: Probe) -> Option<Answer> {
    let who = if as_source { SRC_NAME } else { DST_NAME };
    let addr = (!as_source).then(|| driver::container_addr(probe));
    let deny = if ep.driver == Driver::None && ep.net.is_some() {
        Some(Deny::new(
            DenyReason::NoAddress,
            who,
            format!("{who} is on network none: it has only a loopback interface"),
            &["LNX-5", "EXT-11"],
        ))
    } else if !ep.running {
        let gone = if ep.net.is_none() {
            let d = &cx.w.design;
            let att = d.endpoints.get(ep.index).map(|e| e.attachment).unwrap_or(0);
            d.scenario
                .containers
                .get(ep.container)
                .and_then(|c| c.networks.get(att))
                .map(|a| format!(" (its network `{}` no longer exists)", a.network))
                .unwrap_or_default()
        } else {
            String::new()
        };
        Some(Deny::new(
            DenyReason::EndpointDown,
            who,
            format!("{who} is not running{gone}: its vNIC is down"),
            &["ARCH-1"],
        ))
    } else if ep.net.is_none() || ep.host.is_none() {
        Some(Deny::new(
            DenyReason::InvalidDesign,
            who,
            "the attachment names a network or host that does not exist",
            &["ARCH-1"],
        ))
    } else if ep.ip.is_none() && !matches!(ep.driver, Driver::Host | Driver::None) {
        let why = ep.no_ip.clone().unwrap_or_else(|| "no address".into());
        let facts: &[&str] = if ep.driver == Driver::Transparent {
            &["IPAM-1", "TRANS-2"]
        } else {
            &["IPAM-1"]
        };
        Some(Deny::new(
            DenyReason::NoAddress,
            who,
            format!("{who} has no IP address: {why}"),
            facts,
        ))
    } else {
        None
    };
    deny.map(|d| Answer::denied(addr.clone(), vec![], d))
}

/// A container is one network stack (ARCH-2): whichever of its endpoints a cell starts
/// from, traffic to an address on a network the container is also attached to leaves
/// through that attachment (the connected route), not through the source endpoint's.
/// Returns the node index of the sibling endpoint that the kernel/compartment would use.
fn connected_sibling(cx: &Cx, a: usize, b: usize) -> Option<usize> {
    let (ea, eb) = (&cx.n.eps[a], &cx.n.eps[b]);
    if ea.net == eb.net || eb.net.is_none() {
        return None;
    }
    cx.n.who.iter().position(|w| match w {
        Who::Ep(k) => {
            let e = &cx.n.eps[*k];
            *k != a && e.container == ea.container && e.net == eb.net && e.running
        }
        _ => false,
    })
}

/// The answer for one (source, destination, probe), with identity tokens.
pub fn answer(cx: &Cx, s: usize, t: usize, probe: Probe) -> Answer {
    let (ws, wt) = (cx.n.who[s], cx.n.who[t]);
    if let (Who::Ep(a), Who::Ep(b)) = (ws, wt) {
        if let Some(s2) = connected_sibling(cx, a, b) {
            let mut ans = answer(cx, s2, t, probe);
            let (ea, eb) = (&cx.n.eps[a], &cx.n.eps[b]);
            let via = cx.net_name(eb).to_string();
            // The sibling's hops speak of "the source"; say which attachment that is,
            // without its address (members of a class differ in it).
            for h in &mut ans.hops {
                h.detail = h.detail.replace(SRC_IP, &format!("its address on {via}"));
            }
            ans.hops.insert(
                0,
                hop(
                    format!("{} compartment", ea.name),
                    Mechanism::HostStack,
                    format!(
                        "the container is also attached to {via}: its routing table sends traffic for that network out of that attachment, not out of {}",
                        cx.net_name(ea)
                    ),
                    &["ARCH-2"],
                ),
            );
            return ans;
        }
    }
    if let Who::Ep(a) = ws {
        if let Some(x) = unusable(cx, &cx.n.eps[a], true, probe) {
            return x;
        }
    }
    if let Who::Ep(b) = wt {
        if let Some(x) = unusable(cx, &cx.n.eps[b], false, probe) {
            return x;
        }
    }
    let mut ans = match (ws, wt) {
        (Who::Ep(a), Who::Ep(b)) if cx.n.eps[a].net == cx.n.eps[b].net => {
            let (a, b) = (&cx.n.eps[a], &cx.n.eps[b]);
            driver::rules(&b.driver).same_network(cx, a, b, probe)
        }
        _ => through_fabric(cx, ws, wt, probe),
    };
    if let (Who::Ep(a), Who::Ep(b)) = (ws, wt) {
        let is_container_ip = matches!(ans.address, Some(crate::path::AddrT::ContainerIp { .. }));
        if is_container_ip {
            if let Some((name, h)) = crate::dns::name(cx, &cx.n.eps[a], &cx.n.eps[b]) {
                ans.name = Some(name);
                ans.hops.insert(0, h);
            }
        }
    }
    ans
}

fn unmodelled(d: &Driver) -> bool {
    matches!(
        d,
        Driver::Ics | Driver::Private | Driver::Internal | Driver::Ipvlan | Driver::Plugin(_)
    )
}

fn through_fabric(cx: &Cx, ws: Who, wt: Who, probe: Probe) -> Answer {
    for who in [ws, wt] {
        if let Who::Ep(k) = who {
            let ep = &cx.n.eps[k];
            if unmodelled(&ep.driver) {
                return Answer::unknown(
                    None,
                    vec![],
                    &format!("network {}", cx.net_name(ep)),
                    format!("driver {} is not modelled", ep.driver),
                    &["LNX-6", "EXT-9"],
                );
            }
        }
    }
    let exits = match ws {
        Who::Ep(a) => {
            let ep = &cx.n.eps[a];
            driver::rules(&ep.driver).exits(cx, ep, wt, probe)
        }
        Who::Host(h) => fabric::host_exits(cx, h),
        Who::Client(c) => fabric::client_exits(cx, c),
        Who::Internet => fabric::internet_exits(),
    };
    let entries = match wt {
        Who::Ep(b) => {
            let ep = &cx.n.eps[b];
            driver::rules(&ep.driver).entries(cx, ep, probe)
        }
        Who::Host(h) => fabric::host_entries(cx, h, probe),
        Who::Client(c) => fabric::client_entries(cx, c, probe),
        Who::Internet => fabric::internet_entries(probe),
    };
    let mut candidates = Vec::new();
    for e in &exits {
        for n in &entries {
            candidates.extend(fabric::join(cx, e, n));
        }
    }
    best(candidates).unwrap_or_else(|| {
        // No exit meets any entry. Explain with the destination's own refusal when it
        // has one (overlay: only from the overlay), else a plain no-route.
        let hops: Vec<Hop> = exits.first().map(|e| e.hops.clone()).unwrap_or_default();
        let addr = entries.first().map(|e| e.addr.clone());
        let deny = entries
            .iter()
            .find_map(|e| {
                e.stack_only
                    .as_ref()
                    .map(|so| so.remote.clone())
                    .or(e.block.clone())
            })
            .unwrap_or_else(|| {
                Deny::new(
                    DenyReason::NoRoute,
                    hops.last()
                        .map(|h| h.at.clone())
                        .unwrap_or_else(|| "source".into()),
                    "neither end has a path onto a network the other is on",
                    &["MAT-1", "MAT-2"],
                )
            });
        Answer::denied(addr, hops, deny)
    })
}

struct Ident {
    ip: String,
    name: String,
}

fn ident(cx: &Cx, i: usize) -> Ident {
    match cx.n.who[i] {
        Who::Ep(k) => {
            let ep = &cx.n.eps[k];
            Ident {
                ip: ep
                    .ip
                    .map(|x| x.to_string())
                    .unwrap_or_else(|| "(no address)".into()),
                name: ep.name.clone(),
            }
        }
        _ => Ident {
            ip: cx.n.nodes[i]
                .ip
                .map(|x| x.to_string())
                .unwrap_or_else(|| "(no address)".into()),
            name: cx.n.nodes[i].label.clone(),
        },
    }
}

/// Replaces the identity tokens in one pass. This runs for every hop of every cell
/// (millions for a large service), so it allocates once and scans once instead of
/// chaining `str::replace` per token.
fn subst(text: &str, s: &Ident, t: &Ident) -> String {
    let Some(first) = text.find('{') else {
        return text.to_string();
    };
    let mut out = String::with_capacity(text.len() + 16);
    out.push_str(&text[..first]);
    let mut rest = &text[first..];
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let tokens = [
            (SRC_IP, s.ip.as_str()),
            (DST_IP, t.ip.as_str()),
            (SRC_NAME, s.name.as_str()),
            (DST_NAME, t.name.as_str()),
        ];
        match tokens.iter().find(|(tok, _)| rest.starts_with(tok)) {
            Some((tok, val)) => {
                out.push_str(val);
                rest = &rest[tok.len()..];
            }
            None => {
                out.push('{');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// One concrete cell from an answer computed for the pair's classes.
pub fn instantiate(cx: &Cx, s: usize, t: usize, probe: Probe, a: &Answer) -> Cell {
    let idents = [ident(cx, s), ident(cx, t)];
    cell_for(cx, &idents[0], &idents[1], s, t, probe, a)
}

fn build_cell(cx: &Cx, idents: &[Ident], s: usize, t: usize, probe: Probe, a: &Answer) -> Cell {
    cell_for(cx, &idents[s], &idents[t], s, t, probe, a)
}

fn cell_for(cx: &Cx, si: &Ident, ti: &Ident, s: usize, t: usize, probe: Probe, a: &Answer) -> Cell {
    let path: Vec<Hop> = a
        .hops
        .iter()
        .map(|h| Hop {
            at: subst(&h.at, si, ti),
            mechanism: h.mechanism,
            detail: subst(&h.detail, si, ti),
            facts: h.facts.clone(),
        })
        .collect();
    let mut facts: Vec<String> = Vec::new();
    for f in path.iter().flat_map(|h| h.facts.iter()) {
        if !facts.contains(f) {
            facts.push(f.clone());
        }
    }
    let disposition = match &a.verdict {
        Verdict::Delivered => Disposition::Delivered,
        Verdict::Denied(d) => {
            for f in &d.facts {
                if !facts.contains(f) {
                    facts.push(f.clone());
                }
            }
            Disposition::Denied {
                reason: d.reason,
                why: subst(&d.why, si, ti),
            }
        }
        Verdict::Unknown { why, facts: fs, .. } => {
            for f in fs {
                if !facts.contains(f) {
                    facts.push(f.clone());
                }
            }
            Disposition::Unknown {
                why: subst(why, si, ti),
            }
        }
    };
    let dst_ip = match cx.n.who[t] {
        Who::Ep(k) => cx.n.eps[k].ip,
        _ => None,
    };
    let name = a.name.as_ref().map(|n| subst(n, si, ti));
    let address = a
        .address
        .as_ref()
        .and_then(|x| crate::address::instantiate(x, dst_ip, name));
    Cell {
        from: cx.n.nodes[s].id.clone(),
        to: cx.n.nodes[t].id.clone(),
        probe,
        disposition,
        address,
        path,
        facts,
        observation: None,
    }
}

/// How many matrix nodes a design has and how many classes they fall into.
pub fn class_count(design: &Design, mode: Mode) -> (usize, usize) {
    let w = World::new(design);
    let n = nodes::build(&w);
    let cx = Cx { w: &w, n: &n };
    let c = classify(&cx, mode);
    (n.who.len(), c.members.len())
}

/// The nodes of a design (for callers that need them without cells).
pub fn nodes_of(design: &Design) -> Nodes {
    let w = World::new(design);
    nodes::build(&w)
}

#[cfg(test)]
mod tests {
    use crate::matrix::{DenyReason, Disposition, Probe, StateMatrix};

    fn matrix(text: &str) -> StateMatrix {
        let doc = hnsim_model::parse_scenario("t.yaml", text).expect("parses");
        let r = crate::simulate(&doc);
        r.final_state().expect("state").clone()
    }

    fn reason(m: &StateMatrix, from: &str, to: &str, p: Probe) -> Option<DenyReason> {
        match &m.cell(from, to, p).expect("cell").disposition {
            Disposition::Denied { reason, .. } => Some(*reason),
            _ => None,
        }
    }

    const LAN: &str =
        "segments: [{name: lan, subnet: 10.0.0.0/24, gateway: 10.0.0.1, dhcp: true}]\n";

    fn transparent_on(machine: &str) -> String {
        format!(
            "name: t\n{LAN}hosts:\n  - {{name: h, os: ws2019, machine: {machine}, nics: [{{name: Ethernet, ip: 10.0.0.10/24, segment: lan}}]}}\nnetworks: [{{name: t, host: h, driver: transparent}}]\ncontainers:\n  - {{name: a, host: h, networks: [t], listen: [tcp/80]}}\n  - {{name: b, host: h, networks: [t]}}\nclients: [{{name: pc, segment: lan, ip: 10.0.0.50}}]\n"
        )
    }

    /// TRANS-4: on a VM without MAC spoofing, container frames that leave the VM are
    /// dropped by the Hyper-V host; traffic inside the VM's vSwitch is not.
    #[test]
    fn mac_spoofing_blocks_only_off_host_traffic() {
        let m = matrix(&transparent_on("hyperv-vm"));
        assert_eq!(
            reason(&m, "client:pc", "a@t", Probe::Tcp(80)),
            Some(DenyReason::MacSpoofingBlocked)
        );
        assert_eq!(
            reason(&m, "b@t", "internet", Probe::Tcp(443)),
            Some(DenyReason::MacSpoofingBlocked)
        );
        assert_eq!(reason(&m, "b@t", "a@t", Probe::Tcp(80)), None);
        let m = matrix(&transparent_on("physical"));
        assert_eq!(reason(&m, "client:pc", "a@t", Probe::Tcp(80)), None);
        let m = matrix(&transparent_on("azure-vm"));
        assert_eq!(
            reason(&m, "client:pc", "a@t", Probe::Tcp(80)),
            Some(DenyReason::MacSpoofingBlocked)
        );
    }

    #[test]
    fn l2tunnel_outside_the_cloud_forwards_nothing() {
        let m = matrix(&format!(
            "name: t\n{LAN}hosts:\n  - {{name: h, os: ws2019, nics: [{{name: Ethernet, ip: 10.0.0.10/24, segment: lan}}]}}\nnetworks: [{{name: tun, host: h, driver: l2tunnel, subnet: 10.0.0.0/24}}]\ncontainers:\n  - {{name: a, host: h, networks: [{{network: tun, ip: 10.0.0.101}}]}}\n  - {{name: b, host: h, networks: [{{network: tun, ip: 10.0.0.102}}]}}\n"
        ));
        assert_eq!(
            reason(&m, "a@tun", "b@tun", Probe::Icmp),
            Some(DenyReason::Unsupported)
        );
        assert_eq!(
            reason(&m, "a@tun", "internet", Probe::Icmp),
            Some(DenyReason::Unsupported)
        );
    }

    #[test]
    fn disabled_icc_isolates_a_network() {
        let m = matrix(&format!(
            "name: t\n{LAN}hosts:\n  - {{name: h, os: ws2019, nics: [{{name: Ethernet, ip: 10.0.0.10/24, segment: lan}}]}}\nnetworks: [{{name: n, host: h, driver: nat, subnet: 172.16.20.0/24, options: {{com.docker.network.windowsshim.disableicc: 'true'}}}}]\ncontainers:\n  - {{name: a, host: h, networks: [n]}}\n  - {{name: b, host: h, networks: [n]}}\n"
        ));
        assert_eq!(
            reason(&m, "a@n", "b@n", Probe::Icmp),
            Some(DenyReason::IccDisabled)
        );
    }

    #[test]
    fn vlan_needs_a_trunk_port() {
        let m = matrix(&format!(
            "name: t\n{LAN}hosts:\n  - {{name: h, os: ws2019, nics: [{{name: Ethernet, ip: 10.0.0.10/24, segment: lan}}]}}\nnetworks: [{{name: v, host: h, driver: transparent, vlan: 11}}]\ncontainers:\n  - {{name: a, host: h, networks: [v]}}\nclients: [{{name: pc, segment: lan, ip: 10.0.0.50, vlan: 11}}]\n"
        ));
        assert_eq!(
            reason(&m, "client:pc", "a@v", Probe::Icmp),
            Some(DenyReason::VlanMismatch)
        );
    }

    /// DNS-2: overlay names resolve across hosts only with Docker EE or Kubernetes.
    #[test]
    fn global_overlay_discovery_needs_enterprise() {
        let text = |ee: bool| {
            format!(
                "name: t\n{LAN}hosts:\n  - {{name: h1, os: ws2019, swarm: manager, updates: [KB4489899], docker: {{enterprise: {ee}}}, nics: [{{name: Ethernet, ip: 10.0.0.10/24, segment: lan}}]}}\n  - {{name: h2, os: ws2019, swarm: worker, updates: [KB4489899], docker: {{enterprise: {ee}}}, nics: [{{name: Ethernet, ip: 10.0.0.11/24, segment: lan}}]}}\nnetworks: [{{name: o, driver: overlay, attachable: true}}]\ncontainers:\n  - {{name: a, host: h1, networks: [o]}}\n  - {{name: b, host: h2, networks: [o]}}\n  - {{name: c, host: h1, networks: [o]}}\n"
            )
        };
        let name = |m: &StateMatrix, from: &str, to: &str| {
            m.cell(from, to, Probe::Icmp)
                .and_then(|c| c.address.as_ref())
                .and_then(|a| a.name.clone())
        };
        let ce = matrix(&text(false));
        assert_eq!(name(&ce, "a@o", "b@o"), None);
        assert_eq!(
            name(&ce, "a@o", "c@o").as_deref(),
            Some("c"),
            "local discovery"
        );
        let ee = matrix(&text(true));
        assert_eq!(name(&ee, "a@o", "b@o").as_deref(), Some("b"));
    }

    /// EXT-5 / NAT-12: the NAT host reaches its containers by IP (TCP); ICMP needs the
    /// inbound ICMPv4 rule.
    #[test]
    fn nat_host_reaches_its_containers() {
        let text = |icmp: bool| {
            format!(
                "name: t\n{LAN}hosts:\n  - {{name: h, os: ws2016, firewall: {{inbound-icmp: {icmp}}}, nics: [{{name: Ethernet, ip: 10.0.0.10/24, segment: lan}}]}}\ncontainers: [{{name: a, host: h, ports: ['8080:80']}}]\n"
            )
        };
        let m = matrix(&text(false));
        let c = m.cell("host:h", "a@nat", Probe::Tcp(80)).expect("cell");
        assert!(c.disposition.is_delivered());
        assert_eq!(
            c.address.as_ref().map(|a| a.value.as_str()),
            Some("172.16.0.2:80")
        );
        assert!(c
            .path
            .iter()
            .any(|h| h.detail.contains("localhost:8080 does not work")));
        assert_eq!(
            reason(&m, "host:h", "a@nat", Probe::Icmp),
            Some(DenyReason::FirewallBlocked)
        );
        let m = matrix(&text(true));
        assert_eq!(reason(&m, "host:h", "a@nat", Probe::Icmp), None);
    }

    /// OVL-4: without the prerequisite update, cross-host overlay is undecided.
    #[test]
    fn overlay_without_its_update_is_undecided() {
        let text = |kb: &str| {
            format!(
                "name: t\n{LAN}hosts:\n  - {{name: h1, os: ws2019, swarm: manager, updates: [{kb}], nics: [{{name: Ethernet, ip: 10.0.0.10/24, segment: lan}}]}}\n  - {{name: h2, os: ws2019, swarm: worker, updates: [KB4489899], nics: [{{name: Ethernet, ip: 10.0.0.11/24, segment: lan}}]}}\nnetworks: [{{name: o, driver: overlay, attachable: true}}]\ncontainers:\n  - {{name: a, host: h1, networks: [o]}}\n  - {{name: b, host: h2, networks: [o]}}\n"
            )
        };
        let m = matrix(&text("KB0000001"));
        let c = m.cell("a@o", "b@o", Probe::Icmp).expect("cell");
        assert!(matches!(c.disposition, Disposition::Unknown { .. }));
        assert!(c.facts.iter().any(|f| f == "OVL-4"));
        let m = matrix(&text("KB4489899"));
        assert!(m
            .cell("a@o", "b@o", Probe::Icmp)
            .expect("cell")
            .disposition
            .is_delivered());
    }

    fn linux(extra: &str) -> String {
        format!(
            "name: t\nsegments: [{{name: lan, subnet: 10.0.0.0/24, gateway: 10.0.0.1, internet: true}}]\nhosts:\n  - {{name: d1, os: linux, nics: [{{name: eth0, ip: 10.0.0.5/24, segment: lan}}, {{name: eth1, ip: 10.0.0.6/24, segment: lan}}]}}\nclients: [{{name: pc, segment: lan, ip: 10.0.0.50, listen: [tcp/9100]}}]\n{extra}"
        )
    }

    /// A mapping bound to one host address is published on that address only; one bound
    /// to loopback only from the host itself.
    #[test]
    fn host_ip_of_a_mapping_limits_where_it_is_published() {
        let m = matrix(&linux(
            "networks: [{name: x, host: d1, driver: bridge}]\ncontainers:\n  - {name: a, host: d1, ports: ['10.0.0.5:80:80']}\n  - {name: b, host: d1, ports: ['127.0.0.1:3000:3000']}\n  - {name: c, host: d1, networks: [x]}\n",
        ));
        let c = m
            .cell("client:pc", "a@bridge", Probe::Tcp(80))
            .expect("cell");
        assert!(c.disposition.is_delivered());
        assert_eq!(
            c.address.as_ref().map(|a| a.value.as_str()),
            Some("10.0.0.5:80")
        );
        assert_eq!(
            reason(&m, "client:pc", "b@bridge", Probe::Tcp(3000)),
            Some(DenyReason::NotPublished)
        );
        assert!(
            reason(&m, "c@x", "b@bridge", Probe::Tcp(3000)).is_some(),
            "a loopback port is not reachable from a container either"
        );
        let c = m
            .cell("host:d1", "b@bridge", Probe::Tcp(3000))
            .expect("cell");
        assert!(c.disposition.is_delivered());
        assert!(c.path.iter().any(|h| h.detail.contains("localhost:3000")));
    }

    /// Every TCP/UDP destination address carries the probe's port.
    #[test]
    fn client_addresses_carry_the_port() {
        let m = matrix(&linux("containers:\n  - {name: a, host: d1}\n"));
        let c = m
            .cell("a@bridge", "client:pc", Probe::Tcp(9100))
            .expect("cell");
        assert_eq!(
            c.address.as_ref().map(|a| a.value.as_str()),
            Some("10.0.0.50:9100")
        );
        assert_eq!(c.address.as_ref().and_then(|a| a.port), Some(9100));
        let c = m.cell("a@bridge", "client:pc", Probe::Icmp).expect("cell");
        assert_eq!(
            c.address.as_ref().map(|a| a.value.as_str()),
            Some("10.0.0.50")
        );
    }

    /// `internal: true`: containers reach each other and the host, nothing beyond; its
    /// published ports are not programmed.
    #[test]
    fn internal_bridge_is_closed_to_the_outside() {
        let m = matrix(&linux(
            "networks: [{name: back, host: d1, driver: bridge, internal: true}]\ncontainers:\n  - {name: db, host: d1, networks: [back], ports: ['5432:5432']}\n  - {name: api, host: d1, networks: [back]}\n",
        ));
        assert!(m
            .cell("api@back", "db@back", Probe::Tcp(5432))
            .expect("cell")
            .disposition
            .is_delivered());
        assert!(m
            .cell("host:d1", "db@back", Probe::Tcp(5432))
            .expect("cell")
            .disposition
            .is_delivered());
        assert!(m
            .cell("db@back", "host:d1", Probe::Icmp)
            .expect("cell")
            .disposition
            .is_delivered());
        assert_eq!(
            reason(&m, "db@back", "internet", Probe::Tcp(443)),
            Some(DenyReason::NoRoute)
        );
        assert_eq!(
            reason(&m, "db@back", "client:pc", Probe::Tcp(9100)),
            Some(DenyReason::NoRoute)
        );
        assert_eq!(
            reason(&m, "client:pc", "db@back", Probe::Tcp(5432)),
            Some(DenyReason::NoRoute)
        );
    }

    fn mesh(os: &str) -> StateMatrix {
        matrix(&format!(
            "name: t\n{LAN}hosts:\n  - {{name: m, os: {os}, swarm: manager, updates: [KB4489899, KB4015217], nics: [{{name: Ethernet, ip: 10.0.0.10/24, segment: lan}}]}}\n  - {{name: w, os: {os}, swarm: worker, updates: [KB4489899, KB4015217], nics: [{{name: Ethernet, ip: 10.0.0.11/24, segment: lan}}]}}\nnetworks: [{{name: o, driver: overlay}}]\nservices: [{{name: web, replicas: 1, hosts: [m], networks: [o], ports: ['8080:80']}}]\nclients: [{{name: pc, segment: lan, ip: 10.0.0.50}}]\n"
        ))
    }

    fn mesh_target(m: &StateMatrix) -> String {
        m.nodes
            .iter()
            .find(|n| {
                n.container.as_deref() == Some("web.1")
                    && n.network.as_deref().is_some_and(|x| x.contains("ingress"))
            })
            .or_else(|| {
                m.nodes
                    .iter()
                    .find(|n| n.container.as_deref() == Some("web.1"))
            })
            .map(|n| n.id.clone())
            .expect("replica")
    }

    /// The routing mesh publishes a service port on every swarm node (Linux, WS1709+);
    /// WS2016 only on the node running the replica (mode=host).
    #[test]
    fn routing_mesh_publishes_on_every_node_from_1709() {
        for (os, on_worker) in [("linux", true), ("ws2019", true), ("ws2016", false)] {
            let m = mesh(os);
            let to = mesh_target(&m);
            let c = m.cell("client:pc", &to, Probe::Tcp(80)).expect("cell");
            assert!(c.disposition.is_delivered(), "{os}: {c:?}");
            let cells: Vec<_> = m
                .cells
                .iter()
                .filter(|c| c.from == "host:w" && c.to == to && c.probe == Probe::Tcp(80))
                .collect();
            assert_eq!(cells.len(), 1);
            let via_worker = cells[0]
                .address
                .as_ref()
                .is_some_and(|a| a.value == "10.0.0.11:8080");
            assert!(
                !via_worker || on_worker,
                "{os}: WS2016 has no routing mesh: {:?}",
                cells[0].address
            );
        }
    }
}
