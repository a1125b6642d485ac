//! The topology as a graph (shared by DOT and Mermaid), and its Graphviz DOT rendering.
//!
//! Nodes: segments, hosts (as clusters) with their NICs, vSwitches, host-scoped networks
//! and endpoints; swarm-scoped networks outside any host; external clients. Edges follow
//! the layers a packet crosses: endpoint – network – vSwitch – NIC – segment.

use hnsim_sim::matrix::Topology;
use std::collections::HashMap;
use std::fmt::Write;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Segment,
    Nic,
    Vswitch,
    Network,
    Endpoint,
    Client,
}

pub struct GNode {
    pub id: String,
    pub label: String,
    pub kind: Kind,
    /// Host cluster the node is drawn in.
    pub host: Option<String>,
    /// Network driver (networks only), for colour.
    pub driver: String,
}

pub struct Graph {
    pub hosts: Vec<(String, String)>,
    pub nodes: Vec<GNode>,
    pub edges: Vec<(usize, usize)>,
}

struct Builder {
    g: Graph,
    index: HashMap<String, usize>,
}

impl Builder {
    fn add(&mut self, id: String, label: String, kind: Kind, host: Option<String>) -> usize {
        if let Some(&i) = self.index.get(&id) {
            return i;
        }
        self.g.nodes.push(GNode {
            id: id.clone(),
            label,
            kind,
            host,
            driver: String::new(),
        });
        let i = self.g.nodes.len() - 1;
        self.index.insert(id, i);
        i
    }

    /// Segments named by a NIC or client but not declared still get a node.
    fn segment(&mut self, name: &str) -> usize {
        self.add(
            format!("seg:{name}"),
            format!("segment {name}"),
            Kind::Segment,
            None,
        )
    }

    fn edge(&mut self, a: usize, b: usize) {
        self.g.edges.push((a, b));
    }
}

impl Graph {
    pub fn new(t: &Topology) -> Graph {
        let mut b = Builder {
            g: Graph {
                hosts: t
                    .hosts
                    .iter()
                    .map(|h| {
                        (
                            h.name.clone(),
                            format!("{} ({}, {})", h.name, h.os, h.machine),
                        )
                    })
                    .collect(),
                nodes: Vec::new(),
                edges: Vec::new(),
            },
            index: HashMap::new(),
        };
        for s in &t.segments {
            let mut label = format!("segment {}\n{}", s.name, s.subnet);
            if let Some(gw) = s.gateway {
                let _ = write!(label, " gw {gw}");
            }
            b.add(format!("seg:{}", s.name), label, Kind::Segment, None);
        }
        let mut nics = HashMap::new();
        for h in &t.hosts {
            for nic in &h.nics {
                let i = b.add(
                    format!("nic:{}/{}", h.name, nic.name),
                    format!("{}\n{}", nic.name, nic.ip),
                    Kind::Nic,
                    Some(h.name.clone()),
                );
                nics.insert((h.name.clone(), nic.name.clone()), i);
                let s = b.segment(&nic.segment);
                b.edge(i, s);
            }
        }
        for n in &t.networks {
            let label = lines(
                format!("{} ({})", n.name, n.driver),
                [
                    (!n.subnets.is_empty()).then(|| n.subnets.join(", ")),
                    n.vlan.map(|v| format!("VLAN {v}")),
                    n.vni.map(|v| format!("VNI {v}")),
                ],
            );
            let i = b.add(
                format!("net:{}", n.id),
                label,
                Kind::Network,
                n.host.clone(),
            );
            b.g.nodes[i].driver = n.driver.clone();
        }
        for v in &t.vswitches {
            let i = b.add(
                format!("vsw:{}", v.id),
                format!("vSwitch {} ({})", v.id, v.kind),
                Kind::Vswitch,
                Some(v.host.clone()),
            );
            for net in &v.networks {
                let n = b.add(format!("net:{net}"), net.clone(), Kind::Network, None);
                b.edge(n, i);
            }
            if let Some(nic) = &v.nic {
                if let Some(&k) = nics.get(&(v.host.clone(), nic.clone())) {
                    b.edge(i, k);
                }
            }
        }
        for e in &t.endpoints {
            let label = lines(e.container.clone(), [e.ip.map(|ip| ip.to_string())]);
            let i = b.add(
                format!("ep:{}", e.node),
                label,
                Kind::Endpoint,
                Some(e.host.clone()),
            );
            if let Some(&n) = b.index.get(&format!("net:{}", e.network)) {
                b.edge(i, n);
            }
        }
        for c in &t.clients {
            let label = lines(
                format!("client {}", c.name),
                [c.ip.map(|ip| ip.to_string())],
            );
            let i = b.add(format!("cl:{}", c.node), label, Kind::Client, None);
            if let Some(s) = &c.segment {
                let s = b.segment(s);
                b.edge(i, s);
            }
        }
        let mut g = b.g;
        g.edges.sort_unstable();
        g.edges.dedup();
        g
    }
}

