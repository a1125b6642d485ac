//! What to send a probe to, from the resolved design alone.
//!
//! A cell asks whether a source reaches a destination's service (an ICMP echo, a TCP or
//! UDP port). The design offers one or more ways to ask the wire: the destination's own
//! address, and for TCP/UDP the host ports its container publishes (NAT-8, EXT-10). The
//! cell is observed delivered when any of them answers and denied when none does — the
//! question the simulator answers, asked here without its answer: nothing in this module
//! (or anywhere in conformance outside the comparison) reads a cell's disposition or the
//! address the simulator chose, so the observed matrix depends on the design and the
//! wire only.
//!
//! [`targets`] is pure; the backends translate each [`Target`] to their own addresses
//! ([`crate::Dataplane::resolve`]).

use hnsim_model::{Design, Driver, Protocol};
use hnsim_sim::{DesignId, Probe};
use std::net::{IpAddr, Ipv4Addr};

/// A matrix node found in the design, by index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Party {
    /// One attachment of one container (indices into `scenario.containers` and the
    /// container's `networks`).
    Endpoint {
        container: usize,
        attachment: usize,
    },
    Host(usize),
    Client(usize),
    Internet,
}

/// Finds a node's typed id in the design.
pub fn party(design: &Design, id: &DesignId) -> Result<Party, String> {
    match id {
        DesignId::Endpoint(e) => {
            let ci = design
                .container_index(&e.container)
                .ok_or_else(|| format!("container `{}` is not in the design", e.container))?;
            if !design
                .endpoints
                .iter()
                .any(|x| x.container == ci && x.attachment == e.attachment)
            {
                return Err(format!(
                    "container `{}` has no attachment {}",
                    e.container, e.attachment
                ));
            }
            Ok(Party::Endpoint {
                container: ci,
                attachment: e.attachment,
            })
        }
        DesignId::Host { host } => design
            .host_index(host)
            .map(Party::Host)
            .ok_or_else(|| format!("host `{host}` is not in the design")),
        DesignId::Client { client } => design
            .scenario
            .clients
            .iter()
            .position(|c| &c.name == client)
            .map(Party::Client)
            .ok_or_else(|| format!("client `{client}` is not in the design")),
        DesignId::Internet => Ok(Party::Internet),
    }
}

/// Which way into the destination a target is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Via {
    /// The endpoint's own address on its network.
    Endpoint {
        container: usize,
        attachment: usize,
    },
    /// A host port the container publishes (NAT-8/9, EXT-10), on an address of `host`;
    /// `mapping` indexes `design.published`.
    Published {
        mapping: usize,
        host: usize,
    },
    /// A port of swarm service `service` published through the routing mesh
    /// (`design.service_ports[service][port]`, with the host port the model gives a
    /// `-p 80` that swarm picks), on an address of swarm node `host`.
    Mesh {
        service: usize,
        port: usize,
        host: usize,
    },
    /// A host's own address: NIC `nic`, or (`None`) for a host without NICs the
    /// gateway address it holds on one of its networks (the bridge or vNIC its
    /// containers reach it on).
    Host {
        host: usize,
        nic: Option<usize>,
    },
    Client(usize),
    /// "The internet": the dataplane says which address stands for it.
    Internet,
    /// `localhost` on host `host`'s own stack, where the source shares that stack with
    /// the destination (the host and a container on its `host` network) and the
    /// destination has no other address: what the model gives as `localhost`.
    Loopback {
        host: usize,
    },
}

/// One address to probe for a cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Target {
    /// The design's address; `None` where the design has none and the dataplane picks
    /// one (the internet, an internet client without an address).
    pub ip: Option<IpAddr>,
    /// What is sent.
    pub probe: Probe,
    /// Destination port of a TCP/UDP probe (a published host port, or the probe's own).
    pub port: Option<u16>,
    pub via: Via,
}

/// The host a party sends from, when it is on one.
fn host_of(design: &Design, p: &Party) -> Option<usize> {
    match *p {
        Party::Endpoint {
            container,
            attachment,
        } => endpoint(design, container, attachment).and_then(|e| e.host),
        Party::Host(k) => Some(k),
        Party::Client(_) | Party::Internet => None,
    }
}

