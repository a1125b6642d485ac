//! Renderers for what `sim` and `conformance` compute: connectivity matrices, traces and
//! findings, as terminal tables, Markdown, JSON, JUnit XML, a self-contained HTML page,
//! and DOT / Mermaid drawings of the topology.
//!
//! This crate only renders. It never decides reachability: every symbol it prints is an
//! aggregation of the [`Cell`]s it is given, so a simulated and an observed matrix render
//! the same way and a renderer cannot disagree with the engine.

use hnsim_model::Finding;

/// The variants `V` of fieldless enum `E` (`every_variant!(E: E::A, E::B)`), as an array:
/// the list stops compiling when `E` gains a variant it lacks, because the `match` beside
/// it must be exhaustive. For the lists of every reason and mechanism ([`glossary`]) and
/// the tests that must see every variant of an answer type.
#[doc(hidden)]
#[macro_export]
macro_rules! every_variant {
    ($e:ty: $($v:path),+ $(,)?) => {{
        #[allow(dead_code)]
        fn exhaustive(x: $e) {
            match x {
                $($v)|+ => {}
            }
        }
        [$($v),+]
    }};
}
use hnsim_sim::matrix::{Cell, Report, StateMatrix};
use std::fmt;
use std::str::FromStr;

mod by_class;
mod check;
mod conform;
mod diff;
mod dot;
mod explain;
mod github;
pub mod glossary;
mod hns;
mod html;
mod json;
mod junit;
pub mod legend;
mod markdown;
mod mermaid;
mod sarif;
mod svg;
mod terminal;
mod test_results;
mod text;

pub use check::{render_check, Checked, CheckedInput};
pub use conform::{conform_summary, render_conform, StateTiming};
pub use diff::{render_diff, DiffDoc};
pub use explain::{
    every_word, everything, explain, explain_rule, lookup as explain_lookup, rule_list, Explained,
};
pub use hns::render_inspection;
pub use json::{ReportSchema, SCHEMA, SCHEMA_V2};
pub use test_results::{render_test, TestRun, TestSummary};

/// JSON Schemas of the other documents (`check`, `trace`, `diff`), each built on the
/// report schema's `$defs` by reference (`report.v1.schema.json#/$defs/...`, resolved
/// against their common `$id` base).
pub const CHECK_SCHEMA: &str = include_str!("../schema/check.v1.schema.json");
pub const TRACE_SCHEMA: &str = include_str!("../schema/trace.v1.schema.json");
pub const DIFF_SCHEMA: &str = include_str!("../schema/diff.v1.schema.json");

/// Output formats: the one list every command picks from (`--format`, or the `-o` file's
/// extension). Not every format suits every input: see [`RenderError::Unsupported`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    Terminal,
    Markdown,
    Json,
    Yaml,
    Junit,
    Html,
    Dot,
    Mermaid,
    /// SARIF 2.1.0, for GitHub code scanning and other static-analysis viewers.
    Sarif,
    /// GitHub Actions workflow commands (`::error file=…,line=…::…`).
    Github,
}

impl Format {
    /// Whether the format shows a report's topology (drawn, or written out with the
    /// rest of the report): the others need none computed.
    pub fn shows_topology(self) -> bool {
        matches!(
            self,
            Format::Json | Format::Yaml | Format::Html | Format::Dot | Format::Mermaid
        )
    }

