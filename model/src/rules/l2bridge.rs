//! l2bridge driver: subnets, address assignment in and out of SDN, OS support
//! (L2B-1..5, SDN-1, IPAM-1).

use super::{Checker, Rule};
use crate::design::IpSource;
use crate::driver::Driver;
use crate::finding::Severity::{Error, Info, Warning};

pub const NO_SUBNET: Rule = Rule {
    code: "HNS030",
    severity: Error,
    facts: &["L2B-1", "IPAM-1"],
    title: "l2bridge network without --subnet and --gateway",
    explanation: "An l2bridge network is created with both `--subnet` and `--gateway` \
(`docker network create -d l2bridge --subnet --gateway NAME`, L2B-1): HNS does not pick an \
l2bridge prefix by itself, because the endpoints live on a physical (or routed) subnet the \
host must already know (IPAM-1).",
    help: "add `subnet:` and `gateway:` to the network: the host's own subnet, or a custom subnet routed to the host (L2B-2)",
};

pub const DYNAMIC_OUTSIDE_SDN: Rule = Rule {
    code: "HNS031",
    severity: Warning,
    facts: &["L2B-4", "IPAM-1"],
    title: "l2bridge endpoint without a static IP outside the SDN fabric",
    explanation: "Outside the SDN fabric, l2bridge addressing is static (L2B-4): the seed docs \
describe `--ip` per container. HNS may still assign the next free address of the subnet \
(IPAM-1), which is what this model does, but the address can then collide with other \
devices on the shared subnet that HNS does not know about.",
    help: "give the container a static `ip:` inside the network's subnet",
};

pub const STATIC_IN_SDN: Rule = Rule {
    code: "HNS032",
    severity: Error,
    facts: &["L2B-4", "SDN-2"],
    title: "static IP on an l2bridge endpoint inside the SDN fabric",
    explanation: "With the SDN fabric, l2bridge endpoints get their addresses dynamically, from \
the tenant VM's extra IP configurations through the network proxy and the private cloud \
plug-in (SDN-2). Static assignment is not supported there (L2B-4).",
    help:
        "remove `ip:` from the attachment and add the address to the VM's `sdn.ip-configs` instead",
};

pub const CUSTOM_SUBNET: Rule = Rule {
    code: "HNS033",
    severity: Warning,
    facts: &["L2B-2", "L2B-3"],
    title: "l2bridge network on a custom subnet needs a host endpoint and routes",
    explanation: "l2bridge has two configurations (L2B-2): the container host's own subnet, or \
a new custom subnet. The second needs a host endpoint (a vNIC on the network) acting as the \
containers' gateway, and routes for the prefix on the physical network pointing at the \
host; cross-subnet traffic is then MAC-rewritten and routed (L2B-3). Neither is created by \
`docker network create`. Kubernetes CNI plug-ins (win-bridge) create both, so hosts marked \
`kubernetes: true` are not reported.",
    help: "create the host endpoint (New-HnsEndpoint ... -IsRemoteEndpoint / a host vNIC with the gateway address) and a route for the subnet via the host, or use the host's own subnet",
};

pub const OLD_OS: Rule = Rule {
    code: "HNS034",
    severity: Error,
    facts: &["L2B-5"],
    title: "l2bridge on a Windows version that does not have it",
    explanation: "l2bridge requires Windows Server 2016, Windows 10 Creators Update (build \
15063) or later (L2B-5). Older Windows 10 builds refuse the network type.",
    help: "run Windows 10 Creators Update (1703) or later, or Windows Server",
};

pub const SDN_POLICIES_BYPASSED: Rule = Rule {
    code: "HNS035",
    severity: Info,
    facts: &["SDN-1", "L2B-3"],
    title: "network controller policies do not see same-host l2bridge traffic",
    explanation: "In the SDN fabric, l2bridge traffic between endpoints on the same host VM and \
subnet is bridged in the VM's vSwitch and never reaches the physical Hyper-V host, so \
network controller policies (ACLs, QoS) do not apply to it; they apply to cross-host and \
cross-subnet traffic only (SDN-1). l2tunnel sends all traffic to the physical host.",
    help: "if those containers must be isolated by ACLs, place them on different hosts or subnets, or use l2tunnel",
};

pub(super) fn check(checker: &mut Checker) {
    for (ni, net, host) in checker.on_windows(Driver::L2bridge) {
        // An OS without l2bridge, or no subnet to address endpoints from: the network
        // does not work at all, so none of its flows is what the rules say.
        if !host.os.supports_l2bridge() {
            checker.emit_on(
                &OLD_OS,
                &net.origin.path,
                format!(
                    "l2bridge network `{}` on host `{}`, which runs {}",
                    net.name, host.name, host.os
                ),
                checker.refused_network(net),
            );
        }
        match net.subnet.0.first() {
            None => checker.emit_on(
                &NO_SUBNET,
                &net.origin.path,
                format!(
                    "l2bridge network `{}` on host `{}` has no subnet",
                    net.name, host.name
                ),
                checker.refused_network(net),
            ),
            Some(subnet) => {
                if net.gateway.is_none() {
                    checker.emit(
                        &NO_SUBNET,
                        &net.origin.path,
                        format!(
                            "l2bridge network `{}` ({subnet}) on host `{}` has no gateway",
                            net.name, host.name
                        ),
                    );
                }
                let on_host_subnet = host.nics.iter().any(|n| subnet.contains(&n.ip.addr()));
                if !on_host_subnet && host.sdn.is_none() && !host.kubernetes {
                    checker.emit(
                        &CUSTOM_SUBNET,
                        &format!("{}.subnet", net.origin.path),
                        format!(
                            "l2bridge network `{}` uses {subnet}, which is not the subnet of any NIC of host `{}`",
                            net.name, host.name
                        ),
                    );
                }
            }
        }
        if host.sdn.is_some() {
            let local = checker
                .endpoints_on(ni)
                .filter(|e| e.host.map(|h| &checker.hosts()[h].name) == Some(&host.name))
                .count();
            if local > 1 {
                checker.emit(
                    &SDN_POLICIES_BYPASSED,
                    &net.origin.path,
                    format!(
                        "{local} endpoints of l2bridge network `{}` on host `{}` talk without passing the network controller's policies",
                        net.name, host.name
                    ),
                );
            }
        }
    }
    for a in checker.attached() {
        if a.network.driver != Driver::L2bridge || !a.host.is_windows() {
            continue;
        }
        match (&a.host.sdn, &a.ep.ip_source) {
            (None, IpSource::HnsDynamic) => checker.emit(
                &DYNAMIC_OUTSIDE_SDN,
                &a.path(),
                format!(
                    "container `{}` on l2bridge network `{}` (host `{}`, no SDN) has no static ip; HNS picks {}",
                    a.container.name,
                    a.network.name,
                    a.host.name,
                    a.ep.ip.map(|i| i.to_string()).unwrap_or_else(|| "nothing".into())
                ),
            ),
            (Some(_), IpSource::Static) => checker.emit(
                &STATIC_IN_SDN,
                &a.ip_path(),
                format!(
                    "container `{}` on l2bridge network `{}` (host `{}`, SDN) has static ip {}",
                    a.container.name,
                    a.network.name,
                    a.host.name,
                    a.ep.ip.map(|i| i.to_string()).unwrap_or_default()
                ),
            ),
            _ => {}
        }
    }
}
