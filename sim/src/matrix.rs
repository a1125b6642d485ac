//! The answer types: what `sim` computes, what `conformance` observes, what `reports`
//! renders. One set of types serves all three, so one comparison and one set of
//! renderers work for simulated and observed matrices alike.
//!
//! These types are serialized as the JSON report (`--json`); the schema is versioned by
//! [`SCHEMA_VERSION`] and changes to it are additive within a version.

use hnsim_model::Finding;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

/// Version of the JSON report schema. Bump on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// Everything `hnsim sim` (and `hnsim conform`) says about one scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: u32,
    pub scenario: ScenarioInfo,
    /// Findings of `check`, for every state of the timeline.
    pub findings: Vec<Finding>,
    pub topology: Topology,
    /// One matrix per state: the initial design, then the state after each step. The last
    /// one is the final state. A scenario without steps has exactly one.
    pub states: Vec<StateMatrix>,
    /// Present when the matrix was also probed on a real dataplane: the comparison of
    /// the last state probed (the final state).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conformance: Option<Conformance>,
    /// The comparisons of the timeline's earlier states, in order, when each state was
    /// realized and probed in turn.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earlier_conformance: Vec<Conformance>,
}

impl Report {
    pub fn final_state(&self) -> Option<&StateMatrix> {
        self.states.last()
    }
    /// Every comparison, in state order.
    pub fn conformances(&self) -> impl Iterator<Item = &Conformance> {
        self.earlier_conformance.iter().chain(&self.conformance)
    }
    /// The comparison of state `index`, when it was probed.
    pub fn conformance_of(&self, index: usize) -> Option<&Conformance> {
        self.conformances().find(|c| c.state == index)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ScenarioInfo {
    pub name: String,
    pub file: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub covers: Vec<String>,
}

/// The connectivity matrix of one state of the design.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StateMatrix {
    /// Index of the timeline step after which this state holds; `None`: initial design.
    pub step: Option<usize>,
    /// Human label: "initial design", "after step 3: reboot win1".
    pub label: String,
    /// Sources and destinations, in a stable order (endpoints, hosts, clients, internet).
    pub nodes: Vec<Node>,
    /// Every ordered (source, destination, probe) with source != destination.
    pub cells: Vec<Cell>,
}

impl StateMatrix {
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id == id)
    }
    pub fn cell(&self, from: &str, to: &str, probe: Probe) -> Option<&Cell> {
        self.cells
            .iter()
            .find(|c| c.from == from && c.to == to && c.probe == probe)
    }
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for c in &self.cells {
            match c.disposition {
                Disposition::Delivered => s.delivered += 1,
                Disposition::Denied { .. } => s.denied += 1,
                Disposition::Unknown { .. } => s.unknown += 1,
            }
        }
        s
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub delivered: usize,
    pub denied: usize,
    pub unknown: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeKind {
    /// One container's attachment to one network (a vNIC, ARCH-1).
    Endpoint,
    /// A container host itself (its host compartment / management vNIC).
    Host,
    /// An external client on a segment.
    Client,
    /// "The internet", beyond the segments' gateways.
    Internet,
}

/// A source or destination.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// Stable id: `web@mynat` (endpoint: container@network), `host:win1`,
    /// `client:laptop`, `internet`.
    pub id: String,
    pub kind: NodeKind,
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<IpAddr>,
    /// Ports the node listens on (`tcp/80`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub listens: Vec<Probe>,
    /// What the node is in the design, by typed id, so that a consumer (a conformance
    /// backend) finds the container, attachment, host or client without parsing `id`.
    /// Absent only in reports written before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub design_id: Option<DesignId>,
}

/// A node's identity in the design.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "of", rename_all = "kebab-case")]
pub enum DesignId {
    Endpoint(EndpointId),
    Host { host: String },
    Client { client: String },
    Internet,
}

/// One container's attachment to one network (ARCH-1).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EndpointId {
    pub container: String,
    /// Position of the attachment in the container's `networks`.
    pub attachment: usize,
    /// `None` when the attachment names a network that does not exist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<NetworkId>,
}

/// A network: host-local (`host` set) or swarm-scoped (`host` absent, OVL-1).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NetworkId {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
}

/// What is sent: an ICMP echo, or a TCP/UDP packet to a destination port.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Probe {
    Icmp,
    Tcp(u16),
    Udp(u16),
}

impl Probe {
    /// The destination port of a TCP or UDP probe.
    pub fn port(self) -> Option<u16> {
        match self {
            Probe::Icmp => None,
            Probe::Tcp(p) | Probe::Udp(p) => Some(p),
        }
    }
}

impl fmt::Display for Probe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Probe::Icmp => f.write_str("icmp"),
            Probe::Tcp(p) => write!(f, "tcp/{p}"),
            Probe::Udp(p) => write!(f, "udp/{p}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a probe; write icmp, tcp/PORT or udp/PORT")]
pub struct BadProbe(pub String);

