//! Addressing: overlapping subnets, gateways and addresses outside their subnet, address
//! conflicts on a network or a physical segment, and exhausted pools (IPAM-1, TRANS-2,
//! TRANS-3, NAT-4).

use super::{Checker, Rule};
use crate::finding::Subject;

/// What the checks of this module found: rule, field path, message, and the part of
/// the design the finding says does not work as written.
type Found = Vec<(&'static Rule, String, String, Option<Subject>)>;
use crate::design::IpSource;
use crate::driver::Driver;
use crate::hash::HashMap;
use crate::parse::Document;
use crate::scenario::{Network, Step};
use ipnet::IpNet;
use std::net::IpAddr;

rules! {
    OVERLAP: "SCN010",
    OVERLAPS_LAN: "SCN011",
    GATEWAY_OUTSIDE: "SCN012",
    IP_OUTSIDE: "SCN013",
    IP_CONFLICT: "SCN014",
    DEVICE_CONFLICT: "SCN015",
    EXHAUSTED: "SCN016",
    STATIC_WITHOUT_SUBNET: "SCN017",
}

/// An endpoint that got no address: (field path, container, why).
type Starved = (String, String, String);

/// Whether the user wrote a subnet for this network (resolution fills one in otherwise).
fn user_subnet(doc: &Document, net: &Network) -> bool {
    if net.origin.implicit {
        return false;
    }
    let path = &net.origin.path;
    let index = |prefix: &str| -> Option<usize> {
        path.strip_prefix(prefix)?.split(']').next()?.parse().ok()
    };
    if let Some(i) = path.strip_suffix(".create-network").and_then(|p| {
        p.strip_prefix("steps[")?
            .strip_suffix(']')?
            .parse::<usize>()
            .ok()
    }) {
        return match doc.scenario.steps.get(i) {
            Some(Step::CreateNetwork(n)) => !n.subnet.0.is_empty(),
            _ => true,
        };
    }
    match index("networks[") {
        Some(i) => doc
            .scenario
            .networks
            .get(i)
            .is_none_or(|n| !n.subnet.0.is_empty()),
        None => true,
    }
}

/// Drivers whose endpoints sit on the host's physical segment.
fn on_segment(d: &Driver) -> bool {
    matches!(
        d,
        Driver::Transparent | Driver::L2bridge | Driver::Macvlan | Driver::Ipvlan
    )
}

/// Drivers whose subnet is private to the host.
fn internal(d: &Driver) -> bool {
    matches!(
        d,
        Driver::Nat
            | Driver::Bridge
            | Driver::Overlay
            | Driver::Ics
            | Driver::Internal
            | Driver::Private
    )
}

fn overlaps(a: &IpNet, b: &IpNet) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}

