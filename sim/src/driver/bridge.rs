//! Linux bridge (LNX-1, EXT-10): docker0 or a user-defined bridge per network.
//!
//! - same network: through the Linux bridge (EXT-10); `enable_icc=false` stops it;
//! - out: to the host through the bridge's gateway address; elsewhere MASQUERADE to
//!   the host's address;
//! - in: container IP from the host itself; two different bridges are isolated
//!   (EXT-10); from elsewhere only through a published port (DNAT, EXT-10) on the host
//!   addresses the mapping binds (`-p 127.0.0.1:3000:3000`: the host's loopback only,
//!   so only the host itself, by `localhost:3000`; `-p 10.0.0.5:80:80`: that address
//!   only).
//!
//! `internal: true` (`docker network create --internal`): the SPEC has no fact for it
//! (Windows refuses the flag, OPT-6/EXT-6, and the validator reports it, so this only
//! applies to Linux bridges). Modelled on Docker Engine 20.10-24 (libnetwork's bridge
//! driver): the bridge still gets its gateway address, so containers on it reach each
//! other and the host's own stack, and the host reaches them by IP; but the
//! DOCKER-ISOLATION rules drop every forwarded packet whose other end is outside the
//! subnet (`-i br ! -d subnet -j DROP`, `-o br ! -s subnet -j DROP`), there is no
//! MASQUERADE rule, and libnetwork programs no port mappings for an endpoint whose only
//! networks are internal (it is never the sandbox's gateway endpoint). So: no way out
//! beyond the host, and published ports are not reachable. Checked on Docker 20.10.24:
//! a container on an internal network pinged its gateway and the host's LAN address,
//! the host reached it by IP, its `-p 18083:80` had no listener (connection refused),
//! and its connection to another bridge's published port on the host IP timed out
//! (no `-i <bridge> -j RETURN` rule for an internal bridge, so it is DNATed and dropped).
//! From Docker 25.0 on (moby/moby#46603, noted in the 25.0 release notes) an internal
//! network is no longer the container's default gateway: the container has only the
//! subnet's connected route, so of the host's addresses only the bridge's gateway address
//! answers, and the host's LAN address is unreachable from the container (the host
//! still reaches it). A host's `docker: {engine: ...}` says which; a design that does not
//! say is modelled on 20.10-24, the engine the Docker conformance backend checked.

use super::checks::icc_disabled;
use super::hops::{bridged, dst_deliver, host_label, not_listening};
use super::through_host::{arrive, container_ip_entry, snat_exits};
use super::{DriverRules, Facts};
use crate::answer::{hop, Answer, Denial, DST_IP, DST_NAME, SRC_NAME};
use crate::context::Context;
use crate::fabric::hosts::address_entry;
use crate::fabric::{Entry, Exit, Point};
use crate::matrix::{AddressKind, DenyReason, Mechanism, Probe};
use crate::nodes::{Endpoint, Party};
use hnsim_model::Driver;

#[derive(Debug)]
pub(super) struct Bridge;

fn bridge_name(ctx: &Context, ep: &Endpoint) -> String {
    let name = ctx.network_name(ep);
    if name == "bridge" {
        "docker0".into()
    } else {
        format!("br-{name}")
    }
}

/// `internal: true` on a Linux bridge (see the module comment). The flag means nothing
/// on Windows, where the validator refuses it.
fn internal(ctx: &Context, ep: &Endpoint) -> bool {
    ctx.network(ep).is_some_and(|n| n.internal)
        && ep.host.is_some_and(|h| !ctx.host(h).is_windows())
}

fn internal_deny(ctx: &Context, ep: &Endpoint, why: String) -> Denial {
    Denial::new(
        DenyReason::NoRoute,
        format!("{} iptables", host_label(ctx, ep)),
        why,
        &["EXT-10", "LNX-1"],
    )
}

