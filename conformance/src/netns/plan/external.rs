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
//!   gateway on the host bridge, the host routing for it, and a route for the prefix
//!   via the host on the LAN's router. Before 1809, frames from a container to another
//!   node's l2bridge subnet are dropped (L2B-3: multi-node cross-subnet routing starts
//!   with 1809).
//! - Static endpoints use the network's `--gateway` only; DHCP leases (TRANS-2) carry
//!   the segment's router.

use super::{endpoint_mac, host_mac, prefix_len, Builder};
use hnsim_model::Endpoint;

pub(super) fn endpoint(b: &mut Builder, e: &Endpoint, ni: usize, k: usize, l2bridge: bool) {
    let Some(n) = b.bound_nic(e, ni, k, "the network binds no NIC of the host (OPT-2)") else {
        return;
    };
    let d = b.d;
    let net = &d.scenario.networks[ni];
    let host = &d.scenario.hosts[k];
    let (ci, a) = (e.container, e.attachment);
    let Some((host_ip, dev)) = b.host_nic(k, n) else {
        b.not_emulated(ci, a, "the host NIC is on no segment");
        return;
    };
    let Some(ip) = e.ip else {
        b.silent_endpoint(ci, a, "the endpoint has no address");
        return;
    };
    let seg = d.segment(&host.nics[n].segment);
    let len = prefix_len(net, seg.map(|s| &s.subnet));
    let hns = b.host_ns(k);
    b.attach_to_bridge(ci, a, &hns, &dev, Some((ip, len)));
    // A static endpoint uses the network's gateway only (TRANS-2: `--gateway`); a DHCP
    // lease carries the segment's router.
    let gw = net.gateway.or_else(|| {
        (e.ip_source == hnsim_model::IpSource::Dhcp)
            .then(|| seg.and_then(|s| s.gateway))
            .flatten()
    });
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
            .filter(|s| !s.contains(&host_ip.addr()))
            .copied();
        if let Some(subnet) = custom {
            if b.once(format!("h{k}/l2gw/{gw}")) {
                b.ip(&hns, format!("addr add {gw}/{len} dev {dev}"));
                // L2B-2: the LAN routes the prefix to the host.
                let router = b.plan.ns("rt");
                b.ip(
                    &router,
                    format!("route add {subnet} via {}", host_ip.addr()),
                );
            }
        }
    }
    // L2B-3: before Windows Server 1809, l2bridge traffic to containers of another
    // node's subnet is not routed.
    if host.os.build().is_some_and(|v| v < 17763) {
        let own: Vec<_> = net.subnet.0.clone();
        let others: Vec<std::net::IpAddr> = d
            .endpoints
            .iter()
            .filter(|o| o.host != Some(k))
            .filter(|o| {
                o.network.is_some_and(|oni| {
                    let on = &d.scenario.networks[oni];
                    on.driver == hnsim_model::Driver::L2bridge
                        && !on.subnet.0.iter().any(|t| own.contains(t))
                })
            })
            .filter_map(|o| o.ip)
            .collect();
        let post = b.host_bridge_post.entry(k).or_default();
        for t in others {
            post.push(format!("oifname \"e{n}\" ip saddr {ip} ip daddr {t} drop"));
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
