//! The hnsim simulation engine: from a resolved design to an explained connectivity
//! matrix. Pure computation: no OS calls.
//!
//! The public surface is the answer types ([`matrix`], and [`inspection`] for the
//! HNS inspection the conformance crate makes; both re-exported here) and a few
//! entry points: [`simulate`] (every state of a design), [`trace`] (cells by the names
//! a user types), [`query`] (any flow, decided alone), [`diff`] (two matrices cell by
//! cell) and [`topology`] (what the reports draw).
//!
//! Code map (all crate-private): [`graph`] builds the topology (petgraph) and answers
//! segment/internet reachability; [`nodes`] lists the matrix's parties and the probes
//! each destination is asked with; [`context`] is what the rules look at; [`driver`]
//! holds one module per network driver with its rules (same network, exits, entries,
//! names, what it refuses); [`fabric`] joins a source's way out of its network to a
//! destination's way in; [`dns`] gives a cell its name; [`answer`] is what a rule
//! returns; [`invalid`] withdraws a delivery across a part the design's findings
//! invalidate; [`classes`] groups endpoints the rules cannot tell apart; [`engine`]
//! decides per class pair (rayon) and instantiates per node pair.

mod answer;
mod classes;
mod context;
mod diff;
mod dns;
mod driver;
mod engine;
mod expect;
mod fabric;
mod graph;
pub mod inspection;
mod invalid;
pub mod matrix;
mod nodes;
mod query;
#[cfg(test)]
mod testing;
mod trace;

pub use classes::Mode;
pub use diff::{diff, CellChange};
pub use engine::TooManyClassPairs;
pub use expect::{check_expectations, CellCheck, CellSide, FindingsCheck, ScenarioCheck};
pub use inspection::{Check, CheckStatus, Inspection, InspectionSummary};
pub use matrix::*;
pub use query::{query, resolve_name, FlowAnswer, FlowQuery, NameError, ProbeSpec, QueryError};
pub use trace::{trace, TraceError};

use hnsim_model::{Analysis, Design, Document};

/// The objects of one state's design, as the reports draw them (DOT, Mermaid, HTML):
/// a report carries the final state's; a view of an earlier state draws that state.
pub fn topology(design: &Design) -> Topology {
    graph::TopologyGraph::new(design).topology()
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
    simulate_probing(file, analysis, mode, &[])
}

/// Like [`simulate_with`], asking every destination `extra` probes besides its own
/// (`sim --probe tcp/443,udp/53`): a port nothing listens on comes out as
/// `not-listening` where the network delivers it.
pub fn simulate_probing(file: &str, analysis: &Analysis, mode: Mode, extra: &[Probe]) -> Report {
    simulate_drawing(file, analysis, mode, extra, true)
}

/// [`simulate_probing`], drawing the final state's topology only when `draw` (a view
/// that shows no topology, the terminal's say, need not pay for one: it lists every
/// endpoint, a million for a million replicas); without it the report's topology is
/// empty.
pub fn simulate_drawing(
    file: &str,
    analysis: &Analysis,
    mode: Mode,
    extra: &[Probe],
    draw: bool,
) -> Report {
    match simulate_within(file, analysis, (mode, extra, draw), u64::MAX) {
        Ok(report) => report,
        Err(e) => unreachable!("no design has more than u64::MAX class pairs: {e}"),
    }
}

/// [`simulate_drawing`] of a design from untrusted input: refused, before the state
/// that would cross it is decided, when its states hold more than `max_class_pairs`
/// pairs of endpoint classes in all (`hnsim_model::limits::CLASS_PAIRS`).
pub fn simulate_within(
    file: &str,
    analysis: &Analysis,
    (mode, extra, draw): (Mode, &[Probe], bool),
    max_class_pairs: u64,
) -> Result<Report, TooManyClassPairs> {
    let (states, topology) = engine::states(analysis, mode, extra, (draw, max_class_pairs))?;
    Ok(Report {
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
        earlier_conformance: Vec::new(),
    })
}

/// How many matrix nodes a design has and how many classes they fall into (for
/// benchmarks and capacity reports).
pub fn class_count(design: &Design, mode: Mode) -> (usize, usize) {
    engine::class_count(design, mode)
}

/// Decides one answer per class pair and probe without building cells; returns how
/// many answers were decided (benchmarks time the engine's decisions with it).
pub fn decide_only(design: &Design, mode: Mode) -> usize {
    engine::decide_only(design, mode)
}

/// Decides the given (source node, destination node) pairs each on its own, every
/// probe of the destination, without classes: the every-pair reference a benchmark
/// times on a sample when deciding all pairs would take hours. Returns the answers.
pub fn decide_pairs(design: &Design, pairs: &[(usize, usize)]) -> usize {
    engine::decide_pairs(design, pairs)
}
