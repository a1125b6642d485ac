//! Docker on Linux: bridge, host, none and macvlan (LNX-1..6, EXT-10..12).

use super::Checker;
use crate::driver::Driver;
use crate::scenario::{shim, Machine};
use std::collections::BTreeMap;

rules! {
    NONE_FOR_SERVICE: "DKR001",
    EXCLUSIVE_NETWORK: "DKR002",
    MACVLAN_IN_VM: "DKR003",
    MACVLAN_NO_PARENT: "DKR004",
    MACVLAN_HOST: "DKR005",
    ALIAS_ON_DEFAULT_BRIDGE: "DKR006",
    DEFAULT_BRIDGE_NAMES: "DKR007",
}

pub(super) fn check(checker: &mut Checker) {
    let mut default_bridge: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for a in checker.attached() {
        let driver = &a.network.driver;
        if let Some(svc) = &a.container.service {
            if *driver == Driver::None {
                checker.emit(
                    &NONE_FOR_SERVICE,
                    &a.path(),
                    format!(
                        "service `{svc}` is attached to `none` network `{}`",
                        a.network.name
                    ),
                );
            }
        }
        if matches!(driver, Driver::Host | Driver::None) {
            let others = checker.design.endpoints_of(a.ep.container).count();
            // Docker refuses the run ("conflicting options") or the connect: which of
            // the attachments exists depends on the order of commands a scenario does
            // not give, so none of the container's flows is what the rules say.
            if others > 1 {
                let as_written = checker.container_subjects(a.ep.container);
                checker.emit_on(
                    &EXCLUSIVE_NETWORK,
                    &a.path(),
                    format!(
                        "container `{}` is on {} network `{}` and on {} other network(s)",
                        a.container.name,
                        driver,
                        a.network.name,
                        others - 1
                    ),
                    as_written,
                );
            }
        }
        if a.host.is_windows() {
            continue;
        }
        let default = *driver == Driver::Bridge && a.network.origin.implicit;
        if default {
            if !a.ep.aliases.is_empty() {
                checker.emit(
                    &ALIAS_ON_DEFAULT_BRIDGE,
                    &a.at("aliases"),
                    format!(
                        "container `{}` has aliases on the default bridge of host `{}`",
                        a.container.name, a.host.name
                    ),
                );
            }
            default_bridge
                .entry(a.host.name.clone())
                .or_default()
                .push(a.container.name.clone());
        }
    }
    for (host, names) in default_bridge {
        if names.len() > 1 {
            let path = checker
                .host(&host)
                .map(|h| h.origin.path.clone())
                .unwrap_or_default();
            checker.emit(
                &DEFAULT_BRIDGE_NAMES,
                &path,
                format!(
                    "containers {} share the default bridge of host `{host}`: they reach each other by IP only",
                    names.join(", ")
                ),
            );
        }
    }
    for (ni, net) in checker.networks().iter().enumerate() {
        if !matches!(net.driver, Driver::Macvlan | Driver::Ipvlan) {
            continue;
        }
        for host in checker.hosts_of_network(ni) {
            if host.is_windows() {
                continue;
            }
            if net.option(shim::PARENT).is_none() {
                checker.emit(
                    &MACVLAN_NO_PARENT,
                    &net.origin.path,
                    format!(
                        "{} network `{}` on host `{}` has no parent interface",
                        net.driver, net.name, host.name
                    ),
                );
            }
            if net.driver != Driver::Macvlan {
                continue;
            }
            let vm_blocks = match host.machine {
                Machine::HypervVm => !host.mac_spoofing,
                Machine::AzureVm => true,
                Machine::Physical => false,
            };
            if vm_blocks {
                checker.emit(
                    &MACVLAN_IN_VM,
                    &net.origin.path,
                    format!(
                        "macvlan network `{}` on host `{}`, a VM that drops frames from the containers' MAC addresses",
                        net.name, host.name
                    ),
                );
            }
            if checker.endpoints_on(ni).next().is_some() {
                checker.emit(
                    &MACVLAN_HOST,
                    &net.origin.path,
                    format!(
                        "containers on macvlan network `{}` cannot reach host `{}` through its parent interface",
                        net.name, host.name
                    ),
                );
            }
        }
    }
}
