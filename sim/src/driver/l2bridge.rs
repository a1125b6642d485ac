//! l2bridge (L2B-1..5, SDN-1/2): like transparent, but endpoints share the host's MAC
//! (layer-2 address translation on ingress and egress, L2B-1).
//!
//! - same host, same subnet: bridged in the vSwitch (L2B-3); under SDN the traffic never
//!   reaches the physical host, so network-controller policies do not apply (SDN-1);
//! - same host, cross subnet: MAC rewritten and routed (L2B-3); under SDN it goes to the
//!   physical host and policies apply;
//! - other hosts, same subnet: directly by container IP (MAT-2);
//! - other hosts, cross subnet: routed via the management vNIC from Windows Server
//!   1809 on; not routed before (L2B-3);
//! - a custom subnet (L2B-2) is routed by the host endpoint acting as its gateway; the
//!   routes for the prefix are assumed configured (the validator warns about them).

use super::transparent::{on_segment_entry, on_segment_exit};
use super::*;
use ipnet::IpNet;

pub struct L2bridge;

/// The network subnet containing the endpoint's IP (class-level, see classes.rs).
pub fn subnet_of(cx: &Cx, ep: &Ep) -> Option<IpNet> {
    let ip = ep.ip?;
    let net = &cx.d().scenario.networks[ep.net?];
    net.subnet.0.iter().copied().find(|s| s.contains(&ip))
}

fn sdn(cx: &Cx, ep: &Ep) -> bool {
    ep.host.is_some_and(|h| cx.host(h).sdn.is_some())
}

fn policy_hop(cx: &Cx, ep: &Ep) -> Hop {
    hop(
        format!("physical Hyper-V host of {}", host_label(cx, ep)),
        Mechanism::SdnPolicy,
        "forwarded to the physical Hyper-V host: network controller policies (ACLs, QoS) apply",
        &["SDN-1"],
    )
}

fn rewrite_out(cx: &Cx, ep: &Ep) -> Hop {
    hop(
        format!("{}/vSwitch {}", host_label(cx, ep), cx.net_name(ep)),
        Mechanism::MacRewrite,
        "source MAC rewritten to the host's MAC",
        &["L2B-1"],
    )
}

fn rewrite_in(cx: &Cx, ep: &Ep) -> Hop {
    hop(
        format!("{}/vSwitch {}", host_label(cx, ep), cx.net_name(ep)),
        Mechanism::MacRewrite,
        "destination MAC rewritten from the host's MAC to the container's",
        &["L2B-1"],
    )
}

/// L2B-2: the network's subnet is not the segment's: the host endpoint routes it.
fn custom_subnet(cx: &Cx, ep: &Ep) -> bool {
    let (Some(sub), Some((seg, ..))) = (subnet_of(cx, ep), cx.ep_segment(ep)) else {
        return false;
    };
    let seg_net = cx.d().scenario.segments[seg].subnet;
    !(seg_net.contains(&sub.network()) && seg_net.prefix_len() <= sub.prefix_len())
}

/// L2B-5: l2bridge exists from WS2016 / Windows 10 Creators Update on.
fn too_old(cx: &Cx, ep: &Ep) -> Option<Deny> {
    let host = cx.host(ep.host?);
    (!host.os.supports_l2bridge()).then(|| {
        Deny::new(
            DenyReason::Unsupported,
            format!("{}/vSwitch {}", host.name, cx.net_name(ep)),
            format!(
                "{} has no l2bridge driver (needs WS2016 or Windows 10 Creators Update)",
                host.os
            ),
            &["L2B-5"],
        )
    })
}

