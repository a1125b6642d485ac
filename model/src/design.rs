//! The resolved design: what the hosts would actually have once Docker, HNS and swarm
//! filled in what the scenario leaves out ([`crate::resolve`] builds it). The validator,
//! the simulator and the conformance backends all read this one value, so they agree on
//! every address and port.

use crate::hash::HashMap;
use crate::port::{PortProto, PortRange, Protocol};
use crate::scenario::*;
use std::net::IpAddr;

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

/// One attachment of a container to a network, with its address decided.
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

/// A port forward a host programs: traffic to the host's address and `host_ports` goes
/// to `container_ports` (NAT-9). A plain value, so that two endpoints with the same
/// forwards compare equal whoever owns them.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PortForward {
    /// The host address the mapping is bound to (`-p 127.0.0.1:3000:3000`); `None`:
    /// every address of the host.
    pub host_ip: Option<IpAddr>,
    pub proto: Protocol,
    pub container_ports: PortRange,
    pub host_ports: PortRange,
}

impl PortForward {
    /// The host port that forwards to this protocol and container port, if the mapping
    /// covers it. `None` (an ICMP probe, say) never matches. Docker maps a host range to
    /// a container range port by port; a single host port serves the whole range.
    pub fn host_port(&self, wanted: impl Into<Option<PortProto>>) -> Option<u16> {
        let PortProto { proto, port } = wanted.into()?;
        if proto != self.proto || !self.container_ports.contains(port) {
            return None;
        }
        if self.host_ports.is_single() {
            Some(self.host_ports.start)
        } else {
            self.host_ports
                .start
                .checked_add(port - self.container_ports.start)
        }
    }
    /// Whether the mapping listens on host address `ip` (unbound, wildcard, or `ip`).
    pub fn binds(&self, ip: IpAddr) -> bool {
        self.host_ip.is_none_or(|b| b.is_unspecified() || b == ip)
    }
    /// Bound to the host's loopback only: reachable from the host itself, by localhost.
    pub fn loopback_only(&self) -> bool {
        self.host_ip.is_some_and(|b| b.is_loopback())
    }
}

/// A container's port mapping with its host port decided.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Published {
    pub container: usize,
    pub host: Option<usize>,
    pub forward: PortForward,
    /// Picked by Docker's allocator (`-p C`, `-P`), shown by `docker ps` (NAT-9).
    pub ephemeral: bool,
    /// Index of the mapping in the container's `ports`; `None` for `-P`.
    pub mapping: Option<usize>,
}

impl Published {
    /// The host port that forwards to `container_port` of this mapping's protocol.
    pub fn host_port_for(&self, container_port: u16) -> Option<u16> {
        self.forward.host_port(PortProto {
            proto: self.forward.proto,
            port: container_port,
        })
    }
}

/// The resolved design: the scenario with implicit objects made explicit, plus the
/// endpoints and port mappings the hosts would actually have. `endpoints` and `published`
/// are in container order (what [`crate::resolve`] produces), which the per-container
/// lookups rely on.
#[derive(Clone, Debug, Default)]
pub struct Design {
    pub scenario: Scenario,
    pub endpoints: Vec<Endpoint>,
    pub published: Vec<Published>,
    /// The routing mesh's forwards of each swarm service, parallel to
    /// `scenario.services`: the service's published ports with the host ports swarm
    /// picked for `--publish 80` (see [`crate::resolve`]).
    pub service_ports: Vec<Vec<PortForward>>,
    /// The parts of this state that a finding says do not work as written, filled by
    /// [`crate::analyse`] after validation (empty for a design resolved on its own):
    /// the simulator answers no cell across them as delivered.
    pub invalid: Vec<crate::finding::Invalid>,
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
    /// The endpoints of one container: a slice, since resolution lists endpoints in
    /// container order.
    pub fn endpoints_of(&self, container: usize) -> impl Iterator<Item = &Endpoint> {
        let start = self.endpoints.partition_point(|e| e.container < container);
        let end = self.endpoints.partition_point(|e| e.container <= container);
        self.endpoints[start..end.max(start)].iter()
    }
    pub fn endpoints_on(&self, network: usize) -> impl Iterator<Item = &Endpoint> {
        self.endpoints
            .iter()
            .filter(move |e| e.network == Some(network))
    }
    /// The port mappings of one container: a slice, since resolution lists them in
    /// container order.
    pub fn published_of(&self, container: usize) -> impl Iterator<Item = &Published> {
        let start = self.published.partition_point(|p| p.container < container);
        let end = self.published.partition_point(|p| p.container <= container);
        self.published[start..end.max(start)].iter()
    }
    /// The routing mesh's forwards of the swarm service `name` (empty for an unknown
    /// service or one that publishes nothing).
    pub fn mesh_ports(&self, name: &str) -> &[PortForward] {
        self.scenario
            .services
            .iter()
            .position(|s| s.name == name)
            .and_then(|i| self.service_ports.get(i))
            .map_or(&[], Vec::as_slice)
    }
    /// The NIC an external-vSwitch network binds to on `host` (OPT-2): the
    /// `windowsshim.interface` / macvlan `parent` option, else the host's first NIC
    /// (what Docker picks when no interface is named).
    pub fn network_nic<'a>(&'a self, network: &Network, host: &'a Host) -> Option<&'a Nic> {
        host.network_nic(network)
    }
    /// Segment an endpoint's traffic enters directly (transparent, l2bridge, l2tunnel,
    /// macvlan), via the NIC its network binds to.
    pub fn network_segment(&self, network: &Network, host: &Host) -> Option<&Segment> {
        network_segment(&self.scenario, network, host)
    }
}

/// [`Design::network_segment`] of a scenario not yet resolved.
pub(crate) fn network_segment<'a>(
    s: &'a Scenario,
    network: &Network,
    host: &Host,
) -> Option<&'a Segment> {
    let nic = host.network_nic(network)?;
    s.segments.iter().find(|seg| seg.name == nic.segment)
}

/// [`find_network`] by hash lookups, for resolving every attachment of a design.
pub(crate) struct NetworkIndex<'a> {
    local: HashMap<(&'a str, &'a str), usize>,
    swarm: HashMap<&'a str, usize>,
}

impl<'a> NetworkIndex<'a> {
    pub fn new(networks: &'a [Network]) -> Self {
        let mut local = HashMap::default();
        let mut swarm = HashMap::default();
        for (i, n) in networks.iter().enumerate() {
            match &n.host {
                Some(h) => local.entry((h.as_str(), n.name.as_str())).or_insert(i),
                None => swarm.entry(n.name.as_str()).or_insert(i),
            };
        }
        NetworkIndex { local, swarm }
    }

    /// The first network named `name` on `host`, else the first swarm-scoped one.
    pub fn find(&self, host: &str, name: &str) -> Option<usize> {
        self.local
            .get(&(host, name))
            .or_else(|| self.swarm.get(name))
            .copied()
    }
}

/// The network named `name` as a container on `host` sees it: the host's own network of
/// that name, else a swarm-scoped one.
pub(crate) fn find_network(networks: &[Network], host: &str, name: &str) -> Option<usize> {
    networks
        .iter()
        .position(|n| n.name == name && n.host.as_deref() == Some(host))
        .or_else(|| {
            networks
                .iter()
                .position(|n| n.name == name && n.host.is_none())
        })
}
