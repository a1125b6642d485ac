//! Text and Markdown of an [`Inspection`] (the Markdown goes to a GitHub job summary).

use super::inspect::{Inspection, Status};
use std::fmt::Write as _;

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

pub fn markdown(i: &Inspection) -> String {
    let mut s = String::new();
    let s_ = &i.summary;
    let _ = writeln!(
        s,
        "## HNS inspection: `{}` on host `{}`\n",
        i.scenario, i.host
    );
    let verdict = if i.failed() { "❌" } else { "✅" };
    let _ = writeln!(
        s,
        "{verdict} {} match, {} variant, {} extra, **{} mismatch**, **{} missing**\n",
        s_.matched, s_.variants, s_.extra, s_.mismatches, s_.missing
    );
    let _ = writeln!(s, "| status | object | field | model | HNS | why | facts |");
    let _ = writeln!(s, "|---|---|---|---|---|---|---|");
    let mut rows: Vec<_> = i.checks.iter().collect();
    // Failures first, then the rest in model order.
    rows.sort_by_key(|c| std::cmp::Reverse(c.status.fails()));
    for c in rows {
        let status = match c.status {
            Status::Match => "✅ ok".to_string(),
            Status::Variant => "🔸 variant".to_string(),
            Status::Extra => "ℹ️ extra".to_string(),
            Status::Mismatch => "❌ **mismatch**".to_string(),
            Status::Missing => "❌ **missing**".to_string(),
        };
        let _ = writeln!(
            s,
            "| {status} | {} | {} | {} | {} | {} | {} |",
            cell(&c.object),
            cell(&c.field),
            cell(&c.expected),
            cell(&c.observed),
            cell(&c.why),
            c.facts.join(", ")
        );
    }
    s
}

pub fn text(i: &Inspection) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "HNS inspection of host {} ({})", i.host, i.scenario);
    for c in &i.checks {
        let _ = writeln!(
            s,
            "{:>8}  {:<28} {:<14} model: {}  HNS: {}  [{}]",
            c.status.symbol(),
            c.object,
            c.field,
            c.expected,
            c.observed,
            c.facts.join(", ")
        );
        if c.status != Status::Match {
            let _ = writeln!(s, "{:>8}  {}", "", c.why);
        }
    }
    let x = &i.summary;
    let _ = writeln!(
        s,
        "\n{} match, {} variant, {} extra, {} mismatch, {} missing",
        x.matched, x.variants, x.extra, x.mismatches, x.missing
    );
    s
}
