//! The swarm backend: the scenario's Linux hosts as real Docker daemons joined into a
//! real swarm, probed with the probe agent.
//!
//! Locally, the physical layer is the netns backend's (segments, the router, the
//! internet, LAN clients, one namespace per host with its NICs; nothing of the
//! containers): in each host's namespace runs a throwaway `dockerd` ([`daemon`]) with
//! its own data root, exec root, socket and cgroup parent under the run's directory
//! (`<temp>/hns-<6 hex>-swarm`). The managers `swarm init`/`join`, every node is
//! labelled with its host ([`cluster`]), the probe image is imported into every daemon
//! (never pulled), and each state of the design is deployed: overlay networks,
//! standalone containers, services with their replicas placed as the scenario places
//! them and their ports published through the routing mesh ([`deploy`]). Containers are
//! probed through `docker exec`; hosts, clients and the internet from their namespaces.
//!
//! Remotely, `--context HOST=CONTEXT` maps every swarm node of the scenario to an
//! existing `docker context` instead: the run imports the probe image there
//! (`hnsim-<6 hex>-probe`), forms the swarm, creates its networks, containers and
//! services (all labelled `io.hnsim.run`), and at the end removes them, the image, and
//! the swarm (`swarm leave --force` on every node). A node already in a swarm is
//! refused: the run never changes a swarm it did not create. Only containers send
//! probes there (hnsim runs nothing else on those machines).
//!
//! What this kernel lacks is said per cell: without IPVS (`CONFIG_IP_VS`), swarm's
//! routing mesh and service VIPs do not work, so their targets are `not-emulated` with
//! that reason. Clean-up: at the end the daemons are stopped (they stop their containers
//! and unmount their files), the directory and the namespaces removed; on Ctrl-C and by
//! `hnsim clean --prefix hns-<6 hex>` after a SIGKILL, [`leftovers`] finishes the job.

mod cluster;
mod daemon;
mod deploy;
pub mod leftovers;
mod readback;

use crate::agent::{Batch, ProbeSpec};
use crate::dataplane::{BatchResult, Dataplane, DataplaneError, Resolved, RunName, Source};
use crate::docker::cli::{docker_at, Engine};
use crate::docker::{image, DockerError};
use crate::netns::{Netns, NetnsError, NetnsOptions};
use crate::session::{self, Registration};
use crate::target::{Party, Target, Via};
use daemon::Daemon;
use deploy::Deployed;
use hnsim_model::{Design, Step};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

pub const BACKEND: &str = "swarm";