pub(super) fn check(checker: &mut Checker) {
    let design = checker.design;
    let s = &design.scenario;
    let mut found: Found = Vec::new();
    // Subnet overlaps between networks that share a host: each network is reported
    // once, with the first earlier network it overlaps (a pair per finding made a few
    // hundred networks on one subnet report tens of thousands of findings).
    let swarm_nodes = s.swarm_nodes();
    let present_on = |n: &'_ Network, host: &str| -> bool {
        match &n.host {
            Some(h) => h == host,
            None => swarm_nodes.contains(&host),
        }
    };
    let shared_host = |a: &Network, b: &Network| -> Option<String> {
        match (&a.host, &b.host) {
            (Some(ha), _) if present_on(b, ha) => Some(ha.clone()),
            (None, Some(hb)) if present_on(a, hb) => Some(hb.clone()),
            (None, None) => swarm_nodes.first().map(|h| h.to_string()),
            _ => None,
        }
    };
    let addressed: Vec<&Network> = s
        .networks
        .iter()
        .filter(|n| !matches!(n.driver, Driver::Host | Driver::None) && !n.subnet.0.is_empty())
        .collect();
    for (j, b) in addressed.iter().enumerate() {
        for a in &addressed[..j] {
            let clash = b.subnet.0.iter().find_map(|sb| {
                a.subnet
                    .0
                    .iter()
                    .find(|sa| overlaps(sa, sb))
                    .map(|sa| (sa, sb))
            });
            let Some((sa, sb)) = clash else { continue };
            let Some(shared) = shared_host(a, b) else {
                continue;
            };
            // On Windows each transparent or l2bridge network takes the physical
            // segment's subnet on its own NIC (HNS keeps a pool per network). Linux
            // Docker's default IPAM refuses any overlapping pool, macvlan and ipvlan
            // included ("Pool overlaps with other one on this address space"): two
            // macvlan networks on one LAN subnet, even on different parents, is that.
            let windows = checker.host(&shared).is_some_and(|h| h.is_windows());
            if windows && on_segment(&a.driver) && on_segment(&b.driver) {
                continue;
            }
            found.push((
                &OVERLAP,
                b.origin.at("subnet"),
                format!(
                    "network `{}` ({sb}) overlaps network `{}` ({sa}) on host `{shared}`",
                    b.name, a.name
                ),
                None,
            ));
            break;
        }
    }
    // Container subnets over the host's LAN; gateways outside subnets.
    for (ni, n) in s.networks.iter().enumerate() {
        if let (Some(gw), false) = (n.gateway, n.subnet.0.is_empty()) {
            if !n.subnet.0.iter().any(|sn| sn.contains(&gw)) {
                found.push((
                    &GATEWAY_OUTSIDE,
                    n.origin.at("gateway"),
                    format!(
                        "network `{}` has gateway {gw} outside its subnet {}",
                        n.name,
                        join(&n.subnet.0)
                    ),
                    Some(Checker::network_subject(n)),
                ));
            }
        }
        if !internal(&n.driver) {
            continue;
        }
        for host in checker.hosts_of_network(ni) {
            for nic in &host.nics {
                let lan = nic.ip.trunc();
                let Some(sn) = n.subnet.0.iter().find(|sn| overlaps(sn, &lan)) else {
                    continue;
                };
                // A NAT subnet holding the host's own address is HNS001's error.
                if n.driver == Driver::Nat && host.is_windows() && sn.contains(&nic.ip.addr()) {
                    continue;
                }
                found.push((
                    &OVERLAPS_LAN,
                    n.origin.at("subnet"),
                    format!(
                        "{} network `{}` ({sn}) overlaps LAN {lan} of NIC `{}` on host `{}`",
                        n.driver, n.name, nic.name, host.name
                    ),
                    // Two overlapping prefixes: one holds the other, and the smaller
                    // one is what goes astray.
                    Some(Checker::network_subject_toward(
                        n,
                        if sn.prefix_len() >= lan.prefix_len() {
                            *sn
                        } else {
                            lan
                        },
                    )),
                ));
            }
        }
    }
    for seg in &s.segments {
        if let Some(gw) = seg.gateway.filter(|g| !seg.subnet.contains(g)) {
            found.push((
                &GATEWAY_OUTSIDE,
                seg.origin.at("gateway"),
                format!(
                    "segment `{}` has gateway {gw} outside {}",
                    seg.name, seg.subnet
                ),
                None,
            ));
        }
    }
    for h in &s.hosts {
        for (i, nic) in h.nics.iter().enumerate() {
            if let Some(seg) = design.segment(&nic.segment) {
                if !seg.subnet.contains(&nic.ip.addr()) {
                    found.push((
                        &IP_OUTSIDE,
                        format!("{}.nics[{i}].ip", h.origin.path),
                        format!(
                            "NIC `{}` of host `{}` has {} outside segment `{}` ({})",
                            nic.name, h.name, nic.ip, seg.name, seg.subnet
                        ),
                        Some(Subject::Host {
                            host: h.name.clone(),
                        }),
                    ));
                }
            }
        }
    }
    for c in &s.clients {
        // A client on a VLAN access port is in that VLAN's subnet, not the segment's.
        if c.vlan.is_some() {
            continue;
        }
        if let (Some(ip), Some(seg)) = (c.ip, c.segment.as_deref().and_then(|n| design.segment(n)))
        {
            if !seg.subnet.contains(&ip) {
                found.push((
                    &IP_OUTSIDE,
                    c.origin.at("ip"),
                    format!(
                        "client `{}` has {ip} outside segment `{}` ({})",
                        c.name, seg.name, seg.subnet
                    ),
                    None,
                ));
            }
        }
    }
    endpoints(checker, &mut found);
    for (rule, path, msg, subject) in found {
        match subject {
            Some(subject) => checker.emit_on(rule, &path, msg, [subject]),
            None => checker.emit(rule, &path, msg),
        }
    }
}

/// The first container holding each address of each scope (a network, or a segment).
/// A scope's addresses inside its IPv4 subnet (up to a /12) are a table indexed by
/// address, filled in order as IPAM hands them out; only the others go to a map. A
/// map entry per endpoint was a cache miss per endpoint of a million-replica service.
/// The tables together hold at most a few slots per endpoint, so that many large
/// subnets with few endpoints cost no more memory than the map would.
struct Holders {
    /// Per scope: its subnet's first address and, per address, the holder's container
    /// index + 1 (0: free).
    dense: Vec<Option<(u32, Vec<usize>)>>,
    sparse: HashMap<(u32, IpAddr), usize>,
    /// Table slots still allowed.
    budget: usize,
}

