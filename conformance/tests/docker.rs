//! The Docker engine backend against the real engine of this machine: a bundled Linux
//! scenario is realized, probed and compared with the simulation, and nothing of the
//! run remains afterwards. Fails where `docker info` fails, unless `HNSIM_SKIP_DOCKER=1`
//! skips it on purpose.

#[path = "common/mod.rs"]
mod common;

use hnsim_conformance::docker;
use hnsim_conformance::{compare, Dataplane, ObservedCell};
use hnsim_sim::ProbeOutcome;
use std::path::PathBuf;

const BRIDGES: &str = "scenarios/designs/linux-bridge-default-vs-user-defined.yaml";

/// A run prefix of this process, varied by `salt` (`hnsim-<6 hex>`).
fn test_prefix(salt: u32) -> String {
    format!("hnsim-{:06x}", (std::process::id() ^ salt) & 0xff_ffff)
}

/// `hnsim conform --backend docker` of [`BRIDGES`] in the background, its objects named
/// with `prefix`.
fn conform_in_background(prefix: &str, stderr: std::process::Stdio) -> std::process::Child {
    std::process::Command::new(common::hnsim_bin())
        .args(["conform", "--backend", "docker", "--no-progress"])
        .arg(common::workspace().join(BRIDGES))
        .env("HNSIM_DOCKER_PREFIX", prefix)
        .stdout(std::process::Stdio::null())
        .stderr(stderr)
        .spawn()
        .expect("hnsim starts")
}

/// Checks that no object of run `prefix` is left on the engine.
fn assert_nothing_left(prefix: &str) {
    let left = docker::leftovers(prefix).unwrap();
    assert!(left.is_empty(), "objects of {prefix} remain: {left:?}");
}

/// What a run gives back besides its observations.
struct Outcome {
    notes: Vec<String>,
}

/// Realizes the final state of a bundled scenario on the engine, probes it and
/// removes it, and checks that nothing of the run remains.
fn run(file: &str) -> (hnsim_sim::Conformance, Vec<ObservedCell>, Outcome) {
    let path = common::workspace().join(file);
    let text = std::fs::read_to_string(&path).expect("bundled scenario");
    run_text(file, &text)
}

/// [`run`] of a scenario given as text.
fn run_text(file: &str, text: &str) -> (hnsim_sim::Conformance, Vec<ObservedCell>, Outcome) {
    let doc = hnsim_model::parse_scenario(file, text).expect("parses");
    let (analysis, expected, mut dp) = common::docker_realize(&doc);
    let design = &analysis.final_state().design;
    let notes = dp.observe(design).expect("read back");
    let (observed, prefix) = common::docker_probe_and_clean(&mut dp, design, &expected);
    assert_nothing_left(&prefix);
    let conf = compare(&expected, &observed);
    (conf, observed, Outcome { notes })
}

/// Realizes `text`'s final state with `opts`; the error, if any.
fn realize_error(text: &str, opts: docker::Options) -> String {
    let doc = hnsim_model::parse_scenario("t.yaml", text).unwrap();
    let analysis = hnsim_model::analyse(&doc);
    let mut dp = docker::Docker::new(opts).expect("engine");
    dp.realize(&analysis.final_state().design, None)
        .expect_err("the realization fails")
        .to_string()
}

