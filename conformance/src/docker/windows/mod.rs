//! The Docker backend on a Windows engine: the scenario's Windows host realized with
//! process-isolated nanoserver containers on the machine's own HNS, probed from inside
//! the containers (`docker exec` of the agent) and from the machine itself (the agent
//! in this process: ICMP through IcmpSendEcho2). [`engine`] reads what the engine and
//! host are; [`plan`] decides the objects (pure); [`locate`] says where probes leave
//! from and what a target is (pure); [`image`] builds the probe image on the host.
//!
//! Which cells one Windows host shows (EXT-13): on nat, container to container on one
//! network and across NAT networks, host to container by address, host to a published
//! port by the host's address and by `localhost`, container to host; on transparent and
//! l2bridge where a spare adapter allows. Everything else (other hosts, LAN clients,
//! the internet, swarm's mesh, overlay, l2tunnel) is `not-emulated` with its reason.
//!
//! Safety: every container, network, image and firewall rule is named with the run
//! prefix (`hnsim-<6 hex>-`) and removed when the run ends, on Ctrl-C, and by `hnsim
//! clean`; the default `nat` network is used, never changed. Probes go to the run's
//! containers, the machine's own address and loopback only.

pub mod engine;
mod image;
pub mod locate;
pub mod plan;

use super::build::docker_owned;
use super::{cli, DockerError, Options};
use crate::agent::{Batch, ProbeResult, ProbeSpec};
use crate::dataplane::{BatchResult, Dataplane, DataplaneError, Resolved, RunName, Source};
use crate::session::{self, Registration};
use crate::target::{Party, Target};
use engine::{EngineFacts, Machine};
use hnsim_model::{Design, Protocol, RunState, Step};
use locate::{Realized, HOST};
use std::collections::HashMap;
use std::net::IpAddr;
use std::time::Duration;

pub const OS_TYPE: &str = "windows";

/// A PowerShell command's standard output.
fn powershell(script: &str) -> Result<String, DockerError> {
    let args = ["-NoProfile", "-NonInteractive", "-Command", script];
    crate::sys::run_bytes("powershell", &args, None)
        .map_err(|e| cli::from_sys(e, format!("powershell {script}")))
}

/// Removes the run's firewall rules (`hnsim-<6 hex>-icmp`), or every run's.
pub fn remove_firewall_rules(prefix: &str) -> Result<(), DockerError> {
    if !prefix.starts_with(super::PREFIX) {
        return Err(DockerError::NotOurs(prefix.to_string()));
    }
    powershell(&plan::remove_rules_script(prefix)).map(drop)
}

/// A run on a Windows engine. Dropping it removes every object it created.
pub struct WindowsDocker {
    opts: Options,
    prefix: String,
    facts: EngineFacts,
    machine: Machine,
    host: Option<usize>,
    /// The probe image's base, chosen once per run.
    base: Option<String>,
    /// What the run says about the engine (the base image chosen).
    engine_notes: Vec<String>,
    live: Option<Realized>,
    _registration: Registration,
}

fn clean_run(prefix: &str) -> Result<Vec<String>, DockerError> {
    let mut removed = cli::remove_all(prefix)?;
    if remove_firewall_rules(prefix).is_ok() {
        removed.push(format!("{prefix}icmp (firewall rule)"));
    }
    Ok(removed)
}

impl WindowsDocker {
    /// A new run on the Windows engine of this machine; nothing is created before
    /// [`Dataplane::realize`].
    pub fn new(opts: Options, prefix: String) -> Result<Self, DockerError> {
        let info = cli::docker(&["info", "--format", "{{json .}}"], None)?;
        let facts = EngineFacts::parse(&info).map_err(DockerError::Unavailable)?;
        if facts.os_type != OS_TYPE {
            return Err(DockerError::Unavailable(format!(
                "the engine runs `{}` containers",
                facts.os_type
            )));
        }
        let machine = Machine::parse(&powershell(engine::MACHINE_SCRIPT)?)
            .map_err(DockerError::Unavailable)?;
        let for_handler = prefix.clone();
        let registration = session::register(prefix.trim_end_matches('-'), move || {
            let _ = clean_run(&for_handler);
            std::thread::sleep(Duration::from_millis(500));
            let _ = clean_run(&for_handler);
        });
        let engine_notes = vec![format!(
            "Windows engine {} on {} ({} isolation)",
            facts.server_version, facts.operating_system, facts.isolation
        )];
        Ok(WindowsDocker {
            opts,
            prefix,
            facts,
            machine,
            host: None,
            base: None,
            engine_notes,
            live: None,
            _registration: registration,
        })
    }

    fn live(&self) -> Result<&Realized, String> {
        crate::dataplane::realized(&self.live)
    }

    fn base(&mut self) -> Result<String, DockerError> {
        if let Some(b) = &self.base {
            return Ok(b.clone());
        }
        let wanted = std::env::var("HNSIM_WINDOWS_BASE_IMAGE").ok();
        let (b, note) = image::base(&self.facts, wanted.as_deref())?;
        self.engine_notes.push(note);
        self.base = Some(b.clone());
        Ok(b)
    }

