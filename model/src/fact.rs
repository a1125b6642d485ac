//! The fact catalogue: the behaviours hnsim models, each under a stable ID (`NAT-8`,
//! `OVL-3`, ...) that every rule, matrix cell and hop cites.
//!
//! The catalogue is data (`facts.yaml` beside this crate), embedded in the binary and
//! parsed once on first use, so `hnsim explain NAT-8` needs no file at run time and a
//! fact is written once, in one place.

use serde::Deserialize;
use std::sync::OnceLock;

/// One entry of the catalogue.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Fact {
    /// The stable ID, e.g. `NAT-8`.
    pub id: String,
    /// One line: what holds.
    pub title: String,
    /// One or two sentences: what holds, where, and on which OS version.
    pub text: String,
}

const CATALOGUE: &str = include_str!("../facts.yaml");

/// Every fact, in catalogue order (grouped by area: ARCH, NAT, TRANS, ..., EXT).
pub fn all() -> &'static [Fact] {
    static FACTS: OnceLock<Vec<Fact>> = OnceLock::new();
    FACTS.get_or_init(|| {
        // The catalogue is part of the source; `catalogue_parses` below tests it, so a
        // failure here is a build defect, never a user input problem.
        serde_yaml_ng::from_str(CATALOGUE).expect("facts.yaml is a valid fact catalogue")
    })
}

/// The fact with this ID, ignoring ASCII case (`nat-8` finds `NAT-8`).
pub fn lookup(id: &str) -> Option<&'static Fact> {
    all().iter().find(|f| f.id.eq_ignore_ascii_case(id))
}

/// Whether `id` is a fact ID of the catalogue, spelt exactly (findings and hops cite
/// IDs in upper case).
pub fn is_known(id: &str) -> bool {
    all().iter().any(|f| f.id == id)
}

/// Whether `word` has the shape of a fact ID: upper-case letters (digits allowed after
/// the first), a dash, a number. Used to find fact IDs cited in free text.
pub fn looks_like_id(word: &str) -> bool {
    word.split_once('-').is_some_and(|(area, n)| {
        area.starts_with(|c: char| c.is_ascii_uppercase())
            && area
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            && !n.is_empty()
            && n.chars().all(|c| c.is_ascii_digit())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn catalogue_parses_with_unique_well_formed_ids() {
        let facts = all();
        assert_eq!(
            facts.len(),
            74,
            "fact count changed: update this test on purpose"
        );
        let mut seen = HashSet::new();
        for f in facts {
            assert!(looks_like_id(&f.id), "malformed id {}", f.id);
            assert!(seen.insert(f.id.as_str()), "duplicate id {}", f.id);
            assert!(!f.title.is_empty() && !f.title.contains('\n'), "{}", f.id);
            assert!(f.text.len() > 30, "{}: text too short", f.id);
        }
    }

    #[test]
    fn lookup_ignores_case_and_rejects_unknown_ids() {
        assert_eq!(lookup("NAT-8").map(|f| f.id.as_str()), Some("NAT-8"));
        assert_eq!(lookup("nat-8").map(|f| f.id.as_str()), Some("NAT-8"));
        assert!(lookup("NAT-99").is_none());
        assert!(is_known("EXT-13"));
        assert!(!is_known("ext-13"));
        assert!(lookup("NAT-8")
            .unwrap()
            .text
            .contains("published host port"));
    }

    #[test]
    fn id_shape() {
        assert!(looks_like_id("TRANS-7"));
        assert!(looks_like_id("L2B-1"));
        assert!(!looks_like_id("2LB-1"));
        assert!(!looks_like_id("Nat-1"));
        assert!(!looks_like_id("NAT-"));
        assert!(!looks_like_id("HNS050"));
    }
}
