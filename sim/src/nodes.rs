//! Sources and destinations of the matrix, and the probes each destination is asked
//! with.
//!
//! Probes: every destination gets an ICMP echo. An endpoint also gets a TCP/UDP probe
//! per port its container listens on (`listen`, defaulted from `ports`/`expose`) or
//! publishes; a client per port it listens on. The internet is probed with ICMP,
//! `tcp/443` and `udp/53` (a web server and a DNS resolver somewhere out there), enough
//! to tell VFP NAT's TCP/UDP-only outbound path (OVL-3) from a full one. Hosts get ICMP
//! only: services on a host's own stack are not part of a scenario.

use crate::graph::{network_id, TopologyGraph};
use crate::matrix::{DesignId, EndpointRow, EndpointRows, Node, NodeKind, NodeList, Probe};
use foldhash::HashMap;
use hnsim_model::{Driver, Protocol};
use std::net::IpAddr;
use std::sync::Arc;

use hnsim_model::PortForward;

/// A TCP or UDP probe asks a mapping for its port; ICMP has none.
impl From<Probe> for Option<hnsim_model::PortProto> {
    fn from(probe: Probe) -> Self {
        let (proto, port) = match probe {
            Probe::Tcp(p) => (Protocol::Tcp, p),
            Probe::Udp(p) => (Protocol::Udp, p),
            Probe::Icmp => return None,
        };
        Some(hnsim_model::PortProto { proto, port })
    }
}

/// An endpoint as the rules see it: what is its own (index, container, host, network,
/// address), and through [`std::ops::Deref`] what it has in common with the endpoints
/// before it ([`Shared`]), so that `ep.driver` reads as a field. A million replicas of
/// one service are a million small rows and a few shared parts, not a million copies
/// of everything (the rows were 216 bytes each, and the largest thing `sim` made).
#[derive(Clone, Debug)]
pub(crate) struct Endpoint<'a> {
    /// Index into `design.endpoints`.
    pub index: usize,
    pub container: usize,
    pub host: Option<usize>,
    pub network: Option<usize>,
    pub ip: Option<IpAddr>,
    shared: Arc<Shared<'a>>,
}

/// What an endpoint is likely to have in common with the endpoint before it (a
/// service's replicas follow one another). What it shares with the design (names,
/// aliases, the routing mesh's ports) is borrowed from the design, and the ports a
/// container listens on are one list shared by the endpoints that listen alike.
#[derive(Debug, PartialEq)]
pub(crate) struct Shared<'a> {
    pub service: Option<&'a str>,
    pub driver: Driver,
    /// Why there is no IP (IPAM), when there is none.
    pub no_ip: Option<&'a str>,
    pub running: bool,
    pub listen: Arc<[Probe]>,
    /// Port mappings that apply to this endpoint (nat / bridge attachments only).
    pub published: Vec<PortForward>,
    /// Ports the endpoint's swarm service publishes through the routing mesh, on the
    /// replica's endpoint that receives them (`ingress`); see [`hnsim_model::Design::mesh_ports`].
    pub mesh: &'a [PortForward],
    pub aliases: &'a [String],
    /// Hyper-V isolation: a synthetic VM NIC instead of a host vNIC (ARCH-3).
    pub hyperv: bool,
    /// The network a stopped container's attachment named, when it no longer exists.
    pub gone_network: Option<&'a str>,
}

impl Endpoint<'_> {
    /// Which [`Shared`] part this endpoint has: endpoints with the same id share it
    /// (ones with different ids may still have equal parts).
    pub fn shared_id(&self) -> usize {
        Arc::as_ptr(&self.shared) as usize
    }
}

