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

fn cells(cx: &Cx, mode: Mode) -> Vec<Cell> {
    let classes = classify(cx, mode);
    let count = cx.n.who.len();
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
    let answers: HashMap<(usize, usize), Vec<(Probe, Answer)>> = jobs
        .par_iter()
        .map(|&(ca, cb, s, t)| {
            let list = cx.n.probes[t]
                .iter()
                .map(|&p| (p, answer(cx, s, t, p)))
                .collect();
            ((ca, cb), list)
        })
        .collect();
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
                if let Some(list) = answers.get(&(classes.of[s], classes.of[t])) {
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

/// The answer for one (source, destination, probe), with identity tokens.
pub fn answer(cx: &Cx, s: usize, t: usize, probe: Probe) -> Answer {
    let (ws, wt) = (cx.n.who[s], cx.n.who[t]);
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
        Who::Internet => fabric::internet_entries(),
    };
    let mut candidates = Vec::new();
    for e in &exits {
        for n in &entries {
            candidates.extend(fabric::join(cx, e, n, probe));
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

fn subst(text: &str, s: &Ident, t: &Ident) -> String {
    if !text.contains('{') {
        return text.to_string();
    }
    text.replace(SRC_IP, &s.ip)
        .replace(DST_IP, &t.ip)
        .replace(SRC_NAME, &s.name)
        .replace(DST_NAME, &t.name)
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

/// The nodes of a design (for callers that need them without cells).
pub fn nodes_of(design: &Design) -> Nodes {
    let w = World::new(design);
    nodes::build(&w)
}
