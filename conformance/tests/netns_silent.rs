//! Sources with nothing to send by, on a real kernel (root only): a stopped container,
//! an endpoint whose network does not exist and an endpoint without an address send
//! from the run's namespace that has only `lo`, so their cells are probed — and reach
//! nothing, as the model says.

mod common;

use common::*;
use hnsim_sim::{ProbeOutcome, Verdict};

#[test]
fn sources_with_nothing_to_send_by_are_probed_and_reach_nothing() {
    let Some(_turn) = root_turn("sources_with_nothing_to_send_by_are_probed_and_reach_nothing")
    else {
        return;
    };
    for (rel, source) in [
        // Not running after `stop: web` (the final state).
        (
            "scenarios/pitfalls/daemon-config-change-with-nat-networks.yaml",
            "web@nat",
        ),
        // Its network `backnd` is not in the design.
        ("scenarios/pitfalls/unknown-references.yaml", "api@backnd"),
        // A /30 has room for one container: `b` gets no address.
        ("scenarios/pitfalls/address-exhaustion.yaml", "b@tiny"),
    ] {
        let (expected, observed) = probe_final_state(rel);
        let conf = hnsim_conformance::compare(&expected, &observed);
        assert_no_disagreement(&conf, rel);
        let mut probed = 0;
        for c in conf.cells.iter().filter(|c| c.from == source) {
            let what = format!(
                "{rel}: {} -> {} {}: {:?}",
                c.from, c.to, c.probe, c.observation
            );
            // A destination without an address stays not emulated; the source never is.
            if let Verdict::NotEmulated { why } = &c.verdict {
                assert!(!why.starts_with("source"), "{what}");
                continue;
            }
            probed += 1;
            assert_eq!(c.verdict, Verdict::Agree, "{what}");
            assert_eq!(c.observation.outcome, ProbeOutcome::Unreachable, "{what}");
            assert!(c.observation.repro.contains("-z "), "{what}");
        }
        assert!(probed > 0, "{rel}: no cell from {source} probed");
    }
}
