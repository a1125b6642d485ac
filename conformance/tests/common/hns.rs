//! Shared by the HNS inspection tests: the captured dumps, bundled scenarios, and
//! reading an inspection's checks.

use hnsim_conformance::hns::{Check, Inspection};
use hnsim_model::Analysis;
use std::path::PathBuf;

/// A captured dump under `tests/fixtures/hns`.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/hns")
        .join(name)
}

pub fn analysis_of(text: &str) -> Analysis {
    let doc = hnsim_model::parse_scenario("t.yaml", text).expect("parses");
    hnsim_model::analyse(&doc)
}

/// The text of a bundled scenario (`pitfalls/github-windows-runner.yaml`).
pub fn scenario(file: &str) -> String {
    std::fs::read_to_string(super::workspace().join("scenarios").join(file))
        .expect("bundled scenario")
}

/// The check of `object`'s `field`; panics with every check when there is none.
pub fn check<'a>(i: &'a Inspection, object: &str, field: &str) -> &'a Check {
    i.checks
        .iter()
        .find(|c| c.object == object && c.field == field)
        .unwrap_or_else(|| panic!("no check {object} / {field} in {:#?}", i.checks))
}

/// The failed checks, for an assertion's message.
pub fn failures(i: &Inspection) -> Vec<String> {
    i.checks
        .iter()
        .filter(|c| c.status.fails())
        .map(|c| format!("{} {}: {:?} ({})", c.object, c.field, c.status, c.observed))
        .collect()
}
