//! From what the user wrote to what the hosts would actually have: the [`Design`].
//!
//! Docker and HNS fill in a great deal that a scenario leaves out, and both the validator
//! and the simulator must see the same filled-in state. Resolution adds:
//! - the default network of each host (NAT-1: `nat` on Windows unless daemon.json says
//!   `"bridge": "none"` (NAT-3); `bridge`, `host` and `none` on Linux, LNX-1/2/5);
//! - a subnet for networks created without `--subnet` (HNS picks a /20 out of the NAT
//!   prefix; Docker's default pools give 172.17-31.0.0/16 for bridges; swarm hands out
//!   10.0.N.0/24 for overlays, OVL-5);
//! - the attachment to the default network of a container with no `--network`;
//! - swarm service replicas as containers, placed round-robin over the swarm nodes;
//! - an address for every endpoint, by the driver's IPAM (IPAM-1), deterministically in
//!   file order so that the same file always gives the same addresses;
//! - a host port for every `-p C` and `-P` mapping (NAT-9): Docker's port allocator
//!   starts at 49153 on Windows and at 32768 (ip_local_port_range) on Linux.
//!
//! Nothing here judges the design: a missing network or an exhausted subnet leaves the
//! endpoint without an address and the validator reports it.

use crate::driver::Driver;
use crate::port::{PortProto, PortRange, Protocol};
use crate::scenario::*;
use ipnet::IpNet;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::net::IpAddr;

/// Name Docker gives the default network attachment on each platform.
pub fn default_network_name(host: &Host) -> &'static str {
    if host.is_windows() {
        "nat"
    } else {
        "bridge"
    }
}

/// Where an endpoint's address came from (IPAM-1, SDN-2, TRANS-2).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum IpSource {
    /// `--ip` / `ipv4_address`.
    Static,
    /// HNS dynamic IPAM from the network's subnet (nat, l2bridge when HNS assigns).
    HnsDynamic,
    /// Docker's IPAM (Linux bridge, macvlan).
    DockerIpam,
    /// Swarm's IPAM via HNS (overlay, OVL-5).
    Swarm,
    /// An external DHCP server on the physical segment (transparent, TRANS-2).
    Dhcp,
    /// One of the tenant VM's extra IP configurations (SDN-2) via the plug-in.
    SdnIpConfig,
    /// The container shares the host's stack (Linux `host`, LNX-2).
    HostStack,
    /// No address: driver `none` (LNX-5), or the reason none could be given.
    Unassigned(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Endpoint {
    /// Index into `design.scenario.containers`.
    pub container: usize,
    /// Index into `design.scenario.networks`; `None` when the attachment names a
    /// network that does not exist on the container's host.
    pub network: Option<usize>,
    /// Index into `design.scenario.hosts`; `None` if the container's host is unknown.
    pub host: Option<usize>,
    /// Position of this attachment in the container's `networks`.
    pub attachment: usize,
    pub ip: Option<IpAddr>,
    pub ip_source: IpSource,
    pub aliases: Vec<String>,
}

/// A port mapping with its host port decided.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Published {
    pub container: usize,
    pub host: Option<usize>,
    pub host_ip: Option<IpAddr>,
    pub host_ports: PortRange,
    pub container_ports: PortRange,
    pub proto: Protocol,
    /// Picked by Docker's allocator (`-p C`, `-P`), shown by `docker ps` (NAT-9).
    pub ephemeral: bool,
    /// Index of the mapping in the container's `ports`; `None` for `-P`.
    pub mapping: Option<usize>,
}

impl Published {
    /// The host port that forwards to `container_port`, if this mapping covers it.
    pub fn host_port_for(&self, container_port: u16) -> Option<u16> {
        if !self.container_ports.contains(container_port) {
            return None;
        }
        let offset = container_port - self.container_ports.start;
        if self.host_ports.is_single() {
            Some(self.host_ports.start)
        } else {
            self.host_ports.start.checked_add(offset)
        }
    }
}

/// The resolved design: the scenario with implicit objects made explicit, plus the
/// endpoints and port mappings the hosts would actually have.
#[derive(Clone, Debug, Default)]
pub struct Design {
    pub scenario: Scenario,
    pub endpoints: Vec<Endpoint>,
    pub published: Vec<Published>,
}

