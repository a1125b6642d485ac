//! overlay (OVL-1..5, EXT-4 on Windows; LNX-3 on Linux): one swarm-scoped network
//! across hosts.
//!
//! - same host: bridged (Windows vSwitch / Linux overlay bridge) (OVL-2);
//! - across hosts: VXLAN encapsulation in VFP (Windows) or the kernel (Linux), routed
//!   via the management vNIC over the hosts' underlay (OVL-2, LNX-3);
//! - out: WS2019+ VFP NAT, TCP/UDP only, ICMP lost (OVL-3); WS2016 only through a
//!   second endpoint on a NAT network (OVL-3); Linux through docker_gwbridge with
//!   MASQUERADE;
//! - in: the overlay subnet is reachable only from the overlay; a swarm service's
//!   published ports come in through the routing mesh (see [`mesh_entries`]).

mod mesh;

use super::bridge::masquerade_exits;
use super::hops::{bridged, container_addr, denied_at_src, finish, host_label, src_vnic};
use super::through_host::snat_exits;
use super::{DriverRules, Facts};
use crate::answer::{hop, Answer, Denial, SRC_NAME};
use crate::context::Context;
use crate::fabric::{Entry, Exit, Point, StackOnly};
use crate::matrix::{DenyReason, Hop, Mechanism, Probe};
use crate::nodes::{Endpoint, Party};
use hnsim_model::Driver;

#[derive(Debug)]
pub(super) struct Overlay;

fn windows(ctx: &Context, ep: &Endpoint) -> bool {
    ep.host.is_some_and(|h| ctx.host(h).is_windows())
}

fn vni_text(ctx: &Context, ep: &Endpoint) -> String {
    match ep
        .network
        .and_then(|n| ctx.design.scenario.networks.get(n))
        .and_then(|n| n.vni())
    {
        Some(v) => format!("VNI {v}"),
        None if windows(ctx, ep) => "the VNI swarm assigned (>= 4096 on Windows)".into(),
        None => "the VNI swarm assigned".into(),
    }
}

/// OVL-4: the update a Windows host needs for overlay networking, when it lacks it.
fn missing_update(ctx: &Context, h: usize) -> Option<&'static str> {
    let host = ctx.host(h);
    let kb = match host.os {
        hnsim_model::OsVersion::Ws2016 => "KB4015217",
        hnsim_model::OsVersion::Ws2019 => "KB4489899",
        _ => return None,
    };
    let norm = |s: &str| {
        s.trim()
            .trim_start_matches(['K', 'k', 'B', 'b'])
            .to_string()
    };
    (!host.updates.iter().any(|u| norm(u) == norm(kb))).then_some(kb)
}

/// Cross-host connectivity without the prerequisite update is not something the seeds
/// describe: undecided rather than assumed.
fn prerequisite_unknown(
    ctx: &Context,
    hosts: &[usize],
    probe: Probe,
    hops: Vec<Hop>,
) -> Option<Answer> {
    let (h, kb) = hosts
        .iter()
        .find_map(|&h| missing_update(ctx, h).map(|kb| (h, kb)))?;
    Some(Answer::unknown(
        Some(container_addr(probe)),
        hops,
        &format!("{} VFP", ctx.host_name(h)),
        format!(
            "{} ({}) lacks {kb}, which overlay networking needs; without it endpoints may get no connectivity across hosts",
            ctx.host_name(h),
            ctx.host(h).os
        ),
        &["OVL-4"],
    ))
}

impl DriverRules for Overlay {
    fn same_network(&self, ctx: &Context, a: &Endpoint, b: &Endpoint, probe: Probe) -> Answer {
        let win = windows(ctx, a);
        if a.host == b.host {
            let via = hop(
                format!("{}/overlay {}", host_label(ctx, a), ctx.network_name(a)),
                if win {
                    Mechanism::VswitchBridge
                } else {
                    Mechanism::LinuxBridge
                },
                "bridged on the host (same host)",
                if win { &["OVL-2", "MAT-1"] } else { &["LNX-3"] },
            );
            return bridged(ctx, a, b, probe, via);
        }
        let (Some(ha), Some(hb)) = (a.host, b.host) else {
            return denied_at_src(
                ctx,
                a,
                Some(container_addr(probe)),
                Denial::new(
                    DenyReason::InvalidDesign,
                    "overlay",
                    "endpoint without a host",
                    &["OVL-1"],
                ),
            );
        };
        if let Some(x) = prerequisite_unknown(ctx, &[ha, hb], probe, vec![src_vnic(ctx, a)]) {
            return x;
        }
        let facts: &[&str] = if win {
            &["OVL-2", "EXT-4", "MAT-2"]
        } else {
            &["LNX-3"]
        };
        let peer = ctx.host_primary(hb);
        let mut hops = vec![
            src_vnic(ctx, a),
            hop(
                format!(
                    "{} {}",
                    ctx.host_name(ha),
                    if win { "VFP" } else { "vxlan" }
                ),
                Mechanism::VxlanEncap,
                format!(
                    "encapsulated in VXLAN ({}) to {} on UDP 4789",
                    vni_text(ctx, a),
                    peer.as_ref()
                        .map(|p| p.0.to_string())
                        .unwrap_or_else(|| ctx.host_name(hb).to_string())
                ),
                facts,
            ),
        ];
        if win {
            hops.push(hop(
                format!("{} management vNIC", ctx.host_name(ha)),
                Mechanism::ManagementVnic,
                "routed via the management vNIC onto the underlay",
                &["OVL-2"],
            ));
        }
        // The underlay: the two hosts' primary segments.
        let sa = ctx.host_primary(ha).and_then(|p| p.1);
        let sb = peer.as_ref().and_then(|p| p.1);
        match (sa, sb) {
            (Some(x), Some(y)) if x == y => hops.push(hop(
                format!("segment {}", ctx.graph.segment_name(x)),
                Mechanism::PhysicalSegment,
                "underlay: switched between the hosts",
                facts,
            )),
            (Some(x), Some(y)) if ctx.graph.routes(x, y) => hops.push(hop(
                format!(
                    "gateway {} -> {}",
                    ctx.graph.segment_name(x),
                    ctx.graph.segment_name(y)
                ),
                Mechanism::Routed,
                "underlay: routed between the hosts' segments",
                facts,
            )),
            _ => {
                return Answer::denied(
                    Some(container_addr(probe)),
                    hops,
                    Denial::new(
                        DenyReason::NoRoute,
                        "underlay",
                        format!(
                            "no underlay path between {} and {}",
                            ctx.host_name(ha),
                            ctx.host_name(hb)
                        ),
                        facts,
                    ),
                )
            }
        }
        hops.push(hop(
            format!(
                "{} {}",
                ctx.host_name(hb),
                if win { "VFP" } else { "vxlan" }
            ),
            Mechanism::VxlanDecap,
            format!(
                "decapsulated ({}) and bridged to the endpoint",
                vni_text(ctx, a)
            ),
            facts,
        ));
        finish(ctx, b, probe, container_addr(probe), hops)
    }

