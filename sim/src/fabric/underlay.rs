//! The physical crossing between an exit and an entry on segments or the internet:
//! one external vSwitch, one segment, a container host routing between its NICs, the
//! gateways' routed core, the internet gateways; VLANs and what is dropped off-host.

use super::{Entry, Exit, Point};
use crate::answer::{hop, AddressTemplate, Denial, DST_IP};
use crate::context::Context;
use crate::matrix::{DenyReason, Hop, Mechanism};

/// What lies between an exit and an entry.
pub(super) enum Crossing {
    /// A way through; the hops so far say how.
    Open,
    /// Not a way anybody would go: neither delivers nor explains a denial.
    NotAWay,
    /// Dropped on the way.
    Stopped(Denial),
}

/// From a segment (or an external vSwitch) to a segment.
pub(super) fn between_segments(
    ctx: &Context,
    exit: &Exit,
    entry: &Entry,
    hops: &mut Vec<Hop>,
) -> Crossing {
    let (Point::Segment { seg: s1, vlan: v1 }, Point::Segment { seg: s2, vlan: v2 }) =
        (exit.at, entry.at)
    else {
        return Crossing::NotAWay;
    };
    let g = ctx.graph;
    let same_vswitch = exit.vswitch.is_some() && exit.vswitch == entry.vswitch;
    if v1 != v2 && (s1 == s2 || same_vswitch) {
        return Crossing::Stopped(Denial::new(
            DenyReason::VlanMismatch,
            format!("segment {}", g.segment_name(s1)),
            format!(
                "source is in {} and destination in {}: VLANs are isolated at layer 2",
                vlan_text(v1),
                vlan_text(v2)
            ),
            &["OPT-3"],
        ));
    }
    if same_vswitch {
        let bridged = |h: Option<&Hop>| h.is_some_and(|h| h.mechanism == Mechanism::VswitchBridge);
        // Both ends are on one external vSwitch; the exit or the entry may already say so.
        if !bridged(hops.last()) && !bridged(entry.hops.first()) {
            hops.push(hop(
                format!("vSwitch {}", exit.vswitch.as_deref().unwrap_or("?")),
                Mechanism::VswitchBridge,
                "bridged in the external vSwitch (both ends on the same vSwitch)",
                &["ARCH-1", "TRANS-1"],
            ));
        }
        return Crossing::Open;
    }
    if let Some(off) = exit.offhost.as_ref().or(entry.offhost.as_ref()) {
        return Crossing::Stopped(off.clone());
    }
    hops.extend(exit.offhost_hops.iter().cloned());
    for (s, v) in [(s1, v1), (s2, v2)] {
        if let Some(v) = v.filter(|_| !g.carries_vlan(s, v)) {
            return Crossing::Stopped(no_route(
                ctx,
                s,
                format!(
                    "segment {} does not carry VLAN {v} (trunk-vlans)",
                    g.segment_name(s)
                ),
                DenyReason::VlanMismatch,
                &["OPT-3"],
            ));
        }
    }
    let (n1, n2) = (g.segment_name(s1), g.segment_name(s2));
    let same_host = exit.host.filter(|h| entry.host == Some(*h));
    match same_host {
        Some(h) if s1 != s2 && host_on(ctx, h, s1) && host_on(ctx, h, s2) => hops.push(hop(
            format!("{} (container host)", ctx.host_name(h)),
            Mechanism::Routed,
            format!("routed via the container host between its NICs on {n1} and {n2}"),
            &["TRANS-6", "MAT-3"],
        )),
        _ if s1 == s2 => hops.push(hop(
            format!("segment {n1}"),
            Mechanism::PhysicalSegment,
            format!("switched on the physical network{}", vlan_suffix(v1)),
            &["MAT-2"],
        )),
        _ if g.routes(s1, s2) => hops.push(hop(
            format!("gateway {n1} -> {n2}"),
            Mechanism::Routed,
            format!("routed from segment {n1} to segment {n2}"),
            &["MAT-2"],
        )),
        _ => {
            return Crossing::Stopped(no_route(
                ctx,
                s1,
                format!("no gateway routes segment {n1} to segment {n2}"),
                DenyReason::NoRoute,
                &["MAT-2"],
            ))
        }
    }
    hops.extend(entry.offhost_hops.iter().cloned());
    Crossing::Open
}

/// From a segment to the internet, through the segment's gateway.
pub(super) fn to_internet(
    ctx: &Context,
    exit: &Exit,
    entry: &Entry,
    seg: usize,
    vlan: Option<u16>,
    hops: &mut Vec<Hop>,
) -> Crossing {
    if let Some(off) = exit.offhost.as_ref().or(entry.offhost.as_ref()) {
        return Crossing::Stopped(off.clone());
    }
    hops.extend(exit.offhost_hops.iter().cloned());
    let name = ctx.graph.segment_name(seg);
    if !ctx.graph.has_internet(seg) || !ctx.graph.carries_vlan(seg, vlan) {
        return Crossing::Stopped(no_route(
            ctx,
            seg,
            format!(
                "segment {name} has no gateway to the internet{}",
                vlan_suffix(vlan)
            ),
            DenyReason::NoRoute,
            &["MAT-1", "MAT-2"],
        ));
    }
    hops.push(hop(
        format!("gateway {name}"),
        Mechanism::Routed,
        "routed to the internet by the segment's gateway",
        &["MAT-1", "MAT-2"],
    ));
    Crossing::Open
}

/// From the internet to an address on a segment: only a public one, through the
/// segment's gateway.
pub(super) fn from_internet(
    ctx: &Context,
    exit: &Exit,
    entry: &Entry,
    seg: usize,
    hops: &mut Vec<Hop>,
) -> Crossing {
    let name = ctx.graph.segment_name(seg);
    if !entry.public || !ctx.graph.has_internet(seg) {
        let addr = match &entry.addr {
            AddressTemplate::ContainerIp { .. } => DST_IP,
            AddressTemplate::Fixed { value, .. } => value,
        };
        return Crossing::Stopped(Denial::new(
            DenyReason::NoRoute,
            "internet",
            format!(
                "{addr} is not reachable from the internet (private address, or segment {name} has no internet gateway)"
            ),
            &["MAT-2"],
        ));
    }
    if let Some(off) = exit.offhost.as_ref().or(entry.offhost.as_ref()) {
        return Crossing::Stopped(off.clone());
    }
    hops.push(hop(
        format!("gateway {name}"),
        Mechanism::Routed,
        "routed in from the internet by the segment's gateway",
        &["MAT-2"],
    ));
    hops.extend(entry.offhost_hops.iter().cloned());
    Crossing::Open
}

/// Dropped on segment `seg`.
fn no_route(ctx: &Context, seg: usize, why: String, reason: DenyReason, facts: &[&str]) -> Denial {
    Denial::new(
        reason,
        format!("segment {}", ctx.graph.segment_name(seg)),
        why,
        facts,
    )
}

/// Host `h` has a NIC on segment `seg`.
fn host_on(ctx: &Context, h: usize, seg: usize) -> bool {
    ctx.host_nics(h).any(|(_, s)| s == seg)
}

fn vlan_text(v: Option<u16>) -> String {
    match v {
        Some(v) => format!("VLAN {v}"),
        None => "the untagged (native) VLAN".into(),
    }
}

fn vlan_suffix(v: Option<u16>) -> String {
    v.map(|v| format!(" in VLAN {v}")).unwrap_or_default()
}
