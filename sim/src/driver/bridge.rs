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
//! applies to Linux bridges). Modelled on Docker Engine 20.10-27 (libnetwork's bridge
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

use super::*;
use crate::fabric::{At, StackOnly};
use crate::graph::is_public;
use crate::matrix::AddressKind;

pub struct Bridge;

fn bridge_name(cx: &Cx, ep: &Ep) -> String {
    let name = cx.net_name(ep);
    if name == "bridge" {
        "docker0".into()
    } else {
        format!("br-{name}")
    }
}

/// `internal: true` on a Linux bridge (see the module comment). The flag means nothing
/// on Windows, where the validator refuses it.
fn internal(cx: &Cx, ep: &Ep) -> bool {
    ep.net.is_some_and(|n| cx.d().scenario.networks[n].internal)
        && ep.host.is_some_and(|h| !cx.host(h).is_windows())
}

fn internal_deny(cx: &Cx, ep: &Ep, why: String) -> Deny {
    Deny::new(
        DenyReason::NoRoute,
        format!("{} iptables", host_label(cx, ep)),
        why,
        &["EXT-10", "LNX-1"],
    )
}

/// The host itself through the bridge gateway, and every NIC with MASQUERADE.
pub fn masquerade_exits(cx: &Cx, src: &Ep, bridge: &str, facts: &[&str]) -> Vec<Exit> {
    let Some(h) = src.host else { return vec![] };
    let host = cx.host(h);
    let at = format!("{}/{bridge}", host.name);
    let mut out = Vec::new();
    let mut local = Exit::new(
        At::Stack(h),
        vec![
            src_vnic(cx, src),
            hop(
                &at,
                Mechanism::LinuxBridge,
                format!("through {bridge} to the host's gateway address"),
                facts,
            ),
        ],
    );
    local.host = Some(h);
    out.push(local);
    for nic in &host.nics {
        let Some(seg) = cx.w.segment_index(&nic.segment) else {
            continue;
        };
        let mut e = Exit::new(
            At::Seg { seg, vlan: None },
            vec![
                src_vnic(cx, src),
                hop(
                    &at,
                    Mechanism::LinuxBridge,
                    format!("through {bridge} to the host"),
                    facts,
                ),
                hop(
                    format!("{} iptables", host.name),
                    Mechanism::Masquerade,
                    format!("MASQUERADE to {} out of {}", nic.ip.addr(), nic.name),
                    facts,
                ),
            ],
        );
        e.host = Some(h);
        e.snat_host = Some(h);
        out.push(e);
    }
    out
}

impl DriverRules for Bridge {
    fn same_network(&self, cx: &Cx, a: &Ep, b: &Ep, probe: Probe) -> Answer {
        if let Some(x) = icc_disabled(cx, a, b, probe) {
            return x;
        }
        bridged(
            cx,
            a,
            b,
            probe,
            hop(
                format!("{}/{}", host_label(cx, a), bridge_name(cx, a)),
                Mechanism::LinuxBridge,
                "bridged by the Linux bridge",
                &["EXT-10", "LNX-1"],
            ),
        )
    }

    fn exits(&self, cx: &Cx, src: &Ep, _dst: Who, _probe: Probe) -> Vec<Exit> {
        let mut out = masquerade_exits(cx, src, &bridge_name(cx, src), &["EXT-10", "LNX-1"]);
        if internal(cx, src) {
            let deny = internal_deny(
                cx,
                src,
                format!(
                    "network {} is internal: Docker drops forwarded traffic leaving its subnet and has no MASQUERADE rule for it",
                    cx.net_name(src)
                ),
            );
            for e in out.iter_mut().filter(|e| !matches!(e.at, At::Stack(_))) {
                // Up to the bridge; the iptables hop never happens.
                e.hops.truncate(2);
                e.block = Some(deny.clone());
            }
        }
        out
    }

