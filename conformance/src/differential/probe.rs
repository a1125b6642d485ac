//! One design simulated, realized on a fresh dataplane, probed and compared: every
//! state of its timeline, or only the final one (the others realized on the way, so
//! the steps apply to the right state), as shrinking needs.

use super::{Disagreement, Open};
use crate::dataplane::DataplaneError;
use crate::probing::ProbeOptions;
use crate::timeline;
use hnsim_model::Document;
use hnsim_sim::{Report, StateMatrix, Verdict};

/// Why a design was not probed.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// Ctrl-C, SIGTERM or SIGHUP: the whole run stops.
    #[error("interrupted")]
    Interrupted,
    /// This design could not be realized or probed; the run goes on with the next.
    #[error("{0}")]
    Failed(String),
}

impl From<DataplaneError> for ProbeError {
    fn from(e: DataplaneError) -> Self {
        match e {
            DataplaneError::Interrupted => ProbeError::Interrupted,
            other => ProbeError::Failed(other.to_string()),
        }
    }
}

/// `doc`'s simulated report with the comparison of every probed state attached.
pub fn probe(
    doc: &Document,
    open: &mut Open<'_>,
    opts: &ProbeOptions,
    final_only: bool,
) -> Result<Report, ProbeError> {
    let analysis = hnsim_model::analyse(doc);
    let mut report = hnsim_sim::simulate(doc);
    let last = analysis.states.len().saturating_sub(1);
    // The report's state of each analysed state, by the step it follows.
    let matched: Vec<Option<usize>> = analysis
        .states
        .iter()
        .map(|st| report.states.iter().position(|m| m.step == st.step))
        .collect();
    let expected: Vec<Option<&StateMatrix>> = matched
        .iter()
        .enumerate()
        .map(|(i, m)| {
            m.filter(|_| !final_only || i == last)
                .and_then(|m| report.states.get(m))
        })
        .collect();
    let mut dp = open(&report).map_err(ProbeError::Failed)?;
    let result = timeline::run(dp.as_mut(), &analysis, &expected, opts);
    crate::session::wait_if_interrupted();
    let mut runs = result?;
    for r in &mut runs {
        if let Some(Some(i)) = matched.get(r.state) {
            r.state = *i;
        }
    }
    timeline::attach(&mut report, &runs);
    Ok(report)
}

/// Every disagreeing cell of `report`, in state order.
pub fn disagreements(report: &Report) -> Vec<Disagreement> {
    report
        .conformances()
        .flat_map(|conf| {
            let step = report.states.get(conf.state).and_then(|m| m.step);
            conf.cells
                .iter()
                .filter(|c| c.verdict == Verdict::Disagree)
                .map(move |c| Disagreement {
                    state: conf.state,
                    step,
                    from: c.from.clone(),
                    to: c.to.clone(),
                    probe: c.probe,
                    observed: c.observation.outcome.clone(),
                    sent: c.observation.sent.clone(),
                })
        })
        .collect()
}
