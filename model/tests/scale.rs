//! Designs far larger than the scenario library, analysed whole: each would take minutes
//! if any step of parsing, resolution, validation or de-duplication were quadratic in the
//! design's size, so a regression shows as a test that does not finish (timings are the
//! benchmark's job: `cargo bench -p hnsim-model --bench check`).

use hnsim_model::{analyse, parse_scenario};
use std::collections::HashSet;

/// 30,000 service replicas over ten swarm nodes on one overlay: every replica gets its own
/// address, in order, and nothing is reported twice.
#[test]
fn thirty_thousand_replicas_resolve_linearly() {
    let mut text = String::from("name: big\nhosts:\n");
    for h in 0..10 {
        let role = if h == 0 { "manager" } else { "worker" };
        text.push_str(&format!("  - {{name: n{h}, os: linux, swarm: {role}}}\n"));
    }
    text.push_str("networks:\n  - {name: ovl, driver: overlay, subnet: 10.0.0.0/8}\nservices:\n  - {name: web, replicas: 30000, networks: [ovl]}\n");
    // Over the default endpoints limit (each replica counts with its ingress endpoint),
    // as a user resolving a design this large raises it.
    let limits = hnsim_model::Limits {
        endpoints: 100_000,
        ..hnsim_model::Limits::default()
    };
    let a = analyse(&hnsim_model::parse::parse_scenario_with("big.yaml", &text, &limits).unwrap());
    let d = &a.final_state().design;
    assert_eq!(d.endpoints.len(), 30_000);
    let ips: HashSet<_> = d.endpoints.iter().filter_map(|e| e.ip).collect();
    assert_eq!(ips.len(), 30_000, "every replica has an address of its own");
    assert_eq!(d.endpoints[29_999].ip, Some("10.0.117.49".parse().unwrap()));
    let keys: HashSet<_> = a
        .findings
        .iter()
        .map(|f| (&f.code, &f.location.path, &f.message))
        .collect();
    assert_eq!(keys.len(), a.findings.len(), "a finding is reported once");
}

/// 400 NAT networks on one subnet of one host: each overlaps the first one, which is
/// said once per network (not once per pair).
#[test]
fn four_hundred_nat_networks_on_one_subnet() {
    let mut text = String::from("name: nats\nhosts:\n  - {name: h, os: ws2019}\nnetworks:\n");
    for i in 0..400 {
        text.push_str(&format!(
            "  - {{name: n{i}, host: h, driver: nat, subnet: 172.20.0.0/16}}\n"
        ));
    }
    text.push_str("containers:\n");
    for i in 0..400 {
        text.push_str(&format!(
            "  - {{name: c{i}, host: h, networks: [n{i}], ports: ['80']}}\n"
        ));
    }
    let a = analyse(&parse_scenario("nats.yaml", &text).unwrap());
    let overlaps = a.findings.iter().filter(|f| f.code == "SCN010").count();
    assert_eq!(overlaps, 399);
    let d = &a.final_state().design;
    // Each network is its own address pool (IPAM-1): every container is .2 of its own.
    assert!(d
        .endpoints
        .iter()
        .all(|e| e.ip == Some("172.20.0.2".parse().unwrap())));
    // One host, one ephemeral port each, in order from 49153 (NAT-9).
    let ports: Vec<u16> = d
        .published
        .iter()
        .map(|p| p.forward.host_ports.start)
        .collect();
    assert_eq!(ports, (49153..49553).collect::<Vec<_>>());
}

/// 20,000 containers publishing fixed host ports on one host: each clash is found, and
/// only those (a comparison of every pair of mappings would be 200 million).
#[test]
fn twenty_thousand_fixed_port_mappings_on_one_host() {
    let mut text = String::from("name: ports\nhosts:\n  - {name: h, os: linux}\ncontainers:\n");
    for i in 0..20_000 {
        // Every thousandth container takes the port of the one before it.
        let port = 10_000 + i - usize::from(i % 1000 == 999);
        text.push_str(&format!(
            "  - {{name: c{i}, host: h, ports: ['{port}:80']}}\n"
        ));
    }
    let a = analyse(&parse_scenario("ports.yaml", &text).unwrap());
    let taken: Vec<&str> = a
        .findings
        .iter()
        .filter(|f| f.code == "SCN040")
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(taken.len(), 20, "{taken:?}");
    assert!(taken[0].contains("`c998` and `c999` both publish tcp port 10998"));
}
