//! Linux bridge (LNX-1, EXT-10): docker0 or a user-defined bridge per network.
//!
//! - same network: through the Linux bridge (EXT-10); `enable_icc=false` stops it;
//! - out: to the host through the bridge's gateway address; elsewhere MASQUERADE to
//!   the host's address;
//! - in: container IP from the host itself; two different bridges are isolated
//!   (EXT-10); from elsewhere only through a published port (DNAT, EXT-10).

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
        masquerade_exits(cx, src, &bridge_name(cx, src), &["EXT-10", "LNX-1"])
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
        out.push(stack);
        let published = dst.published.iter().find_map(|p| p.host_port(probe));
        for nic in &host.nics {
            let Some(seg) = cx.w.segment_index(&nic.segment) else {
                continue;
            };
            let ip = nic.ip.addr();
            let arrive = hop(
                format!("{} NIC {}", host.name, nic.name),
                Mechanism::HostStack,
                format!("arrives at the host address {ip}"),
                &["EXT-10"],
            );
            let mut e = match published {
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
                    e.block = not_listening(dst, probe);
                    e
                }
                None => {
                    let mut e = Entry::new(
                        At::Seg { seg, vlan: None },
                        AddrT::fixed(AddressKind::HostIp, Some(ip), None),
                        vec![arrive],
                    );
                    e.block = Some(if probe == Probe::Icmp {
                        Deny::new(
                            DenyReason::NatNoInbound,
                            format!("{} iptables", host.name),
                            "ICMP is answered by the host itself; only TCP/UDP ports can be published to a container",
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
