//! nat driver: the WinNAT prefix, how many NAT networks a host may have, and what port
//! mappings do to the host (NAT-1..NAT-13, EXT-1, EXT-2, OPT-9).

use super::Checker;
use crate::driver::Driver;
use crate::scenario::{Host, Network};

rules! {
    PREFIX_CONTAINS_HOST_IP: "HNS001",
    SECOND_NAT_NETWORK: "HNS002",
    OUTSIDE_NAT_PREFIX: "HNS003",
    NO_DEFAULT_NAT: "HNS004",
    FIREWALL_RULE_PER_MAPPING: "HNS005",
    LOCALHOST_LOOPBACK: "HNS006",
    HAIRPIN_ACROSS_NAT_NETWORKS: "HNS008",
    NOT_PERSISTENT: "HNS007",
}

/// The host's NAT networks, the default `nat` first: it is created at Docker's first
/// start, so any other one is the "second" network.
fn nat_networks<'a>(checker: &Checker<'a>, host: &Host) -> Vec<(usize, &'a Network)> {
    let mut nats: Vec<(usize, &Network)> = checker
        .networks()
        .iter()
        .enumerate()
        .filter(|(_, n)| n.driver == Driver::Nat && n.host.as_deref() == Some(host.name.as_str()))
        .collect();
    nats.sort_by_key(|(i, n)| (!n.origin.implicit, *i));
    nats
}

pub(super) fn check(checker: &mut Checker) {
    for host in checker.hosts() {
        if !host.is_windows() || host.docker.absent {
            continue;
        }
        let nats = nat_networks(checker, host);
        if nats.is_empty() {
            continue;
        }
        prefix_contains_host(checker, host, &nats);
        if !host.os.supports_multiple_nat_networks() && nats.len() > 1 {
            let names: Vec<&str> = nats.iter().map(|(_, n)| n.name.as_str()).collect();
            for (_, n) in nats.iter().skip(1) {
                checker.emit(
                    &SECOND_NAT_NETWORK,
                    &n.origin.path,
                    format!(
                        "host `{}` runs {} which has one NAT prefix, but has {} NAT networks ({})",
                        host.name,
                        host.os,
                        nats.len(),
                        names.join(", ")
                    ),
                );
            }
            let prefix = host.nat_prefix();
            for (_, n) in &nats {
                for (si, subnet) in n.subnet.0.iter().enumerate() {
                    if !prefix.contains(subnet) {
                        checker.emit(
                            &OUTSIDE_NAT_PREFIX,
                            &subnet_path(n, si),
                            format!(
                                "NAT network `{}` on host `{}` uses {subnet}, outside the host's NAT prefix {prefix}",
                                n.name, host.name
                            ),
                        );
                    }
                }
            }
        }
        if !host.os.nat_networks_survive_reboot() {
            for (_, n) in &nats {
                if n.name != "nat" && !n.origin.implicit {
                    checker.emit(
                        &NOT_PERSISTENT,
                        &n.origin.path,
                        format!(
                            "NAT network `{}` on host `{}` ({}) is not persisted by HNS",
                            n.name, host.name, host.os
                        ),
                    );
                }
            }
        }
    }
    no_default_nat(checker);
    port_mapping_notes(checker);
    hairpin(checker);
}

/// EXT-2: a host with several NAT networks and a published port invites hairpinning.
fn hairpin(checker: &mut Checker) {
    let mut notes = Vec::new();
    for host in checker.hosts() {
        if !host.is_windows() {
            continue;
        }
        let nats = nat_networks(checker, host);
        let used: Vec<usize> = nats
            .iter()
            .map(|(i, _)| *i)
            .filter(|i| checker.endpoints_on(*i).next().is_some())
            .collect();
        if used.len() < 2 {
            continue;
        }
        for p in &checker.design.published {
            let c = &checker.containers()[p.container];
            let on_nat = checker
                .design
                .endpoints_of(p.container)
                .any(|e| e.network.is_some_and(|n| used.contains(&n)));
            if c.host == host.name && on_nat {
                let path = match p.mapping {
                    Some(m) => format!("{}.ports[{m}]", c.origin.path),
                    None => c.origin.path.clone(),
                };
                notes.push((
                    path,
                    format!(
                        "host `{}` has {} NAT networks in use: containers of the other networks cannot rely on {}:{} (`{}`)",
                        host.name,
                        used.len(),
                        host.primary_ip().map(|i| i.to_string()).unwrap_or_else(|| "<host IP>".into()),
                        p.forward.host_ports,
                        c.name
                    ),
                ));
            }
        }
    }
    for (path, msg) in notes {
        checker.emit(&HAIRPIN_ACROSS_NAT_NETWORKS, &path, msg);
    }
}

