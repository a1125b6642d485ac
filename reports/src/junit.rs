//! JUnit XML, so any CI system lists the matrix as tests.
//!
//! A denied cell is an answer, not a failure: `sim` passes every cell it could decide and
//! skips the ones it could not. Failures are reserved for what a pipeline should stop on:
//! findings at error severity and cells where a real dataplane disagrees with the
//! simulation. Layout: one `<testsuite>` per state (one `<testcase>` per cell), one for
//! the findings, one for the conformance comparison when present.

use crate::by_class;
use crate::legend::{self, Grid};
use crate::text::{self, xml_escape as esc};
use hnsim_model::{Finding, Severity};
use hnsim_sim::matrix::{Cell, Conformance, Report, StateMatrix, Verdict};
use std::fmt::Write;

#[derive(Default)]
struct Suite {
    name: String,
    /// The file the suite's cases are about (`file` attribute of `<testsuite>`, which
    /// junit-10.xsd allows and CI viewers link).
    file: Option<String>,
    tests: usize,
    failures: usize,
    skipped: usize,
    body: String,
}

enum Status<'a> {
    Pass,
    Failure { message: &'a str, kind: &'a str },
    Skipped { message: &'a str },
}

impl Suite {
    fn new(name: impl Into<String>) -> Suite {
        Suite {
            name: name.into(),
            ..Suite::default()
        }
    }

    fn case(&mut self, classname: &str, name: &str, status: Status, out: &str) {
        self.tests += 1;
        let _ = write!(
            self.body,
            "    <testcase classname=\"{}\" name=\"{}\" time=\"0\"",
            esc(classname),
            esc(name)
        );
        if matches!(status, Status::Pass) && out.is_empty() {
            self.body.push_str("/>\n");
            return;
        }
        self.body.push_str(">\n");
        match status {
            Status::Pass => {}
            Status::Failure { message, kind } => {
                self.failures += 1;
                let _ = writeln!(
                    self.body,
                    "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                    esc(message),
                    esc(kind),
                    esc(out)
                );
            }
            Status::Skipped { message } => {
                self.skipped += 1;
                let _ = writeln!(self.body, "      <skipped message=\"{}\"/>", esc(message));
            }
        }
        if !out.is_empty() {
            let _ = writeln!(self.body, "      <system-out>{}</system-out>", esc(out));
        }
        self.body.push_str("    </testcase>\n");
    }
}

fn document(name: &str, suites: &[Suite]) -> String {
    let tests: usize = suites.iter().map(|s| s.tests).sum();
    let failures: usize = suites.iter().map(|s| s.failures).sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    // `<testsuites>` carries no `skipped` in the Jenkins junit-10 schema; the suites do.
    let _ = writeln!(
        out,
        "<testsuites name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" time=\"0\">",
        esc(name)
    );
    for (id, s) in suites.iter().enumerate() {
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" id=\"{id}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"0\"{}>",
            esc(&s.name),
            s.tests,
            s.failures,
            s.skipped,
            s.file
                .as_ref()
                .map(|f| format!(" file=\"{}\"", esc(f)))
                .unwrap_or_default()
        );
        out.push_str(&s.body);
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// Dots separate packages in most CI viewers; keep scenario names readable there.
fn class(scenario: &str, suite: &str) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .collect()
    };
    format!("hnsim.{}.{}", clean(scenario), clean(suite))
}

fn cell_name(cell: &Cell) -> String {
    format!("{} -> {} {}", cell.from, cell.to, cell.probe)
}

/// The text a CI viewer shows for a cell: result, address, facts, and for a flow that
/// does not arrive the path up to where it stops. Delivered paths are left to `trace`
/// and the other formats: at 200 x 200 endpoints they would make the file ten times
/// larger. A trace asked for the path, so it always has it.
fn cell_text(cell: &Cell, full_path: bool) -> String {
    let mut s = legend::disposition_text(&cell.disposition);
    if let Some(why) = legend::disposition_why(&cell.disposition) {
        let _ = write!(s, " — {why}");
    }
    s.push('\n');
    if let Some(a) = &cell.address {
        let label = if cell.disposition.is_delivered() {
            "use"
        } else {
            "tried"
        };
        let _ = writeln!(s, "{label}: {}", text::address(a));
    }
    let path: &[_] = if cell.disposition.is_delivered() && !full_path {
        &[]
    } else {
        &cell.path
    };
    for (k, hop) in path.iter().enumerate() {
        let _ = writeln!(s, "{}", text::hop_line(k + 1, hop));
    }
    if !cell.facts.is_empty() {
        let _ = writeln!(s, "facts: {}", cell.facts.join(", "));
    }
    s
}

