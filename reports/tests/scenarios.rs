//! Every bundled scenario, simulated and rendered in every format: one terminal snapshot
//! per scenario (review them as the user would read them), and structural checks for
//! the rest (JSON against the schema, JUnit through an XML parser, HTML self-contained).
//!
//! The snapshots follow the engine: after a change to `sim` or to a scenario, run
//! `INSTA_UPDATE=always cargo test -p hnsim-reports --test scenarios` and review the
//! `.snap` diff like any other output change.

mod common;

use hnsim_reports::{render_report, Format, RenderOptions, ReportSchema};
use std::path::{Path, PathBuf};

#[path = "../../src/cli/library.rs"]
mod library;

fn scenario_files() -> Vec<PathBuf> {
    library::yaml_files_under(&workspace().join("scenarios"))
}

fn reports() -> Vec<(String, hnsim_sim::Report)> {
    let root = workspace();
    let mut out = Vec::new();
    for path in scenario_files() {
        let rel = path
            .strip_prefix(&root)
            .unwrap_or(&path)
            .display()
            .to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        // Files that are not scenarios (compose, commands) or that fail to parse by design
        // have no report to render.
        let Ok(doc) = hnsim_model::parse_scenario(&rel, &text) else {
            continue;
        };
        out.push((rel, hnsim_sim::simulate(&doc)));
    }
    out
}

/// Drops the per-probe lines (`per probe, for pairs marked …` up to the next blank line).
fn without_probe_detail(text: &str) -> String {
    let mut out = String::new();
    let mut skipping = false;
    for line in text.lines() {
        if line.starts_with("per probe, for pairs marked") {
            skipping = true;
            out.push_str("per probe: (explained in sim's snapshots)\n");
            continue;
        }
        if skipping && line.is_empty() {
            skipping = false;
        }
        if !skipping {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

fn snapshot_name(rel: &str) -> String {
    rel.trim_start_matches("scenarios/")
        .trim_end_matches(".yaml")
        .replace(['/', '.'], "__")
}

#[test]
fn bundled_scenarios_render_in_every_format() {
    // A scenario without a snapshot fails like a changed one: accept it with
    // `INSTA_UPDATE=always` and review the new `.snap` in the diff.
    let reports = reports();
    assert!(
        reports.len() >= 10,
        "expected the bundled scenarios, found {}",
        reports.len()
    );
    let opts = RenderOptions::default();
    let v1 = RenderOptions {
        schema: ReportSchema::V1,
        ..RenderOptions::default()
    };
    let mut changed = Vec::new();
    for (rel, report) in &reports {
        // The snapshot shows the matrices as laid out here. Findings are the model's and
        // every cell's explanation is in sim's own scenario snapshots, so rule and
        // explanation wording changes do not churn these files.
        let mut matrices = report.clone();
        matrices.findings.clear();
        let terminal =
            without_probe_detail(&render_report(&matrices, Format::Terminal, &opts).unwrap());
        // Compare every scenario before failing, so one run lists (and writes `.snap.new`
        // for) all changed snapshots.
        let compared = std::panic::catch_unwind(|| {
            insta::with_settings!({ description => rel.as_str(), omit_expression => true }, {
                insta::assert_snapshot!(snapshot_name(rel), terminal);
            });
        });
        if compared.is_err() {
            changed.push(rel.clone());
        }

        for opts in [&opts, &v1] {
            let json = render_report(report, Format::Json, opts).unwrap();
            let errors = common::schema::violations(&json);
            assert!(
                errors.is_empty(),
                "{rel}: schema violations:\n{}",
                errors.join("\n")
            );
            let back = hnsim_sim::Report::from_json(&json).unwrap();
            assert!(&back == report, "{rel}: the JSON does not read back");
        }

        let xml = render_report(report, Format::Junit, &opts).unwrap();
        let doc = roxmltree::Document::parse(&xml)
            .unwrap_or_else(|e| panic!("{rel}: JUnit is not well-formed: {e}"));
        let cases = doc
            .descendants()
            .filter(|n| n.has_tag_name("testcase"))
            .count();
        let cells: usize = report.states.iter().map(|s| s.cell_count()).sum();
        let extra =
            report.findings.len().max(1) + report.conformance.as_ref().map_or(0, |c| c.cells.len());
        assert_eq!(
            cases,
            cells + extra,
            "{rel}: one test case per cell and finding"
        );

        let md = render_report(report, Format::Markdown, &opts).unwrap();
        assert!(
            md.contains("| from \\ to |") || report.states.iter().all(|s| s.nodes.is_empty()),
            "{rel}"
        );

        let html = render_report(report, Format::Html, &opts).unwrap();
        assert!(
            html.contains("id=\"hnsim-data\"") && html.contains("<svg"),
            "{rel}"
        );
        assert!(
            !html.contains("src=\"http") && !html.contains("href=\"http"),
            "{rel}: external asset"
        );

        for f in [Format::Dot, Format::Mermaid] {
            let out = render_report(report, f, &opts).unwrap();
            assert!(!out.trim().is_empty(), "{rel}: empty {f}");
        }
    }
    assert!(
        changed.is_empty(),
        "the rendering of {} scenario(s) changed: {}. Review the .snap.new files, or rerun \
         with INSTA_UPDATE=always and review the diff.",
        changed.len(),
        changed.join(", ")
    );
}

/// The workspace root, found lexically (the crate's parent directory) so a symlinked
/// crate still reads the scenarios of the workspace it is built in.
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("crate inside a workspace")
        .to_path_buf()
}
