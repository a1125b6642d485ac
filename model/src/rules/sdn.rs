//! Attaching container endpoints to an SDN tenant virtual network (003: SDN-1..3).

use super::Checker;
use crate::design::IpSource;

rules! {
    PREREQUISITES: "HNS045",
    PUBLIC_CLOUD: "HNS046",
    IP_CONFIGS_EXHAUSTED: "HNS047",
}

pub(super) fn check(checker: &mut Checker) {
    for host in checker.hosts() {
        let Some(sdn) = &host.sdn else {
            continue;
        };
        let path = host.origin.at("sdn");
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
