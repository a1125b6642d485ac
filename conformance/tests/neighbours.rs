//! Faithful probing at the kernel's default neighbour-table limits (root only).
//!
//! The table's dynamic entries are capped machine-wide by `gc_thresh3` (1024 by
//! default); a 100-endpoint mesh probed naively overflows it and the wire seems to deny
//! what the design delivers. The netns backend's permanent neighbour entries keep such
//! a mesh exact (`full_mesh_of_100_agrees_10_runs_in_a_row`), and change no observation
//! of the bundled scenarios (`permanent_neighbours_change_no_observation`: every
//! ARP-sensitive one and a quarter of the rest; all with `HNSIM_NEIGHBOUR_PROOF=full`).

mod common;

use common::*;
use hnsim_conformance::Dataplane;
use hnsim_sim::{Probe, ProbeOutcome, Verdict};

fn sysctl(name: &str) -> String {
    std::fs::read_to_string(format!("/proc/sys/net/ipv4/neigh/default/{name}"))
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "?".into())
}

fn mesh(n: usize) -> String {
    let mut s = String::from(
        "name: mesh\nhosts:\n  - {name: l, os: linux}\nnetworks:\n  - {name: app, host: l, driver: bridge, subnet: 10.77.0.0/16}\ncontainers:\n",
    );
    for i in 0..n {
        s.push_str(&format!(
            "  - {{name: c{i}, host: l, networks: [app], listen: [tcp/80]}}\n"
        ));
    }
    s
}

#[test]
fn full_mesh_of_100_agrees_10_runs_in_a_row() {
    let Some(_turn) = root_turn("full_mesh_of_100_agrees_10_runs_in_a_row") else {
        return;
    };
    let limits = ["gc_thresh1", "gc_thresh2", "gc_thresh3"].map(sysctl);
    println!(
        "neighbour table limits (gc_thresh1/2/3): {}",
        limits.join("/")
    );
    if limits != ["128", "512", "1024"] {
        println!("note: not the kernel defaults 128/512/1024; the test still checks agreement");
    }
    let d = design(&mesh(100));
    // Every container reaches every other on the bridge, by ICMP and on tcp/80.
    let mut expected = matrix(&d, &[Probe::Icmp, Probe::Tcp(80)], |_, _, _| Expect::Direct);
    let endpoint = |id: &str| id.contains('@');
    expected.retain(|c| endpoint(&c.from) && endpoint(&c.to));
    assert_eq!(expected.cell_count(), 100 * 99 * 2);
    for run in 1..=10 {
        let mut dp = netns(true);
        let (observed, realize, probe) =
            realize_and_probe(&mut dp, &d, &expected, &probe_opts(1000, 1));
        dp.clean().expect("clean-up");
        let conf = hnsim_conformance::compare(&expected, &observed);
        let bad: Vec<String> = conf
            .cells
            .iter()
            .filter(|c| c.verdict != Verdict::Agree)
            .take(10)
            .map(|c| {
                format!(
                    "{} -> {} {}: {:?}",
                    c.from, c.to, c.probe, c.observation.outcome
                )
            })
            .collect();
        println!(
            "run {run}: realized in {realize:?}, {} probes in {probe:?}: {:?}",
            observed.len(),
            conf.summary
        );
        assert!(
            bad.is_empty(),
            "run {run}: {} cells do not agree, e.g.\n{}",
            conf.cells.len() - conf.summary.agree,
            bad.join("\n")
        );
    }
}

/// What a cell's probe showed, as far as a verdict is concerned.
fn class(o: &ProbeOutcome) -> &'static str {
    match o {
        ProbeOutcome::Reply => "reply",
        ProbeOutcome::Timeout | ProbeOutcome::Refused | ProbeOutcome::Unreachable => "no reply",
        ProbeOutcome::NotEmulated { .. } => "not emulated",
        ProbeOutcome::Error { .. } => "error",
    }
}

