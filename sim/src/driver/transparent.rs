//! transparent (TRANS-1..7): endpoints sit on the physical network through an external
//! vSwitch bound to one NIC. Same network on one host: bridged in that vSwitch (MAT-1);
//! everything else: directly by container IP on the segment, no port mapping (TRANS-6);
//! on a VM without MAC spoofing, or on Azure, frames leaving or entering the host are
//! dropped (TRANS-4). A VLAN option tags every endpoint (OPT-3).

use super::*;
use crate::fabric::At;
use crate::graph::is_public;

pub struct Transparent;

/// Shared by transparent-like drivers (l2bridge adds MAC rewrite around it).
pub fn on_segment_exit(cx: &Cx, src: &Ep, mut hops: Vec<Hop>, facts: &[&str]) -> Option<Exit> {
    let (seg, vlan, vs, nic) = cx.ep_segment(src)?;
    hops.push(hop(
        format!("vSwitch {vs}"),
        Mechanism::VswitchBridge,
        format!("onto the external vSwitch bound to NIC {nic}"),
        facts,
    ));
    if let Some(v) = vlan {
        hops.push(hop(
            format!("vSwitch {vs}"),
            Mechanism::VlanTag,
            format!("tagged with VLAN {v}"),
            &["OPT-3"],
        ));
    }
    let mut e = Exit::new(At::Seg { seg, vlan }, hops);
    e.host = src.host;
    e.vswitch = Some(vs);
    e.offhost = vlan_trunk_block(cx, src);
    e.local_subnet = without_gateway(cx, src);
    Some(e)
}

pub fn on_segment_entry(
    cx: &Cx,
    dst: &Ep,
    probe: Probe,
    mut pre: Vec<Hop>,
    facts: &[&str],
) -> Option<Entry> {
    let (seg, vlan, vs, nic) = cx.ep_segment(dst)?;
    let mut hops = vec![hop(
        format!("vSwitch {vs}"),
        Mechanism::VswitchBridge,
        format!("from NIC {nic} through the external vSwitch"),
        facts,
    )];
    hops.append(&mut pre);
    hops.push(dst_deliver(cx, dst, probe));
    let mut e = Entry::new(At::Seg { seg, vlan }, container_addr(probe), hops);
    e.host = dst.host;
    e.vswitch = Some(vs);
    e.offhost = vlan_trunk_block(cx, dst);
    e.block = not_listening(dst, probe);
    e.public = dst.ip.is_some_and(is_public);
    e.subnet = super::l2bridge::subnet_of(cx, dst).or_else(|| {
        let ip = dst.ip?;
        let seg = &cx.d().scenario.segments[seg];
        seg.subnet.contains(&ip).then_some(seg.subnet)
    });
    Some(e)
}

/// TRANS-2: a statically addressed endpoint whose network has no gateway has no
/// default route: only its own subnet is reachable. DHCP hands out the segment's gateway.
fn without_gateway(cx: &Cx, ep: &Ep) -> Option<ipnet::IpNet> {
    let net = &cx.d().scenario.networks[ep.net?];
    if net.gateway.is_some() {
        return None;
    }
    let static_ip = matches!(
        cx.d().endpoints.get(ep.index).map(|e| &e.ip_source),
        Some(hnsim_model::IpSource::Static | hnsim_model::IpSource::HnsDynamic)
    );
    if !static_ip {
        return None;
    }
    super::l2bridge::subnet_of(cx, ep)
}

fn no_segment(cx: &Cx, ep: &Ep) -> Deny {
    Deny::new(
        DenyReason::NoRoute,
        format!("{}/vSwitch", host_label(cx, ep)),
        "the network's NIC is on no known segment",
        &["ARCH-6", "OPT-2"],
    )
}

impl DriverRules for Transparent {
    fn same_network(&self, cx: &Cx, a: &Ep, b: &Ep, probe: Probe) -> Answer {
        let at = cx
            .ep_segment(a)
            .map(|x| format!("vSwitch {}", x.2))
            .unwrap_or_else(|| crate::fabric::vswitch_at(cx, a));
        bridged(
            cx,
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

    fn exits(&self, cx: &Cx, src: &Ep, _dst: Who, _probe: Probe) -> Vec<Exit> {
        match on_segment_exit(cx, src, vec![src_vnic(cx, src)], &["TRANS-1", "TRANS-6"]) {
            Some(mut e) => {
                if let Some(b) = mac_spoofing_block(cx, src, &["TRANS-4", "ARCH-5"]) {
                    e.offhost = Some(b);
                }
                vec![e]
            }
            None => {
                let mut e = Exit::new(At::Internet, vec![src_vnic(cx, src)]);
                e.block = Some(no_segment(cx, src));
                vec![e]
            }
        }
    }

    fn entries(&self, cx: &Cx, dst: &Ep, probe: Probe) -> Vec<Entry> {
        let Some(mut e) = on_segment_entry(cx, dst, probe, vec![], &["TRANS-1", "TRANS-6"]) else {
            return vec![];
        };
        if let Some(b) = mac_spoofing_block(cx, dst, &["TRANS-4", "ARCH-5"]) {
            e.offhost = Some(b);
        }
        vec![e]
    }
}
