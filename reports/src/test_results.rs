//! `hnsim test`: each scenario's expectations against what the model says, with an
//! expected / observed / comparison table for every cell that does not match (the way
//! Kubernetes' network-policy tests print their truth tables).

use crate::check::CheckedInput;
use crate::text::{md_cell, md_code, pad_right, paint, plural, width, xml_escape as esc};
use crate::{json, Format, RenderError, RenderOptions};
use hnsim_sim::{CellCheck, CellSide, FindingsCheck, ScenarioCheck};
use serde::Serialize;
use std::fmt::Write;

/// Every scenario tested, and the inputs that could not be read.
#[derive(Clone, Debug, Default, Serialize)]
pub struct TestRun {
    pub scenarios: Vec<ScenarioCheck>,
    pub unreadable: Vec<CheckedInput>,
}

/// Scenarios that passed, failed, and had nothing to test.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TestSummary {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

impl TestRun {
    pub fn summary(&self) -> TestSummary {
        let mut s = TestSummary {
            failed: self.unreadable.len(),
            ..TestSummary::default()
        };
        for c in &self.scenarios {
            match (c.tested(), c.passed()) {
                (false, _) => s.skipped += 1,
                (true, true) => s.passed += 1,
                (true, false) => s.failed += 1,
            }
        }
        s
    }
}

pub fn render_test(
    run: &TestRun,
    format: Format,
    opts: &RenderOptions,
) -> Result<String, RenderError> {
    match format {
        Format::Terminal => Ok(terminal(run, opts)),
        Format::Markdown => Ok(markdown(run)),
        Format::Json => json::pretty(&document(run)),
        Format::Yaml => crate::yaml(&json::pretty(&document(run))?),
        Format::Junit => Ok(junit(run)),
        Format::Github => Ok(github(run)),
        Format::Html | Format::Dot | Format::Mermaid | Format::Sarif => {
            Err(RenderError::Unsupported {
                format,
                input: "test results",
                suggest: "terminal, markdown, json, yaml, junit or github",
            })
        }
    }
}

#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    summary: TestSummary,
    #[serde(flatten)]
    run: &'a TestRun,
}

fn document(run: &TestRun) -> Document<'_> {
    Document {
        schema_version: hnsim_sim::SCHEMA_VERSION,
        summary: run.summary(),
        run,
    }
}

fn cell_title(c: &CellCheck) -> String {
    format!("{} → {} {}", c.from, c.to, c.probe)
}

fn side_text(s: Option<&CellSide>, address: bool) -> String {
    match s {
        None => "(no such cell)".into(),
        Some(s) if address => s.address.clone().unwrap_or_else(|| "—".into()),
        Some(s) => s.disposition.clone(),
    }
}

/// The rows of a mismatching cell's table: what, expected, observed, comparison.
fn rows(c: &CellCheck) -> Vec<[String; 4]> {
    let mark = |ok: bool| if ok { "✓" } else { "✗" }.to_string();
    let mut rows = vec![[
        "disposition".to_string(),
        c.expected.disposition.clone(),
        side_text(c.observed.as_ref(), false),
        mark(c.disposition_matches),
    ]];
    if let Some(addr) = &c.expected.address {
        rows.push([
            "address".to_string(),
            addr.clone(),
            side_text(c.observed.as_ref(), true),
            mark(c.address_matches),
        ]);
    }
    rows
}

/// A small aligned table, indented.
fn table(out: &mut String, header: [&str; 4], rows: &[[String; 4]]) {
    let mut w = header.map(width);
    for r in rows {
        for (k, cell) in r.iter().enumerate() {
            w[k] = w[k].max(width(cell));
        }
    }
    let line = |cells: [&str; 4]| -> String {
        let body: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(k, c)| pad_right(c, w[k]))
            .collect();
        format!("    {}", body.join("  ").trim_end())
    };
    let _ = writeln!(out, "{}", line(header));
    for r in rows {
        let _ = writeln!(out, "{}", line([&r[0], &r[1], &r[2], &r[3]]));
    }
}

fn findings_text(f: &FindingsCheck) -> String {
    let mut s = String::new();
    if !f.missing.is_empty() {
        let _ = writeln!(s, "    missing:    {}", f.missing.join(", "));
    }
    if !f.unexpected.is_empty() {
        let _ = writeln!(
            s,
            "    unexpected: {} (at warning or above)",
            f.unexpected.join(", ")
        );
    }
    let _ = writeln!(
        s,
        "    expected [{}], observed [{}]",
        f.expected.join(", "),
        f.observed.join(", ")
    );
    s
}

