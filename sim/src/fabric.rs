//! Everything between two networks: where a source's traffic leaves its network (an
//! [`Exit`]), where a destination can be entered (an [`Entry`]), and how the physical
//! side joins the two (same vSwitch, same segment, routed between segments, through the
//! internet). Drivers produce exits and entries for their endpoints; this module does
//! the same for hosts, clients and the internet, and [`join`]s any exit to any entry.
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

use crate::graph::{is_public, World};
use crate::matrix::{AddressKind, DenyReason, Hop, Mechanism, Probe};
use crate::nodes::{Ep, Nodes};
use crate::path::{hop, AddrT, Answer, Deny};
use hnsim_model::{Design, Host};
use std::net::IpAddr;

/// Where traffic is on the physical side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum At {
    /// Inside host `h`'s own IP stack (host compartment).
    Stack(usize),
    /// On a segment, untagged or in a VLAN.
    Seg {
        seg: usize,
        vlan: Option<u16>,
    },
    Internet,
}

/// How traffic from a source leaves its network.
#[derive(Clone, Debug)]
pub struct Exit {
    pub at: At,
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
    pub offhost: Option<Deny>,
    /// Dropped right here, whatever the destination.
    pub block: Option<Deny>,
    /// A macvlan endpoint on host `h`: `h` itself is unreachable (EXT-12).
    pub macvlan_parent: Option<usize>,
    /// Hops added when the path leaves the host (SDN policies at the physical host).
    pub offhost_hops: Vec<Hop>,
    /// The source has no gateway (static addressing without `--gateway`): only this
    /// subnet is reachable (TRANS-2).
    pub local_subnet: Option<ipnet::IpNet>,
}

impl Exit {
    pub fn new(at: At, hops: Vec<Hop>) -> Exit {
        Exit {
            at,
            hops,
            host_stack: false,
            host: None,
            snat_host: None,
            vswitch: None,
            offhost: None,
            block: None,
            macvlan_parent: None,
            offhost_hops: vec![],
            local_subnet: None,
        }
    }
}

/// Entered only from host `host`'s own stack (a NAT or bridge container IP).
#[derive(Clone, Debug)]
pub struct StackOnly {
    pub host: usize,
    /// From another network on the same host (EXT-3, EXT-10).
    pub same_host: Deny,
    /// From anywhere else (NAT-12).
    pub remote: Deny,
    /// Sources elsewhere on the network are better told about the host's published
    /// ports (the other entries) than about the container IP: skip this entry for them.
    pub remote_via_host_ip: bool,
}

/// How a destination is entered.
#[derive(Clone, Debug)]
pub struct Entry {
    pub at: At,
    pub addr: AddrT,
    /// From the point of entry to delivery.
    pub hops: Vec<Hop>,
    pub stack_only: Option<StackOnly>,
    /// The address is host `h`'s own (host IP, published port).
    pub owner_host: Option<usize>,
    /// A published port (hairpin from the same host is special, EXT-2).
    pub published: bool,
    /// A Linux bridge's published port, which docker-proxy also serves: containers on
    /// the same host reach it through the proxy, not through DNAT (see
    /// [`hairpin_answer`]).
    pub proxied: bool,
    pub vswitch: Option<String>,
    pub offhost: Option<Deny>,
    /// Reached, then dropped here (not published, firewall, ...).
    pub block: Option<Deny>,
    /// The address is globally routable.
    pub public: bool,
    /// A macvlan endpoint on host `h` (EXT-12).
    pub macvlan_parent: Option<usize>,
    /// Host the destination runs on.
    pub host: Option<usize>,
    /// Hops added when the path arrives from off the host (SDN policies).
    pub offhost_hops: Vec<Hop>,
    /// The subnet of the destination's own address, for a container IP on a segment.
    pub subnet: Option<ipnet::IpNet>,
}

impl Entry {
    pub fn new(at: At, addr: AddrT, hops: Vec<Hop>) -> Entry {
        Entry {
            at,
            addr,
            hops,
            stack_only: None,
            owner_host: None,
            published: false,
            proxied: false,
            vswitch: None,
            offhost: None,
            block: None,
            public: false,
            macvlan_parent: None,
            host: None,
            offhost_hops: vec![],
            subnet: None,
        }
    }
}

