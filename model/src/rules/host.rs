//! The container host itself: isolation, nested virtualization and the host firewall
//! (ARCH-2..5, EXT-5).

use super::{Checker, Rule};
use crate::finding::Severity::{Error, Info, Warning};
use crate::scenario::{Isolation, Machine};

pub const UNTRUSTED_PROCESS: Rule = Rule {
    code: "HNS080",
    severity: Warning,
    facts: &["ARCH-4", "ARCH-2"],
    title: "untrusted workload in a process-isolated container",
    explanation: "Process-isolated Windows Server containers share the host's kernel. Their \
network compartments separate them on the network (ARCH-2), but they are not a security \
boundary against hostile code (ARCH-4). Hyper-V isolation gives each container its own \
kernel in a utility VM.",
    help: "run untrusted workloads with `isolation: hyperv` (`docker run --isolation=hyperv`)",
};

pub const HYPERV_ISOLATION: Rule = Rule {
    code: "HNS081",
    severity: Info,
    facts: &["ARCH-3", "ARCH-5", "EXT-13"],
    title: "Hyper-V isolated container: synthetic VM NIC, and nested virtualization in a VM",
    explanation: "A Hyper-V container attaches through a synthetic VM NIC that is not exposed \
to the utility VM, whereas a process-isolated container uses a host vNIC (ARCH-3); the \
network behaviour is the same, but host-side tools see a VM adapter. When the container host \
is itself a VM (ARCH-5), Hyper-V isolation needs nested virtualization exposed to it; \
GitHub-hosted Windows runners have none and run process isolation only (EXT-13).",
    help: "on a VM host enable nested virtualization (`Set-VMProcessor -ExposeVirtualizationExtensions $true`), or use process isolation",
};

pub const INBOUND_ICMP: Rule = Rule {
    code: "HNS082",
    severity: Info,
    facts: &["EXT-5"],
    title: "the Windows host firewall blocks inbound ICMP",
    explanation: "Windows answers ping only when an inbound ICMPv4 echo rule allows it; host to \
container ping through WinNAT therefore needs that firewall rule (the windows-container-networking \
CI adds it, EXT-5). Without it ICMP probes to the host, and from the host to its NAT containers, \
fail while TCP and UDP work. Containers on the external vSwitch drivers (transparent, l2bridge) \
are reached through the host's NIC like any LAN machine.",
    help: "allow it with `New-NetFirewallRule -Protocol ICMPv4 -IcmpType 8 -Direction Inbound -Action Allow` and set `firewall: {inbound-icmp: true}`, or probe with TCP",
};

pub const HYPERV_ON_LINUX: Rule = Rule {
    code: "SCN060",
    severity: Error,
    facts: &["ARCH-3", "ARCH-2"],
    title: "Hyper-V isolation on a Linux host",
    explanation: "`--isolation=hyperv` is a Windows container feature (ARCH-3); Docker on Linux \
rejects it.",
    help: "remove `isolation: hyperv`, or run the container on a Windows host",
};

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
                &format!("{}.firewall", host.origin.path),
                format!(
                    "host `{}` blocks inbound ICMPv4: pings to the host fail, and so do pings from the host to its containers on NAT networks",
                    host.name
                ),
            );
        }
    }
}
