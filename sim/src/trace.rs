//! `hnsim trace`: one cell (or the cells of every probe) between two nodes, named the
//! way a user thinks of them.

use crate::matrix::{Cell, Node, Probe, StateMatrix};
use crate::query::NameError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TraceError {
    #[error("{}", NameError::NotFound { name: name.clone(), near: near.clone(), known: known.clone() })]
    NotFound {
        name: String,
        /// Names close in spelling, best first.
        near: Vec<String>,
        known: Vec<String>,
    },
    #[error("`{name}` is ambiguous; it matches {}: use one of these ids", candidates.join(", "))]
    Ambiguous {
        name: String,
        candidates: Vec<String>,
    },
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
/// or swarm service name, host or client name, kinds in any case.
pub(crate) fn resolve<'a>(state: &'a StateMatrix, name: &str) -> Result<&'a Node, TraceError> {
    match crate::query::resolve_name(&state.nodes, name) {
        Ok(i) => Ok(&state.nodes[i]),
        Err(NameError::NotFound { name, near, known }) => {
            Err(TraceError::NotFound { name, near, known })
        }
        Err(NameError::Ambiguous { name, candidates }) => {
            Err(TraceError::Ambiguous { name, candidates })
        }
    }
}

/// The cells from `from` to `to`: the one for `probe`, or every probe of `to`.
pub fn trace<'a>(
    state: &'a StateMatrix,
    from: &str,
    to: &str,
    probe: Option<Probe>,
) -> Result<Vec<&'a Cell>, TraceError> {
    let a = resolve(state, from)?;
    let b = resolve(state, to)?;
    if a.id == b.id {
        return Err(TraceError::SameNode {
            from: from.to_string(),
            to: to.to_string(),
        });
    }
    let cells: Vec<&Cell> = state
        .cells
        .iter()
        .filter(|c| c.from == a.id && c.to == b.id && probe.is_none_or(|p| c.probe == p))
        .collect();
    if cells.is_empty() {
        if let Some(p) = probe {
            return Err(TraceError::NoSuchProbe {
                to: b.id.clone(),
                probe: p,
                probes: state
                    .cells
                    .iter()
                    .filter(|c| c.from == a.id && c.to == b.id)
                    .map(|c| c.probe.to_string())
                    .collect(),
            });
        }
    }
    Ok(cells)
}