/// What the rules can look at.
pub struct Cx<'a> {
    pub w: &'a World<'a>,
    pub n: &'a Nodes,
}

impl<'a> Cx<'a> {
    pub fn d(&self) -> &'a Design {
        self.w.design
    }
    pub fn host(&self, h: usize) -> &'a Host {
        &self.w.design.scenario.hosts[h]
    }
    pub fn host_name(&self, h: usize) -> &'a str {
        &self.host(h).name
    }
    /// Host `h`'s first NIC: its address and segment.
    pub fn host_primary(&self, h: usize) -> Option<(IpAddr, Option<usize>, String)> {
        let nic = self.host(h).nics.first()?;
        Some((
            nic.ip.addr(),
            self.w.segment_index(&nic.segment),
            nic.name.clone(),
        ))
    }
    /// The external vSwitch bound to `nic` of host `h`, when a network binds it (its
    /// management vNIC then carries the host's address on that vSwitch).
    pub fn nic_vswitch(&self, h: usize, nic: &str) -> Option<String> {
        let host = self.host(h);
        let d = self.d();
        let bound = d.endpoints.iter().any(|e| {
            e.host == Some(h)
                && e.network.is_some_and(|ni| {
                    let n = &d.scenario.networks[ni];
                    n.driver.uses_external_vswitch()
                        && d.network_nic(n, host).is_some_and(|x| x.name == nic)
                })
        }) || d.scenario.networks.iter().any(|n| {
            n.host.as_deref() == Some(host.name.as_str())
                && n.driver.uses_external_vswitch()
                && d.network_nic(n, host).is_some_and(|x| x.name == nic)
        });
        bound.then(|| format!("{}/{}", host.name, nic))
    }
    /// Segment (index), VLAN and vSwitch id an endpoint of an external-vSwitch or
    /// macvlan network enters directly.
    pub fn ep_segment(&self, ep: &Ep) -> Option<(usize, Option<u16>, String, String)> {
        let h = ep.host?;
        let net = &self.d().scenario.networks[ep.net?];
        let host = self.host(h);
        let nic = self.d().network_nic(net, host)?;
        let seg = self.w.segment_index(&nic.segment)?;
        let vs = crate::graph::vswitch_id(self.d(), net, host)?;
        Some((seg, net.vlan_id(), vs, nic.name.clone()))
    }
    pub fn net_name(&self, ep: &Ep) -> &'a str {
        ep.net
            .map(|n| self.d().scenario.networks[n].name.as_str())
            .unwrap_or("?")
    }
}

/// `at` label of a host's vSwitch for a network.
pub fn vswitch_at(cx: &Cx, ep: &Ep) -> String {
    format!(
        "{}/vSwitch {}",
        ep.host.map(|h| cx.host_name(h)).unwrap_or("?"),
        cx.net_name(ep)
    )
}

/// The host node's exits: its own stack, and each NIC onto its segment.
pub fn host_exits(cx: &Cx, h: usize) -> Vec<Exit> {
    let host = cx.host(h);
    let mut out = Vec::new();
    let mut stack = Exit::new(
        At::Stack(h),
        vec![hop(
            format!("{} host stack", host.name),
            Mechanism::HostStack,
            "sent by the host's own IP stack (host compartment)",
            &["ARCH-2"],
        )],
    );
    stack.host_stack = true;
    stack.host = Some(h);
    stack.snat_host = Some(h);
    out.push(stack);
    for nic in &host.nics {
        let Some(seg) = cx.w.segment_index(&nic.segment) else {
            continue;
        };
        let mut e = Exit::new(
            At::Seg { seg, vlan: None },
            vec![hop(
                format!("{} host stack", host.name),
                Mechanism::HostStack,
                format!(
                    "sent from {} out of NIC {} ({})",
                    nic.ip.addr(),
                    nic.name,
                    nic.segment
                ),
                &["ARCH-6"],
            )],
        );
        e.host_stack = true;
        e.host = Some(h);
        e.snat_host = Some(h);
        e.vswitch = cx.nic_vswitch(h, &nic.name);
        out.push(e);
    }
    out
}

