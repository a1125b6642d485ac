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
use std::borrow::Cow;

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

impl ClassKey {
    /// The key of the class in the role of a source: what the rules read about an
    /// endpoint that sends. What only a destination is asked about — the ports it
    /// listens on, publishes or has published through the routing mesh, its service
    /// and aliases (the names others resolve it by) — is left out, so classes that
    /// differ only there send alike: a thousand containers each listening on its own
    /// port are a thousand destination classes but one source class, and the engine
    /// decides a thousand class pairs instead of a million. The class-equivalence
    /// test (every pair against classes) guards that no rule reads these of a source.
    pub(crate) fn as_source(&self) -> ClassKey {
        match self {
            ClassKey::Endpoint { own, siblings } => {
                let mut siblings: Vec<EndpointFacts> =
                    siblings.iter().map(EndpointFacts::as_source).collect();
                siblings.sort();
                ClassKey::Endpoint {
                    own: Box::new(own.as_source()),
                    siblings,
                }
            }
            other => other.clone(),
        }
    }
}

impl EndpointFacts {
    fn as_source(&self) -> EndpointFacts {
        EndpointFacts {
            listen: Vec::new(),
            published: Vec::new(),
            mesh: Vec::new(),
            service: None,
            aliases: Vec::new(),
            no_ip: self.no_ip.clone(),
            gone_network: self.gone_network.clone(),
            invalid: self.invalid.clone(),
            ..*self
        }
    }
}

pub(crate) struct Classes {
    /// Class of each matrix node.
    pub of: Vec<u32>,
    /// Members of each class, in node order.
    pub members: Vec<Vec<u32>>,
    /// What each class stands for.
    pub keys: Vec<ClassKey>,
}

pub(crate) fn classify(ctx: &Context, mode: Mode) -> Classes {
    let n = ctx.parties.party.len();
    let mut of = Vec::with_capacity(n);
    let mut members: Vec<Vec<u32>> = Vec::new();
    let mut keys: Vec<ClassKey> = Vec::new();
    // Looked up by a key that borrows from the endpoint (no string is copied per node);
    // a key is made owned once per class.
    let mut seen: foldhash::HashMap<KeyRef, usize> = Default::default();
    // An endpoint alone in its container is told from another by its host, network,
    // address facts and what it shares with the endpoints around it ([`Shared`],
    // looked at by pointer): found by those, its full key (names and lists, hashed
    // and compared) is made once per class, not once per replica.
    let mut quick: foldhash::HashMap<QuickKey, usize> = Default::default();
    for (i, party) in ctx.parties.party.iter().enumerate() {
        let class = match (party, mode) {
            (Party::Endpoint(k), Mode::Classes) => {
                let ep = &ctx.parties.endpoints[*k];
                let address = AddressFacts::of(ctx, ep);
                let alone = ctx.parties.container_run(*k).len() == 1;
                let quick_key = alone.then(|| QuickKey {
                    shared: ep.shared_id(),
                    host: ep.host,
                    network: ep.network,
                    address: address.clone(),
                });
                match quick_key.as_ref().and_then(|q| quick.get(q)) {
                    Some(&class) => class,
                    None => {
                        let key = endpoint_key(ctx, *k, address);
                        let class = class_of(&mut seen, &mut members, &mut keys, key);
                        if let Some(q) = quick_key {
                            quick.insert(q, class);
                        }
                        class
                    }
                }
            }
            (_, Mode::EveryPair) => class_of(
                &mut seen,
                &mut members,
                &mut keys,
                KeyRef::Other(ClassKey::Node(i)),
            ),
            (Party::Host(h), _) => class_of(
                &mut seen,
                &mut members,
                &mut keys,
                KeyRef::Other(ClassKey::Host(*h)),
            ),
            (Party::Client(c), _) => class_of(
                &mut seen,
                &mut members,
                &mut keys,
                KeyRef::Other(ClassKey::Client(*c)),
            ),
            (Party::Internet, _) => class_of(
                &mut seen,
                &mut members,
                &mut keys,
                KeyRef::Other(ClassKey::Internet),
            ),
        };
        members[class].push(i as u32);
        of.push(class as u32);
    }
    Classes { of, members, keys }
}

/// The class of `key`, a new one when no endpoint had it yet.
fn class_of<'a>(
    seen: &mut foldhash::HashMap<KeyRef<'a>, usize>,
    members: &mut Vec<Vec<u32>>,
    keys: &mut Vec<ClassKey>,
    key: KeyRef<'a>,
) -> usize {
    *seen.entry(key).or_insert_with_key(|key| {
        members.push(vec![]);
        keys.push(key.to_owned_key());
        members.len() - 1
    })
}

/// What finds the class of an endpoint alone in its container without its full key.
#[derive(PartialEq, Eq, Hash)]
struct QuickKey {
    shared: usize,
    host: Option<usize>,
    network: Option<usize>,
    address: AddressFacts,
}

