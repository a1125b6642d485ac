//! A recording's cells, lined up with today's simulated matrices, as the runs a live
//! conformance run produces ([`crate::timeline::StateRun`]): the same comparison and
//! the same renderers follow.

use super::{RecordError, Recording};
use crate::compare::ObservedCell;
use crate::timeline::StateRun;
use hnsim_sim::{Observation, ProbeOutcome, StateMatrix};
use std::collections::BTreeSet;
use std::time::Duration;

/// What replaying gives: one run per recorded state today's report also has.
#[derive(Clone, Debug)]
pub struct Replayed {
    pub runs: Vec<StateRun>,
    /// Where the recording comes from, and how it lines up with today.
    pub notes: Vec<String>,
}

/// Every recorded state that today's report also has (same index), with one
/// observation per cell of today's matrix: the recorded one, or `not-emulated` for a
/// cell the recording does not hold. Recorded cells today's matrix no longer has are
/// kept, and the comparison reports them as such.
pub fn replay(
    rec: &Recording,
    states: &[StateMatrix],
    scenario_now: &str,
    scenario_then: &str,
) -> Result<Replayed, RecordError> {
    let mut notes = vec![format!(
        "replayed: {} backend, recorded {} on {} ({}) by hnsim {}",
        rec.backend, rec.recorded_at, rec.platform.os, rec.platform.build, rec.hnsim_version
    )];
    if scenario_now != scenario_then {
        notes.push(format!(
            "the scenario differs from the copy in the recording ({}): cells are matched \
             by source, destination and probe",
            rec.scenario.copy
        ));
    }
    let mut runs = Vec::new();
    for recorded in &rec.states {
        let Some(today) = states.get(recorded.index) else {
            notes.push(format!(
                "recorded state {} (\"{}\") is not in today's timeline",
                recorded.index, recorded.label
            ));
            continue;
        };
        if today.label != recorded.label {
            notes.push(format!(
                "state {} was \"{}\" when recorded, \"{}\" today",
                recorded.index, recorded.label, today.label
            ));
        }
        let (observed, missing) = line_up(rec, &recorded.cells, today);
        if missing > 0 {
            notes.push(format!(
                "state {}: {missing} cell(s) of today's matrix are not in the recording",
                recorded.index
            ));
        }
        runs.push(StateRun {
            state: recorded.index,
            observed,
            notes: Vec::new(),
            realize_time: Duration::ZERO,
            probe_time: Duration::ZERO,
        });
    }
    if runs.is_empty() {
        return Err(RecordError::Invalid(format!(
            "the recording holds states {:?}; the scenario has {} state(s) today",
            rec.states.iter().map(|s| s.index).collect::<Vec<_>>(),
            states.len()
        )));
    }
    notes.extend(rec.notes.iter().map(|n| format!("recorded: {n}")));
    Ok(Replayed { runs, notes })
}

fn line_up(
    rec: &Recording,
    cells: &[ObservedCell],
    today: &StateMatrix,
) -> (Vec<ObservedCell>, usize) {
    let key = |from: &str, to: &str, p: hnsim_sim::Probe| (from.to_string(), to.to_string(), p);
    let have: BTreeSet<_> = cells.iter().map(|c| key(&c.from, &c.to, c.probe)).collect();
    let mut observed = cells.to_vec();
    let mut missing = 0;
    for c in today.cells() {
        if have.contains(&key(&c.from, &c.to, c.probe)) {
            continue;
        }
        missing += 1;
        observed.push(ObservedCell {
            from: c.from.clone(),
            to: c.to.clone(),
            probe: c.probe,
            observation: Observation {
                backend: rec.backend.clone(),
                sent: "nothing".into(),
                to: String::new(),
                outcome: ProbeOutcome::NotEmulated {
                    why: "not in the recording (the scenario or the model has this cell \
                          since)"
                        .into(),
                },
                rtt_ms: None,
                attempts: 0,
                repro: String::new(),
            },
            known_divergence: None,
            name: None,
        });
    }
    (observed, missing)
}
