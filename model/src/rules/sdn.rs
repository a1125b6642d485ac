//! Attaching container endpoints to an SDN tenant virtual network (003: SDN-1..3).

use super::{Checker, Rule};
use crate::design::IpSource;
use crate::finding::Severity::Error;

pub const PREREQUISITES: Rule = Rule {
    code: "HNS045",
    severity: Error,
    facts: &["SDN-3", "SDN-2"],
    title: "SDN tenant attachment without its prerequisites",
    explanation: "Attaching container endpoints to an SDN tenant virtual network needs: a \
network controller, a tenant virtual network, the Hyper-V feature in the tenant VM, multiple \
IP configurations on the VM NIC (not supported for VM NICs created through SCVMM), the \
network proxy on the Hyper-V host and the private cloud plug-in in the VM (SDN-3). The \
endpoints' addresses are the VM's extra IP configurations, handed out by the proxy and the \
plug-in (SDN-2); each missing piece leaves them without address or policy.",
    help: "set up what is missing under the host's `sdn:` (network-controller, tenant-vnet, hyperv-feature, ip-configs, network-proxy, plugin)",
};

pub const PUBLIC_CLOUD: Rule = Rule {
    code: "HNS046",
    severity: Error,
    facts: &["SDN-3"],
    title: "SDN tenant attachment in the Azure public cloud",
    explanation: "Attaching container endpoints to an SDN tenant virtual network is a \
Microsoft SDN (Windows Server / Azure Stack HCI) feature; it is not available in the Azure \
public cloud (SDN-3).",
    help: "on Azure public cloud use Azure CNI / the Azure VNet plug-in, or nat/overlay networks",
};

pub const IP_CONFIGS_EXHAUSTED: Rule = Rule {
    code: "HNS047",
    severity: Error,
    facts: &["SDN-2"],
    title: "more SDN endpoints than the VM has extra IP configurations",
    explanation: "In SDN, each container endpoint takes one of the tenant VM's extra IP \
configurations (e.g. 192.168.1.101-110 on a VM at 192.168.1.9), handed out by the private \
cloud plug-in (SDN-2). When they are all in use, the next endpoint gets no address.",
    help: "add IP configurations to the VM NIC (and to `sdn.ip-configs`), or run fewer containers on this VM",
};

pub(super) fn check(checker: &mut Checker) {
    for host in checker.hosts() {
        let Some(sdn) = &host.sdn else {
            continue;
        };
        let path = format!("{}.sdn", host.origin.path);
        let mut missing = Vec::new();
        if !sdn.network_controller {
            missing.push("network controller");
        }
        if sdn.tenant_vnet.is_none() {
            missing.push("tenant virtual network");
        }
        if !sdn.hyperv_feature {
            missing.push("Hyper-V feature in the VM");
        }
        if sdn.ip_configs.is_empty() {
            missing.push("extra IP configurations");
        }
        if !sdn.network_proxy {
            missing.push("network proxy on the Hyper-V host");
        }
        if !sdn.plugin {
            missing.push("private cloud plug-in in the VM");
        }
        if sdn.scvmm_nic {
            missing.push("a VM NIC not created through SCVMM (SCVMM NICs cannot have several IP configurations)");
        }
        if !missing.is_empty() {
            checker.emit(
                &PREREQUISITES,
                &path,
                format!(
                    "host `{}` is attached to SDN but lacks: {}",
                    host.name,
                    missing.join(", ")
                ),
            );
        }
        if sdn.public_cloud {
            checker.emit(
                &PUBLIC_CLOUD,
                &format!("{path}.public-cloud"),
                format!(
                    "host `{}` is an Azure public cloud VM: SDN tenant attachment is not available",
                    host.name
                ),
            );
        }
    }
    for a in checker.attached() {
        if matches!(&a.ep.ip_source, IpSource::Unassigned(r) if r.contains("SDN-2")) {
            let n = a.host.sdn.as_ref().map_or(0, |s| s.ip_configs.len());
            checker.emit(
                &IP_CONFIGS_EXHAUSTED,
                &a.path(),
                format!(
                    "container `{}` on network `{}` gets no address: all {n} IP configurations of host `{}` are in use",
                    a.container.name, a.network.name, a.host.name
                ),
            );
        }
    }
}