impl Design {
    pub fn host_index(&self, name: &str) -> Option<usize> {
        self.scenario.hosts.iter().position(|h| h.name == name)
    }
    pub fn host(&self, name: &str) -> Option<&Host> {
        self.scenario.hosts.iter().find(|h| h.name == name)
    }
    pub fn container_index(&self, name: &str) -> Option<usize> {
        self.scenario.containers.iter().position(|c| c.name == name)
    }
    pub fn segment(&self, name: &str) -> Option<&Segment> {
        self.scenario.segments.iter().find(|s| s.name == name)
    }
    /// The network a container on `host` reaches by `name`: a local network of that
    /// host, or a swarm-scoped one.
    pub fn network_on(&self, host: &str, name: &str) -> Option<usize> {
        find_network(&self.scenario.networks, host, name)
    }
    pub fn endpoints_of(&self, container: usize) -> impl Iterator<Item = &Endpoint> {
        self.endpoints
            .iter()
            .filter(move |e| e.container == container)
    }
    pub fn endpoints_on(&self, network: usize) -> impl Iterator<Item = &Endpoint> {
        self.endpoints
            .iter()
            .filter(move |e| e.network == Some(network))
    }
    pub fn published_of(&self, container: usize) -> impl Iterator<Item = &Published> {
        self.published
            .iter()
            .filter(move |p| p.container == container)
    }
    /// The NIC an external-vSwitch network binds to on `host` (OPT-2): the
    /// `windowsshim.interface` / macvlan `parent` option, else the host's first NIC
    /// (what Docker picks when no interface is named).
    pub fn network_nic<'a>(&'a self, network: &Network, host: &'a Host) -> Option<&'a Nic> {
        match network.interface() {
            Some(name) => host.nic(name),
            None => host.nics.first(),
        }
    }
    /// Segment an endpoint's traffic enters directly (transparent, l2bridge, l2tunnel,
    /// macvlan), via the NIC its network binds to.
    pub fn network_segment(&self, network: &Network, host: &Host) -> Option<&Segment> {
        let nic = self.network_nic(network, host)?;
        self.segment(&nic.segment)
    }
}

fn find_network(networks: &[Network], host: &str, name: &str) -> Option<usize> {
    networks
        .iter()
        .position(|n| n.name == name && n.host.as_deref() == Some(host))
        .or_else(|| {
            networks
                .iter()
                .position(|n| n.name == name && n.host.is_none())
        })
}

/// Resolves a scenario (after import) into a [`Design`]. Never fails: what cannot be
/// resolved is left unassigned for the validator to report.
pub fn resolve(scenario: &Scenario) -> Design {
    let mut s = scenario.clone();
    add_default_networks(&mut s);
    expand_services(&mut s);
    attach_default_networks(&mut s);
    assign_subnets(&mut s);
    default_listen_ports(&mut s);
    let endpoints = assign_addresses(&s);
    let published = assign_host_ports(&s);
    Design {
        scenario: s,
        endpoints,
        published,
    }
}

fn implicit(path: String) -> Origin {
    Origin {
        path,
        implicit: true,
    }
}

fn plain_network_named(name: &str, driver: Driver) -> Network {
    Network {
        name: name.to_string(),
        host: None,
        driver,
        subnet: Subnets::default(),
        gateway: None,
        vlan: None,
        vni: None,
        options: Default::default(),
        scope: None,
        attachable: false,
        internal: false,
        ip_range: None,
        aux_address: Default::default(),
        ipv6: false,
        ipam_driver: None,
        ipam_opt: Default::default(),
        origin: Origin::default(),
    }
}

fn plain_network(name: &str, host: &Host, driver: Driver) -> Network {
    Network {
        host: Some(host.name.clone()),
        origin: implicit(format!("{}.docker", host.origin.path)),
        ..plain_network_named(name, driver)
    }
}

/// Adds the networks Docker creates by itself: per host (see [`default_networks_of`])
/// and, when any host is in a swarm, the swarm's `ingress` overlay. Idempotent. Skipped
/// when the timeline has already made them explicit ([`Scenario::defaults_materialized`]),
/// so that a step removing one (NAT-3) is not undone.
pub(crate) fn add_default_networks(s: &mut Scenario) {
    if s.defaults_materialized {
        return;
    }
    let names: Vec<String> = s.hosts.iter().map(|h| h.name.clone()).collect();
    for name in names {
        add_default_networks_of(s, &name);
    }
    add_ingress(s);
}

