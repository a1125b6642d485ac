//! The answer for one (source, destination, probe), before it is instantiated: the
//! checks that hold for any pair (an endpoint that cannot take part, a container's own
//! other attachment, names), then the driver's same-network rule or the fabric between
//! the source's exits and the destination's entries.

use crate::answer::{
    best, hop, AddressTemplate, Answer, Denial, DST_IP, DST_NAME, SRC_IP, SRC_NAME,
};
use crate::context::Context;
use crate::driver::{self, container_addr};
use crate::fabric::{self, Entry, Exit};
use crate::matrix::{AddressKind, DenyReason, Hop, Mechanism, Probe};
use crate::nodes::{Endpoint, Party};
use std::net::IpAddr;

/// Whether matrix nodes `s` and `t` are two endpoints of one container.
pub(super) fn same_container(ctx: &Context, s: usize, t: usize) -> bool {
    match (ctx.parties.party[s], ctx.parties.party[t]) {
        (Party::Endpoint(a), Party::Endpoint(b)) => {
            ctx.parties.endpoints[a].container == ctx.parties.endpoints[b].container
        }
        _ => false,
    }
}

/// The answer for matrix nodes `s` to `t` with `probe`, with identity tokens.
pub(super) fn answer(ctx: &Context, s: usize, t: usize, probe: Probe) -> Answer {
    if same_container(ctx, s, t) {
        own_address(ctx, s, t, probe)
    } else {
        between(ctx, s, t, probe)
    }
}

/// Two endpoints of one container: the container talks to its own address inside its
/// compartment (ARCH-2).
pub(super) fn own_address(ctx: &Context, s: usize, t: usize, probe: Probe) -> Answer {
    let (Party::Endpoint(a), Party::Endpoint(b)) = (ctx.parties.party[s], ctx.parties.party[t])
    else {
        return between(ctx, s, t, probe);
    };
    let (a, b) = (&ctx.parties.endpoints[a], &ctx.parties.endpoints[b]);
    if let Some(x) = unusable(a, true, probe).or_else(|| unusable(b, false, probe)) {
        return x;
    }
    let hops = vec![hop(
        format!("{SRC_NAME} compartment"),
        Mechanism::Vnic,
        "the destination address is the container's own: delivered inside its compartment",
        &["ARCH-2"],
    )];
    driver::finish(ctx, b, probe, container_addr(probe), hops)
}

/// A source or destination endpoint that cannot take part at all.
fn unusable(ep: &Endpoint, as_source: bool, probe: Probe) -> Option<Answer> {
    let who = if as_source { SRC_NAME } else { DST_NAME };
    let rules = driver::rules(&ep.driver);
    let denial = if let Some(d) = rules.isolated(ep, who) {
        d
    } else if !ep.running {
        let gone = ep
            .gone_network
            .as_ref()
            .map(|n| format!(" (its network `{n}` no longer exists)"))
            .unwrap_or_default();
        Denial::new(
            DenyReason::EndpointDown,
            who,
            format!("{who} is not running{gone}: its vNIC is down"),
            &["ARCH-1"],
        )
    } else if ep.network.is_none() || ep.host.is_none() {
        Denial::new(
            DenyReason::InvalidDesign,
            who,
            "the attachment names a network or host that does not exist",
            &["ARCH-1"],
        )
    } else if let Some(facts) = rules.address_facts().filter(|_| ep.ip.is_none()) {
        let why = ep.no_ip.unwrap_or("no address");
        Denial::new(
            DenyReason::NoAddress,
            who,
            format!("{who} has no IP address: {why}"),
            facts,
        )
    } else {
        return None;
    };
    let addr = (!as_source).then(|| container_addr(probe));
    Some(Answer::denied(addr, vec![], denial))
}

/// A container is one network stack (ARCH-2): whichever of its endpoints a cell starts
/// from, traffic to an address on a network the container is also attached to leaves
/// through that attachment (the connected route), not through the source endpoint's.
/// Returns the node index of the sibling endpoint that the kernel/compartment would use.
fn connected_sibling(ctx: &Context, a: usize, b: usize) -> Option<usize> {
    let (ea, eb) = (&ctx.parties.endpoints[a], &ctx.parties.endpoints[b]);
    if ea.network == eb.network || eb.network.is_none() {
        return None;
    }
    ctx.parties.nodes_of_container(ea.container).find(|&i| {
        let Party::Endpoint(k) = ctx.parties.party[i] else {
            return false;
        };
        let e = &ctx.parties.endpoints[k];
        k != a && e.network == eb.network && e.running
    })
}

