//! The importer's findings. Its codes (IMP0xx) are entries of the rule catalogue
//! (`rules.yaml`) like the validator's, so `hnsim explain IMP008` and scenario `expect:`
//! lists treat them like any other rule. IMP001-IMP003 and IMP017 are retired (never
//! reused): what Windows refuses in a network, a container or a port mapping, and unknown
//! windowsshim options, are the validator's HNS050-HNS053 and HNS061-HNS063, reported
//! once at the option.

use crate::finding::{Finding, Location, Severity};

/// A finding of `code`: an IMP code, or a validator code for what the model has no
/// field to carry (so the validator cannot see it).
pub(crate) fn finding(code: &str, src: &Location, message: String) -> Finding {
    let meta = crate::rules::rule(code);
    Finding {
        code: code.to_string(),
        severity: meta.map_or(Severity::Warning, |m| m.severity()),
        facts: meta.map(|m| m.facts().to_vec()).unwrap_or_default(),
        location: src.clone(),
        message,
        help: meta.map(|m| m.help().to_string()).unwrap_or_default(),
        step: None,
        invalidates: Vec::new(),
    }
}