    pub const ALL: [Format; 10] = [
        Format::Terminal,
        Format::Markdown,
        Format::Json,
        Format::Yaml,
        Format::Junit,
        Format::Html,
        Format::Dot,
        Format::Mermaid,
        Format::Sarif,
        Format::Github,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Format::Terminal => "terminal",
            Format::Markdown => "markdown",
            Format::Json => "json",
            Format::Yaml => "yaml",
            Format::Junit => "junit",
            Format::Html => "html",
            Format::Dot => "dot",
            Format::Mermaid => "mermaid",
            Format::Sarif => "sarif",
            Format::Github => "github",
        }
    }

    /// The format a file name asks for by its extension (`report.html`, `cells.xml`),
    /// so `-o report.html` writes HTML without `--format html`. `None`: the extension
    /// says nothing (or there is none).
    pub fn from_extension(path: &std::path::Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "txt" | "text" => Format::Terminal,
            "md" | "markdown" => Format::Markdown,
            "json" => Format::Json,
            "yaml" | "yml" => Format::Yaml,
            "xml" => Format::Junit,
            "html" | "htm" => Format::Html,
            "dot" | "gv" => Format::Dot,
            "mmd" | "mermaid" => Format::Mermaid,
            "sarif" => Format::Sarif,
            _ => return None,
        })
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
        let alias = match lower.as_str() {
            "md" => Some(Format::Markdown),
            "yml" => Some(Format::Yaml),
            "text" => Some(Format::Terminal),
            _ => None,
        };
        alias
            .or_else(|| Format::ALL.into_iter().find(|f| f.name() == lower))
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
    /// The report document `--format json` (and yaml) writes.
    pub schema: ReportSchema,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            colour: false,
            width: 120,
            schema: ReportSchema::default(),
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
    #[error("unknown format `{0}`; use terminal, markdown, json, yaml, junit, html, dot, mermaid, sarif or github")]
    UnknownFormat(String),
    #[error("cannot serialize to YAML: {0}")]
    Yaml(#[from] serde_yaml_ng::Error),
    #[error("cannot serialize to JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("cannot write the output: {0}")]
    Io(#[from] std::io::Error),
}

impl RenderError {
    /// The reader went away (`hnsim sim … | head`): not an error for a Unix tool.
    pub fn is_broken_pipe(&self) -> bool {
        let kind = match self {
            RenderError::Io(e) => Some(e.kind()),
            RenderError::Json(e) => e.io_error_kind(),
            _ => None,
        };
        kind == Some(std::io::ErrorKind::BrokenPipe)
    }
}

/// Renders the whole output of `sim` or `conform`: every state's matrix, the findings,
/// the topology and, when present, the conformance comparison. SARIF and GitHub
/// annotations carry the report's findings (what a pipeline annotates); DOT and Mermaid
/// draw the topology of the report (the CLI puts the state shown in it).
pub fn render_report(
    report: &Report,
    format: Format,
    opts: &RenderOptions,
) -> Result<String, RenderError> {
    let mut out = Vec::new();
    render_report_to(report, format, opts, &mut out)?;
    Ok(String::from_utf8(out).unwrap_or_default())
}

/// [`render_report`] written to `w`: JSON streams (a large report is never one string
/// in memory); the other formats are written once rendered.
pub fn render_report_to(
    report: &Report,
    format: Format,
    opts: &RenderOptions,
    w: &mut dyn std::io::Write,
) -> Result<(), RenderError> {
    let text = match format {
        Format::Json => return json::report(report, opts.schema, w),
        Format::Terminal => terminal::report(report, opts),
        Format::Markdown => markdown::report(report),
        Format::Yaml => return json::report_yaml(report, opts.schema, w),
        Format::Junit => junit::report(report),
        Format::Html => html::report(report)?,
        Format::Dot => dot::topology(&report.topology, &report.scenario.name),
        Format::Mermaid => mermaid::topology(&report.topology),
        Format::Sarif => sarif::findings(&report.findings)?,
        Format::Github => github::findings(&report.findings),
    };
    w.write_all(text.as_bytes())?;
    Ok(())
}

/// Renders a list of findings (what `import` prints on standard error, and the body of
/// `check`'s output; see [`render_check`] for the whole `check` document).
pub fn render_findings(
    findings: &[Finding],
    format: Format,
    opts: &RenderOptions,
) -> Result<String, RenderError> {
    match format {
        Format::Terminal => Ok(terminal::findings(findings, opts)),
        Format::Markdown => Ok(markdown::findings(findings)),
        Format::Json => json::findings(findings),
        Format::Yaml => yaml(&json::findings(findings)?),
        Format::Junit => Ok(junit::findings(findings)),
        Format::Sarif => sarif::findings(findings),
        Format::Github => Ok(github::findings(findings)),
        Format::Html | Format::Dot | Format::Mermaid => Err(RenderError::Unsupported {
            format,
            input: "findings",
            suggest: "terminal, markdown, json, yaml, junit, sarif or github",
        }),
    }
}

/// Renders chosen cells of one state hop by hop (`trace`): the address to use, every
/// hop with its mechanism and fact IDs, and where and why a denied flow stops.
pub fn render_trace(
    state: &StateMatrix,
    cells: &[Cell],
    format: Format,
    opts: &RenderOptions,
) -> Result<String, RenderError> {
    match format {
        Format::Terminal => Ok(terminal::trace(state, cells, opts)),
        Format::Markdown => Ok(markdown::trace(state, cells)),
        Format::Json => json::trace(state, cells),
        Format::Yaml => yaml(&json::trace(state, cells)?),
        Format::Junit => Ok(junit::trace(state, cells)),
        Format::Html | Format::Dot | Format::Mermaid | Format::Sarif | Format::Github => {
            Err(RenderError::Unsupported {
                format,
                input: "a trace",
                suggest: "terminal, markdown, json, yaml or junit (or `sim --format html` and click the cell)",
            })
        }
    }
}

/// Renders a document that is one list (the changes of a diff, the checks of an HNS
/// inspection): its own terminal, Markdown and JUnit writers, JSON and YAML as it is
/// serialized, and a refusal naming `input` for the formats that draw a matrix,
/// a topology or findings.
fn render_list<T: serde::Serialize>(
    doc: &T,
    format: Format,
    input: &'static str,
    [terminal, markdown, junit]: [fn(&T) -> String; 3],
) -> Result<String, RenderError> {
    match format {
        Format::Terminal => Ok(terminal(doc)),
        Format::Markdown => Ok(markdown(doc)),
        Format::Json => json::pretty(doc),
        Format::Yaml => yaml(&json::pretty(doc)?),
        Format::Junit => Ok(junit(doc)),
        Format::Html | Format::Dot | Format::Mermaid | Format::Sarif | Format::Github => {
            Err(RenderError::Unsupported {
                format,
                input,
                suggest: "terminal, markdown, json, yaml or junit",
            })
        }
    }
}

/// The YAML form of a JSON document: the same shape, for readers who prefer YAML.
fn yaml(json: &str) -> Result<String, RenderError> {
    let value: serde_json::Value = serde_json::from_str(json)?;
    Ok(serde_yaml_ng::to_string(&value)?)
}
