//! overlay driver: swarm, VXLAN identifiers, update prerequisites and outbound
//! connectivity (OVL-1..5, EXT-4, LNX-3).

use super::{has_update, Checker};
use crate::driver::Driver;
use crate::os::OsVersion;
use crate::scenario::{Host, SwarmRole};

rules! {
    NO_SWARM_MANAGER: "HNS020",
    LOW_VNI: "HNS021",
    MISSING_UPDATE: "HNS022",
    NO_OUTBOUND_WS2016: "HNS023",
    NO_OUTBOUND_ICMP: "HNS024",
    LINUX_NO_SWARM_MANAGER: "DKR020",
    NOT_A_SWARM_NODE: "SCN030",
    NOT_ATTACHABLE: "SCN031",
}

fn windows_overlay(checker: &Checker, ni: usize) -> bool {
    let hosts = checker.hosts_of_network(ni);
    if !hosts.is_empty() {
        return hosts.iter().any(|h| h.is_windows());
    }
    checker.hosts().iter().any(|h| h.is_windows())
}

fn required_update(os: OsVersion) -> Option<&'static str> {
    match os {
        OsVersion::Ws2016 => Some("KB4015217"),
        OsVersion::Ws2019 => Some("KB4489899"),
        _ => None,
    }
}

pub(super) fn check(checker: &mut Checker) {
    let has_manager = checker
        .hosts()
        .iter()
        .any(|h| h.swarm == SwarmRole::Manager);
    let mut update_hosts: Vec<&Host> = Vec::new();
    for (ni, net) in checker.networks().iter().enumerate() {
        if net.driver != Driver::Overlay {
            continue;
        }
        let windows = windows_overlay(checker, ni);
        if !has_manager {
            let rule = if windows {
                &NO_SWARM_MANAGER
            } else {
                &LINUX_NO_SWARM_MANAGER
            };
            checker.emit(
                rule,
                &net.origin.path,
                format!(
                    "overlay network `{}` needs a swarm, but no host is a swarm manager",
                    net.name
                ),
            );
        }
        if windows {
            if let Some(vni) = net.vni().filter(|v| *v < 4096) {
                // The VNI as written, or the options that set it.
                let field = if net.vni.is_some() { "vni" } else { "options" };
                // HNS refuses the network: none of its flows is what the rules say.
                checker.emit_on(
                    &LOW_VNI,
                    &net.origin.at(field),
                    format!(
                        "overlay network `{}` uses VNI {vni}; Windows needs 4096 or more",
                        net.name
                    ),
                    checker.refused_network(net),
                );
            }
            for h in checker.hosts_of_network(ni) {
                if h.is_windows() && !update_hosts.iter().any(|o| o.name == h.name) {
                    update_hosts.push(h);
                }
            }
        }
    }
    for h in update_hosts {
        if let Some(kb) = required_update(h.os) {
            if !has_update(h, kb) {
                let path = if h.updates.is_empty() {
                    h.origin.path.clone()
                } else {
                    h.origin.at("updates")
                };
                checker.emit(
                    &MISSING_UPDATE,
                    &path,
                    format!(
                        "host `{}` ({}) has overlay endpoints but {kb} is not in its updates",
                        h.name, h.os
                    ),
                );
            }
        }
    }
    endpoints(checker);
}

fn endpoints(checker: &mut Checker) {
    for a in checker.attached() {
        if a.network.driver != Driver::Overlay {
            continue;
        }
        // Replicas of a service placed off the swarm are reported once, for the
        // service, by the references rules.
        let standalone = a.container.service.is_none();
        if standalone && a.host.swarm == SwarmRole::None {
            checker.emit(
                &NOT_A_SWARM_NODE,
                &a.path(),
                format!(
                    "container `{}` on host `{}` is attached to overlay network `{}`, but `{}` is not a swarm node",
                    a.container.name, a.host.name, a.network.name, a.host.name
                ),
            );
        } else if standalone && !a.network.attachable {
            checker.emit(
                &NOT_ATTACHABLE,
                &a.path(),
                format!(
                    "standalone container `{}` joins overlay network `{}`, which is not attachable",
                    a.container.name, a.network.name
                ),
            );
        }
        if !a.host.is_windows() {
            continue;
        }
        let has_nat = checker
            .design
            .endpoints_of(a.ep.container)
            .filter_map(|e| e.network)
            .any(|n| checker.networks()[n].driver == Driver::Nat);
        if has_nat {
            continue;
        }
        if !a.host.os.overlay_has_vfp_outbound_nat() {
            checker.emit(
                &NO_OUTBOUND_WS2016,
                &a.path(),
                format!(
                    "container `{}` on host `{}` ({}) has only overlay network `{}` and no NAT endpoint for outbound traffic",
                    a.container.name, a.host.name, a.host.os, a.network.name
                ),
            );
        } else {
            checker.emit(
                &NO_OUTBOUND_ICMP,
                &a.path(),
                format!(
                    "container `{}` leaves overlay network `{}` through VFP NAT: outbound ping fails, TCP/UDP work",
                    a.container.name, a.network.name
                ),
            );
        }
    }
}
