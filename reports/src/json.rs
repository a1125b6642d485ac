//! JSON: the answer types serialized as they are, so scripts read exactly what the
//! engine produced. A report is written by class (schema version 2, [`SCHEMA_V2`]):
//! nodes, classes, one table of hops, paths, fact sets and answers, and the answers of
//! each class pair; its size grows with the classes, not with the cells. Version 1
//! ([`SCHEMA`], `--schema v1`) writes every cell out. Both are streamed to the writer,
//! never held whole in memory.

use crate::RenderError;
use hnsim_model::Finding;
use hnsim_sim::matrix::{Cell, Report, ReportByClass, StateMatrix, SCHEMA_VERSION};
use serde::Serialize;
use std::io::Write;

/// JSON Schema (draft 2020-12) of the report document, version 1 (every cell). Shipped
/// in the crate so the CLI can print it and tests can hold every emitted document to it.
pub const SCHEMA: &str = include_str!("../schema/report.v1.schema.json");

/// JSON Schema of the report document by class, version 2 (the default); it refers to
/// version 1's `$defs` for what the two share.
pub const SCHEMA_V2: &str = include_str!("../schema/report.v2.schema.json");

/// Which report document `--format json` writes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ReportSchema {
    /// Version 1: every cell written out (kept for readers of the old document).
    V1,
    /// Version 2: by class.
    #[default]
    V2,
}

pub fn report(report: &Report, schema: ReportSchema, w: &mut dyn Write) -> Result<(), RenderError> {
    match schema {
        ReportSchema::V1 => pretty_to(report, w),
        ReportSchema::V2 => pretty_to(&ReportByClass::new(report), w),
    }
}

/// The same document as YAML, serialized straight to `w` (no JSON tree in between).
pub fn report_yaml(
    report: &Report,
    schema: ReportSchema,
    w: &mut dyn Write,
) -> Result<(), RenderError> {
    let mut w = std::io::BufWriter::new(w);
    match schema {
        ReportSchema::V1 => serde_yaml_ng::to_writer(&mut w, report)?,
        ReportSchema::V2 => serde_yaml_ng::to_writer(&mut w, &ReportByClass::new(report))?,
    }
    w.flush()?;
    Ok(())
}

pub fn findings(findings: &[Finding]) -> Result<String, RenderError> {
    pretty(&findings)
}

/// A trace: the chosen cells with the state they were taken from.
#[derive(Serialize)]
struct Trace<'a> {
    schema_version: u32,
    state: TraceState<'a>,
    cells: &'a [Cell],
}

#[derive(Serialize)]
struct TraceState<'a> {
    step: Option<usize>,
    label: &'a str,
}

pub fn trace(state: &StateMatrix, cells: &[Cell]) -> Result<String, RenderError> {
    pretty(&Trace {
        schema_version: SCHEMA_VERSION,
        state: TraceState {
            step: state.step,
            label: &state.label,
        },
        cells,
    })
}

/// Pretty JSON and a final newline, streamed to `w`.
fn pretty_to<T: Serialize + ?Sized>(v: &T, w: &mut dyn Write) -> Result<(), RenderError> {
    let mut w = std::io::BufWriter::new(w);
    serde_json::to_writer_pretty(&mut w, v)?;
    w.write_all(b"\n")?;
    w.flush()?;
    Ok(())
}

/// Pretty JSON and a final newline, as a string (documents that are small by nature).
pub(crate) fn pretty<T: Serialize + ?Sized>(v: &T) -> Result<String, RenderError> {
    let mut out = Vec::new();
    pretty_to(v, &mut out)?;
    Ok(String::from_utf8(out).unwrap_or_default())
}
