//! Terminal output: aligned matrices folded to the terminal width, a legend, a summary,
//! per-probe detail for the pairs that need it, findings cargo-style, conformance.

use crate::by_class;
use crate::legend::{self, Grid, Symbol};
use crate::text::{self, clip, pad_left, pad_right, paint, serde_name};
use crate::RenderOptions;
use hnsim_model::{Finding, Severity};
use hnsim_sim::matrix::{Cell, Conformance, Disposition, Report, StateMatrix, Verdict};
use std::fmt::Write;

/// Pairs listed in detail below a matrix before the list is cut; the other formats
/// carry every cell.
const MAX_DETAIL_PAIRS: usize = 40;
/// Longest node id printed as a row label.
const MAX_LABEL: usize = 36;

pub fn report(report: &Report, opts: &RenderOptions) -> String {
    let c = opts.colour;
    let mut out = String::new();
    let sc = &report.scenario;
    let _ = writeln!(
        out,
        "{} {}  ({})",
        paint("scenario", "1", c),
        paint(&sc.name, "1", c),
        sc.file
    );
    if !sc.description.is_empty() {
        let _ = writeln!(out, "{}", sc.description.trim());
    }
    if !sc.covers.is_empty() {
        let _ = writeln!(out, "covers: {}", sc.covers.join(", "));
    }
    let total = report.states.len();
    if total == 0 {
        let _ = writeln!(out, "\nno states were simulated");
    }
    let full = legend::shown_in_full(report);
    let mut prev: Option<Grid> = None;
    for (i, state) in report.states.iter().enumerate() {
        let Some(grid) = Grid::for_report(report, i) else {
            continue;
        };
        out.push('\n');
        let title = format!("── state {}/{}: {} ", i + 1, total, state.label);
        let rule = "─".repeat(
            opts.width
                .max(40)
                .saturating_sub(text::width(&title))
                .min(80),
        );
        let _ = writeln!(out, "{}", paint(&format!("{title}{rule}"), "1", c));
        if full[i] {
            matrix(&mut out, &grid, opts);
        } else {
            let _ = writeln!(out, "{}", legend::state_hint(i));
        }
        if let Some(prev) = &prev {
            changes(&mut out, prev, &grid, c);
        }
        prev = Some(grid);
    }
    out.push('\n');
    out.push_str(&legend_lines(c, opts.width));
    if !report.findings.is_empty() {
        out.push('\n');
        out.push_str(&findings(&report.findings, opts));
    }
    for conf in report.conformances() {
        out.push('\n');
        conformance(&mut out, report, conf, c);
    }
    out
}

/// The legend, wrapped to the width.
fn legend_lines(c: bool, width: usize) -> String {
    let mut entries: Vec<(String, usize)> = Symbol::LEGEND
        .iter()
        .map(|sym| {
            let plain = if *sym == Symbol::Empty {
                format!("blank {}", sym.meaning())
            } else {
                format!("{} {}", sym.char(), sym.meaning())
            };
            let shown = if *sym == Symbol::Empty {
                plain.clone()
            } else {
                format!(
                    "{} {}",
                    paint(&sym.char().to_string(), sym.ansi(), c),
                    sym.meaning()
                )
            };
            (shown, text::width(&plain))
        })
        .collect();
    entries.push(("╲ same node".into(), 11));
    let mut out = String::new();
    let mut line = String::from("legend:");
    let mut w = line.len();
    for (shown, ew) in entries {
        if w + 2 + ew > width.max(40) && w > 8 {
            out.push_str(&line);
            out.push('\n');
            line = " ".repeat(7);
            w = 7;
        }
        line.push_str("  ");
        line.push_str(&shown);
        w += 2 + ew;
    }
    out.push_str(&line);
    out.push('\n');
    out
}