/// The swarm's `ingress` overlay: created at `docker swarm init` with the first /24 of
/// the default address pool (10.0.0.0/24), so user overlays start at 10.0.1.0/24.
/// Service tasks that publish ports are attached to it (the routing mesh).
fn add_ingress(s: &mut Scenario) {
    let swarm = s.hosts.iter().any(|h| h.swarm != SwarmRole::None);
    if !swarm || s.networks.iter().any(|n| n.name == "ingress") {
        return;
    }
    let mut ingress = Network {
        host: None,
        scope: Some(Scope::Swarm),
        subnet: Subnets(vec!["10.0.0.0/24".parse().expect("constant prefix")]),
        gateway: Some("10.0.0.1".parse().expect("constant address")),
        ..plain_network_named("ingress", Driver::Overlay)
    };
    ingress.origin = implicit(
        s.hosts
            .iter()
            .find(|h| h.swarm == SwarmRole::Manager)
            .map(|h| format!("{}.swarm", h.origin.path))
            .unwrap_or_default(),
    );
    s.networks.push(ingress);
}

/// Adds the default networks Docker creates at start on one host, if missing: `nat` and
/// `none` on Windows (NAT-1; no `nat` with `"bridge": "none"`, NAT-3), `bridge`, `host`
/// and `none` on Linux (LNX-1/2/5). Also used by the timeline when Docker restarts.
pub(crate) fn add_default_networks_of(s: &mut Scenario, host_name: &str) {
    let Some(host) = s.hosts.iter().find(|h| h.name == host_name).cloned() else {
        return;
    };
    if host.docker.absent {
        return;
    }
    let exists = |s: &Scenario, name: &str| {
        s.networks
            .iter()
            .any(|n| n.name == name && n.host.as_deref() == Some(host.name.as_str()))
    };
    let mut added = Vec::new();
    if host.is_windows() {
        if host.docker.creates_default_network() && !exists(s, "nat") {
            let mut nat = plain_network("nat", &host, Driver::Nat);
            // NAT-3: fixed-cidr is the default network's prefix. Without it HNS picks
            // a /20 inside 172.16.0.0/12; the first one is used here.
            let prefix = host
                .docker
                .fixed_cidr
                .unwrap_or_else(|| "172.16.0.0/20".parse().expect("constant prefix"));
            nat.subnet = Subnets(vec![prefix]);
            added.push(nat);
        }
        // `docker network ls` on Windows also lists `none` (driver null).
        if !exists(s, "none") {
            added.push(plain_network("none", &host, Driver::None));
        }
    } else {
        if host.docker.creates_default_network() && !exists(s, "bridge") {
            let mut bridge = plain_network("bridge", &host, Driver::Bridge);
            let prefix = host
                .docker
                .fixed_cidr
                .unwrap_or_else(|| "172.17.0.0/16".parse().expect("constant prefix"));
            bridge.subnet = Subnets(vec![prefix]);
            added.push(bridge);
        }
        if !exists(s, "host") {
            added.push(plain_network("host", &host, Driver::Host));
        }
        if !exists(s, "none") {
            added.push(plain_network("none", &host, Driver::None));
        }
    }
    s.networks.extend(added);
}

fn swarm_nodes(s: &Scenario) -> Vec<String> {
    s.hosts
        .iter()
        .filter(|h| h.swarm != SwarmRole::None)
        .map(|h| h.name.clone())
        .collect()
}

