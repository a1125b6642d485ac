//! Any flow, not only the cells the matrix lists (Batfish's traceroute answers any
//! header; so does this): a source and destination by name or address, any protocol
//! and port. The answer is computed by the same rules as the matrix, for the one pair
//! and probe asked, and a flow that reaches a destination where nothing listens says
//! so (`not-listening`), distinct from a network denial.
//!
//! [`names`] resolves what people type; [`address`] what they paste.

mod address;
mod names;

pub use names::{resolve as resolve_name, NameError};

use crate::context::Context;
use crate::graph::TopologyGraph;
use crate::matrix::{Cell, Node, NodeKind, Probe, StateMatrix};
use crate::nodes::{self, Party};
use hnsim_model::{Client, Design, Protocol};
use std::net::IpAddr;

/// What to ask: `from` and `to` as typed (a node id, a name, an address, `to` also
/// `IP:PORT`), and the probe (`None`: every probe the destination is asked with in the
/// matrix, or the port of `to` when it names one).
#[derive(Clone, Debug, Default)]
pub struct FlowQuery {
    pub from: String,
    pub to: String,
    pub probe: Option<ProbeSpec>,
}

/// `--proto`: a protocol with or without a port (`tcp`, `tcp/8443`, `icmp`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProbeSpec {
    Exactly(Probe),
    /// TCP or UDP without a port: the port comes from the destination address.
    Protocol(Protocol),
}

impl std::str::FromStr for ProbeSpec {
    type Err = crate::matrix::BadProbe;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "tcp" => Ok(ProbeSpec::Protocol(Protocol::Tcp)),
            "udp" => Ok(ProbeSpec::Protocol(Protocol::Udp)),
            _ => s.parse().map(ProbeSpec::Exactly),
        }
    }
}

/// The answer: the cells of the flow, in the state they were computed in (its nodes
/// include a machine the query added for an address), and what the query understood.
#[derive(Clone, Debug)]
pub struct FlowAnswer {
    pub state: StateMatrix,
    pub cells: Vec<Cell>,
    /// How names and addresses were read (`10.0.0.10:8080 is win1's mapping to web@nat
    /// tcp/80`), for the reader to check.
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("--{side}: {error}")]
    Name {
        side: &'static str,
        error: NameError,
    },
    #[error("--{side}: no node has address {ip}, and it is on no segment of the design; name a node, or an address on a segment")]
    UnknownAddress { side: &'static str, ip: IpAddr },
    #[error("`{from}` and `{to}` are the same node")]
    SameNode { from: String, to: String },
    #[error("--to {to} is a port mapping back to `{from}` itself: a container reaching its own published port through the host (NAT hairpin) is no cell of the matrix, and hnsim does not answer it; ask for the container's own address, or the flow from another node")]
    OwnMapping { from: String, to: String },
    #[error("--to {to} names port {port}, --proto says {probe}: give the port once")]
    PortConflict { to: String, port: u16, probe: Probe },
    #[error("{what} needs a port: write --proto tcp/PORT or udp/PORT, or --to ADDRESS:PORT")]
    NoPort { what: String },
    #[error("--to {to}: {host} runs {os}, which has no WinNAT loopback: from the host itself localhost does not reach the port mapping to {target} (EXT-2); ask --to {target} (its container IP and port)")]
    NoLoopback {
        to: String,
        host: String,
        os: String,
        target: String,
    },
}

/// A side of the flow once read: a node index, and for `to` the port an address named.
struct Side {
    node: usize,
    port: Option<u16>,
    /// The probe a port mapping translates to (host IP:port -> container port).
    mapped: Option<Probe>,
}