/// The scenarios the with/without comparison runs on. Every design whose cells can
/// depend on ARP (transparent and l2bridge behind MAC checks, macvlan, MAC spoofing),
/// where a wrongly placed permanent entry would show, and every fourth of the others,
/// so that each driver and feature is compared on every run of the suite.
/// `HNSIM_NEIGHBOUR_PROOF=full` compares the whole library (about twice as long).
fn compared_scenarios() -> Vec<std::path::PathBuf> {
    let all = bundled_scenarios();
    if std::env::var("HNSIM_NEIGHBOUR_PROOF").as_deref() == Ok("full") {
        return all;
    }
    let sensitive = |f: &std::path::Path| {
        std::fs::read_to_string(f).is_ok_and(|t| {
            ["l2bridge", "transparent", "macvlan", "mac-spoofing"]
                .iter()
                .any(|w| t.contains(w))
        })
    };
    let (arp, others): (Vec<_>, Vec<_>) = all.into_iter().partition(|f| sensitive(f));
    arp.into_iter()
        .chain(others.into_iter().step_by(4))
        .collect()
}

/// The cells of `d` probed with permanent entries and without, each on a fresh
/// realization: the cells that differ (as `file: from -> to probe: ...`) and the probe
/// errors, which are faults of the emulation, never observations.
fn with_and_without(
    f: &std::path::Path,
    d: &hnsim_model::Design,
    expected: &hnsim_sim::StateMatrix,
    opts: &hnsim_conformance::ProbeOptions,
) -> (usize, Vec<(String, String)>, Vec<String>) {
    let mut runs = Vec::new();
    for with in [true, false] {
        let mut dp = netns(with);
        let (observed, _, _) = realize_and_probe(&mut dp, d, expected, opts);
        dp.clean().expect("clean-up");
        runs.push(observed);
    }
    let (mut compared, mut differences, mut errors) = (0, Vec::new(), Vec::new());
    for (a, b) in runs[0].iter().zip(&runs[1]) {
        compared += 1;
        let cell = format!("{}: {} -> {} {}", f.display(), a.from, a.to, a.probe);
        for o in [a, b] {
            if let ProbeOutcome::Error { message } = &o.observation.outcome {
                errors.push(format!("{cell}: {message}"));
            }
        }
        let (x, y) = (class(&a.observation.outcome), class(&b.observation.outcome));
        if x != y {
            let how = format!(
                "with permanent entries {x} ({}), without {y} ({})",
                a.observation.sent, b.observation.sent
            );
            differences.push((cell, how));
        }
    }
    (compared, differences, errors)
}

#[test]
fn permanent_neighbours_change_no_observation() {
    let Some(_turn) = root_turn("permanent_neighbours_change_no_observation") else {
        return;
    };
    // 400 ms is hundreds of times a veth round trip; it halves what the cells that
    // never answer cost, which is most of this test's time.
    let opts = probe_opts(400, 1);
    let mut differences = Vec::new();
    let mut errors = Vec::new();
    let mut compared = 0;
    for f in compared_scenarios() {
        let Some(d) = design_of_file(&f) else {
            continue;
        };
        let expected = matrix(&d, &[Probe::Icmp, Probe::Tcp(80)], |_, _, _| Expect::Direct);
        let (n, first, errs) = with_and_without(&f, &d, &expected, &opts);
        compared += n;
        errors.extend(errs);
        if first.is_empty() {
            continue;
        }
        // A difference the entries make is made again on a second pair of
        // realizations, the same way. One that does not repeat was the machine's
        // (a probe on a loaded machine that missed its 400 ms over several hops to the
        // internet, on either side), and is reported only if it repeats.
        let (_, again, errs) = with_and_without(&f, &d, &expected, &opts);
        errors.extend(errs);
        differences.extend(first.into_iter().filter(|cell| again.contains(cell)));
    }
    println!("{compared} cells compared");
    assert!(compared > 1000, "{compared}");
    assert!(errors.is_empty(), "probe errors:\n{}", errors.join("\n"));
    let lines: Vec<String> = differences
        .iter()
        .map(|(cell, how)| format!("{cell}: {how}"))
        .collect();
    assert!(
        lines.is_empty(),
        "{} cells differ, twice alike:\n{}",
        lines.len(),
        lines.join("\n")
    );
}
