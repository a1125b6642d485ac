//! nat (NAT-1..13, EXT-1..3, EXT-5, EXT-7): an internal vSwitch per NAT network,
//! WinNAT behind the host's management vNIC.
//!
//! - same network: bridged in the internal vSwitch (NAT-5);
//! - out: to the host itself through the host vNIC that is the network's gateway;
//!   anywhere else routed through the management vNIC and source-translated by WinNAT
//!   to the host's address (NAT-7);
//! - in: the container IP only from its own host's stack (NAT-12); from other NAT
//!   networks on the same host never (NAT-6, EXT-3); from anywhere else only through a
//!   TCP/UDP port mapping on the host's IP (NAT-8, NAT-9, EXT-7), which opens a
//!   host-wide firewall rule (NAT-10).
//!
//! Options Windows refuses change nothing here: the validator reports them (OPT-6,
//! EXT-6, EXT-7). `internal` is ignored (the network behaves as a plain NAT network),
//! and a mapping with a host IP is not created at all (Docker on Windows fails it), so
//! the port is unpublished.

use super::*;
use crate::fabric::{At, StackOnly};
use crate::graph::is_public;
use crate::matrix::AddressKind;

pub struct Nat;

impl DriverRules for Nat {
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
                super::super::fabric::vswitch_at(cx, a),
                Mechanism::VswitchBridge,
                "bridged in the internal vSwitch of the NAT network",
                &["NAT-5", "MAT-1"],
            ),
        )
    }

    fn exits(&self, cx: &Cx, src: &Ep, _dst: Who, _probe: Probe) -> Vec<Exit> {
        let Some(h) = src.host else { return vec![] };
        let host = cx.host(h);
        let net = &cx.d().scenario.networks[src.net.unwrap_or(0)];
        let gw = net
            .gateway
            .map(|g| g.to_string())
            .unwrap_or_else(|| "the gateway".into());
        let vs = crate::fabric::vswitch_at(cx, src);
        let mut out = Vec::new();
        let mut local = Exit::new(
            At::Stack(h),
            vec![
                src_vnic(cx, src),
                hop(
                    &vs,
                    Mechanism::VswitchBridge,
                    "bridged in the internal vSwitch",
                    &["NAT-5"],
                ),
                hop(
                    format!("{} host vNIC", host.name),
                    Mechanism::ManagementVnic,
                    format!("to the host vNIC {gw}, the NAT network's gateway"),
                    &["NAT-7"],
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
                        &vs,
                        Mechanism::VswitchBridge,
                        "bridged in the internal vSwitch",
                        &["NAT-5"],
                    ),
                    hop(
                        format!("{} management vNIC", host.name),
                        Mechanism::ManagementVnic,
                        format!("routed through the management vNIC ({gw})"),
                        &["NAT-7"],
                    ),
                    hop(
                        format!("{} WinNAT", host.name),
                        Mechanism::WinNat,
                        format!(
                            "source address translated to {} and sent out of {}",
                            nic.ip.addr(),
                            nic.name
                        ),
                        &["NAT-7", "MAT-1", "MAT-2"],
                    ),
                ],
            );
            e.host = Some(h);
            e.snat_host = Some(h);
            e.vswitch = cx.nic_vswitch(h, &nic.name);
            out.push(e);
        }
        out
    }

    fn entries(&self, cx: &Cx, dst: &Ep, probe: Probe) -> Vec<Entry> {
        let Some(h) = dst.host else { return vec![] };
        let host = cx.host(h);
        let vs = crate::fabric::vswitch_at(cx, dst);
        let mut out = Vec::new();
        let deliver = dst_deliver(cx, dst, probe);
        // From the host's own stack, by container IP (NAT-12).
        let published_here = dst.published.iter().find_map(|p| p.host_port(probe));
        let mut route_in = hop(
            format!("{} host vNIC", host.name),
            Mechanism::ManagementVnic,
            "the host routes the container's prefix into the internal vSwitch",
            &["NAT-12"],
        );
        if let Some(port) = published_here {
            if host.os.supports_nat_localhost_loopback() {
                route_in.detail.push_str(&format!(
                    "; localhost:{port} also works from this host ({} has WinNAT loopback)",
                    host.os
                ));
            } else {
                route_in.detail.push_str(&format!(
                    "; localhost:{port} does not work from this host ({}: no WinNAT loopback)",
                    host.os
                ));
            }
            route_in.facts.push("EXT-2".into());
        }
        let mut stack = Entry::new(
            At::Stack(h),
            container_addr(probe),
            vec![
                route_in,
                hop(
                    &vs,
                    Mechanism::VswitchBridge,
                    "bridged in the internal vSwitch",
                    &["NAT-5"],
                ),
                deliver.clone(),
            ],
        );
        stack.stack_only = Some(StackOnly {
            remote_via_host_ip: true,
            host: h,
            same_host: Deny::new(
                DenyReason::IsolatedNetwork,
                format!("{} WinNAT", host.name),
                format!(
                    "separate NAT networks on one host are isolated by container IP; {DST_NAME} is only reachable through a published port"
                ),
                &["EXT-3", "NAT-6"],
            ),
            remote: Deny::new(
                DenyReason::NatNoInbound,
                format!("{} WinNAT", host.name),
                format!("a NAT container's IP and port are reachable only from its own host ({})", host.name),
                &["NAT-12", "NAT-8"],
            ),
        });
        stack.block = host_icmp_block(cx, dst, probe).or_else(|| not_listening(dst, probe));
        stack.host = Some(h);
        out.push(stack);
        // From anywhere that reaches a host address: a port mapping (NAT-8, NAT-9).
        for nic in &host.nics {
            let Some(seg) = cx.w.segment_index(&nic.segment) else {
                continue;
            };
            let ip = nic.ip.addr();
            let arrive = hop(
                format!("{} NIC {}", host.name, nic.name),
                Mechanism::HostStack,
                format!("arrives at the host address {ip}"),
                &["NAT-8"],
            );
            let mut e = match (probe, published_here) {
                (Probe::Icmp, _) => {
                    let mut e = Entry::new(
                        At::Seg { seg, vlan: None },
                        AddrT::fixed(
                            AddressKind::HostIp,
                            Some(ip),
                            crate::fabric::probe_port(probe),
                        ),
                        vec![arrive],
                    );
                    e.block = Some(Deny::new(
                        DenyReason::NatNoInbound,
                        format!("{} WinNAT", host.name),
                        "ICMP cannot be port-mapped (mappings are TCP or UDP only): the echo is answered by the host, never forwarded to a container",
                        &["NAT-8", "EXT-7"],
                    ));
                    e
                }
                (_, None) => {
                    let mut e = Entry::new(
                        At::Seg { seg, vlan: None },
                        AddrT::fixed(
                            AddressKind::HostIp,
                            Some(ip),
                            crate::fabric::probe_port(probe),
                        ),
                        vec![arrive],
                    );
                    e.block = Some(Deny::new(
                        DenyReason::NotPublished,
                        format!("{} WinNAT", host.name),
                        format!("{probe} of {DST_NAME} is not published on {}: from outside its host a NAT container is reachable only through a port mapping", host.name),
                        &["NAT-8", "NAT-9"],
                    ));
                    e
                }
                (_, Some(port)) => {
                    let mut hops = vec![arrive];
                    if host.os.port_mapping_creates_firewall_rule() {
                        hops.push(hop(
                            format!("{} firewall", host.name),
                            Mechanism::HostFirewall,
                            format!("allowed by the host-wide firewall rule the mapping of port {port} created"),
                            &["NAT-10"],
                        ));
                    }
                    hops.push(hop(
                        format!("{} WinNAT", host.name),
                        Mechanism::WinNatPortMapping,
                        format!(
                            "static mapping {ip}:{port} -> {DST_IP}:{}",
                            probe_port(probe)
                        ),
                        &["NAT-8", "NAT-9"],
                    ));
                    hops.push(hop(
                        &vs,
                        Mechanism::VswitchBridge,
                        "bridged in the internal vSwitch",
                        &["NAT-5"],
                    ));
                    hops.push(deliver.clone());
                    let mut e = Entry::new(
                        At::Seg { seg, vlan: None },
                        AddrT::fixed(AddressKind::HostPort, Some(ip), Some(port)),
                        hops,
                    );
                    e.published = true;
                    e.block = not_listening(dst, probe);
                    e
                }
            };
            e.owner_host = Some(h);
            e.vswitch = cx.nic_vswitch(h, &nic.name);
            e.public = is_public(ip);
            e.host = Some(h);
            out.push(e);
        }
        out
    }
}

pub fn probe_port(p: Probe) -> u16 {
    match p {
        Probe::Icmp => 0,
        Probe::Tcp(x) | Probe::Udp(x) => x,
    }
}