/// Answers one flow in `design` (one state of a scenario: `step`, `label`).
pub fn query(
    design: &Design,
    step: Option<usize>,
    label: &str,
    q: &FlowQuery,
) -> Result<FlowAnswer, QueryError> {
    let mut notes = Vec::new();
    // A machine at an address no node owns is added to the design as a client.
    let mut owned = design.clone();
    for (side, text) in [("from", &q.from), ("to", &q.to)] {
        if side == "to" && loopback(text).is_some() {
            continue;
        }
        if let Some(client) = added_client(design, text, side, &mut notes)? {
            owned.scenario.clients.push(client);
        }
    }
    let graph = TopologyGraph::new(&owned);
    let parties = nodes::build(&graph);
    let ctx = Context::new(&graph, &parties);
    let from = side(&ctx, "from", &q.from, None, None, &mut notes)?;
    // The protocol a port mapping is looked up with: TCP unless --proto says UDP; none
    // for ICMP (a ping to a host address is a ping to the host).
    let proto = match q.probe {
        Some(ProbeSpec::Exactly(Probe::Icmp)) => None,
        Some(ProbeSpec::Exactly(Probe::Udp(_)) | ProbeSpec::Protocol(Protocol::Udp)) => {
            Some(Protocol::Udp)
        }
        _ => Some(Protocol::Tcp),
    };
    let near = ctx.parties.nodes[from.node].host.clone();
    let mut to = match (loopback(&q.to), ctx.parties.party.get(from.node).copied()) {
        (Some(lo), Some(Party::Host(h))) => on_loopback(&ctx, q, h, lo, proto, &mut notes)?,
        _ => side(&ctx, "to", &q.to, proto, near.as_deref(), &mut notes)?,
    };
    // A host named with a port it forwards (`--to win1 --proto tcp/8080`): the flow goes
    // where the mapping sends it, as it would to the host's address and that port.
    if let (
        Some(Party::Host(h)),
        Some(ProbeSpec::Exactly(Probe::Tcp(port) | Probe::Udp(port))),
        None,
    ) = (ctx.parties.party.get(to.node).copied(), q.probe, to.mapped)
    {
        if let (Some(ip), Some(proto)) = (ctx.host(h).primary_ip(), proto) {
            if let Some(mut f) = forwarded(&ctx, h, ip, proto, port, &mut notes) {
                f.port = None;
                to = f;
            }
        }
    }
    if from.node == to.node && to.mapped.is_some() {
        return Err(QueryError::OwnMapping {
            from: q.from.clone(),
            to: q.to.clone(),
        });
    }
    if from.node == to.node {
        return Err(QueryError::SameNode {
            from: q.from.clone(),
            to: q.to.clone(),
        });
    }
    let probes = probes(&ctx, q, &to)?;
    let cells = probes
        .iter()
        .map(|&p| crate::engine::single_cell(&ctx, from.node, to.node, p))
        .collect();
    Ok(FlowAnswer {
        state: StateMatrix::from_cells(step, label, parties.nodes.clone(), Vec::new()),
        cells,
        notes,
    })
}

/// `localhost`, `127.0.0.1`, `[::1]`, with the port if one is given: the address and
/// port when `text` names the source's own loopback.
fn loopback(text: &str) -> Option<(IpAddr, Option<u16>)> {
    let t = text.trim();
    if let Some(rest) = t.strip_prefix("localhost") {
        let lo = IpAddr::from([127, 0, 0, 1]);
        return match rest.strip_prefix(':') {
            None if rest.is_empty() => Some((lo, None)),
            Some(port) => port.parse().ok().map(|p| (lo, Some(p))),
            None => None,
        };
    }
    address::parse(t).filter(|(ip, _)| ip.is_loopback())
}

/// `--from HOST --to localhost:PORT`: the port mapping of the host itself. Docker's
/// proxy answers on Linux, and WinNAT from 1803 on; WS2016 (1607) has no WinNAT
/// loopback (EXT-2), which no cell can show (the host reaches the container by its
/// address), so the query says so instead of answering another flow.
fn on_loopback(
    ctx: &Context,
    q: &FlowQuery,
    h: usize,
    (ip, port): (IpAddr, Option<u16>),
    proto: Option<Protocol>,
    notes: &mut Vec<String>,
) -> Result<Side, QueryError> {
    let host = ctx.host(h);
    let node = ctx
        .parties
        .nodes
        .iter()
        .position(|n| n.kind == NodeKind::Host && n.host.as_deref() == Some(&host.name));
    let same = || QueryError::SameNode {
        from: q.from.clone(),
        to: q.to.clone(),
    };
    let (Some(port), Some(proto)) = (port, proto) else {
        return Err(same());
    };
    let Some(side) = forwarded(ctx, h, ip, proto, port, notes) else {
        // Nothing is mapped there: the host's own port.
        return Ok(Side {
            node: node.ok_or_else(same)?,
            port: Some(port),
            mapped: None,
        });
    };
    if host.is_windows() && !host.os.supports_nat_localhost_loopback() {
        return Err(QueryError::NoLoopback {
            to: q.to.clone(),
            host: host.name.clone(),
            os: host.os.to_string(),
            target: ctx.parties.nodes[side.node].id.clone(),
        });
    }
    Ok(side)
}

