//! Renderers for what `sim` and `conformance` compute: connectivity matrices, traces and
//! findings, as terminal tables, Markdown, JSON, JUnit XML, a self-contained HTML page,
//! and DOT / Mermaid drawings of the topology.
//!
//! This crate only renders. It never decides reachability: every symbol it prints is an
//! aggregation of the [`Cell`]s it is given, so a simulated and an observed matrix render
//! the same way and a renderer cannot disagree with the engine.

use hnsim_model::Finding;
use hnsim_sim::matrix::{Cell, Report, StateMatrix};
use std::fmt;
use std::str::FromStr;

mod dot;
mod html;
mod json;
mod junit;
pub mod legend;
mod markdown;
mod mermaid;
mod svg;
mod terminal;
mod text;

pub use json::SCHEMA;

/// Output formats. Not every format suits every input: see [`RenderError::Unsupported`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    Terminal,
    Markdown,
    Json,
    Junit,
    Html,
    Dot,
    Mermaid,
}

impl Format {
    pub const ALL: [Format; 7] = [
        Format::Terminal,
        Format::Markdown,
        Format::Json,
        Format::Junit,
        Format::Html,
        Format::Dot,
        Format::Mermaid,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Format::Terminal => "terminal",
            Format::Markdown => "markdown",
            Format::Json => "json",
            Format::Junit => "junit",
            Format::Html => "html",
            Format::Dot => "dot",
            Format::Mermaid => "mermaid",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = RenderError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        Format::ALL
            .into_iter()
            .find(|f| f.name() == lower || (lower == "md" && *f == Format::Markdown))
            .ok_or(RenderError::UnknownFormat(s.to_string()))
    }
}

/// How to render for the reader at hand.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderOptions {
    /// ANSI colour in terminal output. The CLI decides (TTY, `NO_COLOR`).
    pub colour: bool,
    /// Columns the terminal matrix may use before it is folded into chunks.
    pub width: usize,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            colour: false,
            width: 120,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The format has nothing meaningful to draw for this input (e.g. DOT of findings).
    #[error("--format {format} cannot render {input}; use {suggest}")]
    Unsupported {
        format: Format,
        input: &'static str,
        suggest: &'static str,
    },
    #[error("unknown format `{0}`; use terminal, markdown, json, junit, html, dot or mermaid")]
    UnknownFormat(String),
    #[error("cannot serialize to JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// Renders the whole output of `sim` or `conform`: every state's matrix, the findings,
/// the topology and, when present, the conformance comparison.
pub fn render_report(
    report: &Report,
    format: Format,
    opts: &RenderOptions,
) -> Result<String, RenderError> {
    match format {
        Format::Terminal => Ok(terminal::report(report, opts)),
        Format::Markdown => Ok(markdown::report(report)),
        Format::Json => json::report(report),
        Format::Junit => Ok(junit::report(report)),
        Format::Html => html::report(report),
        Format::Dot => Ok(dot::topology(&report.topology, &report.scenario.name)),
        Format::Mermaid => Ok(mermaid::topology(&report.topology)),
    }
}

/// Renders the findings of `check`.
pub fn render_findings(
    findings: &[Finding],
    format: Format,
    opts: &RenderOptions,
) -> Result<String, RenderError> {
    match format {
        Format::Terminal => Ok(terminal::findings(findings, opts)),
        Format::Markdown => Ok(markdown::findings(findings)),
        Format::Json => json::findings(findings),
        Format::Junit => Ok(junit::findings(findings)),
        Format::Html | Format::Dot | Format::Mermaid => Err(RenderError::Unsupported {
            format,
            input: "findings",
            suggest: "terminal, markdown, json or junit",
        }),
    }
}

/// Renders chosen cells of one state hop by hop (`trace`): the address to use, every
/// hop with its mechanism and fact IDs, and where and why a denied flow stops.
pub fn render_trace(
    state: &StateMatrix,
    cells: &[&Cell],
    format: Format,
    opts: &RenderOptions,
) -> Result<String, RenderError> {
    match format {
        Format::Terminal => Ok(terminal::trace(state, cells, opts)),
        Format::Markdown => Ok(markdown::trace(state, cells)),
        Format::Json => json::trace(state, cells),
        Format::Junit => Ok(junit::trace(state, cells)),
        Format::Html | Format::Dot | Format::Mermaid => Err(RenderError::Unsupported {
            format,
            input: "a trace",
            suggest:
                "terminal, markdown, json or junit (or `sim --format html` and click the cell)",
        }),
    }
}
