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

use super::docker_cli::{Args, Command, Effect};
use super::{code, Src};
use crate::driver::Driver;
use crate::finding::Finding;
use crate::port::{PortMapping, PortProto, PortRange, Protocol};
use crate::scenario::*;
use ipnet::IpNet;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::IpAddr;

/// Upper bound on ports expanded from one `--expose` range, so that `1-65535` cannot
/// blow up the model.
const MAX_EXPOSE: u32 = 1024;

/// The host a command runs on.
#[derive(Clone, Debug)]
pub(crate) struct HostCtx {
    pub index: usize,
    pub name: String,
    pub windows: bool,
}

/// A reference to a network, checked once every host's input was translated (a worker's
/// commands may name an overlay network the manager, listed later, creates).
struct NetRef {
    host: String,
    network: String,
    src: Src,
}

pub(crate) struct Translator {
    pub scenario: Scenario,
    pub findings: Vec<Finding>,
    timeline: HashSet<String>,
    states: HashMap<(String, String), RunState>,
    refs: Vec<NetRef>,
    /// The command being translated.
    current: Option<Src>,
    /// Where paths the input does not spell were written: each step a command produced
    /// (`steps[i]`, so that a finding about it points at its command line), each line of
    /// a multi-line command entry (`hosts[0].commands[0].lines[1]`).
    pub written_at: Vec<Src>,
    /// Model field paths and the input paths they were written at, where the two differ
    /// (a compose key); see [`crate::source_map::SourceMap::rename`].
    pub spellings: Vec<(String, String)>,
}

fn attachment(network: &str) -> Attachment {
    Attachment {
        network: network.to_string(),
        ip: None,
        aliases: vec![],
    }
}

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