/// The probes to ask: `--proto` (with the address's port when it gives none), the
/// mapping's container port, or every probe of the destination.
fn probes(ctx: &Context, q: &FlowQuery, to: &Side) -> Result<Vec<Probe>, QueryError> {
    let with_port = |proto: Protocol, port: u16| match proto {
        Protocol::Udp => Probe::Udp(port),
        _ => Probe::Tcp(port),
    };
    Ok(match (q.probe, to.port) {
        (Some(ProbeSpec::Exactly(p)), Some(port)) => {
            let same = matches!(p, Probe::Tcp(x) | Probe::Udp(x) if x == port);
            if !same && p != Probe::Icmp {
                return Err(QueryError::PortConflict {
                    to: q.to.clone(),
                    port,
                    probe: p,
                });
            }
            vec![to.mapped.filter(|_| p != Probe::Icmp).unwrap_or(p)]
        }
        (Some(ProbeSpec::Exactly(p)), None) => vec![to.mapped.unwrap_or(p)],
        (Some(ProbeSpec::Protocol(proto)), Some(port)) => {
            vec![to.mapped.unwrap_or(with_port(proto, port))]
        }
        (Some(ProbeSpec::Protocol(proto)), None) => {
            return Err(QueryError::NoPort {
                what: format!(
                    "--proto {}",
                    if proto == Protocol::Udp { "udp" } else { "tcp" }
                ),
            })
        }
        (None, Some(port)) => vec![to.mapped.unwrap_or(Probe::Tcp(port))],
        (None, None) => ctx.parties.probes[to.node].to_vec(),
    })
}

/// What host `h`'s address `ip` and `port` forward to: the container of a port mapping
/// there, or on a swarm node a replica of the service publishing it in the routing mesh.
fn forwarded(
    ctx: &Context,
    h: usize,
    ip: IpAddr,
    proto: Protocol,
    port: u16,
    notes: &mut Vec<String>,
) -> Option<Side> {
    let d = ctx.design;
    let nodes = &ctx.parties.nodes;
    let host = &d.scenario.hosts[h].name;
    let as_probe = |p: hnsim_model::PortProto| match p.proto {
        Protocol::Udp => Probe::Udp(p.port),
        _ => Probe::Tcp(p.port),
    };
    let mapped = address::mapping(d, h, ip, proto, port).and_then(|m| {
        let node =
            ctx.parties
                .nodes_of_container(m.container)
                .find(|&i| match ctx.parties.party[i] {
                    Party::Endpoint(k) => !ctx.parties.endpoints[k].published.is_empty(),
                    _ => false,
                })?;
        let probe = as_probe(m.port);
        notes.push(format!(
            "{ip}:{port} is {host}'s port mapping to {} {probe}",
            nodes[node].id
        ));
        Some((node, probe))
    });
    let mesh = || {
        if d.scenario.hosts[h].swarm == hnsim_model::SwarmRole::None {
            return None;
        }
        let forwards = (0..nodes.len()).filter_map(|i| match ctx.parties.party[i] {
            Party::Endpoint(k) => Some((i, ctx.parties.endpoints[k].mesh)),
            _ => None,
        });
        let (node, p) = address::mesh_port(forwards, proto, port)?;
        let probe = as_probe(p);
        notes.push(format!(
            "{ip}:{port} is the routing mesh on swarm node {host}, to {} {probe}",
            nodes[node].id
        ));
        Some((node, probe))
    };
    let (node, probe) = mapped.or_else(mesh)?;
    Some(Side {
        node,
        port: Some(port),
        mapped: Some(probe),
    })
}

/// A client for an address on a segment that no node owns, so a flow can start or end
/// at any machine of the LAN.
fn added_client(
    d: &Design,
    text: &str,
    side: &'static str,
    notes: &mut Vec<String>,
) -> Result<Option<Client>, QueryError> {
    let Some((ip, _)) = address::parse(text) else {
        return Ok(None);
    };
    let owned = address::host_with(d, ip).is_some()
        || d.endpoints.iter().any(|e| e.ip == Some(ip))
        || d.scenario.clients.iter().any(|c| c.ip == Some(ip));
    if owned {
        return Ok(None);
    }
    match address::segment_with(d, ip) {
        Some(segment) => {
            notes.push(format!(
                "{ip} is no node of the design: taken as a machine on segment {segment} (client:{ip})"
            ));
            Ok(Some(Client {
                name: ip.to_string(),
                segment: Some(segment),
                ip: Some(ip),
                vlan: None,
                internet: false,
                listen: vec![],
                origin: Default::default(),
            }))
        }
        None if address::is_public(ip) => Ok(None),
        None => Err(QueryError::UnknownAddress { side, ip }),
    }
}