fn endpoint(design: &Design, ci: usize, att: usize) -> Option<&hnsim_model::Endpoint> {
    design
        .endpoints
        .iter()
        .find(|e| e.container == ci && e.attachment == att)
}

/// Drivers that carry a container's port mappings: WinNAT (NAT-8) and Docker's bridge
/// DNAT (EXT-10). Transparent, l2bridge, macvlan and overlay endpoints are reached at
/// their own address (EXT-7, EXT-12).
fn carries_mappings(driver: &Driver) -> bool {
    matches!(driver, Driver::Nat | Driver::Bridge)
}

fn proto_of(probe: Probe) -> Option<Protocol> {
    match probe {
        Probe::Icmp => None,
        Probe::Tcp(_) => Some(Protocol::Tcp),
        Probe::Udp(_) => Some(Protocol::Udp),
    }
}

/// The ways `from` can ask the wire about `to` with `probe`, own address first. An
/// error says why the cell cannot be asked at all.
pub fn targets(
    design: &Design,
    from: &Party,
    to: &Party,
    probe: Probe,
) -> Result<Vec<Target>, String> {
    let port = match probe {
        Probe::Icmp => None,
        Probe::Tcp(p) | Probe::Udp(p) => Some(p),
    };
    let mut out = Vec::new();
    match *to {
        Party::Endpoint {
            container,
            attachment,
        } => {
            let e = endpoint(design, container, attachment)
                .ok_or("the destination endpoint is not in the design")?;
            if let Some(ip) = e.ip {
                out.push(Target {
                    ip: Some(ip),
                    probe,
                    port,
                    via: Via::Endpoint {
                        container,
                        attachment,
                    },
                });
            }
            let carries = e
                .network
                .and_then(|n| design.scenario.networks.get(n))
                .is_some_and(|n| carries_mappings(&n.driver));
            if let (Some(proto), Some(port), true) = (proto_of(probe), port, carries) {
                out.extend(published(design, from, container, probe, proto, port));
            }
            if let (Some(proto), Some(port)) = (proto_of(probe), port) {
                out.extend(mesh(design, e, probe, proto, port));
            }
            out.extend(loopback(design, from, to, probe, port));
            if out.is_empty() {
                return Err(match &e.ip_source {
                    hnsim_model::IpSource::Unassigned(why) => {
                        format!("the destination has no address: {why}")
                    }
                    _ => "the destination has no address".to_string(),
                });
            }
        }
        Party::Host(k) => {
            let host = design.scenario.hosts.get(k).ok_or("no such host")?;
            out.extend(host.nics.iter().enumerate().map(|(n, nic)| Target {
                ip: Some(nic.ip.addr()),
                probe,
                port,
                via: Via::Host {
                    host: k,
                    nic: Some(n),
                },
            }));
            if out.is_empty() {
                out.extend(gateways(design, k).into_iter().map(|ip| Target {
                    ip: Some(ip),
                    probe,
                    port,
                    via: Via::Host { host: k, nic: None },
                }));
            }
            if out.is_empty() {
                out.extend(loopback(design, from, to, probe, port));
            }
            if out.is_empty() {
                return Err(format!("host `{}` has no address", host.name));
            }
        }
        Party::Client(j) => out.push(Target {
            ip: design.scenario.clients.get(j).and_then(|c| c.ip),
            probe,
            port,
            via: Via::Client(j),
        }),
        Party::Internet => out.push(Target {
            ip: None,
            probe,
            port,
            via: Via::Internet,
        }),
    }
    unambiguous(design, from, to, out)
}

/// The host whose own network stack `p` is on: a host, or a container on a Linux
/// host's `host` network (LNX-1), which has no stack of its own.
fn stack_host(design: &Design, p: &Party) -> Option<usize> {
    match *p {
        Party::Host(k) => Some(k),
        Party::Endpoint {
            container,
            attachment,
        } => {
            let e = endpoint(design, container, attachment)?;
            let k = e.host?;
            let net = design.scenario.networks.get(e.network?)?;
            let linux = !design.scenario.hosts.get(k)?.is_windows();
            (net.driver == Driver::Host && linux).then_some(k)
        }
        Party::Client(_) | Party::Internet => None,
    }
}

