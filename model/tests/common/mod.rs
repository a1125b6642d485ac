//! What the importer tests share: looking at the findings of an import.

#![allow(dead_code)]

use hnsim_model::import::Imported;
use hnsim_model::Finding;

/// The findings of `code`, in the order the import reported them.
pub fn find<'a>(i: &'a Imported, code: &str) -> Vec<&'a Finding> {
    i.findings.iter().filter(|f| f.code == code).collect()
}

/// The findings of `code` among `all`, asserting that there are `n` of them (listing
/// every finding otherwise).
#[track_caller]
pub fn exactly<'a>(all: &'a [Finding], code: &str, n: usize) -> Vec<&'a Finding> {
    let f: Vec<_> = all.iter().filter(|f| f.code == code).collect();
    assert_eq!(f.len(), n, "{n} {code} expected: {all:#?}");
    f
}

/// Asserts that the finding's message says `text`.
#[track_caller]
pub fn assert_says(f: &Finding, text: &str) {
    assert!(f.message.contains(text), "{}", f.message);
}

/// Asserts that the import reported `code`, listing what it reported otherwise.
#[track_caller]
pub fn assert_reports(i: &Imported, code: &str) {
    assert!(!find(i, code).is_empty(), "no {code}: {:#?}", i.findings);
}

/// Asserts that every finding of the import is `code` (what it assumed, say), with
/// `context` (the input) in the message.
#[track_caller]
pub fn assert_only(i: &Imported, code: &str, context: &str) {
    let other: Vec<_> = i.findings.iter().filter(|f| f.code != code).collect();
    assert!(other.is_empty(), "{context}: {other:#?}");
}

/// The names of the imported containers, in scenario order.
pub fn container_names(i: &Imported) -> Vec<&str> {
    i.scenario
        .containers
        .iter()
        .map(|c| c.name.as_str())
        .collect()
}
