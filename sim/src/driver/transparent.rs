//! transparent (TRANS-1..7): endpoints sit on the physical network through an external
//! vSwitch bound to one NIC. Same network on one host: bridged in that vSwitch (MAT-1);
//! everything else: directly by container IP on the segment, no port mapping (TRANS-6);
//! on a VM without MAC spoofing, or on Azure, frames leaving or entering the host are
//! dropped (TRANS-4). A VLAN option tags every endpoint (OPT-3).

use super::checks::mac_spoofing_block;
use super::hops::{bridged, host_label, src_vnic};
use super::on_segment::{on_segment_entry, on_segment_exit};
use super::{DriverRules, Facts};
use crate::answer::{hop, Answer, Denial};
use crate::context::Context;
use crate::fabric::{Entry, Exit, Point};
use crate::matrix::{DenyReason, Mechanism, Probe};
use crate::nodes::{Endpoint, Party};

#[derive(Debug)]
pub(super) struct Transparent;

fn no_segment(ctx: &Context, ep: &Endpoint) -> Denial {
    Denial::new(
        DenyReason::NoRoute,
        format!("{}/vSwitch", host_label(ctx, ep)),
        "the network's NIC is on no known segment",
        &["ARCH-6", "OPT-2"],
    )
}

impl DriverRules for Transparent {
    /// TRANS-2: a transparent endpoint without an address got none from DHCP or was
    /// given none statically.
    fn address_facts(&self) -> Option<Facts> {
        Some(&["IPAM-1", "TRANS-2"])
    }

    fn same_network(&self, ctx: &Context, a: &Endpoint, b: &Endpoint, probe: Probe) -> Answer {
        let at = ctx
            .endpoint_segment(a)
            .map(|x| x.at())
            .unwrap_or_else(|| ctx.vswitch_at(a));
        bridged(
            ctx,
            a,
            b,
            probe,
            hop(
                at,
                Mechanism::VswitchBridge,
                "bridged in the external vSwitch",
                &["TRANS-1", "MAT-1"],
            ),
        )
    }

    fn exits(&self, ctx: &Context, src: &Endpoint, _dst: Party, _probe: Probe) -> Vec<Exit> {
        match on_segment_exit(ctx, src, vec![src_vnic(ctx, src)], &["TRANS-1", "TRANS-6"]) {
            Some(mut e) => {
                if let Some(b) = mac_spoofing_block(ctx, src, &["TRANS-4", "ARCH-5"]) {
                    e.offhost = Some(b);
                }
                vec![e]
            }
            None => {
                let mut e = Exit::new(Point::Internet, vec![src_vnic(ctx, src)]);
                e.block = Some(no_segment(ctx, src));
                vec![e]
            }
        }
    }

    fn entries(&self, ctx: &Context, dst: &Endpoint, probe: Probe) -> Vec<Entry> {
        let Some(mut e) = on_segment_entry(ctx, dst, probe, vec![], &["TRANS-1", "TRANS-6"]) else {
            return vec![];
        };
        if let Some(b) = mac_spoofing_block(ctx, dst, &["TRANS-4", "ARCH-5"]) {
            e.offhost = Some(b);
        }
        vec![e]
    }
}
