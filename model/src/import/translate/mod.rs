//! Typed docker commands -> scenario objects, in command order.
//!
//! # Design state and timeline
//!
//! A host's commands describe first how things were built and then, often, what was done
//! to them. The translator keeps a per-host *design phase*: `docker network create`,
//! `docker run`/`create`, `docker network rm` of an earlier network, and `docker
//! network connect`/`disconnect`/`start` on a container that is not running (created or
//! stopped) are folded into the initial design, exactly as the state Docker would be in.
//! The first command that changes a *running* container (`network connect`/`disconnect`
//! to it, `stop`, `rm -f`) or restarts a service (`Restart-Service hns|docker`) ends
//! the design phase on that host: it and every later command of the host become timeline
//! [`Step`]s, so that OPT-7 (no hot add of a network adapter to a running Windows
//! container) and the order of later commands stay visible to the validator and the
//! simulator instead of being silently folded into the initial state.
//!
//! The translator translates; the validator judges. Options Windows refuses are carried
//! into the model fields that exist for them, objects are never dropped because of them,
//! and the validator reports each once (HNS050-HNS053, HNS061-HNS063) at the option. The
//! importer reports only what the input itself gets wrong (a malformed command or value,
//! a name that does not exist) and what no model field can carry.

use super::codes;
use super::docker_cli::{Args, Command, Effect};
use crate::finding::{Finding, Location};
use crate::limits::Limits;
use crate::scenario::*;
use std::collections::{HashMap, HashSet};

mod container;
mod host;
mod network;
mod service;

pub(crate) use container::image_base;
pub(crate) use service::parse_long_port;

/// The host a command runs on.
#[derive(Clone, Debug)]
pub(crate) struct TargetHost {
    pub index: usize,
    pub name: String,
    pub windows: bool,
}

/// A reference to a network, checked once every host's input was translated (a worker's
/// commands may name an overlay network the manager, listed later, creates).
struct NetRef {
    host: String,
    network: String,
    src: Location,
}

/// How an object's model fields are spelt in the input: (model field, input key), both
/// relative to the object (`link` is `links` in a compose service).
#[derive(Default)]
pub(crate) struct Spellings(Vec<(String, String)>);

impl Spellings {
    pub fn of<'p>(pairs: impl IntoIterator<Item = (&'p str, &'p str)>) -> Self {
        Spellings(
            pairs
                .into_iter()
                .map(|(field, key)| (field.to_string(), key.to_string()))
                .collect(),
        )
    }
    pub fn add(&mut self, field: impl Into<String>, key: impl Into<String>) {
        self.0.push((field.into(), key.into()));
    }
    /// Renames a recorded model field (`subnet[0]` -> `subnet` for a single subnet).
    pub fn rename_field(&mut self, from: &str, to: &str) {
        for (field, _) in self.0.iter_mut().filter(|(f, _)| f == from) {
            *field = to.to_string();
        }
    }
}

pub(crate) struct Translator {
    pub scenario: Scenario,
    pub findings: Vec<Finding>,
    timeline: HashSet<String>,
    states: HashMap<(String, String), RunState>,
    refs: Vec<NetRef>,
    /// The command being translated.
    current: Option<Location>,
    /// Where paths the input does not spell were written: each step a command produced
    /// (`steps[i]`, so that a finding about it points at its command line), each line of
    /// a multi-line command entry (`hosts[0].commands[0].lines[1]`).
    pub written_at: Vec<Location>,
    /// Model field paths and the input paths they were written at, where the two differ
    /// (a compose key); see [`crate::source_map::SourceMap::rename`].
    pub spellings: Vec<(String, String)>,
    /// The limits of the document being imported (replicas, ...).
    pub limits: Limits,
    /// Whether the endpoints limit was reported already.
    over_endpoints: bool,
    /// The flags-ignored message already reported, with its finding and how many
    /// commands said it: a script of thirty `docker run -d` lines gets one note.
    ignored_once: HashMap<String, (usize, usize)>,
}

impl Translator {
    pub fn new(scenario: Scenario, limits: Limits) -> Self {
        // Only commands and compose files ask for a container's state: a scenario that
        // imports nothing does not pay for the index.
        let imports = scenario
            .hosts
            .iter()
            .any(|h| !h.commands.is_empty() || h.compose.is_some() || h.daemon_json.is_some());
        let states = scenario
            .containers
            .iter()
            .filter(|_| imports)
            .map(|c| ((c.host.clone(), c.name.clone()), c.state))
            .collect();
        Translator {
            scenario,
            findings: Vec::new(),
            timeline: HashSet::new(),
            states,
            refs: Vec::new(),
            current: None,
            written_at: Vec::new(),
            spellings: Vec::new(),
            limits,
            over_endpoints: false,
            ignored_once: HashMap::new(),
        }
    }

