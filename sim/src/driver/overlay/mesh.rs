//! The swarm routing mesh: a service's published ports on every swarm node, carried
//! over the `ingress` overlay to the replica.

use super::super::hops::{dst_deliver, not_listening};
use super::super::through_host::arrive;
use crate::answer::{hop, DST_IP, DST_NAME};
use crate::context::Context;
use crate::fabric::hosts::address_entry;
use crate::fabric::Entry;
use crate::matrix::{AddressKind, Mechanism, Probe};
use crate::nodes::Endpoint;
use hnsim_model::SwarmRole;

/// Windows routes a service's published port through the mesh from Windows Server 1709
/// (build 16299) on; WS2016 supports only `--publish mode=host`.
fn has_routing_mesh(ctx: &Context, h: usize) -> bool {
    let host = ctx.host(h);
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
pub(super) fn entries(ctx: &Context, dst: &Endpoint, probe: Probe) -> Vec<Entry> {
    let Some(h) = dst.host else { return vec![] };
    let Some(port) = dst.mesh.iter().find_map(|p| p.host_port(probe)) else {
        return vec![];
    };
    let svc = dst.service.unwrap_or(DST_NAME).to_string();
    let win = ctx.host(h).is_windows();
    let facts: &[&str] = if win {
        &["OVL-1", "OVL-2", "DNS-1"]
    } else {
        &["LNX-3", "DNS-1"]
    };
    let mesh_here = has_routing_mesh(ctx, h);
    let d = ctx.design;
    let mut out = Vec::new();
    let to = probe.port().unwrap_or(0);
    for (n, node) in d.scenario.hosts.iter().enumerate() {
        if node.swarm == SwarmRole::None || node.docker.absent {
            continue;
        }
        let via_mesh = n != h;
        if via_mesh && !(mesh_here && has_routing_mesh(ctx, n)) {
            continue;
        }
        for (nic, seg) in ctx.host_nics(n) {
            let ip = nic.ip.addr();
            let mut hops = vec![arrive(ctx, n, nic, "swarm node address", facts)];
            if mesh_here {
                hops.push(hop(
                    format!("{} ingress", node.name),
                    Mechanism::Dnat,
                    format!(
                        "routing mesh: {ip}:{port} is load-balanced ({}) over the replicas of service `{svc}`; this path is the one to {DST_NAME}, port {to}",
                        if win { "HNS load balancer in VFP" } else { "IPVS" },
                    ),
                    facts,
                ));
            } else {
                hops.push(hop(
                    format!("{} WinNAT", node.name),
                    Mechanism::WinNatPortMapping,
                    format!(
                        "{} has no routing mesh: the port is published on the node running the replica (mode=host), {ip}:{port} -> {DST_IP}:{to}",
                        node.os,
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
                        ctx.host_name(h)
                    ),
                    facts,
                ));
                hops.push(hop(
                    format!("{} {}", ctx.host_name(h), if win { "VFP" } else { "vxlan" }),
                    Mechanism::VxlanDecap,
                    "decapsulated and bridged to the replica",
                    facts,
                ));
            }
            hops.push(dst_deliver(ctx, dst, probe));
            let mut e = address_entry(n, seg, AddressKind::HostPort, ip, Some(port), hops);
            e.published = true;
            e.block = not_listening(dst, probe);
            out.push(e);
        }
    }
    out
}
