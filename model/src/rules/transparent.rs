//! transparent driver and the external vSwitch it needs (TRANS-1..7, ARCH-5, ARCH-6,
//! DNS-2). The NIC rule applies to every external-vSwitch driver, because they compete
//! for the same adapters.

use super::{Checker, Rule};
use crate::design::IpSource;
use crate::driver::Driver;
use crate::finding::Severity::{Error, Warning};
use crate::scenario::{Host, Machine};
use std::collections::BTreeMap;

pub const SHARED_NIC: Rule = Rule {
    code: "HNS010",
    severity: Error,
    facts: &["ARCH-6", "TRANS-5", "OPT-2"],
    title: "two external-vSwitch networks are bound to the same NIC",
    explanation: "transparent, l2bridge, l2tunnel and overlay networks use an external \
vSwitch bound to one physical (or VM) NIC, and each such network needs its own NIC \
(ARCH-6). Without `-o com.docker.network.windowsshim.interface=\"<adapter>\"` Docker binds to \
the first adapter, so a second transparent network fails because the adapter is already \
bound (TRANS-5). Overlay networks of one swarm share the single vSwitch HNS creates for \
them, so two overlay networks on one NIC are not reported; neither are l2bridge/overlay \
networks sharing a NIC on a Kubernetes node, where Flannel deliberately creates an \
\"External\" network first and the pod network on the same vSwitch after it.",
    help: "give each network its own adapter with `-o com.docker.network.windowsshim.interface=\"Ethernet 2\"` (name from Get-NetAdapter), or add a NIC to the host",
};

pub const NO_MAC_SPOOFING: Rule = Rule {
    code: "HNS011",
    severity: Error,
    facts: &["TRANS-4", "ARCH-5"],
    title: "transparent network in a Hyper-V VM without MAC address spoofing",
    explanation: "When the container host is itself a VM (ARCH-5), each container on a \
transparent network sends frames with its own MAC address through the VM's single NIC. The \
Hyper-V host drops frames whose source MAC is not the VM NIC's unless MAC address spoofing \
is enabled on that NIC (TRANS-4), so the containers have no connectivity at all.",
    help: "on the Hyper-V host run `Get-VMNetworkAdapter -VMName <vm> | Set-VMNetworkAdapter -MacAddressSpoofing On` and set `mac-spoofing: true` on the host, or use l2bridge/nat",
};

pub const AZURE: Rule = Rule {
    code: "HNS012",
    severity: Error,
    facts: &["TRANS-4"],
    title: "transparent network on an Azure VM",
    explanation: "Azure does not let a VM send frames from MAC addresses other than its NIC's, \
and MAC address spoofing cannot be enabled there, so transparent networks do not work on \
Azure VMs (TRANS-4).",
    help: "use nat with port mappings, l2bridge, or overlay on Azure VMs",
};

pub const NO_ADDRESS: Rule = Rule {
    code: "HNS013",
    severity: Error,
    facts: &["TRANS-2", "IPAM-1"],
    title: "transparent endpoint without an address: no DHCP server and no static --ip",
    explanation: "A transparent endpoint sits directly on the physical network. It gets its \
address either from an external DHCP server on that segment or statically (`--subnet` and \
`--gateway` equal to the physical network's, and `--ip` at run) (TRANS-2, IPAM-1). HNS does \
not invent one: without DHCP and without --ip the container has no IPv4 address.",
    help: "give the container a static `ip:` inside the segment's subnet, or mark the segment `dhcp: true` if a DHCP server answers there",
};

pub const SUBNET_MISMATCH: Rule = Rule {
    code: "HNS014",
    severity: Error,
    facts: &["TRANS-2", "TRANS-1"],
    title: "transparent network's subnet or gateway differ from the physical network's",
    explanation: "For static addressing on a transparent network, `--subnet` and `--gateway` \
must equal those of the physical network the NIC is on (TRANS-2): the endpoints are directly \
on that segment (TRANS-1), so an address from another subnet is not routable there.",
    help: "use the segment's subnet and gateway for the network, or bind the network to a NIC on the intended segment",
};

