//! Joining one exit to one entry: the rules that hold whatever lies between (a blocked
//! exit, a source without a gateway, a driver that refuses the pair), the host-stack
//! cases, then the physical crossing ([`super::underlay`]).

use super::underlay::{self, Crossing};
use super::{Entry, Exit, Point};
use crate::answer::{hop, AddressTemplate, Answer, Denial};
use crate::context::Context;
use crate::matrix::{Hop, Mechanism};

/// Joins an exit to an entry: the physical path between them, or why there is none.
/// `None` when the pair is not a way anybody would go (a host's NIC towards an address
/// only its stack routes, a container's WinNAT path to its own host's address): such
/// pairs neither deliver nor explain a denial.
pub(crate) fn join(ctx: &Context, exit: &Exit, entry: &Entry) -> Option<Answer> {
    let addr = Some(entry.addr.clone());
    let mut hops = exit.hops.clone();
    if let Some(d) = exit
        .block
        .clone()
        .or_else(|| outside_local_subnet(exit, entry))
        .or_else(|| unrouted(exit, entry))
    {
        return Some(Answer::denied(addr, hops, d));
    }
    // A container reaches its own host's address through its gateway, not by leaving
    // through the host's NAT and coming back.
    if !exit.host_stack
        && !entry.published
        && exit.snat_host.is_some()
        && exit.snat_host == entry.owner_host
        && !matches!(exit.at, Point::HostStack(_))
    {
        return None;
    }
    let refused = exit
        .driver
        .and_then(|d| d.refuses_towards(ctx, exit, entry))
        .or_else(|| entry.driver.and_then(|d| d.refuses_from(ctx, exit, entry)));
    if let Some(d) = refused {
        return Some(Answer::denied(addr, hops, d));
    }
    let crossing = match (exit.at, entry.at) {
        (_, Point::HostStack(_)) | (Point::HostStack(_), _) => host_stack(ctx, exit, entry),
        (Point::Segment { .. }, Point::Segment { .. }) => {
            // A container going to a port its own host publishes: hairpin.
            let hairpin = entry.published
                && !exit.host_stack
                && exit.snat_host.is_some()
                && exit.snat_host == entry.owner_host;
            if hairpin {
                return Some(match entry.driver {
                    Some(d) => d.hairpin(ctx, exit, entry),
                    None => super::hairpin::through_host(ctx, exit, entry, false),
                });
            }
            if let Some(h) = exit
                .host
                .filter(|h| exit.host_stack && entry.owner_host == Some(*h))
            {
                // A host's own stack to one of its own addresses (a mesh port on
                // itself): looped back, never on the wire.
                hops.push(hop(
                    format!("{} host stack", ctx.host_name(h)),
                    Mechanism::HostStack,
                    "the destination is one of the host's own addresses: looped back inside the host",
                    &["ARCH-2"],
                ));
                hops.extend(entry.hops.iter().skip(1).cloned());
                return Some(finish_entry(addr, hops, entry));
            }
            underlay::between_segments(ctx, exit, entry, &mut hops)
        }
        (Point::Segment { seg, vlan }, Point::Internet) => {
            underlay::to_internet(ctx, exit, entry, seg, vlan, &mut hops)
        }
        (Point::Internet, Point::Segment { seg, .. }) => {
            underlay::from_internet(ctx, exit, entry, seg, &mut hops)
        }
        (Point::Internet, Point::Internet) => {
            hops.push(hop(
                "internet",
                Mechanism::Routed,
                "routed across the internet",
                &["MAT-2"],
            ));
            Crossing::Open
        }
    };
    match crossing {
        Crossing::Open => {
            hops.extend(entry.hops.iter().cloned());
            Some(finish_entry(addr, hops, entry))
        }
        Crossing::NotAWay => None,
        Crossing::Stopped(d) => Some(Answer::denied(addr, hops, d)),
    }
}

/// A source without a working gateway reaches only its own subnet (TRANS-2, an
/// unrouted macvlan subnet).
fn outside_local_subnet(exit: &Exit, entry: &Entry) -> Option<Denial> {
    let (local, why) = exit.local_subnet.as_ref()?;
    let inside = match &entry.addr {
        AddressTemplate::Fixed { ip: Some(ip), .. } => local.contains(ip),
        AddressTemplate::Fixed { ip: None, .. } => false,
        AddressTemplate::ContainerIp { .. } => entry.subnet.is_some_and(|s| within(*local, s)),
    };
    (!inside).then(|| why.clone())
}

/// A destination in a subnet no router knows is reached only from inside that subnet
/// (a source whose own traffic is confined to it).
fn unrouted(exit: &Exit, entry: &Entry) -> Option<Denial> {
    let why = entry.unrouted.as_ref()?;
    let subnet = entry.subnet?;
    let inside = exit
        .local_subnet
        .as_ref()
        .is_some_and(|(local, _)| within(*local, subnet));
    (!inside).then(|| why.clone())
}

/// `inner` lies within `outer`.
fn within(outer: ipnet::IpNet, inner: ipnet::IpNet) -> bool {
    outer.contains(&inner.network()) && outer.prefix_len() <= inner.prefix_len()
}

/// Either end is a host's own stack: a container IP only its host routes (NAT, bridge,
/// overlay), or the host itself.
fn host_stack(ctx: &Context, exit: &Exit, entry: &Entry) -> Crossing {
    match (exit.at, entry.at) {
        (Point::HostStack(a), Point::HostStack(b)) if a == b => match &entry.stack_only {
            Some(so) if !exit.host_stack => Crossing::Stopped(so.same_host.clone()),
            None if !exit.host_stack && entry.owner_host != Some(a) => Crossing::NotAWay,
            _ => Crossing::Open,
        },
        (Point::Internet, Point::HostStack(_)) => Crossing::NotAWay,
        (_, Point::HostStack(b)) if exit.host_stack => match &entry.stack_only {
            // Another host's stack towards a container IP only its own host routes.
            Some(so)
                if exit.host != Some(b)
                    && matches!(exit.at, Point::HostStack(_))
                    && (!so.remote_via_host_ip || ctx.host(b).nics.is_empty()) =>
            {
                Crossing::Stopped(so.remote.clone())
            }
            _ => Crossing::NotAWay,
        },
        // A NAT'd container on that host explains itself through its local exit.
        (Point::Segment { .. }, Point::HostStack(b)) if exit.snat_host == Some(b) => {
            Crossing::NotAWay
        }
        (_, Point::HostStack(b)) => match &entry.stack_only {
            Some(so) if exit.host == Some(b) => Crossing::Stopped(so.same_host.clone()),
            Some(so) if so.remote_via_host_ip && !ctx.host(b).nics.is_empty() => Crossing::NotAWay,
            Some(so) => Crossing::Stopped(so.remote.clone()),
            None => Crossing::NotAWay,
        },
        _ => Crossing::NotAWay,
    }
}

/// The entry's own hops are in `hops`: delivered, or blocked at the entry.
pub(super) fn finish_entry(
    addr: Option<AddressTemplate>,
    mut hops: Vec<Hop>,
    entry: &Entry,
) -> Answer {
    if let Some(b) = &entry.block {
        // The entry's own hops up to the block point are already in; drop the final
        // delivery hop, it does not happen.
        if hops
            .last()
            .is_some_and(|h| h.mechanism == Mechanism::Deliver)
        {
            hops.pop();
        }
        return Answer::denied(addr, hops, b.clone());
    }
    Answer::delivered(addr, hops)
}
