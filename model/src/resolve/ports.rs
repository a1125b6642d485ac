//! Ports: what a container listens on by default, and the host port of every `-p C`
//! and `-P` mapping (NAT-9): Docker's port allocator starts at 49153 on Windows and at
//! 32768 (ip_local_port_range) on Linux.

use crate::design::{PortForward, Published};
use crate::port::{PortProto, PortRange, Protocol};
use crate::scenario::*;
use std::collections::{BTreeSet, HashMap};

pub(super) fn ports_of(range: PortRange, proto: Protocol) -> Vec<PortProto> {
    (range.start..=range.end)
        .take(64)
        .map(|port| PortProto { proto, port })
        .collect()
}

pub(super) fn default_listen_ports(s: &mut Scenario) {
    for c in &mut s.containers {
        if !c.listen.is_empty() {
            continue;
        }
        let mut ports: BTreeSet<PortProto> = c.expose.iter().copied().collect();
        for m in &c.ports {
            ports.extend(ports_of(m.container_port, m.proto));
        }
        c.listen = ports.into_iter().collect();
    }
}

pub(super) fn assign_host_ports(s: &Scenario) -> Vec<Published> {
    let mut taken: HashMap<(String, Protocol), BTreeSet<u16>> = HashMap::new();
    for c in &s.containers {
        for m in &c.ports {
            if let Some(h) = m.host_port {
                taken
                    .entry((c.host.clone(), m.proto))
                    .or_default()
                    .extend(h.start..=h.end);
            }
        }
    }
    let mut out = Vec::new();
    for (ci, c) in s.containers.iter().enumerate() {
        let host_idx = s.hosts.iter().position(|h| h.name == c.host);
        let first_ephemeral = match host_idx.map(|i| s.hosts[i].is_windows()) {
            Some(false) => 32768u16,
            _ => 49153u16,
        };
        let mut allocate = |proto: Protocol| -> Option<u16> {
            let used = taken.entry((c.host.clone(), proto)).or_default();
            let port = (first_ephemeral..=u16::MAX).find(|p| !used.contains(p))?;
            used.insert(port);
            Some(port)
        };
        for (mi, m) in c.ports.iter().enumerate() {
            let (host_ports, ephemeral) = match m.host_port {
                Some(h) => (Some(h), false),
                None => {
                    // `-p C`: one ephemeral port per container port (NAT-9).
                    let first = allocate(m.proto);
                    let mut last = first;
                    for _ in 1..m.container_port.count().min(64) {
                        last = allocate(m.proto);
                    }
                    let range = first.zip(last).map(|(a, b)| PortRange {
                        start: a,
                        end: b.max(a),
                    });
                    (range, true)
                }
            };
            if let Some(host_ports) = host_ports {
                out.push(Published {
                    container: ci,
                    host: host_idx,
                    forward: PortForward {
                        host_ip: m.host_ip,
                        proto: m.proto,
                        container_ports: m.container_port,
                        host_ports,
                    },
                    ephemeral,
                    mapping: Some(mi),
                });
            }
        }
        if c.publish_all {
            for e in &c.expose {
                let already = c
                    .ports
                    .iter()
                    .any(|m| m.proto == e.proto && m.container_port.contains(e.port));
                if already {
                    continue;
                }
                if let Some(port) = allocate(e.proto) {
                    out.push(Published {
                        container: ci,
                        host: host_idx,
                        forward: PortForward {
                            host_ip: None,
                            proto: e.proto,
                            container_ports: PortRange::single(e.port),
                            host_ports: PortRange::single(port),
                        },
                        ephemeral: true,
                        mapping: None,
                    });
                }
            }
        }
    }
    out
}
