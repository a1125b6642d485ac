//! Design validation rules.

use crate::finding::Finding;
use crate::parse::Document;
use crate::resolve::Design;
use crate::timeline::StepEvent;

/// Findings for one resolved state of the design.
pub fn check(_doc: &Document, _design: &Design) -> Vec<Finding> {
    Vec::new()
}

/// Findings for what a timeline step caused.
pub fn check_events(_doc: &Document, _step: usize, _events: &[StepEvent]) -> Vec<Finding> {
    Vec::new()
}
