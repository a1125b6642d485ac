//! `hnsim test`: a scenario's `expect:` block is a test. Every bundled scenario's
//! expectations hold; a wrong one fails with an expected / observed / comparison table
//! at the expectation's line, in terminal, Markdown and JUnit.

use crate::common::*;

#[test]
fn every_bundled_scenario_meets_its_expectations() {
    let o = hnsim(&["test", "scenarios"]);
    assert_exit(&o, 0);
    let out = stdout(&o);
    assert!(out.contains(" 0 failed"), "{out}");
    assert!(!out.contains("FAIL"), "{out}");
}

const WRONG: &str = "\
name: wrong expectations
hosts:
  - name: win1
    os: ws2019
containers:
  - {name: web, host: win1, ports: ['8080:80']}
  - {name: app, host: win1}
clients:
  - {name: laptop, ip: 192.168.1.50}
expect:
  findings: [HNS001]
  cells:
    - {from: app@nat, to: web@nat, probe: tcp/80, disposition: delivered, address: '10.9.9.9:1'}
    - {from: app@nat, to: web@nat, probe: icmp, disposition: not-published}
    - {from: app@nat, to: web@nat, probe: tcp/80, disposition: deliverd}
";

#[test]
fn a_wrong_expectation_fails_with_a_comparison_table() {
    let (_, o) = run_written("test", "test-cmd", "wrong.yaml", WRONG);
    assert_exit(&o, 1);
    let out = stdout(&o);
    // The address is wrong, the disposition right.
    let block = out
        .split("FAIL")
        .find(|b| b.contains(":13:") && b.contains("tcp/80"))
        .unwrap_or_else(|| panic!("no table for line 13: {out}"));
    assert!(
        block.contains("expected") && block.contains("observed") && block.contains("comparison"),
        "{block}"
    );
    assert!(block.contains("10.9.9.9:1"), "{block}");
    let address_row = block
        .lines()
        .find(|l| l.trim_start().starts_with("address"))
        .expect("address row");
    assert!(address_row.contains('✗'), "{address_row}");
    let disposition_row = block
        .lines()
        .find(|l| l.trim_start().starts_with("disposition"))
        .expect("row");
    assert!(disposition_row.contains('✓'), "{disposition_row}");
    // A typo in a disposition is named, not silently compared.
    assert!(out.contains("`deliverd` is not a disposition"), "{out}");
    // The expected finding is missing.
    assert!(out.contains("missing:    HNS001"), "{out}");
    assert!(out.contains("0 passed, 1 failed"), "{out}");
}

#[test]
fn test_results_render_as_junit_and_markdown() {
    let f = input("test-cmd", "wrong-junit.yaml", WRONG);
    let o = hnsim(&["test", p(&f), "--format", "junit"]);
    assert_exit(&o, 1);
    let xml = stdout(&o);
    assert!(xml.starts_with("<?xml"), "{xml}");
    assert!(xml.contains("<failure"), "{xml}");
    assert!(
        xml.contains("wrong-junit.yaml:13:"),
        "cases carry file:line: {xml}"
    );
    let o = hnsim(&["test", p(&f), "--format", "markdown"]);
    let md = stdout(&o);
    assert!(
        md.contains("| | expected | observed | comparison |"),
        "{md}"
    );
    let o = hnsim(&["test", "scenarios/designs", "--format", "junit"]);
    assert_exit(&o, 0);
    assert_stdout_has(&o, "file=\"scenarios/designs/");
    let o = hnsim(&["test", p(&f), "--format", "github"]);
    let out = stdout(&o);
    assert!(out.contains("::error file="), "{out}");
    assert!(
        out.contains(
            "wrong-junit.yaml,line=13,col=7,title=expected cell app@nat → web@nat tcp/80::"
        ),
        "{out}"
    );
    let o = hnsim(&["test", "scenarios/designs", "--format", "sarif"]);
    assert_eq!(code(&o), 2, "refused: {}", both(&o));
}

/// An expectation may state a flow the matrix does not list (a port nothing declares):
/// it is answered as a query; a node that does not exist is named as the problem.
#[test]
fn expectations_may_state_any_flow() {
    assert_written(
        "test-cmd",
        &[
            ("test", "any-flow.yaml", ANY_FLOW, 0, &[]),
            (
                "test",
                "no-node.yaml",
                NO_NODE,
                1,
                &["did you mean web@nat"],
            ),
        ],
    );
}

const ANY_FLOW: &str = "name: any flow\nhosts:\n  - {name: win1, os: ws2019}\ncontainers:\n  - {name: web, host: win1, ports: ['8080:80']}\nexpect:\n  findings: [HNS082]\n  cells:\n    - {from: host:win1, to: web@nat, probe: tcp/8443, disposition: not-listening}\n    - {from: host:win1, to: web@nat, probe: tcp/80, disposition: delivered}\n";

const NO_NODE: &str = "name: no node\nhosts:\n  - {name: win1, os: ws2019}\ncontainers:\n  - {name: web, host: win1}\nexpect:\n  findings: [HNS082]\n  cells:\n    - {from: host:win1, to: wbe@nat, probe: tcp/8443, disposition: delivered}\n";
