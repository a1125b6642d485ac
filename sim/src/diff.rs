//! Differential reachability (Batfish): two matrices compared cell by cell. Cells are
//! matched on (from, to, probe); a cell present on one side only is a change too.

use crate::matrix::{Address, Disposition, Probe, StateMatrix};
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;
use std::collections::BTreeMap;

#[skip_serializing_none]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellChange {
    pub from: String,
    pub to: String,
    pub probe: Probe,
    /// `None`: the cell does not exist before (new node or probe); written as `null`.
    #[serialize_always]
    pub before: Option<Disposition>,
    #[serialize_always]
    pub after: Option<Disposition>,
    pub before_address: Option<Address>,
    pub after_address: Option<Address>,
}

impl CellChange {
    /// Reachability itself changed (not only the address or the path).
    pub fn reachability_changed(&self) -> bool {
        let d = |x: &Option<Disposition>| x.as_ref().map(std::mem::discriminant);
        d(&self.before) != d(&self.after)
    }
}

type Outcome = (Disposition, Option<Address>);

fn outcomes(m: &StateMatrix) -> BTreeMap<(String, String, Probe), Outcome> {
    m.outcomes()
        .map(|(from, to, p, d, a)| ((from.to_string(), to.to_string(), p), (d, a)))
        .collect()
}

/// Cells whose disposition or address differ, in a stable order.
pub fn diff(a: &StateMatrix, b: &StateMatrix) -> Vec<CellChange> {
    let before = outcomes(a);
    let after = outcomes(b);
    let mut keys: Vec<_> = before.keys().chain(after.keys()).cloned().collect();
    keys.sort();
    keys.dedup();
    let mut out = Vec::new();
    for k in keys {
        let x = before.get(&k);
        let y = after.get(&k);
        if x.is_some() && x == y {
            continue;
        }
        out.push(CellChange {
            from: k.0.clone(),
            to: k.1.clone(),
            probe: k.2,
            before: x.map(|c| c.0.clone()),
            after: y.map(|c| c.0.clone()),
            before_address: x.and_then(|c| c.1.clone()),
            after_address: y.and_then(|c| c.1.clone()),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A step that removes a container: its cells are gone, and that is a change.
    #[test]
    fn cells_of_removed_nodes_are_changes() {
        let doc = crate::testing::scenario("name: t\nhosts:\n  - {name: d1, os: linux}\ncontainers:\n  - {name: a, host: d1}\n  - {name: b, host: d1}\nsteps:\n  - remove: b\n");
        let r = crate::simulate(&doc);
        assert_eq!(r.states.len(), 2);
        let changes = diff(&r.states[0], &r.states[1]);
        assert!(
            changes
                .iter()
                .any(|c| c.from == "a@bridge" && c.to == "b@bridge" && c.after.is_none()),
            "{changes:?}"
        );
        assert!(changes.iter().all(|c| c.reachability_changed()));
        let back = diff(&r.states[1], &r.states[0]);
        assert!(back.iter().any(|c| c.before.is_none() && c.after.is_some()));
    }
}