/// The same for a destination on none of the container's networks (a host, a LAN
/// client, a container on the host's network): a flow to an address inside the subnet
/// of another of the container's attachments leaves through that attachment (the
/// connected route is more specific than any default), not through the source
/// endpoint's network. A container on a bridge and on a macvlan
/// network of the LAN reaches its own host's LAN address through the macvlan, where the
/// parent does not answer it (LNX-4), not through the bridge.
fn on_link_sibling(ctx: &Context, a: usize, t: Party) -> Option<(usize, IpAddr)> {
    let ea = &ctx.parties.endpoints[a];
    let ip = match t {
        Party::Host(h) => ctx.host(h).primary_ip(),
        Party::Client(c) => ctx.design.scenario.clients[c].ip,
        Party::Endpoint(b) => {
            let eb = &ctx.parties.endpoints[b];
            eb.ip.filter(|_| eb.network != ea.network)
        }
        Party::Internet => None,
    }?;
    if ctx.endpoint_subnet(ea).is_some_and(|s| s.contains(&ip)) {
        return None;
    }
    let sibling = ctx.parties.nodes_of_container(ea.container).find(|&i| {
        let Party::Endpoint(k) = ctx.parties.party[i] else {
            return false;
        };
        let e = &ctx.parties.endpoints[k];
        k != a && e.running && ctx.endpoint_subnet(e).is_some_and(|s| s.contains(&ip))
    })?;
    Some((sibling, ip))
}

/// Nodes `s` and `t` belong to different containers (or are not both endpoints). A
/// container's own addresses stay inside its compartment, so only these flows can cross
/// a part of the design its findings invalidate.
pub(super) fn between(ctx: &Context, s: usize, t: usize, probe: Probe) -> Answer {
    let mut ans = between_as_written(ctx, s, t, probe, Egress::ToChoose);
    host_at_gateway(ctx, s, t, &mut ans);
    crate::invalid::apply(ctx, s, t, ans)
}

/// A host the design gives no NIC has no address of its own to show, and "localhost"
/// inside a container is the container itself. From a container on one of the host's
/// NAT or bridge networks the host answers at that network's gateway, its own vNIC or
/// bridge address (`vEthernet (nat)`, `docker0`): that is the address to use.
fn host_at_gateway(ctx: &Context, s: usize, t: usize, ans: &mut Answer) {
    let (Party::Endpoint(k), Party::Host(h)) = (ctx.parties.party[s], ctx.parties.party[t]) else {
        return;
    };
    let Some(AddressTemplate::Fixed {
        kind: kind @ AddressKind::HostIp,
        ip: None,
        port,
        ..
    }) = &ans.address
    else {
        return;
    };
    let ep = &ctx.parties.endpoints[k];
    if ep.host != Some(h) || !ep.driver.gateway_is_the_host() {
        return;
    }
    if let Some(gateway) = ctx.network(ep).and_then(|n| n.gateway) {
        ans.address = Some(AddressTemplate::fixed(*kind, Some(gateway), *port));
    }
}

/// Whether the source container's routing table has picked the attachment a flow
/// leaves by. It picks once per destination (a connected route before the default
/// one), so the attachment it picked never hands the flow on to another: two
/// attachments that each route the destination through the other (an on-link subnet on
/// one, the default route on the other) would otherwise never answer.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Egress {
    ToChoose,
    Chosen,
}

