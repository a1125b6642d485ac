//! `cargo bench -p hnsim-conformance --bench mesh` (root): N containers on one Linux
//! bridge, ICMP between every ordered pair, on the netns backend at whatever neighbour
//! limits the machine has. For each N of `HNSIM_BENCH_SIZES` (default `20,50,100`) it
//! realizes, probes and tears down `HNSIM_BENCH_RUNS` times (default 3) and prints one
//! line per N with the medians:
//!
//! `hnsim N=<n> realize=<s> teardown=<s> probes=<count> probe=<s> rate=<probes/s> disagree=<count>`
//!
//! `benches/mininet.sh` runs it next to Mininet's `pingall` on the same topology.

#[path = "../tests/common/mod.rs"]
mod common;

use common::*;
use hnsim_conformance::Dataplane;
use hnsim_sim::Probe;
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

fn scenario(n: usize) -> String {
    let mut s = String::from(
        "name: bench-mesh\nhosts:\n  - {name: l, os: linux}\nnetworks:\n  - {name: lan, host: l, driver: bridge, subnet: 10.0.0.0/16}\ncontainers:\n",
    );
    for i in 0..n {
        s.push_str(&format!(
            "  - {{name: h{}, host: l, networks: [lan]}}\n",
            i + 1
        ));
    }
    s
}

fn env_list(name: &str, default: &str) -> Vec<usize> {
    std::env::var(name)
        .unwrap_or_else(|_| default.into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect()
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    if !root_or_skip("mesh benchmark") {
        return;
    }
    let runs = env_list("HNSIM_BENCH_RUNS", "3")
        .first()
        .copied()
        .unwrap_or(3)
        .max(1);
    for n in env_list("HNSIM_BENCH_SIZES", "20,50,100") {
        let d = design(&scenario(n));
        let mut expected = matrix(&d, &[Probe::Icmp], |_, _, _| Expect::Direct);
        expected.retain(|c| c.from.contains('@') && c.to.contains('@'));
        let mut opts = probe_opts(1000, 1);
        opts.timing.workers = 64;
        let (mut realize, mut teardown, mut probe, mut rate, mut disagree) =
            (vec![], vec![], vec![], vec![], 0);
        for _ in 0..runs {
            let mut dp = netns(true);
            let t = Instant::now();
            dp.realize(&d, None).expect("realization");
            realize.push(t.elapsed().as_secs_f64());
            let t = Instant::now();
            let observed =
                hnsim_conformance::probe_state(&dp, &d, &expected, &opts).expect("probing");
            let secs = t.elapsed().as_secs_f64();
            probe.push(secs);
            rate.push(observed.len() as f64 / secs);
            let t = Instant::now();
            dp.clean().expect("teardown");
            teardown.push(t.elapsed().as_secs_f64());
            disagree = disagree.max(
                hnsim_conformance::compare(&expected, &observed)
                    .summary
                    .disagree,
            );
        }
        println!(
            "hnsim N={n} realize={:.3} teardown={:.3} probes={} probe={:.3} rate={:.0} disagree={disagree}",
            median(realize),
            median(teardown),
            expected.cell_count(),
            median(probe),
            median(rate)
        );
    }
}
