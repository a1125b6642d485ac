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

use super::checks::{host_icmp_block, icc_disabled};
use super::hops::{bridged, dst_deliver, not_listening};
use super::through_host::{arrive, container_ip_entry, snat_exits};
use super::{DriverRules, Facts};
use crate::answer::{hop, Answer, Denial, DST_IP, DST_NAME};
use crate::context::Context;
use crate::fabric::hosts::address_entry;
use crate::fabric::{Entry, Exit};
use crate::matrix::{AddressKind, DenyReason, Hop, Mechanism, Probe};
use crate::nodes::{Endpoint, Party};

#[derive(Debug)]
pub(super) struct Nat;

/// The hop across a NAT network's internal vSwitch.
fn internal_vswitch(ctx: &Context, ep: &Endpoint, detail: &str, facts: &[&str]) -> Hop {
    hop(ctx.vswitch_at(ep), Mechanism::VswitchBridge, detail, facts)
}

impl DriverRules for Nat {
    fn same_network(&self, ctx: &Context, a: &Endpoint, b: &Endpoint, probe: Probe) -> Answer {
        if let Some(x) = icc_disabled(ctx, a, b, probe) {
            return x;
        }
        let via = internal_vswitch(
            ctx,
            a,
            "bridged in the internal vSwitch of the NAT network",
            &["NAT-5", "MAT-1"],
        );
        bridged(ctx, a, b, probe, via)
    }

    fn exits(&self, ctx: &Context, src: &Endpoint, _dst: Party, _probe: Probe) -> Vec<Exit> {
        let Some(h) = src.host else { return vec![] };
        let host = ctx.host(h);
        let gw = ctx
            .network(src)
            .and_then(|n| n.gateway)
            .map(|g| g.to_string())
            .unwrap_or_else(|| "the gateway".into());
        let bridge = || internal_vswitch(ctx, src, "bridged in the internal vSwitch", &["NAT-5"]);
        let to_stack = vec![
            bridge(),
            hop(
                format!("{} host vNIC", host.name),
                Mechanism::ManagementVnic,
                format!("to the host vNIC {gw}, the NAT network's gateway"),
                &["NAT-7"],
            ),
        ];
        let out_of = |nic: &hnsim_model::Nic| {
            vec![
                bridge(),
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
            ]
        };
        snat_exits(ctx, src, Some(to_stack), out_of, true)
    }

    fn entries(&self, ctx: &Context, dst: &Endpoint, probe: Probe) -> Vec<Entry> {
        let Some(h) = dst.host else { return vec![] };
        let host = ctx.host(h);
        let bridge = || internal_vswitch(ctx, dst, "bridged in the internal vSwitch", &["NAT-5"]);
        // From the host's own stack, by container IP (NAT-12).
        let published_here = dst.published.iter().find_map(|p| p.host_port(probe));
        let mut route_in = hop(
            format!("{} host vNIC", host.name),
            Mechanism::ManagementVnic,
            "the host routes the container's prefix into the internal vSwitch",
            &["NAT-12"],
        );
        if let Some(port) = published_here {
            let loopback = if host.os.supports_nat_localhost_loopback() {
                format!(
                    "also works from this host ({} has WinNAT loopback)",
                    host.os
                )
            } else {
                format!(
                    "does not work from this host ({}: no WinNAT loopback)",
                    host.os
                )
            };
            route_in
                .detail
                .push_str(&format!("; localhost:{port} {loopback}"));
            route_in.facts.push("EXT-2".into());
        }
        let winnat = format!("{} WinNAT", host.name);
        let mut out = Vec::new();
        let isolated = Denial::new(
            DenyReason::IsolatedNetwork,
            &winnat,
            format!(
                "separate NAT networks on one host are isolated by container IP; {DST_NAME} is only reachable through a published port"
            ),
            &["EXT-3", "NAT-6"],
        );
        let remote = Denial::new(
            DenyReason::NatNoInbound,
            &winnat,
            format!(
                "a NAT container's IP and port are reachable only from its own host ({})",
                host.name
            ),
            &["NAT-12", "NAT-8"],
        );
        let block = host_icmp_block(ctx, dst, probe).or_else(|| not_listening(dst, probe));
        out.extend(container_ip_entry(
            ctx,
            (dst, probe),
            vec![route_in, bridge()],
            (isolated, remote),
            block,
        ));
        // From anywhere that reaches a host address: a port mapping (NAT-8, NAT-9).
        for (nic, seg) in ctx.host_nics(h) {
            let ip = nic.ip.addr();
            let arrive = arrive(ctx, h, nic, "host address", &["NAT-8"]);
            let mut e = match (probe.port(), published_here) {
                (Some(to), Some(port)) => {
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
                        &winnat,
                        Mechanism::WinNatPortMapping,
                        format!("static mapping {ip}:{port} -> {DST_IP}:{to}"),
                        &["NAT-8", "NAT-9"],
                    ));
                    hops.push(bridge());
                    hops.push(dst_deliver(ctx, dst, probe));
                    let mut e = address_entry(h, seg, AddressKind::HostPort, ip, Some(port), hops);
                    e.published = true;
                    e.block = not_listening(dst, probe);
                    e
                }
                (port, _) => {
                    let mut e = address_entry(h, seg, AddressKind::HostIp, ip, port, vec![arrive]);
                    e.block = Some(match port {
                        None => Denial::new(
                            DenyReason::NatNoInbound,
                            &winnat,
                            "ICMP cannot be port-mapped (mappings are TCP or UDP only): the echo is answered by the host, never forwarded to a container",
                            &["NAT-8", "EXT-7"],
                        ),
                        Some(_) => Denial::new(
                            DenyReason::NotPublished,
                            &winnat,
                            format!("{probe} of {DST_NAME} is not published on {}: from outside its host a NAT container is reachable only through a port mapping", host.name),
                            &["NAT-8", "NAT-9"],
                        ),
                    });
                    e
                }
            };
            e.vswitch = ctx.nic_vswitch(h, &nic.name);
            out.push(e);
        }
        out
    }

    /// DNS-2: a NAT network resolves names on the local host only (global with
    /// Docker EE is not modelled for NAT: the cell's address would be a host port).
    fn name_resolution(&self, ctx: &Context, src: &Endpoint, dst: &Endpoint) -> Option<Facts> {
        let windows = dst.host.is_some_and(|h| ctx.host(h).is_windows());
        (windows && src.network == dst.network && src.host == dst.host)
            .then_some(&["DNS-1", "DNS-2"])
    }
}
