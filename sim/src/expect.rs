//! A scenario's `expect:` block as a test: the findings it names and the cells it spot
//! checks, compared with what the analysis and the final state's matrix say (`hnsim
//! test`). The comparison is kept here, beside the matrix it reads, so the CLI only
//! calls it and the reports only render its result.

use crate::matrix::{DenyReason, Disposition, Probe, StateMatrix};
use hnsim_model::{Analysis, Document, ExpectedCell, Location, Severity};
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

/// What one scenario's expectations came to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScenarioCheck {
    pub file: String,
    pub name: String,
    /// `None`: the scenario states no expectations (nothing was tested).
    pub findings: Option<FindingsCheck>,
    pub cells: Vec<CellCheck>,
}

impl ScenarioCheck {
    pub fn tested(&self) -> bool {
        self.findings.is_some()
    }
    pub fn passed(&self) -> bool {
        self.findings.as_ref().is_none_or(FindingsCheck::passed)
            && self.cells.iter().all(CellCheck::passed)
    }
}

/// `expect.findings`: exactly these codes, and none other at warning or above.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingsCheck {
    pub location: Location,
    pub expected: Vec<String>,
    /// Codes the analysis found at warning or above.
    pub observed: Vec<String>,
    /// Expected and not found at any severity.
    pub missing: Vec<String>,
    /// Found at warning or above and not expected.
    pub unexpected: Vec<String>,
}

impl FindingsCheck {
    pub fn passed(&self) -> bool {
        self.missing.is_empty() && self.unexpected.is_empty()
    }
}

/// One spot-checked cell, expected next to observed.
#[skip_serializing_none]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellCheck {
    pub location: Location,
    pub from: String,
    pub to: String,
    pub probe: String,
    pub expected: CellSide,
    /// `None`: the matrix has no such cell (or the expectation is malformed: `problem`);
    /// written as `null`.
    #[serialize_always]
    pub observed: Option<CellSide>,
    pub disposition_matches: bool,
    pub address_matches: bool,
    /// Why the expectation itself cannot be checked (a typo in a probe or disposition).
    pub problem: Option<String>,
}

impl CellCheck {
    pub fn passed(&self) -> bool {
        self.problem.is_none() && self.disposition_matches && self.address_matches
    }
}

/// A disposition (`delivered`, `denied`, `unknown` or a reason such as
/// `not-published`) and, when stated or present, the address.
#[skip_serializing_none]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellSide {
    pub disposition: String,
    pub address: Option<String>,
}

/// The expectations of `doc`, checked against its analysis and the final state.
pub fn check_expectations(
    doc: &Document,
    analysis: &Analysis,
    last: &StateMatrix,
) -> ScenarioCheck {
    let mut out = ScenarioCheck {
        file: doc.file.clone(),
        name: doc.scenario.name.clone(),
        findings: None,
        cells: Vec::new(),
    };
    let Some(expect) = &doc.scenario.expect else {
        return out;
    };
    let mut observed: Vec<String> = analysis
        .findings
        .iter()
        .filter(|f| f.severity >= Severity::Warning)
        .map(|f| f.code.clone())
        .collect();
    observed.sort();
    observed.dedup();
    let missing = expect
        .findings
        .iter()
        .filter(|code| !analysis.findings.iter().any(|f| &f.code == *code))
        .cloned()
        .collect();
    let unexpected = observed
        .iter()
        .filter(|code| !expect.findings.contains(code))
        .cloned()
        .collect();
    out.findings = Some(FindingsCheck {
        location: doc.locate("expect.findings"),
        expected: expect.findings.clone(),
        observed,
        missing,
        unexpected,
    });
    out.cells = expect
        .cells
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let at = doc.locate(&format!("expect.cells[{i}]"));
            check_cell(e, at, last, &analysis.final_state().design)
        })
        .collect();
    out
}

/// The text of an observed disposition in the words expectations use.
fn disposition_word(d: &Disposition) -> String {
    match d {
        Disposition::Delivered => "delivered".into(),
        Disposition::Denied { reason, .. } => reason.to_string(),
        Disposition::Unknown { .. } => "unknown".into(),
    }
}

/// Whether an expected disposition word holds for `d`; `Err` when the word is none.
fn disposition_holds(word: &str, d: &Disposition) -> Result<bool, String> {
    match word {
        "delivered" => Ok(matches!(d, Disposition::Delivered)),
        "denied" => Ok(matches!(d, Disposition::Denied { .. })),
        "unknown" => Ok(matches!(d, Disposition::Unknown { .. })),
        reason => {
            let wanted: DenyReason = serde_json::from_value(reason.into()).map_err(|_| {
                format!("`{reason}` is not a disposition; write delivered, denied, unknown or a denial reason (`hnsim explain` lists them)")
            })?;
            Ok(matches!(d, Disposition::Denied { reason, .. } if *reason == wanted))
        }
    }
}

fn check_cell(
    e: &ExpectedCell,
    location: Location,
    last: &StateMatrix,
    design: &hnsim_model::Design,
) -> CellCheck {
    let mut check = CellCheck {
        location,
        from: e.from.clone(),
        to: e.to.clone(),
        probe: e.probe.clone(),
        expected: CellSide {
            disposition: e.disposition.clone(),
            address: e.address.clone(),
        },
        observed: None,
        disposition_matches: false,
        address_matches: false,
        problem: None,
    };
    let probe: Probe = match e.probe.parse() {
        Ok(p) => p,
        Err(err) => {
            check.problem = Some(err.to_string());
            return check;
        }
    };
    // A flow the matrix does not list (a port nothing declares) is asked as a query, so
    // an expectation can state any flow.
    // A flow the matrix does not list (a port nothing declares) is asked as a query, so
    // an expectation can state any flow.
    let cell = match last.cell(&e.from, &e.to, probe) {
        Some(c) => c,
        None => {
            let q = crate::query::FlowQuery {
                from: e.from.clone(),
                to: e.to.clone(),
                probe: Some(crate::query::ProbeSpec::Exactly(probe)),
            };
            match crate::query::query(design, last.step, &last.label, &q) {
                Ok(answer) => match answer.cells.into_iter().next() {
                    Some(c) => c,
                    None => return check,
                },
                Err(err) => {
                    check.problem = Some(err.to_string());
                    return check;
                }
            }
        }
    };
    let address = cell.address.as_ref().map(|a| a.value.clone());
    match disposition_holds(&e.disposition, &cell.disposition) {
        Ok(ok) => check.disposition_matches = ok,
        Err(problem) => check.problem = Some(problem),
    }
    check.address_matches = e.address.is_none() || e.address == address;
    check.observed = Some(CellSide {
        disposition: disposition_word(&cell.disposition),
        address,
    });
    check
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disposition_words() {
        let denied = Disposition::Denied {
            reason: DenyReason::NotPublished,
            why: String::new(),
        };
        assert_eq!(disposition_holds("denied", &denied), Ok(true));
        assert_eq!(disposition_holds("not-published", &denied), Ok(true));
        assert_eq!(disposition_holds("no-route", &denied), Ok(false));
        assert_eq!(disposition_holds("delivered", &denied), Ok(false));
        assert!(disposition_holds("deliverd", &denied).is_err());
        assert_eq!(disposition_word(&denied), "not-published");
    }
}