    pub fn target_host(&self, index: usize) -> TargetHost {
        let h = &self.scenario.hosts[index];
        TargetHost {
            index,
            name: h.name.clone(),
            windows: h.is_windows(),
        }
    }

    pub fn emit(&mut self, code_id: &str, src: &Location, message: impl Into<String>) {
        self.findings
            .push(codes::finding(code_id, src, message.into()));
    }

    pub(super) fn host(&mut self, h: &TargetHost) -> &mut Host {
        &mut self.scenario.hosts[h.index]
    }

    pub(super) fn in_timeline(&self, h: &TargetHost) -> bool {
        self.timeline.contains(&h.name)
    }

    pub(super) fn enter_timeline(&mut self, h: &TargetHost) {
        self.timeline.insert(h.name.clone());
    }

    pub(super) fn push_step(&mut self, step: Step) -> usize {
        self.scenario.steps.push(step);
        let n = self.scenario.steps.len();
        if let Some(src) = &self.current {
            self.written_at.push(Location {
                path: format!("steps[{}]", n - 1),
                ..src.clone()
            });
        }
        n
    }

    pub(super) fn default_network_exists(&self, h: &TargetHost) -> bool {
        self.scenario.hosts[h.index]
            .docker
            .creates_default_network()
    }

    /// Networks that exist on `host` after the design and every step so far.
    pub fn network_exists(&self, host: &str, name: &str) -> bool {
        let on = |n: &Network| n.name == name && n.host.as_deref().is_none_or(|x| x == host);
        let mut exists = self.scenario.networks.iter().any(on);
        for s in &self.scenario.steps {
            match s {
                Step::CreateNetwork(n) if on(n) => exists = true,
                Step::RemoveNetwork(r)
                    if r.name == name && r.host.as_deref().is_none_or(|x| x == host) =>
                {
                    exists = false
                }
                _ => {}
            }
        }
        exists
    }

    pub(super) fn builtin_network(&self, host_index: usize, name: &str) -> bool {
        let host = &self.scenario.hosts[host_index];
        let default = host.docker.creates_default_network();
        if host.is_windows() {
            name == "none" || (name == "nat" && default)
        } else {
            matches!(name, "host" | "none") || (name == "bridge" && default)
        }
    }

    pub fn reference(&mut self, h: &TargetHost, network: &str, src: &Location) {
        self.refs.push(NetRef {
            host: h.name.clone(),
            network: network.to_string(),
            src: src.clone(),
        });
    }

    /// Reports every flag that is ignored or not modelled.
    pub fn notes(&mut self, args: &Args, src: &Location) {
        for e in &args.errors {
            self.emit("IMP008", src, e.clone());
        }
        let ignored: Vec<String> = args
            .notes
            .iter()
            .filter(|n| n.effect == Effect::Ignored && !n.unknown)
            .map(|n| format!("`{}`", n.spelled))
            .collect();
        if !ignored.is_empty() {
            let message = format!("ignored {}: no effect on networking", ignored.join(", "));
            match self.ignored_once.get_mut(&message) {
                Some((at, count)) => {
                    *count += 1;
                    self.findings[*at].message =
                        format!("{message} (in {count} commands; the first is shown)");
                }
                None => {
                    self.ignored_once
                        .insert(message.clone(), (self.findings.len(), 1));
                    self.emit("IMP004", src, message);
                }
            }
        }
        for n in &args.notes {
            if n.unknown {
                let message = match super::docker_cli::suggest_flag(&n.spelled) {
                    Some(near) => format!(
                        "unknown flag `{}`: Docker refuses the command (\"unknown flag: {}\"); did you mean `{near}`?",
                        n.spelled, n.spelled
                    ),
                    None => format!(
                        "unknown flag `{}`: not modelled (if Docker does not know it either, it refuses the command: \"unknown flag: {}\")",
                        n.spelled, n.spelled
                    ),
                };
                self.emit("IMP005", src, message);
            } else if n.effect == Effect::NotModelled {
                self.emit(
                    "IMP005",
                    src,
                    format!(
                        "`{}` affects networking but is not modelled; the simulation ignores it",
                        n.spelled
                    ),
                );
            }
        }
    }

    /// Records how the object at `base` spells its model fields in the input.
    pub fn spell_fields(&mut self, base: &str, spellings: Spellings) {
        for (field, key) in spellings.0.into_iter().filter(|(f, k)| f != k) {
            self.spellings
                .push((format!("{base}.{field}"), format!("{base}.{key}")));
        }
    }

    /// `n` replicas (of `what`), or `None` once a number over the replicas limit is
    /// reported (IMP022).
    pub fn within_replicas_limit(&mut self, n: u32, what: &str, src: &Location) -> Option<u32> {
        if u64::from(n) > self.limits.replicas {
            let msg = format!(
                "{what} asks for {n} replicas: {}",
                self.limits.how_to_raise(&crate::limits::REPLICAS)
            );
            self.emit("IMP022", src, msg);
            return None;
        }
        Some(n)
    }