/// The routed Linux bridge (its network's name and bridge device) of `dst`'s container
/// that carries the container's port mappings when `dst` is on an internal network:
/// libnetwork programs external connectivity on the sandbox's gateway endpoint only,
/// which is never an internal one.
fn mapping_carrier(ctx: &Context, dst: &Endpoint) -> Option<(String, String)> {
    ctx.parties.nodes_of_container(dst.container).find_map(|i| {
        let Party::Endpoint(k) = ctx.parties.party[i] else {
            return None;
        };
        let e = &ctx.parties.endpoints[k];
        let routed = e.driver == Driver::Bridge && !internal(ctx, e) && e.ip.is_some();
        (e.index != dst.index && e.running && routed)
            .then(|| (ctx.network_name(e).to_string(), bridge_name(ctx, e)))
    })
}

/// Why a container alone on an internal network of Engine 25 or later sends nothing off
/// its subnet (see the module comment).
fn no_default_route(ctx: &Context, ep: &Endpoint) -> Denial {
    let net = ctx.network(ep);
    let gateway = net
        .and_then(|n| n.gateway)
        .map_or_else(|| "its gateway address".to_string(), |g| g.to_string());
    Denial::new(
        DenyReason::NoRoute,
        format!("{SRC_NAME} routing table"),
        format!(
            "network {} is internal and the host runs Docker Engine 25 or later: the container has no default route, only its subnet's; of the host's addresses only the bridge's {gateway} answers it",
            ctx.network_name(ep)
        ),
        &["EXT-10", "LNX-1"],
    )
}

/// The host itself through the bridge gateway, and every NIC with MASQUERADE (a Linux
/// bridge, and overlay's docker_gwbridge).
pub(super) fn masquerade_exits(
    ctx: &Context,
    src: &Endpoint,
    bridge: &str,
    facts: &[&str],
) -> Vec<Exit> {
    let at = format!("{}/{bridge}", host_label(ctx, src));
    let to_stack = vec![hop(
        &at,
        Mechanism::LinuxBridge,
        format!("through {bridge} to the host's gateway address"),
        facts,
    )];
    let out_of = |nic: &hnsim_model::Nic| {
        vec![
            hop(
                &at,
                Mechanism::LinuxBridge,
                format!("through {bridge} to the host"),
                facts,
            ),
            hop(
                format!("{} iptables", host_label(ctx, src)),
                Mechanism::Masquerade,
                format!("MASQUERADE to {} out of {}", nic.ip.addr(), nic.name),
                facts,
            ),
        ]
    };
    snat_exits(ctx, src, Some(to_stack), out_of, false)
}

impl DriverRules for Bridge {
    fn same_network(&self, ctx: &Context, a: &Endpoint, b: &Endpoint, probe: Probe) -> Answer {
        if let Some(x) = icc_disabled(ctx, a, b, probe) {
            return x;
        }
        let via = hop(
            format!("{}/{}", host_label(ctx, a), bridge_name(ctx, a)),
            Mechanism::LinuxBridge,
            "bridged by the Linux bridge",
            &["EXT-10", "LNX-1"],
        );
        bridged(ctx, a, b, probe, via)
    }

    fn exits(&self, ctx: &Context, src: &Endpoint, _dst: Party, _probe: Probe) -> Vec<Exit> {
        let mut out = masquerade_exits(ctx, src, &bridge_name(ctx, src), &["EXT-10", "LNX-1"]);
        if !internal(ctx, src) {
            return out;
        }
        let gateway_route = src
            .host
            .is_none_or(|h| ctx.host(h).docker.internal_network_is_gateway());
        if !gateway_route {
            // Engine 25 and later: the container has its subnet's route only, so nothing
            // off the subnet is sent, the host's own addresses included.
            let deny = no_default_route(ctx, src);
            for e in &mut out {
                e.hops.clear();
                e.block = Some(deny.clone());
            }
            return out;
        }
        let deny = internal_deny(
            ctx,
            src,
            format!(
                "network {} is internal: Docker drops forwarded traffic leaving its subnet and has no MASQUERADE rule for it",
                ctx.network_name(src)
            ),
        );
        for e in out
            .iter_mut()
            .filter(|e| !matches!(e.at, Point::HostStack(_)))
        {
            // Up to the bridge; the iptables hop never happens.
            e.hops.truncate(2);
            e.block = Some(deny.clone());
        }
        out
    }