fn matrix(out: &mut String, grid: &Grid, opts: &RenderOptions) {
    let c = opts.colour;
    if grid.n == 0 {
        let _ = writeln!(out, "no nodes");
        return;
    }
    if grid.by_class() {
        class_matrix(out, grid, opts);
    } else {
        let labels: Vec<String> = grid.state.nodes.iter().map(|n| n.id.clone()).collect();
        let _ = writeln!(
            out,
            "rows: from (source) · columns: to (destination), numbered as the rows"
        );
        draw(out, &labels, &|r, col| grid.symbol(r, col), opts);
    }
    out.push('\n');
    let s = grid.state.summary();
    let pairs: Vec<String> = grid
        .symbol_counts()
        .into_iter()
        .filter(|(sym, k)| *k > 0 && *sym != Symbol::Empty)
        .map(|(sym, k)| format!("{} {k}", sym.char()))
        .collect();
    let _ = writeln!(
        out,
        "{} {} delivered, {} denied, {} unknown of {} probes; pairs: {}",
        paint("summary:", "1", c),
        paint(&s.delivered.to_string(), Symbol::All.ansi(), c),
        s.denied,
        paint(&s.unknown.to_string(), Symbol::Unknown.ansi(), c),
        s.delivered + s.denied + s.unknown,
        if pairs.is_empty() {
            "none".to_string()
        } else {
            pairs.join("  ")
        }
    );
    let reasons = legend::deny_reasons(grid.state);
    if !reasons.is_empty() {
        let list: Vec<String> = reasons.iter().map(|(r, k)| format!("{r} {k}")).collect();
        let _ = writeln!(out, "denied by reason: {}", list.join(", "));
    }
    if !grid.stray().is_empty() {
        let _ = writeln!(
            out,
            "{} cells naming a node this state does not list: {} (`--format json` has them)",
            paint("note:", "33", c),
            grid.stray().len()
        );
    }
    if grid.by_class() {
        class_details(out, grid, c, opts.width);
    } else {
        details(out, grid, c);
    }
}

/// A grid of symbols, one row and one column per label, folded to the width: numbers
/// wider than one digit are written vertically above their column, so a 200-node
/// matrix folds into four chunks, not eight.
fn draw(
    out: &mut String,
    labels: &[String],
    symbol: &dyn Fn(usize, usize) -> Symbol,
    opts: &RenderOptions,
) {
    let c = opts.colour;
    let n = labels.len();
    let num_w = n.to_string().len();
    let col_w = 2;
    let labels: Vec<String> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            format!(
                "{} {}",
                pad_left(&(i + 1).to_string(), num_w),
                clip(l, MAX_LABEL)
            )
        })
        .collect();
    let label_w = labels.iter().map(|l| text::width(l)).max().unwrap_or(0) + 2;
    let per_chunk = (opts.width.saturating_sub(label_w) / col_w).max(1);
    let chunks = n.div_ceil(per_chunk);
    for chunk in 0..chunks {
        let lo = chunk * per_chunk;
        let hi = ((chunk + 1) * per_chunk).min(n);
        if chunks > 1 {
            let _ = writeln!(out, "\ndestinations {}–{} of {n}", lo + 1, hi);
        }
        for digit in 0..num_w {
            let mut header = pad_right("", label_w);
            for col in lo..hi {
                let number = pad_left(&(col + 1).to_string(), num_w);
                header.push(' ');
                header.push(number.chars().nth(digit).unwrap_or(' '));
            }
            let _ = writeln!(out, "{}", paint(header.trim_end(), "2", c));
        }
        for (row, label) in labels.iter().enumerate() {
            let mut line = pad_right(label, label_w);
            for col in lo..hi {
                let sym = symbol(row, col);
                line.push_str(&" ".repeat(col_w - 1));
                if sym == Symbol::Empty {
                    line.push(' ');
                } else {
                    line.push_str(&paint(&sym.char().to_string(), sym.ansi(), c));
                }
            }
            let _ = writeln!(out, "{}", line.trim_end());
        }
    }
}

