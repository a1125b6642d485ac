//! VLANs (OPT-3) on the netns backend: a tagged transparent network on a trunk shares a
//! layer-2 domain with its VLAN's access ports only; both reach the internet through
//! the segment's gateway. Root only (skipped with `HNSIM_SKIP_ROOT=1`).

mod common;

use common::*;
use hnsim_sim::Verdict;

#[test]
fn a_tagged_network_meets_its_vlan_only() {
    let Some(_turn) = root_turn("a_tagged_network_meets_its_vlan_only") else {
        return;
    };
    let (expected, observed) = probe_final_state("scenarios/designs/transparent-vlan.yaml");
    let reply = |from: &str, to: &str, probe: &str| replied(&observed, from, to, probe);
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
