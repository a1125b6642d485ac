//! Commands that change the host rather than Docker's objects: swarm membership,
//! PowerShell's MAC spoofing and out-of-band vSwitches (TRANS-4, TRANS-7), the SDN
//! scripts (SDN-3), and restarting hns or docker (a timeline step).

use super::{TargetHost, Translator};
use crate::finding::Location;
use crate::import::docker_cli::Args;
use crate::scenario::*;

impl Translator {
    pub(super) fn swarm_role(&mut self, h: &TargetHost, a: &Args, role: SwarmRole, src: &Location) {
        self.notes(a, src);
        self.host(h).swarm = role;
    }

    pub(super) fn mac_spoofing(&mut self, h: &TargetHost, on: bool, src: &Location) {
        let host = self.host(h);
        host.mac_spoofing = on;
        let promoted = on && host.machine == Machine::Physical;
        if promoted {
            host.machine = Machine::HypervVm;
        }
        let msg = if promoted {
            format!("MAC address spoofing turned on for host `{}`; the host is therefore a Hyper-V VM (machine: hyperv-vm)", h.name)
        } else {
            format!("MAC address spoofing set to {on} for host `{}`", h.name)
        };
        self.emit("IMP018", src, msg);
    }

    /// A script of the SDN setup (SDN-3) ran for this host: the private cloud plug-in in
    /// it, or the network proxy on its Hyper-V host.
    pub(super) fn sdn_setup(&mut self, h: &TargetHost, plugin: bool, src: &Location) {
        let sdn = self.host(h).sdn.get_or_insert_with(SdnAttachment::default);
        let what = if plugin {
            sdn.plugin = true;
            "the private cloud plug-in is installed in"
        } else {
            sdn.network_proxy = true;
            "the network proxy on the Hyper-V host serves"
        };
        let msg = format!("{what} host `{}` (SDN-3)", h.name);
        self.emit("IMP018", src, msg);
    }

    pub(super) fn restart_service(&mut self, h: &TargetHost, svc: &str, src: &Location) {
        self.enter_timeline(h);
        let step = if svc == "hns" {
            Step::RestartHns(h.name.clone())
        } else {
            Step::RestartDocker(h.name.clone())
        };
        let n = self.push_step(step);
        self.emit(
            "IMP010",
            src,
            if h.windows {
                format!("`Restart-Service {svc}` recorded as timeline step {n} (TRANS-7: restarting makes out-of-band vSwitches visible to Docker)")
            } else {
                format!("restarting {svc} recorded as timeline step {n}")
            },
        );
    }

    /// `Restart-Computer` (or `shutdown /r`, `reboot`): a timeline step, after which the
    /// NAT networks of WS2019+ are gone (NAT-13).
    pub(super) fn reboot(&mut self, h: &TargetHost, src: &Location) {
        self.enter_timeline(h);
        let n = self.push_step(Step::Reboot(h.name.clone()));
        self.emit(
            "IMP010",
            src,
            format!(
                "the reboot of host `{}` is recorded as timeline step {n} (NAT-13)",
                h.name
            ),
        );
    }

    pub(super) fn new_vswitch(
        &mut self,
        h: &TargetHost,
        name: Option<String>,
        kind: Option<String>,
        nic: Option<String>,
        src: &Location,
    ) {
        let Some(name) = name else {
            self.emit("IMP008", src, "New-VMSwitch needs -Name");
            return;
        };
        let kind = match kind.as_deref().map(str::to_ascii_lowercase).as_deref() {
            Some("internal") => VSwitchKind::Internal,
            Some("private") => VSwitchKind::Private,
            _ => VSwitchKind::External,
        };
        let v = VSwitch {
            name: name.clone(),
            host: h.name.clone(),
            kind,
            nic,
            visible_to_docker: false,
            origin: Origin {
                path: src.path.clone(),
                implicit: false,
            },
        };
        self.emit(
            "IMP018",
            src,
            format!("vSwitch `{name}` created out of band while Docker runs: Docker does not see it until hns and docker restart (TRANS-7)"),
        );
        if self.in_timeline(h) {
            self.push_step(Step::CreateVswitch(v));
        } else {
            self.scenario.vswitches.push(v);
        }
    }
}