fn state_suite(scenario: &str, index: usize, state: &StateMatrix) -> Suite {
    let mut suite = Suite::new(format!("{scenario}: state {}: {}", index + 1, state.label));
    let classname = class(scenario, &format!("state{}", index + 1));
    let mut case = |cell: &Cell, name: String, note: String| {
        let mut out = cell_text(cell, false);
        out.push_str(&note);
        suite.case(&classname, &name, cell_status(cell), &out);
    };
    let grid = Grid::new(state, None);
    if !grid.by_class() {
        for cell in state.cells() {
            case(&cell, cell_name(&cell), String::new());
        }
        return suite;
    }
    // Too many cells for a test case each: one per probe of each pair of classes,
    // shown on its first node pair.
    let names = by_class::classes(state);
    let lines = by_class::class_pairs(&grid);
    let cases: usize = lines
        .iter()
        .map(|l| state.pair(l.example.0, l.example.1).len())
        .sum();
    if cases > MAX_CASES {
        return answered_alike(suite, &classname, state, (&names, &lines));
    }
    for line in lines {
        let (s, t) = line.example;
        for cell in state.pair_cells(s, t) {
            let name = format!(
                "{} -> {} {}",
                names[line.from].name, names[line.to].name, cell.probe
            );
            let note = format!(
                "stands for every pair of the two classes: {}\n",
                legend::pairs_text(line.pairs)
            );
            case(&cell, name, note);
        }
    }
    suite
}

/// Test cases a state's suite may hold before class pairs answered alike are merged:
/// a CI viewer lists every case, and a thousand containers that each listen on their
/// own port are a million class pairs (three million cases, a gigabyte of XML).
const MAX_CASES: usize = 20_000;

/// One test case per probe of each distinct list of answers, shown on the first class
/// pair that has it, with how many class pairs and node pairs it stands for. The lists
/// come from the engine, which answers class pairs alike exactly when their answers
/// differ only in the two ends' own names and addresses.
fn answered_alike(
    mut suite: Suite,
    classname: &str,
    state: &StateMatrix,
    (names, lines): (&[by_class::ClassLine], &[by_class::ClassPairLine]),
) -> Suite {
    let mut groups: Vec<(&by_class::ClassPairLine, usize, usize)> = Vec::new();
    let mut group_of: std::collections::HashMap<u32, usize> = Default::default();
    for line in lines {
        let Some(list) = state.class_pair(line.from, line.to) else {
            continue;
        };
        let g = *group_of.entry(list).or_insert_with(|| {
            groups.push((line, 0, 0));
            groups.len() - 1
        });
        groups[g].1 += 1;
        groups[g].2 += line.pairs;
    }
    for (line, class_pairs, pairs) in groups {
        let (s, t) = line.example;
        for cell in state.pair_cells(s, t) {
            let name = format!(
                "{} -> {} {}",
                names[line.from].name, names[line.to].name, cell.probe
            );
            let mut out = cell_text(&cell, false);
            let _ = writeln!(
                out,
                "stands for {class_pairs} class pairs answered alike: {}",
                legend::pairs_text(pairs)
            );
            suite.case(classname, &name, cell_status(&cell), &out);
        }
    }
    suite
}

/// A cell passes unless the simulation could not decide it (skipped, with why).
fn cell_status(cell: &Cell) -> Status<'_> {
    match legend::disposition_why(&cell.disposition) {
        Some(why) if !cell.disposition.is_delivered() && is_unknown(cell) => {
            Status::Skipped { message: why }
        }
        _ => Status::Pass,
    }
}

fn is_unknown(cell: &Cell) -> bool {
    matches!(
        cell.disposition,
        hnsim_sim::matrix::Disposition::Unknown { .. }
    )
}

fn findings_suite(scenario: &str, findings: &[Finding]) -> Suite {
    let mut suite = Suite::new(format!("{scenario}: findings"));
    let classname = class(scenario, "findings");
    if findings.is_empty() {
        suite.case(&classname, "design passes every check", Status::Pass, "");
        return suite;
    }
    for f in findings {
        let name = format!("{} {} ({})", f.code, f.message, f.location);
        let out = f.to_string();
        let status = if f.severity == Severity::Error {
            Status::Failure {
                message: &f.message,
                kind: "error",
            }
        } else {
            Status::Pass
        };
        suite.case(&classname, &name, status, &out);
    }
    suite
}