impl FromStr for Probe {
    type Err = BadProbe;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadProbe(s.to_string());
        let lower = s.trim().to_ascii_lowercase();
        if lower == "icmp" || lower == "ping" {
            return Ok(Probe::Icmp);
        }
        let (proto, port) = lower.split_once('/').ok_or_else(bad)?;
        // Accept both tcp/80 and 80/tcp.
        let (proto, port) = if proto.parse::<u16>().is_ok() {
            (port, proto)
        } else {
            (proto, port)
        };
        let port: u16 = port.parse().ok().filter(|p| *p != 0).ok_or_else(bad)?;
        match proto {
            "tcp" => Ok(Probe::Tcp(port)),
            "udp" => Ok(Probe::Udp(port)),
            _ => Err(bad()),
        }
    }
}

impl Serialize for Probe {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Probe {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// One answer: can `from` reach `to` with `probe`, how, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    pub from: String,
    pub to: String,
    pub probe: Probe,
    pub disposition: Disposition,
    /// The address the source must use, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    /// Hops from source to destination. For a denied cell: up to where it is dropped.
    pub path: Vec<Hop>,
    /// Every fact the answer rests on (the union of the hops' facts and the denial's).
    pub facts: Vec<String>,
    /// Set when the cell was probed on a real dataplane.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observation: Option<Observation>,
}

/// Batfish-style outcome of a flow.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum Disposition {
    Delivered,
    Denied {
        reason: DenyReason,
        why: String,
    },
    /// The model cannot decide; `why` says what is missing.
    Unknown {
        why: String,
    },
}

impl Disposition {
    pub fn is_delivered(&self) -> bool {
        matches!(self, Disposition::Delivered)
    }
    /// One character for the matrix views.
    pub fn symbol(&self) -> char {
        match self {
            Disposition::Delivered => '●',
            Disposition::Denied { .. } => '·',
            Disposition::Unknown { .. } => '?',
        }
    }
}

/// Why a flow does not arrive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DenyReason {
    /// No route from source to destination at all.
    NoRoute,
    /// Separate networks that do not route to each other (NAT-6, EXT-3, EXT-10).
    IsolatedNetwork,
    /// The destination port is not published on the container host (NAT-8).
    NotPublished,
    /// NAT offers no inbound path to a container IP from outside its host (NAT-12).
    NatNoInbound,
    /// Endpoints on different VLANs, or a VLAN the switch port does not trunk (OPT-3).
    VlanMismatch,
    /// ICMP through overlay's VFP outbound NAT is dropped (OVL-3).
    IcmpDroppedByVfpNat,
    /// The Hyper-V host drops frames from extra MACs of a VM (TRANS-4).
    MacSpoofingBlocked,
    /// The driver/OS combination does not support this (L2T-1, L2B-5, ...).
    Unsupported,
    /// A host firewall drops it (EXT-5).
    FirewallBlocked,
    /// Nothing listens on the destination port.
    NotListening,
    /// Source or destination has no address (driver none, no DHCP, ...).
    NoAddress,
    /// The container is not running, or its network is gone.
    EndpointDown,
    /// Inter-container communication disabled on the network (EXT-8 disableicc).
    IccDisabled,
    /// A macvlan endpoint and its own parent host (EXT-12).
    MacvlanParent,
    /// An SDN/VFP policy (ACL) drops it (SDN-1).
    PolicyDenied,
    /// The design is invalid in a way that prevents the network from existing.
    InvalidDesign,
}

impl fmt::Display for DenyReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        f.write_str(&text)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AddressKind {
    /// The destination container's own IP (same host or routable endpoints).
    ContainerIp,
    /// The destination's container host IP and published port (NAT-8).
    HostPort,
    /// A host's own address.
    HostIp,
    /// `localhost:<published port>` from the container host (EXT-2).
    Localhost,
    /// A DNS name: container or service name (DNS-1/2).
    Name,
    /// An external client's address, or an internet address.
    External,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Address {
    pub kind: AddressKind,
    /// As the user types it: `172.16.0.2`, `10.0.0.10:8080`, `web`.
    pub value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<IpAddr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// Name that also resolves to the destination (DNS-1/2), when discovery works.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// How a packet moves at one point of the path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mechanism {
    /// Leaves/enters a container through its vNIC (ARCH-1) and compartment (ARCH-2).
    Vnic,
    /// Bridged in a Hyper-V vSwitch (internal or external).
    VswitchBridge,
    /// Routed through the host's management vNIC.
    ManagementVnic,
    /// WinNAT source translation (outbound, NAT-7).
    WinNat,
    /// WinNAT static mapping host port -> container port (inbound, NAT-8/9).
    WinNatPortMapping,
    /// VFP NAT rule in the vSwitch (overlay outbound on WS2019, OVL-3).
    VfpNat,
    /// VXLAN encapsulation in the VFP forwarding extension (OVL-2).
    VxlanEncap,
    VxlanDecap,
    /// l2bridge layer-2 address translation (L2B-1).
    MacRewrite,
    /// Hairpinned through the physical Hyper-V host, where policies apply (L2T-1).
    PhysicalHostHairpin,
    /// SDN network controller policies (ACL, QoS) applied (SDN-1).
    SdnPolicy,
    /// VLAN tagging/isolation (OPT-3).
    VlanTag,
    /// On the physical segment (switch).
    PhysicalSegment,
    /// Routed by the segment gateway / a router.
    Routed,
    /// The host's own IP stack (host compartment).
    HostStack,
    /// Host firewall decision (EXT-5, NAT-10).
    HostFirewall,
    /// Linux bridge (docker0 / user bridge).
    LinuxBridge,
    /// iptables/nftables DNAT for a published port (Linux).
    Dnat,
    /// iptables/nftables MASQUERADE (Linux outbound).
    Masquerade,
    /// macvlan sub-interface on the parent NIC.
    Macvlan,
    /// Name resolution by Docker's embedded DNS (DNS-1).
    Dns,
    /// Delivered to the listening socket / ICMP responder.
    Deliver,
    /// Dropped here.
    Drop,
}

/// One hop of a path.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Hop {
    /// Where: `win1/vSwitch nat`, `win1 WinNAT`, `segment lan`, `web (vNIC)`.
    pub at: String,
    pub mechanism: Mechanism,
    /// What happens, with the concrete addresses.
    pub detail: String,
    /// SPEC fact IDs behind this hop (never empty).
    pub facts: Vec<String>,
}

