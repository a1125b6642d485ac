//! l2tunnel (L2T-1, SDN-1): Microsoft's cloud stack only. Every packet between any two
//! endpoints, same host or not, hairpins through the physical Hyper-V host, where the
//! network controller's policies apply; outbound passes the virtual network gateway.
//! Outside Azure / Azure Stack nothing is forwarded (Unsupported).

use super::hops::{container_addr, denied_at_src, finish, host_label, src_vnic};
use super::on_segment::{on_segment_entry, on_segment_exit};
use super::DriverRules;
use crate::answer::{hop, Answer, Denial};
use crate::context::Context;
use crate::fabric::{Entry, Exit};
use crate::matrix::{DenyReason, Hop, Mechanism, Probe};
use crate::nodes::{Endpoint, Party};

#[derive(Debug)]
pub(super) struct L2tunnel;

fn cloud(ctx: &Context, ep: &Endpoint) -> bool {
    ep.host
        .and_then(|h| ctx.host(h).sdn.as_ref())
        .is_some_and(|s| s.azure)
}

fn unsupported(ctx: &Context, ep: &Endpoint) -> Denial {
    Denial::new(
        DenyReason::Unsupported,
        format!("{}/vSwitch {}", host_label(ctx, ep), ctx.network_name(ep)),
        "l2tunnel works only on Microsoft's cloud stack (Azure); this host is not attached to it",
        &["L2T-1"],
    )
}

fn hairpin(ctx: &Context, ep: &Endpoint) -> Vec<Hop> {
    vec![
        hop(
            format!("physical Hyper-V host of {}", host_label(ctx, ep)),
            Mechanism::PhysicalHostHairpin,
            "hairpinned through the physical host's Hyper-V vSwitch",
            &["L2T-1", "MAT-3"],
        ),
        hop(
            format!("physical Hyper-V host of {}", host_label(ctx, ep)),
            Mechanism::SdnPolicy,
            "network controller policies (ACLs, QoS) applied",
            &["SDN-1", "L2T-1"],
        ),
    ]
}

impl DriverRules for L2tunnel {
    fn same_network(&self, ctx: &Context, a: &Endpoint, b: &Endpoint, probe: Probe) -> Answer {
        if !cloud(ctx, a) {
            return denied_at_src(ctx, a, Some(container_addr(probe)), unsupported(ctx, a));
        }
        let mut hops = vec![src_vnic(ctx, a)];
        hops.extend(hairpin(ctx, a));
        finish(ctx, b, probe, container_addr(probe), hops)
    }

    fn exits(&self, ctx: &Context, src: &Endpoint, _dst: Party, _probe: Probe) -> Vec<Exit> {
        let mut pre = vec![src_vnic(ctx, src)];
        pre.extend(hairpin(ctx, src));
        let Some(mut e) = on_segment_exit(ctx, src, pre, &["L2T-1"]) else {
            return vec![];
        };
        e.vswitch = None;
        if let Some(last) = e.hops.last_mut() {
            last.detail
                .push_str("; outbound passes the virtual network gateway");
        }
        if !cloud(ctx, src) {
            e.block = Some(unsupported(ctx, src));
        }
        vec![e]
    }

    fn entries(&self, ctx: &Context, dst: &Endpoint, probe: Probe) -> Vec<Entry> {
        let Some(mut e) = on_segment_entry(ctx, dst, probe, hairpin(ctx, dst), &["L2T-1"]) else {
            return vec![];
        };
        e.vswitch = None;
        if !cloud(ctx, dst) {
            e.block = Some(unsupported(ctx, dst));
        }
        vec![e]
    }
}
