//! The LAN a plain commands / compose / daemon.json file leaves out.
//!
//! Such a file says nothing about the machine Docker runs on, yet every real Docker host
//! has a NIC on a LAN with a router to the internet. A host without NICs would make the
//! matrix say that nothing reaches the internet and that a published port is reachable
//! from nowhere, which is not the design the user wrote. So a one-host import gets an
//! assumed uplink, chosen from what the commands say about the physical network:
//!
//! - a transparent, l2bridge, macvlan or ipvlan network created with `--subnet` and
//!   `--gateway` sits on the physical network (TRANS-2, L2B-2, LNX-4), so its subnet and
//!   gateway are the LAN's, and its `windowsshim.interface` / `parent` names the NIC
//!   (OPT-2);
//! - a transparent network without a subnet, or one a container joins without `--ip`,
//!   takes its addresses from the LAN's DHCP server (TRANS-2), so the assumed LAN has one;
//! - otherwise the LAN is 192.168.1.0/24 (or the first of a few private /24s that
//!   overlaps no network of the file), gateway .1, routed to the internet.
//!
//! The host takes the first free address from .10 and a client `lan-client` the first
//! free one from .50, so that published ports (NAT-8) show in the matrix. The objects are
//! marked implicit and [`super::expand`] reports them (IMP019), so the user knows to
//! describe the real LAN in a scenario.

use crate::driver::Driver;
use crate::resolve::nth_host;
use crate::scenario::*;
use ipnet::IpNet;
use std::collections::HashSet;
use std::net::IpAddr;

/// Name of the assumed LAN segment (the first one; more NICs get `lan2`, ...).
pub const SEGMENT: &str = "lan";
/// Name of the assumed client on that LAN.
pub const CLIENT: &str = "lan-client";

const CANDIDATES: &[&str] = &[
    "192.168.1.0/24",
    "10.0.0.0/24",
    "192.168.100.0/24",
    "10.254.0.0/24",
    "192.0.2.0/24",
];

fn implicit(path: String) -> Origin {
    Origin {
        path,
        implicit: true,
    }
}

/// Drivers whose endpoints sit on the physical network behind a host NIC.
fn on_the_wire(d: &Driver) -> bool {
    matches!(
        d,
        Driver::Transparent | Driver::L2bridge | Driver::Macvlan | Driver::Ipvlan
    )
}

