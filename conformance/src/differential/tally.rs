//! Counting verdicts: per run and per driver. Pure.
//!
//! A cell is counted once, under the driver of its destination's network when the
//! destination is a container, else under its source's, else under `-` (between
//! hosts, clients and the internet): so the rows add up to the run's total, and a
//! driver's row says how well the cells that reach (or leave) its containers are
//! proven. Overlay is counted per platform of the container's host.

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
    into.undecided += add.undecided;
}

/// Every cell a summary counts.
pub fn cells(s: &ConformanceSummary) -> usize {
    s.agree + s.disagree + s.not_emulated + s.known_divergence + s.undecided
}

/// The verdicts of every probed state of `report`, per driver.
pub fn by_driver(report: &Report) -> BTreeMap<String, ConformanceSummary> {
    let mut out: BTreeMap<String, ConformanceSummary> = BTreeMap::new();
    for conf in report.conformances() {
        let state = report.states.get(conf.state);
        let driver = |id: &str| -> Option<String> {
            let n = state?.node(id)?;
            n.container.as_ref()?;
            let d = n.driver.clone()?;
            // Overlay is two drivers, one per platform (VXLAN in VFP, VXLAN in Linux).
            if d != "overlay" {
                return Some(d);
            }
            let os = report
                .topology
                .hosts
                .iter()
                .find(|h| Some(&h.name) == n.host.as_ref())
                .map(|h| h.os.as_str());
            Some(match os {
                Some("linux") => "overlay (linux)".to_string(),
                Some(_) => "overlay (windows)".to_string(),
                None => d,
            })
        };
        for c in &conf.cells {
            let key = driver(&c.to)
                .or_else(|| driver(&c.from))
                .unwrap_or_else(|| NO_DRIVER.to_string());
            crate::compare::count(out.entry(key).or_default(), &c.verdict);
        }
    }
    out
}

/// How many cells of every probed state of `report` are not emulated for each reason
/// given, and how many are undecided for each outcome on the wire and reason of the
/// model (`delivered: REASON`, `not delivered: REASON`): what a run over a library
/// says about what it could not prove, without one report per design.
pub fn reasons(report: &Report) -> (BTreeMap<String, usize>, BTreeMap<String, usize>) {
    let (mut not_emulated, mut undecided) = (BTreeMap::new(), BTreeMap::new());
    for c in report.conformances().flat_map(|conf| &conf.cells) {
        match &c.verdict {
            Verdict::NotEmulated { why } => *not_emulated.entry(why.clone()).or_default() += 1,
            Verdict::Undecided { why, delivered } => {
                let wire = if *delivered {
                    "delivered"
                } else {
                    "not delivered"
                };
                *undecided.entry(format!("{wire}: {why}")).or_default() += 1;
            }
            _ => {}
        }
    }
    (not_emulated, undecided)
}

/// The verdicts of every probed state of `report`.
pub fn total(report: &Report) -> ConformanceSummary {
    let mut out = ConformanceSummary::default();
    for c in report.conformances() {
        add(&mut out, &c.summary);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONTAINERS: &str = "containers:
  - {name: a, host: l, networks: [bridge], listen: [tcp/80]}
  - {name: b, host: w, networks: [nat], listen: [tcp/80]}
";

    #[test]
    fn each_cell_counts_once_under_its_destination_container_else_its_source() {
        let design = crate::testing::on_lan(&[("l", "linux"), ("w", "ws2022")], CONTAINERS);
        let doc = hnsim_model::parse_scenario("t.yaml", &design).unwrap();
        let mut report = hnsim_sim::simulate(&doc);
        let m = report.final_state().unwrap();
        // Every cell "observed" to agree, so the rows count cells.
        let cells: Vec<hnsim_sim::CellVerdict> = m
            .cells()
            .map(|c| hnsim_sim::CellVerdict {
                from: c.from.clone(),
                to: c.to.clone(),
                probe: c.probe,
                verdict: Verdict::Agree,
                expected: c.disposition.clone(),
                observation: hnsim_sim::Observation {
                    backend: "netns".into(),
                    sent: String::new(),
                    to: String::new(),
                    outcome: hnsim_sim::ProbeOutcome::Reply,
                    rtt_ms: None,
                    attempts: 1,
                    repro: String::new(),
                },
            })
            .collect();
        let n = cells.len();
        let to_a = cells.iter().filter(|c| c.to == "a@bridge").count();
        report.conformance = Some(hnsim_sim::Conformance {
            backend: "netns".into(),
            state: 0,
            summary: ConformanceSummary {
                agree: n,
                ..Default::default()
            },
            cells,
        });
        let rows = by_driver(&report);
        assert_eq!(rows.values().map(super::cells).sum::<usize>(), n);
        assert_eq!(super::cells(&total(&report)), n);
        assert!(rows["bridge"].agree >= to_a && to_a > 0);
        assert!(rows["nat"].agree > 0 && rows[NO_DRIVER].agree > 0);
        // Not-emulated and undecided cells are grouped by what they say.
        if let Some(conf) = report.conformance.as_mut() {
            conf.cells[0].verdict = Verdict::NotEmulated { why: "x".into() };
            conf.cells[1].verdict = Verdict::NotEmulated { why: "x".into() };
            conf.cells[2].verdict = Verdict::Undecided {
                why: "y".into(),
                delivered: false,
            };
        }
        let (not_emulated, undecided) = reasons(&report);
        assert_eq!(
            not_emulated.into_iter().collect::<Vec<_>>(),
            [("x".into(), 2)]
        );
        assert_eq!(
            undecided.into_iter().collect::<Vec<_>>(),
            [("not delivered: y".into(), 1)]
        );
    }
}
