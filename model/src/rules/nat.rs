//! nat driver: the WinNAT prefix, how many NAT networks a host may have, and what port
//! mappings do to the host (NAT-1..NAT-13, EXT-1, EXT-2, OPT-9).

use super::{Checker, Rule};
use crate::driver::Driver;
use crate::finding::Severity::{Error, Info};
use crate::scenario::{Host, Network};

pub const PREFIX_CONTAINS_HOST_IP: Rule = Rule {
    code: "HNS001",
    severity: Error,
    facts: &["NAT-2", "NAT-1", "NAT-3"],
    title: "the NAT prefix contains the container host's own IP address",
    explanation: "WinNAT translates everything inside the internal NAT prefix (172.16.0.0/12 \
unless daemon.json sets `fixed-cidr`). When the host's own address, or its LAN, lies inside \
that prefix, traffic to the host's own subnet is captured by the NAT and the host loses \
connectivity to its neighbours; the Windows container docs call this a design error that \
requires changing the prefix (NAT-2). The same holds for a NAT network whose --subnet \
contains a host address.",
    help: "set daemon.json `fixed-cidr` (or the network's --subnet) to a prefix that does not contain the host's addresses, e.g. 172.31.0.0/16 when the host is on 172.16.x.x",
};

pub const SECOND_NAT_NETWORK: Rule = Rule {
    code: "HNS002",
    severity: Error,
    facts: &["NAT-11", "EXT-1"],
    title: "more than one NAT network on a host that supports only one",
    explanation: "Windows Server 2016 (and Windows 10 before the Creators Update, build 15063) \
has a single WinNAT internal prefix per host (NAT-11). Creating a second NAT network fails \
with \"HNS failed with error : Unspecified error\" (moby/moby#29207, hcsshim#54; EXT-1). The \
default `nat` network counts: a user-defined NAT network next to it is already the second. \
From Windows 10 Creators Update / Windows Server 2019 on, each NAT network gets its own \
NetNat instance and several coexist.",
    help: "use one NAT network on this host (attach containers to `nat`, or set `\"bridge\": \"none\"` and create only yours), or run Windows Server 2019 or later",
};

pub const OUTSIDE_NAT_PREFIX: Rule = Rule {
    code: "HNS003",
    severity: Error,
    facts: &["NAT-11", "OPT-9", "EXT-1"],
    title: "a NAT network's subnet lies outside the host's NAT prefix",
    explanation: "On a host with one WinNAT internal prefix (Windows Server 2016), every NAT \
network must be a partition of that prefix, e.g. 172.16.0.0/16 and 172.17.0.0/16 inside \
172.16.0.0/12 (NAT-11); the same is said for compose networks with `ipam.config.subnet` \
(OPT-9). A subnet outside it is not translated by the existing NetNat. From Windows 10 \
Creators Update / Windows Server 2019 on, each NAT network creates its own NetNat instance \
(OPT-8 removes it again), so the rule only applies where one prefix is shared (EXT-1).",
    help: "pick a subnet inside the host's NAT prefix (daemon.json `fixed-cidr`, default 172.16.0.0/12), or change `fixed-cidr` to cover it",
};

pub const NO_DEFAULT_NAT: Rule = Rule {
    code: "HNS004",
    severity: Error,
    facts: &["NAT-1", "NAT-3"],
    title: "a container needs the default `nat` network, but daemon.json disables it",
    explanation: "Docker creates the default `nat` network at first start and attaches every \
container started without --network to it (NAT-1). daemon.json `\"bridge\": \"none\"` \
suppresses it (NAT-3); a container that relies on it then fails to start with \"network nat \
not found\".",
    help: "give the container a --network that exists on its host, or remove `\"bridge\": \"none\"` from daemon.json",
};

pub const FIREWALL_RULE_PER_MAPPING: Rule = Rule {
    code: "HNS005",
    severity: Info,
    facts: &["NAT-10", "NAT-9"],
    title: "each NAT port mapping opens a host-wide firewall rule",
    explanation: "From Windows Server 2016 TP5 (build 14300) on, every NAT port mapping creates \
an inbound Windows Firewall rule for the host port. The rule is host-wide: it is not scoped \
to the container's endpoint or to one adapter, so the port is open on every interface of \
the host (NAT-10).",
    help: "publish only the ports you need; restrict exposure with a host firewall rule on the adapter, or bind the service to a transparent/l2bridge network instead",
};

pub const LOCALHOST_LOOPBACK: Rule = Rule {
    code: "HNS006",
    severity: Info,
    facts: &["EXT-2", "NAT-8"],
    title: "published NAT ports are not reachable via localhost on this host",
    explanation: "WinNAT on Windows Server 2016 / 1607 (and 1709) has no loopback: \
`localhost:<host port>` from the container host does not reach the container \
(docker/for-win#458). It works from 1803 (KB4340917) and on Windows Server 2019+. From other \
machines the host IP and published port work (NAT-8).",
    help: "from the host itself use the container's IP and container port; from elsewhere use the host IP and published port",
};

pub const HAIRPIN_ACROSS_NAT_NETWORKS: Rule = Rule {
    code: "HNS008",
    severity: Info,
    facts: &["EXT-2", "EXT-3", "NAT-6"],
    title: "reaching a published port from another NAT network is unreliable",
    explanation: "NAT networks on one host are isolated from each other by container IP (EXT-3, \
NAT-6). A container that tries to reach a container of another NAT network through the host's \
IP and published port depends on WinNAT hairpinning, which is unreliable (moby/moby#48881, \
EXT-2).",
    help: "attach both containers to one NAT network and use the container name, or reach the service from outside the host",
};

pub const NOT_PERSISTENT: Rule = Rule {
    code: "HNS007",
    severity: Info,
    facts: &["NAT-13"],
    title: "this NAT network will not survive a reboot of the host",
    explanation: "HNS on Windows Server 2019 and later does not persist NAT networks: after a \
host reboot only the default `nat` network is recreated (by Docker at start). User-defined \
NAT networks are gone, and containers attached to them fail to start until the network is \
created again (NAT-13).",
    help: "recreate the network at boot (a scheduled task or service running `docker network create`), or use the default `nat` network",
};

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
        format!("{}.subnet", n.origin.path)
    }
}

fn prefix_contains_host(checker: &mut Checker, host: &Host, nats: &[(usize, &Network)]) {
    let prefix = host.nat_prefix();
    let prefix_path = if host.docker.fixed_cidr.is_some() {
        format!("{}.docker.fixed-cidr", host.origin.path)
    } else {
        format!("{}.nics", host.origin.path)
    };
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
            format!("{}.ports", a.container.origin.path)
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
