//! Linux macvlan (LNX-4, EXT-12): each endpoint is its own MAC on the parent NIC's
//! segment. Endpoints of one parent talk directly (bridge mode); other machines on
//! the segment reach them directly by IP; port publishing does not apply; the parent
//! host and its own macvlan endpoints cannot reach each other (EXT-12). On a Hyper-V VM
//! without MAC spoofing the extra MACs are dropped like transparent's (TRANS-4, ARCH-5).

use super::transparent::{on_segment_entry, on_segment_exit};
use super::*;

pub struct Macvlan;

impl DriverRules for Macvlan {
    fn same_network(&self, cx: &Cx, a: &Ep, b: &Ep, probe: Probe) -> Answer {
        let at = cx
            .ep_segment(a)
            .map(|x| format!("macvlan {}", x.2))
            .unwrap_or_else(|| "macvlan".into());
        bridged(
            cx,
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

    fn exits(&self, cx: &Cx, src: &Ep, _dst: Who, _probe: Probe) -> Vec<Exit> {
        let Some(mut e) = on_segment_exit(cx, src, vec![src_vnic(cx, src)], &["LNX-4"]) else {
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
        e.macvlan_parent = src.host;
        e.vswitch = None;
        if let Some(b) = mac_spoofing_block(cx, src, &["ARCH-5", "TRANS-4", "LNX-4"]) {
            e.offhost = Some(b);
        }
        vec![e]
    }

    fn entries(&self, cx: &Cx, dst: &Ep, probe: Probe) -> Vec<Entry> {
        let Some(mut e) = on_segment_entry(cx, dst, probe, vec![], &["LNX-4", "EXT-12"]) else {
            return vec![];
        };
        if let Some(first) = e.hops.first_mut() {
            first.mechanism = Mechanism::Macvlan;
            first.detail = "received on the parent NIC for the sub-interface's own MAC".into();
        }
        e.macvlan_parent = dst.host;
        e.vswitch = None;
        if let Some(b) = mac_spoofing_block(cx, dst, &["ARCH-5", "TRANS-4", "LNX-4"]) {
            e.offhost = Some(b);
        }
        vec![e]
    }
}
