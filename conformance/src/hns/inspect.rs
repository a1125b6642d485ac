//! The model's resolved design for one Windows host against the HNS state captured
//! there: networks (type, subnet, gateway, VLAN, VSID, adapter, HNS name), endpoints
//! (address, port mappings), and WinNAT instances. Pure.
//!
//! Where Docker or HNS choose and the model can only guess (the subnet HNS picks for a
//! network created without `--subnet`, a dynamic address, an ephemeral host port), a
//! difference is a `variant`, not a mismatch: the model promises the kind of value
//! (inside the NAT prefix, inside the subnet, a free port), not the value.

use super::json::{Dump, HnsEndpoint, HnsNetwork};
use hnsim_model::{Analysis, Design, Driver, IpSource, Network, Protocol, Step};
use ipnet::IpNet;
use serde::Serialize;
use std::collections::BTreeSet;
use std::net::IpAddr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Match,
    /// Differs where HNS/Docker choose and the model guesses; within what it promises.
    Variant,
    /// Present in HNS, not in the model (informational).
    Extra,
    Mismatch,
    /// In the model, not in HNS.
    Missing,
}

impl Status {
    pub fn fails(self) -> bool {
        matches!(self, Status::Mismatch | Status::Missing)
    }
    pub fn symbol(self) -> &'static str {
        match self {
            Status::Match => "ok",
            Status::Variant => "variant",
            Status::Extra => "extra",
            Status::Mismatch => "MISMATCH",
            Status::Missing => "MISSING",
        }
    }
}

/// One comparison of one field of one object.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Check {
    /// `network n1`, `endpoint a@n1`, `netnat n1`.
    pub object: String,
    pub field: String,
    pub expected: String,
    pub observed: String,
    pub status: Status,
    /// Why this is expected, or why a difference is acceptable.
    pub why: String,
    pub facts: Vec<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct InspectionSummary {
    pub matched: usize,
    pub variants: usize,
    pub extra: usize,
    pub mismatches: usize,
    pub missing: usize,
}

/// The result of `hnsim conform --backend hns`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Inspection {
    pub scenario: String,
    pub host: String,
    pub checks: Vec<Check>,
    pub summary: InspectionSummary,
}

impl Inspection {
    pub fn failed(&self) -> bool {
        self.summary.mismatches + self.summary.missing > 0
    }
}

/// HNS's network type for a driver (EXT-9).
pub fn hns_type(driver: &Driver) -> Option<&'static str> {
    Some(match driver {
        Driver::Nat => "NAT",
        Driver::Transparent => "Transparent",
        Driver::L2bridge => "L2Bridge",
        Driver::L2tunnel => "L2Tunnel",
        Driver::Overlay => "Overlay",
        Driver::Ics => "ICS",
        Driver::Private => "Private",
        Driver::Internal => "Internal",
        _ => return None,
    })
}

fn driver_fact(driver: &Driver) -> &'static str {
    match driver {
        Driver::Nat => "NAT-4",
        Driver::Transparent => "TRANS-1",
        Driver::L2bridge => "L2B-1",
        Driver::L2tunnel => "L2T-1",
        Driver::Overlay => "OVL-1",
        _ => "EXT-9",
    }
}

struct Ctx<'a> {
    design: &'a Design,
    analysis: &'a Analysis,
    host: &'a str,
    dump: &'a Dump,
    checks: Vec<Check>,
}

/// `ip` at the same offset in `to` as it has in `from` (IPv4).
fn shift(ip: IpAddr, from: &IpNet, to: &IpNet) -> Option<IpAddr> {
    match (ip, from.network(), to.network()) {
        (IpAddr::V4(ip), IpAddr::V4(f), IpAddr::V4(t)) => {
            let offset = u32::from(ip).checked_sub(u32::from(f))?;
            let out = std::net::Ipv4Addr::from(u32::from(t).checked_add(offset)?);
            to.contains(&IpAddr::V4(out)).then_some(IpAddr::V4(out))
        }
        _ => None,
    }
}

