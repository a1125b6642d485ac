//! Reports that a buggy producer or a hand-edited JSON file could hand over: nothing may
//! panic, and nothing may be silently dropped.

mod common;

use common::{fixture, TEXT_FORMATS};
use hnsim_reports::{render_report, render_trace, Format, RenderOptions};
use hnsim_sim::matrix::*;

/// Renders `report` in every format at every width; the terminal text at the default
/// options, for the test's own checks.
fn all_formats(report: &Report) -> String {
    for format in Format::ALL {
        for width in [0, 1, 40, 120, 500] {
            let opts = RenderOptions {
                colour: width % 2 == 0,
                width,
                ..RenderOptions::default()
            };
            let out =
                render_report(report, format, &opts).unwrap_or_else(|e| panic!("{format}: {e}"));
            assert!(!out.is_empty(), "{format} rendered nothing");
        }
    }
    render_report(report, Format::Terminal, &RenderOptions::default()).unwrap()
}

#[test]
fn empty_report() {
    let report = Report {
        schema_version: SCHEMA_VERSION,
        scenario: ScenarioInfo::default(),
        findings: vec![],
        topology: Topology::default(),
        states: vec![],
        conformance: None,
        earlier_conformance: Vec::new(),
    };
    let out = all_formats(&report);
    assert!(out.contains("no states were simulated"));
}

#[test]
fn cells_naming_unknown_nodes_are_counted_not_lost() {
    let mut report = fixture::small();
    fixture::edit_cells(&mut report.states[0], |cells| {
        let mut stray = cells[0].clone();
        stray.from = "ghost@nowhere".into();
        cells.push(stray);
    });
    let out = all_formats(&report);
    assert!(
        out.contains("cells naming a node this state does not list: 1"),
        "{out}"
    );
}

#[test]
fn conformance_on_a_missing_state_and_empty_paths() {
    let mut report = fixture::small();
    if let Some(c) = report.conformance.as_mut() {
        c.state = 99;
    }
    fixture::edit_cells(&mut report.states[0], |cells| {
        for cell in cells {
            cell.path.clear();
            cell.facts.clear();
            cell.address = None;
        }
    });
    report.topology.hosts[0].nics.clear();
    report.topology.vswitches.clear();
    report.topology.endpoints[0].network = "missing/net".into();
    report.topology.clients[0].segment = Some("elsewhere".into());
    let out = all_formats(&report);
    assert!(out.contains("(missing state)"));
}

#[test]
fn long_and_hostile_names() {
    let mut report = fixture::small();
    let long = "x".repeat(500);
    // Cells name their nodes by index: renaming the node renames its cells.
    report.states[0].nodes[0].id = format!("{long}</script><b>&\"'|`");
    report.scenario.name = "</title><script>alert(1)</script>".into();
    let terminal = all_formats(&report);
    let html = render_report(&report, Format::Html, &RenderOptions::default()).unwrap();
    assert!(!html.contains("<script>alert(1)"));
    assert!(!html.contains("</script><b>"));
    assert!(terminal.lines().all(|l| l.chars().count() < 700));
}

#[test]
fn trace_of_nothing() {
    let report = fixture::small();
    for format in TEXT_FORMATS {
        let out = render_trace(&report.states[0], &[], format, &RenderOptions::default()).unwrap();
        assert!(!out.is_empty());
    }
}

/// A long timeline of a large design is not a hundred full matrices: the first and the
/// last state are shown in full, the states between past the budget as what their step
/// changed, each saying how to see it whole. A short timeline keeps every state whole.
#[test]
fn a_long_timeline_shows_its_middle_states_as_their_changes() {
    let timeline = |containers: usize, steps: usize| {
        let mut text = String::from("name: t\nhosts:\n  - {name: h, os: linux}\ncontainers:\n");
        for i in 0..containers {
            text.push_str(&format!("  - {{name: c{i}, host: h, listen: [tcp/80]}}\n"));
        }
        text.push_str("steps:\n");
        for s in 0..steps {
            let verb = if s % 2 == 0 { "stop" } else { "start" };
            text.push_str(&format!("  - {verb}: c{}\n", s / 2));
        }
        let doc = hnsim_model::parse_scenario("t.yaml", &text).expect("parses");
        hnsim_sim::simulate(&doc)
    };
    let long = timeline(100, 30);
    let full = hnsim_reports::legend::shown_in_full(&long);
    assert_eq!(full.len(), 31);
    assert!(
        full[0] && full[30],
        "the first and the last state are whole"
    );
    assert!(full.iter().filter(|f| !**f).count() > 20, "{full:?}");
    let hint = "hnsim sim --step 29 FILE";
    for format in [
        Format::Terminal,
        Format::Markdown,
        Format::Junit,
        Format::Html,
    ] {
        let out = render_report(&long, format, &RenderOptions::default()).unwrap();
        assert!(out.contains(hint), "{format}: no hint for state 29");
        assert!(
            !out.contains("hnsim sim --step 30 FILE"),
            "{format}: the last state is whole"
        );
    }
    let junit = render_report(&long, Format::Junit, &RenderOptions::default()).unwrap();
    assert!(
        junit.contains("c14@bridge -&gt; c15@bridge"),
        "a changed pair is a case"
    );
    let short = timeline(5, 4);
    assert!(hnsim_reports::legend::shown_in_full(&short)
        .iter()
        .all(|f| *f));
}
