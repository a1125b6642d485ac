//! The swarm backend on this machine (root and a Docker installation): throwaway
//! daemons in the run's namespaces joined into a real swarm, the bundled two-node
//! designs probed end to end, nothing left afterwards — nor after Ctrl-C, nor after a
//! SIGKILL and `hnsim clean` — and the machine's own engine untouched. Fails where it
//! cannot run unless `HNSIM_SKIP_ROOT=1` or `HNSIM_SKIP_DOCKER=1` skips it.

mod common;

use common::*;
use hnsim_sim::ProbeOutcome;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn swarm_or_skip(test: &str) -> bool {
    if skip_asked(test, "HNSIM_SKIP_DOCKER") || !root_or_skip(test) {
        return false;
    }
    let dockerd = Command::new("dockerd").arg("--version").output();
    assert!(
        dockerd.is_ok_and(|o| o.status.success()),
        "{test} needs dockerd (docker.io); set HNSIM_SKIP_DOCKER=1 to skip it"
    );
    true
}

/// Runs `body` in the test's turn on the machine when the swarm tests may run here, and
/// checks that it left the machine's own engine as it found it.
fn on_the_machine(test: &str, body: impl FnOnce()) {
    let Some(_turn) = turn(test, swarm_or_skip) else {
        return;
    };
    let engine_before = machine_engine();
    body();
    assert_eq!(
        machine_engine(),
        engine_before,
        "the machine's engine changed"
    );
}

/// The machine's own engine, as `docker` lists it: containers, networks, images.
fn machine_engine() -> String {
    let list = |args: &[&str]| {
        let out = Command::new("docker")
            .args(args)
            .output()
            .expect("docker runs");
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    // Objects of other hnsim runs (the Docker conformance tests of another test
    // process) come and go on their own; everything else must stay as it was.
    let mine = |text: String| {
        text.lines()
            .filter(|l| !l.starts_with(hnsim_conformance::docker::PREFIX))
            .collect::<Vec<_>>()
            .join("\n")
    };
    [
        mine(list(&["ps", "-a", "--format", "{{.Names}}"])),
        mine(list(&["network", "ls", "--format", "{{.Name}}"])),
        mine(list(&["images", "--format", "{{.Repository}}:{{.Tag}}"])),
        list(&["info", "--format", "{{.Swarm.LocalNodeState}}"]),
    ]
    .join("\n")
}

/// What of run `prefix` exists on the machine: namespaces, its directory, mounts under
/// it, cgroups, daemons.
fn leftovers(prefix: &str) -> Vec<String> {
    let mut out: Vec<String> = our_namespaces()
        .into_iter()
        .filter(|n| n.starts_with(&format!("{prefix}-")))
        .collect();
    let dir = std::env::temp_dir().join(format!("{prefix}-swarm"));
    if dir.exists() {
        out.push(dir.display().to_string());
    }
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    out.extend(
        mounts
            .lines()
            .filter(|l| l.contains(&format!("{prefix}-swarm")))
            .map(str::to_string),
    );
    if let Ok(rd) = std::fs::read_dir("/sys/fs/cgroup") {
        for c in rd.flatten() {
            let cg = c.path().join(format!("{prefix}-h0"));
            if cg.exists() {
                out.push(cg.display().to_string());
            }
        }
    }
    let ps = Command::new("pgrep")
        .args(["-f", &format!("dockerd --config-file {}", dir.display())])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    if !ps.is_empty() {
        out.push(format!("dockerd {ps}"));
    }
    out
}

fn fresh_prefix(salt: u32) -> String {
    netns_prefix(u64::from(
        std::process::id() ^ salt.wrapping_mul(0x9e3779b9),
    ))
}

/// `hnsim conform FILE --backend swarm --json` under run prefix `prefix`.
fn conform(file: &str, prefix: &str) -> (hnsim_sim::Report, String) {
    let out = Command::new(hnsim_bin())
        .args(["conform", "--backend", "swarm", "--no-progress", "--json"])
        .arg(workspace().join(file))
        .env("HNSIM_NETNS_PREFIX", prefix)
        .output()
        .expect("hnsim runs");
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{file}: {stderr}");
    (
        serde_json::from_slice(&out.stdout).expect("a JSON report"),
        stderr,
    )
}

#[test]
fn a_two_node_swarm_is_probed_end_to_end_and_leaves_nothing() {
    on_the_machine(
        "a_two_node_swarm_is_probed_end_to_end_and_leaves_nothing",
        || {
            for (i, file) in [
                "scenarios/designs/linux-overlay-two-hosts.yaml",
                "scenarios/users/swarm-stack-two-linux-nodes.yaml",
            ]
            .into_iter()
            .enumerate()
            {
                let prefix = fresh_prefix(i as u32 + 1);
                let (report, stderr) = conform(file, &prefix);
                println!("{file}: {stderr}");
                let conf = report.conformance.expect("a comparison");
                common::assert_no_disagreement(&conf, file);
                // Every cell between two containers, across the hosts too, was probed.
                let between: Vec<_> = conf
                    .cells
                    .iter()
                    .filter(|c| c.from.contains('@') && c.to.contains('@'))
                    .collect();
                assert!(!between.is_empty());
                for c in &between {
                    assert!(
                        c.observation.attempts > 0,
                        "{file}: {} -> {} {} not probed: {:?}",
                        c.from,
                        c.to,
                        c.probe,
                        c.verdict
                    );
                }
                // Replicas and containers on different hosts reached each other.
                assert!(between
                    .iter()
                    .any(|c| c.observation.outcome == ProbeOutcome::Reply
                        && c.observation.repro.contains("/h0/")
                        && c.to.contains('@')));
                assert_eq!(leftovers(&prefix), Vec::<String>::new(), "{file}");
            }
        },
    );
}

/// Waits until run `prefix` has both daemons up, then signals it.
fn interrupt_when_daemons_run(prefix: &str, signal: i32) -> std::process::Output {
    let child = Command::new(hnsim_bin())
        .args(["conform", "--backend", "swarm", "--no-progress"])
        .arg(workspace().join("scenarios/designs/linux-overlay-two-hosts.yaml"))
        .env("HNSIM_NETNS_PREFIX", prefix)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("hnsim starts");
    let sock = std::env::temp_dir().join(format!("{prefix}-swarm/h1/docker.sock"));
    let deadline = Instant::now() + Duration::from_secs(120);
    while !Path::new(&sock).exists() {
        assert!(Instant::now() < deadline, "the daemons did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(500));
    // SAFETY: a signal to our own child.
    unsafe {
        libc::kill(child.id() as libc::pid_t, signal);
    }
    child.wait_with_output().expect("hnsim ends")
}

#[test]
fn ctrl_c_and_sigkill_leave_nothing_clean_does_not_remove() {
    on_the_machine(
        "ctrl_c_and_sigkill_leave_nothing_clean_does_not_remove",
        || {
            let prefix = fresh_prefix(11);
            let out = interrupt_when_daemons_run(&prefix, libc::SIGINT);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(130), "{stderr}");
            assert_eq!(leftovers(&prefix), Vec::<String>::new());
            let prefix = fresh_prefix(12);
            let _ = interrupt_when_daemons_run(&prefix, libc::SIGKILL);
            std::thread::sleep(Duration::from_secs(1));
            assert!(
                !leftovers(&prefix).is_empty(),
                "a SIGKILLed run leaves its daemons"
            );
            common::hnsim_clean(&prefix);
            assert_eq!(leftovers(&prefix), Vec::<String>::new());
        },
    );
}
