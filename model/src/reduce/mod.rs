//! Design reduction: the smaller designs a scenario can be cut down to ([`cuts`]) and
//! greedy delta debugging over them ([`shrink`]), for differential runs that turn a
//! large generated design on which the model and a real dataplane disagree into the
//! smallest design that still shows the disagreement. Pure: what "still disagrees"
//! means is a function the caller passes in (a real probe run, or a test's fake), and
//! nothing here reads or writes anything.
//!
//! A candidate is offered to that function only when it is still a valid design:
//! written back as scenario text it parses, and `check` finds no errors in it
//! ([`valid`]). Cutting never renames anything, so a cell named in the original design
//! (`c0@nat`, `host:h1`) keeps its name in every smaller one.

mod cuts;
mod pin;
mod shrink;

pub use cuts::{candidates, Cut};
pub use pin::{pinned, Observed};
pub use shrink::{shrink, Shrunk};

use crate::Scenario;

/// The scenario as native scenario YAML (what `hnsim check/sim/test` read).
pub fn to_yaml(s: &Scenario) -> String {
    // Every field of a scenario is plain data (strings, numbers, lists, maps):
    // serialisation cannot fail, and an empty text would be refused by the parser.
    serde_yaml_ng::to_string(s).unwrap_or_default()
}

/// Whether `s` written back as text parses and validates without errors.
pub fn valid(s: &Scenario) -> bool {
    let Ok(doc) = crate::parse_scenario("reduced.yaml", &to_yaml(s)) else {
        return false;
    };
    !crate::analyse(&doc)
        .findings
        .iter()
        .any(|f| f.severity == crate::Severity::Error)
}

#[cfg(test)]
mod tests;