/// Parses `--network` / `--network name=x,alias=y,ip=z` (Docker 25+ advanced syntax).
fn parse_network_value(v: &str) -> Result<Attachment, String> {
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
    pub fn new(scenario: Scenario) -> Self {
        let states = scenario
            .containers
            .iter()
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
        }
    }

    pub fn host_ctx(&self, index: usize) -> HostCtx {
        let h = &self.scenario.hosts[index];
        HostCtx {
            index,
            name: h.name.clone(),
            windows: h.is_windows(),
        }
    }

    pub fn emit(&mut self, code_id: &str, src: &Src, message: impl Into<String>) {
        self.findings
            .push(code::finding(code_id, src, message.into()));
    }

    fn host(&mut self, h: &HostCtx) -> &mut Host {
        &mut self.scenario.hosts[h.index]
    }

    fn in_timeline(&self, h: &HostCtx) -> bool {
        self.timeline.contains(&h.name)
    }

    fn push_step(&mut self, step: Step) -> usize {
        self.scenario.steps.push(step);
        let n = self.scenario.steps.len();
        if let Some(src) = &self.current {
            self.written_at.push(Src {
                path: format!("steps[{}]", n - 1),
                location: src.location.clone(),
            });
        }
        n
    }

    fn default_network_exists(&self, h: &HostCtx) -> bool {
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

    fn builtin_network(&self, host_index: usize, name: &str) -> bool {
        let host = &self.scenario.hosts[host_index];
        let default = host.docker.creates_default_network();
        if host.is_windows() {
            name == "none" || (name == "nat" && default)
        } else {
            matches!(name, "host" | "none") || (name == "bridge" && default)
        }
    }

    pub fn reference(&mut self, h: &HostCtx, network: &str, src: &Src) {
        self.refs.push(NetRef {
            host: h.name.clone(),
            network: network.to_string(),
            src: src.clone(),
        });
    }

    /// Reports every flag that is ignored or not modelled.
    pub fn notes(&mut self, args: &Args, src: &Src) {
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
            self.emit(
                "IMP004",
                src,
                format!("ignored {}: no effect on networking", ignored.join(", ")),
            );
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

    /// Records how the object at `base` spells its model fields in the input: pairs of
    /// (model field, input key), both relative to `base`.
    pub fn spell_fields(&mut self, base: &str, fields: &[(String, String)]) {
        for (field, key) in fields.iter().filter(|(f, k)| f != k) {
            self.spellings
                .push((format!("{base}.{field}"), format!("{base}.{key}")));
        }
    }

    /// moby's network create refuses a subnet with host bits: "invalid subnet %s : it
    /// should be %s". A malformed value, so the importer says it (IMP008); what the
    /// platform refuses is the validator's to judge.
    pub fn check_subnets(&mut self, n: &Network, src: &Src) {
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

    // ---------------------------------------------------------------- adding objects

    /// Adds a network to the design, or as a step once the host's timeline started.
    pub fn add_network(&mut self, h: &HostCtx, mut net: Network, src: &Src) {
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

    fn container_known(&self, host: &str, name: &str) -> bool {
        self.states
            .contains_key(&(host.to_string(), name.to_string()))
    }

    /// A name for a container `docker run` started without `--name`. Docker picks a
    /// random `adjective_name`; a name from the image is stable and readable.
    pub fn generated_name(&self, h: &HostCtx, base: &str) -> String {
        (1..)
            .map(|n| format!("{base}-{n}"))
            .find(|n| !self.container_known(&h.name, n))
            .unwrap_or_else(|| base.to_string())
    }

    pub fn add_container(&mut self, h: &HostCtx, mut c: Container, src: &Src) {
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
            self.refs.push(NetRef {
                host: h.name.clone(),
                network: a.network.clone(),
                src: src.clone(),
            });
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

    pub fn add_service(&mut self, h: &HostCtx, mut s: Service, src: &Src) {
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

    fn enter_timeline(&mut self, h: &HostCtx) {
        self.timeline.insert(h.name.clone());
    }

    fn design_container(&mut self, h: &HostCtx, name: &str) -> Option<&mut Container> {
        self.scenario
            .containers
            .iter_mut()
            .find(|c| c.host == h.name && c.name == name)
    }

    fn swarm_manager_check(&mut self, h: &HostCtx, what: &str, src: &Src) {
        if self.scenario.hosts[h.index].swarm != SwarmRole::Manager {
            self.emit(
                "IMP016",
                src,
                format!("{what}: This node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" to connect this node to swarm and try again."),
            );
        }
    }

    // ---------------------------------------------------------------- commands

    pub fn apply(&mut self, h: &HostCtx, cmd: Command, src: &Src) {
        self.current = Some(src.clone());
        self.apply_command(h, cmd, src);
        self.current = None;
    }

    fn apply_command(&mut self, h: &HostCtx, cmd: Command, src: &Src) {
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
            Command::SwarmInit(a) => {
                self.notes(&a, src);
                self.host(h).swarm = SwarmRole::Manager;
            }
            Command::SwarmJoin(a) => {
                self.notes(&a, src);
                self.host(h).swarm = SwarmRole::Worker;
            }
            Command::SwarmLeave(a) => {
                self.notes(&a, src);
                self.host(h).swarm = SwarmRole::None;
            }
            Command::ServiceCreate(a) => self.service_create(h, &a, src),
            Command::ServiceScale(a) => self.service_scale(&a, src),
            Command::MacSpoofing(on) => {
                let host = self.host(h);
                host.mac_spoofing = on;
                let promoted = on && host.machine == Machine::Physical;
                if promoted {
                    host.machine = Machine::HypervVm;
                }
                let msg = if promoted {
                    format!("MAC address spoofing turned on for host `{}`; the host is therefore a Hyper-V VM (machine: hyperv-vm)", h.name)
                } else {
                    format!("MAC address spoofing set to {on} for host `{}`", h.name)
                };
                self.emit("IMP018", src, msg);
            }
            Command::InstallPrivateCloudPlugin => {
                self.host(h).sdn.get_or_insert_with(SdnAttachment::default).plugin = true;
                self.emit(
                    "IMP018",
                    src,
                    format!("the private cloud plug-in is installed in host `{}` (SDN-3)", h.name),
                );
            }
            Command::ConfigureMcnp => {
                self.host(h)
                    .sdn
                    .get_or_insert_with(SdnAttachment::default)
                    .network_proxy = true;
                self.emit(
                    "IMP018",
                    src,
                    format!("the network proxy on the Hyper-V host serves host `{}` (SDN-3)", h.name),
                );
            }
            Command::NewVmSwitch { name, kind, nic } => self.new_vswitch(h, name, kind, nic, src),
            Command::RestartService(svc) => {
                self.enter_timeline(h);
                let step = if svc == "hns" {
                    Step::RestartHns(h.name.clone())
                } else {
                    Step::RestartDocker(h.name.clone())
                };
                let n = self.push_step(step);
                self.emit(
                    "IMP010",
                    src,
                    if h.windows {
                        format!("`Restart-Service {svc}` recorded as timeline step {n} (TRANS-7: restarting makes out-of-band vSwitches visible to Docker)")
                    } else {
                        format!("restarting {svc} recorded as timeline step {n}")
                    },
                );
            }
            Command::Informational(text) => self.emit(
                "IMP006",
                src,
                format!("`{text}` only reads state: ignored"),
            ),
            Command::NoNetworkEffect(text) => self.emit(
                "IMP006",
                src,
                format!("`{text}` changes nothing the model represents: ignored"),
            ),
            Command::Compose(text) => self.emit(
                "IMP006",
                src,
                format!("`{text}`: give the compose file itself (the host's `compose:` field or `hnsim import docker-compose.yml`)"),
            ),
            Command::Unknown(text) => self.emit(
                "IMP007",
                src,
                format!("`{text}` is not a command the importer knows: ignored"),
            ),
        }
    }

    fn network_create(&mut self, h: &HostCtx, a: &Args, src: &Src) {
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
            name: name.clone(),
            host: Some(h.name.clone()),
            driver,
            subnet: Subnets::default(),
            gateway: None,
            vlan: None,
            vni: None,
            options: BTreeMap::new(),
            scope: None,
            attachable: a.is_set("attachable"),
            internal: a.is_set("internal"),
            ip_range: None,
            aux_address: BTreeMap::new(),
            ipv6: a.is_set("ipv6"),
            ipam_driver: a.value("ipam-driver").filter(|d| d != "default"),
            ipam_opt: BTreeMap::new(),
            origin: Origin::default(),
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

    fn run(&mut self, h: &HostCtx, a: &Args, create: bool, src: &Src) {
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
        for v in a.values("network") {
            if v == "default" {
                continue;
            }
            if v.starts_with("container:") {
                self.emit(
                    "IMP005",
                    src,
                    format!("`--network {v}` (sharing another container's network stack) is not modelled"),
                );
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
        if let Some(ip) = ip {
            match ip.parse::<IpAddr>() {
                Ok(addr) => networks[0].ip = Some(addr),
                Err(_) => self.emit("IMP008", src, format!("invalid IPv4 address: {ip}")),
            }
        }
        if let Some(first) = networks.first_mut() {
            first.aliases.extend(aliases);
        }
        let ip6 = match a.value("ip6") {
            Some(v) => match v.parse::<IpAddr>() {
                Ok(x) => Some(x),
                Err(_) => {
                    self.emit("IMP008", src, format!("invalid IPv6 address: {v}"));
                    None
                }
            },
            None => None,
        };
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
        self.add_container(h, c, src);
    }

    pub fn expose_into(&mut self, text: &str, out: &mut Vec<PortProto>, src: &Src) {
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

    fn two_positionals(&mut self, a: &Args, cmd: &str, src: &Src) -> Option<(String, String)> {
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

    fn no_such_container(&mut self, name: &str, src: &Src) {
        self.emit(
            "IMP009",
            src,
            format!("Error response from daemon: No such container: {name}"),
        );
    }

    fn network_connect(&mut self, h: &HostCtx, a: &Args, src: &Src) {
        self.notes(a, src);
        let Some((network, container)) = self.two_positionals(a, "connect", src) else {
            return;
        };
        let Some(state) = self
            .states
            .get(&(h.name.clone(), container.clone()))
            .copied()
        else {
            self.no_such_container(&container, src);
            return;
        };
        self.reference(h, &network, src);
        let ip = match a.value("ip") {
            Some(v) => match v.parse::<IpAddr>() {
                Ok(x) => Some(x),
                Err(_) => {
                    self.emit("IMP008", src, format!("invalid IPv4 address: {v}"));
                    None
                }
            },
            None => None,
        };
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

    fn network_disconnect(&mut self, h: &HostCtx, a: &Args, src: &Src) {
        self.notes(a, src);
        let Some((network, container)) = self.two_positionals(a, "disconnect", src) else {
            return;
        };
        let Some(state) = self
            .states
            .get(&(h.name.clone(), container.clone()))
            .copied()
        else {
            self.no_such_container(&container, src);
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

    fn network_rm(&mut self, h: &HostCtx, a: &Args, src: &Src) {
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

    fn start(&mut self, h: &HostCtx, a: &Args, src: &Src) {
        self.notes(a, src);
        for name in &a.positionals {
            let key = (h.name.clone(), name.clone());
            let Some(state) = self.states.get(&key).copied() else {
                self.no_such_container(name, src);
                continue;
            };
            if state == RunState::Running {
                continue;
            }
            self.states.insert(key, RunState::Running);
            if !self.in_timeline(h) {
                if let Some(c) = self.design_container(h, name) {
                    c.state = RunState::Running;
                    continue;
                }
            }
            self.push_step(Step::Start(name.clone()));
        }
    }

    fn stop(&mut self, h: &HostCtx, a: &Args, src: &Src) {
        self.notes(a, src);
        for name in &a.positionals {
            let key = (h.name.clone(), name.clone());
            let Some(state) = self.states.get(&key).copied() else {
                self.no_such_container(name, src);
                continue;
            };
            if state != RunState::Running {
                continue;
            }
            self.states.insert(key, RunState::Stopped);
            self.enter_timeline(h);
            let n = self.push_step(Step::Stop(name.clone()));
            self.emit(
                "IMP010",
                src,
                format!("stopping `{name}` is recorded as timeline step {n}"),
            );
        }
    }

    fn rm(&mut self, h: &HostCtx, a: &Args, src: &Src) {
        self.notes(a, src);
        let force = a.is_set("force");
        for name in &a.positionals {
            let key = (h.name.clone(), name.clone());
            let Some(state) = self.states.get(&key).copied() else {
                self.no_such_container(name, src);
                continue;
            };
            if state == RunState::Running && !force {
                self.emit(
                    "IMP008",
                    src,
                    format!("Error response from daemon: You cannot remove a running container {name}. Stop the container before attempting removal or force remove"),
                );
                continue;
            }
            self.states.remove(&key);
            if !self.in_timeline(h) && state != RunState::Running {
                let before = self.scenario.containers.len();
                self.scenario
                    .containers
                    .retain(|c| !(c.host == h.name && &c.name == name));
                if self.scenario.containers.len() != before {
                    continue;
                }
            }
            self.enter_timeline(h);
            let n = self.push_step(Step::Remove(name.clone()));
            self.emit(
                "IMP010",
                src,
                format!("removing `{name}` is recorded as timeline step {n}"),
            );
        }
    }

    fn service_create(&mut self, h: &HostCtx, a: &Args, src: &Src) {
        self.notes(a, src);
        let Some(image) = a.positionals.first().cloned() else {
            self.emit(
                "IMP008",
                src,
                "\"docker service create\" requires at least 1 argument.",
            );
            return;
        };
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
                Ok(n) => n,
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
        for p in a.values("publish") {
            let parsed = if p.contains('=') {
                parse_long_port(&p).map(|(m, mode)| {
                    if mode.as_deref() == Some("host") {
                        self.emit(
                            "IMP005",
                            src,
                            format!("`--publish {p}`: host-mode publishing is not modelled"),
                        );
                    }
                    m
                })
            } else {
                p.parse::<PortMapping>().map_err(|e| e.to_string())
            };
            match parsed {
                Ok(m) => ports.push(m),
                Err(e) => self.emit("IMP008", src, format!("invalid --publish `{p}`: {e}")),
            }
        }
        let isolation = if a.value("isolation").as_deref() == Some("hyperv") {
            Isolation::Hyperv
        } else {
            Isolation::Process
        };
        let s = Service {
            name,
            replicas,
            hosts: vec![],
            networks,
            ports,
            listen: vec![],
            isolation,
            origin: Origin::default(),
        };
        self.add_service(h, s, src);
    }

    fn service_scale(&mut self, a: &Args, src: &Src) {
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
            match self.scenario.services.iter_mut().find(|s| s.name == name) {
                Some(s) => s.replicas = n,
                None => self.emit("IMP009", src, format!("service {name} not found")),
            }
        }
    }

    fn new_vswitch(
        &mut self,
        h: &HostCtx,
        name: Option<String>,
        kind: Option<String>,
        nic: Option<String>,
        src: &Src,
    ) {
        let Some(name) = name else {
            self.emit("IMP008", src, "New-VMSwitch needs -Name");
            return;
        };
        let kind = match kind.as_deref().map(str::to_ascii_lowercase).as_deref() {
            Some("internal") => VSwitchKind::Internal,
            Some("private") => VSwitchKind::Private,
            _ => VSwitchKind::External,
        };
        let v = VSwitch {
            name: name.clone(),
            host: h.name.clone(),
            kind,
            nic,
            visible_to_docker: false,
            origin: Origin {
                path: src.path.clone(),
                implicit: false,
            },
        };
        self.emit(
            "IMP018",
            src,
            format!("vSwitch `{name}` created out of band while Docker runs: Docker does not see it until hns and docker restart (TRANS-7)"),
        );
        if self.in_timeline(h) {
            self.push_step(Step::CreateVswitch(v));
        } else {
            self.scenario.vswitches.push(v);
        }
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