fn conformance_suite(scenario: &str, report: &Report, conf: &Conformance) -> Suite {
    let label = crate::legend::probed_label(report, conf);
    let mut suite = Suite::new(format!(
        "{scenario}: conformance on {} ({label})",
        conf.backend
    ));
    let classname = class(scenario, &format!("conformance-{}", conf.backend));
    for v in &conf.cells {
        let name = format!("{} -> {} {}", v.from, v.to, v.probe);
        let observed = text::outcome(&v.observation.outcome);
        let mut out = format!(
            "expected {}, observed {observed}\nprobe: {}\n",
            legend::disposition_text(&v.expected),
            v.observation.sent
        );
        if !v.observation.repro.is_empty() {
            let _ = writeln!(out, "repro: {}", v.observation.repro);
        }
        let message = format!(
            "simulation says {}, {} observed {observed}",
            legend::disposition_text(&v.expected),
            v.observation.backend
        );
        let status = match &v.verdict {
            Verdict::Agree => Status::Pass,
            Verdict::Disagree => Status::Failure {
                message: &message,
                kind: "disagree",
            },
            Verdict::NotEmulated { why } => Status::Skipped { message: why },
            // Not judged: the model claims nothing; the case's output says what the wire did.
            Verdict::Undecided { why, delivered } => {
                let _ = writeln!(out, "{}", legend::undecided_text(why, *delivered));
                Status::Skipped {
                    message: "the model leaves this cell unknown",
                }
            }
            Verdict::KnownDivergence { why } => {
                let _ = writeln!(out, "known divergence: {why}");
                Status::Pass
            }
        };
        suite.case(&classname, &name, status, &out);
    }
    suite
}

/// A state of a long timeline shown as what its step changed (see
/// [`legend::shown_in_full`]): one case per pair (or group of pairs) that changed.
fn changes_suite(scenario: &str, index: usize, (prev, cur): (&Grid, &Grid)) -> Suite {
    let state = cur.state;
    let mut suite = Suite::new(format!(
        "{scenario}: state {}: {} (its changes)",
        index + 1,
        state.label
    ));
    let classname = class(scenario, &format!("state{}", index + 1));
    let hint = legend::state_hint(index);
    let changes = legend::changes(prev, cur);
    if changes.is_empty() {
        suite.case(
            &classname,
            "no pair changed",
            Status::Pass,
            &format!("{hint}\n"),
        );
    }
    for ch in changes {
        let out = format!(
            "{} → {}{}\n{hint}\n",
            ch.before.meaning(),
            ch.after.meaning(),
            ch.alike()
        );
        let name = format!("{} -> {}", ch.from, ch.to);
        suite.case(&classname, &name, Status::Pass, &out);
    }
    suite
}

pub fn report(report: &Report) -> String {
    let name = &report.scenario.name;
    let full = legend::shown_in_full(report);
    let mut suites: Vec<Suite> = Vec::with_capacity(report.states.len() + 2);
    let mut prev: Option<Grid> = None;
    for (i, s) in report.states.iter().enumerate() {
        let grid = Grid::for_report(report, i);
        suites.push(match (&prev, &grid) {
            (Some(p), Some(g)) if !full[i] => changes_suite(name, i, (p, g)),
            _ => state_suite(name, i, s),
        });
        prev = grid;
    }
    let mut findings = findings_suite(name, &report.findings);
    if !report.scenario.file.is_empty() {
        findings.file = Some(report.scenario.file.clone());
    }
    suites.push(findings);
    for conf in report.conformances() {
        suites.push(conformance_suite(name, report, conf));
    }
    document(&format!("hnsim {name}"), &suites)
}

pub fn findings(findings: &[Finding]) -> String {
    let suite = findings_suite("check", findings);
    document("hnsim check", &[suite])
}

/// `check`: one suite per input file (its findings, named with `file:line:column`), and
/// an unreadable input as a failing case of its own.
pub fn check(c: &crate::check::Checked) -> String {
    let mut suites = Vec::new();
    for input in &c.inputs {
        let mine: Vec<Finding> = c
            .findings
            .iter()
            .filter(|f| f.location.file == input.file)
            .cloned()
            .collect();
        let mut suite = findings_suite(&input.file, &mine);
        suite.file = Some(input.file.clone());
        if let Some(error) = &input.error {
            suite = Suite::new(format!("{}: findings", input.file));
            suite.file = Some(input.file.clone());
            let status = Status::Failure {
                message: error,
                kind: "unreadable",
            };
            let classname = class(&input.file, "findings");
            suite.case(&classname, "input is readable", status, error);
        }
        suites.push(suite);
    }
    // Findings of files not among the inputs (a compose file a scenario names).
    let stray: Vec<Finding> = c
        .findings
        .iter()
        .filter(|f| !c.inputs.iter().any(|i| i.file == f.location.file))
        .cloned()
        .collect();
    if !stray.is_empty() || suites.is_empty() {
        suites.push(findings_suite("check", &stray));
    }
    document("hnsim check", &suites)
}

pub fn trace(state: &StateMatrix, cells: &[Cell]) -> String {
    let mut suite = Suite::new(format!("trace: {}", state.label));
    for cell in cells {
        let status = match legend::disposition_why(&cell.disposition) {
            Some(why) if is_unknown(cell) => Status::Skipped { message: why },
            _ => Status::Pass,
        };
        suite.case(
            "hnsim.trace",
            &cell_name(cell),
            status,
            &cell_text(cell, true),
        );
    }
    document("hnsim trace", &[suite])
}
