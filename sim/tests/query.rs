//! A flow query answers a cell the matrix lists exactly as the matrix does, for a
//! sample of the cells of every state of every bundled scenario: the query path (one
//! pair, any probe) and the matrix path (classes, instantiated) agree.

mod common;

use common::*;
use hnsim_sim::{FlowQuery, ProbeSpec};

#[test]
fn queries_of_declared_cells_equal_the_matrix() {
    let mut compared = 0;
    for (path, doc) in loaded_scenarios() {
        let analysis = hnsim_model::analyse(&doc);
        let report = hnsim_sim::simulate_analysis(&doc.file, &analysis);
        for (state, analysed) in report.states.iter().zip(&analysis.states) {
            let step = (state.cell_count() / 25).max(1);
            for c in state.cells().step_by(step) {
                let q = FlowQuery {
                    from: c.from.clone(),
                    to: c.to.clone(),
                    probe: Some(ProbeSpec::Exactly(c.probe)),
                };
                let a = hnsim_sim::query(&analysed.design, state.step, &state.label, &q)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                assert_eq!(
                    a.cells,
                    vec![c.clone()],
                    "{}: {} -> {} {}",
                    path.display(),
                    c.from,
                    c.to,
                    c.probe
                );
                compared += 1;
            }
        }
    }
    assert!(compared > 1000, "only {compared} cells compared");
}
