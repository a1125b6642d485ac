//! `overlay` on Linux (LNX-3) and on Windows (OVL-1..3, EXT-4): VXLAN between the host
//! namespaces, UDP 4789, VNI from the scenario (`vni` / `vsid`) or 4096 + the network's
//! index (EXT-4: at least 4096). Every host with an endpoint on the network is a VTEP;
//! broadcast and unknown unicast go to every other VTEP by head-end replication (an
//! all-zero FDB entry per peer), as Docker's and HNS's control planes program them.
//!
//! - Linux: Docker's layout. The overlay bridge `br0` and the VXLAN device live in a
//!   separate sandbox namespace per host and network (`o<k>n<net>`; the VXLAN device is
//!   created in the host namespace and moved, so its UDP socket stays on the underlay).
//!   Overlay IPs are not routed by the host. Egress goes through `docker_gwbridge`
//!   (172.18.0.0/16, masquerade, ICC off): each container gets a second interface
//!   `gw` there with the default route.
//! - Windows: the VFP overlay is a bridge `o<net>` in the host namespace with the
//!   VXLAN device as a port and the network's gateway on the host side of every host
//!   (a distributed gateway; ARP for it never crosses the tunnel). The host itself has
//!   no endpoint on the overlay, so connections it opens into the overlay are dropped.
//!   Egress: WS2019+ VFP
//!   NAT rules translate TCP/UDP only and ICMP is dropped (OVL-3); on WS2016 the overlay
//!   endpoint has no outbound path (no default route, forwarding out dropped): only a
//!   second endpoint on a NAT network gives the container one. Forwarding between the
//!   overlay and other local networks is dropped.
//! - Swarm's routing mesh (published ports of services) is not emulated.

use super::{gwbridge_net, prefix_len, Builder};
use hnsim_model::resolve::nth_host;
use hnsim_model::Endpoint;
use std::net::IpAddr;

fn vni(b: &Builder, ni: usize) -> u32 {
    b.d.scenario.networks[ni].vni().unwrap_or(4096 + ni as u32)
}

fn underlay(b: &Builder, k: usize) -> Option<IpAddr> {
    b.d.scenario.hosts[k].primary_ip()
}

/// The endpoint's address and its host's underlay address, which a VXLAN tunnel starts
/// from; `None`, with the endpoint not emulated, when either is missing.
fn addresses(b: &mut Builder, e: &Endpoint, k: usize) -> Option<(IpAddr, IpAddr)> {
    let both = e.ip.zip(underlay(b, k));
    if both.is_none() {
        let why = "no endpoint address or no host underlay address";
        b.not_emulated(e.container, e.attachment, why);
    }
    both
}

/// OVL-3: WS2019 and later give overlay endpoints outbound NAT in VFP; WS2016 needs a
/// second endpoint on a NAT network.
fn vfp_nat(host: &hnsim_model::Host) -> bool {
    host.os.build().is_some_and(|v| v >= 17763)
}

pub(super) fn linux_endpoint(b: &mut Builder, e: &Endpoint, ni: usize, k: usize) {
    let Some((ip, local)) = addresses(b, e, k) else {
        return;
    };
    let d = b.d;
    let net = &d.scenario.networks[ni];
    let (ci, a) = (e.container, e.attachment);
    let hns = b.host_ns(k);
    let ons = b.plan.ns(&format!("o{k}n{ni}"));
    if b.once(format!("h{k}/ovl{ni}")) {
        b.add_ns(&format!("o{k}n{ni}"));
        b.ip(&ons, "link add br0 type bridge");
        b.ip(&ons, "link set br0 up");
        let v = format!("v{ni}");
        let add = format!(
            "link add {v} type vxlan id {} local {local} dstport 4789",
            vni(b, ni)
        );
        b.add_link_into(&hns, add, &v, &ons);
        b.ip(&ons, format!("link set {v} master br0 up"));
        b.overlay_hosts.entry(ni).or_default().insert(k);
    }
    let len = prefix_len(net, None);
    b.attach_to_bridge(ci, a, &ons, "br0", Some((ip, len)));
    // docker_gwbridge: egress for containers with no other gateway.
    if b.once(format!("h{k}/gwb")) {
        let gwnet = gwbridge_net(d);
        b.ip(&hns, "link add gwb type bridge");
        b.ip(&hns, "link set gwb up");
        if let Some(gw) = nth_host(&gwnet, 0) {
            b.ip(
                &hns,
                format!("addr add {gw}/{} dev gwb", gwnet.prefix_len()),
            );
        }
        b.host_nat_post
            .entry(k)
            .or_default()
            .push(format!("ip saddr {gwnet} oifname != \"gwb\" masquerade"));
        let fwd = b.host_forward.entry(k).or_default();
        fwd.push("oifname \"gwb\" iifname \"e*\" ct state new drop".into());
        // docker_gwbridge is a bridge network like any other: Docker's isolation chains
        // drop what it forwards to another bridge, and back.
        fwd.push("iifname \"gwb\" oifname \"b*\" drop".into());
        fwd.push("iifname \"b*\" oifname \"gwb\" drop".into());
    }
    if b.once(format!("c{ci}/gwb")) {
        let gwnet = gwbridge_net(d);
        let cns = b.container_ns(ci);
        let port = format!("g{ci}");
        b.ip(
            &cns,
            format!("link add gw type veth peer name {port} netns {hns}"),
        );
        b.ip(&hns, format!("link set {port} master gwb up"));
        b.ip(
            &hns,
            format!("link set {port} type bridge_slave isolated on"),
        );
        b.ip(&cns, "link set gw up");
        if let (Some(cip), Some(gw)) = (nth_host(&gwnet, ci as u64 + 1), nth_host(&gwnet, 0)) {
            b.ip(
                &cns,
                format!("addr add {cip}/{} dev gw", gwnet.prefix_len()),
            );
            b.default_route(ci, gw, "gw");
        }
    }
    b.plan.publish_not_emulated.entry(ci).or_insert_with(|| {
        "swarm's routing mesh (ingress network) for published ports is not emulated".into()
    });
}

