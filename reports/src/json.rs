//! JSON: the answer types serialized as they are, so scripts read exactly what the
//! engine produced. The report's shape is documented by [`SCHEMA`].

use crate::RenderError;
use hnsim_model::Finding;
use hnsim_sim::matrix::{Cell, Report, StateMatrix, SCHEMA_VERSION};
use serde::Serialize;

/// JSON Schema (draft 2020-12) of the report document, version 1. Shipped in the crate so
/// the CLI can print it and tests can hold every emitted document to it.
pub const SCHEMA: &str = include_str!("../schema/report.v1.schema.json");

pub fn report(report: &Report) -> Result<String, RenderError> {
    pretty(report)
}

pub fn findings(findings: &[Finding]) -> Result<String, RenderError> {
    pretty(&findings)
}

/// A trace: the chosen cells with the state they were taken from.
#[derive(Serialize)]
struct Trace<'a> {
    schema_version: u32,
    state: TraceState<'a>,
    cells: &'a [&'a Cell],
}

#[derive(Serialize)]
struct TraceState<'a> {
    step: Option<usize>,
    label: &'a str,
}

pub fn trace(state: &StateMatrix, cells: &[&Cell]) -> Result<String, RenderError> {
    pretty(&Trace {
        schema_version: SCHEMA_VERSION,
        state: TraceState {
            step: state.step,
            label: &state.label,
        },
        cells,
    })
}

pub(crate) fn pretty<T: Serialize + ?Sized>(v: &T) -> Result<String, RenderError> {
    let mut s = serde_json::to_string_pretty(v)?;
    s.push('\n');
    Ok(s)
}
