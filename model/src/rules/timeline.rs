//! What timeline steps caused: refused hot attaches, NAT networks lost on reboot, daemon
//! configuration changes, out-of-band vSwitches, removals (OPT-7, OPT-8, NAT-3, NAT-13,
//! TRANS-7).

use super::{finding, Rule};
use crate::finding::Finding;
use crate::finding::Severity::{Error, Info, Warning};
use crate::parse::Document;
use crate::timeline::StepEvent;

pub const HOT_ATTACH: Rule = Rule {
    code: "HNS070",
    severity: Error,
    facts: &["OPT-7"],
    title: "network attach or static IP on a running Windows container",
    explanation: "Windows cannot hot-add (or remove) a network adapter: a static IP and a \
network attachment are set when the container is created, or while it is stopped (OPT-7). \
`docker network connect` on a running Windows container fails.",
    help: "stop the container first (`- stop: NAME`), connect it, then start it",
};

pub const LOST_ON_REBOOT: Rule = Rule {
    code: "HNS071",
    severity: Warning,
    facts: &["NAT-13"],
    title: "a NAT network is gone after the host rebooted",
    explanation: "HNS on Windows Server 2019 and later does not persist NAT networks across a \
host reboot (NAT-13). Docker recreates only its default `nat` network; user-defined NAT \
networks and the containers' attachments to them are gone.",
    help: "recreate the network after each boot (scheduled task / startup script) before starting its containers, or use the default `nat` network",
};

pub const DAEMON_CONFIG: Rule = Rule {
    code: "HNS072",
    severity: Error,
    facts: &["NAT-3", "NAT-1"],
    title: "daemon.json network settings changed while NAT networks exist",
    explanation: "`fixed-cidr` sets the default nat network's prefix and `\"bridge\": \"none\"` \
suppresses the default network (NAT-3, NAT-1). Changing either only takes effect after \
stopping Docker and removing the existing NAT networks (and their NetNat instances); \
otherwise Docker keeps using, or fails to reconcile with, the old network.",
    help: "stop docker, remove the NAT networks (`Get-ContainerNetwork | Remove-ContainerNetwork`, `Get-NetNat | Remove-NetNat`), then change daemon.json and start docker",
};

pub const VSWITCH_OUT_OF_BAND: Rule = Rule {
    code: "HNS073",
    severity: Warning,
    facts: &["TRANS-7"],
    title: "vSwitch created out of band while Docker runs",
    explanation: "A vSwitch created with Hyper-V Manager or PowerShell while Docker runs is \
invisible to Docker until hns and docker restart (TRANS-7); creating a network on the same \
NIC meanwhile fails because the NIC is already bound.",
    help: "restart hns and docker (`- restart-hns: HOST`, `- restart-docker: HOST`) after creating the vSwitch, or bind Docker's networks to another NIC",
};

pub const VSWITCH_VISIBLE: Rule = Rule {
    code: "HNS074",
    severity: Info,
    facts: &["TRANS-7"],
    title: "out-of-band vSwitches are now visible to Docker",
    explanation: "Restarting hns and docker, or rebooting, makes Docker see vSwitches that were \
created out of band (TRANS-7).",
    help: "nothing to do; networks can now use those vSwitches' NICs",
};

pub const NETWORK_REMOVED: Rule = Rule {
    code: "HNS075",
    severity: Info,
    facts: &["OPT-8"],
    title: "docker network rm also removes the vSwitch and NetNat",
    explanation: "`docker network rm` on Windows removes the HNS network, the vSwitch it \
created and any WinNAT (NetNat) instance it created (OPT-8). For an external vSwitch the \
host NIC is briefly rebound, which interrupts the host's own connectivity on it.",
    help: "expect a short loss of host connectivity on that NIC; recreate the network before starting its containers again",
};

pub const CANNOT_START: Rule = Rule {
    code: "SCN050",
    severity: Warning,
    facts: &["NAT-13", "OPT-8"],
    title: "a container cannot start because its network is gone",
    explanation: "A container whose network was removed (OPT-8) or lost on reboot (NAT-13) \
does not start again: Docker fails with \"network ... not found\".",
    help: "recreate the network, or disconnect the container from it and connect it to an existing one",
};

pub const REMOVE_IN_USE: Rule = Rule {
    code: "SCN051",
    severity: Error,
    facts: &["OPT-8"],
    title: "network removal refused: running containers use it",
    explanation: "`docker network rm` refuses a network that still has active endpoints \
(\"network has active endpoints\"); nothing is removed (OPT-8).",
    help: "stop or disconnect the containers first",
};

pub const UNKNOWN_IN_STEP: Rule = Rule {
    code: "SCN052",
    severity: Error,
    facts: &["OPT-7"],
    title: "a step names something that does not exist at that point",
    explanation: "Each step acts on the state left by the previous ones; naming a container, \
network, host or attachment that does not exist then is what Docker answers with \"No such \
container\" / \"network not found\".",
    help: "check the name and the order of the steps",
};

fn list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn check(doc: &Document, step: usize, events: &[StepEvent]) -> Vec<Finding> {
    let path = format!("steps[{step}]");
    let mut out = Vec::new();
    for ev in events {
        let (rule, message): (&Rule, String) = match ev {
            StepEvent::HotAttachRefused { container, network } => (
                &HOT_ATTACH,
                format!("container `{container}` is running: Windows cannot attach it to (or detach it from) network `{network}`"),
            ),
            StepEvent::NetworkLostOnReboot { host, network } => (
                &LOST_ON_REBOOT,
                format!("NAT network `{network}` on host `{host}` does not survive the reboot"),
            ),
            StepEvent::ContainerStoppedNetworkGone { container, network } => (
                &CANNOT_START,
                format!("container `{container}` cannot start: network `{network}` no longer exists"),
            ),
            StepEvent::RemoveNetworkInUse { network, containers } => (
                &REMOVE_IN_USE,
                format!("network `{network}` is still used by {}", list(containers)),
            ),
            StepEvent::NetworkRemoved { host, network, driver } => {
                if !driver.is_windows_driver() {
                    continue;
                }
                let on = host.as_deref().map(|h| format!(" on host `{h}`")).unwrap_or_default();
                (
                    &NETWORK_REMOVED,
                    format!("removing {driver} network `{network}`{on} also removes its vSwitch and NetNat instance"),
                )
            }
            StepEvent::DaemonConfigWithNatNetworks { host, networks } => (
                &DAEMON_CONFIG,
                format!(
                    "daemon.json of host `{host}` changes while NAT networks {} exist",
                    list(networks)
                ),
            ),
            StepEvent::VswitchCreatedOutOfBand { host, vswitch } => (
                &VSWITCH_OUT_OF_BAND,
                format!("vSwitch `{vswitch}` created on host `{host}` while Docker runs stays invisible to Docker"),
            ),
            StepEvent::VswitchesNowVisible { host, vswitches } => (
                &VSWITCH_VISIBLE,
                format!("Docker on host `{host}` now sees vSwitch(es) {}", list(vswitches)),
            ),
            StepEvent::UnknownReference { what, name } => (
                &UNKNOWN_IN_STEP,
                format!("step {} names {what} `{name}`, which does not exist at that point", step + 1),
            ),
            StepEvent::DuplicateName { what, name } => (
                &super::references::DUPLICATE,
                format!("step {} creates {what} `{name}`, but the name is already taken", step + 1),
            ),
        };
        let mut f = finding(rule, doc, &path, message);
        f.step = Some(step);
        out.push(f);
    }
    out
}
