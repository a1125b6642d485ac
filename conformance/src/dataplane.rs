//! The one interface every real dataplane implements: realize a state of the design,
//! read back what the dataplane made of it, say where a node's probes leave from and
//! what a design address is there, send a batch of probes, and remove everything.
//!
//! The backends (`netns`, `docker`, ...) are thin adapters behind this trait; what they
//! share — choosing targets ([`crate::target`]), planning and scheduling batches and
//! turning results into observations ([`crate::probing`]), walking the timeline
//! ([`crate::timeline`]), run prefixes, signals and progress ([`crate::session`]) — is
//! written once, on top of it.

use crate::agent::{Batch, ProbeResult, ProbeSpec};
use crate::target::{Party, Target};
use hnsim_model::{Design, Step};
use std::net::IpAddr;

/// Where a batch of probes is sent from, in the backend's own words (a namespace, a
/// container, the engine's host). Sources are batched by this key.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Source(pub String);

/// A design target as it exists on the dataplane.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    pub ip: IpAddr,
    /// The destination port (TCP/UDP); `None` for ICMP.
    pub port: Option<u16>,
    /// Said next to what was sent, when the dataplane's address differs from the
    /// design's (an engine-chosen subnet or port).
    pub note: Option<String>,
    /// Set when the dataplane is known to answer this probe differently from real HNS or
    /// Docker, with the reason: a disagreement then counts as a known divergence.
    pub divergence: Option<String>,
}

impl Resolved {
    pub fn at(ip: IpAddr, port: Option<u16>) -> Self {
        Resolved {
            ip,
            port,
            note: None,
            divergence: None,
        }
    }
    /// `ip:port` for the design's address `model`, with a note when they differ.
    pub fn for_model(model: Option<IpAddr>, ip: IpAddr, port: Option<u16>) -> Self {
        Resolved {
            note: model
                .filter(|m| *m != ip)
                .map(|m| format!("model address {m} is {ip} here")),
            ..Resolved::at(ip, port)
        }
    }
}

/// What one batch showed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BatchResult {
    pub results: Vec<ProbeResult>,
    /// True when something outside the design may have lost packets while the batch ran
    /// (the kernel's neighbour table overflowed): probes without a reply are sent again.
    pub tainted: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum DataplaneError {
    #[cfg(target_os = "linux")]
    #[error(transparent)]
    Netns(#[from] crate::netns::NetnsError),
    #[error(transparent)]
    Docker(#[from] crate::docker::DockerError),
    #[cfg(target_os = "linux")]
    #[error(transparent)]
    Swarm(#[from] crate::swarm::SwarmError),
    #[error("probe agent in {source_name}: {message}")]
    Agent {
        source_name: String,
        message: String,
    },
    /// Ctrl-C, SIGTERM or SIGHUP: the signal handler is removing the run.
    #[error("interrupted")]
    Interrupted,
    #[error("`{0}` is not a run prefix (`hns-<6 hex>` for netns, `hnsim-<6 hex>` for docker)")]
    NotARun(String),
}

/// A backend's realized run, or why there is none to probe: every backend keeps it as
/// an `Option` and answers a source or target asked before `realize` with this.
pub(crate) fn realized<T>(live: &Option<T>) -> Result<&T, String> {
    live.as_ref()
        .ok_or_else(|| "nothing is realized".to_string())
}

/// What names a run: its backend and the prefix of every object it creates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunName<'a> {
    pub backend: &'static str,
    pub prefix: &'a str,
}

impl<'a> RunName<'a> {
    pub fn new(backend: &'static str, prefix: &'a str) -> Self {
        RunName { backend, prefix }
    }
}

/// A real dataplane. Every method is called from one thread except [`Dataplane::probe`],
/// which the scheduler calls from several at once.
pub trait Dataplane: Sync {
    /// The backend and the prefix of this run.
    fn run_name(&self) -> RunName<'_>;

    /// The backend's name in reports: `netns`, `docker`.
    fn backend(&self) -> &'static str {
        self.run_name().backend
    }

    /// The prefix every object of this run is named with (`hns-1a2b3c`,
    /// `hnsim-1a2b3c-`): `hnsim clean --prefix` removes exactly that.
    fn prefix(&self) -> &str {
        self.run_name().prefix
    }

    /// Builds `design` (the first call), or moves the live dataplane to it: `step` is
    /// the timeline step that led from the previously realized state to this one.
    fn realize(&mut self, design: &Design, step: Option<&Step>) -> Result<(), DataplaneError>;

    /// What the live dataplane gave that the design did not say (addresses and ports the
    /// engine chose, substitutions the backend made), read back after
    /// [`Dataplane::realize`]; one sentence each, for the report.
    fn observe(&mut self, design: &Design) -> Result<Vec<String>, DataplaneError>;

    /// Where `party`'s probes leave from, or why it sends nothing on this dataplane.
    fn source(&self, design: &Design, party: &Party) -> Result<Source, String>;

    /// What `target` is on this dataplane, seen from `from`, or why probing it would not
    /// say anything about the design (not emulated, outside the run).
    fn resolve(&self, design: &Design, from: &Source, target: &Target) -> Result<Resolved, String>;

    /// The name `from` asks for `to` before probing its own address
    /// ([`crate::names::asked`]), where the dataplane has Docker's embedded resolver or
    /// stands in for it and the answer says something about the design.
    fn asked_name(&self, _design: &Design, _from: &Party, _to: &Party) -> Option<String> {
        None
    }

    /// Sends one source's probes and returns one result per probe.
    fn probe(&self, from: &Source, batch: &Batch) -> Result<BatchResult, DataplaneError>;

    /// A command that repeats one probe by hand.
    fn repro(&self, from: &Source, spec: &ProbeSpec) -> String;

    /// How many sources may be probed at once when a source probes at most
    /// `destinations` distinct addresses.
    fn parallel_sources(&self, destinations: usize) -> usize;

    /// Removes everything this run created; safe to call more than once. Returns the
    /// names of what was removed.
    fn clean(&mut self) -> Result<Vec<String>, DataplaneError>;
}