/// What the rules read about an endpoint's address (and the invalid parts it takes
/// part in, which may hang on it).
#[derive(Clone, PartialEq, Eq, Hash)]
struct AddressFacts {
    has_ip: bool,
    ip_source: u8,
    subnet: Option<usize>,
    on_segment_subnet: bool,
    public: bool,
    invalid: Vec<(u16, bool)>,
}

/// A [`ClassKey`] borrowing from the endpoints it describes.
#[derive(PartialEq, Eq, Hash)]
enum KeyRef<'a> {
    Endpoint {
        own: FactsRef<'a>,
        siblings: Vec<FactsRef<'a>>,
    },
    /// Keys that hold no borrowed data.
    Other(ClassKey),
}

impl KeyRef<'_> {
    fn to_owned_key(&self) -> ClassKey {
        match self {
            KeyRef::Endpoint { own, siblings } => ClassKey::Endpoint {
                own: Box::new(own.to_owned_facts()),
                siblings: siblings.iter().map(FactsRef::to_owned_facts).collect(),
            },
            KeyRef::Other(k) => k.clone(),
        }
    }
}

/// [`EndpointFacts`] borrowing its names and lists from the endpoint.
#[derive(PartialEq, Eq, Hash, PartialOrd, Ord)]
struct FactsRef<'a> {
    host: Option<usize>,
    network: Option<usize>,
    running: bool,
    has_ip: bool,
    no_ip: Option<&'a str>,
    ip_source: u8,
    subnet: Option<usize>,
    on_segment_subnet: bool,
    public: bool,
    listen: Cow<'a, [Probe]>,
    published: Cow<'a, [PortForward]>,
    mesh: &'a [PortForward],
    service: Option<&'a str>,
    aliases: &'a [String],
    hyperv: bool,
    gone_network: Option<&'a str>,
    invalid: Vec<(u16, bool)>,
}

impl FactsRef<'_> {
    fn to_owned_facts(&self) -> EndpointFacts {
        EndpointFacts {
            host: self.host,
            network: self.network,
            running: self.running,
            has_ip: self.has_ip,
            no_ip: self.no_ip.map(str::to_string),
            ip_source: self.ip_source,
            subnet: self.subnet,
            on_segment_subnet: self.on_segment_subnet,
            public: self.public,
            listen: self.listen.to_vec(),
            published: self.published.to_vec(),
            mesh: self.mesh.to_vec(),
            service: self.service.map(str::to_string),
            aliases: self.aliases.to_vec(),
            hyperv: self.hyperv,
            gone_network: self.gone_network.map(str::to_string),
            invalid: self.invalid.clone(),
        }
    }
}

fn endpoint_key<'a>(ctx: &Context<'a>, k: usize, address: AddressFacts) -> KeyRef<'a> {
    let ep = &ctx.parties.endpoints[k];
    let mut siblings: Vec<FactsRef> = ctx
        .parties
        .container_run(k)
        .filter_map(|i| match ctx.parties.party[i] {
            Party::Endpoint(j) if j != k => {
                let sibling = &ctx.parties.endpoints[j];
                Some(facts(sibling, AddressFacts::of(ctx, sibling)))
            }
            _ => None,
        })
        .collect();
    siblings.sort();
    KeyRef::Endpoint {
        own: facts(ep, address),
        siblings,
    }
}

/// `list` in order, copied only when it is not in order already.
fn sorted<T: Ord + Clone>(list: &[T]) -> Cow<'_, [T]> {
    if list.windows(2).all(|w| w[0] <= w[1]) {
        Cow::Borrowed(list)
    } else {
        let mut v = list.to_vec();
        v.sort();
        Cow::Owned(v)
    }
}

impl AddressFacts {
    fn of(ctx: &Context, ep: &Endpoint) -> AddressFacts {
        let net = ctx.network(ep);
        let subnet = ep
            .ip
            .and_then(|ip| net.and_then(|n| n.subnet.0.iter().position(|s| s.contains(&ip))));
        let on_segment_subnet = ep.ip.is_some_and(|ip| {
            ctx.endpoint_segment_index(ep)
                .is_some_and(|at| ctx.design.scenario.segments[at].subnet.contains(&ip))
        });
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
        AddressFacts {
            has_ip: ep.ip.is_some(),
            ip_source,
            subnet,
            on_segment_subnet,
            public: ep.ip.is_some_and(is_public),
            invalid: ctx.marks.of_endpoint(ep),
        }
    }
}

fn facts<'a>(ep: &'a Endpoint, address: AddressFacts) -> FactsRef<'a> {
    FactsRef {
        host: ep.host,
        network: ep.network,
        running: ep.running,
        has_ip: address.has_ip,
        no_ip: ep.no_ip,
        ip_source: address.ip_source,
        subnet: address.subnet,
        on_segment_subnet: address.on_segment_subnet,
        public: address.public,
        listen: sorted(&ep.listen),
        published: sorted(&ep.published),
        mesh: ep.mesh,
        service: ep.service,
        aliases: ep.aliases,
        hyperv: ep.hyperv,
        gone_network: ep.gone_network,
        invalid: address.invalid,
    }
}
