//! l2tunnel (L2T-1) on the netns backend: endpoints hairpin through a namespace that
//! stands in for the physical Hyper-V host, on the tenant's virtual network. Root only
//! (skipped with `HNSIM_SKIP_ROOT=1`).

mod common;

use common::*;
use hnsim_sim::Verdict;

#[test]
fn l2tunnel_endpoints_reach_each_other_through_the_physical_host() {
    let Some(_turn) = root_turn("l2tunnel_endpoints_reach_each_other_through_the_physical_host")
    else {
        return;
    };
    let (expected, observed) = probe_final_state("scenarios/designs/l2tunnel-azure-sdn.yaml");
    let reply = |from: &str, to: &str, probe: &str| replied(&observed, from, to, probe);
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
