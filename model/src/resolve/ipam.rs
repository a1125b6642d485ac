//! Addresses: a subnet for every network created without one, and an address for every
//! endpoint by its driver's IPAM (IPAM-1, TRANS-2, SDN-2, OVL-5).

use crate::design::{network_segment, Endpoint, IpSource, NetworkIndex};
use crate::driver::Driver;
use crate::hash::{HashMap, HashSet};
use crate::scenario::*;
use ipnet::IpNet;
use std::collections::BTreeMap;
use std::net::IpAddr;

/// Address ranges in use, merged, so that "does this prefix overlap anything taken?" is
/// one lookup: scanning every taken subnet for every candidate made a few hundred
/// networks without `--subnet` take seconds.
#[derive(Default)]
struct TakenRanges(BTreeMap<(bool, u128), u128>);

impl TakenRanges {
    /// (IPv6, first address, last address) of a prefix.
    fn bounds(net: &IpNet) -> (bool, u128, u128) {
        match net {
            IpNet::V4(n) => (
                false,
                u32::from(n.network()).into(),
                u32::from(n.broadcast()).into(),
            ),
            IpNet::V6(n) => (true, n.network().into(), n.broadcast().into()),
        }
    }

    fn overlaps(&self, net: &IpNet) -> bool {
        let (v6, start, end) = Self::bounds(net);
        self.0
            .range(..=(v6, end))
            .next_back()
            .is_some_and(|(&(family, _), &last)| family == v6 && last >= start)
    }

    fn insert(&mut self, net: &IpNet) {
        let (v6, mut start, mut end) = Self::bounds(net);
        // The ranges are disjoint and sorted, so those overlapping [start, end] are the
        // last ones starting at or before `end`.
        let overlapping: Vec<(bool, u128)> = self
            .0
            .range(..=(v6, end))
            .rev()
            .take_while(|(&(family, _), &last)| family == v6 && last >= start)
            .map(|(key, _)| *key)
            .collect();
        for key in overlapping {
            let last = self.0.remove(&key).unwrap_or(end);
            start = start.min(key.1);
            end = end.max(last);
        }
        self.0.insert((v6, start), end);
    }
}

fn first_free(candidates: impl Iterator<Item = IpNet>, taken: &[&TakenRanges]) -> Option<IpNet> {
    candidates
        .take(4096)
        .find(|c| !taken.iter().any(|t| t.overlaps(c)))
}