fn terminal(run: &TestRun, opts: &RenderOptions) -> String {
    let c = opts.colour;
    let mut out = String::new();
    for i in &run.unreadable {
        let error = i.error.as_deref().unwrap_or_default();
        // Located errors already start with `file:line:column`.
        let error = if error.starts_with(&i.file) {
            error.to_string()
        } else {
            format!("{}: {error}", i.file)
        };
        let _ = writeln!(out, "{}  {error}", paint("ERROR", "1;31", c));
    }
    for s in &run.scenarios {
        if !s.tested() {
            let _ = writeln!(
                out,
                "{}  {}  (no expectations)",
                paint("skip", "2", c),
                s.file
            );
            continue;
        }
        if s.passed() {
            let what = match s.cells.len() {
                0 => "findings".to_string(),
                n => format!("findings and {}", plural(n, "cell")),
            };
            let _ = writeln!(out, "{}  {}  ({what})", paint("PASS", "32", c), s.file);
            continue;
        }
        let fail = paint("FAIL", "1;31", c);
        if let Some(f) = s.findings.as_ref().filter(|f| !f.passed()) {
            let _ = writeln!(out, "{fail}  {}  findings", f.location_text());
            out.push_str(&findings_text(f));
        }
        for cell in s.cells.iter().filter(|c| !c.passed()) {
            let _ = writeln!(
                out,
                "{fail}  {}  {}",
                cell.location_text(),
                cell_title(cell)
            );
            match &cell.problem {
                Some(p) => {
                    let _ = writeln!(out, "    {p}");
                }
                None => out.push_str(&mismatch(cell)),
            }
        }
    }
    out.push_str(&tally(run));
    out
}

/// `hnsim test: 3 passed, 1 failed, 2 skipped`, the closing line of the text formats.
fn tally(run: &TestRun) -> String {
    let s = run.summary();
    format!(
        "hnsim test: {} passed, {} failed, {} skipped\n",
        s.passed, s.failed, s.skipped
    )
}

/// Why a cell's expectation does not hold: the problem with the expectation itself, or
/// the expected / observed / comparison table.
fn mismatch(cell: &CellCheck) -> String {
    let mut t = String::new();
    match &cell.problem {
        Some(p) => t.push_str(p),
        None => table(
            &mut t,
            ["", "expected", "observed", "comparison"],
            &rows(cell),
        ),
    }
    t
}

/// `file:line:column` of a check, for the text formats.
trait Located {
    fn location_text(&self) -> String;
}

impl Located for CellCheck {
    fn location_text(&self) -> String {
        located(&self.location)
    }
}

impl Located for FindingsCheck {
    fn location_text(&self) -> String {
        located(&self.location)
    }
}

fn located(l: &hnsim_model::Location) -> String {
    if l.line > 0 {
        format!("{}:{}:{}", l.file, l.line, l.column)
    } else {
        l.file.clone()
    }
}

/// An annotation at each expectation that does not hold, then the tally.
fn github(run: &TestRun) -> String {
    use crate::github::annotation;
    use hnsim_model::Severity;
    let mut out = String::new();
    for i in &run.unreadable {
        let error = i.error.as_deref().unwrap_or_default();
        out.push_str(&annotation(
            Severity::Error,
            &i.file,
            0,
            0,
            "unreadable input",
            error,
        ));
    }
    for sc in run.scenarios.iter().filter(|s| s.tested() && !s.passed()) {
        if let Some(f) = sc.findings.as_ref().filter(|f| !f.passed()) {
            let l = &f.location;
            let text = findings_text(f);
            out.push_str(&annotation(
                Severity::Error,
                &l.file,
                l.line,
                l.column,
                "expected findings",
                text.trim(),
            ));
        }
        for cell in sc.cells.iter().filter(|c| !c.passed()) {
            let l = &cell.location;
            let text = mismatch(cell);
            let title = format!("expected cell {}", cell_title(cell));
            out.push_str(&annotation(
                Severity::Error,
                &l.file,
                l.line,
                l.column,
                &title,
                text.trim_end(),
            ));
        }
    }
    out.push_str(&tally(run));
    out
}

