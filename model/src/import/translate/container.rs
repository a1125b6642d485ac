//! `docker run|create|start|stop|rm`: containers, their published and exposed ports
//! (NAT-9), and their run state (a change to a running container is a timeline step).

use super::network::{attachment, parse_network_value};
use super::{TargetHost, Translator};
use crate::finding::Location;
use crate::import::docker_cli::{misplaced_flags, Args};
use crate::port::{PortMapping, PortProto, PortRange, Protocol};
use crate::scenario::*;
use std::net::IpAddr;

/// Upper bound on ports expanded from one `--expose` range, so that `1-65535` cannot
/// blow up the model.
const MAX_EXPOSE: u32 = 1024;

/// A name Docker might have generated, from the image: `mcr.microsoft.com/windows/servercore:ltsc2019` -> `servercore`.
pub(crate) fn image_base(image: &str) -> String {
    let last = image.rsplit('/').next().unwrap_or(image);
    let last = last.split(['@', ':']).next().unwrap_or(last);
    let clean: String = last
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        .collect::<String>()
        .to_ascii_lowercase();
    if clean.is_empty() {
        "container".to_string()
    } else {
        clean
    }
}

impl Translator {
    pub(super) fn container_known(&self, host: &str, name: &str) -> bool {
        self.states
            .contains_key(&(host.to_string(), name.to_string()))
    }

    /// A name for a container `docker run` started without `--name`. Docker picks a
    /// random `adjective_name`; a name from the image is stable and readable.
    pub fn generated_name(&self, h: &TargetHost, base: &str) -> String {
        (1..)
            .map(|n| format!("{base}-{n}"))
            .find(|n| !self.container_known(&h.name, n))
            .unwrap_or_else(|| base.to_string())
    }

    pub fn add_container(&mut self, h: &TargetHost, mut c: Container, src: &Location) {
        // Every container is at least one endpoint: stop before the design is larger
        // than the endpoints limit (a compose file of many large `scale`s).
        if self.states.len() as u64 >= self.limits.endpoints {
            if !self.over_endpoints {
                self.over_endpoints = true;
                let msg = format!(
                    "container `{}` would be one container too many: {}",
                    c.name,
                    self.limits.how_to_raise(&crate::limits::ENDPOINTS)
                );
                self.emit("IMP022", src, msg);
            }
            return;
        }
        if self.container_known(&h.name, &c.name) {
            self.emit(
                "IMP015",
                src,
                format!(
                    "Conflict. The container name \"/{}\" is already in use on host `{}`",
                    c.name, h.name
                ),
            );
            return;
        }
        for a in &c.networks {
            self.reference(h, &a.network, src);
        }
        c.origin.path = src.path.clone();
        self.states
            .insert((h.name.clone(), c.name.clone()), c.state);
        if self.in_timeline(h) {
            self.push_step(Step::Run(c));
        } else {
            self.scenario.containers.push(c);
        }
    }

    pub(super) fn design_container(
        &mut self,
        h: &TargetHost,
        name: &str,
    ) -> Option<&mut Container> {
        self.scenario
            .containers
            .iter_mut()
            .find(|c| c.host == h.name && c.name == name)
    }

    pub(super) fn no_such_container(&mut self, name: &str, src: &Location) {
        self.emit(
            "IMP009",
            src,
            format!("Error response from daemon: No such container: {name}"),
        );
    }

    /// IMP024: flags the model would have read, written where Docker no longer reads
    /// flags (after the image they are the container's command).
    pub(super) fn flags_after_image(
        &mut self,
        image: &str,
        command: &[String],
        verb: &str,
        src: &Location,
    ) {
        let misplaced = misplaced_flags(command, verb == "service create");
        if misplaced.is_empty() {
            return;
        }
        self.emit(
            "IMP024",
            src,
            format!(
                "{} after the image `{image}` is part of the container's command, not a `docker {verb}` flag: ignored, as Docker ignores it",
                misplaced.join(", ")
            ),
        );
    }

