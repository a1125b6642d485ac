//! The JUnit output parses with a real XML parser, has the structure CI systems expect,
//! and its counts match the report: failures only for error findings and conformance
//! disagreements, skips for unknown cells and cells a backend cannot emulate.

mod common;

use common::fixture;
use hnsim_model::Severity;
use hnsim_reports::{render_findings, render_report, Format, RenderOptions};
use hnsim_sim::matrix::StateMatrix;
use hnsim_sim::matrix::{Disposition, Verdict};

fn attr<T: std::str::FromStr>(n: roxmltree::Node, name: &str) -> T {
    n.attribute(name)
        .unwrap_or_else(|| panic!("<{}> lacks {name}", n.tag_name().name()))
        .parse()
        .unwrap_or_else(|_| panic!("{name} is not a number"))
}

/// Attributes each element may carry in the Jenkins xUnit `junit-10.xsd`, the schema
/// GitHub, GitLab and Jenkins readers accept; anything else makes strict validators
/// reject the file.
fn only_known_attributes(doc: &roxmltree::Document) {
    let allowed = |tag: &str| -> &'static [&'static str] {
        match tag {
            "testsuites" => &["name", "time", "tests", "failures", "errors"],
            "testsuite" => &[
                "name",
                "tests",
                "failures",
                "errors",
                "group",
                "time",
                "skipped",
                "timestamp",
                "hostname",
                "id",
                "package",
                "file",
                "log",
                "url",
            ],
            "testcase" => &["name", "time", "classname", "group"],
            "failure" | "error" | "skipped" => &["type", "message"],
            "system-out" | "system-err" => &[],
            other => panic!("element <{other}> is not in junit-10.xsd"),
        }
    };
    for n in doc.descendants().filter(|n| n.is_element()) {
        let ok = allowed(n.tag_name().name());
        for a in n.attributes() {
            assert!(
                ok.contains(&a.name()),
                "<{}> has attribute {} that junit-10.xsd does not allow",
                n.tag_name().name(),
                a.name()
            );
        }
    }
    for t in doc.descendants().filter(|n| n.has_tag_name("testsuite")) {
        for required in ["name", "tests", "failures", "errors"] {
            assert!(
                t.attribute(required).is_some(),
                "testsuite lacks {required}"
            );
        }
    }
    for t in doc.descendants().filter(|n| n.has_tag_name("testcase")) {
        assert!(t.attribute("name").is_some(), "testcase lacks name");
    }
}

/// Structure and self-consistency: each suite's counts equal its children.
fn check_structure(doc: &roxmltree::Document) -> (usize, usize, usize) {
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let (mut tests, mut failures, mut skipped) = (0, 0, 0);
    for suite in root.children().filter(|n| n.is_element()) {
        assert_eq!(suite.tag_name().name(), "testsuite");
        assert!(suite.attribute("name").is_some());
        let cases: Vec<_> = suite.children().filter(|n| n.is_element()).collect();
        assert!(cases.iter().all(|c| c.tag_name().name() == "testcase"));
        for c in &cases {
            assert!(c.attribute("classname").is_some() && c.attribute("name").is_some());
            for child in c.children().filter(|n| n.is_element()) {
                assert!(
                    ["failure", "skipped", "system-out"].contains(&child.tag_name().name()),
                    "unexpected <{}>",
                    child.tag_name().name()
                );
            }
        }
        let f = cases
            .iter()
            .filter(|c| c.children().any(|x| x.has_tag_name("failure")))
            .count();
        let s = cases
            .iter()
            .filter(|c| c.children().any(|x| x.has_tag_name("skipped")))
            .count();
        assert_eq!(attr::<usize>(suite, "tests"), cases.len());
        assert_eq!(attr::<usize>(suite, "failures"), f);
        assert_eq!(attr::<usize>(suite, "skipped"), s);
        assert_eq!(attr::<usize>(suite, "errors"), 0);
        tests += cases.len();
        failures += f;
        skipped += s;
    }
    assert_eq!(attr::<usize>(root, "tests"), tests);
    assert_eq!(attr::<usize>(root, "failures"), failures);
    only_known_attributes(doc);
    (tests, failures, skipped)
}

#[test]
fn report_counts_match_the_matrix() {
    let report = fixture::small();
    let xml = render_report(&report, Format::Junit, &RenderOptions::default()).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let (tests, failures, skipped) = check_structure(&doc);

    let cells: usize = report.states.iter().map(|s| s.cell_count()).sum();
    let conf = report.conformance.as_ref().unwrap();
    assert_eq!(tests, cells + report.findings.len() + conf.cells.len());
    let errors = report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    assert_eq!(failures, errors + conf.summary.disagree);
    let unknown: usize = report
        .states
        .iter()
        .flat_map(|s| s.cells())
        .filter(|c| matches!(c.disposition, Disposition::Unknown { .. }))
        .count();
    let not_emulated = conf
        .cells
        .iter()
        .filter(|v| matches!(v.verdict, Verdict::NotEmulated { .. }))
        .count();
    let undecided = conf
        .cells
        .iter()
        .filter(|v| matches!(v.verdict, Verdict::Undecided { .. }))
        .count();
    assert!(undecided > 0, "the fixture has an undecided cell");
    assert_eq!(skipped, unknown + not_emulated + undecided);

    // A denied cell passes; its text still explains the denial.
    let denied = doc
        .descendants()
        .find(|n| n.attribute("name") == Some("client:laptop -> web@mynat icmp"))
        .expect("denied cell present");
    assert!(!denied.children().any(|c| c.has_tag_name("failure")));
    let out = denied
        .children()
        .find(|c| c.has_tag_name("system-out"))
        .and_then(|c| c.text())
        .unwrap();
    assert!(
        out.contains("nat-no-inbound") && out.contains("NAT-12"),
        "{out}"
    );

    // The finding's message round-trips through escaping.
    let failure = doc
        .descendants()
        .find(|n| n.has_tag_name("failure") && n.attribute("type") == Some("error"))
        .unwrap();
    assert_eq!(
        failure.attribute("message"),
        Some(report.findings[0].message.as_str())
    );
}