/// The host node's entries: its own stack (for its containers) and each NIC address.
/// Windows drops inbound ICMP echo unless the firewall allows it (EXT-5).
pub fn host_entries(cx: &Cx, h: usize, probe: Probe) -> Vec<Entry> {
    let host = cx.host(h);
    let firewall = (probe == Probe::Icmp && !host.allows_inbound_icmp()).then(|| {
        Deny::new(
            DenyReason::FirewallBlocked,
            format!("{} firewall", host.name),
            "Windows Firewall drops inbound ICMPv4 echo unless a rule allows it (firewall.inbound-icmp)",
            &["EXT-5"],
        )
    });
    let deliver = |detail: String| {
        hop(
            format!("{} host stack", host.name),
            Mechanism::Deliver,
            detail,
            &["ARCH-2"],
        )
    };
    let mut out = Vec::new();
    let ip = host.primary_ip();
    let mut stack = Entry::new(
        At::Stack(h),
        AddrT::fixed(AddressKind::HostIp, ip, probe_port(probe)),
        vec![deliver("received by the host's own stack".into())],
    );
    stack.owner_host = Some(h);
    stack.block = firewall.clone();
    stack.host = Some(h);
    out.push(stack);
    for nic in &host.nics {
        let Some(seg) = cx.w.segment_index(&nic.segment) else {
            continue;
        };
        let mut e = Entry::new(
            At::Seg { seg, vlan: None },
            AddrT::fixed(AddressKind::HostIp, Some(nic.ip.addr()), probe_port(probe)),
            vec![deliver(format!(
                "received on NIC {} ({})",
                nic.name,
                nic.ip.addr()
            ))],
        );
        e.owner_host = Some(h);
        e.block = firewall.clone();
        e.vswitch = cx.nic_vswitch(h, &nic.name);
        e.public = is_public(nic.ip.addr());
        e.host = Some(h);
        out.push(e);
    }
    out
}

pub fn client_exits(cx: &Cx, c: usize) -> Vec<Exit> {
    let cl = &cx.d().scenario.clients[c];
    let at_name = format!("client {}", cl.name);
    if cl.internet {
        return vec![Exit::new(
            At::Internet,
            vec![hop(
                at_name,
                Mechanism::Routed,
                "sent from the internet",
                &["MAT-2"],
            )],
        )];
    }
    let Some(seg) = cl.segment.as_ref().and_then(|s| cx.w.segment_index(s)) else {
        let mut e = Exit::new(At::Internet, vec![]);
        e.block = Some(Deny::new(
            DenyReason::NoRoute,
            at_name,
            "the client is on no known segment",
            &["MAT-2"],
        ));
        return vec![e];
    };
    vec![Exit::new(
        At::Seg { seg, vlan: cl.vlan },
        vec![hop(
            at_name,
            Mechanism::HostStack,
            format!(
                "sent from {} on segment {}",
                cl.ip
                    .map(|i| i.to_string())
                    .unwrap_or_else(|| "its address".into()),
                cx.w.segment_name(seg)
            ),
            &["MAT-2"],
        )],
    )]
}

pub fn client_entries(cx: &Cx, c: usize, probe: Probe) -> Vec<Entry> {
    let cl = &cx.d().scenario.clients[c];
    let at_name = format!("client {}", cl.name);
    let listening = match probe {
        Probe::Icmp => true,
        Probe::Tcp(p) => cl
            .listen
            .iter()
            .any(|x| x.port == p && x.proto == hnsim_model::Protocol::Tcp),
        Probe::Udp(p) => cl
            .listen
            .iter()
            .any(|x| x.port == p && x.proto == hnsim_model::Protocol::Udp),
    };
    let deliver = vec![hop(
        &at_name,
        Mechanism::Deliver,
        "received by the client",
        &["MAT-2"],
    )];
    let at = if cl.internet {
        At::Internet
    } else {
        match cl.segment.as_ref().and_then(|s| cx.w.segment_index(s)) {
            Some(seg) => At::Seg { seg, vlan: cl.vlan },
            None => return vec![],
        }
    };
    let mut e = Entry::new(
        at,
        AddrT::fixed(AddressKind::External, cl.ip, probe_port(probe)),
        deliver,
    );
    e.public = cl.internet || cl.ip.is_some_and(is_public);
    if !listening {
        e.block = Some(Deny::new(
            DenyReason::NotListening,
            at_name,
            format!("nothing listens on {probe}"),
            &["MAT-2"],
        ));
    }
    vec![e]
}

