//! What the words of an answer mean: every denial reason and every mechanism a hop can
//! name, in the project's own words with the facts behind each, for `hnsim explain
//! nat-no-inbound` / `hnsim explain win-nat-port-mapping`. The `match`es are exhaustive,
//! so a variant added to the answer types does not compile until it is explained here.

use hnsim_sim::matrix::{DenyReason, Mechanism};

/// One explained word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    /// `reason` or `mechanism`.
    pub kind: &'static str,
    pub text: &'static str,
    pub facts: &'static [&'static str],
}

/// Every denial reason, in the order the answer types declare them. The list stops
/// compiling when the answer types gain a reason it lacks, so `hnsim explain`, its
/// suggestions and the schema test, which all read it, cannot fall behind.
pub const REASONS: [DenyReason; 16] = crate::every_variant!(DenyReason:
    DenyReason::NoRoute,
    DenyReason::IsolatedNetwork,
    DenyReason::NotPublished,
    DenyReason::NatNoInbound,
    DenyReason::VlanMismatch,
    DenyReason::IcmpDroppedByVfpNat,
    DenyReason::MacSpoofingBlocked,
    DenyReason::Unsupported,
    DenyReason::FirewallBlocked,
    DenyReason::NotListening,
    DenyReason::NoAddress,
    DenyReason::EndpointDown,
    DenyReason::IccDisabled,
    DenyReason::MacvlanParent,
    DenyReason::PolicyDenied,
    DenyReason::InvalidDesign,
);

/// Every mechanism, in the order the answer types declare them; complete as
/// [`REASONS`] is.
pub const MECHANISMS: [Mechanism; 23] = crate::every_variant!(Mechanism:
    Mechanism::Vnic,
    Mechanism::VswitchBridge,
    Mechanism::ManagementVnic,
    Mechanism::WinNat,
    Mechanism::WinNatPortMapping,
    Mechanism::VfpNat,
    Mechanism::VxlanEncap,
    Mechanism::VxlanDecap,
    Mechanism::MacRewrite,
    Mechanism::PhysicalHostHairpin,
    Mechanism::SdnPolicy,
    Mechanism::VlanTag,
    Mechanism::PhysicalSegment,
    Mechanism::Routed,
    Mechanism::HostStack,
    Mechanism::HostFirewall,
    Mechanism::LinuxBridge,
    Mechanism::Dnat,
    Mechanism::Masquerade,
    Mechanism::Macvlan,
    Mechanism::Dns,
    Mechanism::Deliver,
    Mechanism::Drop,
);

