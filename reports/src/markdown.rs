//! GitHub-flavoured Markdown for PR comments and `$GITHUB_STEP_SUMMARY`: the matrix as a
//! table, per-probe detail folded in `<details>`, findings and conformance as tables.

use crate::by_class;
use crate::legend::{self, Grid, Symbol};
use crate::text::{self, md_cell, md_code, serde_name};
use hnsim_model::{Finding, Severity};
use hnsim_sim::matrix::{Cell, Conformance, Disposition, Report, StateMatrix, Verdict};
use std::fmt::Write;

/// Rows of the per-probe table before it is cut: GitHub caps a step summary at 1 MiB and
/// a comment at 64 KiB characters; the JSON and HTML formats carry every cell.
const MAX_PROBE_ROWS: usize = 150;
/// Destination columns per matrix table: wider tables scroll sideways on GitHub and lose
/// their row labels.
const MAX_COLUMNS: usize = 30;

pub fn report(report: &Report) -> String {
    let mut out = String::new();
    let sc = &report.scenario;
    let _ = writeln!(out, "## hnsim: {}\n", md_cell(&sc.name));
    let _ = writeln!(out, "Scenario file {}.", md_code(&sc.file));
    if !sc.description.is_empty() {
        let _ = writeln!(out, "\n> {}", md_cell(sc.description.trim()));
    }
    if !sc.covers.is_empty() {
        let _ = writeln!(out, "\nCovers: {}.", sc.covers.join(", "));
    }
    let total = report.states.len();
    let full = legend::shown_in_full(report);
    let mut prev: Option<Grid> = None;
    for (i, state) in report.states.iter().enumerate() {
        let Some(grid) = Grid::for_report(report, i) else {
            continue;
        };
        let _ = writeln!(
            out,
            "\n### State {}/{}: {}\n",
            i + 1,
            total,
            md_cell(&state.label)
        );
        if full[i] {
            matrix(&mut out, &grid);
        } else {
            let _ = writeln!(out, "{}", legend::state_hint(i));
        }
        if let Some(prev) = &prev {
            changes(&mut out, prev, &grid);
        }
        prev = Some(grid);
    }
    let _ = writeln!(out, "\n{}", legend_line());
    out.push('\n');
    out.push_str(&findings(&report.findings));
    for conf in report.conformances() {
        out.push('\n');
        conformance(&mut out, report, conf);
    }
    out
}

fn legend_line() -> String {
    let parts: Vec<String> = Symbol::LEGEND
        .iter()
        .filter(|s| **s != Symbol::Empty)
        .map(|s| format!("{} {}", s.char(), s.meaning()))
        .collect();
    format!(
        "**Legend:** {}; ╲ same node; blank: not probed. Rows are sources, columns destinations.",
        parts.join(" · ")
    )
}

fn matrix(out: &mut String, grid: &Grid) {
    let s = grid.state.summary();
    let _ = writeln!(
        out,
        "**{}** delivered · **{}** denied · **{}** unknown of {} probes\n",
        s.delivered,
        s.denied,
        s.unknown,
        s.delivered + s.denied + s.unknown
    );
    if grid.n == 0 {
        let _ = writeln!(out, "_No nodes._");
        return;
    }
    if grid.by_class() {
        let classes = by_class::classes(grid.state);
        let _ = writeln!(
            out,
            "{} nodes in {} classes: nodes of one class are answered alike, so the matrix is shown by class (`--format json` has every class and its members).\n",
            text::thousands(grid.n),
            classes.len()
        );
        out.push_str("| class | first member | members |\n| --: | :-- | :-- |\n");
        for (i, class) in classes.iter().take(MAX_PROBE_ROWS).enumerate() {
            row(
                out,
                [&(i + 1), &md_code(&class.name), &md_cell(&class.about)],
            );
        }
        if classes.len() > MAX_PROBE_ROWS {
            let _ = writeln!(out, "\n_{} more classes._", classes.len() - MAX_PROBE_ROWS);
        } else {
            out.push('\n');
            let labels: Vec<String> = (1..=classes.len()).map(|i| format!("class {i}")).collect();
            table(out, &labels, &|a, b| grid.class_symbol(a, b));
        }
    } else {
        let labels: Vec<String> = grid.state.nodes.iter().map(|n| n.id.clone()).collect();
        table(out, &labels, &|r, c| grid.symbol(r, c));
    }
    let reasons = legend::deny_reasons(grid.state);
    if !reasons.is_empty() {
        let list: Vec<String> = reasons
            .iter()
            .map(|(r, k)| format!("{} {k}", md_code(r)))
            .collect();
        let _ = writeln!(out, "\nDenied by reason: {}.", list.join(", "));
    }
    if grid.by_class() {
        class_table(out, grid);
    } else {
        probe_table(out, grid);
    }
}