    fn exits(&self, ctx: &Context, src: &Endpoint, dst: Party, probe: Probe) -> Vec<Exit> {
        let Some(h) = src.host else { return vec![] };
        let host = ctx.host(h);
        if !host.is_windows() {
            // Linux: a second interface on docker_gwbridge, masqueraded.
            return masquerade_exits(ctx, src, "docker_gwbridge", &["LNX-3"]);
        }
        if host.os.overlay_has_vfp_outbound_nat() {
            let out_of = |nic: &hnsim_model::Nic| {
                vec![hop(
                    format!("{} VFP", host.name),
                    Mechanism::VfpNat,
                    format!("VFP NAT rule translates the source to {}", nic.ip.addr()),
                    &["OVL-3", "MAT-3"],
                )]
            };
            let mut out = snat_exits(ctx, src, None, out_of, true);
            if probe == Probe::Icmp {
                for e in &mut out {
                    e.block = Some(Denial::new(
                        DenyReason::IcmpDroppedByVfpNat,
                        format!("{} VFP", host.name),
                        "VFP outbound NAT forwards TCP and UDP only: ICMP (ping) is lost",
                        &["OVL-3"],
                    ));
                }
            }
            return out;
        }
        // WS2016: only through a second endpoint on a NAT network.
        let nat_sibling = ctx.parties.endpoints.iter().find(|o| {
            o.container == src.container && o.driver == Driver::Nat && o.index != src.index
        });
        match nat_sibling {
            Some(sib) => {
                let mut exits = super::nat::Nat.exits(ctx, sib, dst, probe);
                for e in &mut exits {
                    e.hops.insert(
                        1,
                        hop(
                            format!("{SRC_NAME} compartment"),
                            Mechanism::Vnic,
                            format!(
                                "{} has no outbound path on {}: leaves through the container's second endpoint on NAT network {}",
                                host.os,
                                ctx.network_name(src),
                                ctx.network_name(sib)
                            ),
                            &["OVL-3", "MAT-1"],
                        ),
                    );
                    e.hops.remove(0);
                    e.hops.insert(0, src_vnic(ctx, src));
                }
                exits
            }
            None => {
                let mut e = Exit::new(Point::HostStack(h), vec![src_vnic(ctx, src)]);
                e.block = Some(Denial::new(
                    DenyReason::NoRoute,
                    format!("{}/overlay {}", host.name, ctx.network_name(src)),
                    format!(
                        "{} overlay endpoints have no outbound path: attach a second endpoint on a NAT network",
                        host.os
                    ),
                    &["OVL-3"],
                ));
                vec![e]
            }
        }
    }

    fn entries(&self, ctx: &Context, dst: &Endpoint, probe: Probe) -> Vec<Entry> {
        let Some(h) = dst.host else { return vec![] };
        let deny = Denial::new(
            DenyReason::NoRoute,
            format!("{}/overlay {}", ctx.host_name(h), ctx.network_name(dst)),
            format!(
                "the overlay subnet of {} is reachable only from endpoints on the same overlay network",
                ctx.network_name(dst)
            ),
            &["OVL-1", "OVL-2"],
        );
        let mut out = mesh::entries(ctx, dst, probe);
        let mut e = Entry::new(Point::HostStack(h), container_addr(probe), vec![]);
        e.block = Some(deny.clone());
        e.stack_only = Some(StackOnly {
            remote_via_host_ip: false,
            same_host: deny.clone(),
            remote: deny,
        });
        e.host = Some(h);
        out.push(e);
        out
    }

    /// DNS-2: on Windows, names on an overlay resolve on the local host, and across
    /// hosts only with Docker EE or Kubernetes on both; on Linux everywhere on the
    /// network (LNX-3).
    fn name_resolution(&self, ctx: &Context, src: &Endpoint, dst: &Endpoint) -> Option<Facts> {
        let (sh, dh) = (ctx.host(src.host?), ctx.host(dst.host?));
        if src.network != dst.network {
            return None;
        }
        if !dh.is_windows() {
            return Some(&["LNX-3", "DNS-1"]);
        }
        let global =
            (sh.docker.enterprise && dh.docker.enterprise) || (sh.kubernetes && dh.kubernetes);
        (src.host == dst.host || global).then_some(&["DNS-1", "DNS-2"])
    }
}
