//! The Docker engine backend: a Linux-driver scenario realized on the real Docker
//! engine of this machine, probed from inside the source containers (`docker exec`)
//! and from the Docker host itself.
//!
//! What is realized (see [`plan`]): the scenario's bridge and macvlan networks (the
//! default `bridge` too, as a user-defined bridge of the run), `host` and `none`
//! containers, published ports, one container per scenario container on one host, each
//! running the probe agent (`hnsim probe serve`) from an image built FROM scratch
//! ([`image`]). Around the engine's machine (as root on Linux): the scenario's LAN
//! segments, their router, LAN clients and the internet, as network namespaces joined
//! to the machine by the run's own links ([`lan`]; the host's address is its stand-in
//! there; other hosts are machines on it, without their containers; a macvlan network
//! on the host's LAN NIC takes that NIC's link as its parent; a host-network container
//! serves on the host's stand-in only). What is not: ipvlan, overlay (swarm mode),
//! other hosts' containers, and macvlan endpoints off the LAN with it (their parent is
//! a wire of the run): their cells come back `not-emulated` with the reason.
//!
//! Timeline: the first state is built; each step is then applied to the live engine
//! with the docker commands a user would type ([`steps`]).
//!
//! Safety: every object is named `hnsim-<6 hex>-...` (links `hnsim<6 hex>...`,
//! namespaces `hns-<6 hex>d-...`) and labelled with the run; only such objects are ever
//! removed; every probed address belongs to one of the run's own networks or its LAN
//! and internet (published ports are bound to the run's stand-in host address, never to
//! the machine's interfaces), and every such address is routed on a run link. Objects
//! are removed when the run ends, on error, by the shared signal handler
//! ([`crate::session`]), and by `hnsim clean` after a SIGKILL; the engine's own
//! configuration is never changed.

pub(crate) mod build;
pub mod cli;
mod engine;
mod icmp;
pub mod image;
pub mod lan;
mod locate;
#[cfg(target_os = "linux")]
mod outside;
pub mod plan;
pub(crate) mod planning;
mod readback;
mod send;
mod steps;
pub mod windows;

use crate::agent::{Batch, ProbeSpec};
use crate::dataplane::{BatchResult, Dataplane, DataplaneError, Resolved, RunName, Source};
use crate::session::{self, Registration};
use crate::target::{Party, Target};
use build::Realized;
use hnsim_model::{Design, Protocol, Step};
use hnsim_sim::Probe;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

pub use cli::PREFIX;
pub use send::in_container;

pub const BACKEND: &str = "docker";

#[derive(Debug, thiserror::Error)]
pub enum DockerError {
    #[error("the Docker engine is not usable here: {0}")]
    Unavailable(String),
    #[error("`{cmd}` failed: {stderr}")]
    Command { cmd: String, stderr: String },
    #[error("cannot run `{cmd}`: {err} (is the docker client installed?)")]
    Spawn { cmd: String, err: std::io::Error },
    #[error("refusing to act on `{0}`: not an object of this backend (they start with `hnsim-`)")]
    NotOurs(String),
    #[error("building the probe image: {0}")]
    Image(String),
    #[error("probe agent in {container}: {message}")]
    Agent { container: String, message: String },
    #[error("{0}")]
    Scenario(String),
}

/// How to build the agent image and which host to realize.
#[derive(Clone, Debug)]
pub struct Options {
    /// The `hnsim` binary copied into the probe image.
    pub agent_exe: PathBuf,
    /// The scenario host to realize; default: the first Linux host with containers.
    pub host: Option<String>,
    /// How long to wait for an agent's `ready`.
    pub agent_start: Duration,
    /// The run prefix (`hnsim-<6 hex>-`); default: a fresh one. A caller that must find
    /// the run's objects itself (a test sending Ctrl-C) names it with
    /// `HNSIM_DOCKER_PREFIX`.
    pub prefix: Option<String>,
    /// Ports the run's internet serves (the matrix's internet node says which).
    pub internet_listens: Vec<Probe>,
}

impl Options {
    pub fn new(agent_exe: PathBuf) -> Self {
        Options {
            agent_exe,
            host: None,
            agent_start: Duration::from_secs(15),
            prefix: std::env::var("HNSIM_DOCKER_PREFIX").ok(),
            internet_listens: Vec::new(),
        }
    }
}

/// `Ok` when `docker info` answers and the engine runs Linux containers, or Windows
/// containers on this (Windows) machine.
pub fn available() -> Result<(), DockerError> {
    let os = engine_os()?;
    match os.as_str() {
        "linux" => Ok(()),
        windows::OS_TYPE if cfg!(windows) => Ok(()),
        other => Err(DockerError::Unavailable(format!(
            "the engine runs `{other}` containers; this backend needs Linux containers"
        ))),
    }
}