/// Adds the assumed LAN, the host's NIC(s) on it and a LAN client to `original` (the
/// one-host scenario before expansion) when its host has no NIC. `expanded` is the same
/// scenario with its commands / compose / daemon.json translated.
pub fn assume(original: &mut Scenario, expanded: &Scenario) {
    let Some(host) = original.hosts.first() else {
        return;
    };
    if !host.nics.is_empty() || !original.segments.is_empty() {
        return;
    }
    let windows = host.is_windows();
    let default_nic = if windows { "Ethernet" } else { "eth0" };
    let mut used: HashSet<IpAddr> = HashSet::new();
    for n in &expanded.networks {
        used.extend(n.gateway);
        used.extend(n.aux_address.values().copied());
    }
    for c in &expanded.containers {
        used.extend(c.networks.iter().filter_map(|a| a.ip));
    }
    for s in &expanded.steps {
        if let Step::Run(c) = s {
            used.extend(c.networks.iter().filter_map(|a| a.ip));
        }
        if let Step::Connect(c) = s {
            used.extend(c.ip);
        }
    }
    let wire: Vec<&Network> = expanded
        .networks
        .iter()
        .chain(expanded.steps.iter().filter_map(|s| match s {
            Step::CreateNetwork(n) => Some(n),
            _ => None,
        }))
        .filter(|n| on_the_wire(&n.driver))
        .collect();

    // Transparent networks some container joins without `--ip`: with or without
    // `--subnet`, HNS leaves such an endpoint to the LAN's DHCP server (the seed's own
    // walkthrough runs one; docker/for-win#2985 shows DHCP answering even where `--ip`
    // was given), so a file that attaches one expects the LAN to have a DHCP server.
    let mut dynamic_on: HashSet<&str> = HashSet::new();
    let run_steps = expanded.steps.iter().filter_map(|s| match s {
        Step::Run(c) => Some(c),
        _ => None,
    });
    for c in expanded.containers.iter().chain(run_steps) {
        for (i, a) in c.networks.iter().enumerate() {
            if a.ip.is_none() && (i > 0 || c.ip.is_none()) {
                dynamic_on.insert(a.network.as_str());
            }
        }
    }
    for s in &expanded.steps {
        if let Step::Connect(c) = s {
            if c.ip.is_none() {
                dynamic_on.insert(c.network.as_str());
            }
        }
    }

    // One NIC per interface the on-the-wire networks name; the unnamed ones use the
    // first NIC, as Docker does.
    let mut nic_names: Vec<String> = vec![default_nic.to_string()];
    for n in &wire {
        if let Some(i) = n.interface() {
            if !nic_names.iter().any(|x| x == i) {
                nic_names.push(i.to_string());
            }
        }
    }
    let taken: Vec<IpNet> = expanded
        .networks
        .iter()
        .flat_map(|n| n.subnet.0.iter().copied())
        .chain(expanded.hosts.iter().filter_map(|h| h.docker.fixed_cidr))
        .collect();
    let fallback: IpNet = CANDIDATES
        .iter()
        .filter_map(|c| c.parse::<IpNet>().ok())
        .find(|c| !taken.iter().any(|t| t.contains(c) || c.contains(t)))
        .unwrap_or_else(|| CANDIDATES[0].parse().expect("constant prefix"));

    // What each NIC's networks say about the wire it plugs into.
    struct Wire {
        physical: Option<(IpNet, Option<IpAddr>)>,
        dhcp: bool,
        vlans: Vec<u16>,
    }
    let wires: Vec<Wire> = nic_names
        .iter()
        .map(|nic_name| {
            let bound: Vec<&&Network> = wire
                .iter()
                .filter(|n| n.interface().unwrap_or(default_nic) == nic_name)
                .collect();
            let physical = bound.iter().find_map(|n| {
                let subnet = n.subnet.0.iter().find(|s| matches!(s, IpNet::V4(_)))?;
                Some((
                    subnet.trunc(),
                    n.gateway.or_else(|| nth_host(&subnet.trunc(), 0)),
                ))
            });
            let dhcp = bound.iter().any(|n| {
                n.driver == Driver::Transparent
                    && (n.subnet.0.is_empty() || dynamic_on.contains(n.name.as_str()))
            });
            let mut vlans: Vec<u16> = bound.iter().filter_map(|n| n.vlan_id()).collect();
            vlans.sort_unstable();
            vlans.dedup();
            Wire {
                physical,
                dhcp,
                vlans,
            }
        })
        .collect();
    // The first NIC is on the LAN; a NIC whose networks name no other subnet plugs into
    // the same LAN, which takes the first physical subnet any network names.
    // `docker swarm init --advertise-addr 10.0.1.11` says the host's own address.
    let advertised = advertise_addr(&host.commands);
    let advertised_lan = advertised.and_then(|ip| {
        let net = IpNet::new(ip, 24).ok()?.trunc();
        let gateway = nth_host(&net, 0).filter(|g| *g != ip);
        Some((net, gateway))
    });
    let lan_physical = wires[0]
        .physical
        .or_else(|| wires.iter().find_map(|w| w.physical))
        .filter(|(net, _)| advertised.is_none_or(|ip| net.contains(&ip)))
        .or(advertised_lan)
        .unwrap_or((fallback, nth_host(&fallback, 0)));
    let mut segments: Vec<Segment> = Vec::new();
    let mut nics: Vec<Nic> = Vec::new();
    for (k, (nic_name, w)) in nic_names.iter().zip(&wires).enumerate() {
        let physical = w.physical.unwrap_or(lan_physical);
        let segment_name = if physical.0 == lan_physical.0 {
            SEGMENT.to_string()
        } else {
            format!("{SEGMENT}{}", k + 1)
        };
        let index = match segments.iter().position(|s| s.name == segment_name) {
            Some(i) => i,
            None => {
                segments.push(Segment {
                    name: segment_name.clone(),
                    subnet: physical.0,
                    gateway: physical.1,
                    dhcp: false,
                    used: vec![],
                    trunk_vlans: vec![],
                    internet: true,
                    origin: implicit(String::new()),
                });
                segments.len() - 1
            }
        };
        let seg = &mut segments[index];
        seg.dhcp |= w.dhcp;
        for v in &w.vlans {
            if !seg.trunk_vlans.contains(v) {
                seg.trunk_vlans.push(*v);
            }
        }
        if let Some(gw) = seg.gateway {
            used.insert(gw);
        }
        let subnet = seg.subnet;
        let own = advertised.filter(|ip| k == 0 && subnet.contains(ip) && used.insert(*ip));
        let Some(ip) = own.or_else(|| free_from(&subnet, 9, &mut used)) else {
            continue;
        };
        let Ok(ip) = IpNet::new(ip, subnet.prefix_len()) else {
            continue;
        };
        nics.push(Nic {
            name: nic_name.clone(),
            ip,
            segment: segment_name,
            trunk: !w.vlans.is_empty(),
        });
    }
    if nics.is_empty() {
        return;
    }
    let lan = segments[0].subnet;
    let client_ip = free_from(&lan, 49, &mut used);
    let host = &mut original.hosts[0];
    host.nics = nics;
    original.segments = segments;
    if client_ip.is_some() && !original.clients.iter().any(|c| c.name == CLIENT) {
        original.clients.push(Client {
            name: CLIENT.to_string(),
            segment: Some(SEGMENT.to_string()),
            ip: client_ip,
            vlan: None,
            internet: false,
            listen: vec![],
            origin: implicit(String::new()),
        });
    }
}

