//! Endpoint classes: endpoints the rules cannot tell apart (same host, network, driver,
//! run state, subnet, ports, mappings, service, aliases, and the same for the
//! container's other attachments) get the same answers up to their own IP and name. The
//! engine decides one answer per pair of classes and a cell is made per pair of nodes
//! only when asked for, so the cost grows with classes, not with endpoints squared.
//! Hosts, clients and the internet are classes of one.
//!
//! A class's [`ClassKey`] is everything the rules read about its members, so the same
//! key in two states of a timeline means the same answers when the rest of the design
//! (segments, hosts, networks, clients, services) did not change.

use crate::context::Context;
use crate::graph::is_public;
use crate::matrix::Probe;
use crate::nodes::{Endpoint, Party};
use hnsim_model::PortForward;

/// How classes are formed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Indistinguishable endpoints share a class.
    Classes,
    /// Every node is its own class (the reference the class mode is tested against).
    EveryPair,
}

/// What the rules read about one endpoint, apart from its own address and name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct EndpointFacts {
    host: Option<usize>,
    network: Option<usize>,
    running: bool,
    has_ip: bool,
    no_ip: Option<String>,
    /// Static / DHCP / IPAM: static addressing without a gateway has no default route.
    ip_source: u8,
    subnet: Option<usize>,
    on_segment_subnet: bool,
    public: bool,
    listen: Vec<Probe>,
    published: Vec<PortForward>,
    mesh: Vec<PortForward>,
    service: Option<String>,
    aliases: Vec<String>,
    hyperv: bool,
    gone_network: Option<String>,
    /// The invalid parts of the design it takes part in (`invalid::Marks`).
    invalid: Vec<(u16, bool)>,
}

/// What tells one class from another.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum ClassKey {
    /// An endpoint, with its container's other attachments (a container is one stack:
    /// traffic for a network it is also on leaves through that attachment, ARCH-2).
    Endpoint {
        own: Box<EndpointFacts>,
        siblings: Vec<EndpointFacts>,
    },
    Host(usize),
    Client(usize),
    Internet,
    /// [`Mode::EveryPair`]: node `i` alone.
    Node(usize),
}

pub(crate) struct Classes {
    /// Class of each matrix node.
    pub of: Vec<usize>,
    /// Members of each class, in node order.
    pub members: Vec<Vec<usize>>,
    /// What each class stands for.
    pub keys: Vec<ClassKey>,
}

pub(crate) fn classify(ctx: &Context, mode: Mode) -> Classes {
    let n = ctx.parties.party.len();
    let mut of = Vec::with_capacity(n);
    let mut members: Vec<Vec<usize>> = Vec::new();
    let mut keys: Vec<ClassKey> = Vec::new();
    let mut seen: foldhash::HashMap<ClassKey, usize> = Default::default();
    for (i, party) in ctx.parties.party.iter().enumerate() {
        let key = match (party, mode) {
            (_, Mode::EveryPair) => ClassKey::Node(i),
            (Party::Endpoint(k), Mode::Classes) => endpoint_key(ctx, *k),
            (Party::Host(h), _) => ClassKey::Host(*h),
            (Party::Client(c), _) => ClassKey::Client(*c),
            (Party::Internet, _) => ClassKey::Internet,
        };
        let class = *seen.entry(key).or_insert_with_key(|key| {
            members.push(vec![]);
            keys.push(key.clone());
            members.len() - 1
        });
        members[class].push(i);
        of.push(class);
    }
    Classes { of, members, keys }
}

fn endpoint_key(ctx: &Context, k: usize) -> ClassKey {
    let ep = &ctx.parties.endpoints[k];
    let mut siblings: Vec<EndpointFacts> = ctx
        .parties
        .nodes_of_container(ep.container)
        .filter_map(|i| match ctx.parties.party[i] {
            Party::Endpoint(j) if j != k => Some(facts(ctx, &ctx.parties.endpoints[j])),
            _ => None,
        })
        .collect();
    siblings.sort();
    ClassKey::Endpoint {
        own: Box::new(facts(ctx, ep)),
        siblings,
    }
}

fn facts(ctx: &Context, ep: &Endpoint) -> EndpointFacts {
    let net = ctx.network(ep);
    let subnet = ep
        .ip
        .and_then(|ip| net.and_then(|n| n.subnet.0.iter().position(|s| s.contains(&ip))));
    let on_segment_subnet = ep.ip.is_some_and(|ip| {
        ctx.endpoint_segment(ep).is_some_and(|at| {
            ctx.design.scenario.segments[at.segment]
                .subnet
                .contains(&ip)
        })
    });
    let mut listen = ep.listen.clone();
    listen.sort();
    let mut published = ep.published.clone();
    published.sort();
    let ip_source = match ctx.design.endpoints[ep.index].ip_source {
        hnsim_model::IpSource::Static => 0,
        hnsim_model::IpSource::HnsDynamic => 1,
        hnsim_model::IpSource::DockerIpam => 2,
        hnsim_model::IpSource::Swarm => 3,
        hnsim_model::IpSource::Dhcp => 4,
        hnsim_model::IpSource::SdnIpConfig => 5,
        hnsim_model::IpSource::HostStack => 6,
        hnsim_model::IpSource::Unassigned(_) => 7,
    };
    EndpointFacts {
        host: ep.host,
        network: ep.network,
        running: ep.running,
        has_ip: ep.ip.is_some(),
        no_ip: ep.no_ip.clone(),
        ip_source,
        subnet,
        on_segment_subnet,
        public: ep.ip.is_some_and(is_public),
        listen,
        published,
        mesh: ep.mesh.clone(),
        service: ep.service.clone(),
        aliases: ep.aliases.clone(),
        hyperv: ep.hyperv,
        gone_network: ep.gone_network.clone(),
        invalid: ctx.marks.of_endpoint(ep),
    }
}