pub fn internet_exits() -> Vec<Exit> {
    vec![Exit::new(
        At::Internet,
        vec![hop(
            "internet",
            Mechanism::Routed,
            "sent from an internet address",
            &["MAT-2"],
        )],
    )]
}

pub fn internet_entries(probe: Probe) -> Vec<Entry> {
    let mut e = Entry::new(
        At::Internet,
        AddrT::fixed(AddressKind::External, None, probe_port(probe)),
        vec![hop(
            "internet",
            Mechanism::Deliver,
            "received by the internet server",
            &["MAT-1", "MAT-2"],
        )],
    );
    e.public = true;
    vec![e]
}

/// The destination port of a TCP/UDP probe, which every address of a cell carries
/// (`10.9.0.80:9100`), whatever the kind of destination.
pub fn probe_port(probe: Probe) -> Option<u16> {
    match probe {
        Probe::Icmp => None,
        Probe::Tcp(p) | Probe::Udp(p) => Some(p),
    }
}

/// Joins an exit to an entry: the physical path between them, or why there is none.
/// `None` when the pair is not a way anybody would go (a host's NIC towards an address
/// only its stack routes, a container's WinNAT path to its own host's address): such
/// pairs neither deliver nor explain a denial.
pub fn join(cx: &Cx, exit: &Exit, entry: &Entry) -> Option<Answer> {
    let addr = Some(entry.addr.clone());
    let mut hops = exit.hops.clone();
    if let Some(b) = &exit.block {
        return Some(Answer::denied(addr, hops, b.clone()));
    }
    if let Some(local) = exit.local_subnet {
        let inside = match &entry.addr {
            AddrT::Fixed { ip: Some(ip), .. } => local.contains(ip),
            AddrT::Fixed { ip: None, .. } => false,
            AddrT::ContainerIp { .. } => entry.subnet.is_some_and(|s| {
                local.contains(&s.network()) && local.prefix_len() <= s.prefix_len()
            }),
        };
        if !inside {
            return Some(Answer::denied(
                addr,
                hops,
                Deny::new(
                    DenyReason::NoRoute,
                    exit.hops.first().map(|h| h.at.clone()).unwrap_or_default(),
                    format!("the network has no gateway: without a default route only {local} is reachable"),
                    &["TRANS-2"],
                ),
            ));
        }
    }
    // A container reaches its own host's address through its gateway, not by leaving
    // through the host's NAT and coming back.
    if !exit.host_stack
        && !entry.published
        && exit.snat_host.is_some()
        && exit.snat_host == entry.owner_host
        && !matches!(exit.at, At::Stack(_))
    {
        return None;
    }
    // EXT-12: a macvlan endpoint and its own parent host never talk.
    let parent = exit
        .macvlan_parent
        .filter(|h| entry.owner_host == Some(*h))
        .or(entry.macvlan_parent.filter(|h| exit.snat_host == Some(*h)));
    if let Some(h) = parent {
        return Some(Answer::denied(
            addr,
            hops,
            Deny::new(
                DenyReason::MacvlanParent,
                format!("{} parent interface", cx.host_name(h)),
                "the kernel does not pass traffic between a macvlan sub-interface and its own parent host",
                &["EXT-12", "LNX-4"],
            ),
        ));
    }
    match (exit.at, entry.at) {
        (At::Stack(a), At::Stack(b)) if a == b => {
            if let Some(so) = &entry.stack_only {
                if !exit.host_stack {
                    return Some(Answer::denied(addr, hops, so.same_host.clone()));
                }
            } else if !exit.host_stack && entry.owner_host != Some(a) {
                return None;
            }
        }
        (At::Internet, At::Stack(_)) => return None,
        (_, At::Stack(b)) if exit.host_stack => {
            // Another host's stack towards a container IP only its own host routes.
            return match &entry.stack_only {
                Some(so)
                    if exit.host != Some(b)
                        && matches!(exit.at, At::Stack(_))
                        && (!so.remote_via_host_ip || cx.host(b).nics.is_empty()) =>
                {
                    Some(Answer::denied(addr, hops, so.remote.clone()))
                }
                _ => None,
            };
        }
        // A NAT'd container on that host explains itself through its local exit.
        (At::Seg { .. }, At::Stack(b)) if exit.snat_host == Some(b) => return None,
        (_, At::Stack(b)) => {
            let deny = match &entry.stack_only {
                Some(so) if exit.host == Some(b) => so.same_host.clone(),
                Some(so) if so.remote_via_host_ip && !cx.host(b).nics.is_empty() => return None,
                Some(so) => so.remote.clone(),
                None => return None,
            };
            return Some(Answer::denied(addr, hops, deny));
        }
        (At::Stack(_), _) => return None,
        (At::Seg { seg: s1, vlan: v1 }, At::Seg { seg: s2, vlan: v2 }) => {
            // A container going to a port its own host publishes: hairpin.
            let hairpin = entry.published
                && !exit.host_stack
                && exit.snat_host.is_some()
                && exit.snat_host == entry.owner_host;
            if hairpin {
                return Some(hairpin_answer(cx, exit, entry));
            }
            // A host's own stack to one of its own addresses (a mesh port on itself):
            // looped back, never on the wire.
            if exit.host_stack && exit.host.is_some() && exit.host == entry.owner_host {
                let h = exit.host.unwrap_or(0);
                hops.push(hop(
                    format!("{} host stack", cx.host_name(h)),
                    Mechanism::HostStack,
                    "the destination is one of the host's own addresses: looped back inside the host",
                    &["ARCH-2"],
                ));
                hops.extend(entry.hops.iter().skip(1).cloned());
                return Some(finish_entry(addr, hops, entry));
            }
            let same_vswitch = exit.vswitch.is_some() && exit.vswitch == entry.vswitch;
            if v1 != v2 && (s1 == s2 || same_vswitch) {
                return Some(Answer::denied(
                    addr,
                    hops,
                    Deny::new(
                        DenyReason::VlanMismatch,
                        format!("segment {}", cx.w.segment_name(s1)),
                        format!(
                            "source is in {} and destination in {}: VLANs are isolated at layer 2",
                            vlan_text(v1),
                            vlan_text(v2)
                        ),
                        &["OPT-3"],
                    ),
                ));
            }
            let bridged_already = hops
                .last()
                .is_some_and(|h| h.mechanism == Mechanism::VswitchBridge)
                || entry
                    .hops
                    .first()
                    .is_some_and(|h| h.mechanism == Mechanism::VswitchBridge);
            if same_vswitch && bridged_already {
                // Both ends are on one external vSwitch; the exit or the entry already
                // says so.
            } else if same_vswitch {
                hops.push(hop(
                    format!("vSwitch {}", exit.vswitch.as_deref().unwrap_or("?")),
                    Mechanism::VswitchBridge,
                    "bridged in the external vSwitch (both ends on the same vSwitch)",
                    &["ARCH-1", "TRANS-1"],
                ));
            } else {
                if let Some(off) = exit.offhost.as_ref().or(entry.offhost.as_ref()) {
                    return Some(Answer::denied(addr, hops, off.clone()));
                }
                hops.extend(exit.offhost_hops.iter().cloned());
                if let Some(v) = v1.filter(|_| !cx.w.carries_vlan(s1, v1)) {
                    return Some(Answer::denied(addr, hops, vlan_not_carried(cx, s1, v)));
                }
                if let Some(v) = v2.filter(|_| !cx.w.carries_vlan(s2, v2)) {
                    return Some(Answer::denied(addr, hops, vlan_not_carried(cx, s2, v)));
                }
                let same_host = exit.host.is_some() && exit.host == entry.host;
                if s1 != s2 && same_host && host_on(cx, exit.host, s1) && host_on(cx, exit.host, s2)
                {
                    let h = exit.host.unwrap_or(0);
                    hops.push(hop(
                        format!("{} (container host)", cx.host_name(h)),
                        Mechanism::Routed,
                        format!(
                            "routed via the container host between its NICs on {} and {}",
                            cx.w.segment_name(s1),
                            cx.w.segment_name(s2)
                        ),
                        &["TRANS-6", "MAT-3"],
                    ));
                } else if s1 == s2 {
                    hops.push(hop(
                        format!("segment {}", cx.w.segment_name(s1)),
                        Mechanism::PhysicalSegment,
                        format!("switched on the physical network{}", vlan_suffix(v1)),
                        &["MAT-2"],
                    ));
                } else if cx.w.routes(s1, s2) {
                    hops.push(hop(
                        format!(
                            "gateway {} -> {}",
                            cx.w.segment_name(s1),
                            cx.w.segment_name(s2)
                        ),
                        Mechanism::Routed,
                        format!(
                            "routed from segment {} to segment {}",
                            cx.w.segment_name(s1),
                            cx.w.segment_name(s2)
                        ),
                        &["MAT-2"],
                    ));
                } else {
                    return Some(Answer::denied(
                        addr,
                        hops,
                        Deny::new(
                            DenyReason::NoRoute,
                            format!("segment {}", cx.w.segment_name(s1)),
                            format!(
                                "no gateway routes segment {} to segment {}",
                                cx.w.segment_name(s1),
                                cx.w.segment_name(s2)
                            ),
                            &["MAT-2"],
                        ),
                    ));
                }
                hops.extend(entry.offhost_hops.iter().cloned());
            }
        }
        (At::Seg { seg, vlan }, At::Internet) => {
            if let Some(off) = exit.offhost.as_ref().or(entry.offhost.as_ref()) {
                return Some(Answer::denied(addr, hops, off.clone()));
            }
            hops.extend(exit.offhost_hops.iter().cloned());
            if !cx.w.has_internet(seg) || !cx.w.carries_vlan(seg, vlan) {
                return Some(Answer::denied(
                    addr,
                    hops,
                    Deny::new(
                        DenyReason::NoRoute,
                        format!("segment {}", cx.w.segment_name(seg)),
                        format!(
                            "segment {} has no gateway to the internet{}",
                            cx.w.segment_name(seg),
                            vlan_suffix(vlan)
                        ),
                        &["MAT-1", "MAT-2"],
                    ),
                ));
            }
            hops.push(hop(
                format!("gateway {}", cx.w.segment_name(seg)),
                Mechanism::Routed,
                "routed to the internet by the segment's gateway",
                &["MAT-1", "MAT-2"],
            ));
        }
        (At::Internet, At::Seg { seg, .. }) => {
            if !entry.public || !cx.w.has_internet(seg) {
                return Some(Answer::denied(
                    addr,
                    hops,
                    Deny::new(
                        DenyReason::NoRoute,
                        "internet",
                        format!(
                            "{} is not reachable from the internet (private address, or segment {} has no internet gateway)",
                            addr_text(&entry.addr),
                            cx.w.segment_name(seg)
                        ),
                        &["MAT-2"],
                    ),
                ));
            }
            if let Some(off) = exit.offhost.as_ref().or(entry.offhost.as_ref()) {
                return Some(Answer::denied(addr, hops, off.clone()));
            }
            hops.push(hop(
                format!("gateway {}", cx.w.segment_name(seg)),
                Mechanism::Routed,
                "routed in from the internet by the segment's gateway",
                &["MAT-2"],
            ));
            hops.extend(entry.offhost_hops.iter().cloned());
        }
        (At::Internet, At::Internet) => {
            hops.push(hop(
                "internet",
                Mechanism::Routed,
                "routed across the internet",
                &["MAT-2"],
            ));
        }
    }
    hops.extend(entry.hops.iter().cloned());
    Some(finish_entry(addr, hops, entry))
}

