//! `docker network create|rm|connect|disconnect`: networks, and a container's
//! attachments to them (OPT-7 decides whether a change is design or timeline).

use super::{TargetHost, Translator};
use crate::driver::Driver;
use crate::finding::Location;
use crate::import::docker_cli::Args;
use crate::scenario::*;
use ipnet::IpNet;
use std::net::IpAddr;

pub(super) fn attachment(network: &str) -> Attachment {
    Attachment {
        network: network.to_string(),
        ip: None,
        aliases: vec![],
    }
}

/// Parses `--network` / `--network name=x,alias=y,ip=z` (Docker 25+ advanced syntax).
pub(super) fn parse_network_value(v: &str) -> Result<Attachment, String> {
    if !v.contains('=') {
        return Ok(attachment(v));
    }
    let mut a = attachment("");
    for part in v.split(',') {
        let (k, val) = part.split_once('=').unwrap_or((part, ""));
        match k.trim() {
            "name" => a.network = val.to_string(),
            "alias" => a.aliases.push(val.to_string()),
            "ip" => {
                a.ip = Some(
                    val.parse()
                        .map_err(|_| format!("invalid IPv4 address: {val}"))?,
                )
            }
            _ => {}
        }
    }
    if a.network.is_empty() {
        return Err(format!("invalid network `{v}`: `name=` is missing"));
    }
    Ok(a)
}

impl Translator {
    /// moby's network create refuses a subnet with host bits: "invalid subnet %s : it
    /// should be %s". A malformed value, so the importer says it (IMP008); what the
    /// platform refuses is the validator's to judge.
    pub fn check_subnets(&mut self, n: &Network, src: &Location) {
        for subnet in &n.subnet.0 {
            if *subnet != subnet.trunc() {
                self.emit(
                    "IMP008",
                    src,
                    format!(
                        "network `{}`: invalid subnet {subnet} : it should be {}",
                        n.name,
                        subnet.trunc()
                    ),
                );
            }
        }
    }

    /// Adds a network to the design, or as a step once the host's timeline started.
    pub fn add_network(&mut self, h: &TargetHost, mut net: Network, src: &Location) {
        let host_for_check = net.host.clone().unwrap_or_else(|| h.name.clone());
        if self.network_exists(&host_for_check, &net.name) {
            self.emit(
                "IMP015",
                src,
                format!("network with name {} already exists", net.name),
            );
            return;
        }
        net.origin.path = src.path.clone();
        if self.in_timeline(h) {
            self.push_step(Step::CreateNetwork(net));
        } else {
            self.scenario.networks.push(net);
        }
    }

