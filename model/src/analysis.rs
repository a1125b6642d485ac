//! The whole front half of the pipeline in one call: import -> timeline -> resolve ->
//! validate. The CLI, the simulator and the conformance runner all start here, so they
//! see the same states and the same findings.

use crate::design::Design;
use crate::finding::Finding;
use crate::parse::Document;
use crate::resolve::resolve_owned;
use crate::scenario::Scenario;
use crate::timeline::{self, StepEvent};
use std::collections::HashSet;

/// One state of the design, resolved.
#[derive(Clone, Debug)]
pub struct AnalysedState {
    /// `None`: the initial design; `Some(i)`: after `steps[i]`.
    pub step: Option<usize>,
    pub label: String,
    pub design: Design,
    pub events: Vec<StepEvent>,
}

#[derive(Clone, Debug)]
pub struct Analysis {
    /// The scenario after import (docker commands, compose and daemon.json expanded).
    pub scenario: Scenario,
    /// The initial state, then one per step; the last is the final state.
    pub states: Vec<AnalysedState>,
    /// Findings of import and validation over every state, each reported once (at the
    /// first state where it holds).
    pub findings: Vec<Finding>,
}

impl Analysis {
    pub fn final_state(&self) -> &AnalysedState {
        self.states
            .last()
            .expect("there is always an initial state")
    }
}

pub fn analyse(doc: &Document) -> Analysis {
    let imported = crate::import::expand(doc);
    let mut findings: Vec<Finding> = imported.findings;
    // The importer's map also knows the lines of objects and steps made from commands.
    let mut doc = Document {
        file: doc.file.clone(),
        scenario: imported.scenario,
        source_map: imported.source_map,
        limits: doc.limits,
    };
    // A design over the limits is refused (a reader such as `import::document_with`
    // refuses it before analysis; this keeps a direct caller bounded too): it is
    // analysed as empty, with the refusal as its finding.
    if let Err(refused) = crate::limits::check_design_size(&doc, &doc.scenario) {
        let location = crate::finding::Location {
            file: refused.file.clone(),
            line: refused.line,
            column: refused.column,
            path: refused.field.clone(),
        };
        let mut f = crate::import::finding("IMP022", &location, refused.message);
        f.help = refused.help.unwrap_or_default();
        findings.push(f);
        doc.scenario = Scenario {
            name: doc.scenario.name.clone(),
            ..Scenario::default()
        };
    }
    // A finding is reported once, at the first state where it holds: the same code at
    // the same field with the same message is the same finding.
    let mut seen: HashSet<(String, String, String)> = findings
        .iter()
        .map(|f| (f.code.clone(), f.location.path.clone(), f.message.clone()))
        .collect();
    let mut states = Vec::new();
    for state in timeline::states(&doc.scenario) {
        let mut design = resolve_owned(state.scenario);
        let mut here = crate::rules::check(&doc, &design);
        if let Some(step) = state.step {
            here.extend(crate::rules::check_events(&doc, step, &state.events));
        }
        // What this state's findings invalidate, before they are reported once.
        design.invalid = crate::finding::Invalid::of(&here);
        for mut f in here {
            let key = (f.code.clone(), f.location.path.clone(), f.message.clone());
            if seen.insert(key) {
                if f.step.is_none() {
                    f.step = state.step;
                }
                findings.push(f);
            }
        }
        states.push(AnalysedState {
            step: state.step,
            label: state.label,
            design,
            events: state.events,
        });
    }
    findings.sort_by_key(|f| {
        (
            std::cmp::Reverse(f.severity),
            f.step,
            f.location.line,
            f.code.clone(),
        )
    });
    Analysis {
        scenario: doc.scenario,
        states,
        findings,
    }
}