impl Holders {
    /// The largest subnet held as a table: 2^20 addresses.
    const MAX_DENSE_BITS: u8 = 20;

    fn new(endpoints: usize) -> Self {
        Holders {
            dense: Vec::new(),
            sparse: HashMap::default(),
            budget: endpoints.saturating_mul(4).saturating_add(1024),
        }
    }

    /// Numbers the next scope, whose addresses are mostly in `subnet`.
    fn add_scope(&mut self, subnet: Option<IpNet>) {
        let table = match subnet {
            Some(IpNet::V4(net)) if 32 - net.prefix_len() <= Self::MAX_DENSE_BITS => {
                let size = 1usize << (32 - net.prefix_len());
                (size <= self.budget).then(|| {
                    self.budget -= size;
                    (u32::from(net.network()), vec![0; size])
                })
            }
            _ => None,
        };
        self.dense.push(table);
    }

    /// Records `container` as holding `ip` in `scope` unless another holds it first;
    /// returns that first holder.
    fn claim(&mut self, scope: u32, ip: IpAddr, container: usize) -> Option<usize> {
        if let (Some(Some((base, table))), IpAddr::V4(v4)) =
            (self.dense.get_mut(scope as usize), ip)
        {
            let offset = u32::from(v4).wrapping_sub(*base) as usize;
            if let Some(slot) = table.get_mut(offset) {
                return match *slot {
                    0 => {
                        *slot = container + 1;
                        None
                    }
                    held => Some(held - 1),
                };
            }
        }
        match self.sparse.entry((scope, ip)) {
            std::collections::hash_map::Entry::Occupied(held) => Some(*held.get()),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(container);
                None
            }
        }
    }
}

