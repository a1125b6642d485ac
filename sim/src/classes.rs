//! Endpoint classes: endpoints the rules cannot tell apart (same host, network, driver,
//! run state, subnet, ports, mappings, service, aliases, other attachments) get the
//! same answers up to their own IP and name. The engine computes one answer per pair of
//! classes and instantiates it per pair of endpoints, so the cost grows with classes,
//! not with endpoints squared. Hosts, clients and the internet are classes of one.

use crate::context::Context;
use crate::graph::is_public;
use crate::matrix::Probe;
use crate::nodes::Party;
use hnsim_model::PortForward;
use std::collections::HashMap;

/// How classes are formed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Indistinguishable endpoints share a class.
    Classes,
    /// Every node is its own class (the reference the class mode is tested against).
    EveryPair,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Key {
    host: Option<usize>,
    net: Option<usize>,
    running: bool,
    has_ip: bool,
    no_ip: Option<String>,
    /// Static / DHCP / IPAM: static addressing without a gateway has no default route.
    ip_source: std::mem::Discriminant<hnsim_model::IpSource>,
    subnet: Option<usize>,
    on_segment_subnet: bool,
    public: bool,
    listen: Vec<Probe>,
    published: Vec<PortForward>,
    mesh: Vec<PortForward>,
    service: Option<String>,
    aliases: Vec<String>,
    siblings: Vec<usize>,
    hyperv: bool,
    gone_network: Option<String>,
}

pub(crate) struct Classes {
    /// Class of each matrix node.
    pub of: Vec<usize>,
    /// Members of each class, in node order.
    pub members: Vec<Vec<usize>>,
}

pub(crate) fn classify(ctx: &Context, mode: Mode) -> Classes {
    let mut of = Vec::with_capacity(ctx.parties.party.len());
    let mut members: Vec<Vec<usize>> = Vec::new();
    let mut seen: HashMap<Key, usize> = HashMap::new();
    for (i, who) in ctx.parties.party.iter().enumerate() {
        let class = match (who, mode) {
            (Party::Endpoint(k), Mode::Classes) => {
                let key = key(ctx, *k);
                *seen.entry(key).or_insert_with(|| {
                    members.push(vec![]);
                    members.len() - 1
                })
            }
            _ => {
                members.push(vec![]);
                members.len() - 1
            }
        };
        members[class].push(i);
        of.push(class);
    }
    Classes { of, members }
}

fn key(ctx: &Context, k: usize) -> Key {
    let ep = &ctx.parties.endpoints[k];
    let net = ep.network.map(|n| &ctx.design.scenario.networks[n]);
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
    let mut siblings = ep.siblings.clone();
    siblings.sort();
    Key {
        host: ep.host,
        net: ep.network,
        running: ep.running,
        has_ip: ep.ip.is_some(),
        no_ip: ep.no_ip.clone(),
        ip_source: std::mem::discriminant(&ctx.design.endpoints[ep.index].ip_source),
        subnet,
        on_segment_subnet,
        public: ep.ip.is_some_and(is_public),
        listen,
        published,
        mesh: ep.mesh.clone(),
        service: ep.service.clone(),
        aliases: ep.aliases.clone(),
        siblings,
        hyperv: ep.hyperv,
        gone_network: ep.gone_network.clone(),
    }
}