#[test]
fn hostile_text_is_escaped() {
    let mut report = fixture::small();
    report.scenario.name = "a\"b<c>&d'e\u{1}f]]>".into();
    let state = &report.states[0];
    let mut cells: Vec<_> = state.cells().collect();
    cells[0].to = "x</testcase><y>".into();
    report.states[0] =
        StateMatrix::from_cells(state.step, state.label.clone(), state.nodes.clone(), cells);
    report.findings[0].message = "<![CDATA[ & ]]> \u{0} \u{7}".into();
    let xml = render_report(&report, Format::Junit, &RenderOptions::default()).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    check_structure(&doc);
    assert!(doc.descendants().any(|n| n
        .attribute("name")
        .is_some_and(|v| v.contains("x</testcase><y>"))));
}

#[test]
fn findings_alone_and_an_empty_check() {
    let xml = render_findings(
        &fixture::findings(),
        Format::Junit,
        &RenderOptions::default(),
    )
    .unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    assert_eq!(check_structure(&doc), (3, 1, 0));
    let xml = render_findings(&[], Format::Junit, &RenderOptions::default()).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    assert_eq!(check_structure(&doc), (1, 0, 0));
}

#[test]
fn large_matrix_has_one_case_per_cell() {
    let report = fixture::large(40);
    let xml = render_report(&report, Format::Junit, &RenderOptions::default()).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let (tests, failures, _) = check_structure(&doc);
    assert_eq!(tests, report.states[0].cell_count() + 1);
    assert_eq!(failures, 0);
}

/// Past the node limit a test case stands for a probe of a pair of classes, and says
/// how many node pairs.
#[test]
fn matrix_by_class_has_one_case_per_class_pair_and_probe() {
    let doc = hnsim_model::parse_scenario(
        "t.yaml",
        "name: t\nhosts:\n  - {name: n1, os: linux, swarm: manager}\nservices:\n  - {name: web, replicas: 300, ports: ['8080:80']}\n",
    )
    .unwrap();
    let report = hnsim_sim::simulate(&doc);
    let state = &report.states[0];
    assert!(state.nodes.len() > hnsim_reports::legend::MAX_NODES);
    let xml = render_report(&report, Format::Junit, &RenderOptions::default()).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let (tests, _, _) = check_structure(&doc);
    let cases: usize = state
        .class_pairs()
        .map(|(_, _, l)| state.table().list(l).len())
        .sum();
    assert_eq!(tests, cases + report.findings.len().max(1));
    assert!(tests < 1000, "{tests} cases");
    assert!(xml.contains("stands for every pair of the two classes"));
}

/// When even one case per class pair and probe would be too many (containers that each
/// listen on their own port are each a class), class pairs answered alike share a case,
/// which says how many class pairs it stands for: together they still count every one.
#[test]
fn class_pairs_answered_alike_share_a_case() {
    let containers: String = (0..300)
        .map(|i| {
            format!(
                "  - {{name: c{i}, host: n1, listen: [tcp/{}]}}\n",
                10_000 + i
            )
        })
        .collect();
    let doc = hnsim_model::parse_scenario(
        "t.yaml",
        &format!("name: t\nhosts:\n  - {{name: n1, os: linux}}\ncontainers:\n{containers}"),
    )
    .unwrap();
    let report = hnsim_sim::simulate(&doc);
    let state = &report.states[0];
    let class_pairs = state.class_pairs().count();
    assert!(class_pairs > 90_000, "{class_pairs} class pairs");
    let xml = render_report(&report, Format::Junit, &RenderOptions::default()).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let (tests, _, _) = check_structure(&doc);
    assert!(tests < 2_000, "{tests} cases");
    let stood_for: usize = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .filter(|n| attr::<String>(*n, "name").ends_with(" icmp"))
        .map(|n| {
            let out = n
                .children()
                .find(|c| c.has_tag_name("system-out"))
                .and_then(|c| c.text())
                .unwrap_or_default();
            let n = out
                .split("stands for ")
                .nth(1)
                .and_then(|rest| rest.split(' ').next())
                .expect("says what it stands for");
            n.parse::<usize>().expect("a count")
        })
        .sum();
    assert_eq!(stood_for, class_pairs);
}
