//! `hnsim explain`: the long form of a rule code, a fact, a denial reason or a
//! mechanism, and the list of all of them.

use crate::glossary::{self, Entry};
use crate::text::wrap;
use hnsim_model::fact::Fact;
use hnsim_model::rules::Rule;
use std::fmt::Write;

/// What `hnsim explain WORD` can name.
pub enum Explained<'a> {
    Rule(Rule),
    Fact(&'a Fact),
    /// A denial reason or a mechanism, by the name outputs print.
    Word(String, Entry),
}

/// Looks `word` up as a rule code, a fact ID, then a reason or mechanism name, each
/// ignoring case.
pub fn lookup(word: &str) -> Option<Explained<'static>> {
    if let Some(r) = hnsim_model::rules::rule(word) {
        return Some(Explained::Rule(r));
    }
    if let Some(f) = hnsim_model::fact::lookup(word.trim()) {
        return Some(Explained::Fact(f));
    }
    glossary::lookup(word).map(|(n, e)| Explained::Word(n, e))
}

/// Every rule code, fact ID, reason and mechanism name, for "did you mean".
pub fn every_word() -> Vec<String> {
    let mut all: Vec<String> = hnsim_model::rules::all_codes()
        .map(|r| r.code.to_string())
        .collect();
    all.extend(hnsim_model::fact::all().iter().map(|f| f.id.clone()));
    all.extend(glossary::names());
    all
}

/// The long form of anything [`lookup`] finds, wrapped to `width` columns.
pub fn explain(e: &Explained, width: usize) -> String {
    match e {
        Explained::Rule(r) => explain_rule(*r, width),
        Explained::Fact(f) => {
            let width = width.clamp(40, 100);
            let mut out = format!("{} (fact): {}\n\n", f.id, f.title);
            for line in wrap(&f.text, width) {
                let _ = writeln!(out, "{line}");
            }
            let mut rules: Vec<&str> = hnsim_model::rules::all_codes()
                .filter(|r| r.facts().contains(&f.id))
                .map(|r| r.code)
                .collect();
            rules.sort_unstable();
            if !rules.is_empty() {
                let _ = writeln!(out, "\nrules: {}", rules.join(", "));
            }
            out
        }
        Explained::Word(name, entry) => {
            let width = width.clamp(40, 100);
            let mut out = format!("{name} ({})\n\n", entry.kind);
            for line in wrap(entry.text, width) {
                let _ = writeln!(out, "{line}");
            }
            let _ = writeln!(out, "\nfacts: {}", entry.facts.join(", "));
            for f in entry.facts {
                if let Some(fact) = hnsim_model::fact::lookup(f) {
                    let _ = writeln!(out, "  {}: {}", fact.id, fact.title);
                }
            }
            out
        }
    }
}

/// `hnsim explain` without a word: the rules, then the facts, reasons and mechanisms.
pub fn everything(rules: &[Rule]) -> String {
    let mut out = rule_list(rules);
    out.push_str("\nfacts:\n");
    for f in hnsim_model::fact::all() {
        let _ = writeln!(out, "{:<8} {}", f.id, f.title);
    }
    out.push_str("\ndenial reasons:\n");
    for r in glossary::REASONS {
        let _ = writeln!(out, "  {}", glossary::name(&r));
    }
    out.push_str("\nmechanisms:\n");
    for m in glossary::MECHANISMS {
        let _ = writeln!(out, "  {}", glossary::name(&m));
    }
    out
}

/// The long form of a rule, wrapped to `width` columns.
pub fn explain_rule(r: Rule, width: usize) -> String {
    let width = width.clamp(40, 100);
    let mut out = format!("{} ({}): {}\n\n", r.code, r.severity(), r.title());
    for line in wrap(r.explanation(), width) {
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(out, "\nfacts: {}", r.facts().join(", "));
    for (i, line) in wrap(r.help(), width - 6).iter().enumerate() {
        let lead = if i == 0 { "help: " } else { "      " };
        let _ = writeln!(out, "{lead}{line}");
    }
    out
}

/// One line per rule, sorted by code.
pub fn rule_list(rules: &[Rule]) -> String {
    let mut sorted = rules.to_vec();
    sorted.sort_by_key(|r| r.code);
    let mut out = String::new();
    for r in sorted {
        let _ = writeln!(
            out,
            "{}  {:<7}  {}  [{}]",
            r.code,
            r.severity(),
            r.title(),
            r.facts().join(", ")
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