    fn entries(&self, ctx: &Context, dst: &Endpoint, probe: Probe) -> Vec<Entry> {
        let Some(h) = dst.host else { return vec![] };
        let host = ctx.host(h);
        let br = format!("{}/{}", host.name, bridge_name(ctx, dst));
        let iptables = format!("{} iptables", host.name);
        let is_internal = internal(ctx, dst);
        let mut route_in = hop(
            &br,
            Mechanism::LinuxBridge,
            "the host routes the bridge subnet onto the bridge",
            &["EXT-10"],
        );
        let loopback = dst
            .published
            .iter()
            .filter(|p| p.loopback_only())
            .find_map(|p| p.host_port(probe));
        if let (Some(port), false) = (loopback, is_internal) {
            route_in.detail.push_str(&format!(
                "; localhost:{port} also works from this host (published on its loopback only)"
            ));
        }
        let mut out = Vec::new();
        let isolated = Denial::new(
            DenyReason::IsolatedNetwork,
            &iptables,
            "two different Docker bridges are isolated from each other (DOCKER-ISOLATION rules)",
            &["EXT-10"],
        );
        let remote = Denial::new(
            DenyReason::NatNoInbound,
            &iptables,
            format!(
                "a bridge container's IP is not routed from outside {}: publish a port",
                host.name
            ),
            &["EXT-10", "LNX-1"],
        );
        out.extend(container_ip_entry(
            ctx,
            (dst, probe),
            vec![route_in],
            (isolated, remote),
            not_listening(dst, probe),
        ));
        // An internal attachment has no port mapping of its own; the container's
        // mappings are programmed on its routed bridge, and reach it there.
        // Where a published port leads: the endpoint's own address, or for an internal
        // attachment (which has no mapping of its own) the container's address on the
        // routed bridge its mappings are programmed on; `None`: nowhere.
        let mapped_to: Option<(Option<String>, String)> = if is_internal {
            mapping_carrier(ctx, dst).map(|(net, bridge)| (Some(net), bridge))
        } else {
            Some((None, bridge_name(ctx, dst)))
        };
        for (nic, seg) in ctx.host_nics(h) {
            let ip = nic.ip.addr();
            let published = dst
                .published
                .iter()
                .filter(|p| p.binds(ip))
                .find_map(|p| p.host_port(probe));
            let arrive = arrive(ctx, h, nic, "host address", &["EXT-10"]);
            let e = match (published, probe.port(), &mapped_to) {
                (Some(port), Some(to), Some((via, bridge))) => {
                    let mut deliver = dst_deliver(ctx, dst, probe);
                    let (dnat, facts): (String, &[&str]) = match via {
                        None => (format!("DNAT {ip}:{port} -> {DST_IP}:{to}"), &["EXT-10"]),
                        Some(net) => {
                            deliver.detail = format!(
                                "{probe} delivered to the container through its {net} attachment"
                            );
                            (
                                format!(
                                    "DNAT {ip}:{port} -> the container's address on {net}, port {to}: Docker programs a container's port mappings on the network that is its gateway, never on an internal one"
                                ),
                                &["EXT-10", "LNX-1"],
                            )
                        }
                    };
                    let mut e = address_entry(
                        h,
                        seg,
                        AddressKind::HostPort,
                        ip,
                        Some(port),
                        vec![
                            arrive,
                            hop(&iptables, Mechanism::Dnat, dnat, facts),
                            hop(
                                format!("{}/{bridge}", host.name),
                                Mechanism::LinuxBridge,
                                "forwarded onto the bridge",
                                &["EXT-10"],
                            ),
                            deliver,
                        ],
                    );
                    e.published = true;
                    e.block = not_listening(dst, probe);
                    e
                }
                (published, port, _) => {
                    let mut e = address_entry(h, seg, AddressKind::HostIp, ip, port, vec![arrive]);
                    e.block = Some(if published.is_some() {
                        internal_deny(
                            ctx,
                            dst,
                            format!(
                                "network {} is internal: Docker programs no port mapping for it, and drops forwarded traffic from outside its subnet",
                                ctx.network_name(dst)
                            ),
                        )
                    } else {
                        not_published(dst, probe, ip, &iptables, &host.name)
                    });
                    e
                }
            };
            out.push(e);
        }
        out
    }