fn markdown(run: &TestRun) -> String {
    let s = run.summary();
    let mut out = format!(
        "### hnsim test: {} passed, {} failed, {} skipped\n\n",
        s.passed, s.failed, s.skipped
    );
    out.push_str("| scenario | result | cells |\n| :-- | :-- | --: |\n");
    for i in &run.unreadable {
        let _ = writeln!(
            out,
            "| {} | ❌ unreadable: {} | |",
            md_code(&i.file),
            md_cell(i.error.as_deref().unwrap_or_default())
        );
    }
    for sc in &run.scenarios {
        let result = match (sc.tested(), sc.passed()) {
            (false, _) => "no expectations",
            (true, true) => "✅ pass",
            (true, false) => "❌ fail",
        };
        let _ = writeln!(
            out,
            "| {} | {result} | {} |",
            md_code(&sc.file),
            sc.cells.len()
        );
    }
    for sc in run.scenarios.iter().filter(|s| s.tested() && !s.passed()) {
        if let Some(f) = sc.findings.as_ref().filter(|f| !f.passed()) {
            let _ = writeln!(out, "\n#### {} findings\n", md_code(&f.location_text()));
            let _ = writeln!(out, "| | codes |\n| :-- | :-- |");
            let _ = writeln!(out, "| expected | {} |", md_cell(&f.expected.join(", ")));
            let _ = writeln!(out, "| observed | {} |", md_cell(&f.observed.join(", ")));
            let _ = writeln!(out, "| missing | {} |", md_cell(&f.missing.join(", ")));
            let _ = writeln!(
                out,
                "| unexpected | {} |",
                md_cell(&f.unexpected.join(", "))
            );
        }
        for cell in sc.cells.iter().filter(|c| !c.passed()) {
            let _ = writeln!(
                out,
                "\n#### {} {}\n",
                md_code(&cell.location_text()),
                md_cell(&cell_title(cell))
            );
            if let Some(p) = &cell.problem {
                let _ = writeln!(out, "{}", md_cell(p));
                continue;
            }
            out.push_str("| | expected | observed | comparison |\n| :-- | :-- | :-- | :-: |\n");
            for r in rows(cell) {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} |",
                    r[0],
                    md_cell(&r[1]),
                    md_cell(&r[2]),
                    r[3]
                );
            }
        }
    }
    out
}

/// One suite per scenario file, one case per expected cell and one for the findings;
/// a scenario without expectations is one skipped case.
fn junit(run: &TestRun) -> String {
    let mut suites = String::new();
    let (mut total, mut failures, mut id) = (0, 0, 0);
    let mut suite = |file: &str, cases: &[(String, Option<String>, u32, bool)]| {
        let tests = cases.len();
        let failed = cases.iter().filter(|c| c.1.is_some()).count();
        let skipped = cases.iter().filter(|c| c.3).count();
        let _ = writeln!(
            suites,
            "  <testsuite name=\"{}\" id=\"{id}\" tests=\"{tests}\" failures=\"{failed}\" errors=\"0\" skipped=\"{skipped}\" time=\"0\" file=\"{}\">",
            esc(file),
            esc(file)
        );
        for (name, failure, _line, skip) in cases {
            let _ = write!(
                suites,
                "    <testcase classname=\"hnsim.test\" name=\"{}\" time=\"0\"",
                esc(name)
            );
            match (failure, skip) {
                (Some(text), _) => {
                    let first = text.lines().next().unwrap_or_default();
                    let _ = writeln!(
                        suites,
                        ">\n      <failure message=\"{}\" type=\"mismatch\">{}</failure>\n    </testcase>",
                        esc(first),
                        esc(text)
                    );
                }
                (None, true) => {
                    suites.push_str(
                        ">\n      <skipped message=\"no expectations\"/>\n    </testcase>\n",
                    );
                }
                (None, false) => suites.push_str("/>\n"),
            }
        }
        suites.push_str("  </testsuite>\n");
        total += tests;
        failures += failed;
        id += 1;
    };
    for i in &run.unreadable {
        let error = i.error.clone().unwrap_or_default();
        suite(
            &i.file,
            &[(format!("{} is readable", i.file), Some(error), 0, false)],
        );
    }
    for sc in &run.scenarios {
        let mut cases = Vec::new();
        let Some(f) = &sc.findings else {
            suite(
                &sc.file,
                &[(format!("{} (no expectations)", sc.file), None, 0, true)],
            );
            continue;
        };
        let failure = (!f.passed()).then(|| findings_text(f).trim().to_string());
        cases.push((
            format!("findings ({})", f.location_text()),
            failure,
            f.location.line,
            false,
        ));
        for cell in &sc.cells {
            let failure = (!cell.passed()).then(|| mismatch(cell));
            let name = format!("{} ({})", cell_title(cell), cell.location_text());
            cases.push((name, failure, cell.location.line, false));
        }
        suite(&sc.file, &cases);
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"hnsim test\" tests=\"{total}\" failures=\"{failures}\" errors=\"0\" time=\"0\">\n{suites}</testsuites>\n"
    )
}
