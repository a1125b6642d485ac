//! `hnsim trace`: one cell (or the cells of every probe) between two nodes, named the
//! way a user thinks of them.

use crate::matrix::{Cell, Node, NodeKind, Probe, StateMatrix};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TraceError {
    #[error("no node matches `{name}`; nodes are: {}", known.join(", "))]
    NotFound { name: String, known: Vec<String> },
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

/// Finds a node by id, container name, host name (`win1` or `host:win1`), client name
/// or `internet`.
pub(crate) fn resolve<'a>(state: &'a StateMatrix, name: &str) -> Result<&'a Node, TraceError> {
    if let Some(n) = state.node(name) {
        return Ok(n);
    }
    let matches: Vec<&Node> = state
        .nodes
        .iter()
        .filter(|n| match n.kind {
            NodeKind::Endpoint => n.container.as_deref() == Some(name),
            NodeKind::Host => n.host.as_deref() == Some(name),
            NodeKind::Client => n.id.strip_prefix("client:") == Some(name),
            NodeKind::Internet => false,
        })
        .collect();
    match matches.as_slice() {
        [one] => Ok(one),
        [] => Err(TraceError::NotFound {
            name: name.to_string(),
            known: state.nodes.iter().map(|n| n.id.clone()).collect(),
        }),
        many => Err(TraceError::Ambiguous {
            name: name.to_string(),
            candidates: many.iter().map(|n| n.id.clone()).collect(),
        }),
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
