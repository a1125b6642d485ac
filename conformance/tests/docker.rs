//! The Docker engine backend against the real engine of this machine: a bundled Linux
//! scenario is realized, probed and compared with the simulation, and nothing of the
//! run remains afterwards. Skipped, with a message, where `docker info` fails.

#[path = "common/mod.rs"]
mod common;

use hnsim_conformance::docker;
use hnsim_conformance::{compare, ObservedCell};
use hnsim_sim::{ProbeOutcome, Verdict};
use std::sync::Mutex;

/// Runs touch the same engine; one at a time keeps "objects of this run" clear.
static SERIAL: Mutex<()> = Mutex::new(());

fn docker_or_skip(test: &str) -> bool {
    match docker::available() {
        Ok(()) => true,
        Err(e) => {
            println!("SKIP {test}: {e}");
            false
        }
    }
}

fn run(file: &str) -> (hnsim_sim::Conformance, Vec<ObservedCell>, docker::Outcome) {
    let path = common::workspace().join(file);
    let text = std::fs::read_to_string(&path).expect("bundled scenario");
    let doc = hnsim_model::parse_scenario(file, &text).expect("parses");
    let report = hnsim_sim::simulate(&doc);
    let analysis = hnsim_model::analyse(&doc);
    let design = &analysis.final_state().design;
    let expected = report.final_state().expect("a state").clone();
    let opts = docker::Options::new(common::hnsim_bin());
    let outcome = docker::conform(design, &expected, &opts).expect("the run completes");
    let conf = compare(&expected, &outcome.observed);
    (conf, outcome.observed.clone(), outcome)
}

fn show(conf: &hnsim_sim::Conformance, observed: &[ObservedCell]) {
    for c in &conf.cells {
        let o = observed
            .iter()
            .find(|o| o.from == c.from && o.to == c.to && o.probe == c.probe)
            .map(|o| format!("{} -> {:?}", o.observation.sent, o.observation.outcome))
            .unwrap_or_default();
        println!("{:?} {} -> {} {}: {o}", c.verdict, c.from, c.to, c.probe);
    }
}

#[test]
fn bridge_scenario_agrees_with_the_simulation_and_leaves_nothing() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if !docker_or_skip("bridge_scenario_agrees_with_the_simulation_and_leaves_nothing") {
        return;
    }
    let (conf, observed, outcome) =
        run("scenarios/designs/linux-bridge-default-vs-user-defined.yaml");
    show(&conf, &observed);
    for n in &outcome.notes {
        println!("note: {n}");
    }
    // Every cell between the host and its containers was really probed.
    let local = |id: &str| id.contains('@') || id == "host:lx1";
    let inside: Vec<_> = observed
        .iter()
        .filter(|o| local(&o.from) && local(&o.to))
        .collect();
    assert_eq!(inside.len(), 36);
    assert!(
        inside.iter().all(|o| o.observation.attempts > 0),
        "{inside:?}"
    );
    assert!(observed
        .iter()
        .all(|o| !matches!(o.observation.outcome, ProbeOutcome::Error { .. })));
    // External clients and the internet are never probed.
    assert!(observed
        .iter()
        .filter(|o| o.from.starts_with("client:") || o.from == "internet")
        .all(|o| matches!(o.observation.outcome, ProbeOutcome::NotEmulated { .. })));
    let bad: Vec<_> = conf
        .cells
        .iter()
        .filter(|c| c.verdict == Verdict::Disagree)
        .map(|c| format!("{} -> {} {}", c.from, c.to, c.probe))
        .collect();
    assert!(bad.is_empty(), "disagreements: {bad:?}");
    assert!(
        docker::leftovers(&outcome.prefix).unwrap().is_empty(),
        "objects of {} remain",
        outcome.prefix
    );
}

/// Names of every object of this backend (any run).
fn all_objects() -> Vec<String> {
    docker::leftovers(docker::PREFIX).expect("docker lists")
}

#[test]
fn a_failed_run_leaves_nothing() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if !docker_or_skip("a_failed_run_leaves_nothing") {
        return;
    }
    let before = all_objects();
    let file = "scenarios/designs/linux-bridge-default-vs-user-defined.yaml";
    let text = std::fs::read_to_string(common::workspace().join(file)).unwrap();
    let doc = hnsim_model::parse_scenario(file, &text).unwrap();
    let report = hnsim_sim::simulate(&doc);
    let analysis = hnsim_model::analyse(&doc);
    // The probe image cannot be built from a binary that does not exist.
    let opts = docker::Options::new("/nonexistent/hnsim".into());
    let err = docker::conform(
        &analysis.final_state().design,
        report.final_state().unwrap(),
        &opts,
    )
    .expect_err("no agent binary");
    assert!(err.to_string().contains("image"), "{err}");
    assert_eq!(all_objects(), before);
    // A Windows-only scenario is refused before anything is created.
    let text = "name: t\nhosts:\n  - {name: w, os: ws2019}\ncontainers:\n  - {name: a, host: w}\n";
    let doc = hnsim_model::parse_scenario("w.yaml", text).unwrap();
    let analysis = hnsim_model::analyse(&doc);
    let report = hnsim_sim::simulate(&doc);
    let err = docker::conform(
        &analysis.final_state().design,
        report.final_state().unwrap(),
        &docker::Options::new(common::hnsim_bin()),
    )
    .expect_err("no Linux host");
    assert!(err.to_string().contains("Linux"), "{err}");
    assert_eq!(all_objects(), before);
}

#[test]
fn ctrl_c_removes_the_run() {
    let _g = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if !docker_or_skip("ctrl_c_removes_the_run") {
        return;
    }
    let before = all_objects();
    let file =
        common::workspace().join("scenarios/designs/linux-bridge-default-vs-user-defined.yaml");
    let mut child = std::process::Command::new(common::hnsim_bin())
        .args(["conform", "--backend", "docker", "--no-progress"])
        .arg(&file)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("hnsim starts");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let prefix = loop {
        let now: Vec<String> = all_objects()
            .into_iter()
            .filter(|n| !before.contains(n))
            .collect();
        // Wait for a container: by then the image and the networks exist too.
        let running = docker::leftovers(docker::PREFIX)
            .unwrap()
            .into_iter()
            .find(|n| !before.contains(n) && !n.ends_with(":latest") && n.ends_with("-api"));
        if let Some(name) = running {
            break name[..docker::PREFIX.len() + 7].to_string();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the run created nothing: {now:?}"
        );
        if let Ok(Some(status)) = child.try_wait() {
            panic!("hnsim ended before the signal: {status}");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(!docker::leftovers(&prefix).unwrap().is_empty());
    // SAFETY: sending a signal to our own child process.
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGINT);
    }
    let out = child.wait_with_output().expect("hnsim ends");
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        docker::leftovers(&prefix).unwrap().is_empty(),
        "{:?}",
        docker::leftovers(&prefix)
    );
}