impl DriverRules for L2bridge {
    fn same_network(&self, cx: &Cx, a: &Ep, b: &Ep, probe: Probe) -> Answer {
        if let Some(d) = too_old(cx, a) {
            return denied_at_src(cx, a, Some(container_addr(probe)), d);
        }
        let at = crate::fabric::vswitch_at(cx, a);
        if subnet_of(cx, a) == subnet_of(cx, b) {
            let mut hops = vec![
                src_vnic(cx, a),
                hop(
                    at,
                    Mechanism::VswitchBridge,
                    if sdn(cx, a) {
                        "bridged in the VM's vSwitch (same host, same subnet): never reaches the physical host, so SDN policies do not apply"
                    } else {
                        "bridged in the vSwitch (same subnet)"
                    },
                    if sdn(cx, a) {
                        &["L2B-3", "SDN-1", "MAT-1"]
                    } else {
                        &["L2B-3", "MAT-1"]
                    },
                ),
            ];
            hops.shrink_to_fit();
            return finish(cx, b, probe, container_addr(probe), hops);
        }
        let mut hops = vec![
            src_vnic(cx, a),
            rewrite_out(cx, a),
            hop(
                at,
                Mechanism::Routed,
                "routed between the network's subnets (cross subnet)",
                &["L2B-3", "MAT-3"],
            ),
        ];
        if sdn(cx, a) {
            hops.push(policy_hop(cx, a));
        }
        hops.push(rewrite_in(cx, b));
        finish(cx, b, probe, container_addr(probe), hops)
    }

    fn exits(&self, cx: &Cx, src: &Ep, dst: Who, _probe: Probe) -> Vec<Exit> {
        let mut pre = vec![src_vnic(cx, src), rewrite_out(cx, src)];
        if custom_subnet(cx, src) {
            pre.push(hop(
                format!("{} host endpoint", host_label(cx, src)),
                Mechanism::ManagementVnic,
                "routed by the host endpoint that is the custom subnet's gateway",
                &["L2B-2"],
            ));
        }
        let Some(mut e) = on_segment_exit(cx, src, pre, &["L2B-1"]) else {
            return vec![];
        };
        // Multi-node, cross subnet (L2B-3).
        if let (Who::Ep(k), Some(h)) = (dst, src.host) {
            let d = &cx.n.eps[k];
            if d.driver == Driver::L2bridge
                && d.host != src.host
                && subnet_of(cx, d) != subnet_of(cx, src)
            {
                if cx.host(h).os.l2bridge_routes_cross_subnet_between_nodes() {
                    e.hops.push(hop(
                        format!("{} management vNIC", cx.host_name(h)),
                        Mechanism::ManagementVnic,
                        "cross-subnet traffic to another node routed via the management vNIC (Windows Server 1809+)",
                        &["L2B-3", "MAT-3"],
                    ));
                } else {
                    e.block = Some(Deny::new(
                        DenyReason::Unsupported,
                        format!("{}/vSwitch {}", cx.host_name(h), cx.net_name(src)),
                        format!(
                            "{} routes multi-node cross-subnet l2bridge traffic only from Windows Server 1809 on",
                            cx.host(h).os
                        ),
                        &["L2B-3"],
                    ));
                }
            }
        }
        if sdn(cx, src) {
            e.offhost_hops.push(policy_hop(cx, src));
        }
        if let Some(d) = too_old(cx, src) {
            e.block = Some(d);
        }
        vec![e]
    }

    fn entries(&self, cx: &Cx, dst: &Ep, probe: Probe) -> Vec<Entry> {
        let mut pre = vec![];
        if custom_subnet(cx, dst) {
            pre.push(hop(
                format!("{} host endpoint", host_label(cx, dst)),
                Mechanism::ManagementVnic,
                "routed by the host endpoint that is the custom subnet's gateway",
                &["L2B-2"],
            ));
        }
        pre.push(rewrite_in(cx, dst));
        let Some(mut e) = on_segment_entry(cx, dst, probe, pre, &["L2B-1"]) else {
            return vec![];
        };
        if sdn(cx, dst) {
            e.offhost_hops.push(policy_hop(cx, dst));
        }
        if let Some(d) = too_old(cx, dst) {
            e.block = Some(d);
        }
        vec![e]
    }
}
