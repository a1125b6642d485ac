//! The networks Docker creates by itself (NAT-1, NAT-3, LNX-1/2/5, the swarm's
//! `ingress`) and the attachment of a container started without `--network`.

use super::implicit;
use crate::driver::Driver;
use crate::hash::HashMap;
use crate::scenario::*;

fn plain_network(name: &str, host: &Host, driver: Driver) -> Network {
    Network {
        host: Some(host.name.clone()),
        origin: implicit(host.origin.at("docker")),
        ..Network::named(name, driver)
    }
}

/// Adds the networks Docker creates by itself: per host (see [`default_networks_of`])
/// and, when any host is in a swarm, the swarm's `ingress` overlay. Idempotent. Skipped
/// when the timeline has already made them explicit ([`Scenario::defaults_materialized`]),
/// so that a step removing one (NAT-3) is not undone.
pub(crate) fn add_default_networks(s: &mut Scenario) {
    if s.defaults_materialized {
        return;
    }
    let names: Vec<String> = s.hosts.iter().map(|h| h.name.clone()).collect();
    for name in names {
        add_default_networks_of(s, &name);
    }
    add_ingress(s);
}

/// The swarm's `ingress` overlay: created at `docker swarm init` with the first /24 of
/// the default address pool (10.0.0.0/24), so user overlays start at 10.0.1.0/24.
/// Service tasks that publish ports are attached to it (the routing mesh).
fn add_ingress(s: &mut Scenario) {
    let swarm = s.hosts.iter().any(|h| h.swarm != SwarmRole::None);
    if !swarm || s.networks.iter().any(|n| n.name == "ingress") {
        return;
    }
    let mut ingress = Network {
        host: None,
        scope: Some(Scope::Swarm),
        subnet: Subnets(vec!["10.0.0.0/24".parse().expect("constant prefix")]),
        gateway: Some("10.0.0.1".parse().expect("constant address")),
        ..Network::named("ingress", Driver::Overlay)
    };
    ingress.origin = implicit(
        s.hosts
            .iter()
            .find(|h| h.swarm == SwarmRole::Manager)
            .map(|h| h.origin.at("swarm"))
            .unwrap_or_default(),
    );
    s.networks.push(ingress);
}

/// Adds the default networks Docker creates at start on one host, if missing: `nat` and
/// `none` on Windows (NAT-1; no `nat` with `"bridge": "none"`, NAT-3), `bridge`, `host`
/// and `none` on Linux (LNX-1/2/5). Also used by the timeline when Docker restarts.
pub(crate) fn add_default_networks_of(s: &mut Scenario, host_name: &str) {
    let Some(host) = s.hosts.iter().find(|h| h.name == host_name).cloned() else {
        return;
    };
    if host.docker.absent {
        return;
    }
    let exists = |s: &Scenario, name: &str| {
        s.networks
            .iter()
            .any(|n| n.name == name && n.host.as_deref() == Some(host.name.as_str()))
    };
    let mut added = Vec::new();
    if host.is_windows() {
        if host.docker.creates_default_network() && !exists(s, "nat") {
            let mut nat = plain_network("nat", &host, Driver::Nat);
            // NAT-3: fixed-cidr is the default network's prefix. Without it HNS picks
            // a /20 inside 172.16.0.0/12 that no network of the host holds (a random
            // one on WS2019+; the first free one here), so the seed's own
            // `docker network create -d nat --subnet=172.16.0.0/16 ...` sits beside it.
            let prefix = host
                .docker
                .fixed_cidr
                .unwrap_or_else(|| first_free_nat_20(s, &host));
            nat.subnet = Subnets(vec![prefix]);
            added.push(nat);
        }
        // `docker network ls` on Windows also lists `none` (driver null).
        if !exists(s, "none") {
            added.push(plain_network("none", &host, Driver::None));
        }
    } else {
        if host.docker.creates_default_network() && !exists(s, "bridge") {
            let mut bridge = plain_network("bridge", &host, Driver::Bridge);
            let prefix = host
                .docker
                .fixed_cidr
                .unwrap_or_else(|| "172.17.0.0/16".parse().expect("constant prefix"));
            bridge.subnet = Subnets(vec![prefix]);
            added.push(bridge);
        }
        if !exists(s, "host") {
            added.push(plain_network("host", &host, Driver::Host));
        }
        if !exists(s, "none") {
            added.push(plain_network("none", &host, Driver::None));
        }
    }
    s.networks.extend(added);
}

/// The first /20 of 172.16.0.0/12 that overlaps no subnet a network of `host` was
/// given; 172.16.0.0/20 when all are taken (the overlap is then reported, SCN010).
fn first_free_nat_20(s: &Scenario, host: &Host) -> ipnet::IpNet {
    let held: Vec<ipnet::IpNet> = s
        .networks
        .iter()
        .filter(|n| n.host.as_deref() == Some(host.name.as_str()))
        .flat_map(|n| n.subnet.0.iter().copied())
        .collect();
    let prefix: ipnet::IpNet = "172.16.0.0/12".parse().expect("constant prefix");
    prefix
        .subnets(20)
        .into_iter()
        .flatten()
        .find(|c| {
            !held
                .iter()
                .any(|h| h.contains(&c.network()) || c.contains(&h.network()))
        })
        .unwrap_or_else(|| "172.16.0.0/20".parse().expect("constant prefix"))
}

pub(super) fn attach_default_networks(s: &mut Scenario) {
    let Scenario {
        hosts, containers, ..
    } = s;
    let hosts: HashMap<&str, &Host> = hosts.iter().map(|h| (h.name.as_str(), h)).collect();
    // One pass (a million replicas are read once, not twice).
    for c in containers.iter_mut() {
        // A container with networks keeps them; its host is not even looked up.
        let name = (c.networks.is_empty())
            .then(|| hosts.get(c.host.as_str()))
            .flatten()
            .filter(|h| !h.docker.absent)
            .map(|h| h.default_network_name());
        if let Some(name) = name {
            c.networks.push(Attachment {
                network: name.to_string(),
                ip: None,
                aliases: vec![],
            });
        }
    }
}