    pub(super) fn network_create(&mut self, h: &TargetHost, a: &Args, src: &Location) {
        self.notes(a, src);
        let [name] = a.positionals.as_slice() else {
            self.emit(
                "IMP008",
                src,
                "\"docker network create\" requires exactly 1 argument.",
            );
            return;
        };
        // Without -d: `bridge` on Linux; on Windows the platform's default network
        // driver, `nat` (NAT-1, NAT-4), as `docker network create NAME` gives there.
        let driver = a
            .value("driver")
            .map(|d| Driver::parse(&d))
            .unwrap_or(if h.windows {
                Driver::Nat
            } else {
                Driver::Bridge
            });
        let mut net = Network {
            host: Some(h.name.clone()),
            attachable: a.is_set("attachable"),
            internal: a.is_set("internal"),
            ipv6: a.is_set("ipv6"),
            ipam_driver: a.value("ipam-driver").filter(|d| d != "default"),
            ..Network::named(name, driver)
        };
        for s in a.values("subnet") {
            match s.parse::<IpNet>() {
                Ok(n) => net.subnet.0.push(n),
                Err(_) => self.emit("IMP008", src, format!("invalid CIDR address: {s}")),
            }
        }
        let gateways = a.values("gateway");
        for g in &gateways {
            match g.parse::<IpAddr>() {
                Ok(ip) if net.gateway.is_none() => net.gateway = Some(ip),
                Ok(_) => self.emit(
                    "IMP005",
                    src,
                    format!("gateway {g} of a second subnet is not modelled; only the first gateway is kept"),
                ),
                Err(_) => self.emit("IMP008", src, format!("invalid gateway address: {g}")),
            }
        }
        if net.subnet.0.is_empty() && (!gateways.is_empty() || a.value("ip-range").is_some()) {
            self.emit(
                "IMP008",
                src,
                "every ip-range or gateway must have a corresponding subnet",
            );
        }
        if let Some(r) = a.value("ip-range") {
            match r.parse::<IpNet>() {
                Ok(n) => net.ip_range = Some(n),
                Err(_) => self.emit("IMP008", src, format!("invalid CIDR address: {r}")),
            }
        }
        for aux in a.values("aux-address") {
            match aux.split_once('=').map(|(k, v)| (k, v.parse::<IpAddr>())) {
                Some((k, Ok(ip))) => {
                    net.aux_address.insert(k.to_string(), ip);
                }
                _ => self.emit(
                    "IMP008",
                    src,
                    format!("invalid auxiliary address `{aux}`: expected NAME=IP"),
                ),
            }
        }
        for o in a.values("opt") {
            let (k, v) = o.split_once('=').unwrap_or((o.as_str(), ""));
            net.options.insert(k.to_string(), v.to_string());
        }
        for o in a.values("ipam-opt") {
            let (k, v) = o.split_once('=').unwrap_or((o.as_str(), ""));
            net.ipam_opt.insert(k.to_string(), v.to_string());
        }
        match a.value("scope").as_deref() {
            None => {}
            Some("local") => net.scope = Some(Scope::Local),
            Some("swarm" | "global") => net.scope = Some(Scope::Swarm),
            Some(other) => self.emit(
                "IMP008",
                src,
                format!("invalid scope `{other}`: use local or swarm"),
            ),
        }
        // OVL-1: an overlay network is swarm-scoped, created on a manager, and exists on
        // every node that runs a task attached to it.
        if net.driver == Driver::Overlay && net.scope != Some(Scope::Local) {
            net.host = None;
            self.swarm_manager_check(h, &format!("network `{name}`"), src);
        }
        self.check_subnets(&net, src);
        self.add_network(h, net, src);
    }

    pub(super) fn two_positionals(
        &mut self,
        a: &Args,
        cmd: &str,
        src: &Location,
    ) -> Option<(String, String)> {
        match a.positionals.as_slice() {
            [n, c] => Some((n.clone(), c.clone())),
            _ => {
                self.emit(
                    "IMP008",
                    src,
                    format!("\"docker network {cmd}\" requires exactly 2 arguments."),
                );
                None
            }
        }
    }

    /// The network and the container `docker network connect|disconnect NETWORK
    /// CONTAINER` names, with the container's state; `None` once what Docker refuses
    /// (a missing argument, an unknown container) is reported.
    fn network_and_container(
        &mut self,
        h: &TargetHost,
        a: &Args,
        cmd: &str,
        src: &Location,
    ) -> Option<(String, String, RunState)> {
        self.notes(a, src);
        let (network, container) = self.two_positionals(a, cmd, src)?;
        let state = self.known_state(h, &container, src)?;
        Some((network, container, state))
    }