/// The IPv4 address of `--advertise-addr` (or `--listen-addr`) in a host's commands.
fn advertise_addr(commands: &[String]) -> Option<IpAddr> {
    commands.iter().find_map(|c| {
        let words: Vec<&str> = c.split_whitespace().collect();
        words.iter().enumerate().find_map(|(i, w)| {
            let value = ["--advertise-addr", "--listen-addr"]
                .iter()
                .find_map(|flag| match w.strip_prefix(flag) {
                    Some(rest) if rest.starts_with('=') => Some(rest[1..].to_string()),
                    Some("") => words.get(i + 1).map(|v| v.to_string()),
                    _ => None,
                })?;
            let host = value.rsplit_once(':').map(|(h, _)| h).unwrap_or(&value);
            host.trim_matches(|c| c == '"' || c == '\'')
                .parse::<std::net::Ipv4Addr>()
                .ok()
                .map(IpAddr::V4)
        })
    })
}

/// The first address of `subnet` from host number `from` on that nobody uses.
fn free_from(subnet: &IpNet, from: u64, used: &mut HashSet<IpAddr>) -> Option<IpAddr> {
    (from..from + 4096)
        .chain(0..from)
        .filter_map(|n| nth_host(subnet, n))
        .find(|ip| used.insert(*ip))
}

/// What [`assume`] added, said in one sentence for IMP019.
pub fn describe(s: &Scenario) -> Option<String> {
    let seg = s.segments.iter().find(|g| g.origin.implicit)?;
    let host = s.hosts.first()?;
    let nics: Vec<String> = host
        .nics
        .iter()
        .map(|n| format!("`{}` {} on segment `{}`", n.name, n.ip, n.segment))
        .collect();
    let gateway = seg
        .gateway
        .map(|g| format!(", gateway {g}"))
        .unwrap_or_default();
    let dhcp = if seg.dhcp { ", a DHCP server" } else { "" };
    let client = s
        .clients
        .iter()
        .find(|c| c.origin.implicit)
        .and_then(|c| Some(format!(" and a LAN client `{}` at {}", c.name, c.ip?)))
        .unwrap_or_default();
    Some(format!(
        "the input does not describe host `{}`'s network: assumed NIC {} (LAN {}{}{}, routed to the internet){}",
        host.name,
        nics.join(", "),
        seg.subnet,
        gateway,
        dhcp,
        client
    ))
}