impl<'a> std::ops::Deref for Endpoint<'a> {
    type Target = Shared<'a>;
    fn deref(&self) -> &Shared<'a> {
        &self.shared
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Party {
    /// Index into [`Parties::endpoints`].
    Endpoint(usize),
    Host(usize),
    Client(usize),
    Internet,
}

/// The matrix's sources and destinations: the nodes as the answer shows them, and
/// what each stands for.
pub(crate) struct Parties<'a> {
    pub endpoints: Vec<Endpoint<'a>>,
    /// What each matrix node is, parallel to `nodes`.
    pub party: Vec<Party>,
    pub nodes: NodeList,
    /// The probes each node is asked with as a destination, parallel to `nodes`; one
    /// list shared by consecutive nodes asked alike.
    pub probes: Vec<Arc<[Probe]>>,
}

impl Parties<'_> {
    /// The matrix nodes of container `c`'s endpoints. Endpoint `k` is node `k`, and
    /// endpoints come in container order (as the design lists them), so a container's
    /// nodes are one run found by two binary searches: no list per container.
    pub fn nodes_of_container(&self, c: usize) -> std::ops::Range<usize> {
        let start = self.endpoints.partition_point(|e| e.container < c);
        let end = self.endpoints.partition_point(|e| e.container <= c);
        start..end.max(start)
    }

    /// The nodes of the container of endpoint `k` (node `k`), found by looking at its
    /// neighbours only: what is asked once per node must not search the whole list
    /// (a binary search per node misses the cache at every step for a million nodes).
    pub fn container_run(&self, k: usize) -> std::ops::Range<usize> {
        let eps = &self.endpoints;
        let c = eps[k].container;
        let start = eps[..k]
            .iter()
            .rposition(|e| e.container != c)
            .map_or(0, |i| i + 1);
        let end = eps[k..]
            .iter()
            .position(|e| e.container != c)
            .map_or(eps.len(), |i| k + i);
        start..end
    }

    /// The nodes of each container with two endpoints or more, container by container,
    /// in one pass.
    pub fn multi_homed(&self) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
        let eps = &self.endpoints;
        let mut start = 0;
        std::iter::from_fn(move || {
            while start < eps.len() {
                let c = eps[start].container;
                let end = eps[start..]
                    .iter()
                    .position(|e| e.container != c)
                    .map_or(eps.len(), |i| start + i);
                let run = start..end;
                start = end;
                if run.len() > 1 {
                    return Some(run);
                }
            }
            None
        })
    }
}

fn probe_of(proto: Protocol, port: u16) -> Option<Probe> {
    match proto {
        Protocol::Tcp => Some(Probe::Tcp(port)),
        Protocol::Udp => Some(Probe::Udp(port)),
        Protocol::Sctp => None,
    }
}

/// The probes endpoint `e` is asked as a destination, into `ps`: ICMP, then its ports in
/// order.
fn probes_of(e: &Endpoint, ps: &mut Vec<Probe>) {
    ps.clear();
    ps.push(Probe::Icmp);
    for p in e.listen.iter() {
        if !ps.contains(p) {
            ps.push(*p);
        }
    }
    for p in e.published.iter().chain(e.mesh) {
        let ports = p.container_ports;
        for port in ports.start..=ports.end.min(ports.start.saturating_add(63)) {
            if let Some(pr) = probe_of(p.proto, port) {
                if !ps.contains(&pr) {
                    ps.push(pr);
                }
            }
        }
    }
    ps[1..].sort();
}

/// Drivers whose endpoints carry a container's `-p` mappings: WinNAT (NAT-8) and the
/// Linux bridge's DNAT (EXT-10). Transparent needs none (TRANS-6), host ignores them
/// (EXT-11), macvlan does not apply them (EXT-12).
fn publishes(d: &Driver) -> bool {
    matches!(d, Driver::Nat | Driver::Bridge)
}