fn expand_services(s: &mut Scenario) {
    let nodes = swarm_nodes(s);
    let mut replicas = Vec::new();
    for svc in &s.services {
        let placement = if svc.hosts.is_empty() {
            &nodes
        } else {
            &svc.hosts
        };
        if placement.is_empty() {
            continue; // validator: a service needs swarm nodes
        }
        for i in 0..svc.replicas {
            let host = placement[i as usize % placement.len()].clone();
            let listen = if svc.listen.is_empty() {
                svc.ports
                    .iter()
                    .flat_map(|p| ports_of(p.container_port, p.proto))
                    .collect()
            } else {
                svc.listen.clone()
            };
            // A task publishing ports is on `ingress` (the routing mesh) besides its
            // networks; one that names no network and publishes nothing gets the
            // host's default network, as a standalone container would.
            let mut networks = svc.networks.clone();
            let on_ingress = !svc.ports.is_empty()
                && s.networks
                    .iter()
                    .any(|n| n.name == "ingress" && n.host.is_none());
            if on_ingress && !networks.iter().any(|a| a.network == "ingress") {
                networks.insert(
                    0,
                    Attachment {
                        network: "ingress".into(),
                        ip: None,
                        aliases: vec![],
                    },
                );
            }
            replicas.push(Container {
                name: format!("{}.{}", svc.name, i + 1),
                host,
                image: None,
                isolation: svc.isolation,
                networks,
                ports: vec![],
                publish_all: false,
                expose: vec![],
                listen,
                state: RunState::Running,
                untrusted: false,
                link: vec![],
                add_host: vec![],
                dns_opt: vec![],
                dns_search: vec![],
                ip6: None,
                service: Some(svc.name.clone()),
                origin: implicit(svc.origin.path.clone()),
            });
        }
    }
    s.containers.extend(replicas);
}

fn ports_of(range: PortRange, proto: Protocol) -> Vec<PortProto> {
    (range.start..=range.end)
        .take(64)
        .map(|port| PortProto { proto, port })
        .collect()
}

fn attach_default_networks(s: &mut Scenario) {
    let hosts: HashMap<&str, &Host> = s.hosts.iter().map(|h| (h.name.as_str(), h)).collect();
    let mut defaults = Vec::new();
    for c in &s.containers {
        let name = hosts
            .get(c.host.as_str())
            .filter(|h| c.networks.is_empty() && !h.docker.absent)
            .map(|h| default_network_name(h));
        defaults.push(name);
    }
    for (c, name) in s.containers.iter_mut().zip(defaults) {
        if let Some(name) = name {
            c.networks.push(Attachment {
                network: name.to_string(),
                ip: None,
                aliases: vec![],
            });
        }
    }
}

fn overlaps_any(net: &IpNet, taken: &[IpNet]) -> bool {
    taken
        .iter()
        .any(|t| t.contains(&net.network()) || net.contains(&t.network()))
}

fn first_free(candidates: impl Iterator<Item = IpNet>, taken: &[IpNet]) -> Option<IpNet> {
    candidates.take(4096).find(|c| !overlaps_any(c, taken))
}