/// The entry's own hops are in `hops`: delivered, or blocked at the entry.
fn finish_entry(addr: Option<AddrT>, mut hops: Vec<Hop>, entry: &Entry) -> Answer {
    if let Some(b) = &entry.block {
        // The entry's own hops up to the block point are already in; drop the final
        // delivery hop, it does not happen.
        if hops
            .last()
            .is_some_and(|h| h.mechanism == Mechanism::Deliver)
        {
            hops.pop();
        }
        return Answer::denied(addr, hops, b.clone());
    }
    Answer::delivered(addr, hops)
}

/// A container reaching a port its own host publishes, through the host's address.
/// WinNAT's hairpin is unreliable (EXT-2): undecided.
///
/// Linux bridge ports: modelled on Docker Engine 20.10-28 with `userland-proxy` on (the
/// default; the model has no setting for it). The nat `DOCKER` chain starts with
/// `-i <bridge> -j RETURN` for every Docker bridge, so a packet from any container to a
/// host address is not DNATed: it reaches the host's INPUT, where docker-proxy listens
/// on the mapping's address and opens its own connection to the container. That never
/// crosses FORWARD, so the DOCKER-ISOLATION rules do not apply and a container on
/// another bridge reaches the port too (EXT-10). This was checked on Docker 20.10.24:
/// bridge A to host-IP:port published by a container on bridge B answered, bridge A to
/// B's container IP timed out, and a port bound to 127.0.0.1 refused the connection.
/// moby/moby#38784 and moby/moby#49577 (Docker 28) describe the same: with the proxy
/// the packet bypasses isolation; with `userland-proxy: false` it is DNATed and dropped
/// by DOCKER-ISOLATION-STAGE-2. An `internal` network has no RETURN rule and drops the
/// DNATed packet (its exits are blocked before this point). The routing mesh's ports
/// (DOCKER-INGRESS) are DNATed in PREROUTING and masqueraded back.
fn hairpin_answer(cx: &Cx, exit: &Exit, entry: &Entry) -> Answer {
    let addr = Some(entry.addr.clone());
    let h = entry.owner_host.unwrap_or(0);
    let mut hops: Vec<Hop> = exit.hops.clone();
    if cx.host(h).is_windows() {
        return Answer::unknown(
            addr,
            hops,
            &format!("{} WinNAT", cx.host_name(h)),
            "hairpin from a container to its own host's IP and published port is unreliable with WinNAT".into(),
            &["EXT-2"],
        );
    }
    if hops
        .last()
        .is_some_and(|x| x.mechanism == Mechanism::Masquerade)
    {
        hops.pop();
    }
    let mut rest = entry.hops.clone();
    if rest
        .first()
        .is_some_and(|x| x.mechanism == Mechanism::HostStack)
    {
        rest.remove(0);
    }
    if entry.proxied {
        if let Some(d) = rest.iter_mut().find(|x| x.mechanism == Mechanism::Dnat) {
            let target = d
                .detail
                .split_once(" -> ")
                .map(|x| x.1)
                .unwrap_or("the container");
            let listen = match &entry.addr {
                AddrT::Fixed { value, .. } => value.clone(),
                AddrT::ContainerIp { .. } => "the published port".into(),
            };
            d.mechanism = Mechanism::HostStack;
            d.at = d.at.replace("iptables", "docker-proxy");
            d.detail = format!(
                "not DNATed (the nat DOCKER chain returns packets from Docker bridges): docker-proxy listening on {listen} connects to {target} from the bridge's gateway address, so no DOCKER-ISOLATION rule applies"
            );
        }
    } else if let Some(d) = rest.iter_mut().find(|x| x.mechanism == Mechanism::Dnat) {
        d.detail
            .push_str(" (hairpin inside the host, source masqueraded so replies return)");
    }
    hops.extend(rest);
    if let Some(b) = &entry.block {
        if hops
            .last()
            .is_some_and(|x| x.mechanism == Mechanism::Deliver)
        {
            hops.pop();
        }
        return Answer::denied(addr, hops, b.clone());
    }
    Answer::delivered(addr, hops)
}

/// Host `h` has a NIC on segment `seg`.
fn host_on(cx: &Cx, h: Option<usize>, seg: usize) -> bool {
    h.is_some_and(|h| {
        cx.host(h)
            .nics
            .iter()
            .any(|n| cx.w.segment_index(&n.segment) == Some(seg))
    })
}

fn addr_text(a: &AddrT) -> String {
    match a {
        AddrT::ContainerIp { .. } => crate::path::DST_IP.to_string(),
        AddrT::Fixed { value, .. } => value.clone(),
    }
}

fn vlan_text(v: Option<u16>) -> String {
    match v {
        Some(v) => format!("VLAN {v}"),
        None => "the untagged (native) VLAN".into(),
    }
}

fn vlan_suffix(v: Option<u16>) -> String {
    v.map(|v| format!(" in VLAN {v}")).unwrap_or_default()
}

fn vlan_not_carried(cx: &Cx, seg: usize, v: u16) -> Deny {
    Deny::new(
        DenyReason::VlanMismatch,
        format!("segment {}", cx.w.segment_name(seg)),
        format!(
            "segment {} does not carry VLAN {v} (trunk-vlans)",
            cx.w.segment_name(seg)
        ),
        &["OPT-3"],
    )
}
