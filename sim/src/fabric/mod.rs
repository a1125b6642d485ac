//! Everything between two networks: where a source's traffic leaves its network (an
//! [`Exit`]), where a destination can be entered (an [`Entry`]), and how the physical
//! side joins the two (same vSwitch, same segment, routed between segments, through the
//! internet). Drivers produce exits and entries for their endpoints; [`hosts`] and
//! [`clients`] do the same for hosts, clients and the internet, and [`join`] joins any
//! exit to any entry, asking the drivers on either end about what only they know
//! (a macvlan parent, a published port reached from its own host).
//!
//! Physical assumptions (the scenario names segments, not switches and routers):
//! - parties on one segment in different VLANs are isolated at layer 2 (OPT-3); the
//!   model does not route between VLANs of one segment;
//! - tagged traffic crosses to another segment or the internet only when the segment
//!   carries the VLAN (`trunk-vlans`);
//! - traffic between two NICs of one container host is routed by that host (TRANS-6);
//! - a host's management vNIC sits on the external vSwitch bound to its NIC, so a
//!   container on that vSwitch reaches its own host without leaving the machine (and
//!   without meeting the MAC spoofing check of TRANS-4).

pub(crate) mod clients;
pub(crate) mod hairpin;
pub(crate) mod hosts;
mod join;
mod underlay;

pub(crate) use join::join;

use crate::answer::{AddressTemplate, Denial};
use crate::driver::DriverRules;
use crate::matrix::{Hop, Probe};

/// Where traffic is on the physical side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Point {
    /// Inside host `h`'s own IP stack (host compartment).
    HostStack(usize),
    /// On a segment, untagged or in a VLAN.
    Segment {
        seg: usize,
        vlan: Option<u16>,
    },
    Internet,
}

/// How traffic from a source leaves its network.
#[derive(Clone, Debug)]
pub(crate) struct Exit {
    pub at: Point,
    pub hops: Vec<Hop>,
    /// The source is host `h`'s own stack (host node, Linux `host` network): it may
    /// reach container IPs that only the host routes to (NAT-12).
    pub host_stack: bool,
    /// Host the source runs on.
    pub host: Option<usize>,
    /// The source appears with host `h`'s address (WinNAT, VFP NAT, MASQUERADE, host).
    pub snat_host: Option<usize>,
    /// External vSwitch / bridge the exit is on, for the same-vSwitch shortcut.
    pub vswitch: Option<String>,
    /// Dropped once it leaves the host (TRANS-4).
    pub offhost: Option<Denial>,
    /// Dropped right here, whatever the destination.
    pub block: Option<Denial>,
    /// Hops added when the path leaves the host (SDN policies at the physical host).
    pub offhost_hops: Vec<Hop>,
    /// The source has no working gateway (static addressing without `--gateway`,
    /// TRANS-2; a macvlan subnet no router on the segment knows): only this subnet is
    /// reachable, and anything else is denied as said.
    pub local_subnet: Option<(ipnet::IpNet, Denial)>,
    /// The driver of the source endpoint's network, asked by [`join`] about what only
    /// it knows; `None` for hosts, clients and the internet.
    pub driver: Option<&'static dyn DriverRules>,
}

impl Exit {
    pub fn new(at: Point, hops: Vec<Hop>) -> Exit {
        Exit {
            at,
            hops,
            host_stack: false,
            host: None,
            snat_host: None,
            vswitch: None,
            offhost: None,
            block: None,
            offhost_hops: vec![],
            local_subnet: None,
            driver: None,
        }
    }
}

/// Entered only from host `host`'s own stack (a NAT or bridge container IP).
#[derive(Clone, Debug)]
pub(crate) struct StackOnly {
    /// From another network on the same host (EXT-3, EXT-10).
    pub same_host: Denial,
    /// From anywhere else (NAT-12).
    pub remote: Denial,
    /// Sources elsewhere on the network are better told about the host's published
    /// ports (the other entries) than about the container IP: skip this entry for them.
    pub remote_via_host_ip: bool,
}

/// How a destination is entered.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    pub at: Point,
    pub addr: AddressTemplate,
    /// From the point of entry to delivery.
    pub hops: Vec<Hop>,
    pub stack_only: Option<StackOnly>,
    /// The address is host `h`'s own (host IP, published port).
    pub owner_host: Option<usize>,
    /// A published port: reached from its own host's containers, the destination's
    /// driver says what happens (see [`DriverRules::hairpin`]).
    pub published: bool,
    pub vswitch: Option<String>,
    pub offhost: Option<Denial>,
    /// Reached, then dropped here (not published, firewall, ...).
    pub block: Option<Denial>,
    /// The address is globally routable.
    pub public: bool,
    /// Host the destination runs on.
    pub host: Option<usize>,
    /// Hops added when the path arrives from off the host (SDN policies).
    pub offhost_hops: Vec<Hop>,
    /// The subnet of the destination's own address, for a container IP on a segment.
    pub subnet: Option<ipnet::IpNet>,
    /// No router on the segment knows `subnet`: only a source inside it on the same
    /// segment gets there; any other is denied as said.
    pub unrouted: Option<Denial>,
    /// The driver of the destination endpoint's network; `None` for hosts, clients and
    /// the internet.
    pub driver: Option<&'static dyn DriverRules>,
}

impl Entry {
    pub fn new(at: Point, addr: AddressTemplate, hops: Vec<Hop>) -> Entry {
        Entry {
            at,
            addr,
            hops,
            stack_only: None,
            owner_host: None,
            published: false,
            vswitch: None,
            offhost: None,
            block: None,
            public: false,
            host: None,
            offhost_hops: vec![],
            subnet: None,
            unrouted: None,
            driver: None,
        }
    }
}

/// The destination port of a TCP/UDP probe, which every address of a cell carries
/// (`10.9.0.80:9100`), whatever the kind of destination.
pub(crate) fn probe_port(probe: Probe) -> Option<u16> {
    match probe {
        Probe::Icmp => None,
        Probe::Tcp(p) | Probe::Udp(p) => Some(p),
    }
}