/// The matrix as tables of at most [`MAX_COLUMNS`] destinations each.
fn table(out: &mut String, labels: &[String], symbol: &dyn Fn(usize, usize) -> Symbol) {
    let n = labels.len();
    let chunks = n.div_ceil(MAX_COLUMNS);
    for chunk in 0..chunks {
        let lo = chunk * MAX_COLUMNS;
        let hi = (lo + MAX_COLUMNS).min(n);
        if chunks > 1 {
            let _ = writeln!(out, "Destinations {}–{} of {}:\n", lo + 1, hi, n);
        }
        out.push_str("| from \\ to |");
        for col in lo..hi {
            let _ = write!(out, " {} |", col + 1);
        }
        out.push_str("\n| :-- |");
        for _ in lo..hi {
            out.push_str(" :-: |");
        }
        out.push('\n');
        for (row, label) in labels.iter().enumerate() {
            let _ = write!(out, "| {} {} |", row + 1, md_code(label));
            for col in lo..hi {
                let _ = write!(out, " {} |", symbol(row, col).char());
            }
            out.push('\n');
        }
        if chunk + 1 < chunks {
            out.push('\n');
        }
    }
}

fn changes(out: &mut String, prev: &Grid, cur: &Grid) {
    let texts = (
        "\nNo pair changed since the previous state.",
        "\nChanged since the previous state ({total} pairs):\n",
        "- … ",
    );
    legend::write_changes(out, (prev, cur), MAX_PROBE_ROWS, texts, |ch| {
        format!(
            "- {} → {}: {} → {}",
            md_code(ch.from),
            md_code(ch.to),
            ch.before.shown(),
            ch.after.shown()
        )
    });
}

/// One row of a per-probe table: `| from | to | probe | result | use | facts |`.
fn probe_row(out: &mut String, grid: &Grid, cell: &Cell) {
    let mut result = format!(
        "{} {}",
        cell_symbol(cell).char(),
        legend::disposition_text(&cell.disposition)
    );
    if let Some(why) = legend::disposition_why(&cell.disposition) {
        let _ = write!(result, ": {why}");
    }
    if let Some(d) = grid.disagreement(cell) {
        let _ = write!(result, " — {d}");
    }
    let address = cell.address.as_ref().map(|a| md_code(&a.value));
    row(
        out,
        [
            &md_code(&cell.from),
            &md_code(&cell.to),
            &cell.probe,
            &md_cell(&result),
            &address.unwrap_or_default(),
            &md_cell(&cell.facts.join(", ")),
        ],
    );
}

const PROBE_HEADER: &str =
    "| from | to | probe | result | use | facts |\n| :-- | :-- | :-- | :-- | :-- | :-- |\n";