/// The kind of containers the engine runs (`linux`, `windows`).
pub fn engine_os() -> Result<String, DockerError> {
    cli::docker(&["info", "--format", "{{.OSType}}"], None)
        .map(|s| s.trim().to_string())
        .map_err(|e| DockerError::Unavailable(e.to_string()))
}

/// The Docker dataplane for this machine's engine: Linux containers ([`Docker`]), or
/// Windows containers on a Windows machine ([`windows::WindowsDocker`]).
pub fn open(opts: Options) -> Result<Box<dyn Dataplane>, DockerError> {
    if engine_os()? == windows::OS_TYPE {
        if !cfg!(windows) {
            return Err(DockerError::Unavailable(
                "the engine runs Windows containers; drive it from hnsim on the Windows \
                 host itself (its agent and firewall are local)"
                    .into(),
            ));
        }
        let prefix = match &opts.prefix {
            Some(p) if p.starts_with(PREFIX) && p.ends_with('-') => p.clone(),
            Some(p) => return Err(DockerError::NotOurs(p.clone())),
            None => new_prefix()?,
        };
        return Ok(Box::new(windows::WindowsDocker::new(opts, prefix)?));
    }
    Ok(Box::new(Docker::new(opts)?))
}

/// A fresh run prefix `hnsim-<6 hex>-`, used by no existing object.
pub fn new_prefix() -> Result<String, DockerError> {
    let existing = cli::list(PREFIX)?.names();
    let stem = session::new_prefix(PREFIX, None, |p| {
        existing.iter().any(|n| n.starts_with(&format!("{p}-")))
    });
    Ok(format!("{stem}-"))
}

/// Removes the objects of run `prefix` (`hnsim-1a2b3c`), or of every run, and the
/// image staging directories they left in the temp directory. Returns the names
/// removed.
pub fn clean(prefix: Option<&str>) -> Result<Vec<String>, DockerError> {
    let prefix = match prefix {
        Some(p) if p.len() == PREFIX.len() + 6 => format!("{p}-"),
        Some(p) => p.to_string(),
        None => PREFIX.to_string(),
    };
    let mut removed = build::remove_outside(&prefix);
    removed.extend(cli::remove_all(&prefix)?);
    removed.extend(image::remove_staging(&prefix));
    if cfg!(windows) && windows::remove_firewall_rules(&prefix).is_ok() {
        removed.push(format!("{prefix}* (firewall rules)"));
    }
    Ok(removed)
}

/// Names of the objects of run `prefix` that exist now.
pub fn leftovers(prefix: &str) -> Result<Vec<String>, DockerError> {
    let mut names = cli::list(prefix)?.names();
    #[cfg(target_os = "linux")]
    names.extend(outside::leftovers(prefix));
    names.extend(
        image::staging(prefix)
            .iter()
            .map(|p| p.display().to_string()),
    );
    Ok(names)
}

/// A run on the Docker engine. Dropping it removes every object it created.
pub struct Docker {
    opts: Options,
    prefix: String,
    host: Option<usize>,
    live: Option<Realized>,
    /// Why the last step was built anew instead of applied to the live engine.
    rebuilt: Option<String>,
    listeners: BTreeSet<(Protocol, u16)>,
    /// The LAN clients and internet around the host, while they live.
    outside: build::OutsideSlot,
    _registration: Registration,
}

impl Docker {
    /// A new run: checks the engine and registers the run's clean-up with the signal
    /// handler. Nothing is created before [`Dataplane::realize`].
    pub fn new(opts: Options) -> Result<Self, DockerError> {
        available()?;
        let prefix = match &opts.prefix {
            Some(p) if p.starts_with(PREFIX) && p.ends_with('-') => p.clone(),
            Some(p) => return Err(DockerError::NotOurs(p.clone())),
            None => new_prefix()?,
        };
        let for_handler = prefix.clone();
        let registration = session::register(prefix.trim_end_matches('-'), move || {
            // Twice: a command the run had already started may create an object after
            // the first listing.
            let _ = clean(Some(&for_handler));
            std::thread::sleep(Duration::from_millis(500));
            let _ = clean(Some(&for_handler));
        });
        Ok(Docker {
            opts,
            prefix,
            host: None,
            live: None,
            rebuilt: None,
            listeners: crate::kernel::machine_listeners(),
            outside: Default::default(),
            _registration: registration,
        })
    }

    fn live(&self) -> Result<&Realized, String> {
        crate::dataplane::realized(&self.live)
    }
}

impl Drop for Docker {
    fn drop(&mut self) {
        if session::interrupted() {
            return; // the signal handler removes the run
        }
        self.outside = Default::default();
        if let Err(e) = clean(Some(&self.prefix)) {
            warn_clean_up(&self.prefix, &e);
        }
    }
}

