//! Ports: what a container listens on by default, and the host port of every `-p C`
//! and `-P` mapping (NAT-9): Docker's port allocator starts at 49153 on Windows and at
//! 32768 (ip_local_port_range) on Linux.

use crate::design::{PortForward, Published};
use crate::hash::HashMap;
use crate::port::{PortMapping, PortProto, PortRange, Protocol};
use crate::scenario::*;
use std::collections::BTreeSet;

/// What a container listens on for mapping `m` by default: its container ports, the
/// first 64 of a range.
pub(super) fn ports_of(m: &PortMapping) -> impl Iterator<Item = PortProto> {
    m.container_ports().take(64)
}

pub(super) fn default_listen_ports(s: &mut Scenario) {
    for c in &mut s.containers {
        if !c.listen.is_empty() {
            continue;
        }
        let mut ports: BTreeSet<PortProto> = c.expose.iter().copied().collect();
        for m in &c.ports {
            ports.extend(ports_of(m));
        }
        c.listen = ports.into_iter().collect();
    }
}

/// The host ports of one protocol in use on one host, and where the allocator's search
/// resumes: ports are only ever taken, so the first free one never moves back and every
/// allocation continues from the previous one (a scan from the first ephemeral port for
/// every mapping made many `-p C` quadratic).
struct HostPorts {
    used: Box<[u64; 1024]>,
    resume_at: u32,
    /// Ports looked at so far (what the complexity test counts).
    probes: u64,
}

impl Default for HostPorts {
    fn default() -> Self {
        HostPorts {
            used: Box::new([0; 1024]),
            resume_at: 0,
            probes: 0,
        }
    }
}

impl HostPorts {
    fn is_used(&self, port: u32) -> bool {
        self.used[(port / 64) as usize] & (1 << (port % 64)) != 0
    }
    fn take(&mut self, port: u32) {
        self.used[(port / 64) as usize] |= 1 << (port % 64);
    }
    fn take_range(&mut self, range: PortRange) {
        (u32::from(range.start)..=u32::from(range.end)).for_each(|p| self.take(p));
    }
    /// The first free port from `first` on, now taken (Docker's allocator).
    fn allocate(&mut self, first: u16) -> Option<u16> {
        let mut port = self.resume_at.max(u32::from(first));
        while port <= u32::from(u16::MAX) && self.is_used(port) {
            port += 1;
            self.probes += 1;
        }
        self.resume_at = port + 1;
        let port = u16::try_from(port).ok()?;
        self.take(u32::from(port));
        Some(port)
    }
}

pub(super) fn assign_host_ports(s: &Scenario) -> Vec<Published> {
    let mut taken: HashMap<(&str, Protocol), HostPorts> = HashMap::default();
    for c in &s.containers {
        for m in &c.ports {
            if let Some(h) = m.host_port {
                taken
                    .entry((c.host.as_str(), m.proto))
                    .or_default()
                    .take_range(h);
            }
        }
    }
    let hosts: HashMap<&str, usize> = s.host_indices().into_iter().collect();
    let mut out = Vec::new();
    for (ci, c) in s.containers.iter().enumerate() {
        // Most containers of a large design publish nothing: their host is not looked
        // up (the lookup reads the container's own host name).
        if c.ports.is_empty() && !c.publish_all {
            continue;
        }
        let host_idx = hosts.get(c.host.as_str()).copied();
        let first_ephemeral = match host_idx.map(|i| s.hosts[i].is_windows()) {
            Some(false) => 32768u16,
            _ => 49153u16,
        };
        let mut allocate = |proto: Protocol| -> Option<u16> {
            taken
                .entry((c.host.as_str(), proto))
                .or_default()
                .allocate(first_ephemeral)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every ephemeral port of the range is handed out once, each port looked at once.
    #[test]
    fn ephemeral_allocation_is_linear_and_ends_at_the_last_port() {
        let mut ports = HostPorts::default();
        ports.take_range(PortRange {
            start: 49200,
            end: 49299,
        });
        let mut got = Vec::new();
        while let Some(p) = ports.allocate(49153) {
            got.push(p);
        }
        assert_eq!(got.len(), 65535 - 49153 + 1 - 100);
        assert!(got.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(ports.probes, 100, "only the taken ports were skipped");
        assert_eq!(ports.allocate(49153), None);
    }
}
