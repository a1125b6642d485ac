//! One self-contained HTML page: the topology drawing, the matrix as a clickable heatmap
//! with each cell's path, the findings and the conformance comparison. No network, no
//! external assets: CSS and JS are inlined from `html/`.
//!
//! The matrix is embedded by class as compact JSON ([`data`]) and drawn on a `<canvas>`
//! on load: one square per node pair up to [`crate::legend::MAX_NODES`] nodes, beyond
//! that one per pair of classes, grouped by network; a click shows the pair's path,
//! made by the script from the shared answers. The page stays small at any size.

mod data;

use crate::legend;
use crate::text::{self, xml_escape as esc};
use crate::{svg, RenderError};
use hnsim_model::Severity;
use hnsim_sim::matrix::{Conformance, Report, Verdict};
use serde_json::Value;
use std::fmt::Write;

const CSS: &str = include_str!("html/style.css");
const JS: &str = include_str!("html/app.js");
/// Runs before anything else so the self-test can report script errors of the page.
const ERRORS_JS: &str = "window.__hnsimErrors=[];addEventListener('error',function(e){__hnsimErrors.push(String(e.message||e))});(function(){var c=console.error;console.error=function(){__hnsimErrors.push(Array.prototype.join.call(arguments,' '));c.apply(console,arguments)}})();";

/// Every fact of the catalogue, `ID -> "title: text"`, so a fact chip shows what the
/// fact says on hover.
pub(crate) fn fact_texts() -> Value {
    hnsim_model::fact::all()
        .iter()
        .map(|f| (f.id.clone(), Value::from(fact_tip(f))))
        .collect::<serde_json::Map<String, Value>>()
        .into()
}

fn fact_tip(f: &hnsim_model::fact::Fact) -> String {
    format!("{}: {}", f.title, f.text.trim())
}

/// JSON inside `<script>`: `<` is escaped so no string can close the element or open a
/// comment; the JSON stays equivalent.
fn script_json(v: &Value) -> Result<String, RenderError> {
    Ok(serde_json::to_string(v)?.replace('<', "\\u003c"))
}

pub fn report(report: &Report) -> Result<String, RenderError> {
    let sc = &report.scenario;
    let data = script_json(&data::data(report))?;
    let mut out = String::with_capacity(data.len() + 64 * 1024);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(out, "<title>hnsim · {}</title>", esc(&sc.name));
    let _ = writeln!(out, "<script>{ERRORS_JS}</script>");
    let _ = writeln!(out, "<style>\n{CSS}</style>\n</head>\n<body>");
    out.push_str("<header>\n");
    let _ = writeln!(
        out,
        "<h1><span class=\"brand\">hnsim</span> {}</h1>",
        esc(&sc.name)
    );
    let _ = write!(
        out,
        "<p class=\"meta\">scenario file <code>{}</code>",
        esc(&sc.file)
    );
    if !sc.covers.is_empty() {
        let _ = write!(out, " · covers {}", esc(&sc.covers.join(", ")));
    }
    out.push_str("</p>\n");
    if !sc.description.is_empty() {
        let _ = writeln!(out, "<p class=\"desc\">{}</p>", esc(sc.description.trim()));
    }
    out.push_str(&badges(report));
    out.push_str("</header>\n<main>\n");

    out.push_str("<section id=\"matrix-section\">\n<h2>Connectivity matrix</h2>\n");
    out.push_str("<div class=\"toolbar\"><label>State <select id=\"state\"></select></label><label>Sources matching <input id=\"filter\" type=\"search\" placeholder=\"container, host, network…\"></label><span id=\"summary\" class=\"summary\"></span></div>\n");
    out.push_str("<div id=\"legend\" class=\"legend\"></div>\n");
    out.push_str("<div class=\"matrix-layout\"><div id=\"heat-wrap\" class=\"heat-wrap\"><canvas id=\"heat\" tabindex=\"0\" aria-label=\"connectivity matrix; rows are sources, columns destinations\"></canvas><div id=\"tip\" class=\"tip\" hidden></div></div>\n");
    out.push_str("<aside id=\"detail\" class=\"detail\"><p class=\"hint\">Click a cell to see how each probe gets there (or where it stops), hop by hop, with the SPEC facts behind every hop.</p></aside></div>\n");
    out.push_str("<noscript><p>The matrix needs JavaScript; `--format markdown` or `--format json` carry the same cells.</p></noscript>\n</section>\n");

    out.push_str("<section id=\"topology-section\">\n<h2>Topology</h2>\n<div class=\"topo-wrap\">");
    out.push_str(&svg::topology(&report.topology));
    out.push_str("</div>\n</section>\n");

    findings_html(&mut out, report);
    conformance_html(&mut out, report);
    out.push_str("</main>\n<pre id=\"hnsim-selftest\" hidden></pre>\n");
    let _ = writeln!(
        out,
        "<script type=\"application/json\" id=\"hnsim-data\">{data}</script>"
    );
    let _ = writeln!(out, "<script>\n{JS}</script>\n</body>\n</html>");
    Ok(out)
}

