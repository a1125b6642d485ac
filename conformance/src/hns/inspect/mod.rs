//! The model's resolved design for one Windows host against the HNS state captured
//! there: networks ([`network`]: type, HNS name, subnet, gateway, VLAN, VSID, adapter),
//! endpoints ([`endpoint`]: address, mask, port mappings) and WinNAT instances
//! ([`netnat`]). Pure.
//!
//! Where Docker or HNS choose and the model can only guess (the subnet HNS picks for a
//! network created without `--subnet`, a dynamic address, an ephemeral host port), a
//! difference is a `variant`, not a mismatch: the model promises the kind of value
//! (inside the NAT prefix, inside the subnet, a free port), not the value.
//!
//! Every network of the scenario that can exist on the host gets at least one check:
//! a swarm-scoped overlay without a task on this host is compared too (swarm creates
//! it on a node lazily, so its absence is what Docker does, and its presence is
//! compared field by field), never skipped.

mod endpoint;
mod netnat;
mod network;

use super::json::{Dump, HnsNetwork};
use hnsim_model::{Analysis, Design, Driver, Network, SwarmRole};
use hnsim_sim::{Check, CheckStatus as Status, Inspection, InspectionSummary};
use ipnet::IpNet;
use std::collections::BTreeSet;
use std::net::IpAddr;

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
    /// HNS endpoints already matched to a container (by id, lowercase).
    claimed: BTreeSet<String>,
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
        facts: &[&str],
    ) {
        self.checks.push(Check {
            object: object.to_string(),
            field: field.to_string(),
            expected,
            observed,
            status,
            why: why.into(),
            facts: facts.iter().map(|s| s.to_string()).collect(),
        });
    }

    /// What Docker says about the scenario's network `net`, when it was captured.
    fn docker_network(&self, net: &Network) -> Option<&super::json::DockerNetwork> {
        self.dump
            .docker_networks
            .iter()
            .find(|d| d.name == net.name)
    }

    /// The HNS network standing for `net`: by the HNS ID Docker recorded, by the name
    /// moby gives it (the windowsshim name, else the Docker network ID), by the
    /// scenario's name (networks HNS created and Docker found), else by type and subnet.
    fn find(&self, net: &Network) -> Option<&HnsNetwork> {
        let nets = &self.dump.networks;
        let by_id = |id: &str| nets.iter().find(|h| h.id.eq_ignore_ascii_case(id));
        let by_name = |name: &str| nets.iter().find(|h| h.name.eq_ignore_ascii_case(name));
        let docker = self.docker_network(net);
        docker
            .and_then(|d| d.hns_id.as_deref())
            .and_then(by_id)
            .or_else(|| docker.and_then(|d| by_name(&d.id)))
            .or_else(|| by_name(net.hns_name().unwrap_or(&net.name)))
            .or_else(|| {
                let ty = hns_type(&net.driver)?;
                nets.iter().find(|h| {
                    h.kind.eq_ignore_ascii_case(ty)
                        && !net.subnet.0.is_empty()
                        && net.subnet.0.iter().all(|s| h.subnets.contains(s))
                })
            })
            .or_else(|| {
                // An overlay is known by its VSID when swarm chose the subnet.
                let vsid = net.vni()?;
                nets.iter()
                    .find(|h| h.kind.eq_ignore_ascii_case("Overlay") && h.vsid == Some(vsid))
            })
    }

    /// Whether `net` can exist on this host, and why not when it cannot.
    fn on_this_host(&self, ni: usize, net: &Network) -> bool {
        match &net.host {
            Some(h) => h == self.host,
            // Swarm-scoped: on every swarm node that runs a task or container on it.
            None => {
                let swarm_node = self
                    .design
                    .host(self.host)
                    .is_some_and(|h| h.swarm != SwarmRole::None);
                swarm_node || self.local_endpoints(ni) > 0
            }
        }
    }

    fn local_endpoints(&self, ni: usize) -> usize {
        self.design
            .endpoints_on(ni)
            .filter(|e| self.design.scenario.containers[e.container].host == self.host)
            .count()
    }

    fn absent(&mut self, ni: usize, net: &Network) {
        let ty = hns_type(&net.driver).unwrap_or("?");
        let object = format!("network {}", net.name);
        if net.host.is_none() && self.local_endpoints(ni) == 0 && net.origin.implicit {
            // ingress is the one swarm network every node gets when it joins.
            self.push(
                &object,
                "present",
                "on every swarm node (routing mesh)".into(),
                "not on this host".into(),
                Status::Variant,
                "swarm creates `ingress` on each node that joins; this one has none (not \
                 joined yet, or a build without the routing mesh)",
                &["OVL-1", "EXT-9"],
            );
            return;
        }
        if net.host.is_none() && self.local_endpoints(ni) == 0 {
            self.push(
                &object,
                "present",
                "only once a task or container attaches on this host".into(),
                "not on this host".into(),
                Status::Match,
                "swarm creates an overlay network on a node lazily, when the first local \
                 task or container attaches; this host runs none",
                &["OVL-1", "EXT-9"],
            );
            return;
        }
        self.push(
            &object,
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
        claimed: BTreeSet::new(),
    };
    let mut used: BTreeSet<String> = BTreeSet::new();
    for (ni, net) in design.scenario.networks.iter().enumerate() {
        if hns_type(&net.driver).is_none() || !ctx.on_this_host(ni, net) {
            continue;
        }
        match ctx.find(net).cloned() {
            Some(hn) => {
                used.insert(hn.id.to_ascii_lowercase());
                ctx.network(net, &hn);
                ctx.endpoints(ni, net, &hn);
                ctx.netnat(net, &hn);
            }
            None => ctx.absent(ni, net),
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
    let summary = InspectionSummary::of(&ctx.checks);
    Ok(Inspection {
        scenario: analysis.scenario.name.clone(),
        host: host.to_string(),
        checks: ctx.checks,
        summary,
    })
}
