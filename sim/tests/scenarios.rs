//! Every bundled scenario: its `expect.cells` spot checks hold, and each state's matrix
//! matches its reviewed snapshot (scenarios whose findings include errors are skipped:
//! their design does not exist). A scenario without a snapshot fails like a changed one:
//! write and review it with `INSTA_UPDATE=always cargo test -p hnsim-sim --test scenarios`
//! (or `cargo insta review`) and read the diff.

mod common;

use common::*;
use hnsim_sim::Probe;

#[test]
fn expected_cells_hold() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for (path, doc) in loaded_scenarios() {
        let Some(expect) = doc.scenario.expect.clone() else {
            continue;
        };
        if expect.cells.is_empty() {
            continue;
        }
        let report = hnsim_sim::simulate(&doc);
        let Some(state) = report.final_state() else {
            failures.push(format!("{}: no state", path.display()));
            continue;
        };
        for e in &expect.cells {
            checked += 1;
            let probe: Probe = match e.probe.parse() {
                Ok(p) => p,
                Err(err) => {
                    failures.push(format!("{}: {err}", path.display()));
                    continue;
                }
            };
            let Some(cell) = state.cell(&e.from, &e.to, probe) else {
                failures.push(format!(
                    "{}: no cell {} -> {} {}",
                    path.display(),
                    e.from,
                    e.to,
                    e.probe
                ));
                continue;
            };
            let got = disposition(&cell.disposition);
            let wanted_ok = match e.disposition.as_str() {
                "denied" => matches!(cell.disposition, hnsim_sim::Disposition::Denied { .. }),
                d => d == got,
            };
            if !wanted_ok {
                failures.push(format!(
                    "{}: {} -> {} {}: expected {}, got {got} ({:?})",
                    path.display(),
                    e.from,
                    e.to,
                    e.probe,
                    e.disposition,
                    cell.disposition
                ));
            }
            if let Some(addr) = &e.address {
                let got = cell.address.as_ref().map(|a| a.value.as_str());
                if got != Some(addr.as_str()) {
                    failures.push(format!(
                        "{}: {} -> {} {}: expected address {addr}, got {got:?}",
                        path.display(),
                        e.from,
                        e.to,
                        e.probe
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked > 20, "only {checked} expected cells found");
}

#[test]
fn matrices_match_snapshots() {
    let mut count = 0;
    for (path, report) in simulated_scenarios() {
        if has_errors(&report) {
            continue;
        }
        let mut text = String::new();
        for state in &report.states {
            text.push_str(&render(state));
            text.push('\n');
        }
        let name = short_name(&path).replace('/', "__");
        insta::with_settings!({snapshot_path => "snapshots", prepend_module_to_snapshot => false, omit_expression => true}, {
            insta::assert_snapshot!(name, text);
        });
        count += 1;
    }
    assert!(count >= 18, "only {count} valid scenarios found");
}

/// Every TCP/UDP cell's address names a port, whatever the destination: the container
/// port, the published host port, a client's or a host's port.
#[test]
fn tcp_and_udp_addresses_carry_a_port() {
    let mut bad = Vec::new();
    for (path, report) in simulated_scenarios() {
        for state in &report.states {
            for c in state.cells() {
                let (Probe::Tcp(_) | Probe::Udp(_), Some(a)) = (c.probe, &c.address) else {
                    continue;
                };
                let shown =
                    a.ip.is_none() || a.port.is_some_and(|p| a.value.ends_with(&format!(":{p}")));
                if a.port.is_none() || !shown {
                    bad.push(format!(
                        "{}: {} -> {} {}: {:?}",
                        path.display(),
                        c.from,
                        c.to,
                        c.probe,
                        a
                    ));
                }
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// Deciding by class (one answer per sending role and destination class, reused along
/// a timeline for what a step did not change) must give every state of every bundled
/// scenario exactly what deciding every pair from scratch gives.
#[test]
fn classes_give_what_every_pair_gives() {
    let (mut designs, mut timelines) = (0, 0);
    for (path, doc) in loaded_scenarios() {
        let analysis = hnsim_model::analyse(&doc);
        designs += 1;
        if analysis.states.len() > 1 {
            timelines += 1;
        }
        let by_class = hnsim_sim::simulate_with("t", &analysis, hnsim_sim::Mode::Classes);
        let every = hnsim_sim::simulate_with("t", &analysis, hnsim_sim::Mode::EveryPair);
        for (i, (a, b)) in by_class.states.iter().zip(&every.states).enumerate() {
            assert!(a == b, "{}: state {i} differs", path.display());
        }
    }
    assert!(designs >= 100, "only {designs} scenarios");
    assert!(timelines >= 3, "only {timelines} scenarios with steps");
}