fn badges(report: &Report) -> String {
    let mut out = String::from("<div class=\"badges\">");
    if let Some(state) = report.final_state() {
        let s = state.summary();
        let label = if report.states.len() > 1 {
            format!("final state ({}): ", state.label)
        } else {
            String::new()
        };
        let _ = write!(
            out,
            "<span class=\"badge ok\">{}{} delivered</span><span class=\"badge deny\">{} denied</span><span class=\"badge unk\">{} unknown</span>",
            esc(&label),
            s.delivered,
            s.denied,
            s.unknown
        );
    }
    let errors = report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .count();
    let _ = write!(
        out,
        "<a href=\"#findings\" class=\"badge {}\">{}, {}</a>",
        if errors > 0 { "bad" } else { "neutral" },
        text::plural(errors, "error"),
        text::plural(warnings, "warning")
    );
    if let Some(c) = &report.conformance {
        let _ = write!(
            out,
            "<a href=\"#conformance\" class=\"badge {}\">conformance {}: {} agree, {} disagree</a>",
            if c.summary.disagree > 0 { "bad" } else { "ok" },
            esc(&c.backend),
            c.summary.agree,
            c.summary.disagree
        );
    }
    out.push_str("</div>\n");
    out
}

fn findings_html(out: &mut String, report: &Report) {
    out.push_str("<section id=\"findings\">\n<h2>Findings</h2>\n");
    if report.findings.is_empty() {
        out.push_str("<p>No findings: the design passes every check.</p>\n</section>\n");
        return;
    }
    out.push_str("<table class=\"grid\"><thead><tr><th>severity</th><th>code</th><th>message</th><th>where</th><th>facts</th><th>help</th></tr></thead><tbody>\n");
    for f in &report.findings {
        let mut message = rich(&f.message);
        if let Some(step) = f.step {
            let _ = write!(
                message,
                " <span class=\"m\">(after step {})</span>",
                step + 1
            );
        }
        let _ = writeln!(
            out,
            "<tr class=\"sev-{sev}\"><td><span class=\"sev\">{sev}</span></td><td><code>{}</code></td><td>{message}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
            esc(&f.code),
            esc(&f.location.to_string()),
            facts_html(&f.facts),
            rich(&f.help),
            sev = f.severity,
        );
    }
    out.push_str("</tbody></table>\n</section>\n");
}

/// Escaped text with `code spans` shown as code, as the findings write them.
fn rich(s: &str) -> String {
    let mut out = String::new();
    for (i, part) in s.split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{}</code>", esc(part));
        } else {
            out.push_str(&esc(part));
        }
    }
    out
}

fn facts_html(facts: &[String]) -> String {
    facts
        .iter()
        .map(|f| {
            let tip = hnsim_model::fact::lookup(f)
                .map(|x| format!(" title=\"{}\"", esc(&fact_tip(x))))
                .unwrap_or_default();
            format!("<span class=\"fact\"{tip}>{}</span>", esc(f))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn conformance_html(out: &mut String, report: &Report) {
    for conf in report.conformances() {
        conformance_state_html(out, report, conf);
    }
}

fn conformance_state_html(out: &mut String, report: &Report, conf: &Conformance) {
    let label = crate::legend::probed_label(report, conf);
    let s = &conf.summary;
    let _ = writeln!(
        out,
        "<section id=\"conformance{}\" class=\"conformance\" data-state=\"{}\">\n<h2>Conformance on {}</h2>\n<p>State <b>{}</b>: <span class=\"badge ok\">{} agree</span> <span class=\"badge {}\">{} disagree</span> <span class=\"badge neutral\">{} undecided</span> <span class=\"badge neutral\">{} not emulated</span> <span class=\"badge neutral\">{} known divergence</span></p>",
        // The final state's section is the one the header badge links to.
        if report.conformance.as_ref() == Some(conf) {
            String::new()
        } else {
            format!("-{}", conf.state)
        },
        conf.state,
        esc(&conf.backend),
        esc(label),
        s.agree,
        if s.disagree > 0 { "bad" } else { "neutral" },
        s.disagree,
        s.undecided,
        s.not_emulated,
        s.known_divergence
    );
    let mut rows: Vec<_> = conf.cells.iter().collect();
    // Disagreements first: they are what a reviewer came for.
    rows.sort_by_key(|v| match v.verdict {
        Verdict::Disagree => 0,
        Verdict::KnownDivergence { .. } => 1,
        Verdict::Undecided { .. } => 2,
        Verdict::NotEmulated { .. } => 3,
        Verdict::Agree => 4,
    });
    out.push_str("<table class=\"grid\"><thead><tr><th>verdict</th><th>from</th><th>to</th><th>probe</th><th>expected</th><th>observed</th><th>repro</th></tr></thead><tbody>\n");
    for v in rows {
        let why = match &v.verdict {
            Verdict::NotEmulated { why } | Verdict::KnownDivergence { why } => {
                format!("<div class=\"m\">{}</div>", esc(why))
            }
            Verdict::Undecided { why, delivered } => format!(
                "<div class=\"m\">{}</div>",
                esc(&legend::undecided_text(why, *delivered))
            ),
            _ => String::new(),
        };
        let class = legend::verdict_text(&v.verdict).replace(' ', "-");
        let _ = writeln!(
            out,
            "<tr class=\"v-{}\" data-from=\"{}\" data-to=\"{}\" title=\"show this pair in the matrix\"><td>{}{why}</td><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}<div class=\"m\">{}</div></td><td>{}</td></tr>",
            class,
            esc(&v.from),
            esc(&v.to),
            esc(legend::verdict_text(&v.verdict)),
            esc(&v.from),
            esc(&v.to),
            v.probe,
            esc(&legend::disposition_text(&v.expected)),
            esc(&text::outcome(&v.observation.outcome)),
            esc(&v.observation.sent),
            if v.observation.repro.is_empty() {
                String::new()
            } else {
                format!("<code>{}</code>", esc(&v.observation.repro))
            }
        );
    }
    out.push_str("</tbody></table>\n</section>\n");
}
