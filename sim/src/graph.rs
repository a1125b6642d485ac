//! The topology of one resolved design as a graph: segments, a routed core joining the
//! segments' gateways, the internet, hosts, vSwitches/bridges, networks, endpoints and
//! clients. The matrix's [`Topology`] is exported from it, and segment-to-segment and
//! segment-to-internet reachability are path queries on it.
//!
//! Assumptions about the physical network, since a scenario only names segments:
//! - two segments route to each other when both have a gateway (one routed core joins
//!   every gateway); a segment without a gateway is an island;
//! - a segment reaches the internet when it has a gateway and `internet: true`;
//! - the internet reaches an address on a segment only when the address is globally
//!   routable (not RFC 1918, loopback, link-local or 100.64/10) and the segment has
//!   internet: private host IPs are not reachable from the internet, and port forwarding
//!   on the gateway is outside the model.

use crate::matrix::{
    TopoClient, TopoEndpoint, TopoHost, TopoNetwork, TopoNic, TopoSegment, TopoVswitch, Topology,
};
use hnsim_model::{Design, Driver, Host, Network};
use petgraph::graph::{NodeIndex, UnGraph};
use petgraph::visit::{Dfs, EdgeFiltered};
use std::collections::BTreeMap;
use std::net::IpAddr;

/// What a graph node stands for (indices into the design's vectors).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    Segment(usize),
    Router,
    Internet,
    Host(usize),
    /// Host-qualified vSwitch / bridge id (`win1/nat`, `win1/Ethernet`).
    Vswitch(String),
    Network(usize),
    Endpoint(usize),
    Client(usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Link {
    /// Segment to the routed core, or core to the internet: layer 3.
    Routed,
    /// Everything else: attachment.
    Attached,
}

pub struct World<'d> {
    pub design: &'d Design,
    pub graph: UnGraph<Place, Link>,
    segments: Vec<NodeIndex>,
    internet: NodeIndex,
    /// routed[a][b]: segment a routes to segment b.
    routed: Vec<Vec<bool>>,
}