/// Probes that failed because the machine's neighbour table was full (ENOBUFS: other
/// tests filling it with namespaces) say nothing about Docker.
fn inconclusive(test: &str, observed: &[ObservedCell], notes: &[String]) -> bool {
    if let Some(n) = notes.iter().find(|n| n.contains("neighbour table")) {
        println!("SKIP agreement checks of {test}: {n}");
        return true;
    }
    let n = observed
        .iter()
        .filter(|o| {
            matches!(&o.observation.outcome, ProbeOutcome::Error { message } if message.contains("os error 105"))
        })
        .count();
    if n > 0 {
        println!("SKIP agreement checks of {test}: {n} probes hit ENOBUFS (neighbour table full)");
    }
    n > 0
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
    let Some(_turn) =
        common::docker_turn("bridge_scenario_agrees_with_the_simulation_and_leaves_nothing")
    else {
        return;
    };
    let (conf, observed, outcome) = run(BRIDGES);
    show(&conf, &observed);
    for n in &outcome.notes {
        println!("note: {n}");
    }
    if inconclusive("bridge_scenario", &observed, &outcome.notes) {
        return;
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
    // LAN clients and the internet are namespaces of the run around the engine's
    // machine: every one of their cells is probed.
    let outside: Vec<_> = observed
        .iter()
        .filter(|o| o.from.starts_with("client:") || o.from == "internet")
        .collect();
    assert!(!outside.is_empty());
    assert!(
        outside.iter().all(|o| o.observation.attempts > 0),
        "{outside:?}"
    );
    common::assert_no_disagreement(&conf, BRIDGES);
}

#[test]
fn a_failed_run_leaves_nothing() {
    let Some(_turn) = common::docker_turn("a_failed_run_leaves_nothing") else {
        return;
    };
    let prefix = format!("{}-", test_prefix(0));
    let bridges = std::fs::read_to_string(common::workspace().join(BRIDGES)).unwrap();
    let windows_only =
        "name: t\nhosts:\n  - {name: w, os: ws2019}\ncontainers:\n  - {name: a, host: w}\n";
    for (binary, text, says) in [
        // The probe image cannot be built from a binary that does not exist.
        (
            PathBuf::from("/nonexistent/hnsim"),
            bridges.as_str(),
            "image",
        ),
        // A Windows-only scenario is refused before anything is created.
        (common::hnsim_bin(), windows_only, "Linux"),
    ] {
        let mut opts = docker::Options::new(binary);
        opts.prefix = Some(prefix.clone());
        let err = realize_error(text, opts);
        assert!(err.contains(says), "{err}");
        assert_nothing_left(&prefix);
    }
}

#[test]
fn ctrl_c_removes_the_run() {
    let Some(_turn) = common::docker_turn("ctrl_c_removes_the_run") else {
        return;
    };
    // Interrupted while the image is built, then while containers are created.
    for (i, wait_for) in ["-probe:latest", "-api"].into_iter().enumerate() {
        let prefix = format!("{}-", test_prefix(0x5a5a5a ^ (i as u32 * 0x1111)));
        let mut child = conform_in_background(&prefix, std::process::Stdio::piped());
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        loop {
            let now = docker::leftovers(&prefix).unwrap();
            if now.iter().any(|n| n.ends_with(wait_for)) {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the run created nothing: {now:?}"
            );
            if let Ok(Some(status)) = child.try_wait() {
                panic!("hnsim ended before the signal: {status}");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        // SAFETY: sending a signal to our own child process.
        unsafe {
            libc::kill(child.id() as libc::pid_t, libc::SIGINT);
        }
        let out = child.wait_with_output().expect("hnsim ends");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(130), "{stderr}");
        // The handler removes the run; nothing the interruption caused is reported as
        // an error of its own.
        for spurious in [
            "not found",
            "already in progress",
            "failed",
            "error",
            "Error",
        ] {
            assert!(
                !stderr.contains(spurious),
                "`{spurious}` on stderr:\n{stderr}"
            );
        }
        assert!(stderr.contains("interrupted"), "{stderr}");
        assert_nothing_left(&prefix);
    }
}

/// A SIGKILL leaves objects and the image's staging directory; `hnsim clean` finds
/// every one of them by the run's prefix.
#[test]
fn a_killed_run_is_cleaned_by_prefix() {
    let Some(_turn) = common::docker_turn("a_killed_run_is_cleaned_by_prefix") else {
        return;
    };
    for (i, delay_ms) in [150u64, 2500, 6000].into_iter().enumerate() {
        let prefix = test_prefix(0xa5a5a5 ^ (i as u32 * 0x2222));
        let mut child = conform_in_background(&format!("{prefix}-"), std::process::Stdio::null());
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        child.kill().expect("SIGKILL");
        let _ = child.wait();
        // A request the run had already sent is still carried out by the daemon.
        std::thread::sleep(std::time::Duration::from_millis(1500));
        common::hnsim_clean(&prefix);
        let left = docker::leftovers(&format!("{prefix}-")).unwrap();
        assert!(left.is_empty(), "killed after {delay_ms} ms: {left:?}");
    }
}

#[test]
fn host_none_and_macvlan_scenarios_agree() {
    let Some(_turn) = common::docker_turn("host_none_and_macvlan_scenarios_agree") else {
        return;
    };
    for (file, probed_at_least) in [
        ("scenarios/designs/linux-host-and-none.yaml", 4),
        ("scenarios/designs/linux-macvlan.yaml", 10),
        ("scenarios/pitfalls/macvlan-port-mapping.yaml", 3),
        ("scenarios/pitfalls/linux-user-defined-bridge.yaml", 12),
    ] {
        let (conf, observed, outcome) = run(file);
        if inconclusive(file, &observed, &outcome.notes) {
            continue;
        }
        let probed = observed
            .iter()
            .filter(|o| o.observation.attempts > 0)
            .count();
        assert!(probed >= probed_at_least, "{file}: {probed} probed");
        common::assert_no_disagreement(&conf, file);
    }
}

/// compose-linux-bridges: `api` is on both bridges (one stack: its default route is
/// `front`'s, whichever endpoint a cell starts from), and `db` is on the internal `back`
/// network only. Every cell agrees with the simulation; none is a known divergence.
#[test]
fn compose_bridges_agree_with_the_simulation() {
    let Some(_turn) = common::docker_turn("compose_bridges_agree_with_the_simulation") else {
        return;
    };
    let (conf, observed, outcome) = run("scenarios/imported/compose-linux-bridges.yaml");
    show(&conf, &observed);
    if inconclusive("compose_bridges", &observed, &outcome.notes) {
        return;
    }
    common::assert_no_disagreement(&conf, "compose-linux-bridges");
    assert_eq!(conf.summary.known_divergence, 0, "{:?}", conf.summary);
    assert!(conf.summary.agree >= 30, "{:?}", conf.summary);
}

/// The experiment that settles what a container on an `--internal` bridge reaches, on
/// this machine's engine: the host's own address answers it (Docker still gives it a
/// default route through the bridge's gateway, and the host's INPUT accepts), while a
/// port another bridge's container publishes on that address does not (the DNAT'ed
/// packet is forwarded, and the internal network's isolation rule drops it), nor does
/// anything beyond the host. The model (sim/src/driver/bridge.rs) and the netns backend
/// say the same; this test fails the day an engine does otherwise.
#[test]
fn an_internal_bridge_reaches_the_host_and_nothing_beyond() {
    let Some(_turn) = common::docker_turn("an_internal_bridge_reaches_the_host_and_nothing_beyond")
    else {
        return;
    };
    const TEXT: &str = "name: internal-bridge
segments: [{name: lan, subnet: 192.168.10.0/24, gateway: 192.168.10.1}]
hosts:
  - {name: lnx1, os: linux, nics: [{name: eth0, ip: 192.168.10.5/24, segment: lan}]}
networks:
  - {name: back, host: lnx1, driver: bridge, internal: true, subnet: 172.28.5.0/24, gateway: 172.28.5.1}
  - {name: front, host: lnx1, driver: bridge}
containers:
  - {name: db, host: lnx1, networks: [back], listen: [tcp/5432]}
  - {name: web, host: lnx1, networks: [front], ports: ['8080:80']}
";
    let (conf, observed, outcome) = run_text("internal-bridge.yaml", TEXT);
    show(&conf, &observed);
    if inconclusive("internal_bridge", &observed, &outcome.notes) {
        return;
    }
    let replied = |from: &str, to: &str, probe: &str| common::replied(&observed, from, to, probe);
    assert!(replied("db@back", "host:lnx1", "icmp"));
    assert!(!replied("db@back", "web@front", "tcp/80"));
    assert!(!replied("web@front", "db@back", "tcp/5432"));
    assert!(replied("host:lnx1", "db@back", "tcp/5432"));
    common::assert_no_disagreement(&conf, "internal-bridge.yaml");
}

/// An invalid design that Docker refuses (two containers on one static address) runs
/// anyway: the refused container's cells say why, the rest is probed.
#[test]
fn what_docker_refuses_is_not_emulated_with_its_words() {
    let Some(_turn) = common::docker_turn("what_docker_refuses_is_not_emulated_with_its_words")
    else {
        return;
    };
    let (_, observed, outcome) = run("scenarios/pitfalls/duplicate-container-ip.yaml");
    assert!(outcome
        .notes
        .iter()
        .any(|n| n.contains("Docker refused container `b`")));
    let from_b: Vec<_> = observed
        .iter()
        .filter(|o| o.from.starts_with("b@"))
        .collect();
    assert!(!from_b.is_empty());
    assert!(from_b.iter().all(|o| matches!(
        &o.observation.outcome,
        ProbeOutcome::NotEmulated { why } if why.contains("Address already in use")
    )));
}

/// Every state of a timeline is applied to the live engine and probed in order: stop,
/// start, network create, run, connect, disconnect, remove, network remove.
#[test]
fn a_timeline_is_applied_to_the_live_engine_state_by_state() {
    let Some(_turn) =
        common::docker_turn("a_timeline_is_applied_to_the_live_engine_state_by_state")
    else {
        return;
    };
    let prefix = format!("{}-", test_prefix(0x3c3c3c));
    let report = common::conform_timeline("docker", ("HNSIM_DOCKER_PREFIX", &prefix));
    assert_nothing_left(&prefix);
    assert_eq!(report.earlier_conformance.len(), 8);
    for c in report.conformances() {
        assert_eq!(c.summary.disagree, 0, "state {}: {:?}", c.state, c.summary);
        assert!(c.summary.agree >= 6, "state {}: {:?}", c.state, c.summary);
    }
    // While `b` is stopped, nothing reaches it; once started again, `a` does.
    let reply = |state: usize| {
        report.conformance_of(state).and_then(|c| {
            c.cells
                .iter()
                .find(|v| v.from == "a@app" && v.to == "b@app" && v.probe == hnsim_sim::Probe::Icmp)
                .map(|v| v.observation.outcome == ProbeOutcome::Reply)
        })
    };
    assert_eq!(reply(1), Some(false));
    assert_eq!(reply(2), Some(true));
    // `a` reaches `c` only while connected to `other` (state 5).
    let to_c = |state: usize| {
        report.conformance_of(state).map(|c| {
            c.cells.iter().any(|v| {
                v.from == "a@app"
                    && v.to == "c@other"
                    && v.observation.outcome == ProbeOutcome::Reply
            })
        })
    };
    assert_eq!(to_c(5), Some(true));
    assert_eq!(to_c(6), Some(false));
}
