//! Every recording kept under `conformance/recordings/` replayed against today's
//! model: a run made once on a real dataplane (netns, Docker on Linux, Docker on
//! Windows in the GitHub workflow) stays a regression test. A model change that alters
//! the answer of a recorded cell makes its replay disagree here.

#[path = "common/mod.rs"]
mod common;

use hnsim_conformance::{compare, record};
use hnsim_sim::{ProbeOutcome, Verdict};
use std::path::{Path, PathBuf};

fn recordings() -> Vec<PathBuf> {
    let root = common::workspace().join("conformance/recordings");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("conformance/recordings exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join(record::INDEX).is_file())
        .collect();
    dirs.sort();
    dirs
}

/// Replays `dir` against the model of its scenario copy.
fn replay(dir: &Path) -> (record::Recording, hnsim_sim::Conformance) {
    let rec = record::read(dir).unwrap_or_else(|e| panic!("{e}"));
    let text = record::scenario_text(dir, &rec).unwrap();
    let doc = hnsim_model::parse_scenario(&rec.scenario.copy, &text)
        .unwrap_or_else(|e| panic!("{}: {e:?}", dir.display()));
    let report = hnsim_sim::simulate(&doc);
    let r = record::replay(&rec, &report.states, &text, &text).unwrap();
    let run = r.runs.last().expect("a recorded state");
    let mut conf = compare(&report.states[run.state], &run.observed);
    conf.state = run.state;
    (rec, conf)
}

#[test]
fn every_backend_has_a_recording() {
    let backends: Vec<String> = recordings()
        .iter()
        .map(|d| record::read(d).unwrap().backend)
        .collect();
    for b in ["netns", "docker"] {
        assert!(
            backends.iter().any(|x| x == b),
            "no {b} recording: {backends:?}"
        );
    }
}

#[test]
fn recordings_agree_with_todays_model() {
    let dirs = recordings();
    assert!(!dirs.is_empty());
    for dir in dirs {
        let (rec, conf) = replay(&dir);
        let what = format!(
            "{} ({} on {}), recorded",
            dir.display(),
            rec.backend,
            rec.platform.build
        );
        common::assert_no_disagreement(&conf, &what);
        assert!(conf.summary.agree > 0, "{}: nothing agreed", dir.display());
        // Every recorded cell is lined up: none is left over as "not in the matrix".
        assert!(
            !conf.cells.iter().any(|c| matches!(&c.verdict, Verdict::NotEmulated { why } if why.contains("no such cell"))),
            "{}: recorded cells today's matrix does not have",
            dir.display()
        );
        // What was probed carries what was sent and where.
        for s in &rec.states {
            for c in &s.cells {
                if c.observation.attempts > 0 {
                    assert!(!c.observation.to.is_empty() && c.observation.sent != "nothing");
                    assert!(!matches!(
                        c.observation.outcome,
                        ProbeOutcome::NotEmulated { .. }
                    ));
                }
            }
        }
    }
}

/// Directories a recording must not name: this checkout, and the usual homes and work
/// directories of the machines recordings come from (spelled from their parts so that
/// this file names no machine's directory either).
fn machine_directories() -> Vec<String> {
    let mut out: Vec<String> = ["work", "root", "home"]
        .iter()
        .map(|d| format!("/{d}/"))
        .collect();
    out.push(format!("{}/", common::workspace().display()));
    out.push(["C:", "Users", ""].join("\\\\"));
    out
}

#[test]
fn recordings_name_no_directory_of_the_recording_machine() {
    for dir in recordings() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                let text = std::fs::read_to_string(&path).unwrap();
                for needle in machine_directories() {
                    assert!(!text.contains(&needle), "{} names {needle}", path.display());
                }
            }
        }
    }
}

#[test]
fn replay_from_the_command_line_reports_as_a_live_run() {
    let dir = common::workspace().join("conformance/recordings/netns-github-windows-runner");
    let out = std::process::Command::new(common::hnsim_bin())
        .args([
            "conform",
            "scenarios/pitfalls/github-windows-runner.yaml",
            "--replay",
        ])
        .arg(&dir)
        .args(["--format", "json"])
        .current_dir(common::workspace())
        .output()
        .expect("hnsim runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("note: replayed: netns backend"), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let conf = &report["conformance"];
    assert_eq!(conf["summary"]["disagree"], 0);
    assert!(conf["summary"]["agree"].as_u64().unwrap() > 0);
    // A directory that is no recording is refused with its path.
    let out = std::process::Command::new(common::hnsim_bin())
        .args([
            "conform",
            "scenarios/pitfalls/github-windows-runner.yaml",
            "--replay",
            "scenarios",
        ])
        .current_dir(common::workspace())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a recording"));
}

#[test]
fn a_recorded_answer_the_model_does_not_give_disagrees() {
    let src = common::workspace().join("conformance/recordings/netns-github-windows-runner");
    let mut rec = record::read(&src).unwrap();
    let cell = rec.states[0]
        .cells
        .iter_mut()
        .find(|c| c.observation.outcome == ProbeOutcome::Reply)
        .expect("a delivered cell");
    cell.observation.outcome = ProbeOutcome::Timeout;
    let (from, to, probe) = (cell.from.clone(), cell.to.clone(), cell.probe);
    let dir = common::fresh_temp_dir("flipped");
    let text = record::scenario_text(&src, &rec).unwrap();
    record::write(&dir, &rec, &text, &record::Environment::default()).unwrap();
    let (_, conf) = replay(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
    let bad: Vec<_> = conf
        .cells
        .iter()
        .filter(|c| c.verdict == Verdict::Disagree)
        .collect();
    assert_eq!(bad.len(), 1);
    assert_eq!(
        (&bad[0].from, &bad[0].to, bad[0].probe),
        (&from, &to, probe)
    );
}
