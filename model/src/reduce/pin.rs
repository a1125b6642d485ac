//! A design written as a regression scenario: `expect:` lists the findings `check`
//! reports on it (so `hnsim test` judges the cells alone) and pins cells to what a
//! real dataplane observed, so the test fails until the model agrees with the wire.

use super::to_yaml;
use crate::{Expectations, ExpectedCell, Scenario, Severity};

/// One cell as a real dataplane showed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observed {
    pub from: String,
    pub to: String,
    /// `icmp`, `tcp/80`, `udp/53`.
    pub probe: String,
    /// An answer came back; anything else (silence, a refusal, an unreachable) is
    /// "not delivered", as coarse as the comparison with the wire itself.
    pub delivered: bool,
}

/// `s` named `name`, described by `description`, without its tags and covered facts
/// (they described the design before it was cut), with `cells` as its expected cells
/// (each once), as scenario YAML.
pub fn pinned(s: &Scenario, name: &str, description: &str, cells: &[Observed]) -> String {
    let mut s = s.clone();
    s.name = name.to_string();
    s.description = description.to_string();
    s.tags.clear();
    s.covers.clear();
    s.expect = None;
    let mut expected: Vec<ExpectedCell> = Vec::new();
    for c in cells {
        let e = ExpectedCell {
            from: c.from.clone(),
            to: c.to.clone(),
            probe: c.probe.clone(),
            disposition: if c.delivered { "delivered" } else { "denied" }.to_string(),
            address: None,
        };
        if !expected.contains(&e) {
            expected.push(e);
        }
    }
    s.expect = Some(Expectations {
        findings: findings(&s),
        cells: expected,
    });
    to_yaml(&s)
}

/// The codes `check` reports on `s` at warning or above, each once.
fn findings(s: &Scenario) -> Vec<String> {
    let Ok(doc) = crate::parse_scenario("pinned.yaml", &to_yaml(s)) else {
        return Vec::new();
    };
    let mut codes: Vec<String> = crate::analyse(&doc)
        .findings
        .into_iter()
        .filter(|f| f.severity >= Severity::Warning)
        .map(|f| f.code)
        .collect();
    codes.sort();
    codes.dedup();
    codes
}
