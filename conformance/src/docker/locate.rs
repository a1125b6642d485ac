//! Where a party's probes leave from on the engine, and what a design target is there:
//! container addresses as Docker gave them, the scenario host's addresses as the run's
//! stand-in, published ports as Docker published them. Every address probed belongs
//! to one of the run's own networks, or is the machine's loopback on a port the run
//! published.

use super::build::Realized;
use super::plan::NetMode;
use crate::dataplane::{Resolved, Source};
use crate::docker::planning;
use crate::target::{Party, Target, Via};
use hnsim_model::{Design, Protocol};
use std::collections::BTreeSet;

/// The source key of the engine's host itself (the host and host-network containers
/// probe from the machine's namespace).
pub const HOST: &str = "";

fn realized_host(r: &Realized, design: &Design) -> Option<usize> {
    r.plan.host.filter(|&h| h < design.scenario.hosts.len())
}

pub fn source(r: &Realized, design: &Design, party: &Party) -> Result<Source, String> {
    match *party {
        Party::Endpoint {
            container,
            attachment,
        } => {
            let c = planning::sender(&r.plan, design, container, attachment)?;
            Ok(Source(match c.mode {
                NetMode::Host => HOST.to_string(),
                _ => c.name.clone(),
            }))
        }
        Party::Host(k) if Some(k) == realized_host(r, design) => Ok(Source(HOST.into())),
        Party::Host(k) => match r.outside.as_ref().and_then(|o| o.hosts.get(k)) {
            Some(placed) => placed.clone().map(Source),
            None => Err(format!(
                "host `{}` is another machine; this run built no LAN for it",
                planning::host_name(design, k).unwrap_or("?")
            )),
        },
        Party::Client(j) => match &r.outside {
            Some(o) => o
                .clients
                .get(j)
                .cloned()
                .unwrap_or_else(|| Err("no such client".into()))
                .map(Source),
            None => Err(
                "LAN clients are other machines; this run built no LAN (it needs root on Linux)"
                    .into(),
            ),
        },
        Party::Internet => match &r.outside {
            Some(o) => o.internet.clone().map(Source),
            None => Err(
                "the internet is not emulated: this run built no LAN (it needs root on Linux)"
                    .into(),
            ),
        },
    }
}

/// Whether container `ci` has an endpoint on a macvlan network whose parent here is a
/// wire of the run, not the emulated LAN: its cells with LAN clients, other hosts and
/// the internet cannot be asked faithfully.
fn on_macvlan(r: &Realized, ci: usize) -> bool {
    r.plan.container(ci).is_some_and(|c| {
        matches!(&c.mode, NetMode::Bridges(a)
        if a.iter().any(|a| {
            let n = &r.plan.networks[a.net];
            n.macvlan_parent.is_some() && !n.parent_on_lan
        }))
    })
}

const MACVLAN_OFF_LAN: &str = "the macvlan parent is a wire of the run, not the emulated LAN \
     its clients and the internet are on";

/// Refuses a target between the outside and a macvlan container (either way).
fn outside_meets_macvlan(
    r: &Realized,
    design: &Design,
    from: &Source,
    target: &Target,
) -> Result<(), String> {
    let from_outside = super::lan::is_outside_source(&from.0);
    let to_container = match target.via {
        Via::Endpoint { container, .. } => Some(container),
        Via::Published { mapping, .. } => design.published.get(mapping).map(|m| m.container),
        _ => None,
    };
    if from_outside && to_container.is_some_and(|ci| on_macvlan(r, ci)) {
        return Err(format!("destination: {MACVLAN_OFF_LAN}"));
    }
    let to_outside = match target.via {
        Via::Client(_) | Via::Internet => true,
        Via::Host { host, .. } => Some(host) != realized_host(r, design),
        _ => false,
    };
    let from_container = r
        .plan
        .containers
        .iter()
        .find(|c| c.name == from.0)
        .map(|c| c.index);
    if to_outside && from_container.is_some_and(|ci| on_macvlan(r, ci)) {
        return Err(format!("source: {MACVLAN_OFF_LAN}"));
    }
    Ok(())
}