/// [`between`] for the design as written.
fn between_as_written(ctx: &Context, s: usize, t: usize, probe: Probe, egress: Egress) -> Answer {
    let (ws, wt) = (ctx.parties.party[s], ctx.parties.party[t]);
    if let (Egress::ToChoose, Party::Endpoint(a)) = (egress, ws) {
        if let Some((s2, route)) = sibling_route(ctx, a, wt) {
            let Party::Endpoint(k) = ctx.parties.party[s2] else {
                unreachable!("a sibling is an endpoint")
            };
            let via = ctx.network_name(&ctx.parties.endpoints[k]).to_string();
            let (why, facts): (String, &[&str]) = match route {
                Route::Connected => (
                    format!("its routing table sends traffic for {via} out of that attachment"),
                    &["ARCH-2"],
                ),
                Route::OnLink(ip) => (
                    format!(
                        "{} is on that network's subnet, so its routing table sends the flow out of that attachment",
                        // Members of an endpoint class differ in their address: each
                        // fills in its own (hosts and clients are classes of one).
                        if matches!(wt, Party::Endpoint(_)) { DST_IP.to_string() } else { ip.to_string() }
                    ),
                    &["ARCH-2"],
                ),
                Route::Default => (
                    "its default route goes out of that attachment (Docker routes no default through an internal network while the container has another)".to_string(),
                    &["ARCH-2", "LNX-1"],
                ),
            };
            return through_sibling(
                ctx,
                a,
                (&via, &why, facts),
                between_as_written(ctx, s2, t, probe, Egress::Chosen),
            );
        }
    }
    for (party, as_source) in [(ws, true), (wt, false)] {
        if let Party::Endpoint(k) = party {
            if let Some(x) = unusable(&ctx.parties.endpoints[k], as_source, probe) {
                return x;
            }
        }
    }
    let mut ans = match (ws, wt) {
        (Party::Endpoint(a), Party::Endpoint(b))
            if ctx.parties.endpoints[a].network == ctx.parties.endpoints[b].network =>
        {
            let (a, b) = (&ctx.parties.endpoints[a], &ctx.parties.endpoints[b]);
            driver::rules(&b.driver).same_network(ctx, a, b, probe)
        }
        _ => through_fabric(ctx, ws, wt, probe),
    };
    if let (Party::Endpoint(a), Party::Endpoint(b)) = (ws, wt) {
        if matches!(ans.address, Some(AddressTemplate::ContainerIp { .. })) {
            let (a, b) = (&ctx.parties.endpoints[a], &ctx.parties.endpoints[b]);
            if let Some((name, h)) = crate::dns::name(ctx, a, b) {
                ans.name = Some(name);
                ans.hops.insert(0, h);
            }
        }
    }
    ans
}

/// Which route of the source container's table takes a flow out of another attachment
/// than the cell's source endpoint, most specific first.
enum Route {
    /// The destination's network is one the container is also attached to.
    Connected,
    /// The destination's address is on the subnet of another attachment.
    OnLink(IpAddr),
    /// The default route, not through the source's internal network.
    Default,
}

/// The sibling attachment (its node) a flow from endpoint `a` to `t` leaves by, and why.
fn sibling_route(ctx: &Context, a: usize, t: Party) -> Option<(usize, Route)> {
    if let Party::Endpoint(b) = t {
        if let Some(s2) = connected_sibling(ctx, a, b) {
            return Some((s2, Route::Connected));
        }
    }
    if let Some((s2, ip)) = on_link_sibling(ctx, a, t) {
        return Some((s2, Route::OnLink(ip)));
    }
    let same_network = matches!(t, Party::Endpoint(b)
        if ctx.parties.endpoints[b].network == ctx.parties.endpoints[a].network);
    gateway_sibling(ctx, a)
        .filter(|_| !same_network)
        .map(|s2| (s2, Route::Default))
}

/// A container is one stack (ARCH-2): a flow to an address on none of its networks
/// follows its default route, whichever endpoint the cell starts from. On Linux, Docker
/// never takes the default route through an `--internal` bridge while the container has
/// another network (checked on Docker 20.10.24: attached first or named first, the
/// internal network gets no default route), so a flow "from" the internal attachment
/// leaves through that other one. Returns its node index.
fn gateway_sibling(ctx: &Context, a: usize) -> Option<usize> {
    let ea = &ctx.parties.endpoints[a];
    let linux = ea.host.is_some_and(|h| !ctx.host(h).is_windows());
    let internal = |e: &Endpoint| ctx.network(e).is_some_and(|n| n.internal);
    if !linux || !internal(ea) {
        return None;
    }
    ctx.parties.nodes_of_container(ea.container).find(|&i| {
        let Party::Endpoint(k) = ctx.parties.party[i] else {
            return false;
        };
        let e = &ctx.parties.endpoints[k];
        k != a
            && e.running
            && e.ip.is_some()
            && !internal(e)
            && ctx.network(e).is_some_and(|n| n.gateway.is_some())
    })
}

