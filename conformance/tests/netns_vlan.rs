//! VLANs (OPT-3) on the netns backend: a tagged transparent network on a trunk shares a
//! layer-2 domain with its VLAN's access ports only; both reach the internet through
//! the segment's gateway. Root only (skipped with `HNSIM_SKIP_ROOT=1`).

mod common;

use common::*;
use hnsim_sim::{ProbeOutcome, Verdict};

#[test]
fn a_tagged_network_meets_its_vlan_only() {
    let _guard = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if !root_or_skip("a_tagged_network_meets_its_vlan_only") {
        return;
    }
    let file = workspace().join("scenarios/designs/transparent-vlan.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    let doc = hnsim_model::parse_scenario("transparent-vlan.yaml", &text).unwrap();
    let report = hnsim_sim::simulate(&doc);
    let expected = report.final_state().unwrap().clone();
    let d = design(&text);
    let mut run = netns(true);
    let (observed, _, _) = realize_and_probe(&mut run, &d, &expected, &probe_opts(600, 1));
    drop(run);
    let reply = |from: &str, to: &str, probe: &str| {
        observed
            .iter()
            .find(|o| o.from == from && o.to == to && o.probe.to_string() == probe)
            .map(|o| o.observation.outcome == ProbeOutcome::Reply)
            .unwrap_or_else(|| panic!("no cell {from} -> {to} {probe}"))
    };
    assert!(reply("client:tagged-pc", "app@v11", "tcp/443"));
    assert!(reply("worker@v11", "app@v11", "tcp/443"));
    assert!(!reply("client:laptop", "app@v11", "tcp/443"));
    assert!(!reply("app@v11", "client:laptop", "icmp"));
    assert!(!reply("app@v11", "host:win1", "icmp"));
    assert!(reply("app@v11", "internet", "tcp/443"));
    assert!(reply("client:tagged-pc", "internet", "icmp"));
    assert!(reply("client:laptop", "internet", "icmp"));
    let conf = hnsim_conformance::compare(&expected, &observed);
    assert!(
        conf.cells.iter().all(|c| c.verdict == Verdict::Agree),
        "{:?}",
        conf.summary
    );
}
