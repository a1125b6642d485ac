//! l2tunnel (L2T-1, SDN-1): Microsoft's cloud stack only. Every packet between any two
//! endpoints, same host or not, hairpins through the physical Hyper-V host, where the
//! network controller's policies apply; outbound passes the virtual network gateway.
//! Outside Azure / Azure Stack nothing is forwarded (Unsupported).

use super::transparent::{on_segment_entry, on_segment_exit};
use super::*;

pub struct L2tunnel;

fn cloud(cx: &Cx, ep: &Ep) -> bool {
    ep.host
        .and_then(|h| cx.host(h).sdn.as_ref())
        .is_some_and(|s| s.azure)
}

fn unsupported(cx: &Cx, ep: &Ep) -> Deny {
    Deny::new(
        DenyReason::Unsupported,
        format!("{}/vSwitch {}", host_label(cx, ep), cx.net_name(ep)),
        "l2tunnel works only on Microsoft's cloud stack (Azure); this host is not attached to it",
        &["L2T-1"],
    )
}

fn hairpin(cx: &Cx, ep: &Ep) -> Vec<Hop> {
    vec![
        hop(
            format!("physical Hyper-V host of {}", host_label(cx, ep)),
            Mechanism::PhysicalHostHairpin,
            "hairpinned through the physical host's Hyper-V vSwitch",
            &["L2T-1", "MAT-3"],
        ),
        hop(
            format!("physical Hyper-V host of {}", host_label(cx, ep)),
            Mechanism::SdnPolicy,
            "network controller policies (ACLs, QoS) applied",
            &["SDN-1", "L2T-1"],
        ),
    ]
}

impl DriverRules for L2tunnel {
    fn same_network(&self, cx: &Cx, a: &Ep, b: &Ep, probe: Probe) -> Answer {
        if !cloud(cx, a) {
            return denied_at_src(cx, a, Some(container_addr(probe)), unsupported(cx, a));
        }
        let mut hops = vec![src_vnic(cx, a)];
        hops.extend(hairpin(cx, a));
        finish(cx, b, probe, container_addr(probe), hops)
    }

    fn exits(&self, cx: &Cx, src: &Ep, _dst: Who, _probe: Probe) -> Vec<Exit> {
        let mut pre = vec![src_vnic(cx, src)];
        pre.extend(hairpin(cx, src));
        let Some(mut e) = on_segment_exit(cx, src, pre, &["L2T-1"]) else {
            return vec![];
        };
        e.vswitch = None;
        if let Some(last) = e.hops.last_mut() {
            last.detail
                .push_str("; outbound passes the virtual network gateway");
        }
        if !cloud(cx, src) {
            e.block = Some(unsupported(cx, src));
        }
        vec![e]
    }

    fn entries(&self, cx: &Cx, dst: &Ep, probe: Probe) -> Vec<Entry> {
        let Some(mut e) = on_segment_entry(cx, dst, probe, hairpin(cx, dst), &["L2T-1"]) else {
            return vec![];
        };
        e.vswitch = None;
        if !cloud(cx, dst) {
            e.block = Some(unsupported(cx, dst));
        }
        vec![e]
    }
}
