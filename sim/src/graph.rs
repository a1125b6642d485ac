//! The topology of one resolved design as a graph: segments, a routed core joining the
//! segments' gateways, the internet, hosts, vSwitches/bridges, networks and clients. The
//! matrix's [`Topology`] is exported from it (with the design's endpoints), and
//! segment-to-segment and segment-to-internet reachability are path queries on it.
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
pub(crate) enum Place {
    Segment(usize),
    Router,
    Internet,
    Host(usize),
    /// A vSwitch / Linux bridge / macvlan parent of host `host`, with its host-qualified
    /// id (`win1/nat`, `win1/Ethernet`).
    Vswitch {
        id: String,
        host: usize,
    },
    Network(usize),
    Client(usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Link {
    /// Segment to the routed core, or core to the internet: layer 3.
    Routed,
    /// Everything else: attachment.
    Attached,
}

pub(crate) struct TopologyGraph<'d> {
    pub design: &'d Design,
    pub graph: UnGraph<Place, Link>,
    segments: Vec<NodeIndex>,
    internet: NodeIndex,
    /// routed[a][b]: segment a routes to segment b.
    routed: Vec<Vec<bool>>,
}

impl<'d> TopologyGraph<'d> {
    pub(crate) fn new(design: &'d Design) -> TopologyGraph<'d> {
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
        let nets: Vec<NodeIndex> = (0..s.networks.len())
            .map(|i| g.add_node(Place::Network(i)))
            .collect();
        // vSwitches: one per (network, host) the network lives on; a swarm network lives
        // on every host with an endpoint on it, marked per host in one pass over the
        // endpoints (a million replicas were a million-entry sort, then a pass per
        // network). Networks sharing an external vSwitch (one per NIC, ARCH-6) share
        // the node.
        let mut swarm_hosts = vec![false; s.networks.len() * s.hosts.len()];
        for e in &design.endpoints {
            if let (Some(ni), Some(hi)) = (e.network, e.host) {
                if s.networks[ni].host.is_none() && hi < s.hosts.len() {
                    swarm_hosts[ni * s.hosts.len() + hi] = true;
                }
            }
        }
        let mut vswitches: BTreeMap<String, NodeIndex> = BTreeMap::new();
        for (ni, n) in s.networks.iter().enumerate() {
            let on: Vec<usize> = match &n.host {
                Some(h) => design.host_index(h).into_iter().collect(),
                None => (0..s.hosts.len())
                    .filter(|&hi| swarm_hosts[ni * s.hosts.len() + hi])
                    .collect(),
            };
            for hi in on {
                let Some(id) = vswitch_id(design, n, &s.hosts[hi]) else {
                    continue;
                };
                let vn = *vswitches.entry(id.clone()).or_insert_with(|| {
                    let vn = g.add_node(Place::Vswitch { id, host: hi });
                    g.add_edge(vn, hosts[hi], Link::Attached);
                    vn
                });
                g.add_edge(vn, nets[ni], Link::Attached);
            }
        }
        // Endpoints are not nodes: nothing asks the graph about one (reachability is
        // between segments), and a node and an edge each were a million of both for a
        // million replicas. The drawing lists them from the design.
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
        TopologyGraph {
            design,
            graph: g,
            segments,
            internet,
            routed,
        }
    }

    pub(crate) fn segment_index(&self, name: &str) -> Option<usize> {
        self.design
            .scenario
            .segments
            .iter()
            .position(|s| s.name == name)
    }

    pub(crate) fn segment_name(&self, i: usize) -> &str {
        &self.design.scenario.segments[i].name
    }

    /// Segment `a` routes to segment `b` through the gateways.
    pub(crate) fn routes(&self, a: usize, b: usize) -> bool {
        self.routed
            .get(a)
            .and_then(|r| r.get(b))
            .copied()
            .unwrap_or(false)
    }

    /// The segment's gateway forwards to the internet.
    pub(crate) fn has_internet(&self, seg: usize) -> bool {
        self.segments
            .get(seg)
            .is_some_and(|&n| self.graph.find_edge(n, self.internet).is_some())
    }

    /// VLAN `vlan` is carried on segment `seg` (tagged traffic can be switched/routed).
    pub(crate) fn carries_vlan(&self, seg: usize, vlan: Option<u16>) -> bool {
        match vlan {
            None => true,
            Some(v) => self.design.scenario.segments[seg].trunk_vlans.contains(&v),
        }
    }

    /// The drawing of the design, read off the graph: every segment, host, vSwitch,
    /// network, endpoint and client node in graph order, with its attachments.
    pub(crate) fn topology(&self) -> Topology {
        self.topology_of(&crate::nodes::build(self))
    }

    /// [`Self::topology`] with the design's matrix nodes already at hand.
    pub(crate) fn topology_of(&self, nodes: &crate::nodes::Parties) -> Topology {
        let d = self.design;
        let s = &d.scenario;
        // The node of each design endpoint, by its index (a table, not a map: a
        // million endpoints are looked up once each).
        let mut node_of_endpoint: Vec<Option<usize>> = vec![None; d.endpoints.len()];
        for (i, w) in nodes.party.iter().enumerate() {
            if let crate::nodes::Party::Endpoint(k) = w {
                node_of_endpoint[nodes.endpoints[*k].index] = Some(i);
            }
        }
        let node_of_client: BTreeMap<usize, String> = nodes
            .party
            .iter()
            .enumerate()
            .filter_map(|(i, w)| match w {
                crate::nodes::Party::Client(c) => Some((*c, nodes.nodes.id(i).into_owned())),
                _ => None,
            })
            .collect();
        let mut t = Topology::default();
        for n in self.graph.node_indices() {
            match &self.graph[n] {
                Place::Segment(i) => {
                    let seg = &s.segments[*i];
                    t.segments.push(TopoSegment {
                        name: seg.name.clone(),
                        subnet: seg.subnet.to_string(),
                        gateway: seg.gateway,
                    });
                }
                Place::Host(i) => {
                    let h = &s.hosts[*i];
                    t.hosts.push(TopoHost {
                        name: h.name.clone(),
                        os: h.os.to_string(),
                        machine: format!("{:?}", h.machine).to_ascii_lowercase(),
                        nics: h
                            .nics
                            .iter()
                            .map(|x| TopoNic {
                                name: x.name.clone(),
                                ip: x.ip.to_string(),
                                segment: x.segment.clone(),
                            })
                            .collect(),
                    });
                }
                Place::Vswitch { id, host } => {
                    let mut networks: Vec<usize> = self
                        .graph
                        .neighbors(n)
                        .filter_map(|m| match self.graph[m] {
                            Place::Network(ni) => Some(ni),
                            _ => None,
                        })
                        .collect();
                    networks.sort();
                    let first = networks.first().map(|ni| &s.networks[*ni]);
                    let hostv = &s.hosts[*host];
                    t.vswitches.push(TopoVswitch {
                        id: id.clone(),
                        host: hostv.name.clone(),
                        kind: first
                            .map(|net| vswitch_kind(&net.driver))
                            .unwrap_or("external")
                            .to_string(),
                        nic: first
                            .filter(|net| {
                                net.driver.uses_external_vswitch() || net.driver == Driver::Macvlan
                            })
                            .and_then(|net| d.network_nic(net, hostv))
                            .map(|x| x.name.clone()),
                        networks: networks
                            .iter()
                            .map(|ni| network_id(&s.networks[*ni]))
                            .collect(),
                    });
                }
                Place::Network(i) => {
                    let net = &s.networks[*i];
                    t.networks.push(TopoNetwork {
                        id: network_id(net),
                        name: net.name.clone(),
                        host: net.host.clone(),
                        driver: net.driver.to_string(),
                        subnets: net.subnet.0.iter().map(|x| x.to_string()).collect(),
                        vlan: net.vlan_id(),
                        vni: net.vni(),
                    });
                }
                Place::Client(i) => {
                    let cl = &s.clients[*i];
                    t.clients.push(TopoClient {
                        node: node_of_client
                            .get(i)
                            .cloned()
                            .unwrap_or_else(|| format!("client:{}", cl.name)),
                        name: cl.name.clone(),
                        segment: cl.segment.clone(),
                        ip: cl.ip,
                    });
                }
                Place::Router | Place::Internet => {}
            }
        }
        for (i, ep) in d.endpoints.iter().enumerate() {
            let Some(k) = node_of_endpoint[i] else {
                continue;
            };
            let nodes = &nodes.nodes;
            let text = |t: Option<std::borrow::Cow<str>>| t.unwrap_or_default().into_owned();
            t.endpoints.push(TopoEndpoint {
                node: nodes.id(k).into_owned(),
                container: text(nodes.container(k)),
                host: text(nodes.host(k)),
                network: text(nodes.network(k)),
                ip: ep.ip,
            });
        }
        t
    }
}

/// `win1/mynat` for a host-scoped network, `swarm/ovl` for a swarm-scoped one.
pub(crate) fn network_id(n: &Network) -> String {
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
pub(crate) fn vswitch_id(d: &Design, n: &Network, host: &Host) -> Option<String> {
    match n.driver {
        _ if !has_vswitch(&n.driver) => None,
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

/// Whether a network of this driver has a vSwitch at all ([`vswitch_id`] names it).
pub(crate) fn has_vswitch(driver: &Driver) -> bool {
    !matches!(driver, Driver::Host | Driver::None | Driver::Plugin(_))
}

/// Globally routable: what the internet can send to.
pub(crate) fn is_public(ip: IpAddr) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn world_of(text: &str) -> Topology {
        let doc = hnsim_model::parse_scenario("t.yaml", text).expect("parses");
        let design = hnsim_model::resolve(&doc.scenario);
        TopologyGraph::new(&design).topology()
    }

    #[test]
    fn topology_is_read_off_the_graph() {
        let t = world_of(
            "name: t\nsegments: [{name: lan, subnet: 10.0.0.0/24, gateway: 10.0.0.1}, {name: island, subnet: 10.9.0.0/24}]\nhosts:\n  - {name: h, os: ws2019, nics: [{name: Ethernet, ip: 10.0.0.10/24, segment: lan}]}\nnetworks:\n  - {name: t, host: h, driver: transparent}\n  - {name: l2, host: h, driver: l2bridge, subnet: 10.0.0.0/24, gateway: 10.0.0.1}\ncontainers:\n  - {name: a, host: h}\nclients: [{name: pc, segment: lan, ip: 10.0.0.50}]\n",
        );
        assert_eq!(t.segments.len(), 2);
        let nat = t
            .vswitches
            .iter()
            .find(|v| v.id == "h/nat")
            .expect("internal vSwitch");
        assert_eq!(nat.kind, "internal");
        assert_eq!(nat.networks, vec!["h/nat".to_string()]);
        // transparent and l2bridge bound to the same NIC share one external vSwitch.
        let ext = t
            .vswitches
            .iter()
            .find(|v| v.id == "h/Ethernet")
            .expect("external vSwitch");
        assert_eq!(ext.networks, vec!["h/t".to_string(), "h/l2".to_string()]);
        assert_eq!(ext.nic.as_deref(), Some("Ethernet"));
        assert_eq!(t.endpoints.len(), 1);
        assert_eq!(t.endpoints[0].node, "a@nat");
        assert_eq!(t.clients[0].node, "client:pc");
    }

    #[test]
    fn segments_route_only_through_gateways() {
        let doc = hnsim_model::parse_scenario(
            "t.yaml",
            "name: t\nsegments:\n  - {name: a, subnet: 10.0.0.0/24, gateway: 10.0.0.1}\n  - {name: b, subnet: 10.1.0.0/24, gateway: 10.1.0.1, internet: false}\n  - {name: c, subnet: 10.2.0.0/24}\n",
        )
        .expect("parses");
        let design = hnsim_model::resolve(&doc.scenario);
        let w = TopologyGraph::new(&design);
        assert!(w.routes(0, 1) && w.routes(1, 0));
        assert!(!w.routes(0, 2) && !w.routes(2, 1));
        assert!(w.has_internet(0));
        assert!(!w.has_internet(1), "internet: false");
        assert!(!w.has_internet(2), "no gateway");
        assert!(is_public("8.8.8.8".parse().expect("ip")));
        assert!(!is_public("10.0.0.1".parse().expect("ip")));
        assert!(!is_public("100.64.0.1".parse().expect("ip")));
    }
}
