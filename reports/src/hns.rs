//! `hnsim conform --backend hns`: an HNS inspection (the model's objects of one
//! Windows host against what HNS holds) in every format that can carry a list of
//! checks. The Markdown goes to a GitHub job summary; the JUnit gives test reporters
//! one test case per check, failed for a mismatch or a missing object.

use crate::text::{md_cell, xml_escape as esc};
use crate::{Format, RenderError};
use hnsim_sim::{CheckStatus, Inspection};
use std::fmt::Write;

pub fn render_inspection(i: &Inspection, format: Format) -> Result<String, RenderError> {
    crate::render_list(i, format, "an HNS inspection", [terminal, markdown, junit])
}

fn summary_line(i: &Inspection) -> String {
    let s = &i.summary;
    format!(
        "{} match, {} variant, {} extra, {} mismatch, {} missing",
        s.matched, s.variants, s.extra, s.mismatches, s.missing
    )
}

fn terminal(i: &Inspection) -> String {
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
        if c.status != CheckStatus::Match {
            let _ = writeln!(s, "{:>8}  {}", "", c.why);
        }
    }
    let _ = writeln!(s, "\n{}", summary_line(i));
    s
}

fn markdown(i: &Inspection) -> String {
    let mut s = String::new();
    let x = &i.summary;
    let _ = writeln!(
        s,
        "## HNS inspection: {} on host {}\n",
        crate::text::md_code(&i.scenario),
        crate::text::md_code(&i.host)
    );
    let verdict = if i.failed() { "❌" } else { "✅" };
    let _ = writeln!(
        s,
        "{verdict} {} match, {} variant, {} extra, **{} mismatch**, **{} missing**\n",
        x.matched, x.variants, x.extra, x.mismatches, x.missing
    );
    let _ = writeln!(s, "| status | object | field | model | HNS | why | facts |");
    let _ = writeln!(s, "|---|---|---|---|---|---|---|");
    let mut rows: Vec<_> = i.checks.iter().collect();
    // Failures first, then the rest in model order.
    rows.sort_by_key(|c| std::cmp::Reverse(c.status.fails()));
    for c in rows {
        let status = match c.status {
            CheckStatus::Match => "✅ ok",
            CheckStatus::Variant => "🔸 variant",
            CheckStatus::Extra => "ℹ️ extra",
            CheckStatus::Mismatch => "❌ **mismatch**",
            CheckStatus::Missing => "❌ **missing**",
        };
        let _ = writeln!(
            s,
            "| {status} | {} | {} | {} | {} | {} | {} |",
            md_cell(&c.object),
            md_cell(&c.field),
            md_cell(&c.expected),
            md_cell(&c.observed),
            md_cell(&c.why),
            md_cell(&c.facts.join(", "))
        );
    }
    s
}

fn junit(i: &Inspection) -> String {
    let mut body = String::new();
    let mut failures = 0;
    for c in &i.checks {
        let name = esc(&format!("{} {}", c.object, c.field));
        let detail = format!(
            "model: {}; HNS: {}; {} [{}]",
            c.expected,
            c.observed,
            c.why,
            c.facts.join(", ")
        );
        if c.status.fails() {
            failures += 1;
            let _ = writeln!(
                body,
                "    <testcase classname=\"hnsim.hns\" name=\"{name}\" time=\"0\">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
                esc(&format!("{}: model {}, HNS {}", c.status.symbol(), c.expected, c.observed)),
                c.status.symbol().to_ascii_lowercase(),
                esc(&detail)
            );
        } else {
            let _ = writeln!(
                body,
                "    <testcase classname=\"hnsim.hns\" name=\"{name}\" time=\"0\">\n      <system-out>{}</system-out>\n    </testcase>",
                esc(&format!("{}: {detail}", c.status.symbol()))
            );
        }
    }
    let tests = i.checks.len();
    let name = esc(&format!("{} on {}", i.scenario, i.host));
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"hnsim hns\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" time=\"0\">\n  <testsuite name=\"{name}\" id=\"0\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\" time=\"0\">\n{body}  </testsuite>\n</testsuites>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use hnsim_sim::{Check, InspectionSummary};

    fn sample() -> Inspection {
        let check = |object: &str, status, observed: &str| Check {
            object: object.into(),
            field: "port tcp/80".into(),
            expected: "host port 8080".into(),
            observed: observed.into(),
            status,
            why: "-p H:C is a static WinNAT mapping".into(),
            facts: vec!["NAT-9".into(), "NAT-8".into()],
        };
        let checks = vec![
            check("endpoint a@n1", CheckStatus::Match, "host port 8080"),
            check("endpoint b|x@n1", CheckStatus::Mismatch, "host port 8081"),
        ];
        Inspection {
            scenario: "runner".into(),
            host: "win1".into(),
            summary: InspectionSummary::of(&checks),
            checks,
        }
    }

    #[test]
    fn every_format_carries_the_checks() {
        let i = sample();
        let md = render_inspection(&i, Format::Markdown).unwrap();
        assert!(md.starts_with("## HNS inspection: `runner` on host `win1`"));
        assert!(md.contains("| status | object | field | model | HNS | why | facts |"));
        // Failures first, pipes escaped.
        let bad = md.find("endpoint b\\|x@n1").unwrap();
        let good = md.find("| ✅ ok | endpoint a@n1").unwrap();
        assert!(bad < good, "{md}");
        assert!(md.contains("❌ 1 match"), "{md}");
        let text = render_inspection(&i, Format::Terminal).unwrap();
        assert!(text.contains("MISMATCH  endpoint b|x@n1"), "{text}");
        assert!(text.contains("1 match, 0 variant, 0 extra, 1 mismatch, 0 missing"));
        let json: serde_json::Value =
            serde_json::from_str(&render_inspection(&i, Format::Json).unwrap()).unwrap();
        assert_eq!(json["summary"]["mismatches"], 1);
        assert_eq!(json["checks"][1]["status"], "mismatch");
        let back: Inspection =
            serde_json::from_str(&render_inspection(&i, Format::Json).unwrap()).unwrap();
        assert_eq!(back, i, "the JSON reads back");
        assert!(render_inspection(&i, Format::Yaml)
            .unwrap()
            .contains("status: mismatch"));
        assert!(render_inspection(&i, Format::Html).is_err());
    }

    #[test]
    fn junit_fails_only_mismatches_and_missing() {
        let xml = render_inspection(&sample(), Format::Junit).unwrap();
        let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
        let suite = doc
            .descendants()
            .find(|n| n.has_tag_name("testsuite"))
            .unwrap();
        assert_eq!(suite.attribute("tests"), Some("2"));
        assert_eq!(suite.attribute("failures"), Some("1"));
        let failed: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("failure"))
            .collect();
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].attribute("type"), Some("mismatch"));
    }
}
