//! `hnsim explain`: the long form of a rule code, and the list of every rule.

use crate::text::wrap;
use hnsim_model::rules::Rule;
use std::fmt::Write;

/// The long form of a rule, wrapped to `width` columns.
pub fn explain_rule(r: &Rule, width: usize) -> String {
    let width = width.clamp(40, 100);
    let mut out = format!("{} ({}): {}\n\n", r.code, r.severity, r.title);
    for line in wrap(r.explanation, width) {
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(out, "\nfacts: {}", r.facts.join(", "));
    for (i, line) in wrap(r.help, width - 6).iter().enumerate() {
        let lead = if i == 0 { "help: " } else { "      " };
        let _ = writeln!(out, "{lead}{line}");
    }
    out
}

/// One line per rule, sorted by code.
pub fn rule_list(rules: &[&Rule]) -> String {
    let mut sorted = rules.to_vec();
    sorted.sort_by_key(|r| r.code);
    let mut out = String::new();
    for r in sorted {
        let _ = writeln!(
            out,
            "{}  {:<7}  {}  [{}]",
            r.code,
            r.severity,
            r.title,
            r.facts.join(", ")
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explain_names_facts_and_help_within_the_width() {
        let r = hnsim_model::rules::rule("HNS001").expect("HNS001 exists");
        let text = explain_rule(r, 80);
        assert!(text.starts_with("HNS001 (error): "), "{text}");
        assert!(text.contains("facts: NAT-2"), "{text}");
        assert!(text.contains("help: "), "{text}");
        let body: Vec<&str> = text.lines().skip(1).collect();
        assert!(body.iter().all(|l| l.chars().count() <= 80), "{text}");
    }
}
