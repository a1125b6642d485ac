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

use super::*;
use crate::fabric::{At, StackOnly};
use crate::graph::is_public;
use crate::matrix::AddressKind;
use hnsim_model::SwarmRole;

pub struct Overlay;

fn windows(cx: &Cx, ep: &Ep) -> bool {
    ep.host.is_some_and(|h| cx.host(h).is_windows())
}

fn vni_text(cx: &Cx, ep: &Ep) -> String {
    match ep
        .net
        .and_then(|n| cx.d().scenario.networks.get(n))
        .and_then(|n| n.vni())
    {
        Some(v) => format!("VNI {v}"),
        None if windows(cx, ep) => "the VNI swarm assigned (>= 4096 on Windows)".into(),
        None => "the VNI swarm assigned".into(),
    }
}

/// OVL-4: the update a Windows host needs for overlay networking, when it lacks it.
fn missing_update(cx: &Cx, h: usize) -> Option<&'static str> {
    let host = cx.host(h);
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
fn prerequisite_unknown(cx: &Cx, hosts: &[usize], probe: Probe, hops: Vec<Hop>) -> Option<Answer> {
    let (h, kb) = hosts
        .iter()
        .find_map(|&h| missing_update(cx, h).map(|kb| (h, kb)))?;
    Some(Answer::unknown(
        Some(container_addr(probe)),
        hops,
        &format!("{} VFP", cx.host_name(h)),
        format!(
            "{} ({}) lacks {kb}, which overlay networking needs; without it endpoints may get no connectivity across hosts",
            cx.host_name(h),
            cx.host(h).os
        ),
        &["OVL-4"],
    ))
}

impl DriverRules for Overlay {
    fn same_network(&self, cx: &Cx, a: &Ep, b: &Ep, probe: Probe) -> Answer {
        let win = windows(cx, a);
        if a.host == b.host {
            let via = hop(
                format!("{}/overlay {}", host_label(cx, a), cx.net_name(a)),
                if win {
                    Mechanism::VswitchBridge
                } else {
                    Mechanism::LinuxBridge
                },
                "bridged on the host (same host)",
                if win { &["OVL-2", "MAT-1"] } else { &["LNX-3"] },
            );
            return bridged(cx, a, b, probe, via);
        }
        let (Some(ha), Some(hb)) = (a.host, b.host) else {
            return denied_at_src(
                cx,
                a,
                Some(container_addr(probe)),
                Deny::new(
                    DenyReason::InvalidDesign,
                    "overlay",
                    "endpoint without a host",
                    &["OVL-1"],
                ),
            );
        };
        if let Some(x) = prerequisite_unknown(cx, &[ha, hb], probe, vec![src_vnic(cx, a)]) {
            return x;
        }
        let facts: &[&str] = if win {
            &["OVL-2", "EXT-4", "MAT-2"]
        } else {
            &["LNX-3"]
        };
        let peer = cx.host_primary(hb);
        let mut hops = vec![
            src_vnic(cx, a),
            hop(
                format!("{} {}", cx.host_name(ha), if win { "VFP" } else { "vxlan" }),
                Mechanism::VxlanEncap,
                format!(
                    "encapsulated in VXLAN ({}) to {} on UDP 4789",
                    vni_text(cx, a),
                    peer.as_ref()
                        .map(|p| p.0.to_string())
                        .unwrap_or_else(|| cx.host_name(hb).to_string())
                ),
                facts,
            ),
        ];
        if win {
            hops.push(hop(
                format!("{} management vNIC", cx.host_name(ha)),
                Mechanism::ManagementVnic,
                "routed via the management vNIC onto the underlay",
                &["OVL-2"],
            ));
        }
        // The underlay: the two hosts' primary segments.
        let sa = cx.host_primary(ha).and_then(|p| p.1);
        let sb = peer.as_ref().and_then(|p| p.1);
        match (sa, sb) {
            (Some(x), Some(y)) if x == y => hops.push(hop(
                format!("segment {}", cx.w.segment_name(x)),
                Mechanism::PhysicalSegment,
                "underlay: switched between the hosts",
                facts,
            )),
            (Some(x), Some(y)) if cx.w.routes(x, y) => hops.push(hop(
                format!(
                    "gateway {} -> {}",
                    cx.w.segment_name(x),
                    cx.w.segment_name(y)
                ),
                Mechanism::Routed,
                "underlay: routed between the hosts' segments",
                facts,
            )),
            _ => {
                return Answer::denied(
                    Some(container_addr(probe)),
                    hops,
                    Deny::new(
                        DenyReason::NoRoute,
                        "underlay",
                        format!(
                            "no underlay path between {} and {}",
                            cx.host_name(ha),
                            cx.host_name(hb)
                        ),
                        facts,
                    ),
                )
            }
        }
        hops.push(hop(
            format!("{} {}", cx.host_name(hb), if win { "VFP" } else { "vxlan" }),
            Mechanism::VxlanDecap,
            format!(
                "decapsulated ({}) and bridged to the endpoint",
                vni_text(cx, a)
            ),
            facts,
        ));
        finish(cx, b, probe, container_addr(probe), hops)
    }