/// A network alias (`--network-alias`, compose `aliases:`) that names no node: the
/// endpoints it is an alias of, as Docker's embedded DNS answers it on that network.
/// `None` when it is nobody's alias.
fn alias(
    ctx: &Context,
    text: &str,
    notes: &mut Vec<String>,
) -> Option<Result<usize, names::NameError>> {
    let nodes = &ctx.parties.nodes;
    let hits: Vec<usize> = (0..nodes.len())
        .filter(|&i| match ctx.parties.party[i] {
            Party::Endpoint(k) => ctx.parties.endpoints[k].aliases.iter().any(|a| a == text),
            _ => false,
        })
        .collect();
    match hits.as_slice() {
        [] => None,
        [one] => {
            notes.push(format!(
                "`{text}` is a network alias of {} (answered by the network's DNS)",
                nodes[*one].id
            ));
            Some(Ok(*one))
        }
        many => Some(Err(names::NameError::Ambiguous {
            name: text.to_string(),
            candidates: many.iter().map(|&i| nodes[i].id.clone()).collect(),
        })),
    }
}

/// `NAME:PORT`, as people write a service they reach (`win1:8080`, `web:80`): the node
/// the name before the port matches, and the port. `None` when the text has no port or
/// the name matches no node.
fn name_and_port(nodes: &[Node], text: &str) -> Option<(usize, u16)> {
    let (name, port) = text.trim().rsplit_once(':')?;
    let port: u16 = port.parse().ok()?;
    Some((names::resolve(nodes, name).ok()?, port))
}

/// Reads one side: a name, or an address (with a port for `to`). `near`: the host the
/// source is on, where a container address that several hosts reuse is the local one.
fn side(
    ctx: &Context,
    side: &'static str,
    text: &str,
    proto: Option<Protocol>,
    near: Option<&str>,
    notes: &mut Vec<String>,
) -> Result<Side, QueryError> {
    let nodes = &ctx.parties.nodes;
    let Some((ip, port)) = address::parse(text) else {
        let node = match names::resolve(nodes, text) {
            Ok(node) => node,
            Err(error) => {
                // A host with a port is its address and that port (so a port mapping
                // there is followed, as for `10.0.0.10:8080`), anything else the node
                // with that destination port.
                if let Some((node, port)) = name_and_port(nodes, text) {
                    let host_ip = nodes[node]
                        .ip
                        .filter(|_| nodes[node].kind == NodeKind::Host);
                    let Some(ip) = host_ip else {
                        return Ok(Side {
                            node,
                            port: Some(port),
                            mapped: None,
                        });
                    };
                    let address = std::net::SocketAddr::new(ip, port).to_string();
                    notes.push(format!("{text} is {address}"));
                    return self::side(ctx, side, &address, proto, near, notes);
                }
                alias(ctx, text, notes)
                    .unwrap_or(Err(error))
                    .map_err(|error| QueryError::Name { side, error })?
            }
        };
        return Ok(Side {
            node,
            port: None,
            mapped: None,
        });
    };
    let internet = || nodes.iter().position(|n| n.kind == NodeKind::Internet);
    let d = ctx.design;
    // A host address with a port: the container a mapping (or the routing mesh) there
    // forwards to.
    if let (Some(h), Some(port), Some(proto)) = (address::host_with(d, ip), port, proto) {
        if let Some(side) = forwarded(ctx, h, ip, proto, port, notes) {
            return Ok(side);
        }
    }
    let mut owners: Vec<usize> = (0..nodes.len())
        .filter(|&i| nodes[i].ip == Some(ip))
        .collect();
    let local: Vec<usize> = owners
        .iter()
        .copied()
        .filter(|&i| near.is_some() && nodes[i].host.as_deref() == near)
        .collect();
    if owners.len() > 1 && local.len() == 1 {
        owners = local;
    }
    if owners.len() > 1 {
        // Two hosts' nat networks number their containers alike (IPAM-1): the address
        // alone does not say which container is meant.
        return Err(QueryError::Name {
            side,
            error: NameError::Ambiguous {
                name: text.to_string(),
                candidates: owners.iter().map(|&i| nodes[i].id.clone()).collect(),
            },
        });
    }
    let by_ip = owners.first().copied().or_else(|| {
        address::host_with(d, ip).and_then(|h| {
            let name = &d.scenario.hosts[h].name;
            nodes
                .iter()
                .position(|n| n.kind == NodeKind::Host && n.host.as_deref() == Some(name))
        })
    });
    let node = match by_ip {
        Some(i) => i,
        None if address::is_public(ip) => {
            notes.push(format!("{ip} is outside the design: taken as the internet"));
            internet().ok_or(QueryError::UnknownAddress { side, ip })?
        }
        None => return Err(QueryError::UnknownAddress { side, ip }),
    };
    let added = nodes[node].kind == NodeKind::Client && nodes[node].id == format!("client:{ip}");
    if !added && (nodes[node].ip == Some(ip) || nodes[node].kind == NodeKind::Host) {
        notes.push(format!("{text} is {}", nodes[node].id));
    }
    Ok(Side {
        node,
        port,
        mapped: None,
    })
}

#[cfg(test)]
mod tests;