fn subnet_path(n: &Network, index: usize) -> String {
    if n.subnet.0.len() > 1 {
        format!("{}.subnet[{index}]", n.origin.path)
    } else {
        n.origin.at("subnet")
    }
}

fn prefix_contains_host(checker: &mut Checker, host: &Host, nats: &[(usize, &Network)]) {
    let prefix = host.nat_prefix();
    let prefix_path = host.origin.at(if host.docker.fixed_cidr.is_some() {
        "docker.fixed-cidr"
    } else {
        "nics"
    });
    for (ni, nic) in host.nics.iter().enumerate() {
        let ip = nic.ip.addr();
        // The prefix only matters while something uses it: the default `nat` network,
        // or a `fixed-cidr` the user set on purpose.
        let prefix_used =
            nats.iter().any(|(_, n)| n.name == "nat") || host.docker.fixed_cidr.is_some();
        if prefix_used && prefix.contains(&ip) {
            let path = if host.docker.fixed_cidr.is_some() {
                prefix_path.clone()
            } else {
                format!("{}.nics[{ni}].ip", host.origin.path)
            };
            // Every NAT network of the host takes its subnet from the prefix: their
            // routes to the LAN overlap the host's own.
            checker.emit_on(
                &PREFIX_CONTAINS_HOST_IP,
                &path,
                format!(
                    "NAT prefix {prefix} of host `{}` contains the host's own address {ip} (NIC `{}`)",
                    host.name, nic.name
                ),
                nats.iter().map(|(_, n)| Checker::network_subject(n)),
            );
            continue;
        }
        for (_, n) in nats {
            for (si, subnet) in n.subnet.0.iter().enumerate() {
                if subnet.contains(&ip) {
                    checker.emit_on(
                        &PREFIX_CONTAINS_HOST_IP,
                        &subnet_path(n, si),
                        format!(
                            "NAT network `{}` subnet {subnet} contains host `{}`'s own address {ip} (NIC `{}`)",
                            n.name, host.name, nic.name
                        ),
                        [Checker::network_subject(n)],
                    );
                }
            }
        }
    }
}

fn no_default_nat(checker: &mut Checker) {
    for (ci, c) in checker.containers().iter().enumerate() {
        let Some(host) = checker.container_host(ci) else {
            continue;
        };
        if !host.is_windows() || host.docker.absent || host.docker.creates_default_network() {
            continue;
        }
        for ep in checker.design.endpoints_of(ci) {
            let att = &c.networks[ep.attachment];
            if ep.network.is_none() && att.network == "nat" {
                let path = format!("{}.networks[{}]", c.origin.path, ep.attachment);
                checker.emit(
                    &NO_DEFAULT_NAT,
                    &path,
                    format!(
                        "container `{}` attaches to `nat`, but host `{}` has `bridge: none` in daemon.json so there is no default nat network",
                        c.name, host.name
                    ),
                );
            }
        }
    }
}

fn port_mapping_notes(checker: &mut Checker) {
    let mut notes = Vec::new();
    for a in checker.attached() {
        if a.network.driver != Driver::Nat || !a.host.is_windows() {
            continue;
        }
        let mapped = checker.design.published_of(a.ep.container).count();
        if mapped == 0 {
            continue;
        }
        let path = if a.container.ports.is_empty() {
            a.container.origin.path.clone()
        } else {
            a.container.origin.at("ports")
        };
        if a.host.os.port_mapping_creates_firewall_rule() {
            notes.push((
                &FIREWALL_RULE_PER_MAPPING,
                path.clone(),
                format!(
                    "container `{}` publishes {mapped} port mapping(s) on host `{}`: each opens the host port in the firewall on every adapter",
                    a.container.name, a.host.name
                ),
            ));
        }
        if !a.host.os.supports_nat_localhost_loopback() {
            notes.push((
                &LOCALHOST_LOOPBACK,
                path,
                format!(
                    "host `{}` runs {}: `localhost:<port>` on the host does not reach container `{}`",
                    a.host.name, a.host.os, a.container.name
                ),
            ));
        }
    }
    for (rule, path, msg) in notes {
        checker.emit(rule, &path, msg);
    }
}