fn probe_table(out: &mut String, grid: &Grid) {
    let total = grid.state.cell_count();
    if total == 0 {
        return;
    }
    let _ = writeln!(out, "\n<details><summary>Every probe ({total})</summary>\n");
    out.push_str(PROBE_HEADER);
    // When the table must be cut, the probes a reviewer looks for come first: disputed,
    // undecided, denied; otherwise the state's order.
    let mut order: Vec<Cell> = grid.state.cells().collect();
    if total > MAX_PROBE_ROWS {
        order.sort_by_key(|c| match (&c.disposition, grid.disagreement(c).is_some()) {
            (_, true) => 0,
            (Disposition::Unknown { .. }, _) => 1,
            (Disposition::Denied { .. }, _) => 2,
            (Disposition::Delivered, _) => 3,
        });
    }
    for cell in order.iter().take(MAX_PROBE_ROWS) {
        probe_row(out, grid, cell);
    }
    if total > MAX_PROBE_ROWS {
        let _ = writeln!(
            out,
            "\n_{} more probes (delivered ones last); `--format json` or `--format html` has every cell._",
            total - MAX_PROBE_ROWS
        );
    }
    out.push_str("\n</details>\n");
}

/// Per probe of each pair of classes, on its first node pair.
fn class_table(out: &mut String, grid: &Grid) {
    let lines = by_class::class_pairs(grid);
    if lines.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n<details><summary>Every pair of classes ({}), on its first node pair; each row stands for every pair of its two classes</summary>\n",
        lines.len()
    );
    let mut rows = 0;
    for l in &lines {
        if rows >= MAX_PROBE_ROWS {
            break;
        }
        let _ = writeln!(
            out,
            "{}class {} → class {}: {}\n",
            if rows == 0 { "" } else { "\n" },
            l.from + 1,
            l.to + 1,
            l.stands_for()
        );
        out.push_str(PROBE_HEADER);
        let (s, t) = l.example;
        for cell in grid.pair_cells(s, t) {
            probe_row(out, grid, &cell);
            rows += 1;
        }
    }
    if rows >= MAX_PROBE_ROWS {
        let _ = writeln!(
            out,
            "\n_Cut at {MAX_PROBE_ROWS} rows; `--format json` has every class pair._"
        );
    }
    out.push_str("\n</details>\n");
}

/// Writes one table row, `| a | b | … |`: as many cells as the table has columns.
fn row<const N: usize>(out: &mut String, cells: [&dyn std::fmt::Display; N]) {
    for cell in cells {
        let _ = write!(out, "| {cell} ");
    }
    out.push_str("|\n");
}

fn cell_symbol(cell: &Cell) -> Symbol {
    match cell.disposition {
        Disposition::Delivered => Symbol::All,
        Disposition::Denied { .. } => Symbol::None,
        Disposition::Unknown { .. } => Symbol::Unknown,
    }
}

fn severity_badge(s: Severity) -> &'static str {
    match s {
        Severity::Error => "❌ error",
        Severity::Warning => "⚠️ warning",
        Severity::Info => "ℹ️ info",
    }
}

pub fn findings(findings: &[Finding]) -> String {
    let mut out = String::new();
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let _ = writeln!(
        out,
        "### Findings: {}, {}, {} info\n",
        text::plural(count(Severity::Error), "error"),
        text::plural(count(Severity::Warning), "warning"),
        count(Severity::Info)
    );
    if findings.is_empty() {
        out.push_str("No findings.\n");
        return out;
    }
    out.push_str("| severity | code | message | where | facts | help |\n");
    out.push_str("| :-- | :-- | :-- | :-- | :-- | :-- |\n");
    for f in findings {
        let mut message = md_cell(&f.message);
        if let Some(step) = f.step {
            let _ = write!(message, " (after step {})", step + 1);
        }
        row(
            &mut out,
            [
                &severity_badge(f.severity),
                &md_code(&f.code),
                &message,
                &md_code(&f.location.to_string()),
                &md_cell(&f.facts.join(", ")),
                &md_cell(&f.help),
            ],
        );
    }
    out
}