/// What `target` is on the engine; `listeners` are the machine's own listening ports.
pub fn resolve(
    r: &Realized,
    design: &Design,
    from: &Source,
    target: &Target,
    listeners: &BTreeSet<(Protocol, u16)>,
) -> Result<Resolved, String> {
    let probe_proto = protocol(target.probe);
    let stand_in = r
        .plan
        .host_addr()
        .ok_or("the run has no host stand-in address")?;
    let dest = |why: String| format!("destination: {why}");
    let on_realized_host =
        |k: usize| planning::on_realized_host(design, realized_host(r, design), k).map_err(dest);
    let model = target.ip;
    outside_meets_macvlan(r, design, from, target)?;
    let from_outside = super::lan::is_outside_source(&from.0);
    // From the LAN the host is reached on its NIC's stand-in only.
    let lan_host_ip = |m: Option<std::net::IpAddr>| {
        let lan = r.plan.lan.as_ref().ok_or("the run has no LAN")?;
        m.and_then(|m| lan.host_ip(m))
            .ok_or_else(|| dest("this address of the host is not on the emulated LAN".into()))
    };
    let (ip, port) = match target.via {
        // This machine's own services answer on its loopback, whatever the design says.
        Via::Loopback { .. } => {
            return Err(dest(
                "localhost of the engine's machine is not probed: its own services answer there"
                    .into(),
            ))
        }
        Via::Endpoint {
            container,
            attachment,
        } => {
            planning::endpoint(&r.plan, design, container, attachment).map_err(dest)?;
            let c = r.plan.container(container).ok_or("not realized")?;
            if c.mode == NetMode::Host {
                match (probe_proto, target.port) {
                    (Some(proto), Some(port)) => {
                        if c.bind.is_empty() || listeners.contains(&(proto, port)) {
                            return Err(dest(
                                "a host-network container serves this port only on the \
                                 host's LAN stand-in, and this machine has none or listens on \
                                 the port itself"
                                    .into(),
                            ));
                        }
                        (stand_in, Some(port))
                    }
                    _ => (stand_in, None),
                }
            } else {
                let ip =
                    planning::endpoint_ip(&r.ips, container, attachment, "Docker").map_err(dest)?;
                (ip, target.port)
            }
        }
        Via::Published { mapping, host } => {
            on_realized_host(host)?;
            let real =
                planning::published_port(&r.plan, design, &r.ports, (mapping, target.port), dest)?;
            let ip = match model {
                Some(ip) if ip.is_loopback() && from.0 == HOST => ip,
                // Ports are published on the host's first NIC's stand-in only.
                m if from_outside => {
                    let ip = lan_host_ip(m)?;
                    if ip != stand_in {
                        return Err(dest(
                            "the run publishes ports on the host's first NIC only".into(),
                        ));
                    }
                    ip
                }
                _ => stand_in,
            };
            (ip, Some(real))
        }
        // Another host is a machine of the run's LAN: its NIC's address, moved with
        // its segment.
        Via::Host { host, .. } if Some(host) != realized_host(r, design) => {
            r.outside
                .as_ref()
                .and_then(|o| o.hosts.get(host))
                .ok_or_else(|| {
                    dest(format!(
                        "host `{}` is another machine",
                        planning::host_name(design, host).unwrap_or("?")
                    ))
                })?
                .clone()
                .map_err(dest)?;
            let ip = model
                .and_then(|m| r.plan.lan.as_ref()?.translate(m))
                .ok_or_else(|| dest("the address is on no emulated segment".into()))?;
            (ip, target.port)
        }
        Via::Host { host, nic } => {
            on_realized_host(host)?;
            if let (Some(proto), Some(port)) = (probe_proto, target.port) {
                if listeners.contains(&(proto, port)) {
                    return Err(format!(
                        "{proto}/{port} is not published by the run and this machine itself \
                         listens on it"
                    ));
                }
            }
            // A NIC is asked at its LAN stand-in from outside; a gateway (a host
            // without NICs) at its place on the run's network, which nothing outside
            // has a route to.
            let ip = if from_outside && nic.is_some() {
                lan_host_ip(model)?
            } else {
                model.and_then(|m| r.plan.translate(m)).unwrap_or(stand_in)
            };
            (ip, target.port)
        }
        Via::Mesh { .. } => {
            return Err(
                "swarm's routing mesh needs swarm mode (--backend swarm); the run does not \
                 change the engine's swarm state"
                    .into(),
            )
        }
        Via::Client(j) => {
            let o = r
                .outside
                .as_ref()
                .ok_or_else(|| dest("outside this machine; this run built no LAN".into()))?;
            o.clients
                .get(j)
                .cloned()
                .unwrap_or_else(|| Err("no such client".into()))
                .map_err(dest)?;
            let ip = o
                .client_ips
                .get(j)
                .copied()
                .flatten()
                .ok_or_else(|| dest("the client has no address".into()))?;
            (ip, target.port)
        }
        Via::Internet => {
            let ip = r
                .outside
                .as_ref()
                .and_then(|o| o.internet_ip)
                .ok_or_else(|| dest("outside this machine; this run built no LAN".into()))?;
            (ip, target.port)
        }
    };
    // The machine's loopback only on a port the run published (`127.0.0.1:P:C`).
    let published_loopback = ip.is_loopback() && matches!(target.via, Via::Published { .. });
    if !(r.plan.owns(ip) || published_loopback) {
        return Err(format!(
            "refused: {ip} is not an address of the run's networks"
        ));
    }
    Ok(Resolved::for_model(model, ip, port))
}

/// The probe's protocol.
pub fn protocol(p: hnsim_sim::Probe) -> Option<Protocol> {
    match p {
        hnsim_sim::Probe::Icmp => None,
        hnsim_sim::Probe::Tcp(_) => Some(Protocol::Tcp),
        hnsim_sim::Probe::Udp(_) => Some(Protocol::Udp),
    }
}