    pub(super) fn network_connect(&mut self, h: &TargetHost, a: &Args, src: &Location) {
        let Some((network, container, state)) = self.network_and_container(h, a, "connect", src)
        else {
            return;
        };
        self.reference(h, &network, src);
        let ip = self.address(a.value("ip"), "IPv4", src);
        let links = a.values("link");
        let aliases = a.values("alias");
        let ip6 = a.value("ip6").and_then(|v| v.parse::<IpAddr>().ok());
        let running = state == RunState::Running;
        let in_design = !self.in_timeline(h) && !running;
        let default_exists = self.default_network_exists(h);
        let windows = h.windows;
        if in_design {
            if let Some(c) = self.design_container(h, &container) {
                if c.networks.iter().any(|x| x.network == network) {
                    let msg = format!(
                        "endpoint with name {container} already exists in network {network}"
                    );
                    self.emit("IMP015", src, msg);
                    return;
                }
                if c.networks.is_empty() && default_exists {
                    c.networks.push(attachment(default_network_name(windows)));
                }
                c.networks.push(Attachment {
                    network,
                    ip,
                    aliases,
                });
                c.link.extend(links);
                c.ip6 = c.ip6.or(ip6);
                return;
            }
        }
        // A timeline step has no place for `--link` / `--ip6`, so the validator cannot
        // see them: say here, under the validator's code, what Windows refuses (OPT-6).
        if windows {
            let lost = [(!links.is_empty(), "--link"), (ip6.is_some(), "--ip6")];
            for (_, flag) in lost.iter().filter(|(present, _)| *present) {
                let msg = format!(
                    "container `{container}` on Windows host `{}` uses `{flag}`, which Windows does not support",
                    h.name
                );
                self.emit(crate::rules::CONTAINER_OPTION.code, src, msg);
            }
        }
        self.enter_timeline(h);
        let n = self.push_step(Step::Connect(ConnectStep {
            container: container.clone(),
            network: network.clone(),
            ip,
        }));
        let why = if running && windows {
            "; Windows cannot add a network adapter to a running container (OPT-7): stop it first"
        } else {
            ""
        };
        self.emit(
            "IMP010",
            src,
            format!("`docker network connect {network} {container}` on a running container is recorded as timeline step {n}{why}"),
        );
    }

    pub(super) fn network_disconnect(&mut self, h: &TargetHost, a: &Args, src: &Location) {
        let Some((network, container, state)) = self.network_and_container(h, a, "disconnect", src)
        else {
            return;
        };
        let default_name = default_network_name(h.windows);
        if !self.in_timeline(h) && state != RunState::Running {
            if let Some(c) = self.design_container(h, &container) {
                let before = c.networks.len();
                let implicit_default = before == 0 && network == default_name;
                c.networks.retain(|x| x.network != network);
                if implicit_default {
                    c.networks.push(attachment("none"));
                } else if c.networks.len() == before {
                    let msg =
                        format!("container {container} is not connected to network {network}");
                    self.emit("IMP009", src, msg);
                } else if c.networks.is_empty() {
                    c.networks.push(attachment("none"));
                }
                return;
            }
        }
        self.enter_timeline(h);
        let n = self.push_step(Step::Disconnect(ConnectStep {
            container: container.clone(),
            network: network.clone(),
            ip: None,
        }));
        self.emit(
            "IMP010",
            src,
            format!("`docker network disconnect {network} {container}` is recorded as timeline step {n}"),
        );
    }

    pub(super) fn network_rm(&mut self, h: &TargetHost, a: &Args, src: &Location) {
        self.notes(a, src);
        if a.positionals.is_empty() {
            self.emit(
                "IMP008",
                src,
                "\"docker network rm\" requires at least 1 argument.",
            );
            return;
        }
        for name in &a.positionals {
            if !self.network_exists(&h.name, name) {
                self.emit(
                    "IMP009",
                    src,
                    format!("Error response from daemon: network {name} not found"),
                );
                continue;
            }
            let swarm = self
                .scenario
                .networks
                .iter()
                .chain(self.scenario.steps.iter().filter_map(|s| match s {
                    Step::CreateNetwork(n) => Some(n),
                    _ => None,
                }))
                .any(|n| &n.name == name && n.host.is_none());
            if self.in_timeline(h) {
                let n = self.push_step(Step::RemoveNetwork(NetworkRef {
                    name: name.clone(),
                    host: (!swarm).then(|| h.name.clone()),
                }));
                self.emit(
                    "IMP010",
                    src,
                    format!("`docker network rm {name}` is recorded as timeline step {n} (OPT-8)"),
                );
                continue;
            }
            let busy: Vec<String> = self
                .scenario
                .containers
                .iter()
                .filter(|c| {
                    c.is_running()
                        && (swarm || c.host == h.name)
                        && c.networks.iter().any(|x| &x.network == name)
                })
                .map(|c| c.name.clone())
                .collect();
            if !busy.is_empty() {
                self.emit(
                    "IMP014",
                    src,
                    format!(
                        "error while removing network: network {name} has active endpoints ({})",
                        busy.join(", ")
                    ),
                );
                continue;
            }
            self.scenario
                .networks
                .retain(|n| !(&n.name == name && n.host.as_deref().is_none_or(|x| x == h.name)));
        }
    }
}