    fn entries(&self, cx: &Cx, dst: &Ep, probe: Probe) -> Vec<Entry> {
        let Some(h) = dst.host else { return vec![] };
        let host = cx.host(h);
        let br = format!("{}/{}", host.name, bridge_name(cx, dst));
        let deliver = dst_deliver(cx, dst, probe);
        let mut out = Vec::new();
        let mut stack = Entry::new(
            At::Stack(h),
            container_addr(probe),
            vec![
                hop(
                    &br,
                    Mechanism::LinuxBridge,
                    "the host routes the bridge subnet onto the bridge",
                    &["EXT-10"],
                ),
                deliver.clone(),
            ],
        );
        stack.stack_only = Some(StackOnly {
            remote_via_host_ip: true,
            host: h,
            same_host: Deny::new(
                DenyReason::IsolatedNetwork,
                format!("{} iptables", host.name),
                "two different Docker bridges are isolated from each other (DOCKER-ISOLATION rules)",
                &["EXT-10"],
            ),
            remote: Deny::new(
                DenyReason::NatNoInbound,
                format!("{} iptables", host.name),
                format!("a bridge container's IP is not routed from outside {}: publish a port", host.name),
                &["EXT-10", "LNX-1"],
            ),
        });
        stack.block = not_listening(dst, probe);
        stack.host = Some(h);
        let is_internal = internal(cx, dst);
        let loopback = dst
            .published
            .iter()
            .filter(|p| p.loopback_only())
            .find_map(|p| p.host_port(probe));
        if let (Some(port), false) = (loopback, is_internal) {
            if let Some(h0) = stack.hops.first_mut() {
                h0.detail.push_str(&format!(
                    "; localhost:{port} also works from this host (published on its loopback only)"
                ));
            }
        }
        out.push(stack);
        for nic in &host.nics {
            let Some(seg) = cx.w.segment_index(&nic.segment) else {
                continue;
            };
            let ip = nic.ip.addr();
            let published = dst
                .published
                .iter()
                .filter(|p| p.binds(ip))
                .find_map(|p| p.host_port(probe));
            let elsewhere = dst
                .published
                .iter()
                .find(|p| !p.binds(ip) && p.host_port(probe).is_some())
                .and_then(|p| p.host_ip);
            let arrive = hop(
                format!("{} NIC {}", host.name, nic.name),
                Mechanism::HostStack,
                format!("arrives at the host address {ip}"),
                &["EXT-10"],
            );
            let mut e = match published {
                Some(_) if is_internal => {
                    let mut e = Entry::new(
                        At::Seg { seg, vlan: None },
                        AddrT::fixed(
                            AddressKind::HostIp,
                            Some(ip),
                            crate::fabric::probe_port(probe),
                        ),
                        vec![arrive],
                    );
                    e.block = Some(internal_deny(
                        cx,
                        dst,
                        format!(
                            "network {} is internal: Docker programs no port mapping for it, and drops forwarded traffic from outside its subnet",
                            cx.net_name(dst)
                        ),
                    ));
                    e
                }
                Some(port) => {
                    let mut e = Entry::new(
                        At::Seg { seg, vlan: None },
                        AddrT::fixed(AddressKind::HostPort, Some(ip), Some(port)),
                        vec![
                            arrive,
                            hop(
                                format!("{} iptables", host.name),
                                Mechanism::Dnat,
                                format!(
                                    "DNAT {ip}:{port} -> {DST_IP}:{}",
                                    super::nat::probe_port(probe)
                                ),
                                &["EXT-10"],
                            ),
                            hop(
                                &br,
                                Mechanism::LinuxBridge,
                                "forwarded onto the bridge",
                                &["EXT-10"],
                            ),
                            deliver.clone(),
                        ],
                    );
                    e.published = true;
                    e.proxied = true;
                    e.block = not_listening(dst, probe);
                    e
                }
                None => {
                    let mut e = Entry::new(
                        At::Seg { seg, vlan: None },
                        AddrT::fixed(
                            AddressKind::HostIp,
                            Some(ip),
                            crate::fabric::probe_port(probe),
                        ),
                        vec![arrive],
                    );
                    e.block = Some(if probe == Probe::Icmp {
                        Deny::new(
                            DenyReason::NatNoInbound,
                            format!("{} iptables", host.name),
                            "ICMP is answered by the host itself; only TCP/UDP ports can be published to a container",
                            &["EXT-10"],
                        )
                    } else if let Some(bound) = elsewhere {
                        Deny::new(
                            DenyReason::NotPublished,
                            format!("{} iptables", host.name),
                            if bound.is_loopback() {
                                format!("{probe} of {DST_NAME} is published on {bound} only: reachable from {} itself by localhost, not on {ip}", host.name)
                            } else {
                                format!("{probe} of {DST_NAME} is published on {bound} only, not on {ip}")
                            },
                            &["EXT-10"],
                        )
                    } else {
                        Deny::new(
                            DenyReason::NotPublished,
                            format!("{} iptables", host.name),
                            format!("{probe} of {DST_NAME} is not published on {}", host.name),
                            &["EXT-10"],
                        )
                    });
                    e
                }
            };
            e.owner_host = Some(h);
            e.public = is_public(ip);
            e.host = Some(h);
            out.push(e);
        }
        out
    }
}
