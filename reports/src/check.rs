//! The whole output of `hnsim check`: every input file (and why one could not be read)
//! with the findings of all of them, in every format that can carry findings.

use crate::{github, json, junit, markdown, sarif, terminal, text};
use crate::{Format, RenderError, RenderOptions};
use hnsim_model::{Finding, Severity};
use serde::Serialize;
use serde_with::skip_serializing_none;
use std::fmt::Write;

/// One input of `check`: a file, and the error that kept it from being read.
#[skip_serializing_none]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CheckedInput {
    pub file: String,
    pub error: Option<String>,
}

/// What `check` found in a set of files.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Checked {
    pub inputs: Vec<CheckedInput>,
    pub findings: Vec<Finding>,
}

impl Checked {
    fn unreadable(&self) -> impl Iterator<Item = &CheckedInput> {
        self.inputs.iter().filter(|i| i.error.is_some())
    }
}

/// `check --format json` (schema `check.v1.schema.json`): versioned like the other
/// documents, with every input file and a summary.
#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    inputs: &'a [CheckedInput],
    summary: Summary,
    findings: &'a [Finding],
}

#[derive(Serialize)]
struct Summary {
    errors: usize,
    warnings: usize,
    info: usize,
}

fn document(c: &Checked) -> Result<String, RenderError> {
    let count = |s: Severity| c.findings.iter().filter(|f| f.severity == s).count();
    json::pretty(&Document {
        schema_version: hnsim_sim::SCHEMA_VERSION,
        inputs: &c.inputs,
        summary: Summary {
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            info: count(Severity::Info),
        },
        findings: &c.findings,
    })
}

/// `checked 3 files (1 unreadable)`, said when more than one file was checked.
fn tally(c: &Checked) -> String {
    if c.inputs.len() <= 1 {
        return String::new();
    }
    format!(
        "checked {} files ({} unreadable)\n",
        c.inputs.len(),
        c.unreadable().count()
    )
}

/// Renders `check`'s result. Unreadable files are also said on standard error by the
/// CLI; here they are part of the document so a machine reader sees them too.
pub fn render_check(
    c: &Checked,
    format: Format,
    opts: &RenderOptions,
) -> Result<String, RenderError> {
    match format {
        Format::Terminal => Ok(terminal::findings(&c.findings, opts) + &tally(c)),
        Format::Markdown => {
            let mut out = markdown::findings(&c.findings);
            for i in c.unreadable() {
                let _ = writeln!(
                    out,
                    "\n**unreadable** {}: {}",
                    text::md_code(&i.file),
                    text::md_cell(i.error.as_deref().unwrap_or_default())
                );
            }
            Ok(out + &tally(c))
        }
        Format::Json => document(c),
        Format::Yaml => crate::yaml(&document(c)?),
        Format::Junit => Ok(junit::check(c)),
        Format::Sarif => sarif::check(c),
        Format::Github => {
            let mut out = String::new();
            for i in c.unreadable() {
                out.push_str(&github::annotation(
                    Severity::Error,
                    &i.file,
                    0,
                    0,
                    "unreadable input",
                    i.error.as_deref().unwrap_or_default(),
                ));
            }
            Ok(out + &github::findings(&c.findings))
        }
        Format::Html | Format::Dot | Format::Mermaid => Err(RenderError::Unsupported {
            format,
            input: "findings",
            suggest: "terminal, markdown, json, yaml, junit, sarif or github",
        }),
    }
}