fn conformance(out: &mut String, report: &Report, conf: &Conformance) {
    let label = legend::probed_label(report, conf);
    let s = &conf.summary;
    let _ = writeln!(
        out,
        "### Conformance on {}: {}\n",
        md_code(&conf.backend),
        if s.disagree == 0 {
            "✅ agrees"
        } else {
            "❌ disagrees"
        }
    );
    let _ = writeln!(
        out,
        "State {}: **{}** agree · **{}** disagree · {} undecided · {} not emulated · {} known divergence\n",
        md_cell(label),
        s.agree,
        s.disagree,
        s.undecided,
        s.not_emulated,
        s.known_divergence
    );
    let notable: Vec<_> = conf
        .cells
        .iter()
        .filter(|v| {
            matches!(
                v.verdict,
                Verdict::Disagree | Verdict::KnownDivergence { .. }
            )
        })
        .collect();
    if notable.is_empty() {
        return;
    }
    out.push_str("| verdict | from | to | probe | expected | observed | repro |\n");
    out.push_str("| :-- | :-- | :-- | :-- | :-- | :-- | :-- |\n");
    for v in notable {
        let verdict = match &v.verdict {
            Verdict::KnownDivergence { why } => format!("~ known divergence: {why}"),
            other => format!("✗ {}", legend::verdict_text(other)),
        };
        let observed = format!(
            "{} ({})",
            text::outcome(&v.observation.outcome),
            v.observation.sent
        );
        let repro = if v.observation.repro.is_empty() {
            String::new()
        } else {
            md_code(&v.observation.repro)
        };
        row(
            out,
            [
                &md_cell(&verdict),
                &md_code(&v.from),
                &md_code(&v.to),
                &v.probe,
                &md_cell(&legend::disposition_text(&v.expected)),
                &md_cell(&observed),
                &repro,
            ],
        );
    }
}

pub fn trace(state: &StateMatrix, cells: &[Cell]) -> String {
    let mut out = String::new();
    if cells.is_empty() {
        let _ = writeln!(out, "No cell matches in state {}.", md_cell(&state.label));
        return out;
    }
    for cell in cells {
        let _ = writeln!(
            out,
            "### {} → {} {} ({})\n",
            md_code(&cell.from),
            md_code(&cell.to),
            cell.probe,
            md_cell(&state.label)
        );
        let _ = writeln!(
            out,
            "**Result:** {} {}",
            cell_symbol(cell).char(),
            legend::disposition_text(&cell.disposition)
        );
        if let Some(why) = legend::disposition_why(&cell.disposition) {
            let _ = writeln!(out, "— {}", md_cell(why));
        }
        if let Some(a) = &cell.address {
            let label = if cell.disposition.is_delivered() {
                "Use"
            } else {
                "Tried"
            };
            let _ = writeln!(
                out,
                "\n**{label}:** {} ({})",
                md_code(&a.value),
                text::address_kind(a.kind)
            );
            if let Some(name) = &a.name {
                let _ = writeln!(out, "or by name {}", md_code(name));
            }
        }
        if !cell.path.is_empty() {
            out.push_str("\n| # | at | mechanism | what happens | facts |\n");
            out.push_str("| --: | :-- | :-- | :-- | :-- |\n");
            for (k, hop) in cell.path.iter().enumerate() {
                row(
                    &mut out,
                    [
                        &(k + 1),
                        &md_cell(&hop.at),
                        &md_code(&serde_name(&hop.mechanism)),
                        &md_cell(&hop.detail),
                        &md_cell(&hop.facts.join(", ")),
                    ],
                );
            }
        }
        if !cell.facts.is_empty() {
            let _ = writeln!(out, "\nFacts: {}.", md_cell(&cell.facts.join(", ")));
        }
        if let Some(o) = &cell.observation {
            let _ = writeln!(out, "\nObserved: {}", md_cell(&text::observation(o)));
        }
        out.push('\n');
    }
    out
}
