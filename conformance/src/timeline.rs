//! A whole conformance run on any [`Dataplane`]: every state of the timeline realized
//! in order on the live dataplane (the initial design, then each step applied to it),
//! read back, probed and compared with its own expected matrix.

use crate::compare::{compare, ObservedCell};
use crate::dataplane::{Dataplane, DataplaneError};
use crate::probing::{probe_state, ProbeOptions};
use hnsim_model::Analysis;
use hnsim_sim::{Conformance, Report, StateMatrix};
use std::time::{Duration, Instant};

/// What one state showed.
#[derive(Clone, Debug)]
pub struct StateRun {
    /// Index into the report's `states`.
    pub state: usize,
    pub observed: Vec<ObservedCell>,
    /// What the dataplane read back that the design did not say.
    pub notes: Vec<String>,
    pub realize_time: Duration,
    pub probe_time: Duration,
}

/// Realizes every state of `analysis` on `dp`, in order, and probes each against its
/// expected matrix (`expected[i]` for state `i`; a state without one is realized, so
/// the steps after it apply to the right state, but not probed). `dp` is cleaned at
/// the end, also when a state fails.
pub fn run(
    dp: &mut dyn Dataplane,
    analysis: &Analysis,
    expected: &[Option<&StateMatrix>],
    opts: &ProbeOptions,
) -> Result<Vec<StateRun>, DataplaneError> {
    let result = run_states(dp, analysis, expected, opts);
    let cleaned = dp.clean();
    let runs = result?;
    cleaned?;
    Ok(runs)
}

fn run_states(
    dp: &mut dyn Dataplane,
    analysis: &Analysis,
    expected: &[Option<&StateMatrix>],
    opts: &ProbeOptions,
) -> Result<Vec<StateRun>, DataplaneError> {
    let mut out = Vec::new();
    let last = expected.iter().rposition(Option::is_some).unwrap_or(0);
    for (i, state) in analysis.states.iter().enumerate().take(last + 1) {
        let step = state.step.and_then(|s| analysis.scenario.steps.get(s));
        let start = Instant::now();
        dp.realize(&state.design, step)?;
        let notes = dp.observe(&state.design)?;
        let realize_time = start.elapsed();
        let Some(matrix) = expected.get(i).copied().flatten() else {
            continue;
        };
        let start = Instant::now();
        let observed = probe_state(&*dp, &state.design, matrix, opts)?;
        out.push(StateRun {
            state: i,
            observed,
            notes,
            realize_time,
            probe_time: start.elapsed(),
        });
    }
    Ok(out)
}

/// Puts the runs into `report`: each cell's observation next to its simulated answer,
/// and one comparison per state (the final state's in `conformance`, the earlier ones
/// in `earlier_conformance`).
pub fn attach(report: &mut Report, runs: &[StateRun]) {
    let mut all: Vec<Conformance> = Vec::new();
    for run in runs {
        let Some(m) = report.states.get_mut(run.state) else {
            continue;
        };
        let mut conf = compare(m, &run.observed);
        conf.state = run.state;
        for o in &run.observed {
            m.observe(&o.from, &o.to, o.probe, o.observation.clone());
        }
        all.push(conf);
    }
    report.conformance = all.pop();
    report.earlier_conformance = all;
}
