//! Linux Docker `bridge` (LNX-1, EXT-10), and the internal bridge Windows `nat` shares.
//!
//! Realized as Docker does it: a Linux bridge `b<net>` in the host namespace holding the
//! network's gateway address, one veth per container endpoint, and nftables in the host
//! namespace for what iptables does under Docker:
//! - outbound: `MASQUERADE` of the subnet when leaving by any other interface;
//! - published ports: DNAT of `<any local address>:HOST_PORT` to `CONTAINER_IP:PORT`,
//!   in prerouting (from outside) and output (from the host itself, incl. localhost,
//!   which Docker serves through docker-proxy);
//! - isolation between bridges (`DOCKER-ISOLATION-STAGE-1/2`): forwarding from one
//!   bridge to another is dropped unless the flow was DNAT'ed to a published port
//!   (docker-proxy makes those reachable from every bridge);
//! - no direct inbound to container IPs from the host's NICs (FORWARD policy DROP);
//! - `enable_icc=false`: bridge ports are isolated from each other;
//! - `--internal`: no masquerade and nothing forwarded in or out of the bridge; up to
//!   Engine 24 the container still gets its default route through the gateway, so the
//!   host's own addresses answer it (INPUT, not FORWARD; checked on Docker 20.10.24 by
//!   conformance/tests/docker.rs `an_internal_bridge_reaches_the_host_and_nothing_beyond`);
//!   from Engine 25 (the host's `docker.engine`) it gets no default route.

use super::{bridge_mac, prefix_len, Builder};
use hnsim_model::{Endpoint, Protocol};

pub(super) fn endpoint(b: &mut Builder, e: &Endpoint, ni: usize, k: usize) {
    internal_bridge(b, e, ni, k, false);
}

/// Shared by Linux `bridge` and Windows `nat`: both are an internal switch with the
/// gateway on the host side and address translation to the outside.
pub(super) fn internal_bridge(b: &mut Builder, e: &Endpoint, ni: usize, k: usize, windows: bool) {
    let d = b.d;
    let net = &d.scenario.networks[ni];
    let hns = b.host_ns(k);
    let br = format!("b{ni}");
    let len = prefix_len(net, None);
    if b.once(format!("h{k}/forward-head")) {
        b.host_forward
            .entry(k)
            .or_default()
            .push("ct status dnat accept".into());
    }
    if b.once(format!("h{k}/{br}")) {
        b.ip(
            &hns,
            format!("link add {br} address {} type bridge", bridge_mac(k, ni)),
        );
        b.ip(&hns, format!("link set {br} up"));
        if let Some(gw) = net.gateway {
            b.ip(&hns, format!("addr add {gw}/{len} dev {br}"));
        }
        let fwd = b.host_forward.entry(k).or_default();
        fwd.push(format!(
            "iifname \"{br}\" oifname \"b*\" oifname != \"{br}\" drop"
        ));
        fwd.push(format!("oifname \"{br}\" iifname \"e*\" ct state new drop"));
        let post = b.host_nat_post.entry(k).or_default();
        // Hairpin: a container reaching a published port of its own bridge through the
        // host address gets the reply back through the host.
        post.push(format!(
            "iifname \"{br}\" oifname \"{br}\" ct status dnat masquerade"
        ));
        if net.internal && !windows {
            // `--internal`: nothing leaves or enters the bridge by routing, and Docker
            // gives it no MASQUERADE rule.
            fwd_internal(b, k, &br);
        } else if !windows {
            for subnet in &net.subnet.0 {
                post.push(format!("ip saddr {subnet} oifname != \"{br}\" masquerade"));
            }
        }
        if b.once(format!("h{k}/localhost-masq")) {
            b.host_nat_post
                .entry(k)
                .or_default()
                .push("ip saddr 127.0.0.0/8 masquerade".into());
        }
    }
    let Some(ip) = e.ip else {
        b.silent_endpoint(e.container, e.attachment, "the endpoint has no address");
        return;
    };
    let port = b.attach_to_bridge(e.container, e.attachment, &hns, &br, Some((ip, len)));
    if net.icc_disabled() {
        b.ip(
            &hns,
            format!("link set {port} type bridge_slave isolated on"),
        );
    }
    // An `--internal` network's containers get the default route too (Docker's own
    // routing table in the container); only forwarding beyond the bridge is dropped.
    // Docker never picks an internal network as the gateway while the container has
    // another network that has one.
    let routed_elsewhere = net.internal
        && d.endpoints_of(e.container).any(|o| {
            o.network.is_some_and(|n| {
                let other = &d.scenario.networks[n];
                n != ni && !other.internal && other.gateway.is_some()
            })
        });
    // From Engine 25 an internal network gets no default route at all (only its
    // subnet's), so the host answers only at the bridge's gateway address.
    let no_gateway = net.internal && !d.scenario.hosts[k].docker.internal_network_is_gateway();
    if let (Some(gw), false) = (net.gateway, routed_elsewhere || no_gateway) {
        b.default_route(e.container, gw, &format!("eth{}", e.attachment));
    }
    // Docker publishes through the container's first network that can carry it.
    if b.once(format!("c{}/published", e.container)) {
        let host = &d.scenario.hosts[k];
        // EXT-2: WinNAT serves localhost:PORT only from Windows Server 1803 on.
        let localhost = !windows || host.os.build().is_some_and(|v| v >= 17134);
        for p in d.published_of(e.container) {
            let proto = match p.forward.proto {
                Protocol::Tcp => "tcp",
                Protocol::Udp => "udp",
                Protocol::Sctp => continue,
            };
            for cp in p.forward.container_ports.start..=p.forward.container_ports.end {
                let Some(hp) = p.host_port_for(cp) else {
                    continue;
                };
                let daddr = match p.forward.host_ip {
                    Some(hip) => format!("ip daddr {hip}"),
                    None => "fib daddr type local".to_string(),
                };
                let rule = format!("{daddr} {proto} dport {hp} dnat to {ip}:{cp}");
                b.host_nat_pre.entry(k).or_default().push(rule.clone());
                let out = if localhost {
                    rule
                } else {
                    format!("ip daddr != 127.0.0.0/8 {rule}")
                };
                b.host_nat_out.entry(k).or_default().push(out);
            }
        }
    }
}

fn fwd_internal(b: &mut Builder, k: usize, br: &str) {
    let fwd = b.host_forward.entry(k).or_default();
    // Ahead of `ct status dnat accept`: an internal network publishes nothing either.
    fwd.insert(0, format!("oifname \"{br}\" iifname != \"{br}\" drop"));
    fwd.insert(0, format!("iifname \"{br}\" oifname != \"{br}\" drop"));
}
