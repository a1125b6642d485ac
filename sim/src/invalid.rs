//! The parts of a design that its own findings invalidate (`Design::invalid`, filled
//! from each finding's `invalidates`), and what that does to a cell: a flow the rules
//! deliver across an invalid part is undecided, naming the finding. The rules model a
//! design as written; where a finding says the design does not work as written (a
//! transparent subnet that is not the LAN's, a NAT prefix holding the host's address,
//! an address outside its subnet), what the wire does depends on how it breaks, and a
//! matrix that says "delivered" there contradicts its own report.
//!
//! Only "delivered" is withdrawn: a denial names where the rules stop the flow, and
//! an invalid part never makes a flow work that the rules stop.

use crate::answer::{Answer, Outcome};
use crate::context::Context;
use crate::matrix::AddressTemplate;
use crate::nodes::{Endpoint, Party};
use hnsim_model::{Invalid, Subject};
use ipnet::IpNet;
use std::net::IpAddr;

/// For each invalid part of the design, what it matches, resolved to indices once.
#[derive(Debug, Default)]
pub(crate) struct Marks {
    /// Per invalid part: (network index, host index if host-scoped) for a network,
    /// (container, network) for an endpoint, host index for a host.
    parts: Vec<Part>,
}

#[derive(Debug)]
enum Part {
    /// A network; with a range, only its flows with addresses in that range.
    Network(usize, Option<IpNet>),
    Endpoint {
        container: usize,
        network: usize,
    },
    Host(usize),
    /// Names nothing of this state (its object is gone): matches nothing.
    Nothing,
}

impl Marks {
    pub fn new(design: &hnsim_model::Design) -> Marks {
        let s = &design.scenario;
        let network = |name: &str, host: Option<&str>| {
            s.networks
                .iter()
                .position(|n| n.name == name && n.host.as_deref() == host)
        };
        let parts = design
            .invalid
            .iter()
            .map(|inv| match &inv.subject {
                Subject::Network {
                    network: n,
                    host,
                    within,
                } => {
                    network(n, host.as_deref()).map_or(Part::Nothing, |n| Part::Network(n, *within))
                }
                Subject::Endpoint {
                    container,
                    network: n,
                } => {
                    let c = design.container_index(container);
                    let net = c.and_then(|c| {
                        design
                            .endpoints_of(c)
                            .find_map(|e| e.network.filter(|&i| s.networks[i].name == *n))
                    });
                    match (c, net) {
                        (Some(container), Some(network)) => Part::Endpoint { container, network },
                        _ => Part::Nothing,
                    }
                }
                Subject::Host { host } => design.host_index(host).map_or(Part::Nothing, Part::Host),
            })
            .collect();
        Marks { parts }
    }