/// Names repeated where they must not be (an invalid design) still get distinct ids:
/// the first keeps its id, a later one gets `#2`, `#3`, … A valid design has none, so
/// the ids are first only looked at, not copied.
fn make_unique(nodes: &mut [Node]) {
    let mut seen = foldhash::HashSet::with_capacity_and_hasher(nodes.len(), Default::default());
    if nodes.iter().all(|n| seen.insert(n.id.as_str())) {
        return;
    }
    let mut taken: std::collections::HashSet<String> = std::collections::HashSet::new();
    for node in nodes.iter_mut() {
        let mut out = node.id.clone();
        let mut n = 2;
        while taken.contains(&out) {
            out = format!("{}#{n}", node.id);
            n += 1;
        }
        taken.insert(out.clone());
        node.id = out;
    }
}

/// Whether each (container name, network name) pair occurs more than once. Pairs are
/// compared by hash first, sorted rather than put in a map (a map of a million pairs
/// was a cache miss per pair); only pairs whose hash repeats are compared by name.
fn repeated<'a>(n: usize, pair: impl Fn(usize) -> (&'a str, &'a str)) -> Vec<bool> {
    use std::hash::BuildHasher;
    let state = foldhash::fast::FixedState::default();
    let hashes: Vec<u64> = (0..n).map(|k| state.hash_one(pair(k))).collect();
    let suspect = hnsim_model::repeated_hashes(&hashes);
    if suspect.is_empty() {
        return vec![false; n];
    }
    let mut count: foldhash::HashMap<(&str, &str), u32> = Default::default();
    for (k, h) in hashes.iter().enumerate() {
        if suspect.contains(h) {
            *count.entry(pair(k)).or_default() += 1;
        }
    }
    hashes
        .iter()
        .enumerate()
        .map(|(k, h)| suspect.contains(h) && count[&pair(k)] > 1)
        .collect()
}

/// Whether each endpoint is the one of its replica that routing-mesh traffic arrives
/// on: its `ingress` endpoint (resolve attaches publishing tasks to it), else its first
/// overlay endpoint. One pass over the endpoints, which come container by container.
fn mesh_endpoints(d: &hnsim_model::Design) -> Vec<bool> {
    let s = &d.scenario;
    let mut out = vec![false; d.endpoints.len()];
    let mut start = 0;
    while start < d.endpoints.len() {
        let c = d.endpoints[start].container;
        let end = d.endpoints[start..]
            .iter()
            .position(|e| e.container != c)
            .map_or(d.endpoints.len(), |i| start + i);
        let net = |i: usize| d.endpoints[i].network.map(|n| &s.networks[n]);
        let ingress =
            (start..end).find(|&i| net(i).is_some_and(|n| n.name == "ingress" && n.host.is_none()));
        let overlay = (start..end).find(|&i| net(i).is_some_and(|n| n.driver == Driver::Overlay));
        if let Some(i) = ingress.or(overlay) {
            out[i] = true;
        }
        start = end;
    }
    out
}