fn assign_subnets(s: &mut Scenario) {
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

fn default_listen_ports(s: &mut Scenario) {
    for c in &mut s.containers {
        if !c.listen.is_empty() {
            continue;
        }
        let mut ports: BTreeSet<PortProto> = c.expose.iter().copied().collect();
        for m in &c.ports {
            ports.extend(ports_of(m.container_port, m.proto));
        }
        c.listen = ports.into_iter().collect();
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

fn assign_addresses(s: &Scenario) -> Vec<Endpoint> {
    let mut used = reserved_addresses(s);
    let mut private = reserved_per_network(s);
    let mut sdn_next: HashMap<&str, usize> = HashMap::new();
    let mut endpoints = Vec::new();
    let design_view = Design {
        scenario: s.clone(),
        endpoints: vec![],
        published: vec![],
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

fn assign_host_ports(s: &Scenario) -> Vec<Published> {
    let mut taken: HashMap<(String, Protocol), BTreeSet<u16>> = HashMap::new();
    for c in &s.containers {
        for m in &c.ports {
            if let Some(h) = m.host_port {
                taken
                    .entry((c.host.clone(), m.proto))
                    .or_default()
                    .extend(h.start..=h.end);
            }
        }
    }
    let mut out = Vec::new();
    for (ci, c) in s.containers.iter().enumerate() {
        let host_idx = s.hosts.iter().position(|h| h.name == c.host);
        let first_ephemeral = match host_idx.map(|i| s.hosts[i].is_windows()) {
            Some(false) => 32768u16,
            _ => 49153u16,
        };
        let mut allocate = |proto: Protocol| -> Option<u16> {
            let used = taken.entry((c.host.clone(), proto)).or_default();
            let port = (first_ephemeral..=u16::MAX).find(|p| !used.contains(p))?;
            used.insert(port);
            Some(port)
        };
        for (mi, m) in c.ports.iter().enumerate() {
            let (host_ports, ephemeral) = match m.host_port {
                Some(h) => (Some(h), false),
                None => {
                    // `-p C`: one ephemeral port per container port (NAT-9).
                    let first = allocate(m.proto);
                    let mut last = first;
                    for _ in 1..m.container_port.count().min(64) {
                        last = allocate(m.proto);
                    }
                    let range = first.zip(last).map(|(a, b)| PortRange {
                        start: a,
                        end: b.max(a),
                    });
                    (range, true)
                }
            };
            if let Some(host_ports) = host_ports {
                out.push(Published {
                    container: ci,
                    host: host_idx,
                    host_ip: m.host_ip,
                    host_ports,
                    container_ports: m.container_port,
                    proto: m.proto,
                    ephemeral,
                    mapping: Some(mi),
                });
            }
        }
        if c.publish_all {
            for e in &c.expose {
                let already = c
                    .ports
                    .iter()
                    .any(|m| m.proto == e.proto && m.container_port.contains(e.port));
                if already {
                    continue;
                }
                if let Some(port) = allocate(e.proto) {
                    out.push(Published {
                        container: ci,
                        host: host_idx,
                        host_ip: None,
                        host_ports: PortRange::single(port),
                        container_ports: PortRange::single(e.port),
                        proto: e.proto,
                        ephemeral: true,
                        mapping: None,
                    });
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_scenario;

    fn design(text: &str) -> Design {
        resolve(&parse_scenario("t.yaml", text).unwrap().scenario)
    }

    #[test]
    fn windows_host_gets_default_nat_and_container_attaches_to_it() {
        let d = design(
            "name: t\nhosts:\n  - name: h\n    os: ws2019\ncontainers:\n  - name: web\n    host: h\n    ports: ['80']\n",
        );
        let nat = d
            .network_on("h", "nat")
            .expect("default nat network (NAT-1)");
        assert_eq!(d.scenario.networks[nat].driver, Driver::Nat);
        assert!(d.scenario.networks[nat].origin.implicit);
        let ep = &d.endpoints[0];
        assert_eq!(ep.network, Some(nat));
        assert_eq!(ep.ip, Some("172.16.0.2".parse().unwrap()));
        assert_eq!(ep.ip_source, IpSource::HnsDynamic);
        // NAT-9: -p 80 gets an ephemeral host port from Docker's Windows range.
        assert_eq!(d.published[0].host_ports, PortRange::single(49153));
        assert!(d.published[0].ephemeral);
    }

    #[test]
    fn each_hosts_nat_network_numbers_its_own_addresses() {
        let d = design(
            "name: t\nhosts:\n  - {name: a, os: ws2019}\n  - {name: b, os: ws2019}\ncontainers:\n  - {name: x, host: a}\n  - {name: y, host: b}\n  - {name: z, host: b}\n",
        );
        let ips: Vec<_> = d
            .endpoints
            .iter()
            .map(|e| e.ip.unwrap().to_string())
            .collect();
        assert_eq!(
            ips,
            ["172.16.0.2", "172.16.0.2", "172.16.0.3"],
            "IPAM-1: one pool per network"
        );
    }

    #[test]
    fn swarm_has_ingress_and_user_overlays_start_after_it() {
        let d = design(
            "name: t\nhosts:\n  - {name: m, os: linux, swarm: manager}\nnetworks:\n  - {name: ovl, driver: overlay}\nservices:\n  - {name: web, networks: [ovl], ports: ['80:80']}\n  - {name: job}\n",
        );
        let ingress = d.network_on("m", "ingress").expect("ingress");
        assert_eq!(
            d.scenario.networks[ingress].subnet.0[0].to_string(),
            "10.0.0.0/24"
        );
        let ovl = d.network_on("m", "ovl").unwrap();
        assert_eq!(
            d.scenario.networks[ovl].subnet.0[0].to_string(),
            "10.0.1.0/24"
        );
        let web = d.container_index("web.1").unwrap();
        let nets: Vec<_> = d.scenario.containers[web]
            .networks
            .iter()
            .map(|a| a.network.as_str())
            .collect();
        assert_eq!(nets, ["ingress", "ovl"]);
        let job = d.container_index("job.1").unwrap();
        assert_eq!(d.scenario.containers[job].networks[0].network, "bridge");
    }

    #[test]
    fn bridge_none_creates_no_default_network() {
        let d =
            design("name: t\nhosts:\n  - name: h\n    os: ws2019\n    docker: {bridge: none}\n");
        assert!(d.network_on("h", "nat").is_none());
    }

    #[test]
    fn fixed_cidr_sets_default_nat_prefix() {
        let d = design(
            "name: t\nhosts:\n  - name: h\n    os: ws2016\n    docker: {fixed-cidr: 10.99.0.0/16}\n",
        );
        let nat = d.network_on("h", "nat").unwrap();
        assert_eq!(
            d.scenario.networks[nat].subnet.0[0].to_string(),
            "10.99.0.0/16"
        );
    }

    #[test]
    fn linux_gets_bridge_host_none_and_ephemeral_from_32768() {
        let d = design(
            "name: t\nhosts:\n  - name: l\n    os: linux\ncontainers:\n  - name: a\n    host: l\n    ports: ['80', '8080:81']\n",
        );
        for n in ["bridge", "host", "none"] {
            assert!(d.network_on("l", n).is_some(), "{n}");
        }
        assert_eq!(d.endpoints[0].ip, Some("172.17.0.2".parse().unwrap()));
        assert_eq!(d.published[0].host_ports.start, 32768);
        assert_eq!(d.published[1].host_ports.start, 8080);
        assert_eq!(d.scenario.containers[0].listen.len(), 2);
    }

    #[test]
    fn services_expand_round_robin_over_swarm_nodes() {
        let d = design(
            "name: t\nhosts:\n  - {name: m, os: ws2019, swarm: manager}\n  - {name: w, os: ws2019, swarm: worker}\nnetworks:\n  - {name: ovl, driver: overlay}\nservices:\n  - {name: web, replicas: 3, networks: [ovl]}\n",
        );
        let hosts: Vec<&str> = d
            .scenario
            .containers
            .iter()
            .map(|c| c.host.as_str())
            .collect();
        assert_eq!(hosts, ["m", "w", "m"]);
        // ingress holds 10.0.0.0/24, so the first user overlay gets the next /24.
        assert_eq!(
            d.scenario.networks[0].subnet.0[0].to_string(),
            "10.0.1.0/24"
        );
        let ips: Vec<_> = d
            .endpoints
            .iter()
            .map(|e| e.ip.unwrap().to_string())
            .collect();
        assert_eq!(ips, ["10.0.1.2", "10.0.1.3", "10.0.1.4"]);
    }

    #[test]
    fn transparent_without_dhcp_or_static_ip_is_unassigned() {
        let d = design(
            "name: t\nsegments:\n  - {name: lan, subnet: 10.0.0.0/24}\nhosts:\n  - name: h\n    os: ws2019\n    nics: [{name: Ethernet, ip: 10.0.0.10/24, segment: lan}]\nnetworks:\n  - {name: t, host: h, driver: transparent}\ncontainers:\n  - {name: a, host: h, networks: [t]}\n",
        );
        assert!(matches!(d.endpoints[0].ip_source, IpSource::Unassigned(_)));
    }

    #[test]
    fn dhcp_skips_used_addresses() {
        let d = design(
            "name: t\nsegments:\n  - {name: lan, subnet: 10.0.0.0/29, gateway: 10.0.0.1, dhcp: true, used: [10.0.0.2]}\nhosts:\n  - name: h\n    os: ws2019\n    nics: [{name: Ethernet, ip: 10.0.0.3/29, segment: lan}]\nnetworks:\n  - {name: t, host: h, driver: transparent}\ncontainers:\n  - {name: a, host: h, networks: [t]}\n",
        );
        assert_eq!(d.endpoints[0].ip, Some("10.0.0.4".parse().unwrap()));
        assert_eq!(d.endpoints[0].ip_source, IpSource::Dhcp);
    }
}
