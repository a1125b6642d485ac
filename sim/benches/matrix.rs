//! The matrix of 200 endpoints over four hosts (200 x 200 endpoint pairs plus hosts,
//! a client and the internet), computed per class of indistinguishable endpoints and
//! per pair of endpoints; prints the median of several runs of each and the speedup.
//!
//! A plain `harness = false` timer rather than criterion: one number per mode is all
//! this needs, and it keeps the dependency tree small.
//!
//! A second design is one swarm service of 1000 replicas on two Linux nodes: a handful
//! of classes but a million endpoint pairs, so it times turning answers into cells.
//!
//! Run: `cargo bench -p hnsim-sim --bench matrix` (optionally `-- RUNS`).

use hnsim_sim::Mode;
use std::time::{Duration, Instant};

/// Four WS2019 hosts; per host 30 web containers (tcp/80), 10 DNS containers (udp/53)
/// on the default nat network and 10 containers on a transparent network with DHCP.
fn design() -> String {
    let mut s = String::from(
        "name: bench\nsegments:\n  - {name: lan, subnet: 10.0.0.0/16, gateway: 10.0.0.1, dhcp: true}\nhosts:\n",
    );
    for h in 0..4 {
        s.push_str(&format!(
            "  - {{name: h{h}, os: ws2019, nics: [{{name: Ethernet, ip: 10.0.0.{}/16, segment: lan}}]}}\n",
            10 + h
        ));
    }
    s.push_str("networks:\n");
    for h in 0..4 {
        s.push_str(&format!(
            "  - {{name: t, host: h{h}, driver: transparent}}\n"
        ));
    }
    s.push_str("containers:\n");
    for h in 0..4 {
        for i in 0..50 {
            let (net, listen) = match i {
                0..=29 => ("", "tcp/80"),
                30..=39 => ("", "udp/53"),
                _ => (", networks: [t]", "tcp/443"),
            };
            s.push_str(&format!(
                "  - {{name: c{h}x{i}, host: h{h}{net}, listen: [{listen}]}}\n"
            ));
        }
    }
    s.push_str("clients:\n  - {name: laptop, segment: lan, ip: 10.0.200.1}\n");
    s
}

/// Two Linux swarm nodes, one service of `replicas` tasks on their default bridges.
fn service_design(replicas: usize) -> String {
    format!(
        "name: service\nsegments:\n  - {{name: lan, subnet: 10.1.0.0/16, gateway: 10.1.0.1}}\nhosts:\n  - {{name: n1, os: linux, swarm: manager, nics: [{{name: eth0, ip: 10.1.0.10/16, segment: lan}}]}}\n  - {{name: n2, os: linux, swarm: worker, nics: [{{name: eth0, ip: 10.1.0.11/16, segment: lan}}]}}\nservices:\n  - {{name: web, replicas: {replicas}}}\n"
    )
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let runs: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(5);
    let text = design();
    let doc = hnsim_model::parse_scenario("bench.yaml", &text).expect("bench design parses");
    let analysis = hnsim_model::analyse(&doc);
    let endpoints = analysis.final_state().design.endpoints.len();
    let mut results = Vec::new();
    for (name, mode) in [("classes", Mode::Classes), ("every pair", Mode::EveryPair)] {
        let mut times = Vec::new();
        let mut cells = 0;
        for _ in 0..runs {
            let t = Instant::now();
            let report = hnsim_sim::simulate_with("bench.yaml", &analysis, mode);
            times.push(t.elapsed());
            cells = report.states.iter().map(|s| s.cell_count()).sum();
            std::hint::black_box(&report);
        }
        let m = median(times);
        let (nodes, classes) = hnsim_sim::class_count(&analysis.final_state().design, mode);
        println!(
            "matrix/{name:<10} {endpoints} endpoints, {nodes} nodes in {classes} classes, {cells} cells: median {m:?} over {runs} runs"
        );
        results.push(m);
    }
    let speedup = results[1].as_secs_f64() / results[0].as_secs_f64().max(1e-9);
    println!("class-based speedup vs every pair (whole matrix): {speedup:.1}x");
    // The decisions alone, without building the 80k cells.
    let design = &analysis.final_state().design;
    let mut decide = Vec::new();
    for (name, mode) in [("classes", Mode::Classes), ("every pair", Mode::EveryPair)] {
        let mut times = Vec::new();
        let mut answers = 0;
        for _ in 0..runs {
            let t = Instant::now();
            answers = std::hint::black_box(hnsim_sim::decide_only(design, mode));
            times.push(t.elapsed());
        }
        let m = median(times);
        println!("decide/{name:<10} {answers} answers: median {m:?} over {runs} runs");
        decide.push(m);
    }
    let speedup = decide[1].as_secs_f64() / decide[0].as_secs_f64().max(1e-9);
    println!("class-based speedup vs every pair (decisions): {speedup:.1}x");
    let doc = hnsim_model::parse_scenario("service.yaml", &service_design(1000))
        .expect("service design parses");
    let analysis = hnsim_model::analyse(&doc);
    let design = &analysis.final_state().design;
    let mut times = Vec::new();
    let mut cells = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let report = hnsim_sim::simulate_with("service.yaml", &analysis, Mode::Classes);
        times.push(t.elapsed());
        cells = report.states.iter().map(|s| s.cell_count()).sum();
        std::hint::black_box(&report);
    }
    let (nodes, classes) = hnsim_sim::class_count(design, Mode::Classes);
    println!(
        "service/classes {} endpoints, {nodes} nodes in {classes} classes, {cells} cells: median {:?} over {runs} runs",
        design.endpoints.len(),
        median(times)
    );
}
