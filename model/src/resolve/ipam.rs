//! Addresses: a subnet for every network created without one, and an address for every
//! endpoint by its driver's IPAM (IPAM-1, TRANS-2, SDN-2, OVL-5).

use crate::design::{find_network, Design, Endpoint, IpSource};
use crate::driver::Driver;
use crate::scenario::*;
use ipnet::IpNet;
use std::collections::{HashMap, HashSet};
use std::net::IpAddr;

fn overlaps_any(net: &IpNet, taken: &[IpNet]) -> bool {
    taken
        .iter()
        .any(|t| t.contains(&net.network()) || net.contains(&t.network()))
}

fn first_free(candidates: impl Iterator<Item = IpNet>, taken: &[IpNet]) -> Option<IpNet> {
    candidates.take(4096).find(|c| !overlaps_any(c, taken))
}

pub(super) fn assign_subnets(s: &mut Scenario) {
    let hosts: HashMap<String, Host> = s
        .hosts
        .iter()
        .map(|h| (h.name.clone(), h.clone()))
        .collect();
    for i in 0..s.networks.len() {
        if !s.networks[i].subnet.0.is_empty() {
            continue;
        }
        let net = &s.networks[i];
        let host = net.host.as_ref().and_then(|h| hosts.get(h));
        // Subnets already used where this network lives: same host, or anywhere for
        // swarm-scoped networks.
        let taken: Vec<IpNet> = s
            .networks
            .iter()
            .filter(|n| n.host.is_none() || n.host == net.host || net.host.is_none())
            .flat_map(|n| n.subnet.0.iter().copied())
            .chain(
                host.into_iter()
                    .flat_map(|h| h.nics.iter().map(|n| n.ip.trunc())),
            )
            .collect();
        let pick = match &net.driver {
            Driver::Nat | Driver::Ics | Driver::Internal | Driver::Private => host
                .and_then(|h| {
                    h.nat_prefix()
                        .subnets(20.max(h.nat_prefix().prefix_len()))
                        .ok()
                })
                .and_then(|subs| first_free(subs, &taken)),
            Driver::Bridge | Driver::Macvlan | Driver::Ipvlan => {
                let pool_a = (17u8..=31).map(|b| IpNet::new(IpAddr::from([172, b, 0, 0]), 16));
                let pool_b =
                    (0u8..=15).map(|b| IpNet::new(IpAddr::from([192, 168, b * 16, 0]), 20));
                first_free(pool_a.chain(pool_b).filter_map(Result::ok), &taken)
            }
            Driver::Overlay => {
                let pool = (0u8..=255).map(|b| IpNet::new(IpAddr::from([10, 0, b, 0]), 24));
                first_free(pool.filter_map(Result::ok), &taken)
            }
            _ => None,
        };
        if let Some(subnet) = pick {
            let net = &mut s.networks[i];
            net.subnet = Subnets(vec![subnet]);
            if net.gateway.is_none() {
                net.gateway = nth_host(&subnet, 0);
            }
        }
    }
    // A given subnet without a gateway gets Docker's default: the first address.
    for net in &mut s.networks {
        if net.gateway.is_none()
            && matches!(
                net.driver,
                Driver::Nat | Driver::Bridge | Driver::Overlay | Driver::Macvlan
            )
        {
            if let Some(first) = net.subnet.0.first() {
                net.gateway = nth_host(first, 0);
            }
        }
    }
}

/// The n-th usable host address of a subnet (0-based), for IPv4 and IPv6.
pub fn nth_host(net: &IpNet, n: u64) -> Option<IpAddr> {
    match net {
        IpNet::V4(v4) => {
            let base = u32::from(v4.network()) as u64;
            let size = 1u64 << (32 - v4.prefix_len());
            let usable = if size > 2 { size - 2 } else { size };
            (n < usable).then(|| {
                let offset = if size > 2 { n + 1 } else { n };
                IpAddr::from(std::net::Ipv4Addr::from((base + offset) as u32))
            })
        }
        IpNet::V6(v6) => {
            let base = u128::from(v6.network());
            let bits = 128 - v6.prefix_len() as u32;
            let fits = bits >= 64 || u128::from(n) + 1 < (1u128 << bits);
            fits.then(|| IpAddr::from(std::net::Ipv6Addr::from(base + u128::from(n) + 1)))
        }
    }
}

/// Addresses already in use on a subnet before dynamic allocation: gateways, host NICs,
/// other devices, static endpoint addresses.
fn reserved_addresses(s: &Scenario) -> HashSet<IpAddr> {
    let mut used: HashSet<IpAddr> = HashSet::new();
    for seg in &s.segments {
        used.extend(seg.gateway);
        used.extend(seg.used.iter().copied());
    }
    for h in &s.hosts {
        used.extend(h.nics.iter().map(|n| n.ip.addr()));
    }
    for n in &s.networks {
        used.extend(n.gateway);
        used.extend(n.aux_address.values().copied());
    }
    for c in &s.containers {
        used.extend(c.networks.iter().filter_map(|a| a.ip));
    }
    for cl in &s.clients {
        used.extend(cl.ip);
    }
    used
}

/// Drivers whose address space is private to the network (one HNS/Docker IPAM pool per
/// network, per host for local ones): the same address may be in use on another host's
/// network of the same subnet. The others hand out addresses of a physical segment, which
/// every device on that segment shares.
fn has_private_address_space(driver: &Driver) -> bool {
    matches!(
        driver,
        Driver::Nat
            | Driver::Ics
            | Driver::Internal
            | Driver::Private
            | Driver::Bridge
            | Driver::Ipvlan
            | Driver::Overlay
    )
}