    pub(super) fn run(&mut self, h: &TargetHost, a: &Args, create: bool, src: &Location) {
        self.notes(a, src);
        let verb = if create { "create" } else { "run" };
        let Some(image) = a.positionals.first().cloned() else {
            self.emit(
                "IMP008",
                src,
                format!("\"docker {verb}\" requires at least 1 argument."),
            );
            return;
        };
        self.flags_after_image(&image, &a.positionals[1..], verb, src);
        let name = match a.value("name") {
            Some(n) => n,
            None => {
                let n = self.generated_name(h, &image_base(&image));
                self.emit(
                    "IMP011",
                    src,
                    format!("no --name: the container is called `{n}` here (Docker would pick a random name)"),
                );
                n
            }
        };
        let mut networks = Vec::new();
        let mut shares = None;
        for v in a.values("network") {
            if v == "default" {
                continue;
            }
            if let Some(other) = v.strip_prefix("container:") {
                shares = Some(other.to_string());
                continue;
            }
            match parse_network_value(&v) {
                Ok(att) => networks.push(att),
                Err(e) => self.emit("IMP008", src, e),
            }
        }
        let ip = a.value("ip");
        let aliases = a.values("network-alias");
        if (ip.is_some() || !aliases.is_empty()) && networks.is_empty() {
            if !h.windows {
                self.emit(
                    "IMP008",
                    src,
                    if ip.is_some() {
                        "user specified IP address is supported on user defined networks only"
                    } else {
                        "network-scoped alias is supported only for containers in user defined networks"
                    },
                );
            }
            networks.push(attachment(default_network_name(h.windows)));
        }
        if let Some(addr) = self.address(ip, "IPv4", src) {
            networks[0].ip = Some(addr);
        }
        if let Some(first) = networks.first_mut() {
            first.aliases.extend(aliases);
        }
        let ip6 = self.address(a.value("ip6"), "IPv6", src);
        let mut ports = Vec::new();
        for p in a.values("publish") {
            match p.parse::<PortMapping>() {
                Ok(m) => ports.push(m),
                Err(e) => self.emit("IMP008", src, format!("invalid -p `{p}`: {e}")),
            }
        }
        let mut expose = Vec::new();
        for e in a.values("expose") {
            self.expose_into(&e, &mut expose, src);
        }
        let isolation = match a.value("isolation").as_deref() {
            Some("hyperv") => Isolation::Hyperv,
            Some("process" | "default") | None => Isolation::Process,
            Some(other) => {
                self.emit(
                    "IMP008",
                    src,
                    format!("invalid isolation `{other}`: use process or hyperv"),
                );
                Isolation::Process
            }
        };
        let c = Container {
            name: name.clone(),
            host: h.name.clone(),
            image: Some(image),
            isolation,
            networks,
            ip: None,
            ports,
            publish_all: a.is_set("publish-all"),
            expose,
            listen: vec![],
            state: if create {
                RunState::Created
            } else {
                RunState::Running
            },
            untrusted: false,
            link: a.values("link"),
            add_host: a.values("add-host"),
            dns_opt: a.values("dns-opt"),
            dns_search: a.values("dns-search"),
            ip6,
            service: None,
            origin: Origin::default(),
        };
        match shares {
            Some(other) => self.share_stack(h, c, &other, src),
            None => self.add_container(h, c, src),
        }
    }

    /// `--network container:OTHER` (compose `network_mode: service:` / `container:`):
    /// the container joins OTHER's network namespace
    /// (compartment on Windows). It has no endpoint or address of its own: what it
    /// listens on is reached at OTHER's addresses, and its flows are OTHER's flows, so
    /// its ports are added to OTHER's and no node is made for it. Docker refuses `-p`
    /// with this mode, and OTHER must exist.
    pub(crate) fn share_stack(
        &mut self,
        h: &TargetHost,
        c: Container,
        other: &str,
        src: &Location,
    ) {
        if !c.ports.is_empty() || c.publish_all {
            self.emit(
                "IMP008",
                src,
                "conflicting options: port publishing and the container type network mode",
            );
            return;
        }
        let own_ports: Vec<PortProto> = c.expose.iter().chain(&c.listen).copied().collect();
        let Some(target) = self.design_container(h, other) else {
            if self
                .states
                .contains_key(&(h.name.clone(), other.to_string()))
            {
                // Created by a later step of a timeline: its state is not known here.
                self.emit(
                    "IMP005",
                    src,
                    format!("`--network container:{other}` of a container created in a timeline step is not modelled"),
                );
            } else {
                self.no_such_container(other, src);
            }
            return;
        };
        for p in &own_ports {
            if !target.expose.contains(p) {
                target.expose.push(*p);
            }
        }
        let ports = if own_ports.is_empty() {
            String::new()
        } else {
            let list: Vec<String> = own_ports.iter().map(ToString::to_string).collect();
            format!(
                ": its ports ({}) are reached at `{other}`'s addresses",
                list.join(", ")
            )
        };
        self.emit(
            "IMP023",
            src,
            format!(
                "`{}` shares the network stack of `{other}` and has no address of its own{ports}",
                c.name
            ),
        );
        self.states
            .insert((h.name.clone(), c.name.clone()), c.state);
    }