/// `localhost`, when `from` and `to` are on one host's stack and `to` has no address
/// of its own to be asked at (a host without NICs): the one way there is.
fn loopback(
    design: &Design,
    from: &Party,
    to: &Party,
    probe: Probe,
    port: Option<u16>,
) -> Option<Target> {
    let k = stack_host(design, to)?;
    (from != to && stack_host(design, from) == Some(k)).then_some(Target {
        ip: Some(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        probe,
        port,
        via: Via::Loopback { host: k },
    })
}

/// The gateway addresses host `k` holds on its bridge and NAT networks that have an
/// endpoint there: the Linux bridge, or the host vNIC of a NAT network, carries it. An
/// endpoint of a container on the host's stack does not count: such a container joins
/// no other network (LNX-2).
fn gateways(design: &Design, k: usize) -> Vec<IpAddr> {
    let s = &design.scenario;
    let Some(host) = s.hosts.get(k) else {
        return Vec::new();
    };
    let on_host_stack = |ci: usize| {
        design.endpoints_of(ci).any(|e| {
            e.network
                .and_then(|n| s.networks.get(n))
                .is_some_and(|n| n.driver == Driver::Host)
        })
    };
    s.networks
        .iter()
        .enumerate()
        .filter(|(_, n)| n.host.as_deref() == Some(host.name.as_str()))
        .filter(|(_, n)| matches!(n.driver, Driver::Bridge | Driver::Nat))
        .filter(|(ni, _)| {
            design
                .endpoints
                .iter()
                .any(|e| e.network == Some(*ni) && e.host == Some(k) && !on_host_stack(e.container))
        })
        .filter_map(|(_, n)| n.gateway)
        .collect()
}

/// Every host address:port that forwards `proto`/`port` to container `ci`.
fn published(
    design: &Design,
    from: &Party,
    ci: usize,
    probe: Probe,
    proto: Protocol,
    port: u16,
) -> Vec<Target> {
    let mut out = Vec::new();
    for (i, m) in design.published.iter().enumerate() {
        if m.container != ci || m.forward.proto != proto {
            continue;
        }
        let (Some(host_port), Some(k)) = (m.host_port_for(port), m.host) else {
            continue;
        };
        let Some(host) = design.scenario.hosts.get(k) else {
            continue;
        };
        let via = Via::Published {
            mapping: i,
            host: k,
        };
        let ips: Vec<IpAddr> = match m.forward.host_ip {
            // Bound to loopback: only the host itself reaches it, by localhost.
            Some(ip) if ip.is_loopback() => {
                if host_of(design, from) == Some(k) {
                    vec![IpAddr::V4(Ipv4Addr::LOCALHOST)]
                } else {
                    vec![]
                }
            }
            Some(ip) if !ip.is_unspecified() => vec![ip],
            _ => host.nics.iter().map(|n| n.ip.addr()).collect(),
        };
        out.extend(ips.into_iter().map(|ip| Target {
            ip: Some(ip),
            probe,
            port: Some(host_port),
            via,
        }));
    }
    out
}

/// The endpoint of a service replica that routing-mesh traffic arrives on: its
/// `ingress` endpoint (the routing mesh's network), else its first overlay endpoint.
fn receives_mesh(design: &Design, e: &hnsim_model::Endpoint) -> bool {
    let on = |pred: &dyn Fn(&hnsim_model::Network) -> bool| {
        design
            .endpoints_of(e.container)
            .find(|x| {
                x.network
                    .and_then(|n| design.scenario.networks.get(n))
                    .is_some_and(pred)
            })
            .map(|x| x.attachment)
    };
    let chosen = on(&|n| n.name == "ingress" && n.host.is_none())
        .or_else(|| on(&|n| n.driver == Driver::Overlay));
    chosen == Some(e.attachment)
}

/// Every swarm node address:port that the routing mesh forwards `proto`/`port` from to
/// the replica of endpoint `e` (OVL-4: every node publishes a service's ports).
fn mesh(
    design: &Design,
    e: &hnsim_model::Endpoint,
    probe: Probe,
    proto: Protocol,
    port: u16,
) -> Vec<Target> {
    let s = &design.scenario;
    let Some(svc) = s.containers[e.container]
        .service
        .as_deref()
        .and_then(|name| s.services.iter().position(|x| x.name == name))
    else {
        return Vec::new();
    };
    if !receives_mesh(design, e) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let forwards = design.service_ports.get(svc).map_or(&[][..], Vec::as_slice);
    for (pi, f) in forwards.iter().enumerate() {
        let Some(host_port) = f.host_port(hnsim_model::PortProto { proto, port }) else {
            continue;
        };
        for (k, h) in s.hosts.iter().enumerate() {
            if h.swarm == hnsim_model::SwarmRole::None {
                continue;
            }
            out.extend(
                h.nics
                    .iter()
                    .filter(|n| f.binds(n.ip.addr()))
                    .map(|n| Target {
                        ip: Some(n.ip.addr()),
                        probe,
                        port: Some(host_port),
                        via: Via::Mesh {
                            service: svc,
                            port: pi,
                            host: k,
                        },
                    }),
            );
        }
    }
    out
}

/// Drops targets whose address also exists on the source's own host, held by another
/// endpoint (NAT subnets repeat from host to host, NAT-12): the source's kernel would
/// deliver the probe locally, so its answer says nothing about the destination.
fn unambiguous(
    design: &Design,
    from: &Party,
    to: &Party,
    targets: Vec<Target>,
) -> Result<Vec<Target>, String> {
    let (Some(src_host), dst_host) = (host_of(design, from), host_of(design, to)) else {
        return Ok(targets);
    };
    if dst_host == Some(src_host) {
        return Ok(targets);
    }
    let local = |ip: IpAddr| {
        design.endpoints.iter().any(|e| {
            e.host == Some(src_host)
                && e.ip == Some(ip)
                && !matches!(*to, Party::Endpoint { container, attachment }
                    if e.container == container && e.attachment == attachment)
        })
    };
    let mut dropped = None;
    let kept: Vec<Target> = targets
        .into_iter()
        .filter(|t| match t.ip {
            Some(ip) if matches!(t.via, Via::Endpoint { .. }) && local(ip) => {
                dropped = Some(ip);
                false
            }
            _ => true,
        })
        .collect();
    match (kept.is_empty(), dropped) {
        (true, Some(ip)) => Err(format!(
            "{ip} also exists on the source's host: a probe of it is answered there"
        )),
        _ => Ok(kept),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hnsim_sim::EndpointId;

    use crate::testing::{final_design as design, on_lan};

    /// Two Windows hosts on the LAN, `win1` publishing ports of its nat network.
    fn nat_two_hosts() -> Design {
        design(&on_lan(
            &[("win1", "ws2019"), ("win2", "ws2019")],
            NAT_TWO_HOSTS,
        ))
    }

    const NAT_TWO_HOSTS: &str = "containers:
  - {name: web, host: win1, ports: ['8080:80'], listen: [tcp/80]}
  - {name: app, host: win2, listen: [tcp/80]}
  - {name: local, host: win1, ports: ['127.0.0.1:9090:90/udp']}
clients:
  - {name: laptop, segment: lan, ip: 10.0.0.50}
";

    fn ep(d: &Design, name: &str) -> Party {
        party(
            d,
            &DesignId::Endpoint(EndpointId {
                container: name.into(),
                attachment: 0,
                network: None,
            }),
        )
        .expect("endpoint")
    }

    fn addrs(t: &[Target]) -> Vec<String> {
        t.iter()
            .map(|t| match (t.ip, t.port) {
                (Some(ip), Some(p)) => format!("{ip}:{p}"),
                (Some(ip), None) => ip.to_string(),
                (None, _) => format!("{:?}", t.via),
            })
            .collect()
    }

    #[test]
    fn own_address_then_every_published_host_address() {
        let d = nat_two_hosts();
        let (web, laptop) = (ep(&d, "web"), Party::Client(0));
        let web_ip = endpoint(&d, 0, 0).unwrap().ip.unwrap();
        let t = targets(&d, &laptop, &web, Probe::Tcp(80)).unwrap();
        assert_eq!(addrs(&t), [format!("{web_ip}:80"), "10.0.0.10:8080".into()]);
        assert!(matches!(t[1].via, Via::Published { host: 0, .. }));
        // A port the container does not publish: its own address only.
        let t = targets(&d, &laptop, &web, Probe::Tcp(81)).unwrap();
        assert_eq!(addrs(&t), [format!("{web_ip}:81")]);
        // ICMP cannot be port-mapped (NAT-8): the own address only.
        let t = targets(&d, &laptop, &web, Probe::Icmp).unwrap();
        assert_eq!(addrs(&t), [web_ip.to_string()]);
    }

    #[test]
    fn loopback_mappings_only_from_their_own_host() {
        let d = nat_two_hosts();
        let local = ep(&d, "local");
        let from_host = targets(&d, &Party::Host(0), &local, Probe::Udp(90)).unwrap();
        assert!(addrs(&from_host).contains(&"127.0.0.1:9090".to_string()));
        let from_client = targets(&d, &Party::Client(0), &local, Probe::Udp(90)).unwrap();
        assert!(!addrs(&from_client).iter().any(|a| a.contains("9090")));
    }

    #[test]
    fn a_host_without_an_address_is_asked_at_localhost_only_from_its_own_stack() {
        let d = design(
            "name: t
hosts:
  - {name: lin1, os: linux}
  - {name: lin2, os: linux}
containers:
  - {name: web, host: lin1, networks: [host], listen: [tcp/80]}
  - {name: far, host: lin2, networks: [host]}
",
        );
        let (web, far, host) = (ep(&d, "web"), ep(&d, "far"), Party::Host(0));
        let t = targets(&d, &host, &web, Probe::Tcp(80)).unwrap();
        assert_eq!(addrs(&t), ["127.0.0.1:80"]);
        assert_eq!(t[0].via, Via::Loopback { host: 0 });
        let t = targets(&d, &web, &host, Probe::Icmp).unwrap();
        assert_eq!(addrs(&t), ["127.0.0.1"]);
        // Another host's stack has no way there; nor has the internet.
        assert!(targets(&d, &far, &web, Probe::Icmp).is_err());
        assert!(targets(&d, &Party::Internet, &host, Probe::Icmp).is_err());
        // A host with an address is asked there, from its own stack too.
        let d = nat_two_hosts();
        let t = targets(&d, &Party::Host(0), &Party::Host(0), Probe::Icmp);
        assert!(t.is_ok_and(|t| t.iter().all(|t| t.via != Via::Loopback { host: 0 })));
    }

    #[test]
    fn an_address_repeated_on_the_source_host_is_not_probed() {
        // Both hosts' NAT networks start at the same address (NAT-12): app's probe of
        // web's own IP would be answered on win2.
        let d = nat_two_hosts();
        let (web, app) = (ep(&d, "web"), ep(&d, "app"));
        let web_ip = endpoint(&d, 0, 0).unwrap().ip;
        assert_eq!(web_ip, endpoint(&d, 1, 0).unwrap().ip, "same NAT prefix");
        let t = targets(&d, &app, &web, Probe::Tcp(80)).unwrap();
        assert_eq!(addrs(&t), ["10.0.0.10:8080"]);
        let err = targets(&d, &app, &web, Probe::Icmp).unwrap_err();
        assert!(err.contains("also exists on the source's host"), "{err}");
        // From the same host the address is unambiguous.
        let t = targets(&d, &Party::Host(0), &web, Probe::Icmp).unwrap();
        assert_eq!(t.len(), 1);
    }

    #[test]
    fn a_published_service_is_reached_on_every_swarm_node() {
        let d = design(
            "name: t
segments:
  - {name: lan, subnet: 10.0.0.0/24}
hosts:
  - {name: m, os: linux, swarm: manager, nics: [{name: eth0, ip: 10.0.0.10/24, segment: lan}]}
  - {name: w, os: linux, swarm: worker, nics: [{name: eth0, ip: 10.0.0.11/24, segment: lan}]}
  - {name: x, os: linux, nics: [{name: eth0, ip: 10.0.0.12/24, segment: lan}]}
networks:
  - {name: ovl, driver: overlay, attachable: true}
services:
  - {name: web, replicas: 1, networks: [ovl], ports: ['8080:80', '90'], listen: [tcp/80, tcp/90]}
",
        );
        let ci = d.container_index("web.1").expect("a replica");
        let ingress = d
            .endpoints_of(ci)
            .find(|e| {
                e.network
                    .is_some_and(|n| d.scenario.networks[n].name == "ingress")
            })
            .expect("publishing tasks are on ingress");
        let to = Party::Endpoint {
            container: ci,
            attachment: ingress.attachment,
        };
        let t = targets(&d, &Party::Host(2), &to, Probe::Tcp(80)).unwrap();
        let mesh: Vec<String> = addrs(&t[1..]);
        assert_eq!(mesh, ["10.0.0.10:8080", "10.0.0.11:8080"]);
        // `-p 90`: swarm picks the port from 30000 up (the model says which).
        let t = targets(&d, &Party::Host(2), &to, Probe::Tcp(90)).unwrap();
        assert_eq!(addrs(&t[1..]), ["10.0.0.10:30000", "10.0.0.11:30000"]);
        assert!(t[1..].iter().all(|t| matches!(t.via, Via::Mesh { .. })));
    }

    #[test]
    fn hosts_clients_and_the_internet() {
        let d = nat_two_hosts();
        let t = targets(&d, &Party::Client(0), &Party::Host(1), Probe::Icmp).unwrap();
        assert_eq!(addrs(&t), ["10.0.0.11"]);
        let t = targets(&d, &Party::Host(0), &Party::Client(0), Probe::Icmp).unwrap();
        assert_eq!(addrs(&t), ["10.0.0.50"]);
        let t = targets(&d, &Party::Host(0), &Party::Internet, Probe::Tcp(443)).unwrap();
        assert_eq!(t[0].via, Via::Internet);
        assert_eq!(t[0].port, Some(443));
    }

    #[test]
    fn a_host_without_nics_is_asked_at_its_networks_gateways() {
        let d = design(
            "name: t\nhosts:\n  - {name: l, os: linux}\nnetworks:\n  - {name: app, host: l, driver: bridge, subnet: 172.20.0.0/24, gateway: 172.20.0.1}\n  - {name: idle, host: l, driver: bridge, subnet: 172.21.0.0/24, gateway: 172.21.0.1}\ncontainers:\n  - {name: web, host: l, networks: [app]}\n",
        );
        let t = targets(&d, &ep(&d, "web"), &Party::Host(0), Probe::Icmp).unwrap();
        // Only the network with an endpoint has its bridge (and gateway) on the host.
        assert_eq!(addrs(&t), ["172.20.0.1"]);
        assert_eq!(t[0].via, Via::Host { host: 0, nic: None });
        // A host with a NIC is asked at the NIC only.
        let d = nat_two_hosts();
        let t = targets(&d, &Party::Client(0), &Party::Host(0), Probe::Icmp).unwrap();
        assert_eq!(
            t[0].via,
            Via::Host {
                host: 0,
                nic: Some(0)
            }
        );
        assert_eq!(t.len(), 1);
    }

    #[test]
    fn typed_ids_are_found_and_unknown_ones_are_refused() {
        let d = nat_two_hosts();
        assert_eq!(
            party(
                &d,
                &DesignId::Host {
                    host: "win2".into()
                }
            ),
            Ok(Party::Host(1))
        );
        assert_eq!(
            party(
                &d,
                &DesignId::Client {
                    client: "laptop".into()
                }
            ),
            Ok(Party::Client(0))
        );
        assert!(party(
            &d,
            &DesignId::Host {
                host: "nope".into()
            }
        )
        .is_err());
        let missing = DesignId::Endpoint(EndpointId {
            container: "web".into(),
            attachment: 3,
            network: None,
        });
        assert!(party(&d, &missing).unwrap_err().contains("no attachment 3"));
    }

    #[test]
    fn an_endpoint_without_an_address_says_why() {
        let d = design(
            "name: t\nhosts:\n  - {name: l, os: linux}\ncontainers:\n  - {name: off, host: l, networks: [none]}\n  - {name: on, host: l}\n",
        );
        let err = targets(&d, &ep(&d, "on"), &ep(&d, "off"), Probe::Icmp).unwrap_err();
        assert!(err.contains("no address"), "{err}");
    }
}
