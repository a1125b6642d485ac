//! Linux macvlan (LNX-4, EXT-12): each endpoint is its own MAC on the parent NIC's
//! segment. Endpoints of one parent talk directly (bridge mode); other machines on
//! the segment reach them directly by IP; port publishing does not apply; the parent
//! host and its own macvlan endpoints cannot reach each other (EXT-12). On a Hyper-V VM
//! without MAC spoofing the extra MACs are dropped like transparent's (TRANS-4, ARCH-5).

use super::checks::mac_spoofing_block;
use super::hops::{bridged, src_vnic};
use super::on_segment::{on_segment_entry, on_segment_exit, unrouted_subnet};
use super::{DriverRules, Facts};
use crate::answer::{hop, Answer, Denial};
use crate::context::Context;
use crate::fabric::{Entry, Exit};
use crate::matrix::{DenyReason, Mechanism, Probe};
use crate::nodes::{Endpoint, Party};

#[derive(Debug)]
pub(super) struct Macvlan;

/// LNX-4: a macvlan container is a device of its own on the segment; in a subnet no
/// router there knows, its gateway is an address nobody answers for (Docker's IPAM
/// takes the subnet's first address when none is given).
fn unrouted(ctx: &Context, ep: &Endpoint, subnet: ipnet::IpNet, outbound: bool) -> Denial {
    let seg = ctx
        .endpoint_segment(ep)
        .map(|s| ctx.graph.segment_name(s.segment).to_string())
        .unwrap_or_default();
    let why = if outbound {
        format!("{subnet} is not a subnet of segment {seg}: no router there answers for its gateway, so only {subnet} is reachable")
    } else {
        format!("no router on segment {seg} routes {subnet}: only sources in {subnet} on that segment reach it")
    };
    Denial::new(
        DenyReason::NoRoute,
        format!("macvlan {}", ctx.network_name(ep)),
        why,
        &["LNX-4", "MAT-2"],
    )
}

/// EXT-12: the kernel does not pass traffic between a macvlan sub-interface and its
/// own parent host.
fn parent(ctx: &Context, h: usize) -> Denial {
    Denial::new(
        DenyReason::MacvlanParent,
        format!("{} parent interface", ctx.host_name(h)),
        "the kernel does not pass traffic between a macvlan sub-interface and its own parent host",
        &["EXT-12", "LNX-4"],
    )
}

impl DriverRules for Macvlan {
    fn same_network(&self, ctx: &Context, a: &Endpoint, b: &Endpoint, probe: Probe) -> Answer {
        let at = ctx
            .endpoint_segment(a)
            .map(|x| format!("macvlan {}", x.vswitch))
            .unwrap_or_else(|| "macvlan".into());
        bridged(
            ctx,
            a,
            b,
            probe,
            hop(
                at,
                Mechanism::Macvlan,
                "macvlan bridge mode: sub-interfaces of one parent talk directly",
                &["LNX-4"],
            ),
        )
    }

    fn exits(&self, ctx: &Context, src: &Endpoint, _dst: Party, _probe: Probe) -> Vec<Exit> {
        let Some(mut e) = on_segment_exit(ctx, src, vec![src_vnic(ctx, src)], &["LNX-4"]) else {
            return vec![];
        };
        if let Some(last) = e
            .hops
            .iter_mut()
            .find(|h| h.mechanism == Mechanism::VswitchBridge)
        {
            last.mechanism = Mechanism::Macvlan;
            last.detail =
                "out of the macvlan sub-interface with its own MAC onto the parent's segment"
                    .into();
        }
        e.vswitch = None;
        if let Some(b) = mac_spoofing_block(ctx, src, &["ARCH-5", "TRANS-4", "LNX-4"]) {
            e.offhost = Some(b);
        }
        if let Some(sub) = unrouted_subnet(ctx, src) {
            e.local_subnet = Some((sub, unrouted(ctx, src, sub, true)));
        }
        vec![e]
    }

    fn entries(&self, ctx: &Context, dst: &Endpoint, probe: Probe) -> Vec<Entry> {
        let Some(mut e) = on_segment_entry(ctx, dst, probe, vec![], &["LNX-4", "EXT-12"]) else {
            return vec![];
        };
        if let Some(first) = e.hops.first_mut() {
            first.mechanism = Mechanism::Macvlan;
            first.detail = "received on the parent NIC for the sub-interface's own MAC".into();
        }
        e.vswitch = None;
        if let Some(b) = mac_spoofing_block(ctx, dst, &["ARCH-5", "TRANS-4", "LNX-4"]) {
            e.offhost = Some(b);
        }
        if let Some(sub) = unrouted_subnet(ctx, dst) {
            e.unrouted = Some(unrouted(ctx, dst, sub, false));
        }
        vec![e]
    }

    /// Towards an address of the endpoint's own parent host (EXT-12).
    fn refuses_towards(&self, ctx: &Context, exit: &Exit, entry: &Entry) -> Option<Denial> {
        let h = exit.host?;
        (entry.owner_host == Some(h)).then(|| parent(ctx, h))
    }

    /// From the parent host's own stack or its translated containers (EXT-12).
    fn refuses_from(&self, ctx: &Context, exit: &Exit, entry: &Entry) -> Option<Denial> {
        let h = entry.host?;
        (exit.snat_host == Some(h)).then(|| parent(ctx, h))
    }

    /// DNS-1: a user-defined macvlan network resolves its containers' names.
    fn name_resolution(&self, ctx: &Context, src: &Endpoint, dst: &Endpoint) -> Option<Facts> {
        let linux = dst.host.is_some_and(|h| !ctx.host(h).is_windows());
        (linux && src.network == dst.network).then_some(&["DNS-1"])
    }
}
