//! Every scenario under `scenarios/` produces exactly the findings it expects, and every
//! fact of the catalogue is carried by a rule or exercised by a scenario.

use hnsim_model::{analyse, fact, parse_scenario, rules, Finding, Scenario, Severity};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios")
}

#[path = "../../src/cli/library.rs"]
mod library;

/// Every scenario file, parsed. Panics with every parse error at once.
fn scenarios() -> Vec<(PathBuf, hnsim_model::Document)> {
    let files = library::yaml_files_under(&scenarios_dir());
    let mut docs = Vec::new();
    let mut errors = Vec::new();
    for path in files {
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                errors.push(format!("{}: {e}", path.display()));
                continue;
            }
        };
        match parse_scenario(&path.display().to_string(), &text) {
            Ok(doc) => docs.push((path, doc)),
            Err(e) => errors.push(e.to_string()),
        }
    }
    assert!(
        errors.is_empty(),
        "scenario files that do not parse:\n{}",
        errors.join("\n")
    );
    docs
}

fn rel(path: &Path) -> String {
    path.strip_prefix(scenarios_dir())
        .unwrap_or(path)
        .display()
        .to_string()
}

#[test]
fn every_scenario_produces_exactly_its_expected_findings() {
    let mut failures = Vec::new();
    let docs = scenarios();
    for (path, doc) in &docs {
        let analysis = analyse(doc);
        let got: BTreeSet<String> = analysis
            .findings
            .iter()
            .filter(|f| f.severity >= Severity::Warning)
            .map(|f| f.code.clone())
            .collect();
        let expected: BTreeSet<String> = doc
            .scenario
            .expect
            .as_ref()
            .map(|e| e.findings.iter().cloned().collect())
            .unwrap_or_default();
        if got == expected {
            continue;
        }
        let unexpected: Vec<&Finding> = analysis
            .findings
            .iter()
            .filter(|f| f.severity >= Severity::Warning && !expected.contains(&f.code))
            .collect();
        let missing: Vec<&String> = expected.difference(&got).collect();
        let mut msg = format!(
            "{}:\n  expected {expected:?}\n  got      {got:?}\n",
            rel(path)
        );
        if !missing.is_empty() {
            msg.push_str(&format!("  missing: {missing:?}\n"));
        }
        for f in unexpected {
            msg.push_str(&format!("  unexpected:\n{}\n", indent(&f.to_string())));
        }
        failures.push(msg);
    }
    assert!(
        failures.is_empty(),
        "{} of {} scenarios disagree with their `expect.findings`:\n\n{}",
        failures.len(),
        docs.len(),
        failures.join("\n")
    );
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn expected_codes_and_covered_facts_exist() {
    let mut bad = Vec::new();
    for (path, doc) in scenarios() {
        let s: &Scenario = &doc.scenario;
        for id in &s.covers {
            if !fact::is_known(id) {
                bad.push(format!("{}: covers unknown fact `{id}`", rel(&path)));
            }
        }
        for code in s.expect.iter().flat_map(|e| &e.findings) {
            match rules::rule(code) {
                None => bad.push(format!("{}: expects unknown code `{code}`", rel(&path))),
                Some(r) if r.severity() < Severity::Warning => bad.push(format!(
                    "{}: expects `{code}`, an info rule (only warnings and errors are compared)",
                    rel(&path)
                )),
                Some(_) => {}
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn pitfall_scenarios_are_documented() {
    let mut bad = Vec::new();
    for (path, doc) in scenarios() {
        if !rel(&path).starts_with("pitfalls") {
            continue;
        }
        let s = &doc.scenario;
        if s.description.trim().is_empty() || s.description.contains('\n') {
            bad.push(format!("{}: needs a one-line description", rel(&path)));
        }
        if s.covers.is_empty() {
            bad.push(format!("{}: names no fact in `covers`", rel(&path)));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// Every fact of the catalogue is named by a rule or exercised by a scenario.
/// Behaviour-only facts (NAT-5, MAT-1, ...) are the simulator's; they are covered by
/// scenarios.
#[test]
fn every_fact_is_covered_by_a_rule_or_a_scenario() {
    let ids: Vec<&str> = fact::all().iter().map(|f| f.id.as_str()).collect();
    assert!(!ids.is_empty());
    let mut by: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for r in rules::every_rule() {
        for f in r.facts() {
            by.entry(f).or_default().push(r.code.to_string());
        }
    }
    let docs = scenarios();
    let mut covered: BTreeSet<String> = by.keys().map(|s| s.to_string()).collect();
    for (_, doc) in &docs {
        covered.extend(doc.scenario.covers.iter().cloned());
    }
    let missing: Vec<&&str> = ids.iter().filter(|id| !covered.contains(**id)).collect();
    assert!(
        missing.is_empty(),
        "facts named by no rule and covered by no scenario: {missing:?}"
    );
    let in_scenarios: BTreeSet<&str> = docs
        .iter()
        .flat_map(|(_, d)| d.scenario.covers.iter().map(String::as_str))
        .collect();
    let uncovered: Vec<&&str> = ids
        .iter()
        .filter(|id| !in_scenarios.contains(**id))
        .collect();
    assert!(
        uncovered.is_empty(),
        "facts no scenario covers: {uncovered:?}"
    );
}

/// Every warning and error rule is shown by at least one scenario, so a rule that stops
/// firing breaks a test.
#[test]
fn every_warning_or_error_rule_is_exercised_by_a_scenario() {
    let expected: BTreeSet<String> = scenarios()
        .iter()
        .flat_map(|(_, d)| d.scenario.expect.iter().flat_map(|e| e.findings.clone()))
        .collect();
    let unexercised: Vec<&str> = rules::every_rule()
        .filter(|r| r.severity() >= Severity::Warning && !expected.contains(r.code))
        .map(|r| r.code)
        .collect();
    assert!(
        unexercised.is_empty(),
        "rules no scenario expects: {unexercised:?}"
    );
}

/// Info rules are not compared with `expect.findings`, so show each one fires somewhere.
#[test]
fn every_info_rule_fires_in_some_scenario() {
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for (_, doc) in scenarios() {
        seen.extend(analyse(&doc).findings.into_iter().map(|f| f.code));
    }
    let silent: Vec<&str> = rules::every_rule()
        .filter(|r| r.severity() == Severity::Info && !seen.contains(r.code))
        .map(|r| r.code)
        .collect();
    assert!(
        silent.is_empty(),
        "info rules no scenario triggers: {silent:?}"
    );
}
