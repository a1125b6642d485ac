//! One endpoint per attachment of a running container: present, address, mask as
//! Docker reports it, port mappings.
//!
//! An endpoint is found by the container it serves (Docker's container ID is in the
//! HNS endpoint's `SharedContainers`), else by the address Docker reports, else by the
//! model's address (or its offset in the subnet HNS chose). On nat, HNS picks a
//! dynamic address itself (moby's `windows` IPAM hands out none), so the model's first
//! free address (`.2`) is a guess: without Docker's view, an endpoint of the network
//! that no other container claims is taken for it, and the address is a variant.

use super::{shift, show, Ctx};
use crate::hns::json::{DockerAttachment, HnsEndpoint, HnsNetwork};
use hnsim_model::{Driver, Endpoint, IpSource, Network, Protocol};
use hnsim_sim::CheckStatus as Status;
use std::collections::BTreeSet;
use std::net::IpAddr;

/// The classful default mask of an IPv4 address (Go's `IP.DefaultMask`): what moby's
/// Windows driver reports for an address HNS chose, since HNS returns no mask.
pub fn classful_prefix(ip: IpAddr) -> Option<u8> {
    let IpAddr::V4(v4) = ip else {
        return None;
    };
    Some(match v4.octets()[0] {
        0..=127 => 8,
        128..=191 => 16,
        192..=223 => 24,
        _ => return None,
    })
}