    /// Indices (into `Design::invalid`) of the parts that every flow of `ep` crosses,
    /// of the networks whose flows off the network it takes part in, and of the ranged
    /// networks whose range holds its address: what tells this endpoint's class apart.
    pub fn of_endpoint(&self, ep: &Endpoint) -> Vec<(u16, bool)> {
        self.parts
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                let hit = match *p {
                    Part::Network(n, _) if ep.network == Some(n) => Some(false),
                    Part::Network(_, Some(range)) => {
                        Some(true).filter(|_| ep.ip.is_some_and(|ip| range.contains(&ip)))
                    }
                    Part::Network(_, None) => None,
                    Part::Endpoint { container, network } => Some(true)
                        .filter(|_| ep.container == container && ep.network == Some(network)),
                    Part::Host(h) => Some(true).filter(|_| ep.host == Some(h)),
                    Part::Nothing => None,
                }?;
                Some((i as u16, hit))
            })
            .collect()
    }

    /// The first invalid part the flow from `s` to `t` (sent to `to`) crosses: an
    /// endpoint or host of either end, or a network one end's container is on when the
    /// other end is not on it (a container is one stack, ARCH-2: the broken routes of
    /// one of its networks are in the table every one of its flows is routed by). A
    /// ranged network breaks only the routes to its range: the flow crosses it when the
    /// container on it sends to an address in the range, or is sent to from one.
    fn crossed(&self, ctx: &Context, s: Party, t: Party, to: Option<IpAddr>) -> Option<usize> {
        let ep = |p: Party| match p {
            Party::Endpoint(k) => Some(&ctx.parties.endpoints[k]),
            _ => None,
        };
        let host = |p: Party| match p {
            Party::Endpoint(k) => ctx.parties.endpoints[k].host,
            Party::Host(h) => Some(h),
            _ => None,
        };
        let (es, et) = (ep(s), ep(t));
        let on = |e: Option<&Endpoint>, n: usize| e.is_some_and(|e| container_on(ctx, e, n));
        let same_network = |n: usize| {
            es.zip(et).is_some_and(|(a, b)| {
                b.network == Some(n) && container_on(ctx, a, n)
                    || a.network == Some(n) && container_on(ctx, b, n)
            })
        };
        let in_range = |p: Party, range: &IpNet| has_address_in(ctx, p, range);
        self.parts.iter().position(|p| match *p {
            Part::Network(n, within) => {
                let (from_on, to_on) = (on(es, n), on(et, n));
                (from_on || to_on)
                    && !same_network(n)
                    && within.is_none_or(|range| {
                        from_on && (to.is_some_and(|ip| range.contains(&ip)) || in_range(t, &range))
                            || to_on && in_range(s, &range)
                    })
            }
            Part::Endpoint { container, network } => [es, et]
                .into_iter()
                .flatten()
                .any(|e| e.container == container && e.network == Some(network)),
            Part::Host(h) => host(s) == Some(h) || host(t) == Some(h),
            Part::Nothing => false,
        })
    }
}

/// Whether an address `p` sends from or is reached at lies in `range`.
fn has_address_in(ctx: &Context, p: Party, range: &IpNet) -> bool {
    match p {
        Party::Endpoint(k) => ctx.parties.endpoints[k]
            .ip
            .is_some_and(|ip| range.contains(&ip)),
        Party::Host(h) => ctx
            .host(h)
            .nics
            .iter()
            .any(|n| range.contains(&n.ip.addr())),
        Party::Client(c) => ctx.design.scenario.clients[c]
            .ip
            .is_some_and(|ip| range.contains(&ip)),
        Party::Internet => false,
    }
}

/// Whether `ep`'s container has a running attachment to network `n`.
fn container_on(ctx: &Context, ep: &Endpoint, n: usize) -> bool {
    ep.network == Some(n)
        || ctx.parties.nodes_of_container(ep.container).any(|i| {
            matches!(ctx.parties.party[i], Party::Endpoint(k)
                if ctx.parties.endpoints[k].network == Some(n) && ctx.parties.endpoints[k].running)
        })
}

/// `ans` for matrix nodes `s` to `t`, undecided when it delivers across a part of the
/// design a finding invalidates.
pub(crate) fn apply(ctx: &Context, s: usize, t: usize, ans: Answer) -> Answer {
    if !matches!(ans.outcome, Outcome::Delivered) {
        return ans;
    }
    let (ps, pt) = (ctx.parties.party[s], ctx.parties.party[t]);
    let to = match &ans.address {
        Some(AddressTemplate::Fixed { ip, .. }) => *ip,
        _ => None,
    };
    let Some(i) = ctx.marks.crossed(ctx, ps, pt, to) else {
        return ans;
    };
    let inv: &Invalid = &ctx.design.invalid[i];
    let facts: Vec<&str> = inv.facts.iter().map(String::as_str).collect();
    let Answer {
        address,
        name,
        hops,
        ..
    } = ans;
    let mut out = Answer::unknown(
        address,
        hops,
        &inv.subject.to_string(),
        format!(
            "the path crosses {}, which {} says does not work as written: {}",
            inv.subject, inv.code, inv.message
        ),
        &facts,
    );
    out.name = name;
    out
}
