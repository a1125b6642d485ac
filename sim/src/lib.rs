//! The hnsim simulation engine: from a resolved design to an explained connectivity
//! matrix. Pure computation: no OS calls.
//!
//! Code map: [`graph`] builds the topology (petgraph) and answers segment/internet
//! reachability; [`nodes`] lists sources, destinations and probes; [`driver`] holds one
//! module per network driver with its reachability rules; [`fabric`] joins a source's
//! way out of its network to a destination's way in; [`classes`] groups endpoints the
//! rules cannot tell apart; [`engine`] computes the matrix per class pair (rayon) and
//! instantiates it per node pair; [`trace`] and [`diff`] answer questions about
//! matrices.

pub mod address;
pub mod classes;
pub mod diff;
pub mod dns;
pub mod driver;
pub mod engine;
pub mod fabric;
pub mod graph;
pub mod matrix;
pub mod nodes;
pub mod path;
pub mod trace;

pub use classes::Mode;
pub use diff::{diff, CellChange};
pub use matrix::*;
pub use trace::{trace, TraceError};

use hnsim_model::{Analysis, Document};

/// The objects of one state's design, as the reports draw them (DOT, Mermaid, HTML):
/// a report carries the final state's; a view of an earlier state draws that state.
pub fn topology(design: &hnsim_model::Design) -> Topology {
    graph::World::new(design).topology()
}

/// Simulates a parsed scenario: every state of its timeline, with `check`'s findings.
pub fn simulate(doc: &Document) -> Report {
    let analysis = hnsim_model::analyse(doc);
    simulate_analysis(&doc.file, &analysis)
}

/// Simulates an analysis that was already computed.
pub fn simulate_analysis(file: &str, analysis: &Analysis) -> Report {
    simulate_with(file, analysis, Mode::Classes)
}

/// Like [`simulate_analysis`], choosing how endpoints are grouped (benchmarks and the
/// class-equivalence test compare the two modes).
pub fn simulate_with(file: &str, analysis: &Analysis, mode: Mode) -> Report {
    let states = analysis
        .states
        .iter()
        .map(|s| engine::state_matrix(&s.design, s.step, &s.label, mode))
        .collect();
    let topology = topology(&analysis.final_state().design);
    Report {
        schema_version: SCHEMA_VERSION,
        scenario: ScenarioInfo {
            name: analysis.scenario.name.clone(),
            file: file.to_string(),
            description: analysis.scenario.description.clone(),
            covers: analysis.scenario.covers.clone(),
        },
        findings: analysis.findings.clone(),
        topology,
        states,
        conformance: None,
    }
}