impl Ctx<'_> {
    pub(super) fn endpoints(&mut self, ni: usize, net: &Network, h: &HnsNetwork) {
        let design = self.design;
        let mut deferred = Vec::new();
        for e in design.endpoints_on(ni) {
            let c = &design.scenario.containers[e.container];
            if c.host != self.host || !c.is_running() {
                continue;
            }
            let docker = self
                .dump
                .docker_attachments
                .iter()
                .find(|a| a.container == c.name && a.network == net.name)
                .cloned();
            match self.find_endpoint(e, net, h, docker.as_ref()) {
                Some(ep) => self.endpoint(e, net, h, &ep, docker.as_ref(), false),
                // Matched by elimination once every endpoint found by its own evidence
                // is claimed.
                None => deferred.push((e, docker)),
            }
        }
        for (e, docker) in deferred {
            let c = &design.scenario.containers[e.container];
            let object = format!("endpoint {}@{}", c.name, net.name);
            // A spare endpoint holding another attachment's address in the model is
            // that attachment's (on another host, or not running), not this one's.
            let others: Vec<IpAddr> = design
                .endpoints_on(ni)
                .filter(|o| o.container != e.container)
                .filter_map(|o| o.ip)
                .collect();
            let spare = (e.ip_source != IpSource::Static && docker.is_none())
                .then(|| {
                    self.unclaimed(h)
                        .into_iter()
                        .find(|x| x.ip.is_none_or(|ip| !others.contains(&ip)))
                })
                .flatten();
            match spare {
                Some(ep) => {
                    self.claimed.insert(ep.id.to_ascii_lowercase());
                    self.endpoint(e, net, h, &ep, None, true);
                }
                None => {
                    let on_net = self.on_network(h).len();
                    self.push(
                        &object,
                        "present",
                        format!(
                            "an endpoint at {}",
                            show(docker.as_ref().and_then(|d| d.ip).or(e.ip))
                        ),
                        format!("{on_net} endpoint(s) on the network, none for this container"),
                        Status::Missing,
                        "every attachment of a running container is an HNS endpoint (vNIC)",
                        &["ARCH-1", "EXT-9"],
                    );
                }
            }
        }
    }

    /// The network's local endpoints.
    fn on_network(&self, h: &HnsNetwork) -> Vec<HnsEndpoint> {
        self.dump
            .endpoints
            .iter()
            .filter(|x| x.network_id.eq_ignore_ascii_case(&h.id) && !x.remote)
            .cloned()
            .collect()
    }

    fn unclaimed(&self, h: &HnsNetwork) -> Vec<HnsEndpoint> {
        self.on_network(h)
            .into_iter()
            .filter(|x| !self.claimed.contains(&x.id.to_ascii_lowercase()))
            .collect()
    }

    fn find_endpoint(
        &mut self,
        e: &Endpoint,
        net: &Network,
        h: &HnsNetwork,
        docker: Option<&DockerAttachment>,
    ) -> Option<HnsEndpoint> {
        let free = self.unclaimed(h);
        // When HNS (or swarm) chose another subnet than the model guessed, the model's
        // dynamic address means "the same offset in the chosen subnet".
        let shifted = match (e.ip, net.subnet.0.first(), h.subnets.first()) {
            (Some(ip), Some(m), Some(o)) if m != o && e.ip_source != IpSource::Static => {
                shift(ip, m, o)
            }
            _ => None,
        };
        let by_container = docker.and_then(|d| {
            free.iter().find(|x| {
                x.containers
                    .iter()
                    .any(|c| !d.container_id.is_empty() && c.eq_ignore_ascii_case(&d.container_id))
            })
        });
        let by_address =
            |ip: Option<IpAddr>| ip.and_then(|ip| free.iter().find(|x| x.ip == Some(ip)));
        let found = by_container
            .or_else(|| by_address(docker.and_then(|d| d.ip)))
            .or_else(|| {
                if docker.is_some() {
                    None
                } else {
                    by_address(e.ip)
                }
            })
            .or_else(|| {
                if docker.is_some() {
                    None
                } else {
                    by_address(shifted)
                }
            })
            .cloned()?;
        self.claimed.insert(found.id.to_ascii_lowercase());
        Some(found)
    }

    fn endpoint(
        &mut self,
        e: &Endpoint,
        net: &Network,
        h: &HnsNetwork,
        ep: &HnsEndpoint,
        docker: Option<&DockerAttachment>,
        by_elimination: bool,
    ) {
        let c = &self.design.scenario.containers[e.container];
        let object = format!("endpoint {}@{}", c.name, net.name);
        self.push(
            &object,
            "present",
            "an endpoint".into(),
            format!("`{}` ({})", ep.name, ep.id),
            Status::Match,
            if by_elimination {
                "every attachment of a running container is an HNS endpoint (vNIC); this \
                 one is the network's endpoint no other container claims (capture \
                 docker-networks.json to match by container)"
            } else {
                "every attachment of a running container is an HNS endpoint (vNIC)"
            },
            &["ARCH-1", "EXT-9"],
        );
        let observed = ep.ip;
        let shifted = match (e.ip, net.subnet.0.first(), h.subnets.first()) {
            (Some(ip), Some(m), Some(o)) if m != o && e.ip_source != IpSource::Static => {
                shift(ip, m, o)
            }
            _ => None,
        };
        let status = match (e.ip, observed) {
            (a, b) if a == b => Status::Match,
            (_, Some(o))
                if e.ip_source != IpSource::Static && h.subnets.iter().any(|s| s.contains(&o)) =>
            {
                Status::Variant
            }
            _ => Status::Mismatch,
        };
        self.push(
            &object,
            "address",
            show(e.ip),
            show(observed),
            status,
            if e.ip_source == IpSource::Static {
                "a static --ip is what the endpoint gets"
            } else if shifted.is_some() && shifted == observed {
                "the same offset in the subnet HNS chose as in the one the model guessed"
            } else if status == Status::Variant {
                "HNS chose this dynamic address in the subnet (Docker's windows IPAM leaves \
                 it to HNS); the model takes the subnet's first free one"
            } else {
                "dynamic IPAM: the model hands out the subnet's addresses in file order"
            },
            &["IPAM-1", "TRANS-2"],
        );
        if let Some(d) = docker {
            self.mask(&object, e, h, d);
        }
        if net.driver == Driver::Nat {
            self.port_mappings(&object, e, ep);
        }
    }

    /// The prefix length `docker network inspect` prints for the attachment. A static
    /// `--ip` carries the pool's mask (windows IPAM); an address HNS chose carries the
    /// classful default mask moby fills in, which is not the subnet's: both are what
    /// Docker does, anything else is not.
    fn mask(&mut self, object: &str, e: &Endpoint, h: &HnsNetwork, d: &DockerAttachment) {
        let (Some(ip), Some(len)) = (d.ip, d.prefix_len) else {
            return;
        };
        let subnet = h
            .subnets
            .iter()
            .find(|s| s.contains(&ip))
            .map(|s| s.prefix_len());
        let classful = classful_prefix(ip);
        let (expected, why) = if e.ip_source == IpSource::Static {
            (
                subnet,
                "a static --ip is handed out by Docker's windows IPAM with the pool's mask",
            )
        } else {
            (
                classful,
                "HNS chose the address and returns no mask: moby reports the address's \
                 classful default mask, not the subnet's",
            )
        };
        let status = if Some(len) == expected {
            Status::Match
        } else if Some(len) == subnet || Some(len) == classful {
            Status::Variant
        } else {
            Status::Mismatch
        };
        self.push(
            object,
            "mask (Docker)",
            expected
                .map(|l| format!("/{l}"))
                .unwrap_or_else(|| "none".into()),
            format!("/{len}"),
            status,
            why,
            &["IPAM-1", "EXT-9"],
        );
    }

    fn port_mappings(&mut self, object: &str, e: &Endpoint, ep: &HnsEndpoint) {
        let object = object.to_string();
        let mut seen = BTreeSet::new();
        for p in self.design.published_of(e.container) {
            if p.forward.proto == Protocol::Sctp {
                continue;
            }
            for cp in p.forward.container_ports.start..=p.forward.container_ports.end {
                let Some(hp) = p.host_port_for(cp) else {
                    continue;
                };
                let got = ep
                    .port_maps
                    .iter()
                    .position(|m| m.proto == p.forward.proto && m.internal == cp);
                let field = format!("port {}/{cp}", p.forward.proto);
                match got {
                    Some(i) => {
                        seen.insert(i);
                        let ext = ep.port_maps[i].external;
                        let status = if ext == hp {
                            Status::Match
                        } else if p.ephemeral {
                            Status::Variant
                        } else {
                            Status::Mismatch
                        };
                        self.push(
                            &object,
                            &field,
                            format!("host port {hp}"),
                            format!("host port {ext}"),
                            status,
                            if p.ephemeral {
                                "-p C / -P: Docker picks a free ephemeral host port"
                            } else {
                                "-p H:C is a static WinNAT mapping"
                            },
                            &["NAT-9", "NAT-8"],
                        );
                    }
                    None => self.push(
                        &object,
                        &field,
                        format!("host port {hp}"),
                        "no port mapping policy".into(),
                        Status::Missing,
                        "a published port is a port mapping policy on the endpoint",
                        &["NAT-9", "EXT-9"],
                    ),
                }
            }
        }
        for (i, m) in ep.port_maps.iter().enumerate() {
            if !seen.contains(&i) {
                self.push(
                    &object,
                    &format!("port {}/{}", m.proto, m.internal),
                    "not published".into(),
                    format!("host port {}", m.external),
                    Status::Mismatch,
                    "the scenario publishes no such port",
                    &["NAT-9"],
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classful_masks() {
        let p = |s: &str| classful_prefix(s.parse().unwrap());
        assert_eq!(p("10.1.2.3"), Some(8));
        assert_eq!(p("172.20.144.5"), Some(16));
        assert_eq!(p("192.168.1.2"), Some(24));
        assert_eq!(p("224.0.0.1"), None);
        assert_eq!(p("::1"), None);
    }
}
