//! From a resolved [`Design`] to the Docker objects of one run on a Windows engine.
//! Pure: the engine and the machine come in as [`EngineFacts`] and [`Machine`].
//!
//! What differs from Linux, and why:
//! - no `--sysctl` (Windows has none; the agent pings through iphlpapi);
//! - `-p HOST:CONTAINER` without a host address, one host port per mapping: Windows
//!   refuses a host IP and host port ranges in NAT mappings (EXT-7, moby's
//!   `ConvertPortBindings`); a range is published port by port;
//! - every network is attached before the container starts: no hot add (OPT-7);
//! - the default `nat` network is the engine's own (NAT-1): used, never created or
//!   removed;
//! - inbound ICMPv4 is allowed by a firewall rule of the run when the scenario's host
//!   allows it, and the rule is removed with the run (EXT-5);
//! - the scenario host's address is the machine's own (the adapter with the default
//!   route): published ports open there, as they would on the modelled host.
//!
//! nat networks are realized. transparent and l2bridge bind an external vSwitch to an
//! adapter: only one the scenario names (`windowsshim.interface`) that exists and does
//! not carry the machine's default route, since moving that adapter under a vSwitch
//! cuts the machine (a CI runner) off for a while. Other drivers need what one host
//! cannot give (overlay: swarm; l2tunnel: SDN), and their cells are `not-emulated`.

use super::engine::{Machine, AGENT};
use crate::docker::cli;
use crate::docker::plan::docker_name;
use crate::docker::planning::{self, Realizes};
use hnsim_model::{Design, Driver, Protocol, RunState};
use std::collections::BTreeMap;
use std::net::IpAddr;

/// A network of the run.
#[derive(Clone, Debug, PartialEq)]
pub struct WinNet {
    /// Index into `design.scenario.networks`.
    pub network: usize,
    /// The Docker name.
    pub name: String,
    /// The engine's default `nat` network: used as it is.
    pub existing: bool,
    /// `docker network create ...` (empty for an existing network).
    pub create: Vec<String>,
}

/// One attachment: a network of the run and a static address.
#[derive(Clone, Debug, PartialEq)]
pub struct WinAttach {
    /// Index into [`WindowsPlan::networks`].
    pub net: usize,
    pub attachment: usize,
    pub ip: Option<IpAddr>,
}

/// One `-p` of a container.
#[derive(Clone, Debug, PartialEq)]
pub struct WinPublish {
    /// `None`: the engine picks (`-p C`, NAT-9).
    pub host_port: Option<u16>,
    pub container_port: u16,
    pub proto: Protocol,
    /// The host port the model gives, for translating cell addresses.
    pub model_host_port: u16,
}