pub(super) fn assign_subnets(s: &mut Scenario) {
    let hosts: HashMap<&str, &Host> = s.hosts.iter().map(|h| (h.name.as_str(), h)).collect();
    // Subnets in use, by where their network lives (a host, or `None`: the swarm), and
    // each host's LAN subnets.
    let mut taken: HashMap<Option<String>, TakenRanges> = HashMap::default();
    for n in &s.networks {
        let ranges = taken.entry(n.host.clone()).or_default();
        for subnet in &n.subnet.0 {
            ranges.insert(subnet);
        }
    }
    let lans: HashMap<&str, TakenRanges> = s
        .hosts
        .iter()
        .map(|h| {
            let mut ranges = TakenRanges::default();
            for nic in &h.nics {
                ranges.insert(&nic.ip.trunc());
            }
            (h.name.as_str(), ranges)
        })
        .collect();
    let empty = TakenRanges::default();
    let mut picks: Vec<(usize, IpNet)> = Vec::new();
    for (i, net) in s.networks.iter().enumerate() {
        if !net.subnet.0.is_empty() {
            continue;
        }
        let host = net.host.as_deref().and_then(|h| hosts.get(h).copied());
        // Subnets already used where this network lives: same host and the swarm, or
        // anywhere for a swarm-scoped network.
        let here: Vec<&TakenRanges> = match &net.host {
            Some(h) => vec![
                taken.get(&net.host).unwrap_or(&empty),
                taken.get(&None).unwrap_or(&empty),
                lans.get(h.as_str()).unwrap_or(&empty),
            ],
            None => taken.values().collect(),
        };
        let pick = match &net.driver {
            Driver::Nat | Driver::Ics | Driver::Internal | Driver::Private => host
                .and_then(|h| {
                    h.nat_prefix()
                        .subnets(20.max(h.nat_prefix().prefix_len()))
                        .ok()
                })
                .and_then(|subs| first_free(subs, &here)),
            Driver::Bridge | Driver::Macvlan | Driver::Ipvlan => {
                let pool_a = (17u8..=31).map(|b| IpNet::new(IpAddr::from([172, b, 0, 0]), 16));
                let pool_b =
                    (0u8..=15).map(|b| IpNet::new(IpAddr::from([192, 168, b * 16, 0]), 20));
                first_free(pool_a.chain(pool_b).filter_map(Result::ok), &here)
            }
            Driver::Overlay => {
                let pool = (0u8..=255).map(|b| IpNet::new(IpAddr::from([10, 0, b, 0]), 24));
                first_free(pool.filter_map(Result::ok), &here)
            }
            _ => None,
        };
        if let Some(subnet) = pick {
            taken.entry(net.host.clone()).or_default().insert(&subnet);
            picks.push((i, subnet));
        }
    }
    for (i, subnet) in picks {
        let net = &mut s.networks[i];
        net.subnet = Subnets(vec![subnet]);
        if net.gateway.is_none() {
            net.gateway = nth_host(&subnet, 0);
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

/// The addresses in use in one address space (a private network's pool, or the shared
/// space of the physical segments), and per subnet where the search for a free one
/// resumes. The space only fills up, so a subnet's first free address never moves back:
/// every allocation continues from the previous one and a whole resolution is linear in
/// the number of endpoints (rescanning from the first address made it quadratic).
#[derive(Default)]
struct AddressSpace {
    used: HashSet<IpAddr>,
    resume_at: HashMap<IpNet, u64>,
    /// Addresses looked at so far (what the complexity test counts).
    probes: u64,
    /// The space serves one subnet only (a private network's pool): an address it hands
    /// out lies behind that subnet's resume point, which no later search looks at, so it
    /// need not be remembered in `used`. A million replicas on one overlay were a
    /// million inserts (and twenty rehashes) for nothing.
    one_subnet: bool,
}

/// How far into a subnet the allocator looks before it calls it exhausted.
const MAX_HOST_INDEX: u64 = 1 << 20;

impl AddressSpace {
    fn take(&mut self, ip: IpAddr) {
        self.used.insert(ip);
    }

    /// The first free host address of `subnet`, now taken.
    fn next_free(&mut self, subnet: &IpNet) -> Option<IpAddr> {
        let n = self.resume_at.entry(*subnet).or_insert(0);
        while *n <= MAX_HOST_INDEX {
            let ip = nth_host(subnet, *n)?;
            *n += 1;
            self.probes += 1;
            // A private space with nothing reserved (no gateway, auxiliary or static
            // address in it) has every address behind its resume point free.
            let free = if self.one_subnet {
                self.used.is_empty() || !self.used.contains(&ip)
            } else {
                self.used.insert(ip)
            };
            if free {
                return Some(ip);
            }
        }
        None
    }
}

/// Addresses already in use on a subnet before dynamic allocation: gateways, host NICs,
/// other devices, static endpoint addresses.
fn reserved_addresses(s: &Scenario, statics: &[(&str, &Attachment)]) -> AddressSpace {
    let mut used = AddressSpace::default();
    let mut take = |ip: IpAddr| used.take(ip);
    for seg in &s.segments {
        seg.gateway.into_iter().for_each(&mut take);
        seg.used.iter().copied().for_each(&mut take);
    }
    for h in &s.hosts {
        h.nics.iter().map(|n| n.ip.addr()).for_each(&mut take);
    }
    for n in &s.networks {
        n.gateway.into_iter().for_each(&mut take);
        n.aux_address.values().copied().for_each(&mut take);
    }
    statics.iter().filter_map(|(_, a)| a.ip).for_each(&mut take);
    for cl in &s.clients {
        cl.ip.into_iter().for_each(&mut take);
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
/// Every driver with a private space allocates from the network's first subnet only
/// ([`dynamic_address`]), so each space serves one subnet.
fn reserved_per_network(
    s: &Scenario,
    networks: &NetworkIndex,
    statics: &[(&str, &Attachment)],
) -> HashMap<usize, AddressSpace> {
    let mut out: HashMap<usize, AddressSpace> = HashMap::default();
    for (i, n) in s.networks.iter().enumerate() {
        if has_private_address_space(&n.driver) {
            let space = out.entry(i).or_default();
            space.one_subnet = true;
            n.gateway.into_iter().for_each(|ip| space.take(ip));
            n.aux_address.values().for_each(|ip| space.take(*ip));
        }
    }
    for (host, a) in statics {
        if let (Some(ip), Some(ni)) = (a.ip, networks.find(host, &a.network)) {
            if let Some(space) = out.get_mut(&ni) {
                space.take(ip);
            }
        }
    }
    out
}

/// The indices of an attachment's host and network, when they exist.
type HostAndNetwork = (Option<usize>, Option<usize>);

pub(super) fn assign_addresses(s: &Scenario) -> Vec<Endpoint> {
    let networks = NetworkIndex::new(&s.networks);
    // One pass over the containers for how many attachments there are and which have
    // a static address (each pass over a million replicas was a few hundredths of a
    // second of cache misses).
    let mut attachments = 0;
    let mut statics: Vec<(&str, &Attachment)> = Vec::new();
    for c in &s.containers {
        attachments += c.networks.len();
        let fixed = c.networks.iter().filter(|a| a.ip.is_some());
        statics.extend(fixed.map(|a| (c.host.as_str(), a)));
    }
    let mut used = reserved_addresses(s, &statics);
    // Room for every attachment's address, made once rather than by doubling (a
    // million replicas rehashed the set twenty times).
    used.used.reserve(attachments);
    let mut private = reserved_per_network(s, &networks, &statics);
    let mut sdn_next: HashMap<&str, usize> = HashMap::default();
    let hosts: HashMap<&str, usize> = s.host_indices().into_iter().collect();
    // The host and network of an attachment, looked up once per (host, network name):
    // a service's replicas repeat a few pairs a million times, and three lookups per
    // attachment were a fifth of assigning their addresses.
    let mut places: HashMap<(&str, &str), HostAndNetwork> = HashMap::default();
    let mut endpoints = Vec::with_capacity(attachments);
    for (ci, c) in s.containers.iter().enumerate() {
        for (ai, att) in c.networks.iter().enumerate() {
            let (host_idx, net_idx) = *places
                .entry((c.host.as_str(), att.network.as_str()))
                .or_insert_with(|| {
                    (
                        hosts.get(c.host.as_str()).copied(),
                        networks.find(&c.host, &att.network),
                    )
                });
            let host = host_idx.map(|i| &s.hosts[i]);
            let (ip, source) = match (net_idx, host) {
                _ if att.ip.is_some() => (att.ip, IpSource::Static),
                (Some(ni), Some(host)) => {
                    let net = &s.networks[ni];
                    let pool = match private.get_mut(&ni) {
                        Some(pool) => pool,
                        None => &mut used,
                    };
                    dynamic_address(s, net, host, pool, &mut sdn_next)
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

fn dynamic_address<'a>(
    s: &'a Scenario,
    net: &Network,
    host: &'a Host,
    used: &mut AddressSpace,
    sdn_next: &mut HashMap<&'a str, usize>,
) -> (Option<IpAddr>, IpSource) {
    let from_subnet = |used: &mut AddressSpace, source: IpSource| match net.subnet.0.first() {
        Some(subnet) => match used.next_free(subnet) {
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
        Driver::Transparent => match network_segment(s, net, host) {
            Some(seg) if seg.dhcp => match used.next_free(&seg.subnet) {
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
                        used.take(*ip);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The allocator looks at each address of a subnet at most once however many
    /// endpoints it serves: 30,000 allocations with 1,000 addresses taken beforehand
    /// probe 31,000 addresses, not the 450 million a rescan per endpoint would.
    #[test]
    fn allocation_is_linear_in_the_number_of_addresses() {
        let subnet: IpNet = "10.0.0.0/8".parse().unwrap();
        let mut space = AddressSpace::default();
        for n in (0..2000).step_by(2) {
            space.take(nth_host(&subnet, n).unwrap());
        }
        let mut got = HashSet::default();
        for _ in 0..30_000 {
            assert!(got.insert(space.next_free(&subnet).unwrap()));
        }
        assert_eq!(space.probes, 31_000);
        assert_eq!(got.len(), 30_000);
    }

    /// A one-subnet space does not remember what it hands out, yet never hands out an
    /// address twice nor one taken beforehand.
    #[test]
    fn a_one_subnet_space_hands_out_each_free_address_once() {
        let subnet: IpNet = "10.0.0.0/24".parse().unwrap();
        let mut space = AddressSpace {
            one_subnet: true,
            ..AddressSpace::default()
        };
        for n in [0, 1, 5] {
            space.take(nth_host(&subnet, n).unwrap());
        }
        let got: Vec<IpAddr> = std::iter::from_fn(|| space.next_free(&subnet)).collect();
        assert_eq!(got.len(), 254 - 3);
        assert_eq!(got[0], "10.0.0.3".parse::<IpAddr>().unwrap());
        assert_eq!(got.iter().collect::<HashSet<_>>().len(), got.len());
        assert!(!got.contains(&"10.0.0.6".parse().unwrap()));
        assert_eq!(space.used.len(), 3, "nothing handed out is remembered");
    }

    #[test]
    fn an_exhausted_subnet_stays_exhausted() {
        let subnet: IpNet = "10.0.0.0/30".parse().unwrap();
        let mut space = AddressSpace::default();
        assert!(space.next_free(&subnet).is_some());
        assert!(space.next_free(&subnet).is_some());
        assert!(space.next_free(&subnet).is_none());
        assert!(space.next_free(&subnet).is_none());
    }

    #[test]
    fn taken_ranges_merge_and_answer_overlaps() {
        let mut t = TakenRanges::default();
        for n in ["10.0.0.0/24", "10.0.2.0/24", "10.0.0.0/16", "fd00::/64"] {
            t.insert(&n.parse().unwrap());
        }
        assert_eq!(t.0.len(), 2, "10.0.0.0/16 swallowed both /24s");
        let over = |n: &str| t.overlaps(&n.parse().unwrap());
        assert!(over("10.0.5.0/24"));
        assert!(over("10.0.0.0/8"));
        assert!(!over("10.1.0.0/24"));
        assert!(over("fd00::1/128"));
        assert!(!over("0.0.0.0/32"));
    }
}