pub const NO_GATEWAY: Rule = Rule {
    code: "HNS017",
    severity: Warning,
    facts: &["TRANS-2", "TRANS-6"],
    title: "transparent network with a subnet but no gateway",
    explanation: "For static addressing a transparent network needs `--subnet` and `--gateway`, \
both equal to the physical network's (TRANS-2). HNS gives the endpoints the network's \
gateway as their default route; without one they reach only their own subnet, and \
cross-subnet traffic, which is routed (TRANS-6), has nowhere to go.",
    help: "add `gateway:` with the physical network's router address",
};

pub const HIDDEN_VSWITCH: Rule = Rule {
    code: "HNS015",
    severity: Error,
    facts: &["TRANS-7", "ARCH-6"],
    title: "a vSwitch created out of band holds the NIC, and Docker cannot see it",
    explanation: "Known issue: a vSwitch created with Hyper-V Manager or PowerShell while \
Docker runs is invisible to Docker. Creating a transparent (or other external) network on \
the same NIC then fails because the NIC is already bound to that vSwitch (TRANS-7).",
    help: "delete the out-of-band vSwitch, or restart hns and docker (`Restart-Service hns; Restart-Service docker`) so Docker sees it, or bind the network to another NIC",
};

pub const NO_NAME_RESOLUTION: Rule = Rule {
    code: "HNS016",
    severity: Warning,
    facts: &["DNS-2", "DNS-1"],
    title: "names are used on a network without service discovery",
    explanation: "Docker's service discovery (container and service names, aliases, DNS \
round-robin over replicas, DNS-1) is not available on every Windows driver: transparent has \
neither local nor global discovery; l2bridge has only global discovery, with Kubernetes DNS \
(DNS-2). Aliases and service names on such a network do not resolve.",
    help: "address peers by IP on this network, attach the containers to a nat or overlay network for discovery, or run Kubernetes DNS for l2bridge",
};

pub(super) fn check(checker: &mut Checker) {
    shared_nics(checker);
    for (ni, net, host) in checker.on_windows(Driver::Transparent) {
        vm_checks(checker, host, &net.name, &net.origin.path);
        // A VLAN-tagged network (OPT-3) lives in that VLAN's subnet, which the
        // segment (its untagged subnet) does not describe.
        let segment = match net.vlan_id() {
            Some(_) => None,
            None => checker.design.network_segment(net, host),
        };
        if let Some(seg) = segment {
            if let Some(subnet) = net.subnet.0.first() {
                if subnet.trunc() != seg.subnet.trunc() {
                    checker.emit_on(
                        &SUBNET_MISMATCH,
                        &format!("{}.subnet", net.origin.path),
                        format!(
                            "transparent network `{}` uses {subnet}, but its NIC on host `{}` is on segment `{}` ({})",
                            net.name, host.name, seg.name, seg.subnet
                        ),
                        [Checker::network_subject(net)],
                    );
                }
            }
            if net.gateway.is_none() && !net.subnet.0.is_empty() {
                checker.emit(
                    &NO_GATEWAY,
                    &net.origin.path,
                    format!(
                        "transparent network `{}` on host `{}` has subnet {} but no gateway",
                        net.name, host.name, net.subnet.0[0]
                    ),
                );
            }
            if let (Some(gw), Some(seg_gw)) = (net.gateway, seg.gateway) {
                if gw != seg_gw && !net.subnet.0.is_empty() {
                    checker.emit_on(
                        &SUBNET_MISMATCH,
                        &format!("{}.gateway", net.origin.path),
                        format!(
                            "transparent network `{}` uses gateway {gw}, but segment `{}` has gateway {seg_gw}",
                            net.name, seg.name
                        ),
                        [Checker::network_subject(net)],
                    );
                }
            }
        }
        hidden_vswitch(checker, host, ni);
    }
    for a in checker.attached() {
        if a.network.driver == Driver::Transparent
            && a.host.is_windows()
            && matches!(&a.ep.ip_source, IpSource::Unassigned(r) if r.contains("TRANS-2"))
        {
            checker.emit(
                &NO_ADDRESS,
                &a.path(),
                format!(
                    "container `{}` on transparent network `{}` (host `{}`) gets no address: no DHCP on the segment and no static ip",
                    a.container.name, a.network.name, a.host.name
                ),
            );
        }
    }
    name_resolution(checker);
}