pub(crate) fn build<'a>(w: &TopologyGraph<'a>) -> Parties<'a> {
    let d = w.design;
    let s = &d.scenario;
    let mesh_at = mesh_endpoints(d);
    let mut published_by: HashMap<usize, Vec<&hnsim_model::Published>> = HashMap::default();
    for p in &d.published {
        published_by.entry(p.container).or_default().push(p);
    }
    let mut eps = Vec::with_capacity(d.endpoints.len());
    // The listening ports of the container before, shared with the next container
    // that listens alike (a service's replicas follow one another).
    let mut last_listen: Option<(&[hnsim_model::PortProto], Arc<[Probe]>)> = None;
    let mut last_mesh: Option<(&str, &[PortForward])> = None;
    // The service name of the replica before: a replica of the same service points at
    // it rather than at its own copy, which every later reader (row, class key) would
    // fetch from memory again.
    let mut last_service: Option<&str> = None;
    let mut last_shared: Option<Arc<Shared>> = None;
    // Node names, one after the other, written as the containers are read.
    let mut names = String::new();
    let mut name_ends: Vec<u32> = Vec::with_capacity(d.endpoints.len());
    for (i, e) in d.endpoints.iter().enumerate() {
        let Some(c) = s.containers.get(e.container) else {
            continue;
        };
        let service = match (c.service.as_deref(), last_service) {
            (Some(svc), Some(last)) if svc == last => Some(last),
            (svc, _) => {
                last_service = svc.or(last_service);
                svc
            }
        };
        let net = e.network.and_then(|n| s.networks.get(n));
        let driver = net.map(|n| n.driver.clone()).unwrap_or(Driver::None);
        let listen = match &last_listen {
            Some((ports, list)) if *ports == c.listen.as_slice() => list.clone(),
            _ => {
                let list: Arc<[Probe]> = c
                    .listen
                    .iter()
                    .filter_map(|p| probe_of(p.proto, p.port))
                    .collect();
                last_listen = Some((&c.listen, list.clone()));
                list
            }
        };
        let windows = e
            .host
            .and_then(|h| s.hosts.get(h))
            .is_some_and(|h| h.is_windows());
        let published: Vec<PortForward> = if publishes(&driver) {
            published_by
                .get(&e.container)
                .into_iter()
                .flatten()
                // EXT-7: Windows refuses a host IP in a mapping, so none is created.
                .filter(|p| !(windows && p.forward.host_ip.is_some()))
                .map(|p| p.forward.clone())
                .collect()
        } else {
            vec![]
        };
        let mesh = match service {
            Some(svc) if mesh_at[i] => match last_mesh {
                // A service's replicas follow one another: looked up once for them.
                Some((name, ports)) if name == svc => ports,
                _ => {
                    let ports = d.mesh_ports(svc);
                    last_mesh = Some((svc, ports));
                    ports
                }
            },
            _ => &[],
        };
        names.push_str(&c.name);
        name_ends.push(names.len() as u32);
        let shared = Shared {
            service,
            driver,
            no_ip: match &e.ip_source {
                hnsim_model::IpSource::Unassigned(why) => Some(why),
                _ => None,
            },
            running: c.is_running(),
            listen,
            published,
            mesh,
            aliases: &e.aliases,
            hyperv: c.isolation == hnsim_model::Isolation::Hyperv,
            gone_network: match e.network {
                None if !c.is_running() => c.networks.get(e.attachment).map(|a| a.network.as_str()),
                _ => None,
            },
        };
        // The same as the endpoint before's (listen lists are compared by pointer:
        // equal lists of one run share one): shared, not kept again.
        let shared = match &last_shared {
            Some(last) if **last == shared => Arc::clone(last),
            _ => {
                let new = Arc::new(shared);
                last_shared = Some(Arc::clone(&new));
                new
            }
        };
        eps.push(Endpoint {
            index: i,
            container: e.container,
            host: e.host,
            network: e.network,
            ip: e.ip,
            shared,
        });
    }

    // Node ids: `container@network`, host-qualified when a name repeats across hosts.
    let net_names: Vec<&str> = eps
        .iter()
        .map(|e| {
            e.network
                .map(|n| s.networks[n].name.as_str())
                .or_else(|| {
                    s.containers[e.container]
                        .networks
                        .get(d.endpoints[e.index].attachment)
                        .map(|a| a.network.as_str())
                })
                .unwrap_or("?")
        })
        .collect();
    // What every node shares with others is one string in `rows.strings`: host names,
    // then network ids, network names and driver names per network, then services and
    // missing networks' names as they come.
    let mut rows = EndpointRows {
        names,
        name_ends,
        strings: Vec::new(),
        listens: Vec::new(),
        rows: Vec::with_capacity(eps.len()),
    };
    rows.strings.extend(s.hosts.iter().map(|h| h.name.clone()));
    let net_base = rows.strings.len();
    for n in &s.networks {
        rows.strings.push(network_id(n));
        rows.strings.push(n.name.clone());
        rows.strings.push(n.driver.to_string());
    }
    let net_str = |n: usize, what: usize| (net_base + 3 * n + what) as u32;
    let host_str = |h: usize| h as u32;
    let mut other: foldhash::HashMap<String, u32> = Default::default();
    let mut intern = |strings: &mut Vec<String>, text: &str| -> u32 {
        if let Some(&i) = other.get(text) {
            return i;
        }
        strings.push(text.to_string());
        other.insert(text.to_string(), strings.len() as u32 - 1);
        strings.len() as u32 - 1
    };
    // Names read from their copies, one after the other in memory.
    let name_at = |k: usize| {
        let start = k.checked_sub(1).map_or(0, |j| rows.name_ends[j] as usize);
        &rows.names[start..rows.name_ends[k] as usize]
    };
    let repeated = repeated(eps.len(), |k| (name_at(k), net_names[k]));
    let mut probes: Vec<Arc<[Probe]>> =
        Vec::with_capacity(eps.len() + s.hosts.len() + s.clients.len() + 1);
    let mut who = Vec::with_capacity(probes.capacity());
    let mut last_listens: Option<&Arc<[Probe]>> = None;
    // Each node's probes are worked out here and shared with the node before when they
    // are the same (a service's replicas follow one another).
    let mut ps: Vec<Probe> = Vec::new();
    let mut last_service_id: Option<(&str, u32)> = None;
    // The probes are made of what endpoints share ([`Shared`]): worked out again only
    // when that changes.
    let mut last_shared: Option<&Arc<Shared>> = None;
    for (k, e) in eps.iter().enumerate() {
        let shared: Arc<[Probe]> = match (last_shared, probes.last()) {
            (Some(last), Some(prev)) if Arc::ptr_eq(last, &e.shared) => Arc::clone(prev),
            _ => {
                last_shared = Some(&e.shared);
                probes_of(e, &mut ps);
                match probes.last() {
                    Some(prev) if **prev == *ps => Arc::clone(prev),
                    _ => ps.as_slice().into(),
                }
            }
        };
        if !last_listens.is_some_and(|l| Arc::ptr_eq(l, &e.listen)) {
            rows.listens.push(e.listen.to_vec());
            last_listens = Some(&e.listen);
        }
        let net = match e.network {
            Some(n) => net_str(n, 1),
            None => intern(&mut rows.strings, net_names[k]),
        };
        rows.rows.push(EndpointRow {
            net,
            host: e.host.map(host_str),
            service: e.service.map(|svc| match last_service_id {
                // Replicas of one service share its name (see above): one lookup.
                Some((name, id)) if std::ptr::eq(name, svc) => id,
                _ => {
                    let id = intern(&mut rows.strings, svc);
                    last_service_id = Some((svc, id));
                    id
                }
            }),
            network: e.network.map(|n| net_str(n, 0)),
            driver: match e.network {
                Some(n) => net_str(n, 2),
                None => intern(&mut rows.strings, &e.driver.to_string()),
            },
            design_network: e.network.map(|n| {
                let host = s.networks[n]
                    .host
                    .as_deref()
                    .map(|h| intern(&mut rows.strings, h));
                (net_str(n, 1), host)
            }),
            ip: e.ip,
            listens: rows.listens.len() as u32 - 1,
            attachment: d.endpoints[e.index].attachment as u32,
            qualified: repeated[k],
        });
        who.push(Party::Endpoint(k));
        probes.push(shared);
    }
    let mut nodes = Vec::with_capacity(s.hosts.len() + s.clients.len() + 1);
    for (hi, h) in s.hosts.iter().enumerate() {
        nodes.push(Node {
            id: format!("host:{}", h.name),
            kind: NodeKind::Host,
            label: format!("host {} ({})", h.name, h.os),
            host: Some(h.name.clone()),
            container: None,
            service: None,
            network: None,
            driver: None,
            ip: h.primary_ip(),
            listens: vec![],
            design_id: Some(DesignId::Host {
                host: h.name.clone(),
            }),
        });
        who.push(Party::Host(hi));
        probes.push(vec![Probe::Icmp].into());
    }
    for (ci, c) in s.clients.iter().enumerate() {
        let listens: Vec<Probe> = c
            .listen
            .iter()
            .filter_map(|p| probe_of(p.proto, p.port))
            .collect();
        let mut ps = vec![Probe::Icmp];
        ps.extend(listens.iter().copied());
        ps[1..].sort();
        ps.dedup();
        nodes.push(Node {
            id: format!("client:{}", c.name),
            kind: NodeKind::Client,
            label: if c.internet {
                format!("client {} (internet)", c.name)
            } else {
                format!("client {}", c.name)
            },
            host: None,
            container: None,
            service: None,
            network: None,
            driver: None,
            ip: c.ip,
            listens,
            design_id: Some(DesignId::Client {
                client: c.name.clone(),
            }),
        });
        who.push(Party::Client(ci));
        probes.push(ps.into());
    }
    nodes.push(Node {
        listens: vec![Probe::Tcp(443), Probe::Udp(53)],
        design_id: Some(DesignId::Internet),
        ..Node::new("internet", NodeKind::Internet, "the internet")
    });
    who.push(Party::Internet);
    probes.push(vec![Probe::Icmp, Probe::Tcp(443), Probe::Udp(53)].into());
    let nodes = if ids_plainly_unique(&rows, &nodes) {
        NodeList::compact(rows, nodes)
    } else {
        let mut all: Vec<Node> = NodeList::compact(rows, nodes).to_vec();
        make_unique(&mut all);
        NodeList::from(all)
    };
    debug_assert!(eps.windows(2).all(|w| w[0].container <= w[1].container));
    Parties {
        endpoints: eps,
        party: who,
        nodes,
        probes,
    }
}

