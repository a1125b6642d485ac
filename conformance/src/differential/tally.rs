//! Counting verdicts: per run and per driver. Pure.
//!
//! A cell is counted once, under the driver of its destination's network when the
//! destination is a container, else under its source's, else under `-` (between
//! hosts, clients and the internet): so the rows add up to the run's total, and a
//! driver's row says how well the cells that reach (or leave) its containers are
//! proven.

use hnsim_sim::{ConformanceSummary, Report, Verdict};
use std::collections::BTreeMap;

/// The row of cells that involve no container.
pub const NO_DRIVER: &str = "-";

/// `into` plus `add`.
pub fn add(into: &mut ConformanceSummary, add: &ConformanceSummary) {
    into.agree += add.agree;
    into.disagree += add.disagree;
    into.not_emulated += add.not_emulated;
    into.known_divergence += add.known_divergence;
}

/// Every cell a summary counts.
pub fn cells(s: &ConformanceSummary) -> usize {
    s.agree + s.disagree + s.not_emulated + s.known_divergence
}

/// The verdicts of every probed state of `report`, per driver.
pub fn by_driver(report: &Report) -> BTreeMap<String, ConformanceSummary> {
    let mut out: BTreeMap<String, ConformanceSummary> = BTreeMap::new();
    for conf in report.conformances() {
        let state = report.states.get(conf.state);
        let driver = |id: &str| -> Option<String> {
            let n = state?.node(id)?;
            n.container.as_ref()?;
            n.driver.clone()
        };
        for c in &conf.cells {
            let key = driver(&c.to)
                .or_else(|| driver(&c.from))
                .unwrap_or_else(|| NO_DRIVER.to_string());
            let row = out.entry(key).or_default();
            match c.verdict {
                Verdict::Agree => row.agree += 1,
                Verdict::Disagree => row.disagree += 1,
                Verdict::NotEmulated { .. } => row.not_emulated += 1,
                Verdict::KnownDivergence { .. } => row.known_divergence += 1,
            }
        }
    }
    out
}

/// The verdicts of every probed state of `report`.
pub fn total(report: &Report) -> ConformanceSummary {
    let mut out = ConformanceSummary::default();
    for c in report.conformances() {
        add(&mut out, &c.summary);
    }
    out
}
