//! `hnsim check` without the CLI: read a scenario as the CLI reads any input and analyse
//! it (import, timeline, resolution, validation), for designs of 1,000 / 10,000 /
//! 100,000 endpoints. Prints the median of several runs of each step and the ratio
//! between sizes, which is about 10 for each tenfold step when the work is linear.
//!
//! A plain `harness = false` timer, as in `sim/benches/matrix.rs`.
//!
//! Run: `cargo bench -p hnsim-model --bench check` (optionally `-- RUNS`; sizes can be
//! limited with `-- RUNS MAX_ENDPOINTS`).

use std::time::{Duration, Instant};

/// One Windows host whose default nat network is 10.0.0.0/8 (NAT-3 `fixed-cidr`),
/// `n` containers on it; one in a hundred publishes `-p 80` (an ephemeral host port).
fn one_nat_network(n: usize) -> String {
    let mut s = String::from(
        "name: nat\nhosts:\n  - {name: h, os: ws2019, docker: {fixed-cidr: 10.0.0.0/8}}\ncontainers:\n",
    );
    for i in 0..n {
        let ports = if i % 100 == 0 { ", ports: ['80']" } else { "" };
        s.push_str(&format!("  - {{name: c{i}, host: h{ports}}}\n"));
    }
    s
}

/// Ten Linux swarm nodes, one overlay network 10.0.0.0/8 and a service of `n` replicas.
fn swarm_service(n: usize) -> String {
    let mut s = String::from("name: swarm\nhosts:\n");
    for h in 0..10 {
        let role = if h == 0 { "manager" } else { "worker" };
        s.push_str(&format!("  - {{name: n{h}, os: linux, swarm: {role}}}\n"));
    }
    s.push_str(&format!(
        "networks:\n  - {{name: ovl, driver: overlay, subnet: 10.0.0.0/8}}\nservices:\n  - {{name: web, replicas: {n}, networks: [ovl]}}\n"
    ));
    s
}

/// Writes a design of the given number of endpoints.
type Generator = fn(usize) -> String;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let runs: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(5);
    let max: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let designs: [(&str, Generator); 2] = [
        ("one nat network", one_nat_network),
        ("swarm service", swarm_service),
    ];
    // 100,000 containers written out are a 3 MB file and twice the default number of
    // endpoints: over the default limits, as `HNSIM_MAX_FILE_BYTES`,
    // `HNSIM_MAX_ENDPOINTS` and `HNSIM_MAX_REPLICAS` would raise them.
    let limits = hnsim_model::Limits {
        file_bytes: 64 << 20,
        endpoints: 1_000_000,
        replicas: 1_000_000,
        ..hnsim_model::Limits::default()
    };
    for (name, make) in designs {
        let mut previous: Option<Duration> = None;
        for n in [1_000, 10_000, 100_000].into_iter().filter(|n| *n <= max) {
            let text = make(n);
            let mut parse = Vec::new();
            let mut analyse = Vec::new();
            let mut endpoints = 0;
            for _ in 0..runs {
                let t = Instant::now();
                // What `hnsim check` reads a file with: detection of the input's kind,
                // then the scenario.
                let doc = hnsim_model::import::document_with(
                    "bench.yaml",
                    &text,
                    hnsim_model::import::HostTemplate::default(),
                    &limits,
                )
                .expect("valid");
                parse.push(t.elapsed());
                let t = Instant::now();
                let a = hnsim_model::analyse(&doc);
                analyse.push(t.elapsed());
                endpoints = a.final_state().design.endpoints.len();
                std::hint::black_box(a);
            }
            let (p, a) = (median(parse), median(analyse));
            let ratio = previous
                .map(|prev| {
                    format!(
                        "  x{:.1} vs the previous size",
                        (p + a).as_secs_f64() / prev.as_secs_f64()
                    )
                })
                .unwrap_or_default();
            println!(
                "{name:16} {endpoints:>7} endpoints: read {:>8.1} ms, analyse {:>8.1} ms, check {:>8.1} ms (median of {runs}){ratio}",
                p.as_secs_f64() * 1e3,
                a.as_secs_f64() * 1e3,
                (p + a).as_secs_f64() * 1e3,
            );
            previous = Some(p + a);
        }
    }
}
