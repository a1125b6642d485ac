//! One answer of the matrix: disposition, address, path and facts.

use super::{Observation, Probe};
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;
use std::fmt;
use std::net::IpAddr;

/// One answer: can `from` reach `to` with `probe`, how, and why.
#[skip_serializing_none]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    pub from: String,
    pub to: String,
    pub probe: Probe,
    pub disposition: Disposition,
    /// The address the source must use, when there is one.
    pub address: Option<Address>,
    /// Hops from source to destination. For a denied cell: up to where it is dropped.
    pub path: Vec<Hop>,
    /// Every fact the answer rests on (the union of the hops' facts and the denial's).
    pub facts: Vec<String>,
    /// Set when the cell was probed on a real dataplane.
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

#[skip_serializing_none]
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Address {
    pub kind: AddressKind,
    /// As the user types it: `172.16.0.2`, `10.0.0.10:8080`, `web`.
    pub value: String,
    pub ip: Option<IpAddr>,
    pub port: Option<u16>,
    /// Name that also resolves to the destination (DNS-1/2), when discovery works.
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