/// Too many nodes for a row each: the classes, and their matrix when it fits.
fn class_matrix(out: &mut String, grid: &Grid, opts: &RenderOptions) {
    let classes = by_class::classes(grid.state);
    let intro = format!(
        "{} nodes in {} classes: nodes of one class are answered alike, so the matrix is shown by class (`--format json` has every class and its members, `hnsim trace` explains one cell)",
        text::thousands(grid.n),
        classes.len()
    );
    for line in text::wrap(&intro, opts.width.max(40)) {
        let _ = writeln!(out, "{line}");
    }
    let num_w = classes.len().to_string().len();
    for (i, class) in classes.iter().take(legend::MAX_NODES).enumerate() {
        let _ = writeln!(
            out,
            "  {} {}  ({})",
            pad_left(&(i + 1).to_string(), num_w),
            class.name,
            class.about
        );
    }
    if classes.len() > legend::MAX_NODES {
        let _ = writeln!(
            out,
            "  … {} more classes",
            classes.len() - legend::MAX_NODES
        );
        return;
    }
    let _ = writeln!(
        out,
        "rows: from (source class) · columns: to (destination class), numbered as the classes"
    );
    let labels: Vec<String> = classes.into_iter().map(|c| c.name).collect();
    draw(out, &labels, &|a, b| grid.class_symbol(a, b), opts);
}

/// Pairs whose symbol changed since the previous state: what a timeline step did.
fn changes(out: &mut String, prev: &Grid, cur: &Grid, c: bool) {
    let texts = (
        "\nno pair changed since the previous state",
        "\nchanged since the previous state ({total} pairs):",
        "  … ",
    );
    legend::write_changes(out, (prev, cur), MAX_DETAIL_PAIRS, texts, |ch| {
        format!(
            "  {} → {}: {} → {}",
            ch.from,
            ch.to,
            paint(&ch.before.shown(), ch.before.ansi(), c),
            paint(&ch.after.shown(), ch.after.ansi(), c)
        )
    });
}

/// One line per probe of a pair: `    tcp/80    ● delivered to …  ✗ observed timeout`.
fn probe_lines(out: &mut String, grid: &Grid, (r, col): (usize, usize), c: bool) {
    for cell in grid.pair_cells(r, col) {
        let mut line = format!("    {}", pad_right(&cell.probe.to_string(), 10));
        line.push_str(&probe_result(&cell, c));
        if let Some(d) = grid.disagreement(&cell) {
            let _ = write!(line, "  {}", paint(&d, Symbol::Disagree.ansi(), c));
        }
        let _ = writeln!(out, "{line}");
    }
}

/// Per-probe lines for the pairs whose one symbol hides something: mixed, unknown or
/// disputed pairs. Uniform pairs are fully described by their symbol.
fn details(out: &mut String, grid: &Grid, c: bool) {
    let (pairs, total) = grid.notable_pairs(MAX_DETAIL_PAIRS);
    if pairs.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nper probe, for pairs marked ◐ ? ✗:");
    let nodes = &grid.state.nodes;
    for &(r, col) in &pairs {
        let _ = writeln!(out, "  {} → {}", nodes.id(r), nodes.id(col));
        probe_lines(out, grid, (r, col), c);
    }
    if total > pairs.len() {
        let _ = writeln!(
            out,
            "  … {} more pairs; `--format html` or `--format json` has every cell, `hnsim trace` explains one",
            total - pairs.len()
        );
    }
}

/// Per-probe lines for each pair of classes, shown on its first node pair: every line
/// stands for all the node pairs of the two classes.
fn class_details(out: &mut String, grid: &Grid, c: bool, width: usize) {
    let lines = by_class::class_pairs(grid);
    if lines.is_empty() {
        return;
    }
    out.push('\n');
    let heading = "per pair of classes (mixed and undecided first), shown on its first node pair; each stands for every pair of its two classes:";
    for line in text::wrap(heading, width.max(40)) {
        let _ = writeln!(out, "{line}");
    }
    let nodes = &grid.state.nodes;
    for l in lines.iter().take(MAX_DETAIL_PAIRS) {
        let (s, t) = l.example;
        let _ = writeln!(
            out,
            "  {} {} → {}  {} → {}  ({})",
            paint(&l.symbol.char().to_string(), l.symbol.ansi(), c),
            l.from + 1,
            l.to + 1,
            nodes.id(s),
            nodes.id(t),
            l.stands_for()
        );
        probe_lines(out, grid, (s, t), c);
    }
    if lines.len() > MAX_DETAIL_PAIRS {
        let _ = writeln!(
            out,
            "  … {} more class pairs; `--format json` has them all",
            lines.len() - MAX_DETAIL_PAIRS
        );
    }
}