    fn build(&mut self, design: &Design, host: usize) -> Result<Realized, DockerError> {
        let p = plan::plan(design, &self.prefix, host, &self.machine);
        let base = self.base()?;
        image::build(&p.image, &base, &self.opts.agent_exe, &self.prefix)?;
        let mut r = Realized {
            notes: p.notes.clone(),
            plan: p,
            ..Realized::default()
        };
        if let Some(rule) = &r.plan.firewall {
            powershell(&rule.add_script())?;
        }
        create_networks(&mut r)?;
        create_containers(design, &mut r, self.opts.agent_start)?;
        read_back(design, &mut r)?;
        Ok(r)
    }
}

/// Creates the run's networks. A subnet the engine refuses (HNS already uses it for
/// another NAT network) is left to HNS, and said.
fn create_networks(r: &mut Realized) -> Result<(), DockerError> {
    for n in r.plan.networks.clone() {
        if n.existing {
            continue;
        }
        if let Err(e) = docker_owned(&n.create) {
            if session::interrupted() {
                return Err(e);
            }
            let without: Vec<String> = n
                .create
                .iter()
                .filter(|a| !a.starts_with("--subnet=") && !a.starts_with("--gateway="))
                .cloned()
                .collect();
            if without.len() == n.create.len() {
                return Err(e);
            }
            docker_owned(&without)?;
            r.notes.push(format!(
                "network `{}`: the engine refused the model's subnet ({e}); HNS chose one",
                n.name.trim_start_matches(&r.plan.prefix)
            ));
        }
    }
    Ok(())
}

/// Creates every container with all its networks, then starts them (OPT-7: nothing
/// is attached to a running container), static addresses first. What Docker refuses
/// is that container's not-emulated reason, in Docker's words.
fn create_containers(
    design: &Design,
    r: &mut Realized,
    agent_start: Duration,
) -> Result<(), DockerError> {
    let mut order = r.plan.containers.clone();
    order.sort_by_key(|c| (!c.attach.iter().any(|a| a.ip.is_some()), c.index));
    let mut refused: Vec<(usize, String)> = Vec::new();
    // A container Docker refuses is removed, and its cells say why; an interruption
    // ends the build.
    let refusal = |c: &plan::WinContainer, e: DockerError| {
        if session::interrupted() {
            return Err(e);
        }
        let _ = cli::docker(&["rm", "-f", &c.name], None);
        let words = match e {
            DockerError::Command { stderr, .. } => stderr,
            other => other.to_string(),
        };
        Ok((
            c.index,
            format!(
                "Docker refused container `{}`: {words}",
                design.scenario.containers[c.index].name
            ),
        ))
    };
    for c in &order {
        let created = docker_owned(&plan::create_args(&r.plan, c)).and_then(|_| {
            for a in plan::connect_args(&r.plan, c) {
                docker_owned(&a)?;
            }
            Ok(())
        });
        if let Err(e) = created {
            refused.push(refusal(c, e)?);
        }
    }
    for c in &order {
        if c.state == RunState::Created || refused.iter().any(|(i, _)| *i == c.index) {
            continue;
        }
        let started = cli::docker(&["start", &c.name], None)
            .and_then(|_| crate::docker::build::wait_ready(&c.name, 0, agent_start))
            .and_then(|_| {
                if c.state == RunState::Stopped {
                    cli::docker(&["stop", "-t", "0", &c.name], None).map(drop)
                } else {
                    Ok(())
                }
            });
        if let Err(e) = started {
            refused.push(refusal(c, e)?);
        }
    }
    for (ci, w) in refused {
        r.plan.containers.retain(|c| c.index != ci);
        r.notes.push(w.clone());
        r.plan.container_not_emulated.insert(ci, w);
    }
    Ok(())
}

/// The addresses HNS gave and the ports Docker published.
fn read_back(design: &Design, r: &mut Realized) -> Result<(), DockerError> {
    if r.plan.containers.is_empty() {
        return Ok(());
    }
    let all = super::readback::inspect(r.plan.containers.iter().map(|c| c.name.clone()))?;
    let (ips, ports, notes) = readback(design, &r.plan, &all);
    r.ips = ips;
    r.ports = ports;
    r.notes.extend(notes);
    Ok(())
}

type Addresses = HashMap<(usize, usize), IpAddr>;
type Ports = HashMap<(Protocol, u16), u16>;

