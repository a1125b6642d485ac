//! Greedy delta debugging: make the first cut (largest first) whose design is still
//! valid and still fails, and start over from the smaller design, until no cut keeps
//! the failure or the budget of tries is spent. Each try is a real run for a
//! differential check (seconds), so the budget bounds the time one design may take.

use super::{candidates, valid, Cut};
use crate::Scenario;

/// What shrinking came to.
#[derive(Clone, Debug, PartialEq)]
pub struct Shrunk {
    /// The smallest design found that still fails.
    pub scenario: Scenario,
    /// The cuts that were kept, in the order they were made.
    pub cuts: Vec<Cut>,
    /// Candidates offered to the check.
    pub tried: usize,
    /// True when the budget ran out before every cut of the result was tried.
    pub exhausted: bool,
}

/// Shrinks `start` (which fails) while `fails` says a smaller valid design still fails,
/// trying at most `budget` candidates. An error of `fails` ends the search and is
/// returned.
pub fn shrink<E>(
    start: &Scenario,
    budget: usize,
    mut fails: impl FnMut(&Scenario) -> Result<bool, E>,
) -> Result<Shrunk, E> {
    let mut out = Shrunk {
        scenario: start.clone(),
        cuts: Vec::new(),
        tried: 0,
        exhausted: false,
    };
    'smaller: loop {
        for cut in candidates(&out.scenario) {
            let Some(next) = cut.apply(&out.scenario) else {
                continue;
            };
            if !valid(&next) {
                continue;
            }
            if out.tried >= budget {
                out.exhausted = true;
                break 'smaller;
            }
            out.tried += 1;
            if fails(&next)? {
                out.scenario = next;
                out.cuts.push(cut);
                continue 'smaller;
            }
        }
        break;
    }
    Ok(out)
}