/// The answer of the sibling attachment (on network `via`) that `a`'s container uses,
/// told from `a`'s side with `why` it uses it (and the facts that say so).
fn through_sibling(
    ctx: &Context,
    a: usize,
    (via, why, facts): (&str, &str, &[&str]),
    mut ans: Answer,
) -> Answer {
    let ea = &ctx.parties.endpoints[a];
    // The sibling's hops speak of "the source"; say which attachment that is, without
    // its address or its container's name in full: members of a class differ in both,
    // so the compartment is named by the token every member fills in with its own.
    for h in &mut ans.hops {
        h.detail = h.detail.replace(SRC_IP, &format!("its address on {via}"));
    }
    ans.hops.insert(
        0,
        hop(
            format!("{SRC_NAME} compartment"),
            Mechanism::HostStack,
            format!(
                "the container is also attached to {via}: {why}, not out of {}",
                ctx.network_name(ea)
            ),
            facts,
        ),
    );
    ans
}

/// The exits of the source and the entries of the destination, each tagged with the
/// driver that made it.
fn exits_and_entries(ctx: &Context, ws: Party, wt: Party, probe: Probe) -> (Vec<Exit>, Vec<Entry>) {
    let mut exits = match ws {
        Party::Endpoint(a) => {
            let ep = &ctx.parties.endpoints[a];
            let rules = driver::rules(&ep.driver);
            let mut v = rules.exits(ctx, ep, wt, probe);
            v.iter_mut().for_each(|e| e.driver = Some(rules));
            v
        }
        Party::Host(h) => fabric::hosts::exits(ctx, h),
        Party::Client(c) => fabric::clients::exits(ctx, c),
        Party::Internet => fabric::clients::internet_exits(),
    };
    exits.shrink_to_fit();
    let entries = match wt {
        Party::Endpoint(b) => {
            let ep = &ctx.parties.endpoints[b];
            let rules = driver::rules(&ep.driver);
            let mut v = rules.entries(ctx, ep, probe);
            v.iter_mut().for_each(|e| e.driver = Some(rules));
            v
        }
        Party::Host(h) => fabric::hosts::entries(ctx, h, probe),
        Party::Client(c) => fabric::clients::entries(ctx, c, probe),
        Party::Internet => fabric::clients::internet_entries(probe),
    };
    (exits, entries)
}

fn through_fabric(ctx: &Context, ws: Party, wt: Party, probe: Probe) -> Answer {
    for party in [ws, wt] {
        if let Party::Endpoint(k) = party {
            let ep = &ctx.parties.endpoints[k];
            if !driver::rules(&ep.driver).modelled() {
                return Answer::unknown(
                    None,
                    vec![],
                    &format!("network {}", ctx.network_name(ep)),
                    format!("driver {} is not modelled", ep.driver),
                    &["LNX-6", "EXT-9"],
                );
            }
        }
    }
    let (exits, entries) = exits_and_entries(ctx, ws, wt, probe);
    let mut candidates = Vec::new();
    for e in &exits {
        for n in &entries {
            candidates.extend(fabric::join(ctx, e, n));
        }
    }
    best(candidates).unwrap_or_else(|| {
        // No exit meets any entry. Explain with the destination's own refusal when it
        // has one (overlay: only from the overlay), else a plain no-route.
        let hops: Vec<Hop> = exits.first().map(|e| e.hops.clone()).unwrap_or_default();
        let addr = entries.first().map(|e| e.addr.clone());
        let denial = entries
            .iter()
            .find_map(|e| {
                e.stack_only
                    .as_ref()
                    .map(|so| so.remote.clone())
                    .or(e.block.clone())
            })
            .unwrap_or_else(|| {
                Denial::new(
                    DenyReason::NoRoute,
                    hops.last()
                        .map(|h| h.at.clone())
                        .unwrap_or_else(|| "source".into()),
                    "neither end has a path onto a network the other is on",
                    &["MAT-1", "MAT-2"],
                )
            });
        Answer::denied(addr, hops, denial)
    })
}