/// What a real probe saw (conformance backends).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    pub backend: String,
    /// What was sent: `tcp SYN to 10.0.0.10:8080`.
    pub sent: String,
    /// Address probed.
    pub to: String,
    pub outcome: ProbeOutcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rtt_ms: Option<f64>,
    pub attempts: u32,
    /// A command that repeats the probe by hand.
    pub repro: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum ProbeOutcome {
    /// An answer came back (echo reply, SYN-ACK, UDP echo).
    Reply,
    Timeout,
    /// TCP RST or ICMP port unreachable: the destination host was reached.
    Refused,
    /// ICMP host/net unreachable, or no route.
    Unreachable,
    /// The backend cannot express this cell faithfully.
    NotEmulated {
        why: String,
    },
    Error {
        message: String,
    },
}

/// Expected vs observed, cell by cell.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Conformance {
    pub backend: String,
    /// Index into `Report::states` of the state that was probed.
    pub state: usize,
    pub cells: Vec<CellVerdict>,
    pub summary: ConformanceSummary,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellVerdict {
    pub from: String,
    pub to: String,
    pub probe: Probe,
    pub verdict: Verdict,
    pub expected: Disposition,
    pub observation: Observation,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "kebab-case")]
pub enum Verdict {
    Agree,
    Disagree,
    NotEmulated {
        why: String,
    },
    /// Documented divergence between the emulation and real HNS (with the reason).
    KnownDivergence {
        why: String,
    },
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConformanceSummary {
    pub agree: usize,
    pub disagree: usize,
    pub not_emulated: usize,
    pub known_divergence: usize,
}

/// What the report draws: the objects of the resolved design.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Topology {
    pub segments: Vec<TopoSegment>,
    pub hosts: Vec<TopoHost>,
    pub vswitches: Vec<TopoVswitch>,
    pub networks: Vec<TopoNetwork>,
    pub endpoints: Vec<TopoEndpoint>,
    pub clients: Vec<TopoClient>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TopoSegment {
    pub name: String,
    pub subnet: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<IpAddr>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TopoHost {
    pub name: String,
    pub os: String,
    pub machine: String,
    pub nics: Vec<TopoNic>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TopoNic {
    pub name: String,
    pub ip: String,
    pub segment: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TopoVswitch {
    /// `win1/nat`: host-qualified.
    pub id: String,
    pub host: String,
    /// internal / external / private / linux-bridge
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nic: Option<String>,
    /// Ids of the networks on this vSwitch.
    pub networks: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TopoNetwork {
    /// `win1/mynat`, or `swarm/ovl` for swarm-scoped networks.
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    pub driver: String,
    pub subnets: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vlan: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vni: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TopoEndpoint {
    /// Same as the matrix node id.
    pub node: String,
    pub container: String,
    pub host: String,
    /// Network id.
    pub network: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<IpAddr>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TopoClient {
    pub node: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<IpAddr>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes_parse_and_print() {
        for (text, probe) in [
            ("icmp", Probe::Icmp),
            ("tcp/80", Probe::Tcp(80)),
            ("udp/53", Probe::Udp(53)),
        ] {
            assert_eq!(text.parse::<Probe>().unwrap(), probe);
            assert_eq!(probe.to_string(), text);
        }
        assert_eq!("80/tcp".parse::<Probe>().unwrap(), Probe::Tcp(80));
        assert!("sctp/1".parse::<Probe>().is_err());
        assert!("tcp/0".parse::<Probe>().is_err());
    }

    #[test]
    fn disposition_json_is_tagged() {
        let d = Disposition::Denied {
            reason: DenyReason::NotPublished,
            why: "port 80 is not published".into(),
        };
        let v = serde_json::to_value(&d).unwrap();
        assert_eq!(v["outcome"], "denied");
        assert_eq!(v["reason"], "not-published");
        assert_eq!(
            DenyReason::IcmpDroppedByVfpNat.to_string(),
            "icmp-dropped-by-vfp-nat"
        );
    }
}
