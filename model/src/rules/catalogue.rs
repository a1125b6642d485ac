//! The rule catalogue: what every finding code says — severity, the facts it rests on,
//! title, explanation and help — kept as data (`rules.yaml` beside this crate), as the
//! facts are in `facts.yaml`.
//!
//! The checks are code and the words are prose: keeping the prose in one file lets a
//! reviewer read every message in one place, and `hnsim explain`, SARIF and the findings
//! all quote the same entry. The file is embedded in the binary and parsed once, on first
//! use.

use crate::finding::Severity;
use crate::hash::HashMap;
use serde::Deserialize;
use std::sync::OnceLock;

/// One entry of the catalogue.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RuleText {
    /// The stable code, e.g. `HNS012`.
    pub code: String,
    pub severity: Severity,
    /// SPEC fact IDs the rule rests on.
    pub facts: Vec<String>,
    /// One line: what is wrong.
    pub title: String,
    /// The long form: why it is wrong, what Docker/HNS do, where the fact comes from.
    pub explanation: String,
    /// How to fix it.
    pub help: String,
}

const CATALOGUE: &str = include_str!("../../rules.yaml");

struct Catalogue {
    entries: Vec<RuleText>,
    by_code: HashMap<String, usize>,
}

fn catalogue() -> &'static Catalogue {
    static RULES: OnceLock<Catalogue> = OnceLock::new();
    RULES.get_or_init(|| {
        // The catalogue is part of the source; the tests parse it and check it against
        // the rules, so a failure here is a build defect, never a user input problem.
        let entries: Vec<RuleText> =
            serde_yaml_ng::from_str(CATALOGUE).expect("rules.yaml is a valid rule catalogue");
        let by_code = entries
            .iter()
            .enumerate()
            .map(|(i, r)| (r.code.clone(), i))
            .collect();
        Catalogue { entries, by_code }
    })
}

/// Every entry, in catalogue order (grouped by the module that checks it).
pub fn all() -> &'static [RuleText] {
    &catalogue().entries
}

/// The entry of `code`, spelt exactly as the checks spell it.
pub fn exact(code: &str) -> Option<&'static RuleText> {
    let c = catalogue();
    c.by_code.get(code).map(|&i| &c.entries[i])
}
