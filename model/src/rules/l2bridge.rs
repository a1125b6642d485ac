//! l2bridge driver: subnets, address assignment in and out of SDN, OS support
//! (L2B-1..5, SDN-1, IPAM-1).

use super::Checker;
use crate::design::IpSource;
use crate::driver::Driver;

rules! {
    NO_SUBNET: "HNS030",
    DYNAMIC_OUTSIDE_SDN: "HNS031",
    STATIC_IN_SDN: "HNS032",
    CUSTOM_SUBNET: "HNS033",
    OLD_OS: "HNS034",
    SDN_POLICIES_BYPASSED: "HNS035",
}

pub(super) fn check(checker: &mut Checker) {
    for (ni, net, host) in checker.on_windows(Driver::L2bridge) {
        // An OS without l2bridge, or no subnet to address endpoints from: the network
        // does not work at all, so none of its flows is what the rules say.
        if !host.os.supports_l2bridge() {
            checker.emit_on(
                &OLD_OS,
                &net.origin.path,
                format!(
                    "l2bridge network `{}` on host `{}`, which runs {}",
                    net.name, host.name, host.os
                ),
                checker.refused_network(net),
            );
        }
        match net.subnet.0.first() {
            None => checker.emit_on(
                &NO_SUBNET,
                &net.origin.path,
                format!(
                    "l2bridge network `{}` on host `{}` has no subnet",
                    net.name, host.name
                ),
                checker.refused_network(net),
            ),
            Some(subnet) => {
                if net.gateway.is_none() {
                    checker.emit(
                        &NO_SUBNET,
                        &net.origin.path,
                        format!(
                            "l2bridge network `{}` ({subnet}) on host `{}` has no gateway",
                            net.name, host.name
                        ),
                    );
                }
                let on_host_subnet = host.nics.iter().any(|n| subnet.contains(&n.ip.addr()));
                if !on_host_subnet && host.sdn.is_none() && !host.kubernetes {
                    checker.emit(
                        &CUSTOM_SUBNET,
                        &net.origin.at("subnet"),
                        format!(
                            "l2bridge network `{}` uses {subnet}, which is not the subnet of any NIC of host `{}`",
                            net.name, host.name
                        ),
                    );
                }
            }
        }
        if host.sdn.is_some() {
            let local = checker
                .endpoints_on(ni)
                .filter(|e| e.host.map(|h| &checker.hosts()[h].name) == Some(&host.name))
                .count();
            if local > 1 {
                checker.emit(
                    &SDN_POLICIES_BYPASSED,
                    &net.origin.path,
                    format!(
                        "{local} endpoints of l2bridge network `{}` on host `{}` talk without passing the network controller's policies",
                        net.name, host.name
                    ),
                );
            }
        }
    }
    for a in checker.attached() {
        if a.network.driver != Driver::L2bridge || !a.host.is_windows() {
            continue;
        }
        match (&a.host.sdn, &a.ep.ip_source) {
            (None, IpSource::HnsDynamic) => checker.emit(
                &DYNAMIC_OUTSIDE_SDN,
                &a.path(),
                format!(
                    "container `{}` on l2bridge network `{}` (host `{}`, no SDN) has no static ip; HNS picks {}",
                    a.container.name,
                    a.network.name,
                    a.host.name,
                    a.ep.ip.map(|i| i.to_string()).unwrap_or_else(|| "nothing".into())
                ),
            ),
            (Some(_), IpSource::Static) => checker.emit(
                &STATIC_IN_SDN,
                &a.at("ip"),
                format!(
                    "container `{}` on l2bridge network `{}` (host `{}`, SDN) has static ip {}",
                    a.container.name,
                    a.network.name,
                    a.host.name,
                    a.ep.ip.map(|i| i.to_string()).unwrap_or_default()
                ),
            ),
            _ => {}
        }
    }
}
