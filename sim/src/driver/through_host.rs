//! Endpoints whose traffic leaves through their host (nat's WinNAT, a Linux bridge's
//! MASQUERADE, overlay's VFP NAT): towards the host's own stack, and out of each of the
//! host's NICs with the source translated to that NIC's address; entered by their own
//! IP from the host's stack only.

use super::hops::{container_addr, dst_deliver, src_vnic};
use crate::answer::{hop, Denial};
use crate::context::Context;
use crate::fabric::{Entry, Exit, Point, StackOnly};
use crate::matrix::{Hop, Mechanism, Probe};
use crate::nodes::Endpoint;
use hnsim_model::Nic;

/// `src`'s exits: after its vNIC, `to_stack` reaches the host's own stack (none when
/// the driver has no such path); `out_of(nic)` leaves through one NIC. With
/// `on_vswitch`, an exit onto a segment sits on the external vSwitch bound to the NIC,
/// when there is one.
pub(super) fn snat_exits(
    ctx: &Context,
    src: &Endpoint,
    to_stack: Option<Vec<Hop>>,
    out_of: impl Fn(&Nic) -> Vec<Hop>,
    on_vswitch: bool,
) -> Vec<Exit> {
    let Some(h) = src.host else { return vec![] };
    let after_vnic = |mut rest: Vec<Hop>| {
        rest.insert(0, src_vnic(ctx, src));
        rest
    };
    let mut out = Vec::new();
    if let Some(hops) = to_stack {
        let mut local = Exit::new(Point::HostStack(h), after_vnic(hops));
        local.host = Some(h);
        out.push(local);
    }
    for (nic, seg) in ctx.host_nics(h) {
        let mut e = Exit::new(Point::Segment { seg, vlan: None }, after_vnic(out_of(nic)));
        e.host = Some(h);
        e.snat_host = Some(h);
        if on_vswitch {
            e.vswitch = ctx.nic_vswitch(h, &nic.name);
        }
        out.push(e);
    }
    out
}

/// `dst`'s own IP, entered from its host's stack only (a NAT or bridge container):
/// `hops` lead from the host's stack to `dst`, where it is delivered; `same_host` says
/// why another network on the host cannot use it, `remote` why nothing else can;
/// `block` drops it at `dst`.
pub(super) fn container_ip_entry(
    ctx: &Context,
    (dst, probe): (&Endpoint, Probe),
    mut hops: Vec<Hop>,
    (same_host, remote): (Denial, Denial),
    block: Option<Denial>,
) -> Option<Entry> {
    let h = dst.host?;
    hops.push(dst_deliver(ctx, dst, probe));
    let mut e = Entry::new(Point::HostStack(h), container_addr(probe), hops);
    e.stack_only = Some(StackOnly {
        remote_via_host_ip: true,
        same_host,
        remote,
    });
    e.host = Some(h);
    e.block = block;
    Some(e)
}

/// The hop of a packet arriving at one of host `h`'s addresses.
pub(super) fn arrive(ctx: &Context, h: usize, nic: &Nic, what: &str, facts: &[&str]) -> Hop {
    hop(
        format!("{} NIC {}", ctx.host_name(h), nic.name),
        Mechanism::HostStack,
        format!("arrives at the {what} {}", nic.ip.addr()),
        facts,
    )
}