    fn exits(&self, cx: &Cx, src: &Ep, dst: Who, probe: Probe) -> Vec<Exit> {
        let Some(h) = src.host else { return vec![] };
        let host = cx.host(h);
        if !host.is_windows() {
            // Linux: a second interface on docker_gwbridge, masqueraded.
            return super::bridge::masquerade_exits(cx, src, "docker_gwbridge", &["LNX-3"]);
        }
        if host.os.overlay_has_vfp_outbound_nat() {
            let mut out = Vec::new();
            for nic in &host.nics {
                let Some(seg) = cx.w.segment_index(&nic.segment) else {
                    continue;
                };
                let mut e = Exit::new(
                    At::Seg { seg, vlan: None },
                    vec![
                        src_vnic(cx, src),
                        hop(
                            format!("{} VFP", host.name),
                            Mechanism::VfpNat,
                            format!("VFP NAT rule translates the source to {}", nic.ip.addr()),
                            &["OVL-3", "MAT-3"],
                        ),
                    ],
                );
                e.host = Some(h);
                e.snat_host = Some(h);
                e.vswitch = cx.nic_vswitch(h, &nic.name);
                if probe == Probe::Icmp {
                    e.block = Some(Deny::new(
                        DenyReason::IcmpDroppedByVfpNat,
                        format!("{} VFP", host.name),
                        "VFP outbound NAT forwards TCP and UDP only: ICMP (ping) is lost",
                        &["OVL-3"],
                    ));
                }
                out.push(e);
            }
            return out;
        }
        // WS2016: only through a second endpoint on a NAT network.
        let nat_sibling = cx.n.eps.iter().find(|o| {
            o.container == src.container && o.driver == Driver::Nat && o.index != src.index
        });
        match nat_sibling {
            Some(sib) => {
                let mut exits = super::nat::Nat.exits(cx, sib, dst, probe);
                for e in &mut exits {
                    e.hops.insert(
                        1,
                        hop(
                            format!("{SRC_NAME} compartment"),
                            Mechanism::Vnic,
                            format!(
                                "{} has no outbound path on {}: leaves through the container's second endpoint on NAT network {}",
                                host.os,
                                cx.net_name(src),
                                cx.net_name(sib)
                            ),
                            &["OVL-3", "MAT-1"],
                        ),
                    );
                    e.hops.remove(0);
                    e.hops.insert(0, src_vnic(cx, src));
                }
                exits
            }
            None => {
                let mut e = Exit::new(At::Stack(h), vec![src_vnic(cx, src)]);
                e.block = Some(Deny::new(
                    DenyReason::NoRoute,
                    format!("{}/overlay {}", host.name, cx.net_name(src)),
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

    fn entries(&self, cx: &Cx, dst: &Ep, probe: Probe) -> Vec<Entry> {
        let Some(h) = dst.host else { return vec![] };
        let deny = Deny::new(
            DenyReason::NoRoute,
            format!("{}/overlay {}", cx.host_name(h), cx.net_name(dst)),
            format!(
                "the overlay subnet of {} is reachable only from endpoints on the same overlay network",
                cx.net_name(dst)
            ),
            &["OVL-1", "OVL-2"],
        );
        let mut out = mesh_entries(cx, dst, probe);
        let mut e = Entry::new(At::Stack(h), container_addr(probe), vec![]);
        e.block = Some(deny.clone());
        e.stack_only = Some(StackOnly {
            remote_via_host_ip: false,
            host: h,
            same_host: deny.clone(),
            remote: deny,
        });
        e.host = Some(h);
        out.push(e);
        out
    }
}

/// Windows routes a service's published port through the mesh from Windows Server 1709
/// (build 16299) on; WS2016 supports only `--publish mode=host`.
fn has_routing_mesh(cx: &Cx, h: usize) -> bool {
    let host = cx.host(h);
    !host.is_windows() || host.os.build().is_some_and(|b| b >= 16299)
}

/// A swarm service's published port (`docker service create -p 8080:80`), entering the
/// replica's mesh endpoint (`ingress`). No SPEC fact describes the routing mesh; it
/// rests on Docker's swarm documentation and is justified here by the overlay facts it
/// is built from (OVL-1/OVL-2 on Windows, LNX-3 on Linux) and DNS-1 for the service:
///
/// - Linux, and Windows from 1709: the port is published on every swarm node's
///   addresses; a connection to any node's IP:port is load-balanced (IPVS on Linux, the
///   HNS load balancer in VFP on Windows) over the service's replicas (whichever node
///   runs them) and carried over the `ingress` overlay to the chosen one. A cell
///   follows the path to its own replica.
/// - WS2016: no routing mesh; the port behaves like `--publish mode=host`: only on the
///   nodes that run a replica, forwarding to the replica on that node.
pub fn mesh_entries(cx: &Cx, dst: &Ep, probe: Probe) -> Vec<Entry> {
    let Some(h) = dst.host else { return vec![] };
    let Some(port) = dst.mesh.iter().find_map(|p| p.host_port(probe)) else {
        return vec![];
    };
    let svc = dst.service.clone().unwrap_or_else(|| DST_NAME.to_string());
    let win = cx.host(h).is_windows();
    let facts: &[&str] = if win {
        &["OVL-1", "OVL-2", "DNS-1"]
    } else {
        &["LNX-3", "DNS-1"]
    };
    let mesh_here = has_routing_mesh(cx, h);
    let d = cx.d();
    let mut out = Vec::new();
    for (n, node) in d.scenario.hosts.iter().enumerate() {
        if node.swarm == SwarmRole::None || node.docker.absent {
            continue;
        }
        let via_mesh = n != h;
        if via_mesh && !(mesh_here && has_routing_mesh(cx, n)) {
            continue;
        }
        for nic in &node.nics {
            let Some(seg) = cx.w.segment_index(&nic.segment) else {
                continue;
            };
            let ip = nic.ip.addr();
            let mut hops = vec![hop(
                format!("{} NIC {}", node.name, nic.name),
                Mechanism::HostStack,
                format!("arrives at the swarm node address {ip}"),
                facts,
            )];
            if mesh_here {
                hops.push(hop(
                    format!("{} ingress", node.name),
                    Mechanism::Dnat,
                    format!(
                        "routing mesh: {ip}:{port} is load-balanced ({}) over the replicas of service `{svc}`; this path is the one to {DST_NAME}, port {}",
                        if win { "HNS load balancer in VFP" } else { "IPVS" },
                        super::nat::probe_port(probe)
                    ),
                    facts,
                ));
            } else {
                hops.push(hop(
                    format!("{} WinNAT", node.name),
                    Mechanism::WinNatPortMapping,
                    format!(
                        "{} has no routing mesh: the port is published on the node running the replica (mode=host), {ip}:{port} -> {DST_IP}:{}",
                        node.os,
                        super::nat::probe_port(probe)
                    ),
                    facts,
                ));
            }
            if via_mesh {
                hops.push(hop(
                    format!("{} {}", node.name, if win { "VFP" } else { "vxlan" }),
                    Mechanism::VxlanEncap,
                    format!(
                        "over the ingress overlay to {} (VXLAN, UDP 4789)",
                        cx.host_name(h)
                    ),
                    facts,
                ));
                hops.push(hop(
                    format!("{} {}", cx.host_name(h), if win { "VFP" } else { "vxlan" }),
                    Mechanism::VxlanDecap,
                    "decapsulated and bridged to the replica",
                    facts,
                ));
            }
            hops.push(dst_deliver(cx, dst, probe));
            let mut e = Entry::new(
                At::Seg { seg, vlan: None },
                AddrT::fixed(AddressKind::HostPort, Some(ip), Some(port)),
                hops,
            );
            e.published = true;
            e.block = not_listening(dst, probe);
            e.owner_host = Some(n);
            e.public = is_public(ip);
            e.host = Some(n);
            out.push(e);
        }
    }
    out
}
