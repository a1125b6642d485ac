//! `hnsim diff`: the cells that change between two designs, in every format that can
//! carry a list of changes.

use crate::text::{md_cell, md_code, xml_escape as esc};
use crate::{Format, RenderError};
use hnsim_sim::{Address, CellChange, Disposition};
use serde::Serialize;
use std::fmt::Write;

/// The compared designs and what changed (schema `diff.v1.schema.json`).
#[derive(Clone, Debug, Serialize)]
pub struct DiffDoc {
    pub schema_version: u32,
    pub before: String,
    pub after: String,
    pub changes: Vec<CellChange>,
}

pub fn render_diff(d: &DiffDoc, format: Format) -> Result<String, RenderError> {
    crate::render_list(d, format, "a diff", [terminal, markdown, junit])
}

fn disposition(d: &Option<Disposition>) -> String {
    match d {
        None => "(no such cell)".into(),
        Some(d) => crate::legend::disposition_text(d),
    }
}

fn via(a: &Option<Address>) -> String {
    a.as_ref()
        .map(|a| format!(" via {}", a.value))
        .unwrap_or_default()
}

fn side(c: &CellChange, before: bool) -> String {
    if before {
        format!("{}{}", disposition(&c.before), via(&c.before_address))
    } else {
        format!("{}{}", disposition(&c.after), via(&c.after_address))
    }
}

fn terminal(d: &DiffDoc) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} -> {}: {}",
        d.before,
        d.after,
        crate::text::plural(d.changes.len(), "changed cell")
    );
    for c in &d.changes {
        let _ = writeln!(
            s,
            "  {} -> {} {}: {} => {}",
            c.from,
            c.to,
            c.probe,
            side(c, true),
            side(c, false)
        );
    }
    s
}

fn markdown(d: &DiffDoc) -> String {
    let mut s = format!(
        "### {} → {}: {}\n\n",
        md_code(&d.before),
        md_code(&d.after),
        crate::text::plural(d.changes.len(), "changed cell")
    );
    if d.changes.is_empty() {
        s.push_str("No cell changed.\n");
        return s;
    }
    s.push_str("| from | to | probe | before | after |\n| :-- | :-- | :-- | :-- | :-- |\n");
    for c in &d.changes {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} |",
            md_code(&c.from),
            md_code(&c.to),
            c.probe,
            md_cell(&side(c, true)),
            md_cell(&side(c, false))
        );
    }
    s
}

/// Each changed cell is a failing test case (a pipeline that runs `diff` stops on a
/// change, as its exit code does); no change is one passing case.
fn junit(d: &DiffDoc) -> String {
    let mut body = String::new();
    for c in &d.changes {
        let message = format!("{} => {}", side(c, true), side(c, false));
        let _ = writeln!(
            body,
            "    <testcase classname=\"hnsim.diff\" name=\"{}\" time=\"0\">\n      <failure message=\"{}\" type=\"changed\">{}</failure>\n    </testcase>",
            esc(&format!("{} -> {} {}", c.from, c.to, c.probe)),
            esc(&message),
            esc(&message)
        );
    }
    let (tests, failures) = if d.changes.is_empty() {
        body.push_str(
            "    <testcase classname=\"hnsim.diff\" name=\"no cell changed\" time=\"0\"/>\n",
        );
        (1, 0)
    } else {
        (d.changes.len(), d.changes.len())
    };
    let name = esc(&format!("{} -> {}", d.before, d.after));
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"hnsim diff\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" time=\"0\">\n  <testsuite name=\"{name}\" id=\"0\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\" time=\"0\">\n{body}  </testsuite>\n</testsuites>\n"
    )
}
