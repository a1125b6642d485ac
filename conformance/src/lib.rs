//! Conformance: realize a scenario on a real Linux dataplane (network namespaces, veth,
//! bridges, VXLAN, nftables), probe every cell of the simulated matrix with real
//! packets, and compare what the wire showed with what the model said.
//!
//! The realization is driven by the resolved [`hnsim_model::Design`] only, never by the
//! simulator's answers, so agreement is an independent check. The simulated matrix
//! only says which cells to probe and which address the source must use.
//!
//! Safety: everything happens inside the run's own namespaces (`hns-<6 hex>-*`); the
//! root namespace's interfaces, routes and firewall are never touched, and every
//! address probed exists only inside those namespaces.

pub mod agent;
pub mod compare;
pub mod docker;
pub mod hns;
pub mod realize;
pub mod run;
pub mod sys;

pub use compare::{compare, ObservedCell};
pub use run::{conform, probe, realize, Options, Run, RunError, BACKEND};
pub use sys::{is_root, SysError, NS_PREFIX};

/// Removes what runs left behind: every namespace starting with `prefix` (default:
/// every namespace of this backend, `hns-`), and the agents still running in them.
/// Returns the namespaces removed.
pub fn clean(prefix: Option<&str>) -> Result<Vec<String>, SysError> {
    sys::require_root()?;
    let prefix = match prefix {
        // A whole run prefix (`hns-1a2b3c`) names that run's namespaces only.
        Some(p) if p.len() == NS_PREFIX.len() + 6 => format!("{p}-"),
        Some(p) => p.to_string(),
        None => NS_PREFIX.to_string(),
    };
    sys::clean(&prefix)
}