/// Says that removing run `prefix` failed, and how to finish it by hand.
fn warn_clean_up(prefix: &str, e: &DockerError) {
    eprintln!(
        "warning: clean-up of {prefix}: {e} (run `hnsim clean --prefix {}`)",
        prefix.trim_end_matches('-')
    );
}

impl Dataplane for Docker {
    fn run_name(&self) -> RunName<'_> {
        RunName::new(BACKEND, &self.prefix)
    }

    fn realize(&mut self, design: &Design, step: Option<&Step>) -> Result<(), DataplaneError> {
        let wanted = self.opts.host.as_deref();
        let host = planning::run_host(&mut self.host, || plan::choose_host(design, wanted))?;
        if session::interrupted() {
            return Err(DataplaneError::Interrupted);
        }
        self.rebuilt = None;
        if let (Some(live), Some(_)) = (self.live.as_mut(), step) {
            match steps::apply(live, design, &self.opts, host, &self.prefix)? {
                steps::Applied::Live => return Ok(()),
                steps::Applied::Rebuild(why) => self.rebuilt = Some(why),
            }
        }
        if self.live.is_some() {
            build::remove_objects(&self.prefix, &mut self.outside)?;
            self.live = None;
        }
        // Another run taking a subnet between our look and our create is planned
        // around, a few times.
        let mut attempt = 0;
        self.live = Some(loop {
            match build::build(design, &self.opts, host, &self.prefix, &mut self.outside) {
                Err(e) if attempt < 3 && build::taken_meanwhile(&e) => {
                    build::remove_objects(&self.prefix, &mut self.outside)?;
                    attempt += 1;
                }
                built => break built?,
            }
        });
        Ok(())
    }

    /// The engine's own embedded resolver answers, at the `/etc/resolv.conf` of each
    /// container. Not between containers of which one is on the default bridge: it is
    /// realized as a user-defined bridge, which has the resolver the real one lacks.
    fn asked_name(&self, design: &Design, from: &Party, to: &Party) -> Option<String> {
        let on_default_bridge = |p: &Party| match *p {
            Party::Endpoint { container, .. } => design.endpoints_of(container).any(|e| {
                e.network
                    .and_then(|n| design.scenario.networks.get(n))
                    .is_some_and(|n| n.origin.implicit && n.name == "bridge")
            }),
            _ => false,
        };
        if on_default_bridge(from) || on_default_bridge(to) {
            return None;
        }
        crate::names::asked(design, from, to)
    }

    fn observe(&mut self, _design: &Design) -> Result<Vec<String>, DataplaneError> {
        let mut notes = self.live().map(|r| r.notes.clone()).unwrap_or_default();
        if let Some((entries, limit)) = crate::kernel::neighbour_pressure() {
            notes.push(format!(
                "the kernel's neighbour table holds {entries} entries of at most {limit} \
                 (net.ipv4.neigh.default.gc_thresh3, shared by all namespaces): addresses \
                 may not resolve, and probes are re-sent when it overflows"
            ));
        }
        Ok(notes)
    }

    fn source(&self, design: &Design, party: &Party) -> Result<Source, String> {
        locate::source(self.live()?, design, party)
    }

    fn resolve(&self, design: &Design, from: &Source, target: &Target) -> Result<Resolved, String> {
        locate::resolve(self.live()?, design, from, target, &self.listeners)
    }

    fn probe(&self, from: &Source, batch: &Batch) -> Result<BatchResult, DataplaneError> {
        let before = crate::kernel::neighbour_overflows();
        let results = send::run_batch(&from.0, &batch.probes, &batch.timing)?;
        let tainted = crate::kernel::neighbour_overflows() != before;
        Ok(BatchResult { results, tainted })
    }

    fn repro(&self, from: &Source, spec: &ProbeSpec) -> String {
        match from.0.as_str() {
            ns if lan::is_outside_source(ns) => format!(
                "ip netns exec {ns} hnsim probe {}",
                spec.cli_args().join(" ")
            ),
            locate::HOST if spec.probe == Probe::Icmp => format!("ping -c 1 {}", spec.ip),
            locate::HOST => format!("hnsim probe {}", spec.cli_args().join(" ")),
            name => format!(
                "docker exec {name} {} probe {}",
                image::AGENT,
                spec.cli_args().join(" ")
            ),
        }
    }

    fn parallel_sources(&self, destinations: usize) -> usize {
        // Containers hold dynamic neighbour entries like any namespace of the kernel.
        crate::kernel::neighbour_parallel_sources(destinations)
    }

    fn clean(&mut self) -> Result<Vec<String>, DataplaneError> {
        self.live = None;
        self.outside = Default::default();
        if session::interrupted() {
            return Ok(Vec::new()); // the signal handler removes the run
        }
        Ok(clean(Some(&self.prefix))?)
    }
}

#[cfg(test)]
mod tests;