#[derive(Debug, thiserror::Error)]
pub enum SwarmError {
    #[error(transparent)]
    Docker(#[from] DockerError),
    #[error(transparent)]
    Netns(#[from] NetnsError),
    #[error("swarm daemon: {0}")]
    Daemon(String),
    #[error("{0}")]
    Scenario(String),
}

/// How to build the probe image and where the scenario's hosts run.
#[derive(Clone, Debug)]
pub struct SwarmOptions {
    /// The `hnsim` binary: the agent of the probe image, and of the hosts' namespaces.
    pub agent_exe: PathBuf,
    /// Scenario host → an existing `docker context` (a remote machine).
    pub contexts: BTreeMap<String, String>,
    /// Ports "the internet" serves.
    pub internet_listens: Vec<hnsim_sim::Probe>,
    /// How long a daemon, a container's agent or a service's tasks may take to start.
    pub within: Duration,
}

impl SwarmOptions {
    pub fn new(agent_exe: PathBuf) -> Self {
        SwarmOptions {
            agent_exe,
            contexts: BTreeMap::new(),
            internet_listens: Vec::new(),
            within: Duration::from_secs(60),
        }
    }
}

/// Parses `HOST=CONTEXT`.
pub fn parse_context(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((h, c)) if !h.is_empty() && !c.is_empty() => Ok((h.to_string(), c.to_string())),
        _ => Err(format!(
            "`{s}` is not HOST=CONTEXT (a scenario host and a docker context)"
        )),
    }
}

/// Whether this kernel has IPVS, which swarm's routing mesh and service VIPs use.
pub fn has_ipvs() -> bool {
    std::path::Path::new("/proc/sys/net/ipv4/vs").exists()
        || std::path::Path::new("/proc/net/ip_vs").exists()
}

const NO_IPVS: &str = "this kernel has no IPVS (CONFIG_IP_VS), which swarm's routing mesh \
     and service VIPs need: Docker publishes nothing there";

/// A run of the swarm backend. Dropping it removes everything it created.
pub struct Swarm {
    opts: SwarmOptions,
    physical: Option<Netns>,
    prefix: String,
    dir: PathBuf,
    daemons: BTreeMap<usize, Daemon>,
    engines: BTreeMap<usize, Engine>,
    manager: Option<Engine>,
    image: String,
    live: Option<Deployed>,
    /// Swarm nodes of the scenario left out of the swarm, with the reason.
    skipped: Vec<String>,
    ipvs: bool,
    _registration: Registration,
}

impl Swarm {
    /// A new run: checks root and Docker, and registers the clean-up. Nothing is
    /// created before [`Dataplane::realize`].
    pub fn new(opts: SwarmOptions) -> Result<Self, SwarmError> {
        let physical = if opts.contexts.is_empty() {
            crate::sys::require_root().map_err(NetnsError::from)?;
            let mut o =
                NetnsOptions::new(vec![opts.agent_exe.display().to_string(), "probe".into()]);
            o.internet_listens = opts.internet_listens.clone();
            Some(Netns::new(o)?)
        } else {
            None
        };
        let prefix = match &physical {
            Some(p) => p.prefix().to_string(),
            None => crate::docker::new_prefix()?
                .trim_end_matches('-')
                .to_string(),
        };
        let for_handler = prefix.clone();
        let remote = !opts.contexts.is_empty();
        let registration = session::register(&format!("{prefix}-swarm"), move || {
            if remote {
                return; // `hnsim clean` cannot reach a remote machine's swarm; say so
            }
            leftovers::clean(&for_handler);
        });
        Ok(Swarm {
            image: format!("{prefix}-probe:latest"),
            dir: leftovers::dir(&prefix),
            opts,
            physical,
            prefix,
            daemons: BTreeMap::new(),
            engines: BTreeMap::new(),
            manager: None,
            live: None,
            skipped: Vec::new(),
            ipvs: has_ipvs(),
            _registration: registration,
        })
    }

    fn run<'a>(&'a self) -> deploy::Run<'a> {
        deploy::Run {
            engines: &self.engines,
            manager: self.manager.as_ref(),
            image: &self.image,
            label: &self.prefix,
            within: self.opts.within,
        }
    }

    /// Starts a daemon per Linux host (or takes its context), forms the swarm and
    /// imports the image.
    fn start(&mut self, design: &Design) -> Result<(), SwarmError> {
        let hosts = &design.scenario.hosts;
        for (name, ctx) in &self.opts.contexts {
            let k = design.host_index(name).ok_or_else(|| {
                SwarmError::Scenario(format!(
                    "--context {name}=…: no host `{name}` in the scenario"
                ))
            })?;
            let e = Engine::Context(ctx.clone());
            let state = docker_at(&e, &["info", "--format", "{{.Swarm.LocalNodeState}}"], None)?;
            if state.trim() != "inactive" {
                return Err(SwarmError::Scenario(format!(
                    "context `{ctx}` (host `{name}`) is already in a swarm ({}); the run never changes a swarm it did not create",
                    state.trim()
                )));
            }
            self.engines.insert(k, e);
        }
        if let Some(physical) = &self.physical {
            for (k, h) in hosts.iter().enumerate() {
                if h.is_windows() || h.docker.absent || self.engines.contains_key(&k) {
                    continue;
                }
                let ns = physical.plan().and_then(|p| match p.hosts.get(k) {
                    Some(crate::netns::plan::Placement::Ns(ns)) => Some(ns.clone()),
                    _ => None,
                });
                let Some(ns) = ns else { continue };
                let d = Daemon::start(&ns, &self.dir.join(format!("h{k}")), &ns, self.opts.within)?;
                self.engines.insert(k, d.engine.clone());
                self.daemons.insert(k, d);
            }
        }
        let (manager, skipped) = cluster::form(design, &self.engines)?;
        self.manager = manager;
        self.skipped = skipped;
        let engines: Vec<Engine> = self.engines.values().cloned().collect();
        image::build_on(
            &engines,
            &self.image,
            &self.opts.agent_exe,
            &self.dir.join("image"),
        )?;
        Ok(())
    }

    fn stop(&mut self) {
        if self.live.take().is_some() || !self.engines.is_empty() {
            let _ = deploy::undeploy(&self.run());
        }
        for (k, e) in &self.engines {
            if self.daemons.contains_key(k) {
                continue;
            }
            // A remote machine: its swarm and image go; nothing else was there.
            let _ = docker_at(e, &["swarm", "leave", "--force"], None);
            let _ = docker_at(e, &["rmi", "-f", &self.image], None);
        }
        for d in self.daemons.values_mut() {
            d.stop(Duration::from_secs(30));
        }
        self.daemons.clear();
        self.engines.clear();
        self.manager = None;
    }

    fn locate(&self, design: &Design, ci: usize) -> Result<&deploy::Placed, String> {
        let live = crate::dataplane::realized(&self.live)?;
        if let Some(why) = live.refused.get(&ci) {
            return Err(why.clone());
        }
        live.containers.get(&ci).ok_or_else(|| {
            let c = &design.scenario.containers[ci];
            match design.host(&c.host) {
                Some(h) if h.is_windows() => format!(
                    "`{}` runs on Windows host `{}`: the swarm backend drives Linux daemons",
                    c.name, h.name
                ),
                _ => format!("container `{}` is not deployed", c.name),
            }
        })
    }
}

