//! Docker on Linux: bridge, host, none and macvlan (LNX-1..6, EXT-10..12).

use super::{Checker, Rule};
use crate::driver::Driver;
use crate::finding::Severity::{Error, Info, Warning};
use crate::scenario::{shim, Machine};
use std::collections::BTreeMap;

pub const NONE_FOR_SERVICE: Rule = Rule {
    code: "DKR001",
    severity: Error,
    facts: &["LNX-5"],
    title: "swarm service on the `none` network",
    explanation: "The `none` driver disables all networking of a container (loopback only); it \
is for standalone containers and not available to swarm services (LNX-5).",
    help: "attach the service to an overlay network, or run the workload as a standalone container with `--network none`",
};

pub const EXCLUSIVE_NETWORK: Rule = Rule {
    code: "DKR002",
    severity: Error,
    facts: &["LNX-2", "LNX-5", "EXT-11"],
    title: "`host` or `none` combined with other networks",
    explanation: "A container on the host network uses the host's stack (LNX-2, EXT-11) and a \
container on `none` has only loopback (LNX-5); neither can have other endpoints. Docker \
refuses to connect such a container to another network (\"container cannot be disconnected \
from host network or connected to host network\", \"conflicting options\").",
    help: "keep the container on `host` or `none` alone, or drop it from those and use user-defined networks",
};

pub const MACVLAN_IN_VM: Rule = Rule {
    code: "DKR003",
    severity: Warning,
    facts: &["LNX-4", "ARCH-5", "TRANS-4"],
    title: "macvlan in a VM without MAC address spoofing",
    explanation: "Each macvlan container has its own MAC address and appears as a physical \
device on the network (LNX-4). When the Docker host is a VM (ARCH-5), the hypervisor drops \
frames from MAC addresses other than the VM NIC's unless MAC spoofing / promiscuous mode is \
allowed, the same constraint as Windows transparent networks (TRANS-4); Azure does not allow \
it at all.",
    help: "enable MAC address spoofing on the VM's NIC (`mac-spoofing: true`), or use ipvlan L2/bridge with port mappings",
};

pub const MACVLAN_NO_PARENT: Rule = Rule {
    code: "DKR004",
    severity: Warning,
    facts: &["LNX-4", "OPT-2"],
    title: "macvlan network without a parent interface",
    explanation: "A macvlan network joins the physical network through its parent interface \
(`-o parent=eth0`, LNX-4). Without one Docker creates a dummy parent: the containers can \
talk to each other but not to anything on the physical network.",
    help: "set `options: {parent: eth0}` to the NIC on the segment the containers should appear on",
};

pub const MACVLAN_HOST: Rule = Rule {
    code: "DKR005",
    severity: Info,
    facts: &["EXT-12", "LNX-4"],
    title: "macvlan containers cannot reach their own Docker host",
    explanation: "The kernel's macvlan driver does not pass traffic between a macvlan \
interface and its parent, so a container cannot reach its own Docker host through the \
parent interface, while other hosts on the segment reach it directly (EXT-12).",
    help: "if the container must reach its host, add a macvlan interface on the host (`ip link add mac0 link eth0 type macvlan mode bridge`) with a route, or also attach the container to a bridge network and reach the host at that bridge's gateway address (its LAN address stays on the macvlan's connected route)",
};

pub const ALIAS_ON_DEFAULT_BRIDGE: Rule = Rule {
    code: "DKR006",
    severity: Error,
    facts: &["EXT-10", "LNX-1"],
    title: "network alias on the default bridge",
    explanation: "The default bridge has no embedded DNS (EXT-10); Docker refuses aliases there \
(\"network-scoped alias is supported only for containers in user defined networks\"). \
User-defined bridges resolve names and aliases (LNX-1).",
    help:
        "create a user-defined bridge (`docker network create app`) and attach the containers to it",
};

pub const DEFAULT_BRIDGE_NAMES: Rule = Rule {
    code: "DKR007",
    severity: Info,
    facts: &["EXT-10", "LNX-1"],
    title: "containers share the default bridge, where names do not resolve",
    explanation: "Containers on the default bridge reach each other by IP only; container name \
resolution needs a user-defined bridge (EXT-10), which the Docker docs recommend for \
containers that talk on one host (LNX-1).",
    help: "create a user-defined bridge and attach the containers to it",
};

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
                    &format!("{}.aliases", a.path()),
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