pub(super) fn windows_endpoint(b: &mut Builder, e: &Endpoint, ni: usize, k: usize) {
    let Some((ip, local)) = addresses(b, e, k) else {
        return;
    };
    let d = b.d;
    let net = &d.scenario.networks[ni];
    let host = &d.scenario.hosts[k];
    let (ci, a) = (e.container, e.attachment);
    let hns = b.host_ns(k);
    let br = format!("o{ni}");
    let v = format!("v{ni}");
    let len = prefix_len(net, None);
    if b.once(format!("h{k}/ovl{ni}")) {
        b.ip(&hns, format!("link add {br} type bridge"));
        b.ip(&hns, format!("link set {br} up"));
        b.ip(
            &hns,
            format!(
                "link add {v} type vxlan id {} local {local} dstport 4789",
                vni(b, ni)
            ),
        );
        b.ip(&hns, format!("link set {v} master {br} up"));
        if let Some(gw) = net.gateway {
            b.ip(&hns, format!("addr add {gw}/{len} dev {br}"));
            let post = b.host_bridge_post.entry(k).or_default();
            post.push(format!("oifname \"{v}\" arp daddr ip {gw} drop"));
            post.push(format!("oifname \"{v}\" arp saddr ip {gw} drop"));
        }
        let fwd = b.host_forward.entry(k).or_default();
        // Only endpoints of the same overlay reach its subnet; its endpoints reach no
        // other local network.
        fwd.push(format!("iifname \"{br}\" oifname \"{br}\" accept"));
        fwd.push(format!("oifname \"{br}\" ct state new drop"));
        fwd.push(format!("iifname \"{br}\" oifname != \"e*\" drop"));
        for subnet in &net.subnet.0 {
            if !vfp_nat(host) {
                // OVL-3 on WS2016: no outbound path without a NAT endpoint.
                b.host_forward
                    .entry(k)
                    .or_default()
                    .push(format!("ip saddr {subnet} oifname \"e*\" drop"));
                continue;
            }
            b.host_nat_post
                .entry(k)
                .or_default()
                .push(format!("ip saddr {subnet} oifname \"e*\" masquerade"));
            b.host_forward.entry(k).or_default().push(format!(
                "ip saddr {subnet} oifname \"e*\" meta l4proto icmp drop"
            ));
        }
        // The host has no vNIC on the overlay: its own connections into the overlay
        // subnet go nowhere (replies to connections from the containers still flow).
        b.host_output
            .entry(k)
            .or_default()
            .push(format!("oifname \"{br}\" ct state new drop"));
        b.overlay_hosts.entry(ni).or_default().insert(k);
    }
    b.attach_to_bridge(ci, a, &hns, &br, Some((ip, len)));
    if let (Some(gw), true) = (net.gateway, vfp_nat(host)) {
        b.default_route(ci, gw, &format!("eth{a}"));
    }
    b.plan.publish_not_emulated.entry(ci).or_insert_with(|| {
        "published ports on overlay (swarm routing mesh / VFP) are not emulated".into()
    });
}

/// Head-end replication entries: every VTEP floods to every other.
pub(super) fn finish(b: &mut Builder) {
    let all: Vec<(usize, Vec<usize>)> = b
        .overlay_hosts
        .iter()
        .map(|(ni, hs)| (*ni, hs.iter().copied().collect()))
        .collect();
    for (ni, hosts) in all {
        for &k in &hosts {
            let windows = b.d.scenario.hosts[k].is_windows();
            let ns = if windows {
                b.host_ns(k)
            } else {
                b.plan.ns(&format!("o{k}n{ni}"))
            };
            for &peer in &hosts {
                if peer == k {
                    continue;
                }
                if let Some(dst) = underlay(b, peer) {
                    b.bridge(
                        &ns,
                        format!("fdb append 00:00:00:00:00:00 dev v{ni} dst {dst}"),
                    );
                }
            }
        }
    }
}
