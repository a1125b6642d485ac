//! The container host itself: isolation, nested virtualization and the host firewall
//! (ARCH-2..5, EXT-5).

use super::Checker;
use crate::scenario::{Isolation, Machine};

rules! {
    UNTRUSTED_PROCESS: "HNS080",
    HYPERV_ISOLATION: "HNS081",
    INBOUND_ICMP: "HNS082",
    HYPERV_ON_LINUX: "SCN060",
}

pub(super) fn check(checker: &mut Checker) {
    for (ci, c) in checker.containers().iter().enumerate() {
        let Some(host) = checker.container_host(ci) else {
            continue;
        };
        // Replicas point at their service; one finding per service is enough.
        let path = &c.origin.path;
        if !host.is_windows() {
            if c.isolation == Isolation::Hyperv {
                checker.emit(
                    &HYPERV_ON_LINUX,
                    &format!("{path}.isolation"),
                    format!(
                        "container `{}` asks for Hyper-V isolation on Linux host `{}`",
                        c.name, host.name
                    ),
                );
            }
            continue;
        }
        match c.isolation {
            Isolation::Process if c.untrusted => checker.emit(
                &UNTRUSTED_PROCESS,
                &format!("{path}.untrusted"),
                format!(
                    "untrusted container `{}` runs process-isolated on host `{}`, sharing its kernel",
                    c.name, host.name
                ),
            ),
            Isolation::Hyperv => {
                let nested = match host.machine {
                    Machine::Physical => String::new(),
                    _ => format!("; host `{}` is a VM, so it needs nested virtualization", host.name),
                };
                checker.emit(
                    &HYPERV_ISOLATION,
                    &format!("{path}.isolation"),
                    format!("container `{}` is Hyper-V isolated and attaches via a synthetic VM NIC{nested}", c.name),
                );
            }
            _ => {}
        }
    }
    for host in checker.hosts() {
        let has_containers = checker.containers().iter().any(|c| c.host == host.name);
        if host.is_windows() && has_containers && !host.allows_inbound_icmp() {
            checker.emit(
                &INBOUND_ICMP,
                &host.origin.at("firewall"),
                format!(
                    "host `{}` blocks inbound ICMPv4: pings to the host fail, and so do pings from the host to its containers on NAT networks",
                    host.name
                ),
            );
        }
    }
}