/// `● delivered to 10.0.0.10:8080 [NAT-8]` / `· denied: not-published — why [NAT-8]`.
fn probe_result(cell: &Cell, c: bool) -> String {
    let facts = if cell.facts.is_empty() {
        String::new()
    } else {
        format!(" [{}]", cell.facts.join(", "))
    };
    match &cell.disposition {
        Disposition::Delivered => {
            let to = cell
                .address
                .as_ref()
                .map(|a| format!(" to {}", a.value))
                .unwrap_or_default();
            format!("{}{to}{facts}", paint("● delivered", Symbol::All.ansi(), c))
        }
        Disposition::Denied { reason, why } => format!(
            "{} — {why}{facts}",
            paint(&format!("· denied: {reason}"), "", c)
        ),
        Disposition::Unknown { why } => format!(
            "{} — {why}{facts}",
            paint("? unknown", Symbol::Unknown.ansi(), c)
        ),
    }
}

pub fn findings(findings: &[Finding], opts: &RenderOptions) -> String {
    let c = opts.colour;
    let mut out = String::new();
    if findings.is_empty() {
        let _ = writeln!(out, "{} no findings", paint("ok:", "32", c));
        return out;
    }
    for f in findings {
        let sev = paint(
            &format!("{}[{}]", f.severity, f.code),
            severity_sgr(f.severity),
            c,
        );
        // The message wraps under itself; each line is painted on its own.
        let plain_lead = format!("{}[{}]: ", f.severity, f.code);
        let indent = text::width(&plain_lead);
        for (i, line) in text::hang(&plain_lead, &f.message, opts.width)
            .lines()
            .enumerate()
        {
            let rest: String = line.chars().skip(indent).collect();
            let lead = if i == 0 {
                format!("{sev}: ")
            } else {
                " ".repeat(indent)
            };
            let _ = writeln!(out, "{lead}{}", paint(&rest, "1", c));
        }
        let arrow = paint("  -->", "34", c);
        let _ = writeln!(out, "{arrow} {}", f.location);
        let eq = paint("  =", "34", c);
        if let Some(step) = f.step {
            let _ = writeln!(out, "{eq} after step {}", step + 1);
        }
        if !f.facts.is_empty() {
            let _ = writeln!(out, "{eq} facts: {}", f.facts.join(", "));
        }
        if !f.help.is_empty() {
            let lead = format!("{eq} help: ");
            let plain = "  = help: ";
            let wrapped = text::hang(plain, &f.help, opts.width);
            let _ = writeln!(out, "{}", wrapped.replacen(plain, &lead, 1));
        }
        out.push('\n');
    }
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let _ = writeln!(
        out,
        "{}: {}, {}, {} info",
        paint("findings", "1", c),
        text::plural(count(Severity::Error), "error"),
        text::plural(count(Severity::Warning), "warning"),
        count(Severity::Info)
    );
    out
}

fn severity_sgr(s: Severity) -> &'static str {
    match s {
        Severity::Error => "1;31",
        Severity::Warning => "1;33",
        Severity::Info => "1;36",
    }
}

fn conformance(out: &mut String, report: &Report, conf: &Conformance, c: bool) {
    let label = legend::probed_label(report, conf);
    let s = &conf.summary;
    let _ = writeln!(
        out,
        "{} {} on state {}: {} agree, {} disagree, {} undecided, {} not emulated, {} known divergence",
        paint("conformance", "1", c),
        conf.backend,
        label,
        paint(&s.agree.to_string(), "32", c),
        paint(
            &s.disagree.to_string(),
            if s.disagree > 0 { "1;31" } else { "" },
            c
        ),
        s.undecided,
        s.not_emulated,
        s.known_divergence
    );
    for v in &conf.cells {
        let (mark, sgr) = match &v.verdict {
            Verdict::Disagree => ("✗", "1;31"),
            Verdict::KnownDivergence { .. } => ("~", "33"),
            Verdict::Undecided { .. } => ("?", "36"),
            _ => continue,
        };
        let _ = writeln!(
            out,
            "  {} {} → {} {}: expected {}, observed {}",
            paint(mark, sgr, c),
            v.from,
            v.to,
            v.probe,
            legend::disposition_text(&v.expected),
            text::outcome(&v.observation.outcome)
        );
        if let Verdict::KnownDivergence { why } = &v.verdict {
            let _ = writeln!(out, "      known: {why}");
        }
        if let Verdict::Undecided { why, delivered } = &v.verdict {
            let _ = writeln!(out, "      {}", legend::undecided_text(why, *delivered));
        }
        let _ = writeln!(out, "      probe: {}", v.observation.sent);
        // What the simulation expected the packet to do, to compare with the probe.
        if v.verdict == Verdict::Disagree {
            let cell = report
                .states
                .get(conf.state)
                .and_then(|st| st.cell(&v.from, &v.to, v.probe));
            let path = cell.map(|c| c.path).unwrap_or_default();
            if !path.is_empty() {
                let _ = writeln!(out, "      simulated path:");
            }
            for (k, hop) in path.iter().enumerate() {
                let _ = writeln!(out, "        {}", text::hop_line(k + 1, hop));
            }
        }
        if !v.observation.repro.is_empty() {
            let _ = writeln!(out, "      repro: {}", v.observation.repro);
        }
    }
}

