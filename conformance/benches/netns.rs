//! `cargo bench -p hnsim-conformance` (root): realization time and probing throughput
//! of the netns backend on a 100-endpoint, 4-host scenario (a Linux swarm overlay with
//! 100 replicas, so every endpoint reaches every other), against the same namespaces
//! probed by sequential `ping -c1` from one shell per source, as Mininet's `pingall`
//! does. Prints each run and the median of `HNSIM_BENCH_RUNS` runs (default 1: the
//! sequential baseline alone takes minutes) with the ratio.

#[path = "../tests/common/mod.rs"]
mod common;

use common::*;
use hnsim_conformance::netns::plan::Placement;
use hnsim_sim::{NodeKind, Probe};
use std::process::Command;
use std::time::{Duration, Instant};

const SCENARIO: &str = "name: bench-100-endpoints-4-hosts
segments:
  - {name: lan, subnet: 10.0.0.0/24, gateway: 10.0.0.1}
hosts:
  - {name: l0, os: linux, swarm: manager, nics: [{name: eth0, ip: 10.0.0.10/24, segment: lan}]}
  - {name: l1, os: linux, swarm: worker, nics: [{name: eth0, ip: 10.0.0.11/24, segment: lan}]}
  - {name: l2, os: linux, swarm: worker, nics: [{name: eth0, ip: 10.0.0.12/24, segment: lan}]}
  - {name: l3, os: linux, swarm: worker, nics: [{name: eth0, ip: 10.0.0.13/24, segment: lan}]}
networks:
  - {name: ovl, driver: overlay, subnet: 10.20.0.0/24, attachable: true}
services:
  - {name: web, replicas: 100, networks: [ovl], listen: [tcp/80]}
";

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    if !root_or_skip("netns benchmark") {
        return;
    }
    if Command::new("ping").arg("-V").output().is_err() {
        println!("SKIP netns benchmark: `ping` (iputils-ping) is not installed");
        return;
    }
    let runs: usize = std::env::var("HNSIM_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
        .max(1);
    let replicas: usize = std::env::var("HNSIM_BENCH_REPLICAS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let d = design(&SCENARIO.replace("replicas: 100", &format!("replicas: {replicas}")));
    let mut expected = matrix(&d, &[Probe::Icmp, Probe::Tcp(80)], |_, _, _| Expect::Direct);
    let endpoint = |id: &str| {
        expected
            .node(id)
            .is_some_and(|n| n.kind == NodeKind::Endpoint)
    };
    let keep: std::collections::HashSet<String> = expected
        .nodes
        .iter()
        .filter(|n| endpoint(&n.id))
        .map(|n| n.id.clone())
        .collect();
    expected.retain(|c| keep.contains(&c.from) && keep.contains(&c.to));
    let endpoints = d.endpoints.len();
    println!(
        "scenario: {endpoints} endpoints on 4 hosts, {} probes per run (icmp + tcp/80, every ordered pair)",
        expected.cell_count()
    );
    let mut opts = probe_opts(1000, 1);
    opts.timing.workers = 64;
    let (mut realize_s, mut agent_pps, mut ping_pps, mut ratios) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for i in 0..runs {
        let mut run = netns(true);
        let (observed, realize_time, agent_time) =
            realize_and_probe(&mut run, &d, &expected, &opts);
        realize_s.push(realize_time.as_secs_f64());
        let replies = observed
            .iter()
            .filter(|o| o.observation.outcome == hnsim_sim::ProbeOutcome::Reply)
            .count();
        let pps = observed.len() as f64 / agent_time.as_secs_f64();
        let mut outcomes = std::collections::BTreeMap::new();
        for o in &observed {
            let same = expected.node(&o.from).and_then(|n| n.host.clone())
                == expected.node(&o.to).and_then(|n| n.host.clone());
            let key = format!(
                "{}/{}/{:?}",
                if same { "same-host" } else { "cross-host" },
                o.probe,
                o.observation.outcome
            );
            *outcomes.entry(key).or_insert(0usize) += 1;
        }
        println!("outcomes: {outcomes:?}");
        agent_pps.push(pps);

        // pingall: from each endpoint's namespace, one shell pings every other endpoint
        // in turn.
        let t = Instant::now();
        let mut pings = 0usize;
        let mut ok = 0usize;
        for (ci, src) in d.endpoints.iter().enumerate() {
            let Some(Placement::Ns(ns)) = run.plan().and_then(|p| p.containers.get(src.container))
            else {
                continue;
            };
            let targets: Vec<String> = d
                .endpoints
                .iter()
                .enumerate()
                .filter(|(cj, _)| *cj != ci)
                .filter_map(|(_, e)| e.ip.map(|ip| ip.to_string()))
                .collect();
            pings += targets.len();
            let script = format!(
                "n=0; for ip in {}; do ping -c1 -W1 -q $ip >/dev/null 2>&1 && n=$((n+1)); done; echo $n",
                targets.join(" ")
            );
            let out = Command::new("ip")
                .args(["netns", "exec", ns, "sh", "-c", &script])
                .output()
                .expect("ping loop runs");
            ok += String::from_utf8_lossy(&out.stdout)
                .trim()
                .parse::<usize>()
                .unwrap_or(0);
            // Same treatment as the agents get: the source's neighbour entries go.
            let _ = Command::new("ip")
                .args(["-n", ns, "neigh", "flush", "all"])
                .output();
        }
        let ping_time = t.elapsed().max(Duration::from_millis(1));
        let ppps = pings as f64 / ping_time.as_secs_f64();
        ping_pps.push(ppps);
        ratios.push(pps / ppps);
        println!(
            "run {}: realized in {:.2}s; agents: {} probes ({} replies) in {:.2}s = {:.0} probes/s; \
             sequential ping: {} pings ({} replies) in {:.2}s = {:.0} pings/s",
            i + 1,
            realize_time.as_secs_f64(),
            observed.len(),
            replies,
            agent_time.as_secs_f64(),
            pps,
            pings,
            ok,
            ping_time.as_secs_f64(),
            ppps
        );
        drop(run);
    }
    println!(
        "median of {runs}: realization {:.2}s; agent probing {:.0} probes/s; sequential ping {:.0} pings/s; ratio {:.1}x",
        median(realize_s),
        median(agent_pps),
        median(ping_pps),
        median(ratios)
    );
}