    pub fn expose_into(&mut self, text: &str, out: &mut Vec<PortProto>, src: &Location) {
        let (range, proto) = match text.split_once('/') {
            Some((r, p)) => (r, p.parse::<Protocol>()),
            None => (text, Ok(Protocol::Tcp)),
        };
        match (range.parse::<PortRange>(), proto) {
            (Ok(r), Ok(proto)) => {
                if r.count() > MAX_EXPOSE {
                    self.emit(
                        "IMP005",
                        src,
                        format!("--expose {text}: only the first {MAX_EXPOSE} ports of the range are modelled"),
                    );
                }
                for port in (r.start..=r.end).take(MAX_EXPOSE as usize) {
                    out.push(PortProto { proto, port });
                }
            }
            (Err(e), _) => self.emit("IMP008", src, format!("invalid --expose `{text}`: {e}")),
            (_, Err(e)) => self.emit("IMP008", src, format!("invalid --expose `{text}`: {e}")),
        }
    }

    /// The run state of container `name` on the host, or `None` once Docker's "No such
    /// container" is reported (IMP009).
    pub(super) fn known_state(
        &mut self,
        h: &TargetHost,
        name: &str,
        src: &Location,
    ) -> Option<RunState> {
        let state = self
            .states
            .get(&(h.name.clone(), name.to_string()))
            .copied();
        if state.is_none() {
            self.no_such_container(name, src);
        }
        state
    }

    /// `value` as an address, or `None` once Docker's "invalid IPv4 address" (of
    /// `family`) is reported (IMP008).
    pub(super) fn address(
        &mut self,
        value: Option<String>,
        family: &str,
        src: &Location,
    ) -> Option<IpAddr> {
        let v = value?;
        let parsed = v.parse::<IpAddr>().ok();
        if parsed.is_none() {
            self.emit("IMP008", src, format!("invalid {family} address: {v}"));
        }
        parsed
    }

    /// `docker start|stop|rm NAME...`: `act` on each named container that exists, with
    /// its state as the commands before left it (each unknown name is reported).
    fn each_named(
        &mut self,
        h: &TargetHost,
        a: &Args,
        src: &Location,
        mut act: impl FnMut(&mut Self, &String, RunState),
    ) {
        self.notes(a, src);
        for name in &a.positionals {
            if let Some(state) = self.known_state(h, name, src) {
                act(self, name, state);
            }
        }
    }

    pub(super) fn start(&mut self, h: &TargetHost, a: &Args, src: &Location) {
        self.each_named(h, a, src, |t, name, state| {
            if state == RunState::Running {
                return;
            }
            t.states
                .insert((h.name.clone(), name.clone()), RunState::Running);
            if !t.in_timeline(h) {
                if let Some(c) = t.design_container(h, name) {
                    c.state = RunState::Running;
                    return;
                }
            }
            t.push_step(Step::Start(name.clone()));
        });
    }

    pub(super) fn stop(&mut self, h: &TargetHost, a: &Args, src: &Location) {
        self.each_named(h, a, src, |t, name, state| {
            if state != RunState::Running {
                return;
            }
            t.states
                .insert((h.name.clone(), name.clone()), RunState::Stopped);
            t.enter_timeline(h);
            let n = t.push_step(Step::Stop(name.clone()));
            t.emit(
                "IMP010",
                src,
                format!("stopping `{name}` is recorded as timeline step {n}"),
            );
        });
    }

    pub(super) fn rm(&mut self, h: &TargetHost, a: &Args, src: &Location) {
        let force = a.is_set("force");
        self.each_named(h, a, src, |t, name, state| {
            if state == RunState::Running && !force {
                t.emit(
                    "IMP008",
                    src,
                    format!("Error response from daemon: You cannot remove a running container {name}. Stop the container before attempting removal or force remove"),
                );
                return;
            }
            t.states.remove(&(h.name.clone(), name.clone()));
            if !t.in_timeline(h) && state != RunState::Running {
                let before = t.scenario.containers.len();
                t.scenario
                    .containers
                    .retain(|c| !(c.host == h.name && &c.name == name));
                if t.scenario.containers.len() != before {
                    return;
                }
            }
            t.enter_timeline(h);
            let n = t.push_step(Step::Remove(name.clone()));
            t.emit(
                "IMP010",
                src,
                format!("removing `{name}` is recorded as timeline step {n}"),
            );
        });
    }
}