    /// EXT-10: user-defined bridges resolve container names; the default bridge does
    /// not.
    fn name_resolution(&self, ctx: &Context, src: &Endpoint, dst: &Endpoint) -> Option<Facts> {
        let linux = dst.host.is_some_and(|h| !ctx.host(h).is_windows());
        (linux && src.network == dst.network && ctx.network_name(dst) != "bridge")
            .then_some(&["EXT-10", "DNS-1"])
    }

    /// Linux bridge ports: modelled on Docker Engine 20.10-28 with `userland-proxy` on
    /// (the default; the model has no setting for it). The nat `DOCKER` chain starts
    /// with `-i <bridge> -j RETURN` for every Docker bridge, so a packet from any
    /// container to a host address is not DNATed: it reaches the host's INPUT, where
    /// docker-proxy listens on the mapping's address and opens its own connection to the
    /// container. That never crosses FORWARD, so the DOCKER-ISOLATION rules do not apply
    /// and a container on another bridge reaches the port too (EXT-10). This was checked
    /// on Docker 20.10.24: bridge A to host-IP:port published by a container on bridge B
    /// answered, bridge A to B's container IP timed out, and a port bound to 127.0.0.1
    /// refused the connection. moby/moby#38784 and moby/moby#49577 (Docker 28) describe
    /// the same: with the proxy the packet bypasses isolation; with
    /// `userland-proxy: false` it is DNATed and dropped by DOCKER-ISOLATION-STAGE-2. An
    /// `internal` network has no RETURN rule and drops the DNATed packet (its exits are
    /// blocked before this point).
    fn hairpin(&self, ctx: &Context, exit: &Exit, entry: &Entry) -> Answer {
        crate::fabric::hairpin::through_host(ctx, exit, entry, true)
    }
}

/// Why `probe` of `dst` does not pass host address `ip`: ICMP is the host's own; a TCP
/// or UDP port is published elsewhere or not at all.
fn not_published(
    dst: &Endpoint,
    probe: Probe,
    ip: std::net::IpAddr,
    at: &str,
    host: &str,
) -> Denial {
    if probe == Probe::Icmp {
        return Denial::new(
            DenyReason::NatNoInbound,
            at,
            "ICMP is answered by the host itself; only TCP/UDP ports can be published to a container",
            &["EXT-10"],
        );
    }
    let elsewhere = dst
        .published
        .iter()
        .find(|p| !p.binds(ip) && p.host_port(probe).is_some())
        .and_then(|p| p.host_ip);
    let why = match elsewhere {
        Some(bound) if bound.is_loopback() => format!(
            "{probe} of {DST_NAME} is published on {bound} only: reachable from {host} itself by localhost, not on {ip}"
        ),
        Some(bound) => format!("{probe} of {DST_NAME} is published on {bound} only, not on {ip}"),
        None => format!("{probe} of {DST_NAME} is not published on {host}"),
    };
    Denial::new(DenyReason::NotPublished, at, why, &["EXT-10"])
}