/// TRANS-4 for a network on `host`.
fn vm_checks(checker: &mut Checker, host: &Host, network: &str, path: &str) {
    match host.machine {
        Machine::HypervVm if !host.mac_spoofing => checker.emit(
            &NO_MAC_SPOOFING,
            path,
            format!(
                "transparent network `{network}` on host `{}`, a Hyper-V VM whose NIC has MAC address spoofing off",
                host.name
            ),
        ),
        Machine::AzureVm => checker.emit(
            &AZURE,
            path,
            format!("transparent network `{network}` on host `{}`, an Azure VM", host.name),
        ),
        _ => {}
    }
}

fn shared_nics(checker: &mut Checker) {
    // (host, nic) -> networks bound there
    let mut bound: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
    for (ni, net) in checker.networks().iter().enumerate() {
        if !net.driver.uses_external_vswitch() {
            continue;
        }
        for host in checker.hosts_of_network(ni) {
            if !host.is_windows() {
                continue;
            }
            if let Some(nic) = checker.design.network_nic(net, host) {
                bound
                    .entry((host.name.clone(), nic.name.clone()))
                    .or_default()
                    .push(ni);
            }
        }
    }
    for ((host, nic), nets) in bound {
        let nets: Vec<_> = nets.iter().map(|&i| &checker.networks()[i]).collect();
        for (k, net) in nets.iter().enumerate().skip(1) {
            let kubernetes = checker.host(&host).is_some_and(|h| h.kubernetes);
            let shareable = |a: &Driver, b: &Driver| {
                (*a == Driver::Overlay && *b == Driver::Overlay)
                    || (kubernetes && *a != Driver::Transparent && *b != Driver::Transparent)
            };
            let clash = nets[..k]
                .iter()
                .find(|o| !shareable(&o.driver, &net.driver));
            // HNS fails to create whichever of the two comes second (the adapter is
            // bound already); a scenario lists networks, it does not order their
            // creation, so neither network's flows are what its rules say.
            if let Some(other) = clash {
                checker.emit_on(
                    &SHARED_NIC,
                    &net.origin.path,
                    format!(
                        "{} network `{}` and {} network `{}` both bind NIC `{nic}` of host `{host}`",
                        net.driver, net.name, other.driver, other.name
                    ),
                    [checker.refused_network(net), checker.refused_network(other)].concat(),
                );
            }
        }
    }
}

fn hidden_vswitch(checker: &mut Checker, host: &Host, ni: usize) {
    let net = &checker.networks()[ni];
    let Some(nic) = checker.design.network_nic(net, host) else {
        return;
    };
    let hidden: Vec<_> = checker
        .design
        .scenario
        .vswitches
        .iter()
        .filter(|v| {
            v.host == host.name && !v.visible_to_docker && v.nic.as_deref() == Some(&nic.name)
        })
        .collect();
    for v in hidden {
        checker.emit(
            &HIDDEN_VSWITCH,
            &net.origin.path,
            format!(
                "{} network `{}` needs NIC `{}` on host `{}`, which vSwitch `{}` (created out of band, invisible to Docker) already holds",
                net.driver, net.name, nic.name, host.name, v.name
            ),
        );
    }
}

fn name_resolution(checker: &mut Checker) {
    for a in checker.attached() {
        if !a.host.is_windows() {
            continue;
        }
        let no_discovery = match a.network.driver {
            Driver::Transparent => true,
            Driver::L2bridge => !a.host.kubernetes,
            _ => false,
        };
        if !no_discovery {
            continue;
        }
        if !a.ep.aliases.is_empty() {
            checker.emit(
                &NO_NAME_RESOLUTION,
                &format!("{}.aliases", a.path()),
                format!(
                    "aliases {:?} of container `{}` do not resolve on {} network `{}`",
                    a.ep.aliases, a.container.name, a.network.driver, a.network.name
                ),
            );
        }
        if let Some(svc) = &a.container.service {
            checker.emit(
                &NO_NAME_RESOLUTION,
                &a.container.origin.path,
                format!(
                    "service `{svc}` is attached to {} network `{}`, where its name does not resolve",
                    a.network.driver, a.network.name
                ),
            );
        }
    }
}
