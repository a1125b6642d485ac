//! l2tunnel driver: only for Microsoft's cloud stack (L2T-1, SDN-1).

use super::{Checker, Rule};
use crate::driver::Driver;
use crate::finding::Severity::Error;

pub const OUTSIDE_CLOUD: Rule = Rule {
    code: "HNS040",
    severity: Error,
    facts: &["L2T-1", "SDN-1", "IPAM-1"],
    title: "l2tunnel network outside Microsoft's cloud stack",
    explanation: "l2tunnel is meant for Microsoft's cloud stack (Azure / Azure Stack) only \
(L2T-1): every packet between two endpoints, on the same host or not, is sent to the \
physical Hyper-V host, where the network controller's policies apply (SDN-1), and outbound \
traffic must pass the virtual network gateway. Its addresses come from the cloud plug-in \
(IPAM-1). On a host without that fabric nothing forwards or addresses the traffic.",
    help: "use l2bridge (or transparent) on your own hosts; use l2tunnel only on a tenant VM attached to the cloud SDN (`sdn: {azure: true, ...}`)",
};

pub(super) fn check(checker: &mut Checker) {
    for (_, net, host) in checker.on_windows(Driver::L2tunnel) {
        let in_cloud = host.sdn.as_ref().is_some_and(|s| s.azure);
        if !in_cloud {
            checker.emit(
                &OUTSIDE_CLOUD,
                &net.origin.path,
                format!(
                    "l2tunnel network `{}` on host `{}`, which is not a tenant VM of Microsoft's cloud SDN",
                    net.name, host.name
                ),
            );
        }
    }
}