impl<'d> World<'d> {
    pub fn new(design: &'d Design) -> World<'d> {
        let s = &design.scenario;
        let mut g: UnGraph<Place, Link> = UnGraph::default();
        let segments: Vec<NodeIndex> = (0..s.segments.len())
            .map(|i| g.add_node(Place::Segment(i)))
            .collect();
        let router = g.add_node(Place::Router);
        let internet = g.add_node(Place::Internet);
        for (i, seg) in s.segments.iter().enumerate() {
            if seg.gateway.is_some() {
                g.add_edge(segments[i], router, Link::Routed);
                if seg.internet {
                    g.add_edge(segments[i], internet, Link::Routed);
                }
            }
        }
        let hosts: Vec<NodeIndex> = (0..s.hosts.len())
            .map(|i| g.add_node(Place::Host(i)))
            .collect();
        for (hi, h) in s.hosts.iter().enumerate() {
            for nic in &h.nics {
                if let Some(si) = s.segments.iter().position(|x| x.name == nic.segment) {
                    g.add_edge(hosts[hi], segments[si], Link::Attached);
                }
            }
        }
        let mut vswitches: BTreeMap<String, NodeIndex> = BTreeMap::new();
        let nets: Vec<NodeIndex> = (0..s.networks.len())
            .map(|i| g.add_node(Place::Network(i)))
            .collect();
        for ep_i in 0..design.endpoints.len() {
            let ep = &design.endpoints[ep_i];
            let node = g.add_node(Place::Endpoint(ep_i));
            let (Some(ni), Some(hi)) = (ep.network, ep.host) else {
                continue;
            };
            g.add_edge(node, nets[ni], Link::Attached);
            let host = &s.hosts[hi];
            if let Some(vs) = vswitch_id(design, &s.networks[ni], host) {
                let vn = *vswitches
                    .entry(vs.clone())
                    .or_insert_with(|| g.add_node(Place::Vswitch(vs)));
                if g.find_edge(vn, nets[ni]).is_none() {
                    g.add_edge(vn, nets[ni], Link::Attached);
                    g.add_edge(vn, hosts[hi], Link::Attached);
                }
            }
        }
        for (ci, c) in s.clients.iter().enumerate() {
            let node = g.add_node(Place::Client(ci));
            if c.internet {
                g.add_edge(node, internet, Link::Attached);
            } else if let Some(si) = c
                .segment
                .as_ref()
                .and_then(|n| s.segments.iter().position(|x| &x.name == n))
            {
                g.add_edge(node, segments[si], Link::Attached);
            }
        }
        // Segment-to-segment reachability over routed links only.
        let routed_only = EdgeFiltered::from_fn(&g, |e| *e.weight() == Link::Routed);
        let mut routed = vec![vec![false; segments.len()]; segments.len()];
        for (a, &na) in segments.iter().enumerate() {
            let mut dfs = Dfs::new(&routed_only, na);
            while let Some(n) = dfs.next(&routed_only) {
                if let Place::Segment(b) = g[n] {
                    routed[a][b] = true;
                }
            }
        }
        World {
            design,
            graph: g,
            segments,
            internet,
            routed,
        }
    }

    pub fn segment_index(&self, name: &str) -> Option<usize> {
        self.design
            .scenario
            .segments
            .iter()
            .position(|s| s.name == name)
    }

    pub fn segment_name(&self, i: usize) -> &str {
        &self.design.scenario.segments[i].name
    }

    /// Segment `a` routes to segment `b` through the gateways.
    pub fn routes(&self, a: usize, b: usize) -> bool {
        self.routed
            .get(a)
            .and_then(|r| r.get(b))
            .copied()
            .unwrap_or(false)
    }

    /// The segment's gateway forwards to the internet.
    pub fn has_internet(&self, seg: usize) -> bool {
        self.segments
            .get(seg)
            .is_some_and(|&n| self.graph.find_edge(n, self.internet).is_some())
    }

    /// VLAN `vlan` is carried on segment `seg` (tagged traffic can be switched/routed).
    pub fn carries_vlan(&self, seg: usize, vlan: Option<u16>) -> bool {
        match vlan {
            None => true,
            Some(v) => self.design.scenario.segments[seg].trunk_vlans.contains(&v),
        }
    }

    pub fn topology(&self) -> Topology {
        let d = self.design;
        let s = &d.scenario;
        let mut t = Topology::default();
        for seg in &s.segments {
            t.segments.push(TopoSegment {
                name: seg.name.clone(),
                subnet: seg.subnet.to_string(),
                gateway: seg.gateway,
            });
        }
        for h in &s.hosts {
            t.hosts.push(TopoHost {
                name: h.name.clone(),
                os: h.os.to_string(),
                machine: format!("{:?}", h.machine).to_ascii_lowercase(),
                nics: h
                    .nics
                    .iter()
                    .map(|n| TopoNic {
                        name: n.name.clone(),
                        ip: n.ip.to_string(),
                        segment: n.segment.clone(),
                    })
                    .collect(),
            });
        }
        let mut vs: BTreeMap<String, TopoVswitch> = BTreeMap::new();
        for (ni, n) in s.networks.iter().enumerate() {
            let hosts: Vec<usize> = match n.host.as_ref() {
                Some(h) => d.host_index(h).into_iter().collect(),
                None => {
                    let mut v: Vec<usize> = d.endpoints_on(ni).filter_map(|e| e.host).collect();
                    v.sort();
                    v.dedup();
                    v
                }
            };
            for hi in hosts {
                let host = &s.hosts[hi];
                if let Some(id) = vswitch_id(d, n, host) {
                    let entry = vs.entry(id.clone()).or_insert_with(|| TopoVswitch {
                        id,
                        host: host.name.clone(),
                        kind: vswitch_kind(&n.driver).to_string(),
                        nic: if n.driver.uses_external_vswitch() || n.driver == Driver::Macvlan {
                            d.network_nic(n, host).map(|x| x.name.clone())
                        } else {
                            None
                        },
                        networks: vec![],
                    });
                    let nid = network_id(n);
                    if !entry.networks.contains(&nid) {
                        entry.networks.push(nid);
                    }
                }
            }
            t.networks.push(TopoNetwork {
                id: network_id(n),
                name: n.name.clone(),
                host: n.host.clone(),
                driver: n.driver.to_string(),
                subnets: n.subnet.0.iter().map(|x| x.to_string()).collect(),
                vlan: n.vlan_id(),
                vni: n.vni(),
            });
        }
        t.vswitches = vs.into_values().collect();
        let nodes = crate::nodes::build(self);
        for (i, who) in nodes.who.iter().enumerate() {
            let node = &nodes.nodes[i];
            match who {
                crate::nodes::Who::Ep(k) => {
                    let ep = &nodes.eps[*k];
                    t.endpoints.push(TopoEndpoint {
                        node: node.id.clone(),
                        container: ep.name.clone(),
                        host: node.host.clone().unwrap_or_default(),
                        network: node.network.clone().unwrap_or_default(),
                        ip: ep.ip,
                    });
                }
                crate::nodes::Who::Client(c) => {
                    let cl = &s.clients[*c];
                    t.clients.push(TopoClient {
                        node: node.id.clone(),
                        name: cl.name.clone(),
                        segment: cl.segment.clone(),
                        ip: cl.ip,
                    });
                }
                _ => {}
            }
        }
        t
    }
}

/// `win1/mynat` for a host-scoped network, `swarm/ovl` for a swarm-scoped one.
pub fn network_id(n: &Network) -> String {
    match &n.host {
        Some(h) => format!("{h}/{}", n.name),
        None => format!("swarm/{}", n.name),
    }
}

fn vswitch_kind(d: &Driver) -> &'static str {
    match d {
        Driver::Nat | Driver::Ics | Driver::Internal => "internal",
        Driver::Private => "private",
        Driver::Bridge => "linux-bridge",
        Driver::Macvlan | Driver::Ipvlan => "macvlan",
        _ => "external",
    }
}

/// The vSwitch (or Linux bridge) a network's endpoints attach to on `host`. Windows
/// external vSwitches are one per NIC (ARCH-6), so they are named after the NIC; an
/// internal NAT vSwitch and a Linux bridge belong to one network.
pub fn vswitch_id(d: &Design, n: &Network, host: &Host) -> Option<String> {
    match n.driver {
        Driver::Host | Driver::None | Driver::Plugin(_) => None,
        Driver::Nat | Driver::Ics | Driver::Internal | Driver::Private | Driver::Bridge => {
            Some(format!("{}/{}", host.name, n.name))
        }
        Driver::Macvlan | Driver::Ipvlan => d
            .network_nic(n, host)
            .map(|nic| format!("{}/{} ({})", host.name, nic.name, n.name)),
        _ => d
            .network_nic(n, host)
            .map(|nic| format!("{}/{}", host.name, nic.name)),
    }
}

/// Globally routable: what the internet can send to.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || (o[0] == 100 && (o[1] & 0xc0) == 64))
        }
        IpAddr::V6(v6) => {
            !(v6.is_loopback() || v6.is_unspecified() || (v6.segments()[0] & 0xfe00) == 0xfc00)
        }
    }
}