    pub(super) fn swarm_manager_check(&mut self, h: &TargetHost, what: &str, src: &Location) {
        if self.scenario.hosts[h.index].swarm != SwarmRole::Manager {
            self.emit(
                "IMP016",
                src,
                format!("{what}: This node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" to connect this node to swarm and try again."),
            );
        }
    }

    pub fn apply(&mut self, h: &TargetHost, cmd: Command, src: &Location) {
        self.current = Some(src.clone());
        self.apply_command(h, cmd, src);
        self.current = None;
    }

    pub(super) fn apply_command(&mut self, h: &TargetHost, cmd: Command, src: &Location) {
        match cmd {
            Command::NetworkCreate(a) => self.network_create(h, &a, src),
            Command::NetworkRm(a) => self.network_rm(h, &a, src),
            Command::NetworkConnect(a) => self.network_connect(h, &a, src),
            Command::NetworkDisconnect(a) => self.network_disconnect(h, &a, src),
            Command::Run { args, create } => self.run(h, &args, create, src),
            Command::Start(a) => self.start(h, &a, src),
            Command::Stop(a) => self.stop(h, &a, src),
            Command::Restart(a) => {
                self.notes(&a, src);
                self.emit(
                    "IMP006",
                    src,
                    "`docker restart` keeps the container's networks and addresses: nothing changes in the model",
                );
            }
            Command::Rm(a) => self.rm(h, &a, src),
            Command::SwarmInit(a) => self.swarm_role(h, &a, SwarmRole::Manager, src),
            Command::SwarmJoin(a) => self.swarm_role(h, &a, SwarmRole::Worker, src),
            Command::SwarmLeave(a) => self.swarm_role(h, &a, SwarmRole::None, src),
            Command::ServiceCreate(a) => self.service_create(h, &a, src),
            Command::ServiceScale(a) => self.service_scale(&a, src),
            Command::MacSpoofing(on) => self.mac_spoofing(h, on, src),
            Command::InstallPrivateCloudPlugin => self.sdn_setup(h, true, src),
            Command::ConfigureMcnp => self.sdn_setup(h, false, src),
            Command::NewVmSwitch { name, kind, nic } => self.new_vswitch(h, name, kind, nic, src),
            Command::RestartService(svc) => self.restart_service(h, &svc, src),
            Command::Reboot => self.reboot(h, src),
            Command::Informational(text) => self.ignored("IMP006", &text, "only reads state", src),
            Command::NoNetworkEffect(text) => {
                self.ignored("IMP006", &text, "changes nothing the model represents", src)
            }
            Command::Compose(text) => self.emit(
                "IMP006",
                src,
                format!("`{text}`: give the compose file itself (the host's `compose:` field or `hnsim import docker-compose.yml`)"),
            ),
            Command::Unknown(text) => {
                self.ignored("IMP007", &text, "is not a command the importer knows", src)
            }
        }
    }

    /// Says under `code` that command `text` is ignored, and `why`.
    fn ignored(&mut self, code: &str, text: &str, why: &str, src: &Location) {
        self.emit(code, src, format!("`{text}` {why}: ignored"));
    }

    /// Checks the network references collected on the way and hands back the result.
    pub fn finish(mut self) -> super::Imported {
        let refs = std::mem::take(&mut self.refs);
        let mut reported = HashSet::new();
        for r in refs {
            let host_index = self.scenario.hosts.iter().position(|x| x.name == r.host);
            let builtin = host_index.is_some_and(|i| self.builtin_network(i, &r.network));
            let exists =
                builtin
                    || self.scenario.networks.iter().any(|n| {
                        n.name == r.network && n.host.as_deref().is_none_or(|x| x == r.host)
                    })
                    || self.scenario.steps.iter().any(|s| {
                        matches!(s, Step::CreateNetwork(n) if n.name == r.network
                        && n.host.as_deref().is_none_or(|x| x == r.host))
                    });
            if !exists && reported.insert((r.host.clone(), r.network.clone(), r.src.path.clone())) {
                let windows = host_index.is_some_and(|i| self.scenario.hosts[i].is_windows());
                let mut msg = format!("network {} not found on host `{}`", r.network, r.host);
                match r.network.as_str() {
                    "host" if windows => msg.push_str(
                        ": Windows has no host network; publish ports on nat (-p), or put the container on the LAN with a transparent or l2bridge network",
                    ),
                    "bridge" if windows => msg.push_str(
                        ": on Windows the default network is `nat`",
                    ),
                    "nat" if !windows => msg.push_str(
                        ": `nat` is the Windows default network; on Linux it is `bridge`",
                    ),
                    _ => {}
                }
                self.emit("IMP009", &r.src, msg);
            }
        }
        super::Imported {
            scenario: self.scenario,
            findings: self.findings,
            source_map: crate::source_map::SourceMap::default(),
        }
    }
}