fn facts(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn show_nets(n: &[IpNet]) -> String {
    if n.is_empty() {
        "none".into()
    } else {
        n.iter()
            .map(IpNet::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn show<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "none".into())
}

impl Ctx<'_> {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        object: &str,
        field: &str,
        expected: String,
        observed: String,
        status: Status,
        why: impl Into<String>,
        f: &[&str],
    ) {
        self.checks.push(Check {
            object: object.to_string(),
            field: field.to_string(),
            expected,
            observed,
            status,
            why: why.into(),
            facts: facts(f),
        });
    }

    /// Whether the user gave this network's subnet (else Docker/HNS picks it).
    fn user_subnet(&self, net: &Network) -> bool {
        let same = |n: &Network| n.name == net.name && n.host == net.host && !n.subnet.0.is_empty();
        self.analysis.scenario.networks.iter().any(same)
            || self.analysis.scenario.steps.iter().any(|s| match s {
                Step::CreateNetwork(n) => same(n),
                _ => false,
            })
    }

    fn find(&self, net: &Network) -> Option<&HnsNetwork> {
        let by_id = |id: &str| {
            self.dump
                .networks
                .iter()
                .find(|h| h.id.eq_ignore_ascii_case(id))
        };
        let docker = self
            .dump
            .docker_networks
            .iter()
            .find(|(name, _)| name == &net.name)
            .and_then(|(_, id)| id.as_deref())
            .and_then(by_id);
        docker
            .or_else(|| {
                let want = net.hns_name().unwrap_or(&net.name);
                self.dump
                    .networks
                    .iter()
                    .find(|h| h.name.eq_ignore_ascii_case(want))
            })
            .or_else(|| {
                let ty = hns_type(&net.driver)?;
                self.dump.networks.iter().find(|h| {
                    h.kind.eq_ignore_ascii_case(ty)
                        && !net.subnet.0.is_empty()
                        && net.subnet.0.iter().all(|s| h.subnets.contains(s))
                })
            })
    }

    fn network(&mut self, net: &Network, h: &HnsNetwork) {
        let object = format!("network {}", net.name);
        let ty = hns_type(&net.driver).unwrap_or("?");
        let host = self.design.host(self.host).cloned();
        self.push(
            &object,
            "present",
            format!("a {ty} network"),
            format!("`{}` ({})", h.name, h.id),
            Status::Match,
            "every Docker network on Windows is an HNS network",
            &["EXT-9", driver_fact(&net.driver)],
        );
        let status = if h.kind.eq_ignore_ascii_case(ty) {
            Status::Match
        } else {
            Status::Mismatch
        };
        self.push(
            &object,
            "type",
            ty.into(),
            h.kind.clone(),
            status,
            format!("driver {} is HNS type {ty}", net.driver),
            &["EXT-9", "OPT-5"],
        );
        if let Some(name) = net.hns_name() {
            let status = if h.name.eq_ignore_ascii_case(name) {
                Status::Match
            } else {
                Status::Mismatch
            };
            self.push(
                &object,
                "HNS name",
                name.into(),
                h.name.clone(),
                status,
                "windowsshim.networkname is the name HNS shows",
                &["OPT-1"],
            );
        }
        let model: Vec<IpNet> = net.subnet.0.clone();
        let user = self.user_subnet(net);
        let same_subnets = !model.is_empty()
            && model.len() == h.subnets.len()
            && model.iter().all(|m| h.subnets.contains(m));
        let mut effective: Option<IpNet> = model.first().copied();
        if !model.is_empty() || !h.subnets.is_empty() {
            let (status, why, f): (Status, String, &[&str]) = if same_subnets {
                (Status::Match, "the subnet HNS holds".into(), &["IPAM-1"])
            } else if user {
                (
                    Status::Mismatch,
                    "the scenario gives this subnet explicitly".into(),
                    &["NAT-4", "IPAM-1"],
                )
            } else {
                let observed = h.subnets.first().copied();
                effective = observed;
                match (&net.driver, host.as_ref(), observed) {
                    (
                        Driver::Nat | Driver::Ics | Driver::Internal | Driver::Private,
                        Some(hst),
                        Some(o),
                    ) if hst.nat_prefix().contains(&o) => (
                        Status::Variant,
                        format!(
                            "HNS picks a free subnet inside the NAT prefix {}; the model \
                                 takes the first",
                            hst.nat_prefix()
                        ),
                        &["NAT-1", "NAT-11", "IPAM-1"],
                    ),
                    (Driver::Overlay, _, Some(_)) => (
                        Status::Variant,
                        "swarm's IPAM picks the overlay subnet".into(),
                        &["OVL-5", "IPAM-1"],
                    ),
                    (Driver::Transparent | Driver::L2bridge | Driver::L2tunnel, _, _)
                        if model.is_empty() =>
                    {
                        (
                            Status::Variant,
                            "no subnet in the scenario; HNS reports the one it uses".into(),
                            &["TRANS-2", "IPAM-1"],
                        )
                    }
                    _ => (
                        Status::Mismatch,
                        "outside the range Docker/HNS would pick from".into(),
                        &["NAT-11", "IPAM-1"],
                    ),
                }
            };
            self.push(
                &object,
                "subnet",
                show_nets(&model),
                show_nets(&h.subnets),
                status,
                why,
                f,
            );
        }
        if let (Some(model_gw), Some(subnet)) = (net.gateway, effective) {
            // When HNS chose another subnet, its gateway is that subnet's first address,
            // as the model's is of the subnet it guessed.
            let expected = if model.first() == Some(&subnet) {
                model_gw
            } else {
                hnsim_model::resolve::nth_host(&subnet, 0).unwrap_or(model_gw)
            };
            let status = if h.gateways.contains(&expected) {
                Status::Match
            } else if h.gateways.is_empty() {
                Status::Missing
            } else {
                Status::Mismatch
            };
            self.push(
                &object,
                "gateway",
                expected.to_string(),
                if h.gateways.is_empty() {
                    "none".into()
                } else {
                    h.gateways
                        .iter()
                        .map(IpAddr::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                },
                status,
                "--gateway, else the subnet's first address",
                &["NAT-4", "TRANS-2"],
            );
        }
        let vlan = net.vlan_id().map(u32::from);
        if vlan.is_some() || h.vlan.is_some() {
            let status = if vlan == h.vlan {
                Status::Match
            } else {
                Status::Mismatch
            };
            self.push(
                &object,
                "VLAN",
                show(vlan),
                show(h.vlan),
                status,
                "windowsshim.vlanid becomes a VLAN policy for every endpoint",
                &["OPT-3", "EXT-8"],
            );
        }
        let vsid = net.vni();
        if vsid.is_some() || h.vsid.is_some() {
            let status = match (vsid, h.vsid) {
                (a, b) if a == b => Status::Match,
                (None, Some(_)) if net.driver == Driver::Overlay => Status::Variant,
                _ => Status::Mismatch,
            };
            self.push(
                &object,
                "VSID",
                show(vsid),
                show(h.vsid),
                status,
                if status == Status::Variant {
                    "swarm assigns the VNI (>= 4096) when the scenario gives none"
                } else {
                    "windowsshim.vsid / the VNI becomes a VSID policy"
                },
                &["EXT-8", "EXT-4"],
            );
        }
        if let Some(adapter) = net.interface() {
            let status = match &h.adapter {
                Some(a) if a.eq_ignore_ascii_case(adapter) => Status::Match,
                _ => Status::Mismatch,
            };
            self.push(
                &object,
                "adapter",
                adapter.into(),
                show(h.adapter.clone()),
                status,
                "windowsshim.interface binds the vSwitch to that adapter",
                &["OPT-2", "TRANS-5"],
            );
        }
    }

    fn endpoints(&mut self, ni: usize, net: &Network, h: &HnsNetwork) {
        let design = self.design;
        let eps: Vec<&hnsim_model::Endpoint> = design.endpoints_on(ni).collect();
        for e in eps {
            let c = &design.scenario.containers[e.container];
            if c.host != self.host || !c.is_running() {
                continue;
            }
            let object = format!("endpoint {}@{}", c.name, net.name);
            let docker_ip = self
                .dump
                .docker_attachments
                .iter()
                .find(|a| a.container == c.name && a.network == net.name)
                .and_then(|a| a.ip);
            let on_net: Vec<&HnsEndpoint> = self
                .dump
                .endpoints
                .iter()
                .filter(|x| x.network_id.eq_ignore_ascii_case(&h.id) && !x.remote)
                .collect();
            // When HNS (or swarm) chose another subnet than the model guessed, the
            // model's dynamic address means "the same offset in the chosen subnet".
            let shifted = match (e.ip, net.subnet.0.first(), h.subnets.first()) {
                (Some(ip), Some(m), Some(o)) if m != o && e.ip_source != IpSource::Static => {
                    shift(ip, m, o)
                }
                _ => None,
            };
            let found = docker_ip
                .and_then(|ip| on_net.iter().find(|x| x.ip == Some(ip)))
                .or_else(|| on_net.iter().find(|x| x.ip.is_some() && x.ip == e.ip))
                .or_else(|| on_net.iter().find(|x| x.ip.is_some() && x.ip == shifted))
                .copied();
            let Some(ep) = found else {
                self.push(
                    &object,
                    "present",
                    format!("an endpoint at {}", show(docker_ip.or(e.ip))),
                    format!(
                        "{} endpoint(s) on the network, none with that address",
                        on_net.len()
                    ),
                    Status::Missing,
                    "every attachment of a running container is an HNS endpoint (vNIC)",
                    &["ARCH-1", "EXT-9"],
                );
                continue;
            };
            self.push(
                &object,
                "present",
                "an endpoint".into(),
                format!("`{}` ({})", ep.name, ep.id),
                Status::Match,
                "every attachment of a running container is an HNS endpoint (vNIC)",
                &["ARCH-1", "EXT-9"],
            );
            let observed = ep.ip;
            let status = match (e.ip, observed) {
                (a, b) if a == b => Status::Match,
                (_, Some(o))
                    if e.ip_source != IpSource::Static
                        && h.subnets.iter().any(|s| s.contains(&o)) =>
                {
                    Status::Variant
                }
                _ => Status::Mismatch,
            };
            self.push(
                &object,
                "address",
                show(e.ip),
                show(observed),
                status,
                if e.ip_source == IpSource::Static {
                    "a static --ip is what the endpoint gets"
                } else if shifted.is_some() && shifted == observed {
                    "the same offset in the subnet HNS chose as in the one the model guessed"
                } else {
                    "dynamic IPAM: the model hands out the subnet's addresses in file order"
                },
                &["IPAM-1", "TRANS-2"],
            );
            if net.driver != Driver::Nat {
                continue;
            }
            let mut seen = BTreeSet::new();
            for p in design.published_of(e.container) {
                if p.forward.proto == Protocol::Sctp {
                    continue;
                }
                for cp in p.forward.container_ports.start..=p.forward.container_ports.end {
                    let Some(hp) = p.host_port_for(cp) else {
                        continue;
                    };
                    let got = ep
                        .port_maps
                        .iter()
                        .position(|m| m.proto == p.forward.proto && m.internal == cp);
                    let field = format!("port {}/{cp}", p.forward.proto);
                    match got {
                        Some(i) => {
                            seen.insert(i);
                            let ext = ep.port_maps[i].external;
                            let status = if ext == hp {
                                Status::Match
                            } else if p.ephemeral {
                                Status::Variant
                            } else {
                                Status::Mismatch
                            };
                            self.push(
                                &object,
                                &field,
                                format!("host port {hp}"),
                                format!("host port {ext}"),
                                status,
                                if p.ephemeral {
                                    "-p C / -P: Docker picks a free ephemeral host port"
                                } else {
                                    "-p H:C is a static WinNAT mapping"
                                },
                                &["NAT-9", "NAT-8"],
                            );
                        }
                        None => self.push(
                            &object,
                            &field,
                            format!("host port {hp}"),
                            "no port mapping policy".into(),
                            Status::Missing,
                            "a published port is a port mapping policy on the endpoint",
                            &["NAT-9", "EXT-9"],
                        ),
                    }
                }
            }
            for (i, m) in ep.port_maps.iter().enumerate() {
                if !seen.contains(&i) {
                    self.push(
                        &object,
                        &format!("port {}/{}", m.proto, m.internal),
                        "not published".into(),
                        format!("host port {}", m.external),
                        Status::Mismatch,
                        "the scenario publishes no such port",
                        &["NAT-9"],
                    );
                }
            }
        }
    }

    fn netnat(&mut self, net: &Network, h: &HnsNetwork) {
        let Some(nats) = self.dump.netnat.as_ref() else {
            return;
        };
        if !matches!(net.driver, Driver::Nat) {
            return;
        }
        let object = format!("netnat {}", net.name);
        let subnets = h.subnets.clone();
        if nats.is_empty() {
            self.push(
                &object,
                "WinNAT prefix",
                format!("a prefix holding {}", show_nets(&subnets)),
                "Get-NetNat lists nothing".into(),
                Status::Variant,
                "HNS programs WinNAT for its NAT networks; newer builds do not list them as NetNat objects",
                &["NAT-7", "NAT-11"],
            );
            return;
        }
        // By the network's WinNAT name when HNS gives it, else by prefix.
        let holder = nats
            .iter()
            .find(|n| {
                h.nat_name
                    .as_deref()
                    .is_some_and(|x| x.eq_ignore_ascii_case(&n.name))
            })
            .or_else(|| {
                nats.iter().find(|n| {
                    n.prefix.is_some_and(|p| {
                        !subnets.is_empty() && subnets.iter().all(|s| p.contains(s))
                    })
                })
            });
        let holds = holder.is_some_and(|n| {
            n.prefix
                .is_some_and(|p| !subnets.is_empty() && subnets.iter().all(|s| p.contains(s)))
        });
        let status = match (holder, holds) {
            (Some(_), true) => Status::Match,
            (Some(_), false) => Status::Mismatch,
            (None, _) => Status::Missing,
        };
        self.push(
            &object,
            "WinNAT prefix",
            format!("a prefix holding {}", show_nets(&subnets)),
            match holder {
                Some(n) => format!("`{}` {}", n.name, show(n.prefix)),
                None => nats
                    .iter()
                    .map(|n| show(n.prefix))
                    .collect::<Vec<_>>()
                    .join(", "),
            },
            status,
            "a NAT network's subnet is a partition of a WinNAT internal prefix",
            &["NAT-7", "NAT-11"],
        );
    }
}

/// Compares the captured HNS state of `host` with the final state of the scenario.
pub fn inspect(analysis: &Analysis, host: &str, dump: &Dump) -> Result<Inspection, String> {
    let design = &analysis.final_state().design;
    let h = design
        .host(host)
        .ok_or_else(|| format!("host `{host}` is not in the scenario"))?;
    if !h.is_windows() {
        return Err(format!(
            "host `{host}` is not a Windows host; HNS exists only on Windows (use --backend \
             docker or netns)"
        ));
    }
    let mut ctx = Ctx {
        design,
        analysis,
        host,
        dump,
        checks: Vec::new(),
    };
    let mut used: BTreeSet<String> = BTreeSet::new();
    for (ni, net) in design.scenario.networks.iter().enumerate() {
        if hns_type(&net.driver).is_none() {
            continue;
        }
        let here = match &net.host {
            Some(x) => x == host,
            None => design
                .endpoints_on(ni)
                .any(|e| design.scenario.containers[e.container].host == host),
        };
        if !here {
            continue;
        }
        match ctx.find(net).cloned() {
            Some(hn) => {
                used.insert(hn.id.to_ascii_lowercase());
                ctx.network(net, &hn);
                ctx.endpoints(ni, net, &hn);
                ctx.netnat(net, &hn);
            }
            None => {
                let ty = hns_type(&net.driver).unwrap_or("?");
                ctx.push(
                    &format!("network {}", net.name),
                    "present",
                    format!(
                        "a {ty} network{}",
                        match net.subnet.0.first() {
                            Some(s) => format!(" on {s}"),
                            None => String::new(),
                        }
                    ),
                    "no such HNS network".into(),
                    Status::Missing,
                    "every Docker network on Windows is an HNS network",
                    &["EXT-9", driver_fact(&net.driver)],
                );
            }
        }
    }
    let creates_default = h.docker.creates_default_network();
    for hn in &dump.networks {
        if used.contains(&hn.id.to_ascii_lowercase()) {
            continue;
        }
        let default_nat =
            hn.name.eq_ignore_ascii_case("nat") && hn.kind.eq_ignore_ascii_case("nat");
        let (status, why, f): (Status, &str, &[&str]) = if default_nat && !creates_default {
            (
                Status::Mismatch,
                "daemon.json `\"bridge\": \"none\"` creates no default nat network",
                &["NAT-3", "NAT-1"],
            )
        } else {
            (
                Status::Extra,
                "an HNS network the scenario does not describe (another tool's, or a host vSwitch)",
                &["EXT-9"],
            )
        };
        ctx.push(
            &format!("network {}", hn.name),
            "present",
            "not in the scenario".into(),
            format!("{} {}", hn.kind, show_nets(&hn.subnets)),
            status,
            why,
            f,
        );
    }
    let mut summary = InspectionSummary::default();
    for c in &ctx.checks {
        match c.status {
            Status::Match => summary.matched += 1,
            Status::Variant => summary.variants += 1,
            Status::Extra => summary.extra += 1,
            Status::Mismatch => summary.mismatches += 1,
            Status::Missing => summary.missing += 1,
        }
    }
    Ok(Inspection {
        scenario: analysis.scenario.name.clone(),
        host: host.to_string(),
        checks: ctx.checks,
        summary,
    })
}