/// A node's label: its `first` line, then a line for each of `more` it has (a network's
/// subnets, VLAN and VNI; an endpoint's or client's address).
fn lines(first: String, more: impl IntoIterator<Item = Option<String>>) -> String {
    more.into_iter()
        .flatten()
        .fold(first, |label, line| label + "\n" + &line)
}

fn q(s: &str) -> String {
    crate::text::quoted(s, |c| match c {
        '"' => Some("\\\""),
        '\\' => Some("\\\\"),
        '\n' => Some("\\n"),
        _ => None,
    })
}

fn attrs(n: &GNode) -> String {
    if n.kind == Kind::Network {
        let (fill, stroke) = crate::svg::driver_colour(&n.driver);
        return format!("shape=box, style=\"filled\", fillcolor=\"{fill}\", color=\"{stroke}\"");
    }
    kind_attrs(n.kind).to_string()
}

fn kind_attrs(kind: Kind) -> &'static str {
    match kind {
        Kind::Segment => "shape=box, style=\"filled,bold\", fillcolor=\"#334155\", fontcolor=white",
        Kind::Nic => "shape=cds, style=filled, fillcolor=\"#e2e8f0\"",
        Kind::Vswitch => "shape=box, style=\"rounded,filled\", fillcolor=\"#dbeafe\"",
        Kind::Network => "shape=box, style=\"filled\", fillcolor=\"#fef3c7\"",
        Kind::Endpoint => "shape=ellipse, style=filled, fillcolor=\"#dcfce7\"",
        Kind::Client => "shape=box, style=\"rounded,filled\", fillcolor=\"#fae8ff\"",
    }
}

pub fn topology(t: &Topology, name: &str) -> String {
    let g = Graph::new(t);
    let mut out = String::new();
    let _ = writeln!(out, "graph {} {{", q(&format!("hnsim {name}")));
    out.push_str("  graph [rankdir=TB, fontname=\"Helvetica\", compound=true];\n");
    out.push_str("  node [fontname=\"Helvetica\", fontsize=10];\n");
    let line = |out: &mut String, n: &GNode, indent: &str| {
        let _ = writeln!(
            out,
            "{indent}{} [label={}, {}];",
            q(&n.id),
            q(&n.label),
            attrs(n)
        );
    };
    for (k, (host, label)) in g.hosts.iter().enumerate() {
        let _ = writeln!(out, "  subgraph {} {{", q(&format!("cluster_{k}")));
        let _ = writeln!(out, "    label={};", q(label));
        out.push_str("    style=\"rounded\"; color=\"#64748b\";\n");
        for n in g.nodes.iter().filter(|n| n.host.as_deref() == Some(host)) {
            line(&mut out, n, "    ");
        }
        out.push_str("  }\n");
    }
    let known: std::collections::HashSet<&str> = g.hosts.iter().map(|h| h.0.as_str()).collect();
    for n in g
        .nodes
        .iter()
        .filter(|n| !matches!(n.host.as_deref(), Some(h) if known.contains(h)))
    {
        line(&mut out, n, "  ");
    }
    for &(a, b) in &g.edges {
        let _ = writeln!(out, "  {} -- {};", q(&g.nodes[a].id), q(&g.nodes[b].id));
    }
    out.push_str("}\n");
    out
}