/// `docker inspect` of the plan's containers (in plan order) read into addresses and
/// ports, with a note where HNS or Docker chose otherwise than the model (IPAM-1,
/// NAT-9). Pure.
pub fn readback(
    design: &Design,
    p: &plan::WindowsPlan,
    inspect: &[serde_json::Value],
) -> (Addresses, Ports, Vec<String>) {
    let mut ips = HashMap::new();
    let mut ports = HashMap::new();
    let mut notes = Vec::new();
    for (c, info) in p.containers.iter().zip(inspect) {
        let settings = &info["NetworkSettings"];
        let name = &design.scenario.containers[c.index].name;
        for at in &c.attach {
            let net = &p.networks[at.net];
            let (got, model) =
                super::readback::addresses(design, settings, &net.name, c.index, at.attachment);
            match got {
                Some(ip) => {
                    ips.insert((c.index, at.attachment), ip);
                    if model.is_some_and(|m| m != ip) {
                        notes.push(format!(
                            "`{name}` on `{}`: the model gives {}, HNS gave {ip} (IPAM-1)",
                            net.name.trim_start_matches(&p.prefix),
                            model.map(|m| m.to_string()).unwrap_or_default()
                        ));
                    }
                }
                None => {
                    if let Some(m) = model {
                        // Not running: no address; probed at the model's.
                        ips.insert((c.index, at.attachment), m);
                    }
                }
            }
        }
        for pp in &c.publish {
            let proto = if pp.proto == Protocol::Udp {
                "udp"
            } else {
                "tcp"
            };
            let key = format!("{}/{proto}", pp.container_port);
            let real = pp.host_port.or_else(|| {
                settings["Ports"][key.as_str()]
                    .as_array()
                    .and_then(|b| b.iter().find_map(|b| b["HostPort"].as_str()))
                    .and_then(|s| s.parse::<u16>().ok())
            });
            if let Some(real) = real {
                if real != pp.model_host_port {
                    notes.push(format!(
                        "`{name}`: the model publishes {key} on host port {}, Docker picked \
                         {real} (NAT-9)",
                        pp.model_host_port
                    ));
                }
                ports.insert((pp.proto, pp.model_host_port), real);
            }
        }
    }
    (ips, ports, notes)
}

impl Drop for WindowsDocker {
    fn drop(&mut self) {
        if session::interrupted() {
            return;
        }
        if let Err(e) = clean_run(&self.prefix) {
            super::warn_clean_up(&self.prefix, &e);
        }
    }
}

impl Dataplane for WindowsDocker {
    fn run_name(&self) -> RunName<'_> {
        RunName::new(super::BACKEND, &self.prefix)
    }

    fn realize(&mut self, design: &Design, _step: Option<&Step>) -> Result<(), DataplaneError> {
        let wanted = self.opts.host.as_deref();
        let host = super::planning::run_host(&mut self.host, || plan::choose_host(design, wanted))?;
        if self.live.is_some() {
            clean_run(&self.prefix)?;
            self.live = None;
        }
        if session::interrupted() {
            return Err(DataplaneError::Interrupted);
        }
        self.live = Some(self.build(design, host)?);
        Ok(())
    }

    fn observe(&mut self, _design: &Design) -> Result<Vec<String>, DataplaneError> {
        let mut notes = self.engine_notes.clone();
        notes.extend(self.live.iter().flat_map(|r| r.notes.iter().cloned()));
        Ok(notes)
    }

    fn source(&self, design: &Design, party: &Party) -> Result<Source, String> {
        locate::source(self.live()?, design, party)
    }

    fn resolve(&self, design: &Design, from: &Source, target: &Target) -> Result<Resolved, String> {
        locate::resolve(self.live()?, design, from, target)
    }

    fn probe(&self, from: &Source, batch: &Batch) -> Result<BatchResult, DataplaneError> {
        let results = run_batch(&from.0, batch)?;
        Ok(BatchResult {
            results,
            tainted: false,
        })
    }

    fn repro(&self, from: &Source, spec: &ProbeSpec) -> String {
        match from.0.as_str() {
            HOST => format!("hnsim probe {}", spec.cli_args().join(" ")),
            name => format!(
                "docker exec {name} {} probe {}",
                engine::AGENT,
                spec.cli_args().join(" ")
            ),
        }
    }

    fn parallel_sources(&self, _destinations: usize) -> usize {
        // No shared neighbour table to protect; `docker exec` is the cost.
        4
    }

    fn clean(&mut self) -> Result<Vec<String>, DataplaneError> {
        self.live = None;
        Ok(clean_run(&self.prefix)?)
    }
}

/// A batch from the machine itself (the agent in this process) or from a container
/// (its agent through `docker exec`, the batch on standard input).
fn run_batch(src: &str, batch: &Batch) -> Result<Vec<ProbeResult>, DockerError> {
    if src == HOST {
        return Ok(crate::agent::run_batch(batch));
    }
    let err = |message: String| DockerError::Agent {
        container: src.to_string(),
        message,
    };
    let text = serde_json::to_vec(batch).map_err(|e| err(e.to_string()))?;
    let out = cli::docker(
        &[
            "exec",
            "-i",
            src,
            engine::AGENT,
            "probe",
            "run",
            "--batch",
            "-",
        ],
        Some(&text),
    )?;
    serde_json::from_str(&out).map_err(|e| err(format!("bad agent output: {e}")))
}
