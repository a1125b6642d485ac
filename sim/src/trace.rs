//! `hnsim trace`: one cell (or the cells of every probe) between two nodes, named the
//! way a user thinks of them.

use crate::matrix::{Cell, Probe, StateMatrix};
use crate::query::NameError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TraceError {
    /// A name that matches no node, or several.
    #[error(transparent)]
    Name(#[from] NameError),
    #[error("`{from}` and `{to}` are the same node")]
    SameNode { from: String, to: String },
    #[error("{to} is not probed with {probe}; its probes are: {}", probes.join(", "))]
    NoSuchProbe {
        to: String,
        probe: Probe,
        probes: Vec<String>,
    },
}

/// Finds a node by the names people type (see [`crate::query`]): id, container, compose
/// or swarm service name, host or client name, kinds in any case. Returns its index.
pub(crate) fn resolve(state: &StateMatrix, name: &str) -> Result<usize, TraceError> {
    Ok(crate::query::resolve_name(&state.nodes, name)?)
}

/// The cells from `from` to `to` of a simulated state: the one for `probe`, or every
/// probe of `to`.
pub fn trace(
    state: &StateMatrix,
    from: &str,
    to: &str,
    probe: Option<Probe>,
) -> Result<Vec<Cell>, TraceError> {
    let a = resolve(state, from)?;
    let b = resolve(state, to)?;
    if a == b {
        return Err(TraceError::SameNode {
            from: from.to_string(),
            to: to.to_string(),
        });
    }
    let cells: Vec<Cell> = state
        .pair_cells(a, b)
        .filter(|c| probe.is_none_or(|p| c.probe == p))
        .collect();
    match probe {
        Some(p) if cells.is_empty() => Err(TraceError::NoSuchProbe {
            to: state.nodes[b].id.clone(),
            probe: p,
            probes: state
                .pair(a, b)
                .iter()
                .map(|(p, _)| p.to_string())
                .collect(),
        }),
        _ => Ok(cells),
    }
}
