//! Endpoints that sit on the physical network through an external vSwitch (or a
//! macvlan parent) bound to one NIC: transparent, l2bridge, l2tunnel, macvlan. Their
//! way out is onto the NIC's segment, their way in is from it.

use super::checks::vlan_trunk_block;
use super::hops::{container_addr, dst_deliver, not_listening};
use crate::answer::{hop, Denial};
use crate::context::Context;
use crate::fabric::{Entry, Exit};
use crate::graph::is_public;
use crate::matrix::{DenyReason, Hop, Mechanism, Probe};
use crate::nodes::Endpoint;
use ipnet::IpNet;

/// The network subnet containing the endpoint's IP (class-level, see classes.rs).
pub(super) fn subnet_of(ctx: &Context, ep: &Endpoint) -> Option<IpNet> {
    ctx.endpoint_subnet(ep)
}

/// Shared by transparent-like drivers (l2bridge adds MAC rewrite around it).
pub(super) fn on_segment_exit(
    ctx: &Context,
    src: &Endpoint,
    mut hops: Vec<Hop>,
    facts: &[&str],
) -> Option<Exit> {
    let att = ctx.endpoint_segment(src)?;
    hops.push(hop(
        att.at(),
        Mechanism::VswitchBridge,
        format!("onto the external vSwitch bound to NIC {}", att.nic),
        facts,
    ));
    if let Some(v) = att.vlan {
        hops.push(hop(
            att.at(),
            Mechanism::VlanTag,
            format!("tagged with VLAN {v}"),
            &["OPT-3"],
        ));
    }
    let mut e = Exit::new(att.point(), hops);
    e.host = src.host;
    e.vswitch = Some(att.vswitch);
    e.offhost = vlan_trunk_block(ctx, src);
    e.local_subnet = without_gateway(ctx, src).map(|local| {
        let why = Denial::new(
            DenyReason::NoRoute,
            e.hops.first().map(|h| h.at.clone()).unwrap_or_default(),
            format!(
                "the network has no gateway: without a default route only {local} is reachable"
            ),
            &["TRANS-2"],
        );
        (local, why)
    });
    Some(e)
}

pub(super) fn on_segment_entry(
    ctx: &Context,
    dst: &Endpoint,
    probe: Probe,
    mut pre: Vec<Hop>,
    facts: &[&str],
) -> Option<Entry> {
    let att = ctx.endpoint_segment(dst)?;
    let mut hops = vec![hop(
        att.at(),
        Mechanism::VswitchBridge,
        format!("from NIC {} through the external vSwitch", att.nic),
        facts,
    )];
    hops.append(&mut pre);
    hops.push(dst_deliver(ctx, dst, probe));
    let mut e = Entry::new(att.point(), container_addr(probe), hops);
    e.host = dst.host;
    e.vswitch = Some(att.vswitch);
    e.offhost = vlan_trunk_block(ctx, dst);
    e.block = not_listening(dst, probe);
    e.public = dst.ip.is_some_and(is_public);
    e.subnet = subnet_of(ctx, dst).or_else(|| {
        let ip = dst.ip?;
        let seg = &ctx.design.scenario.segments[att.segment];
        seg.subnet.contains(&ip).then_some(seg.subnet)
    });
    Some(e)
}

/// TRANS-2: a statically addressed endpoint whose network has no gateway has no
/// default route: only its own subnet is reachable. DHCP hands out the segment's gateway.
fn without_gateway(ctx: &Context, ep: &Endpoint) -> Option<IpNet> {
    let net = ctx.network(ep)?;
    if net.gateway.is_some() {
        return None;
    }
    let static_ip = matches!(
        ctx.design.endpoints.get(ep.index).map(|e| &e.ip_source),
        Some(hnsim_model::IpSource::Static | hnsim_model::IpSource::HnsDynamic)
    );
    if !static_ip {
        return None;
    }
    subnet_of(ctx, ep)
}

/// The endpoint's subnet when no router on its segment knows it: neither inside the
/// segment's subnet nor holding it (a macvlan network given a subnet of its own on a
/// LAN of another). Its gateway is an address nothing on the segment owns, so the
/// endpoint reaches only its own subnet, and only that subnet, switched on the
/// segment, reaches it.
pub(super) fn unrouted_subnet(ctx: &Context, ep: &Endpoint) -> Option<IpNet> {
    let sub = subnet_of(ctx, ep)?;
    let seg = &ctx.design.scenario.segments[ctx.endpoint_segment(ep)?.segment];
    let known = seg.subnet.contains(&sub.network()) || sub.contains(&seg.subnet.network());
    (!known).then_some(sub)
}
