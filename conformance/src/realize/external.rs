//! Windows `transparent` (TRANS-1..6) and `l2bridge` (L2B-1..3): an external vSwitch
//! bound to a host NIC.
//!
//! The external vSwitch is a Linux bridge `x<n>` enslaving the host NIC's veth `e<n>`;
//! the host's address moves to the bridge (the management vNIC), which keeps the NIC's
//! MAC. Container endpoints are bridge ports with addresses on the physical subnet (or
//! the network's own subnet) and the network's or segment's gateway.
//!
//! - transparent: nothing else; each container appears on the segment with its own MAC.
//!   TRANS-4 (a Hyper-V VM host without MAC spoofing, or an Azure VM) is emulated in
//!   the segment namespace: the segment bridge drops frames from the host's port whose
//!   source MAC is not the host NIC's.
//! - l2bridge: layer-2 address translation (L2B-1) with nftables bridge rules in the
//!   host namespace: frames leaving by the NIC get the host's MAC as Ethernet source
//!   and as ARP sender hardware address; frames arriving for a container IP (IPv4, or
//!   ARP for it) get the container's MAC as destination. Containers on one host stay
//!   bridged with their own MACs (L2B-3). A custom subnet (L2B-2 config 2) gets its
//!   gateway on the host bridge, the host routing for it.

use super::{endpoint_mac, host_mac, nic_index_for, prefix_len, Builder};
use hnsim_model::Endpoint;

pub(super) fn endpoint(b: &mut Builder, e: &Endpoint, ni: usize, k: usize, l2bridge: bool) {
    let d = b.d;
    let net = &d.scenario.networks[ni];
    let host = &d.scenario.hosts[k];
    let (ci, a) = (e.container, e.attachment);
    let Some(n) = nic_index_for(d, net, host) else {
        b.not_emulated(ci, a, "the network binds no NIC of the host (OPT-2)");
        return;
    };
    let Some((host_ip, dev)) = b.host_nic(k, n) else {
        b.not_emulated(ci, a, "the host NIC is on no segment");
        return;
    };
    let Some(ip) = e.ip else {
        b.not_emulated(ci, a, "the endpoint has no address");
        return;
    };
    let seg = d.segment(&host.nics[n].segment);
    let len = prefix_len(net, seg.map(|s| &s.subnet));
    let hns = b.host_ns(k);
    b.attach_to_bridge(ci, a, &hns, &dev, Some((ip, len)));
    let gw = net.gateway.or_else(|| seg.and_then(|s| s.gateway));
    if let Some(gw) = gw {
        b.default_route(ci, gw, &format!("eth{a}"));
    }
    if !l2bridge {
        return;
    }
    if let Some(gw) = net.gateway {
        let custom = net
            .subnet
            .0
            .first()
            .is_some_and(|s| !s.contains(&host_ip.addr()));
        if custom && b.once(format!("h{k}/l2gw/{gw}")) {
            b.ip(&hns, format!("addr add {gw}/{len} dev {dev}"));
        }
    }
    let hmac = host_mac(k, n);
    let cmac = endpoint_mac(ci, a);
    let post = b.host_bridge_post.entry(k).or_default();
    post.push(format!(
        "oifname \"e{n}\" ether saddr {cmac} arp saddr ether set {hmac}"
    ));
    post.push(format!(
        "oifname \"e{n}\" ether saddr {cmac} ether saddr set {hmac}"
    ));
    let pre = b.host_bridge_pre.entry(k).or_default();
    pre.push(format!(
        "iifname \"e{n}\" ip daddr {ip} ether daddr set {cmac}"
    ));
    pre.push(format!(
        "iifname \"e{n}\" arp daddr ip {ip} ether daddr set {cmac}"
    ));
}
