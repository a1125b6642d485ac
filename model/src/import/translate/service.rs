//! `docker service create|scale`: swarm services (OVL-1, DNS-1).

use super::container::image_base;
use super::network::parse_network_value;
use super::{TargetHost, Translator};
use crate::finding::Location;
use crate::import::docker_cli::Args;
use crate::port::{PortMapping, PortRange, Protocol};
use crate::scenario::*;
use std::net::IpAddr;

/// `published=8080,target=80,protocol=udp,mode=host` (docker service / compose long form).
pub(crate) fn parse_long_port(v: &str) -> Result<(PortMapping, Option<String>), String> {
    let mut target = None;
    let mut published = None;
    let mut proto = Protocol::Tcp;
    let mut mode = None;
    let mut host_ip = None;
    for part in v.split(',') {
        let (k, val) = part.split_once('=').unwrap_or((part, ""));
        match k.trim() {
            "target" => target = Some(val.parse::<PortRange>().map_err(|e| e.to_string())?),
            "published" => published = Some(val.parse::<PortRange>().map_err(|e| e.to_string())?),
            "protocol" => {
                proto = val
                    .parse()
                    .map_err(|e: crate::port::PortError| e.to_string())?
            }
            "mode" => mode = Some(val.to_string()),
            "host_ip" => {
                host_ip = Some(
                    val.parse::<IpAddr>()
                        .map_err(|_| format!("invalid host IP `{val}`"))?,
                )
            }
            other => return Err(format!("unknown port option `{other}`")),
        }
    }
    let container_port = target.ok_or_else(|| format!("`{v}`: `target=` is missing"))?;
    Ok((
        PortMapping {
            host_ip,
            host_port: published,
            container_port,
            proto,
        },
        mode,
    ))
}

impl Translator {
    pub fn add_service(&mut self, h: &TargetHost, mut s: Service, src: &Location) {
        if self.scenario.services.iter().any(|x| x.name == s.name) {
            self.emit(
                "IMP015",
                src,
                format!(
                    "service `{}`: name conflicts with an existing object",
                    s.name
                ),
            );
            return;
        }
        for a in &s.networks {
            self.reference(h, &a.network, src);
        }
        if self.in_timeline(h) {
            self.emit(
                "IMP010",
                src,
                format!(
                    "service `{}` is created after the timeline started; the timeline has no service step, so it is part of the initial design",
                    s.name
                ),
            );
        }
        s.origin.path = src.path.clone();
        self.scenario.services.push(s);
    }

    pub(super) fn service_create(&mut self, h: &TargetHost, a: &Args, src: &Location) {
        self.notes(a, src);
        let Some(image) = a.positionals.first().cloned() else {
            self.emit(
                "IMP008",
                src,
                "\"docker service create\" requires at least 1 argument.",
            );
            return;
        };
        self.flags_after_image(&image, &a.positionals[1..], "service create", src);
        let name = a.value("name").unwrap_or_else(|| {
            let base = image_base(&image);
            let name = (1..)
                .map(|n| format!("{base}-{n}"))
                .find(|n| !self.scenario.services.iter().any(|s| &s.name == n))
                .unwrap_or(base);
            name
        });
        if a.value("name").is_none() {
            self.emit(
                "IMP011",
                src,
                format!("no --name: the service is called `{name}` here (Docker would pick a random name)"),
            );
        }
        self.swarm_manager_check(h, &format!("service `{name}`"), src);
        let replicas = match a.value("replicas") {
            Some(r) => match r.parse::<u32>() {
                Ok(n) => self
                    .within_replicas_limit(n, &format!("--replicas of service `{name}`"), src)
                    .unwrap_or(1),
                Err(_) => {
                    self.emit(
                        "IMP008",
                        src,
                        format!("invalid argument \"{r}\" for \"--replicas\" flag"),
                    );
                    1
                }
            },
            None => 1,
        };
        if a.value("mode").is_some_and(|m| m == "global") {
            self.emit(
                "IMP005",
                src,
                "`--mode global` (one task per node) is not modelled; modelled as replicated with --replicas",
            );
        }
        let mut networks = Vec::new();
        for v in a.values("network") {
            match parse_network_value(&v) {
                Ok(att) => networks.push(att),
                Err(e) => self.emit("IMP008", src, e),
            }
        }
        let mut ports = Vec::new();
        let mut listen = Vec::new();
        for p in a.values("publish") {
            let parsed = if p.contains('=') {
                parse_long_port(&p)
            } else {
                p.parse::<PortMapping>()
                    .map(|m| (m, None))
                    .map_err(|e| e.to_string())
            };
            match parsed {
                // `mode=host` binds the port on the node that runs the task, not in the
                // routing mesh: the task listens on it (on the host network that is the
                // whole of it, LNX-2), and no ingress endpoint is made for it.
                Ok((m, Some(mode))) if mode == "host" => {
                    self.emit(
                        "IMP005",
                        src,
                        format!("`--publish {p}`: host-mode publishing is not modelled: the tasks listen on the port, no routing-mesh port is published"),
                    );
                    listen.extend(m.container_ports());
                }
                Ok((m, _)) => ports.push(m),
                Err(e) => self.emit("IMP008", src, format!("invalid --publish `{p}`: {e}")),
            }
        }
        // A `listen` list replaces the default (the published container ports).
        if !listen.is_empty() {
            for m in &ports {
                listen.extend(m.container_ports());
            }
        }
        let isolation = if a.value("isolation").as_deref() == Some("hyperv") {
            Isolation::Hyperv
        } else {
            Isolation::Process
        };
        let s = Service {
            networks,
            ports,
            listen,
            isolation,
            ..Service::new(name, replicas)
        };
        self.add_service(h, s, src);
    }

    pub(super) fn service_scale(&mut self, a: &Args, src: &Location) {
        self.notes(a, src);
        for p in &a.positionals {
            let Some((name, n)) = p.split_once('=') else {
                self.emit(
                    "IMP008",
                    src,
                    format!("invalid scale specifier '{p}': expected SERVICE=REPLICAS"),
                );
                continue;
            };
            let Ok(n) = n.parse::<u32>() else {
                self.emit("IMP008", src, format!("invalid replicas value {n}"));
                continue;
            };
            let what = format!("`docker service scale {p}`");
            let Some(n) = self.within_replicas_limit(n, &what, src) else {
                continue;
            };
            match self.scenario.services.iter_mut().find(|s| s.name == name) {
                Some(s) => s.replicas = n,
                None => self.emit("IMP009", src, format!("service {name} not found")),
            }
        }
    }
}