/// Whether every node id is distinct without renaming any, decided without making
/// the ids: endpoint ids are `name@net` or `name@host/net`, so when no name, host or
/// network has an `@` or a `/` in it, two ids are equal only if their parts are; no
/// other node's id has an `@`. A design that fails this (an invalid one, or names
/// with those characters) gets its ids made and checked one by one.
fn ids_plainly_unique(rows: &EndpointRows, rest: &[Node]) -> bool {
    let plain = |t: &str| !t.contains(['@', '/']);
    if !plain(&rows.names) || rest.iter().any(|n| n.id.contains('@')) {
        return false;
    }
    let mut used_strings = vec![false; rows.strings.len()];
    let mut seen: foldhash::HashSet<(&str, Option<u32>, u32)> =
        foldhash::HashSet::with_capacity_and_hasher(rows.rows.len(), Default::default());
    let mut start = 0;
    for (r, &end) in rows.rows.iter().zip(&rows.name_ends) {
        let name = &rows.names[start..end as usize];
        start = end as usize;
        used_strings[r.net as usize] = true;
        let host = if r.qualified {
            if let Some(h) = r.host {
                used_strings[h as usize] = true;
            }
            r.host
        } else {
            None
        };
        // Unqualified ids are unique by construction (their name and network appear
        // once); qualified ones must differ by host.
        if r.qualified && !seen.insert((name, host, r.net)) {
            return false;
        }
    }
    let mut other: foldhash::HashSet<&str> = Default::default();
    rows.strings
        .iter()
        .zip(&used_strings)
        .filter(|(_, used)| **used)
        .all(|(t, _)| plain(t))
        && rest.iter().all(|n| other.insert(&n.id))
}

#[cfg(test)]
mod tests {
    /// A pair is repeated when the same name is on the same network twice, not when
    /// the name or the network repeats alone.
    #[test]
    fn repeated_pairs_are_those_of_one_name_on_one_network() {
        let pairs = [
            ("web", "nat"),
            ("web", "ovl"),
            ("db", "nat"),
            ("web", "nat"),
            ("x", "y"),
        ];
        assert_eq!(
            super::repeated(5, |k| pairs[k]),
            [true, false, false, true, false]
        );
        assert_eq!(super::repeated(3, |k| pairs[k]), [false; 3]);
    }
}
