//! What timeline steps caused: refused hot attaches, NAT networks lost on reboot, daemon
//! configuration changes, out-of-band vSwitches, removals (OPT-7, OPT-8, NAT-3, NAT-13,
//! TRANS-7).

use super::{finding, Rule};
use crate::finding::Finding;
use crate::parse::Document;
use crate::timeline::StepEvent;

rules! {
    HOT_ATTACH: "HNS070",
    LOST_ON_REBOOT: "HNS071",
    DAEMON_CONFIG: "HNS072",
    VSWITCH_OUT_OF_BAND: "HNS073",
    VSWITCH_VISIBLE: "HNS074",
    NETWORK_REMOVED: "HNS075",
    CANNOT_START: "SCN050",
    REMOVE_IN_USE: "SCN051",
    UNKNOWN_IN_STEP: "SCN052",
}

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
