//! transparent driver and the external vSwitch it needs (TRANS-1..7, ARCH-5, ARCH-6,
//! DNS-2). The NIC rule applies to every external-vSwitch driver, because they compete
//! for the same adapters.

use super::Checker;
use crate::design::IpSource;
use crate::driver::Driver;
use crate::scenario::{Host, Machine};
use std::collections::BTreeMap;

rules! {
    SHARED_NIC: "HNS010",
    NO_MAC_SPOOFING: "HNS011",
    AZURE: "HNS012",
    NO_ADDRESS: "HNS013",
    SUBNET_MISMATCH: "HNS014",
    NO_GATEWAY: "HNS017",
    HIDDEN_VSWITCH: "HNS015",
    NO_NAME_RESOLUTION: "HNS016",
}

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
                        &net.origin.at("subnet"),
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
                        &net.origin.at("gateway"),
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
                &a.at("aliases"),
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