fn join(nets: &[IpNet]) -> String {
    nets.iter()
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn endpoints(checker: &Checker, found: &mut Found) {
    let design = checker.design;
    let s = &design.scenario;
    // Devices on each segment other than container endpoints.
    let mut devices: HashMap<(&str, IpAddr), String> = HashMap::default();
    for seg in &s.segments {
        if let Some(gw) = seg.gateway {
            devices.insert(
                (&seg.name, gw),
                format!("the gateway of segment `{}`", seg.name),
            );
        }
        for ip in &seg.used {
            devices.insert(
                (&seg.name, *ip),
                format!("a device on segment `{}`", seg.name),
            );
        }
    }
    for h in &s.hosts {
        for nic in &h.nics {
            devices.insert(
                (&nic.segment, nic.ip.addr()),
                format!("NIC `{}` of host `{}`", nic.name, h.name),
            );
        }
    }
    for c in &s.clients {
        if let (Some(seg), Some(ip)) = (&c.segment, c.ip) {
            devices.insert((seg, ip), format!("client `{}`", c.name));
        }
    }
    // Scope of uniqueness: the network, or the segment for on-segment drivers.
    // (segment or network scope, address) -> the first container holding it.
    type Scope<'s> = (bool, &'s str, Option<&'s str>);
    // Scopes are few and addresses many: each scope is numbered once, and its holders
    // are kept by container index, whose name is read only for a conflict.
    let mut scopes: HashMap<Scope, u32> = HashMap::default();
    let mut taken = Holders::new(design.endpoints.len());
    // Per network, in order: (field path, container, reason). One finding per network,
    // so that 1000 replicas on a /24 are one error, not 700.
    let mut starved: Vec<(String, Vec<Starved>)> = Vec::new();
    for a in checker.attached() {
        let Some(ip) = a.ep.ip else {
            if let IpSource::Unassigned(reason) = &a.ep.ip_source {
                if reason.contains("no free address") || reason.contains("exhausted") {
                    let entry = (a.path(), a.container.name.clone(), reason.clone());
                    match starved.iter_mut().find(|(n, _)| *n == a.network.name) {
                        Some((_, list)) => list.push(entry),
                        None => starved.push((a.network.name.clone(), vec![entry])),
                    }
                }
            }
            continue;
        };
        if matches!(a.ep.ip_source, IpSource::HostStack) {
            continue;
        }
        let stat = a.ep.ip_source == IpSource::Static;
        let segment = if on_segment(&a.network.driver) {
            design.network_segment(a.network, a.host)
        } else {
            None
        };
        if stat {
            if !user_subnet(checker.doc, a.network) {
                found.push((
                    &STATIC_WITHOUT_SUBNET,
                    a.at("ip"),
                    format!(
                        "container `{}` asks for {ip} on network `{}`, which has no user-configured subnet",
                        a.container.name, a.network.name
                    ),
Some(Checker::endpoint_subject(&a))));
            } else if !a.network.subnet.0.is_empty() {
                if !a.network.subnet.0.iter().any(|sn| sn.contains(&ip)) {
                    found.push((
                        &IP_OUTSIDE,
                        a.at("ip"),
                        format!(
                            "container `{}` has {ip}, outside network `{}` ({})",
                            a.container.name,
                            a.network.name,
                            join(&a.network.subnet.0)
                        ),
                        Some(Checker::endpoint_subject(&a)),
                    ));
                }
            } else if let Some(seg) = segment.filter(|g| !g.subnet.contains(&ip)) {
                found.push((
                    &IP_OUTSIDE,
                    a.at("ip"),
                    format!(
                        "container `{}` has {ip} on transparent network `{}`, outside segment `{}` ({})",
                        a.container.name, a.network.name, seg.name, seg.subnet
                    ),
Some(Checker::endpoint_subject(&a))));
            }
            if a.network.gateway == Some(ip) {
                found.push((
                    &IP_CONFLICT,
                    a.at("ip"),
                    format!(
                        "container `{}` has {ip}, the gateway of network `{}`",
                        a.container.name, a.network.name
                    ),
                    Some(Checker::endpoint_subject(&a)),
                ));
            }
            if let Some(seg) = segment {
                if let Some(dev) = devices.get(&(seg.name.as_str(), ip)) {
                    found.push((
                        &DEVICE_CONFLICT,
                        a.at("ip"),
                        format!(
                            "container `{}` on {} network `{}` has {ip}, already used by {dev}",
                            a.container.name, a.network.driver, a.network.name
                        ),
                        Some(Checker::endpoint_subject(&a)),
                    ));
                }
            }
        }
        // Keyed by borrowed names (no string is made per endpoint); the scope's words
        // are written only for a conflict.
        let scope_key = match segment {
            Some(seg) => (true, seg.name.as_str(), None),
            None => (false, a.network.name.as_str(), a.network.host.as_deref()),
        };
        let next = scopes.len() as u32;
        let scope_id = *scopes.entry(scope_key).or_insert_with(|| {
            let range = match segment {
                Some(seg) => Some(seg.subnet),
                None => a.network.subnet.0.first().copied(),
            };
            taken.add_scope(range);
            next
        });
        if let Some(other) = taken.claim(scope_id, ip, a.ep.container) {
            {
                let other = s.containers[other].name.as_str();
                if other != a.container.name {
                    let scope = match segment {
                        Some(seg) => format!("segment `{}`", seg.name),
                        None => format!("network `{}`", a.network.name),
                    };
                    found.push((
                        &IP_CONFLICT,
                        if stat { a.at("ip") } else { a.path() },
                        format!(
                            "containers `{other}` and `{}` both have {ip} on {scope}",
                            a.container.name
                        ),
                        Some(Checker::endpoint_subject(&a)),
                    ));
                }
            }
        }
    }
    for (network, list) in starved {
        let (path, first, reason) = &list[0];
        let message = match list.len() {
            1 => format!("container `{first}` gets no address on network `{network}`: {reason}"),
            n => {
                let mut names: Vec<&str> = list.iter().map(|(_, c, _)| c.as_str()).collect();
                let more = names.len().saturating_sub(5);
                names.truncate(5);
                let tail = if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                };
                format!(
                    "{n} containers get no address on network `{network}` ({}{tail}): {reason}",
                    names.join(", ")
                )
            }
        };
        found.push((&EXHAUSTED, path.clone(), message, None));
    }
}

#[cfg(test)]
mod holders {
    use super::Holders;
    use std::net::IpAddr;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    /// The first holder is reported whether the address is in a scope's table, outside
    /// it, in a scope with no table, or past the tables' budget; scopes do not mix.
    #[test]
    fn the_first_holder_of_an_address_is_kept_per_scope() {
        let mut h = Holders::new(1);
        h.add_scope(Some("10.0.0.0/24".parse().unwrap()));
        h.add_scope(None);
        h.add_scope(Some("10.0.0.0/8".parse().unwrap())); // over the budget
        assert!(h.dense[0].is_some() && h.dense[1].is_none() && h.dense[2].is_none());
        for scope in 0..3 {
            for (addr, first) in [("10.0.0.7", 3), ("10.0.1.7", 4), ("fd00::7", 5)] {
                assert_eq!(h.claim(scope, ip(addr), first), None, "{scope} {addr}");
                assert_eq!(h.claim(scope, ip(addr), 9), Some(first), "{scope} {addr}");
            }
        }
        assert_eq!(h.claim(0, ip("10.0.0.0"), 0), None);
        assert_eq!(
            h.claim(0, ip("10.0.0.0"), 1),
            Some(0),
            "container 0 is a holder"
        );
    }
}
