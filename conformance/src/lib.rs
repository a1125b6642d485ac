//! Conformance: realize a scenario on a real dataplane (Linux network namespaces, the
//! Docker engine, ...), probe every cell of the simulated matrix with real packets, and
//! compare what the wire showed with what the model said.
//!
//! Every backend is a [`Dataplane`]; what to probe comes from the resolved
//! [`hnsim_model::Design`] only ([`target`]), never from the simulator's answers, so
//! agreement is an independent check: the simulated matrix only says which cells to
//! probe, and [`compare`] is the one place that reads its answers.

pub mod agent;
pub mod compare;
pub mod dataplane;
pub mod differential;
pub mod docker;
pub mod hns;
pub mod kernel;
pub mod names;
#[cfg(target_os = "linux")]
pub mod netns;
pub mod probing;
pub mod record;
pub mod session;
#[cfg(target_os = "linux")]
pub mod swarm;
pub mod sys;
pub mod target;
#[cfg(test)]
mod testing;
pub mod timeline;

pub use compare::{compare, ObservedCell};
pub use dataplane::{BatchResult, Dataplane, DataplaneError, Resolved, RunName, Source};
pub use probing::{probe_state, ProbeOptions};
pub use sys::{is_root, SysError};
pub use timeline::{attach, StateRun};

/// What `clean` removed for one backend.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Removed {
    pub backend: &'static str,
    pub names: Vec<String>,
}

/// Removes what killed runs left behind: everything of run `prefix` (a run prefix of
/// any backend: `hns-1a2b3c`, `hnsim-1a2b3c`), or of every run of every backend usable
/// here.
pub fn clean(prefix: Option<&str>) -> Result<Vec<Removed>, DataplaneError> {
    let mut out = Vec::new();
    let docker_prefix = prefix.filter(|p| p.starts_with(docker::PREFIX));
    #[cfg(target_os = "linux")]
    let netns_prefix = prefix.filter(|p| p.starts_with(netns::NS_PREFIX));
    #[cfg(not(target_os = "linux"))]
    let netns_prefix: Option<&str> = None;
    if let Some(p) = prefix {
        if docker_prefix.is_none() && netns_prefix.is_none() {
            return Err(DataplaneError::NotARun(p.to_string()));
        }
    }
    if docker_prefix.is_some() || (prefix.is_none() && docker::available().is_ok()) {
        out.push(Removed {
            backend: docker::BACKEND,
            names: docker::clean(docker_prefix)?,
        });
    }
    #[cfg(target_os = "linux")]
    if netns_prefix.is_some() || (prefix.is_none() && is_root()) {
        // The namespaces first: a swarm daemon in one would restart the containers
        // that the swarm clean-up kills.
        let mut names = netns::clean(netns_prefix).map_err(netns::NetnsError::from)?;
        names.extend(swarm::leftovers::clean(
            netns_prefix.unwrap_or(netns::NS_PREFIX),
        ));
        out.push(Removed {
            backend: netns::BACKEND,
            names,
        });
    }
    Ok(out)
}
