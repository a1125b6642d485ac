//! l2tunnel (L2T-1) on the netns backend: endpoints hairpin through a namespace that
//! stands in for the physical Hyper-V host, on the tenant's virtual network. Root only
//! (skipped with `HNSIM_SKIP_ROOT=1`).

mod common;

use common::*;
use hnsim_sim::{ProbeOutcome, Verdict};

#[test]
fn l2tunnel_endpoints_reach_each_other_through_the_physical_host() {
    let _guard = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if !root_or_skip("l2tunnel_endpoints_reach_each_other_through_the_physical_host") {
        return;
    }
    let file = workspace().join("scenarios/designs/l2tunnel-azure-sdn.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    let doc = hnsim_model::parse_scenario("l2tunnel-azure-sdn.yaml", &text).unwrap();
    let expected = hnsim_sim::simulate(&doc).final_state().unwrap().clone();
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
    // Same VM and across VMs, through the physical hosts and the virtual network.
    assert!(reply("a@tun", "b@tun", "tcp/80"));
    assert!(reply("a@tun", "c@tun", "tcp/80"));
    assert!(reply("host:vm2", "a@tun", "tcp/80"));
    assert!(reply("a@tun", "internet", "tcp/443"));
    assert!(!reply("internet", "a@tun", "tcp/80"));
    let conf = hnsim_conformance::compare(&expected, &observed);
    assert!(
        conf.cells.iter().all(|c| c.verdict == Verdict::Agree),
        "{:?}",
        conf.summary
    );
}
