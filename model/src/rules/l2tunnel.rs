//! l2tunnel driver: only for Microsoft's cloud stack (L2T-1, SDN-1).

use super::Checker;
use crate::driver::Driver;

rules! {
    OUTSIDE_CLOUD: "HNS040",
}

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