pub fn trace(state: &StateMatrix, cells: &[Cell], opts: &RenderOptions) -> String {
    let c = opts.colour;
    let mut out = String::new();
    if cells.is_empty() {
        let _ = writeln!(out, "no cell matches in state {}", state.label);
        return out;
    }
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "{}  {}  ({})",
            paint(&format!("{} → {}", cell.from, cell.to), "1", c),
            cell.probe,
            state.label
        );
        let (sym, sgr) = match cell.disposition {
            Disposition::Delivered => (Symbol::All, Symbol::All.ansi()),
            Disposition::Denied { .. } => (Symbol::None, "1"),
            Disposition::Unknown { .. } => (Symbol::Unknown, Symbol::Unknown.ansi()),
        };
        let _ = writeln!(
            out,
            "  result:  {}",
            paint(
                &format!(
                    "{} {}",
                    sym.char(),
                    legend::disposition_text(&cell.disposition)
                ),
                sgr,
                c
            )
        );
        if let Some(why) = legend::disposition_why(&cell.disposition) {
            let _ = writeln!(out, "{}", text::hang("  why:     ", why, opts.width));
        }
        match &cell.address {
            Some(a) if cell.disposition.is_delivered() => {
                let _ = writeln!(out, "  use:     {}", text::address(a));
            }
            Some(a) => {
                let _ = writeln!(out, "  tried:   {}", text::address(a));
            }
            None if cell.disposition.is_delivered() => {}
            None => {
                let _ = writeln!(out, "  use:     no address reaches it");
            }
        }
        if !cell.path.is_empty() {
            let _ = writeln!(out, "  path:");
            let at_w = cell
                .path
                .iter()
                .map(|h| text::width(&h.at))
                .max()
                .unwrap_or(0);
            let mech: Vec<String> = cell.path.iter().map(|h| serde_name(&h.mechanism)).collect();
            let mech_w = mech.iter().map(|m| text::width(m)).max().unwrap_or(0);
            let num_w = cell.path.len().to_string().len();
            for (k, hop) in cell.path.iter().enumerate() {
                // The detail and facts wrap under their column when the line is wider
                // than the terminal; colour goes on after wrapping.
                let mech_col = pad_right(&mech[k], mech_w);
                let lead = format!(
                    "    {}. {}  {}  ",
                    pad_left(&(k + 1).to_string(), num_w),
                    pad_right(&hop.at, at_w),
                    mech_col
                );
                let facts = format!("[{}]", hop.facts.join(", "));
                let body = text::hang(&lead, &format!("{}  {facts}", hop.detail), opts.width);
                let body = body.replacen(&mech_col, &paint(&mech_col, "36", c), 1);
                let body = match body.rfind(&facts) {
                    Some(at) => format!("{}{}", &body[..at], paint(&facts, "2", c)),
                    None => body,
                };
                let _ = writeln!(out, "{body}");
            }
        }
        if !cell.facts.is_empty() {
            let _ = writeln!(out, "  facts:   {}", cell.facts.join(", "));
        }
        if let Some(o) = &cell.observation {
            let _ = writeln!(out, "  observed: {}", text::observation(o));
            if !o.repro.is_empty() {
                let _ = writeln!(out, "  repro:   {}", o.repro);
            }
        }
    }
    out
}
