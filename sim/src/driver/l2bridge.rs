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

use super::hops::{container_addr, denied_at_src, finish, host_label, src_vnic};
use super::on_segment::{on_segment_entry, on_segment_exit, subnet_of};
use super::{DriverRules, Facts};
use crate::answer::{hop, Answer, Denial};
use crate::context::Context;
use crate::fabric::{Entry, Exit};
use crate::matrix::{DenyReason, Hop, Mechanism, Probe};
use crate::nodes::{Endpoint, Party};
use hnsim_model::Driver;

#[derive(Debug)]
pub(super) struct L2bridge;

fn sdn(ctx: &Context, ep: &Endpoint) -> bool {
    ep.host.is_some_and(|h| ctx.host(h).sdn.is_some())
}

fn policy_hop(ctx: &Context, ep: &Endpoint) -> Hop {
    hop(
        format!("physical Hyper-V host of {}", host_label(ctx, ep)),
        Mechanism::SdnPolicy,
        "forwarded to the physical Hyper-V host: network controller policies (ACLs, QoS) apply",
        &["SDN-1"],
    )
}

/// Layer-2 address translation in the host's vSwitch (L2B-1).
fn rewrite(ctx: &Context, ep: &Endpoint, detail: &str) -> Hop {
    hop(
        format!("{}/vSwitch {}", host_label(ctx, ep), ctx.network_name(ep)),
        Mechanism::MacRewrite,
        detail,
        &["L2B-1"],
    )
}

fn rewrite_out(ctx: &Context, ep: &Endpoint) -> Hop {
    rewrite(ctx, ep, "source MAC rewritten to the host's MAC")
}

fn rewrite_in(ctx: &Context, ep: &Endpoint) -> Hop {
    rewrite(
        ctx,
        ep,
        "destination MAC rewritten from the host's MAC to the container's",
    )
}

/// L2B-2: the network's subnet is not the segment's: the host endpoint routes it.
fn custom_subnet(ctx: &Context, ep: &Endpoint) -> bool {
    let (Some(sub), Some(at)) = (subnet_of(ctx, ep), ctx.endpoint_segment(ep)) else {
        return false;
    };
    let seg_net = ctx.design.scenario.segments[at.segment].subnet;
    !(seg_net.contains(&sub.network()) && seg_net.prefix_len() <= sub.prefix_len())
}

/// The hop through the host endpoint that is the gateway of a custom subnet (L2B-2), on
/// the way out of the endpoint's network and on the way in; `None` on the segment's own
/// subnet, where nothing routes.
fn custom_gateway(ctx: &Context, ep: &Endpoint) -> Option<Hop> {
    custom_subnet(ctx, ep).then(|| {
        hop(
            format!("{} host endpoint", host_label(ctx, ep)),
            Mechanism::ManagementVnic,
            "routed by the host endpoint that is the custom subnet's gateway",
            &["L2B-2"],
        )
    })
}

/// L2B-5: l2bridge exists from WS2016 / Windows 10 Creators Update on.
fn too_old(ctx: &Context, ep: &Endpoint) -> Option<Denial> {
    let host = ctx.host(ep.host?);
    (!host.os.supports_l2bridge()).then(|| {
        Denial::new(
            DenyReason::Unsupported,
            format!("{}/vSwitch {}", host.name, ctx.network_name(ep)),
            format!(
                "{} has no l2bridge driver (needs WS2016 or Windows 10 Creators Update)",
                host.os
            ),
            &["L2B-5"],
        )
    })
}

impl DriverRules for L2bridge {
    /// DNS-2: l2bridge names resolve only with Kubernetes DNS, between l2bridge
    /// endpoints on different nodes.
    fn name_resolution(&self, ctx: &Context, src: &Endpoint, dst: &Endpoint) -> Option<Facts> {
        let (sh, dh) = (ctx.host(src.host?), ctx.host(dst.host?));
        let k8s = sh.kubernetes && dh.kubernetes;
        (dh.is_windows() && src.host != dst.host && src.driver == Driver::L2bridge && k8s)
            .then_some(&["DNS-2"])
    }

