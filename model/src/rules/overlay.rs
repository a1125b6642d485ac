//! overlay driver: swarm, VXLAN identifiers, update prerequisites and outbound
//! connectivity (OVL-1..5, EXT-4, LNX-3).

use super::{has_update, Checker, Rule};
use crate::driver::Driver;
use crate::finding::Severity::{Error, Info, Warning};
use crate::os::OsVersion;
use crate::scenario::{Host, SwarmRole};

pub const NO_SWARM_MANAGER: Rule = Rule {
    code: "HNS020",
    severity: Error,
    facts: &["OVL-1", "OVL-5"],
    title: "overlay network without a swarm manager",
    explanation: "On Windows, overlay networks need Docker in swarm mode, and the network is \
created on a manager node (`docker network create --driver=overlay`, OVL-1). Swarm's \
internal key-value store also hands out the overlay's subnet and addresses (OVL-5). Without \
a manager, `docker network create -d overlay` fails with \"This node is not a swarm \
manager\".",
    help: "run `docker swarm init` on one host (`swarm: manager`) and join the others (`swarm: worker`)",
};

pub const LOW_VNI: Rule = Rule {
    code: "HNS021",
    severity: Error,
    facts: &["EXT-4", "EXT-8", "OVL-2"],
    title: "overlay VNI (VSID) below 4096 on Windows",
    explanation: "Windows overlay networks encapsulate in VXLAN in the VFP extension of the \
vSwitch (OVL-2). HNS refuses VXLAN network identifiers (VSIDs) below 4096; the VNI comes \
from swarm or from `-o com.docker.network.windowsshim.vsid` (EXT-4, EXT-8).",
    help: "use a VNI of 4096 or more (swarm allocates from 4096 by default), e.g. `vni: 4096`",
};

pub const MISSING_UPDATE: Rule = Rule {
    code: "HNS022",
    severity: Warning,
    facts: &["OVL-4"],
    title: "overlay host lacks the update overlay networking needs",
    explanation: "Overlay networking on Windows has OS update prerequisites: Windows Server \
2019 needs KB4489899 and Windows Server 2016 needs KB4015217 (OVL-4). Without them overlay \
endpoints fail to get connectivity across hosts.",
    help: "install the update (Windows Update / `wusa`) and list it in the host's `updates:`",
};

pub const NO_OUTBOUND_WS2016: Rule = Rule {
    code: "HNS023",
    severity: Warning,
    facts: &["OVL-3"],
    title: "overlay-only container on Windows Server 2016 has no way out",
    explanation: "On Windows Server 2016, overlay endpoints have no outbound NAT: to reach \
anything outside the overlay a container needs a second endpoint on a NAT network. Windows \
Server 2019 adds VFP NAT rules for outbound traffic (OVL-3).",
    help: "also attach the container to the `nat` network, or run Windows Server 2019 or later",
};

pub const NO_OUTBOUND_ICMP: Rule = Rule {
    code: "HNS024",
    severity: Info,
    facts: &["OVL-3"],
    title: "outbound ICMP does not work from overlay endpoints (VFP NAT)",
    explanation: "From Windows Server 2019 on, overlay endpoints leave the overlay through VFP \
NAT rules, which translate TCP and UDP only. ping and Test-NetConnection without a TCP port \
fail outbound even though TCP/UDP work (OVL-3).",
    help:
        "test outbound connectivity with TCP (`Test-NetConnection -Port 443`, curl) instead of ping",
};

pub const LINUX_NO_SWARM_MANAGER: Rule = Rule {
    code: "DKR020",
    severity: Error,
    facts: &["LNX-3"],
    title: "overlay network without a swarm manager",
    explanation: "The overlay driver joins several Docker daemons (LNX-3); it needs swarm \
mode, and the network is created on a manager. Without a manager, `docker network create \
-d overlay` fails with \"This node is not a swarm manager\".",
    help: "run `docker swarm init` on one host (`swarm: manager`) and join the others (`swarm: worker`)",
};

pub const NOT_A_SWARM_NODE: Rule = Rule {
    code: "SCN030",
    severity: Error,
    facts: &["OVL-1", "LNX-3"],
    title: "a container on a host outside the swarm is attached to an overlay network",
    explanation: "Overlay networks exist only on swarm nodes (OVL-1, LNX-3): a host that has \
not joined the swarm does not see the network, and `docker run --network <overlay>` fails \
with \"network not found\".",
    help:
        "join the host to the swarm (`swarm: worker`), or attach the container to a local network",
};

pub const NOT_ATTACHABLE: Rule = Rule {
    code: "SCN031",
    severity: Error,
    facts: &["LNX-3", "OVL-1"],
    title: "a standalone container is attached to a non-attachable overlay network",
    explanation: "Swarm overlay networks serve swarm services. Standalone containers (docker \
run) may join one only if it was created with `--attachable` (LNX-3); otherwise Docker \
answers \"network is not manually attachable\".",
    help: "create the network with `--attachable` (`attachable: true`), or run the workload as a service",
};

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
                let path = if net.vni.is_some() {
                    format!("{}.vni", net.origin.path)
                } else {
                    format!("{}.options", net.origin.path)
                };
                // HNS refuses the network: none of its flows is what the rules say.
                checker.emit_on(
                    &LOW_VNI,
                    &path,
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
                    format!("{}.updates", h.origin.path)
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