/// `HNSIM_KEEP`: the run's daemons, swarm and namespaces stay for inspection (`hnsim
/// clean --prefix` removes them).
fn keep(prefix: &str) -> bool {
    let keep = std::env::var_os("HNSIM_KEEP").is_some();
    if keep {
        eprintln!("HNSIM_KEEP: leaving {prefix} (daemons in {prefix}-* namespaces) for inspection");
    }
    keep
}

impl Drop for Swarm {
    fn drop(&mut self) {
        if session::interrupted() || keep(&self.prefix) {
            return; // the signal handler removes the run, or it is kept
        }
        self.stop();
        if self.opts.contexts.is_empty() {
            leftovers::clean(&self.prefix);
        }
    }
}

/// `docker|<host index>|<container>`: a container's source key.
fn container_source(host: usize, id: &str) -> Source {
    Source(format!("docker|{host}|{id}"))
}

fn parse_source(s: &Source) -> Option<(usize, &str)> {
    let rest = s.0.strip_prefix("docker|")?;
    let (k, id) = rest.split_once('|')?;
    Some((k.parse().ok()?, id))
}

impl Dataplane for Swarm {
    fn run_name(&self) -> RunName<'_> {
        RunName::new(BACKEND, &self.prefix)
    }

    fn realize(&mut self, design: &Design, _step: Option<&Step>) -> Result<(), DataplaneError> {
        if self.engines.is_empty() {
            if let Some(p) = &mut self.physical {
                p.realize(&physical(design), None)?;
            }
            self.start(design)?;
        } else {
            // The next state: the run's objects go and the state's come (the daemons
            // and the swarm stay).
            deploy::undeploy(&self.run())?;
            self.live = None;
        }
        if session::interrupted() {
            return Err(DataplaneError::Interrupted);
        }
        self.live = Some(deploy::deploy(design, &self.run())?);
        Ok(())
    }

    fn observe(&mut self, _design: &Design) -> Result<Vec<String>, DataplaneError> {
        let mut notes = self
            .live
            .as_ref()
            .map(|l| l.notes.clone())
            .unwrap_or_default();
        if !self.ipvs {
            notes.push(format!("{NO_IPVS}; those cells are not emulated"));
        }
        notes.extend(self.skipped.iter().cloned());
        notes.extend(self.live.iter().flat_map(|l| l.refused.values().cloned()));
        Ok(notes)
    }

    fn source(&self, design: &Design, party: &Party) -> Result<Source, String> {
        match *party {
            Party::Endpoint { container, .. } => {
                let p = self.locate(design, container)?;
                if !p.running {
                    return Err(format!(
                        "container `{}` is not running; it sends nothing",
                        design.scenario.containers[container].name
                    ));
                }
                Ok(container_source(p.host, &p.id))
            }
            _ => match &self.physical {
                Some(p) => p.source(design, party),
                None => Err("a remote swarm: hnsim sends probes from its containers only".into()),
            },
        }
    }

    fn resolve(&self, design: &Design, from: &Source, target: &Target) -> Result<Resolved, String> {
        let live = crate::dataplane::realized(&self.live)?;
        let dest = |why: String| format!("destination: {why}");
        let (ip, port) = match target.via {
            Via::Endpoint {
                container,
                attachment,
            } => {
                self.locate(design, container).map_err(dest)?;
                let ip = live
                    .ips
                    .get(&(container, attachment))
                    .copied()
                    .or(target.ip)
                    .ok_or_else(|| dest("the engine gave the endpoint no address".into()))?;
                (ip, target.port)
            }
            Via::Published { mapping, host } => {
                let m = design.published.get(mapping).ok_or("no such mapping")?;
                self.locate(design, m.container).map_err(dest)?;
                let model = target.port.ok_or("a mapping without a port")?;
                let real = live
                    .ports
                    .get(&(host, m.forward.proto, model))
                    .copied()
                    .ok_or_else(|| {
                        dest(format!(
                            "the engine published no {}/{model}",
                            m.forward.proto
                        ))
                    })?;
                (target.ip.ok_or("no host address")?, Some(real))
            }
            Via::Mesh { service, port, .. } => {
                if !self.ipvs {
                    return Err(NO_IPVS.into());
                }
                let real = live
                    .mesh
                    .get(&(service, port))
                    .copied()
                    .ok_or_else(|| dest("swarm published no such port".into()))?;
                (target.ip.ok_or("no host address")?, Some(real))
            }
            _ => match &self.physical {
                Some(p) => return p.resolve(design, from, target),
                None => return Err("a remote swarm: only its containers are probed".into()),
            },
        };
        Ok(Resolved::for_model(target.ip, ip, port))
    }

    fn probe(&self, from: &Source, batch: &Batch) -> Result<BatchResult, DataplaneError> {
        let Some((k, id)) = parse_source(from) else {
            return match &self.physical {
                Some(p) => p.probe(from, batch),
                None => Ok(BatchResult::default()),
            };
        };
        let engine = self
            .engines
            .get(&k)
            .ok_or(DockerError::Scenario("no such host".into()))?;
        let before = crate::kernel::neighbour_overflows();
        let results = crate::docker::in_container(engine, id, batch)?;
        let tainted = crate::kernel::neighbour_overflows() != before;
        Ok(BatchResult { results, tainted })
    }

    fn repro(&self, from: &Source, spec: &ProbeSpec) -> String {
        match (parse_source(from), &self.physical) {
            (Some((k, id)), _) => {
                let at = match self.engines.get(&k) {
                    Some(Engine::Socket(s)) => format!("-H unix://{s} "),
                    Some(Engine::Context(c)) => format!("--context {c} "),
                    _ => String::new(),
                };
                format!(
                    "docker {at}exec {id} {} probe {}",
                    image::AGENT,
                    spec.cli_args().join(" ")
                )
            }
            (None, Some(p)) => p.repro(from, spec),
            (None, None) => String::new(),
        }
    }

    fn parallel_sources(&self, destinations: usize) -> usize {
        crate::kernel::neighbour_parallel_sources(destinations)
    }

    fn clean(&mut self) -> Result<Vec<String>, DataplaneError> {
        if session::interrupted() || keep(&self.prefix) {
            return Ok(Vec::new());
        }
        self.stop();
        let mut removed = Vec::new();
        if let Some(p) = &mut self.physical {
            removed.extend(p.clean()?);
        }
        if self.opts.contexts.is_empty() {
            removed.extend(leftovers::clean(&self.prefix));
        }
        Ok(removed)
    }
}

/// The physical layer of `design`: its segments, hosts, clients and internet, without
/// containers (the daemons run those).
fn physical(design: &Design) -> Design {
    let mut d = design.clone();
    d.scenario.containers.clear();
    d.scenario.services.clear();
    d.endpoints.clear();
    d.published.clear();
    d.service_ports.clear();
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contexts_are_host_equals_context() {
        assert_eq!(
            parse_context("lx1=prod-a"),
            Ok(("lx1".to_string(), "prod-a".to_string()))
        );
        assert!(parse_context("lx1").is_err());
        assert!(parse_context("=x").is_err());
        assert!(parse_context("x=").is_err());
    }

    #[test]
    fn container_sources_round_trip() {
        let s = container_source(2, "abc123");
        assert_eq!(parse_source(&s), Some((2, "abc123")));
        assert_eq!(parse_source(&Source("hns-abcdef-h0".into())), None);
    }
}
