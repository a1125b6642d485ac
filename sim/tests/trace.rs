//! `trace` finds every cell of every bundled scenario by the names a user types, and
//! every traced cell names its facts, hop by hop.

mod common;

use common::*;
use hnsim_sim::{trace, NameError, TraceError};

#[test]
fn every_cell_of_every_scenario_traces_with_facts() {
    let mut traced = 0;
    for (path, report) in simulated_scenarios() {
        for state in &report.states {
            for c in state.cells() {
                let got = trace(state, &c.from, &c.to, Some(c.probe))
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                assert_eq!(got, vec![c.clone()], "{}", path.display());
                assert!(
                    !c.facts.is_empty(),
                    "{}: {} -> {} names no fact",
                    path.display(),
                    c.from,
                    c.to
                );
                for h in &c.path {
                    assert!(
                        !h.facts.is_empty(),
                        "{}: hop {} names no fact",
                        path.display(),
                        h.at
                    );
                }
                traced += 1;
            }
        }
    }
    assert!(traced > 1000, "only {traced} cells traced");
}

fn nat_multi_node() -> hnsim_sim::Report {
    let path = scenarios_dir().join("designs/nat-multi-node-port-mappings.yaml");
    hnsim_sim::simulate(&load(&path).expect("bundled scenario"))
}

#[test]
fn names_resolve_to_nodes() {
    let r = nat_multi_node();
    let s = r.final_state().expect("state");
    // container name, host name, client name, node id
    let cells = trace(s, "app", "web", None).expect("by container names");
    assert_eq!(cells.len(), 3, "icmp, tcp/80, tcp/443");
    assert!(trace(s, "win1", "laptop", Some(hnsim_sim::Probe::Icmp)).is_ok());
    assert!(trace(s, "host:win2", "client:laptop", None).is_ok());
    assert!(matches!(
        trace(s, "nobody", "web", None),
        Err(TraceError::Name(NameError::NotFound { .. }))
    ));
    assert!(matches!(
        trace(s, "web", "web", None),
        Err(TraceError::SameNode { .. })
    ));
    assert!(matches!(
        trace(s, "app", "web", Some(hnsim_sim::Probe::Udp(9))),
        Err(TraceError::NoSuchProbe { .. })
    ));
}

#[test]
fn ambiguous_names_list_the_candidates() {
    let path = scenarios_dir().join("designs/overlay-swarm-ws2016.yaml");
    let r = hnsim_sim::simulate(&load(&path).expect("bundled scenario"));
    let s = r.final_state().expect("state");
    match trace(s, "gateway", "backend", None) {
        Err(TraceError::Name(NameError::Ambiguous { candidates, .. })) => {
            assert_eq!(
                candidates,
                vec!["gateway@ovl".to_string(), "gateway@nat".to_string()]
            );
        }
        other => panic!("expected ambiguity, got {other:?}"),
    }
}
