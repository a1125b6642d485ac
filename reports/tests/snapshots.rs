//! Snapshots of every format for the hand-built report. Review each `.snap` as a reader
//! would: these files are what the user sees.

mod common;

use common::{fixture, TEXT_FORMATS};
use hnsim_reports::{render_findings, render_report, render_trace, Format, RenderOptions};
use hnsim_sim::matrix::Probe;

fn plain(width: usize) -> RenderOptions {
    RenderOptions {
        colour: false,
        width,
        ..RenderOptions::default()
    }
}

/// The hand-built report in every format that renders it, one snapshot each, named as
/// its file is.
#[test]
fn report_in_every_format() {
    // `--schema v1`: every cell written out, in node order.
    let v1 = RenderOptions {
        schema: hnsim_reports::ReportSchema::V1,
        ..plain(120)
    };
    for (name, format, opts) in [
        ("terminal_report", Format::Terminal, plain(120)),
        (
            "terminal_report_folds_to_a_narrow_width",
            Format::Terminal,
            plain(24),
        ),
        ("markdown_report", Format::Markdown, plain(120)),
        ("json_report", Format::Json, plain(120)),
        ("json_report_v1", Format::Json, v1),
        ("junit_report", Format::Junit, plain(120)),
        ("dot_topology", Format::Dot, plain(120)),
        ("mermaid_topology", Format::Mermaid, plain(120)),
    ] {
        let out = render_report(&fixture::small(), format, &opts).unwrap();
        insta::assert_snapshot!(name, out);
    }
}

#[test]
fn findings_in_every_text_format() {
    let f = fixture::findings();
    for format in TEXT_FORMATS {
        let out = render_findings(&f, format, &plain(120)).unwrap();
        insta::assert_snapshot!(format!("findings_{format}"), out);
    }
}

#[test]
fn trace_in_every_text_format() {
    let report = fixture::small();
    let state = &report.states[0];
    let cells: Vec<_> = state
        .cells()
        .filter(|c| c.from == "client:laptop" && c.to == "web@mynat")
        .collect();
    assert_eq!(cells.len(), 2);
    for format in TEXT_FORMATS {
        let out = render_trace(state, &cells, format, &plain(120)).unwrap();
        insta::assert_snapshot!(format!("trace_{format}"), out);
    }
}

#[test]
fn colour_is_ansi_only_when_asked() {
    let report = fixture::small();
    let plain_out = render_report(&report, Format::Terminal, &plain(120)).unwrap();
    assert!(!plain_out.contains('\x1b'));
    let coloured = render_report(
        &report,
        Format::Terminal,
        &RenderOptions {
            colour: true,
            ..plain(120)
        },
    )
    .unwrap();
    assert!(coloured.contains("\x1b[32m"));
    // Same text once the escapes are stripped.
    let mut stripped = String::new();
    let mut chars = coloured.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for d in chars.by_ref() {
                if d == 'm' {
                    break;
                }
            }
        } else {
            stripped.push(c);
        }
    }
    assert_eq!(stripped, plain_out);
}

#[test]
fn formats_without_meaning_for_an_input_are_refused() {
    let f = fixture::findings();
    for format in [Format::Html, Format::Dot, Format::Mermaid] {
        let err = render_findings(&f, format, &plain(120)).unwrap_err();
        assert!(err.to_string().contains("cannot render findings"), "{err}");
    }
    let report = fixture::small();
    let cells: Vec<_> = report.states[0].cells().take(1).collect();
    let err = render_trace(&report.states[0], &cells, Format::Dot, &plain(120)).unwrap_err();
    assert!(
        err.to_string()
            .contains("--format dot cannot render a trace"),
        "{err}"
    );
    assert!("pdf".parse::<Format>().is_err());
    assert_eq!("yml".parse::<Format>().unwrap(), Format::Yaml);
    assert_eq!("MD".parse::<Format>().unwrap(), Format::Markdown);
    let _ = Probe::Icmp;
}

