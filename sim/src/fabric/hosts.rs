//! A container host as a source and as a destination: its own stack, and its NICs on
//! their segments.

use super::{probe_port, Entry, Exit, Point};
use crate::answer::{hop, AddressTemplate, Denial};
use crate::context::Context;
use crate::graph::is_public;
use crate::matrix::{AddressKind, DenyReason, Hop, Mechanism, Probe};
use std::net::IpAddr;

/// The host node's exits: its own stack, and each NIC onto its segment.
pub(crate) fn exits(ctx: &Context, h: usize) -> Vec<Exit> {
    let host = ctx.host(h);
    let own = |at: Point, detail: String, facts: &[&str]| {
        let mut e = Exit::new(
            at,
            vec![hop(
                format!("{} host stack", host.name),
                Mechanism::HostStack,
                detail,
                facts,
            )],
        );
        e.host_stack = true;
        e.host = Some(h);
        e.snat_host = Some(h);
        e
    };
    let mut out = vec![own(
        Point::HostStack(h),
        "sent by the host's own IP stack (host compartment)".into(),
        &["ARCH-2"],
    )];
    for (nic, seg) in ctx.host_nics(h) {
        let mut e = own(
            Point::Segment { seg, vlan: None },
            format!(
                "sent from {} out of NIC {} ({})",
                nic.ip.addr(),
                nic.name,
                nic.segment
            ),
            &["ARCH-6"],
        );
        e.vswitch = ctx.nic_vswitch(h, &nic.name);
        out.push(e);
    }
    out
}

/// The host node's entries: its own stack (for its containers) and each NIC address.
/// Windows drops inbound ICMP echo unless the firewall allows it (EXT-5).
pub(crate) fn entries(ctx: &Context, h: usize, probe: Probe) -> Vec<Entry> {
    let host = ctx.host(h);
    let firewall = (probe == Probe::Icmp && !host.allows_inbound_icmp()).then(|| {
        Denial::new(
            DenyReason::FirewallBlocked,
            format!("{} firewall", host.name),
            "Windows Firewall drops inbound ICMPv4 echo unless a rule allows it (firewall.inbound-icmp)",
            &["EXT-5"],
        )
    });
    // A scenario declares no services on a host's own stack, so a TCP or UDP flow that
    // gets there finds nothing listening (a published port is reached through its
    // container: the matrix and `trace --to HOST:PORT` resolve the mapping).
    let closed = (probe != Probe::Icmp).then(|| {
        Denial::new(
            DenyReason::NotListening,
            format!("{} host stack", host.name),
            format!(
                "the network delivers {probe} to {}'s own stack, where the design declares no service listening",
                host.name
            ),
            &["ARCH-2"],
        )
    });
    let firewall = firewall.or(closed);
    let deliver = |detail: String| {
        hop(
            format!("{} host stack", host.name),
            Mechanism::Deliver,
            detail,
            &["ARCH-2"],
        )
    };
    let mut out = Vec::new();
    let ip = host.primary_ip();
    let mut stack = Entry::new(
        Point::HostStack(h),
        AddressTemplate::fixed(AddressKind::HostIp, ip, probe_port(probe)),
        vec![deliver("received by the host's own stack".into())],
    );
    stack.owner_host = Some(h);
    stack.block = firewall.clone();
    stack.host = Some(h);
    out.push(stack);
    for (nic, seg) in ctx.host_nics(h) {
        let mut e = address_entry(
            h,
            seg,
            AddressKind::HostIp,
            nic.ip.addr(),
            probe_port(probe),
            vec![deliver(format!(
                "received on NIC {} ({})",
                nic.name,
                nic.ip.addr()
            ))],
        );
        e.block = firewall.clone();
        e.vswitch = ctx.nic_vswitch(h, &nic.name);
        out.push(e);
    }
    out
}

/// An entry at one of host `h`'s own addresses (`ip`, on segment `seg`): the host itself,
/// or a port it publishes for a container.
pub(crate) fn address_entry(
    h: usize,
    seg: usize,
    kind: AddressKind,
    ip: IpAddr,
    port: Option<u16>,
    hops: Vec<Hop>,
) -> Entry {
    let mut e = Entry::new(
        Point::Segment { seg, vlan: None },
        AddressTemplate::fixed(kind, Some(ip), port),
        hops,
    );
    e.owner_host = Some(h);
    e.public = is_public(ip);
    e.host = Some(h);
    e
}
