//! Where a party's probes leave from on a Windows engine, and what a design target is
//! there. Pure over the realized run: container addresses as HNS gave them, the
//! scenario host as this machine (its own address, or loopback for the host's own
//! `localhost` probes of published ports), published ports as Docker published them.
//! Nothing is sent anywhere else: not to LAN machines or the internet, which the run
//! does not control.

use super::plan::WindowsPlan;
use crate::dataplane::{Resolved, Source};
use crate::docker::planning;
use crate::target::{Party, Target, Via};
use hnsim_model::{Design, Protocol};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};

/// The source key of the machine itself (the scenario host).
pub const HOST: &str = "";

/// A realized state of the design on a Windows engine.
#[derive(Clone, Debug, Default)]
pub struct Realized {
    pub plan: WindowsPlan,
    /// (container, attachment) -> the address HNS gave.
    pub ips: HashMap<(usize, usize), IpAddr>,
    /// (protocol, the model's host port) -> the host port Docker published.
    pub ports: HashMap<(Protocol, u16), u16>,
    pub notes: Vec<String>,
}

pub fn source(r: &Realized, design: &Design, party: &Party) -> Result<Source, String> {
    match *party {
        Party::Endpoint {
            container,
            attachment,
        } => {
            let c = planning::sender(&r.plan, design, container, attachment)?;
            Ok(Source(c.name.clone()))
        }
        Party::Host(k) if k == r.plan.host => Ok(Source(HOST.into())),
        Party::Host(k) => Err(format!(
            "host `{}` is another machine; one Windows engine is one host",
            planning::host_name(design, k).unwrap_or("?")
        )),
        Party::Client(_) => {
            Err("LAN clients are other machines; the run sends nothing from them".into())
        }
        Party::Internet => Err("the internet is not a source the run controls".into()),
    }
}

/// What `target` is on the machine.
pub fn resolve(
    r: &Realized,
    design: &Design,
    from: &Source,
    target: &Target,
) -> Result<Resolved, String> {
    let dest = |why: String| format!("destination: {why}");
    let host_ip = r
        .plan
        .host_ip
        .ok_or("the machine's own address is unknown")?;
    let this_host =
        |k: usize| planning::on_realized_host(design, Some(r.plan.host), k).map_err(dest);
    let (ip, port) = match target.via {
        // A Windows host has no `host` network to share its stack with (LNX-1).
        Via::Loopback { .. } => {
            return Err(dest("no container shares a Windows host's stack".into()))
        }
        Via::Endpoint {
            container,
            attachment,
        } => {
            planning::endpoint(&r.plan, design, container, attachment).map_err(dest)?;
            let ip = planning::endpoint_ip(&r.ips, container, attachment, "HNS").map_err(dest)?;
            (ip, target.port)
        }
        Via::Published { mapping, host } => {
            this_host(host)?;
            let real =
                planning::published_port(&r.plan, design, &r.ports, (mapping, target.port), dest)?;
            let ip = match target.ip {
                // The host's own `localhost`: WinNAT's mapping seen from the host (EXT-2).
                Some(ip) if ip.is_loopback() && from.0 == HOST => IpAddr::V4(Ipv4Addr::LOCALHOST),
                _ => host_ip,
            };
            (ip, Some(real))
        }
        Via::Host { host, .. } => {
            this_host(host)?;
            if target.port.is_some() {
                return Err(dest(
                    "the host's own services are not run: only its stack answers (ICMP)".into(),
                ));
            }
            (host_ip, None)
        }
        Via::Mesh { .. } => {
            return Err(
                "swarm's routing mesh needs swarm mode; the run does not change the \
                 engine's swarm state"
                    .into(),
            )
        }
        Via::Client(_) | Via::Internet => {
            return Err(dest(
                "outside this machine; the run sends nothing to machines it does not control"
                    .into(),
            ))
        }
    };
    let ours = ip == host_ip || ip.is_loopback() || r.ips.values().any(|x| *x == ip);
    if !ours {
        return Err(format!("refused: {ip} is not an address of the run"));
    }
    let note = match target.ip {
        Some(m) if m != ip => Some(format!("model address {m} is {ip} here")),
        _ => None,
    };
    Ok(Resolved {
        note,
        ..Resolved::at(ip, port)
    })
}
