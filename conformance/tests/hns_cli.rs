//! `hnsim conform --backend hns` as users and the Windows workflow run it: a captured
//! dump in, a report out, exit code 1 on any mismatch.

#[path = "common/mod.rs"]
mod common;

use std::process::Command;

fn hnsim(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(common::hnsim_bin())
        .args(args)
        .current_dir(common::workspace())
        .output()
        .expect("hnsim runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const RUNNER: &str = "scenarios/pitfalls/github-windows-runner.yaml";

/// `hnsim conform SCENARIO --backend hns --from-json <dump> EXTRA...`, the dump one of
/// `conformance/tests/fixtures/hns`.
fn inspect(scenario: &str, dump: &str, extra: &[&str]) -> (i32, String, String) {
    let dump = format!("conformance/tests/fixtures/hns/{dump}");
    let mut args = vec![
        "conform",
        scenario,
        "--backend",
        "hns",
        "--from-json",
        &dump,
    ];
    args.extend_from_slice(extra);
    hnsim(&args)
}

#[test]
fn a_matching_dump_exits_0_with_a_markdown_summary() {
    let (code, out, err) = inspect(
        RUNNER,
        "runner-nat",
        &["--host", "win1", "--format", "markdown"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("## HNS inspection"), "{out}");
    assert!(
        out.contains("| ✅ ok | endpoint a@n1 | port tcp/80 | host port 8080 | host port 8080 |")
    );
    assert!(err.contains("0 mismatch, 0 missing"), "{err}");
}

#[test]
fn a_drifted_dump_exits_1_and_names_what_drifted() {
    let (code, out, err) = inspect(RUNNER, "runner-nat-drift", &[]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("MISMATCH  endpoint a@n1"), "{out}");
    assert!(
        out.contains("model: host port 8080  HNS: host port 8081"),
        "{out}"
    );
    assert!(out.contains("MISSING  endpoint c@n2"), "{out}");
    let (_, json, _) = inspect(RUNNER, "runner-nat-drift", &["--json"]);
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON report");
    assert_eq!(v["summary"]["mismatches"], 1);
    assert_eq!(v["summary"]["missing"], 1);
    assert_eq!(v["host"], "win1");
}

#[test]
fn print_commands_and_refusals() {
    let (code, out, _) = hnsim(&["conform", RUNNER, "--backend", "hns", "--print-commands"]);
    assert_eq!(code, 0);
    assert!(out.contains("docker network create -d nat --subnet=172.20.0.0/24"));
    assert!(out.contains("mcr.microsoft.com/windows/nanoserver:ltsc2022 ping -t localhost"));
    // No dump and not on Windows: a clear error, exit 2-ish (anyhow), not a panic.
    let (code, _, err) = hnsim(&["conform", RUNNER, "--backend", "hns"]);
    if !cfg!(windows) {
        assert_ne!(code, 0);
        assert!(err.contains("--from-json"), "{err}");
    }
    let (code, _, err) = inspect(
        "scenarios/designs/linux-bridge-default-vs-user-defined.yaml",
        "runner-nat",
        &[],
    );
    assert_ne!(code, 0);
    assert!(err.contains("no Windows host"), "{err}");
    let (code, _, err) = inspect(RUNNER, "does-not-exist", &[]);
    assert_ne!(code, 0);
    assert!(err.contains("networks.json"), "{err}");
}

#[test]
fn junit_for_test_reporters() {
    let (code, out, err) = inspect(RUNNER, "runner-nat-drift", &["--format", "junit"]);
    assert_eq!(code, 1, "{err}");
    assert!(out.starts_with("<?xml"), "{out}");
    assert!(
        out.contains("<failure message=\"MISMATCH: model host port 8080, HNS host port 8081\""),
        "{out}"
    );
}