pub fn reason(r: DenyReason) -> Entry {
    use DenyReason as D;
    let (text, facts): (&'static str, &'static [&'static str]) = match r {
        D::NoRoute => ("No path leads from the source to the destination at all: neither end has a way onto a network the other is on.", &["MAT-1", "MAT-2"]),
        D::IsolatedNetwork => ("Source and destination are on separate container networks that do not route to each other: each nat network, each Docker bridge is its own island.", &["NAT-6", "EXT-3", "EXT-10"]),
        D::NotPublished => ("The destination sits behind NAT and the probed port has no port mapping on its host, so traffic from outside the host has nothing to arrive at.", &["NAT-8", "NAT-9"]),
        D::NatNoInbound => ("WinNAT offers no inbound path to a container's own IP from outside its host: from there a container is reached only through a published host port.", &["NAT-12", "NAT-8"]),
        D::VlanMismatch => ("The two ends are on different VLANs, or on a VLAN the switch port does not trunk, so no frame passes between them.", &["OPT-3"]),
        D::IcmpDroppedByVfpNat => ("Overlay outbound NAT in VFP (Windows Server 2019 and later) translates TCP and UDP only: ICMP echo leaving through it is lost.", &["OVL-3"]),
        D::MacSpoofingBlocked => ("The Hyper-V host drops frames a VM sends from MAC addresses other than its own: containers bridged on a transparent network inside a VM need MAC spoofing enabled on the VM's NIC.", &["TRANS-4"]),
        D::Unsupported => ("The driver or the operating system does not support this combination, so the network or the path does not exist.", &["L2T-1", "L2B-5"]),
        D::FirewallBlocked => ("A host firewall drops the packet before it reaches the destination.", &["EXT-5"]),
        D::NotListening => ("The path reaches the destination, but nothing there listens on the probed port: the network delivers the packet and the destination refuses it (TCP reset, ICMP port unreachable). Not a network denial: start a service on that port, or declare it with `listen:`.", &["ARCH-1", "ARCH-2"]),
        D::NoAddress => ("The source or the destination has no IP address (driver none, no DHCP answer, an exhausted pool), so no packet can be addressed to or from it.", &["IPAM-1"]),
        D::EndpointDown => ("The container is not running, or the network its attachment named no longer exists: its vNIC is down.", &["ARCH-1"]),
        D::IccDisabled => ("Inter-container communication is disabled on the network, so containers on it do not reach each other.", &["EXT-8"]),
        D::MacvlanParent => ("A macvlan endpoint and the host that owns its parent interface cannot talk to each other directly: the parent does not hairpin frames between them.", &["EXT-12"]),
        D::PolicyDenied => ("An SDN/VFP policy (ACL) attached to the endpoint drops the packet.", &["SDN-1"]),
        D::InvalidDesign => ("The design is invalid in a way that keeps the network or endpoint from existing (see the findings of `hnsim check`).", &["ARCH-1"]),
    };
    Entry {
        kind: "reason",
        text,
        facts,
    }
}

pub fn mechanism(m: Mechanism) -> Entry {
    use Mechanism as M;
    let (text, facts): (&'static str, &'static [&'static str]) = match m {
        M::Vnic => ("The packet leaves or enters a container through its virtual NIC, inside the container's network compartment.", &["ARCH-1", "ARCH-2"]),
        M::VswitchBridge => ("Bridged at layer 2 in a Hyper-V virtual switch (internal for nat, external for transparent and l2bridge).", &["NAT-5"]),
        M::ManagementVnic => ("Routed through the host's management vNIC, the host's own leg on an internal vSwitch.", &["NAT-7"]),
        M::WinNat => ("WinNAT translates the source address to the host's address on the way out.", &["NAT-7"]),
        M::WinNatPortMapping => ("A WinNAT static mapping forwards a published host port to the container's port on the way in.", &["NAT-8", "NAT-9"]),
        M::VfpNat => ("A VFP NAT rule in the vSwitch translates overlay traffic leaving for outside the overlay.", &["OVL-3"]),
        M::VxlanEncap => ("The VFP forwarding extension wraps the frame in VXLAN to carry it to another host of the overlay.", &["OVL-2"]),
        M::VxlanDecap => ("The receiving host's VFP unwraps the VXLAN packet and delivers the inner frame on the overlay.", &["OVL-2"]),
        M::MacRewrite => ("l2bridge rewrites the container's MAC address to the host's on the way out, and back on the way in.", &["L2B-1"]),
        M::PhysicalHostHairpin => ("l2tunnel sends every packet up to the physical Hyper-V host, where the SDN policies apply, and back.", &["L2T-1"]),
        M::SdnPolicy => ("The SDN network controller's policies (ACLs, QoS) apply to the endpoint.", &["SDN-1"]),
        M::VlanTag => ("The frame is tagged with, or isolated by, a VLAN ID.", &["OPT-3"]),
        M::PhysicalSegment => ("Switched on the physical network segment between machines.", &["MAT-2"]),
        M::Routed => ("Routed by the segment's gateway or another router.", &["MAT-2"]),
        M::HostStack => ("Handled by the host's own IP stack (its host compartment).", &["ARCH-2"]),
        M::HostFirewall => ("The host firewall decides whether the packet passes.", &["EXT-5", "NAT-10"]),
        M::LinuxBridge => ("Bridged in a Linux bridge (docker0 or a user-defined bridge).", &["LNX-1"]),
        M::Dnat => ("iptables/nftables DNAT forwards a published host port to the container (Linux).", &["EXT-10"]),
        M::Masquerade => ("iptables/nftables MASQUERADE translates the source address on the way out (Linux).", &["EXT-10"]),
        M::Macvlan => ("Sent on a macvlan sub-interface of the parent NIC, with the container's own MAC address.", &["EXT-12"]),
        M::Dns => ("Docker's embedded DNS resolves the destination's name to its address.", &["DNS-1"]),
        M::Deliver => ("Delivered to the listening socket or the ICMP responder at the destination.", &["ARCH-1"]),
        M::Drop => ("Dropped at this point.", &["MAT-1"]),
    };
    Entry {
        kind: "mechanism",
        text,
        facts,
    }
}

/// The kebab-case name a reason or mechanism has in every output.
pub fn name<T: serde::Serialize>(v: &T) -> String {
    crate::text::serde_name(v)
}

/// The entry for a name as outputs print it (`nat-no-inbound`, `win-nat`), ignoring
/// case and accepting underscores.
pub fn lookup(word: &str) -> Option<(String, Entry)> {
    let w = word.trim().to_ascii_lowercase().replace('_', "-");
    REASONS
        .iter()
        .map(|r| (name(r), reason(*r)))
        .chain(MECHANISMS.iter().map(|m| (name(m), mechanism(*m))))
        .find(|(n, _)| *n == w)
}

/// Every name, for suggestions.
pub fn names() -> Vec<String> {
    REASONS
        .iter()
        .map(name)
        .chain(MECHANISMS.iter().map(name))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_cites_known_facts() {
        for (n, e) in names().iter().filter_map(|n| lookup(n)) {
            assert!(!e.facts.is_empty(), "{n}");
            for f in e.facts {
                assert!(
                    hnsim_model::fact::lookup(f).is_some(),
                    "{n}: unknown fact {f}"
                );
            }
        }
        assert_eq!(names().len(), REASONS.len() + MECHANISMS.len());
        assert!(lookup("NAT_NO_INBOUND").is_some());
    }
}