#[test]
fn every_cell_of_a_large_matrix_is_summarised() {
    let report = fixture::large(60);
    let out = render_report(&report, Format::Terminal, &plain(120)).unwrap();
    let s = report.states[0].summary();
    assert!(out.contains(&format!(
        "{} delivered, {} denied, {} unknown of {} probes",
        s.delivered,
        s.denied,
        s.unknown,
        report.states[0].cell_count()
    )));
    // 60 columns of width 3 do not fit in 120 with labels: folded into chunks.
    assert!(out.contains("destinations 1–"), "{out}");
    for line in out.lines().filter(|l| l.contains("svc0")) {
        assert!(line.chars().count() <= 120, "line too wide: {line}");
    }
    assert!(out.contains("more pairs"));
}

#[test]
fn markdown_folds_wide_matrices_and_cuts_the_probe_table() {
    let report = fixture::large(45);
    let md = render_report(&report, Format::Markdown, &plain(120)).unwrap();
    assert!(md.contains("Destinations 1–30 of 45:"), "{}", &md[..400]);
    assert!(md.contains("Destinations 31–45 of 45:"));
    // Every row of every table has the same number of cells as its header.
    for table in md.split("\n\n").filter(|t| t.starts_with("| from \\ to |")) {
        let widths: Vec<usize> = table.lines().map(|l| l.matches(" |").count()).collect();
        assert!(widths.iter().all(|w| *w == widths[0]), "ragged table");
        assert_eq!(table.lines().count(), 2 + 45);
    }
    // The cut table starts with the undecided probes, not the delivered ones.
    let details = &md[md.find("<details>").unwrap()..];
    let first_row = details.lines().find(|l| l.starts_with("| `svc")).unwrap();
    assert!(first_row.contains("unknown"), "{first_row}");
    assert!(md.contains("more probes (delivered ones last)"));
}

/// A matrix past the node limit, shown by class in the terminal and in Markdown: the
/// classes, their matrix, and per class pair the cells of its first node pair with how
/// many node pairs and cells the line stands for.
#[test]
fn terminal_and_markdown_by_class() {
    let doc = hnsim_model::parse_scenario(
        "service.yaml",
        "name: service\nsegments: [{name: lan, subnet: 10.1.0.0/16, gateway: 10.1.0.1}]\nhosts:\n  - {name: n1, os: linux, swarm: manager, nics: [{name: eth0, ip: 10.1.0.10/16, segment: lan}]}\n  - {name: n2, os: linux, swarm: worker, nics: [{name: eth0, ip: 10.1.0.11/16, segment: lan}]}\nservices:\n  - {name: web, replicas: 300, ports: ['8080:80']}\ncontainers:\n  - {name: db, host: n1, listen: [tcp/5432]}\nclients: [{name: pc, segment: lan, ip: 10.1.0.50}]\n",
    )
    .unwrap();
    let mut report = hnsim_sim::simulate(&doc);
    report.findings.clear();
    let state = report.final_state().unwrap();
    assert!(state.nodes.len() > hnsim_reports::legend::MAX_NODES);
    let terminal = render_report(&report, Format::Terminal, &plain(120)).unwrap();
    assert!(
        terminal.contains("so the matrix is shown by class"),
        "{terminal}"
    );
    assert!(
        terminal.contains("pairs,") && terminal.contains("cells)"),
        "{terminal}"
    );
    for line in terminal.lines().filter(|l| l.contains("classes")) {
        assert!(line.chars().count() <= 120, "line too wide: {line}");
    }
    insta::assert_snapshot!("terminal_by_class", terminal);
    let md = render_report(&report, Format::Markdown, &plain(120)).unwrap();
    assert!(md.contains("| class | first member | members |"), "{md}");
    assert!(md.contains("each row stands for every pair of its two classes"));
    insta::assert_snapshot!("markdown_by_class", md);
}