/// Per private network: its gateway, auxiliary addresses and static endpoint addresses.
fn reserved_per_network(s: &Scenario) -> HashMap<usize, HashSet<IpAddr>> {
    let mut out: HashMap<usize, HashSet<IpAddr>> = HashMap::new();
    for (i, n) in s.networks.iter().enumerate() {
        if has_private_address_space(&n.driver) {
            let set = out.entry(i).or_default();
            set.extend(n.gateway);
            set.extend(n.aux_address.values().copied());
        }
    }
    for c in &s.containers {
        for a in &c.networks {
            if let (Some(ip), Some(ni)) = (a.ip, find_network(&s.networks, &c.host, &a.network)) {
                if let Some(set) = out.get_mut(&ni) {
                    set.insert(ip);
                }
            }
        }
    }
    out
}

pub(super) fn assign_addresses(s: &Scenario) -> Vec<Endpoint> {
    let mut used = reserved_addresses(s);
    let mut private = reserved_per_network(s);
    let mut sdn_next: HashMap<&str, usize> = HashMap::new();
    let mut endpoints = Vec::new();
    let design_view = Design {
        scenario: s.clone(),
        ..Design::default()
    };
    for (ci, c) in s.containers.iter().enumerate() {
        let host_idx = s.hosts.iter().position(|h| h.name == c.host);
        let host = host_idx.map(|i| &s.hosts[i]);
        for (ai, att) in c.networks.iter().enumerate() {
            let net_idx = find_network(&s.networks, &c.host, &att.network);
            let (ip, source) = match (net_idx, host) {
                _ if att.ip.is_some() => (att.ip, IpSource::Static),
                (Some(ni), Some(host)) => {
                    let net = &s.networks[ni];
                    let pool = match private.get_mut(&ni) {
                        Some(pool) => pool,
                        None => &mut used,
                    };
                    dynamic_address(&design_view, net, host, pool, &mut sdn_next)
                }
                (None, _) => (
                    None,
                    IpSource::Unassigned(format!(
                        "network `{}` does not exist on host `{}`",
                        att.network, c.host
                    )),
                ),
                (_, None) => (
                    None,
                    IpSource::Unassigned(format!("host `{}` does not exist", c.host)),
                ),
            };
            endpoints.push(Endpoint {
                container: ci,
                network: net_idx,
                host: host_idx,
                attachment: ai,
                ip,
                ip_source: source,
                aliases: att.aliases.clone(),
            });
        }
    }
    endpoints
}

fn next_free(subnet: &IpNet, used: &mut HashSet<IpAddr>) -> Option<IpAddr> {
    let mut n = 0u64;
    loop {
        let ip = nth_host(subnet, n)?;
        n += 1;
        if used.insert(ip) {
            return Some(ip);
        }
        if n > 1 << 20 {
            return None;
        }
    }
}

fn dynamic_address<'a>(
    design: &'a Design,
    net: &Network,
    host: &'a Host,
    used: &mut HashSet<IpAddr>,
    sdn_next: &mut HashMap<&'a str, usize>,
) -> (Option<IpAddr>, IpSource) {
    let from_subnet = |used: &mut HashSet<IpAddr>, source: IpSource| match net.subnet.0.first() {
        Some(subnet) => match next_free(subnet, used) {
            Some(ip) => (Some(ip), source),
            None => (
                None,
                IpSource::Unassigned(format!("subnet {subnet} has no free address")),
            ),
        },
        None => (
            None,
            IpSource::Unassigned(format!("network `{}` has no subnet", net.name)),
        ),
    };
    match &net.driver {
        Driver::None => (
            None,
            IpSource::Unassigned("driver none: loopback only (LNX-5)".into()),
        ),
        Driver::Host => (host.primary_ip(), IpSource::HostStack),
        Driver::Nat | Driver::Ics | Driver::Internal | Driver::Private => {
            from_subnet(used, IpSource::HnsDynamic)
        }
        Driver::Bridge | Driver::Macvlan | Driver::Ipvlan => {
            from_subnet(used, IpSource::DockerIpam)
        }
        Driver::Overlay => from_subnet(used, IpSource::Swarm),
        Driver::Transparent => match design.network_segment(net, host) {
            Some(seg) if seg.dhcp => match next_free(&seg.subnet, used) {
                Some(ip) => (Some(ip), IpSource::Dhcp),
                None => (
                    None,
                    IpSource::Unassigned(format!("DHCP scope {} is exhausted", seg.subnet)),
                ),
            },
            _ => (
                None,
                IpSource::Unassigned(
                    "no DHCP server on the segment and no static --ip (TRANS-2)".into(),
                ),
            ),
        },
        Driver::L2bridge | Driver::L2tunnel => match &host.sdn {
            Some(sdn) if !sdn.ip_configs.is_empty() => {
                let next = sdn_next.entry(host.name.as_str()).or_insert(0);
                match sdn.ip_configs.get(*next) {
                    Some(ip) => {
                        *next += 1;
                        used.insert(*ip);
                        (Some(*ip), IpSource::SdnIpConfig)
                    }
                    None => (
                        None,
                        IpSource::Unassigned(
                            "every extra IP configuration of the VM is in use (SDN-2)".into(),
                        ),
                    ),
                }
            }
            _ if net.driver == Driver::L2tunnel => (
                None,
                IpSource::Unassigned(
                    "l2tunnel addresses come from the cloud plug-in (IPAM-1)".into(),
                ),
            ),
            _ => from_subnet(used, IpSource::HnsDynamic),
        },
        Driver::Plugin(name) => (
            None,
            IpSource::Unassigned(format!("driver `{name}` is not modelled")),
        ),
    }
}