    fn same_network(&self, ctx: &Context, a: &Endpoint, b: &Endpoint, probe: Probe) -> Answer {
        if let Some(d) = too_old(ctx, a) {
            return denied_at_src(ctx, a, Some(container_addr(probe)), d);
        }
        let at = ctx.vswitch_at(a);
        if subnet_of(ctx, a) == subnet_of(ctx, b) {
            let mut hops = vec![
                src_vnic(ctx, a),
                hop(
                    at,
                    Mechanism::VswitchBridge,
                    if sdn(ctx, a) {
                        "bridged in the VM's vSwitch (same host, same subnet): never reaches the physical host, so SDN policies do not apply"
                    } else {
                        "bridged in the vSwitch (same subnet)"
                    },
                    if sdn(ctx, a) {
                        &["L2B-3", "SDN-1", "MAT-1"]
                    } else {
                        &["L2B-3", "MAT-1"]
                    },
                ),
            ];
            hops.shrink_to_fit();
            return finish(ctx, b, probe, container_addr(probe), hops);
        }
        let mut hops = vec![
            src_vnic(ctx, a),
            rewrite_out(ctx, a),
            hop(
                at,
                Mechanism::Routed,
                "routed between the network's subnets (cross subnet)",
                &["L2B-3", "MAT-3"],
            ),
        ];
        if sdn(ctx, a) {
            hops.push(policy_hop(ctx, a));
        }
        hops.push(rewrite_in(ctx, b));
        finish(ctx, b, probe, container_addr(probe), hops)
    }

    fn exits(&self, ctx: &Context, src: &Endpoint, dst: Party, _probe: Probe) -> Vec<Exit> {
        let mut pre = vec![src_vnic(ctx, src), rewrite_out(ctx, src)];
        pre.extend(custom_gateway(ctx, src));
        let Some(mut e) = on_segment_exit(ctx, src, pre, &["L2B-1"]) else {
            return vec![];
        };
        // Multi-node, cross subnet (L2B-3).
        if let (Party::Endpoint(k), Some(h)) = (dst, src.host) {
            let d = &ctx.parties.endpoints[k];
            if d.driver == Driver::L2bridge
                && d.host != src.host
                && subnet_of(ctx, d) != subnet_of(ctx, src)
            {
                if ctx.host(h).os.l2bridge_routes_cross_subnet_between_nodes() {
                    e.hops.push(hop(
                        format!("{} management vNIC", ctx.host_name(h)),
                        Mechanism::ManagementVnic,
                        "cross-subnet traffic to another node routed via the management vNIC (Windows Server 1809+)",
                        &["L2B-3", "MAT-3"],
                    ));
                } else {
                    e.block = Some(Denial::new(
                        DenyReason::Unsupported,
                        format!("{}/vSwitch {}", ctx.host_name(h), ctx.network_name(src)),
                        format!(
                            "{} routes multi-node cross-subnet l2bridge traffic only from Windows Server 1809 on",
                            ctx.host(h).os
                        ),
                        &["L2B-3"],
                    ));
                }
            }
        }
        if sdn(ctx, src) {
            e.offhost_hops.push(policy_hop(ctx, src));
        }
        if let Some(d) = too_old(ctx, src) {
            e.block = Some(d);
        }
        vec![e]
    }

    fn entries(&self, ctx: &Context, dst: &Endpoint, probe: Probe) -> Vec<Entry> {
        let mut pre: Vec<Hop> = custom_gateway(ctx, dst).into_iter().collect();
        pre.push(rewrite_in(ctx, dst));
        let Some(mut e) = on_segment_entry(ctx, dst, probe, pre, &["L2B-1"]) else {
            return vec![];
        };
        if sdn(ctx, dst) {
            e.offhost_hops.push(policy_hop(ctx, dst));
        }
        if let Some(d) = too_old(ctx, dst) {
            e.block = Some(d);
        }
        vec![e]
    }
}