impl WinPublish {
    pub fn arg(&self) -> String {
        let proto = planning::publish_proto(self.proto);
        match self.host_port {
            Some(h) => format!("{h}:{}{proto}", self.container_port),
            None => format!("{}{proto}", self.container_port),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct WinContainer {
    /// Index into `design.scenario.containers`.
    pub index: usize,
    pub name: String,
    /// Empty: `--network none`.
    pub attach: Vec<WinAttach>,
    pub publish: Vec<WinPublish>,
    pub tcp: Vec<u16>,
    pub udp: Vec<u16>,
    pub state: RunState,
}

/// The inbound ICMPv4 rule of the run (EXT-5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FirewallRule {
    /// `New-NetFirewallRule -Name`: the run prefix, so `hnsim clean` finds it.
    pub name: String,
}

impl FirewallRule {
    pub fn add_script(&self) -> String {
        format!(
            "New-NetFirewallRule -Name '{0}' -DisplayName '{0}' -Direction Inbound \
             -Protocol ICMPv4 -IcmpType 8 -Action Allow -Profile Any | Out-Null",
            self.name
        )
    }
    pub fn remove_script(&self) -> String {
        remove_rules_script(&self.name)
    }
}

/// Removes every firewall rule whose name starts with `prefix` (an `hnsim-` prefix).
pub fn remove_rules_script(prefix: &str) -> String {
    format!(
        "Get-NetFirewallRule -Name '{prefix}*' -ErrorAction SilentlyContinue | \
         Remove-NetFirewallRule"
    )
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct WindowsPlan {
    pub prefix: String,
    /// The probe image's name.
    pub image: String,
    /// The realized host (index into `design.scenario.hosts`).
    pub host: usize,
    /// The machine's address, standing for the scenario host's.
    pub host_ip: Option<IpAddr>,
    pub networks: Vec<WinNet>,
    pub containers: Vec<WinContainer>,
    pub firewall: Option<FirewallRule>,
    pub container_not_emulated: BTreeMap<usize, String>,
    pub endpoint_not_emulated: BTreeMap<(usize, usize), String>,
    pub notes: Vec<String>,
}

impl WindowsPlan {
    pub fn container(&self, index: usize) -> Option<&WinContainer> {
        self.realized(index)
    }
}

planning::impl_realizes!(WindowsPlan, WinContainer);

/// The host this run realizes: `wanted`, else the first Windows host with a container.
pub fn choose_host(design: &Design, wanted: Option<&str>) -> Result<usize, String> {
    planning::choose_host(
        design,
        wanted,
        |h| {
            (!h.is_windows()).then(|| {
                format!(
                    "host `{}` is a Linux host and this engine runs Windows containers",
                    h.name
                )
            })
        },
        |h| h.is_windows(),
        "the scenario has no Windows host; this engine runs Windows containers",
    )
}

/// Why a network of `driver` is not realized, if it is not.
fn not_realized(design: &Design, ni: usize, machine: &Machine) -> Option<String> {
    let net = &design.scenario.networks[ni];
    match net.driver {
        Driver::Nat => None,
        Driver::None => None,
        Driver::Transparent | Driver::L2bridge => {
            let Some(adapter) = net.interface() else {
                return Some(format!(
                    "{} binds an external vSwitch to the machine's adapter; name a spare \
                     one with com.docker.network.windowsshim.interface (the default \
                     adapter carries the machine's own connection)",
                    net.driver
                ));
            };
            match machine.adapters.iter().find(|a| a.name == adapter) {
                None => Some(format!("adapter `{adapter}` is not on this machine")),
                Some(a) if a.default_route => Some(format!(
                    "adapter `{adapter}` carries the machine's default route; binding a \
                     vSwitch to it would cut the machine off"
                )),
                Some(_) => None,
            }
        }
        Driver::Overlay => Some(
            "overlay needs swarm mode (OVL-1); the run does not change the engine's swarm \
             state"
                .into(),
        ),
        Driver::L2tunnel => Some("l2tunnel needs Microsoft SDN (a network controller)".into()),
        ref other => Some(format!("driver {other} is not realized on Windows engines")),
    }
}

fn network_create(design: &Design, ni: usize, name: &str, prefix: &str) -> Vec<String> {
    let net = &design.scenario.networks[ni];
    let mut a: Vec<String> = vec![
        "network".into(),
        "create".into(),
        "-d".into(),
        net.driver.to_string(),
        "--label".into(),
        format!("{}={}", cli::LABEL, prefix),
    ];
    for s in &net.subnet.0 {
        a.push(format!("--subnet={s}"));
    }
    if let Some(g) = net.gateway {
        a.push(format!("--gateway={g}"));
    }
    for (k, v) in &net.options {
        a.extend(["-o".into(), format!("{k}={v}")]);
    }
    if let Some(v) = net.vlan {
        if net.option(hnsim_model::shim::VLANID).is_none() {
            a.extend(["-o".into(), format!("{}={v}", hnsim_model::shim::VLANID)]);
        }
    }
    a.push(name.to_string());
    a
}

/// Plans the run on host `host`.
pub fn plan(design: &Design, prefix: &str, host: usize, machine: &Machine) -> WindowsPlan {
    let s = &design.scenario;
    let host_name = planning::host_name(design, host).unwrap_or_default();
    let mut p = WindowsPlan {
        prefix: prefix.to_string(),
        image: format!("{prefix}probe:latest"),
        host,
        host_ip: machine.host_ip(),
        ..WindowsPlan::default()
    };
    let mut net_of: BTreeMap<usize, usize> = BTreeMap::new();
    let mut why_not: BTreeMap<usize, String> = BTreeMap::new();
    for (ni, net) in s.networks.iter().enumerate() {
        let here = net.host.as_deref() == Some(host_name);
        // Swarm-scoped networks (no host) are on every node; their reason is kept.
        if !(here || net.host.is_none()) || net.driver == Driver::None {
            continue;
        }
        if let Some(why) = not_realized(design, ni, machine) {
            why_not.insert(ni, why);
            continue;
        }
        if !here {
            continue;
        }
        let existing = net.origin.implicit && net.driver == Driver::Nat;
        let name = if existing {
            net.name.clone()
        } else {
            docker_name(prefix, &net.name)
        };
        net_of.insert(ni, p.networks.len());
        p.networks.push(WinNet {
            network: ni,
            create: if existing {
                Vec::new()
            } else {
                network_create(design, ni, &name, prefix)
            },
            name,
            existing,
        });
    }
    if s.hosts.get(host).is_some_and(|h| h.allows_inbound_icmp()) {
        p.firewall = Some(FirewallRule {
            name: format!("{prefix}icmp"),
        });
        p.notes.push(format!(
            "inbound ICMPv4 echo is allowed by the firewall rule `{prefix}icmp` for the run \
             (the scenario's host allows it, EXT-5)"
        ));
    }
    let one_host = "one Windows engine is one host";
    for (ci, c) in
        planning::containers_on(design, host_name, one_host, &mut p.container_not_emulated)
    {
        let mut attach = Vec::new();
        let mut none = false;
        for ep in design.endpoints_of(ci) {
            let Some(ni) = ep.network else {
                p.endpoint_not_emulated
                    .insert((ci, ep.attachment), "the network does not exist".into());
                continue;
            };
            if s.networks[ni].driver == Driver::None {
                none = true;
                continue;
            }
            match net_of.get(&ni) {
                Some(&pi) => attach.push(WinAttach {
                    net: pi,
                    attachment: ep.attachment,
                    ip: c.networks.get(ep.attachment).and_then(|a| a.ip),
                }),
                None => {
                    let why = why_not.get(&ni).cloned().unwrap_or_else(|| {
                        format!("network `{}` is not realized", s.networks[ni].name)
                    });
                    p.endpoint_not_emulated.insert((ci, ep.attachment), why);
                }
            }
        }
        if attach.is_empty() && !none {
            p.container_not_emulated.insert(
                ci,
                format!("container `{}` has no network this run realizes", c.name),
            );
            continue;
        }
        let (tcp, udp) = planning::listen_ports(c);
        let mut publish = Vec::new();
        for m in design.published_of(ci) {
            if m.forward.proto == Protocol::Sctp {
                continue;
            }
            if let Some(ip) = m.forward.host_ip {
                p.notes.push(format!(
                    "`{}`: the mapping bound to {ip} is not published: Windows refuses a \
                     host address in a port mapping (EXT-7)",
                    c.name
                ));
                continue;
            }
            let cp = m.forward.container_ports;
            for port in cp.start..=cp.end {
                let Some(model) = m.host_port_for(port) else {
                    continue;
                };
                publish.push(WinPublish {
                    host_port: (!m.ephemeral).then_some(model),
                    container_port: port,
                    proto: m.forward.proto,
                    model_host_port: model,
                });
            }
        }
        p.containers.push(WinContainer {
            index: ci,
            name: docker_name(prefix, &c.name),
            attach,
            publish,
            tcp,
            udp,
            state: c.state,
        });
    }
    if p.containers.iter().any(|c| !c.publish.is_empty()) {
        if let Some(ip) = p.host_ip {
            p.notes.push(format!(
                "published ports open on this machine's address {ip}, which stands for the \
                 scenario host's (Windows publishes on every host address, EXT-7)"
            ));
        }
    }
    p
}

/// `docker create ...` of a container: its first network (`--network none` when it
/// has none), its static address, its published ports, the agent serving its ports.
pub fn create_args(p: &WindowsPlan, c: &WinContainer) -> Vec<String> {
    let mut a = planning::create_head(&c.name, &p.prefix);
    match c.attach.first() {
        Some(first) => {
            a.extend(["--network".into(), p.networks[first.net].name.clone()]);
            if let Some(ip) = first.ip {
                a.extend(["--ip".into(), ip.to_string()]);
            }
        }
        None => a.extend(["--network".into(), "none".into()]),
    }
    for pp in &c.publish {
        a.extend(["-p".into(), pp.arg()]);
    }
    a.push(p.image.clone());
    a.extend([AGENT.into(), "probe".into(), "serve".into()]);
    let join = |v: &[u16]| v.iter().map(u16::to_string).collect::<Vec<_>>().join(",");
    if !c.tcp.is_empty() {
        a.extend(["--tcp".into(), join(&c.tcp)]);
    }
    if !c.udp.is_empty() {
        a.extend(["--udp".into(), join(&c.udp)]);
    }
    a
}

/// `docker network connect ...` for the container's other networks, run before it
/// starts (OPT-7).
pub fn connect_args(p: &WindowsPlan, c: &WinContainer) -> Vec<Vec<String>> {
    c.attach
        .iter()
        .skip(1)
        .map(|at| {
            let mut a: Vec<String> = vec!["network".into(), "connect".into()];
            if let Some(ip) = at.ip {
                a.extend(["--ip".into(), ip.to_string()]);
            }
            a.extend([p.networks[at.net].name.clone(), c.name.clone()]);
            a
        })
        .collect()
}
