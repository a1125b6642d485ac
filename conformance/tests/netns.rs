//! The netns backend on a real kernel (root only; skipped with a message otherwise):
//! hand-built expectations for Linux drivers, every bundled scenario through
//! `hnsim conform`, and clean-up after a SIGKILL.

mod common;

use common::*;
use hnsim_conformance::{compare, Dataplane};
use hnsim_sim::{NodeKind, Probe, Verdict};
use std::net::IpAddr;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const LINUX: &str = "name: linux-bridge-macvlan
segments:
  - {name: lan, subnet: 10.0.0.0/24, gateway: 10.0.0.1}
hosts:
  - name: l1
    os: linux
    nics: [{name: eth0, ip: 10.0.0.10/24, segment: lan}]
  - name: l2
    os: linux
    nics: [{name: eth0, ip: 10.0.0.11/24, segment: lan}]
networks:
  - {name: app, host: l1, driver: bridge}
  - {name: other, host: l1, driver: bridge}
  - {name: mvnet, host: l2, driver: macvlan, subnet: 10.0.0.0/24, gateway: 10.0.0.1, options: {parent: eth0}}
containers:
  - {name: web, host: l1, networks: [app], ports: ['8080:80']}
  - {name: api, host: l1, networks: [app], listen: [tcp/80]}
  - {name: iso, host: l1, networks: [other], listen: [tcp/80]}
  - {name: off, host: l1, networks: [none]}
  - {name: mv, host: l2, networks: [{network: mvnet, ip: 10.0.0.100}], listen: [tcp/80]}
clients:
  - {name: laptop, segment: lan, ip: 10.0.0.50}
";

fn l1() -> IpAddr {
    "10.0.0.10".parse().unwrap()
}

/// What Docker on Linux does for LINUX (EXT-10, EXT-11, EXT-12, LNX-5).
fn linux_rule(a: &hnsim_sim::Node, b: &hnsim_sim::Node, p: Probe) -> Expect {
    let listens = p == Probe::Icmp || b.listens.contains(&p);
    if a.kind == NodeKind::Endpoint && a.ip.is_none() {
        return Expect::Denied; // driver none: loopback only
    }
    if a.kind == NodeKind::Internet {
        return Expect::Denied; // nothing is published on a public address
    }
    let a_driver = driver_of(a).map(|d| d.to_string());
    match b.kind {
        NodeKind::Endpoint => {
            if b.ip.is_none() || !listens {
                return Expect::Denied;
            }
            let b_driver = driver_of(b).map(|d| d.to_string());
            if b_driver.as_deref() == Some("macvlan") {
                // EXT-12: not from its own host (nor from containers behind its host).
                let own_host = a.host == b.host;
                return if own_host {
                    Expect::Denied
                } else {
                    Expect::Direct
                };
            }
            if a.network == b.network && a.host == b.host {
                return Expect::Direct;
            }
            if a.kind == NodeKind::Host && a.host == b.host {
                return Expect::Direct;
            }
            // Published web:80 on l1:8080 reaches it from anywhere else on the LAN side.
            if b.container.as_deref() == Some("web") && p == Probe::Tcp(80) {
                return host_port(l1(), 8080);
            }
            Expect::Denied
        }
        NodeKind::Host | NodeKind::Client | NodeKind::Internet => {
            if p != Probe::Icmp {
                return Expect::Denied; // nothing listens there
            }
            if a_driver.as_deref() == Some("macvlan") && b.host == a.host {
                return Expect::Denied; // EXT-12
            }
            Expect::Direct
        }
    }
}

#[test]
fn linux_bridge_none_and_macvlan_conform() {
    let Some(_turn) = root_turn("linux_bridge_none_and_macvlan_conform") else {
        return;
    };
    let d = design(LINUX);
    let expected = matrix(&d, &[Probe::Icmp, Probe::Tcp(80)], linux_rule);
    let mut run = netns(true);
    let (observed, realize, probe) =
        realize_and_probe(&mut run, &d, &expected, &probe_opts(600, 1));
    let prefix = run.prefix().to_string();
    assert!(our_namespaces().iter().any(|n| n.starts_with(&prefix)));
    drop(run);
    // Dropping the run removes every namespace it made (other runs may exist).
    assert!(
        !our_namespaces()
            .iter()
            .any(|n| n.starts_with(&format!("{prefix}-"))),
        "namespaces of {prefix} left behind"
    );
    let conf = compare(&expected, &observed);
    let bad: Vec<String> = conf
        .cells
        .iter()
        .filter(|c| c.verdict == Verdict::Disagree)
        .map(|c| {
            format!(
                "{} -> {} {}: expected {:?}, wire {:?} ({}; {})",
                c.from,
                c.to,
                c.probe,
                c.expected,
                c.observation.outcome,
                c.observation.sent,
                c.observation.repro
            )
        })
        .collect();
    println!(
        "realized in {realize:?}, probed in {probe:?}: {:?}",
        conf.summary
    );
    assert!(
        bad.is_empty(),
        "{} disagreements:\n{}",
        bad.len(),
        bad.join("\n")
    );
    assert!(conf.summary.agree > 100, "{:?}", conf.summary);
    // Only the endpoint without an address cannot be probed as a destination.
    for c in &conf.cells {
        if let Verdict::NotEmulated { why } = &c.verdict {
            assert!(c.to == "off@none", "{} -> {}: {why}", c.from, c.to);
        }
    }
}

#[test]
fn a_disagreement_is_detected() {
    let Some(_turn) = root_turn("a_disagreement_is_detected") else {
        return;
    };
    let d = design(LINUX);
    // Claim, wrongly, that two separate bridges reach each other (EXT-10 says no).
    let expected = matrix(&d, &[Probe::Icmp], |a, b, p| {
        if a.id == "web@app" && b.id == "iso@other" {
            Expect::Direct
        } else if a.id == "web@app" && b.id == "api@app" {
            linux_rule(a, b, p)
        } else {
            Expect::Denied
        }
    });
    let mut expected = expected;
    expected.retain(|c| c.from == "web@app" && (c.to == "iso@other" || c.to == "api@app"));
    let (observed, _, _) = realize_and_probe(&mut netns(true), &d, &expected, &probe_opts(500, 0));
    let conf = compare(&expected, &observed);
    assert_eq!(conf.summary.disagree, 1, "{:?}", conf.cells);
    assert_eq!(conf.summary.agree, 1);
    let bad = conf
        .cells
        .iter()
        .find(|c| c.verdict == Verdict::Disagree)
        .unwrap();
    assert_eq!(bad.to, "iso@other");
    assert!(bad.observation.repro.starts_with("ip netns exec hns-"));
    assert!(bad.observation.repro.contains("probe icmp "));
}

fn write_expected(dir: &Path, text: &str, name: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let d = design(text);
    let m = matrix(&d, &[Probe::Icmp, Probe::Tcp(80)], linux_rule);
    let report = hnsim_sim::Report {
        schema_version: hnsim_sim::SCHEMA_VERSION,
        scenario: hnsim_sim::ScenarioInfo {
            name: name.into(),
            file: format!("{name}.yaml"),
            description: String::new(),
            covers: vec![],
        },
        findings: vec![],
        topology: Default::default(),
        states: vec![m],
        conformance: None,
        earlier_conformance: Vec::new(),
    };
    let scen = dir.join(format!("{name}.yaml"));
    let exp = dir.join(format!("{name}.expected.json"));
    std::fs::write(&scen, text).unwrap();
    std::fs::write(&exp, serde_json::to_string(&report).unwrap()).unwrap();
    (scen, exp)
}

/// `hnsim conform SCENARIO --expected REPORT`: a run of the files [`write_expected`]
/// wrote.
fn conform_expected(bin: &Path, scen: &Path, exp: &Path) -> Command {
    let mut cmd = Command::new(bin);
    cmd.arg("conform").arg(scen).arg("--expected").arg(exp);
    cmd
}

fn root_links_and_tables() -> String {
    let links = Command::new("ip").args(["-o", "link"]).output().unwrap();
    let tables = Command::new("nft")
        .args(["list", "tables"])
        .output()
        .unwrap();
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&links.stdout),
        String::from_utf8_lossy(&tables.stdout)
    )
}

#[test]
fn a_killed_run_is_cleaned_and_a_rerun_works() {
    let Some((_turn, bin, dir)) =
        root_cli_turn("a_killed_run_is_cleaned_and_a_rerun_works", "kill")
    else {
        return;
    };
    let (scen, exp) = write_expected(&dir, LINUX, "kill");
    let before = our_namespaces();
    let chosen = netns_prefix(std::process::id() as u64 * 2654435761);
    let mut child = conform_expected(&bin, &scen, &exp)
        .env("HNSIM_NETNS_PREFIX", &chosen)
        .args(["--no-progress", "--format", "json", "-o"])
        .arg(dir.join("out.json"))
        .spawn()
        .expect("hnsim conform starts");
    // Wait until the run has created some of its namespaces, then kill it hard.
    let deadline = Instant::now() + Duration::from_secs(60);
    let prefix = loop {
        let now: Vec<String> = our_namespaces()
            .into_iter()
            .filter(|n| !before.contains(n) && n.starts_with(&format!("{chosen}-")))
            .collect();
        if now.len() >= 3 {
            break chosen.clone();
        }
        assert!(Instant::now() < deadline, "the run created no namespace");
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before it was killed"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    std::thread::sleep(Duration::from_millis(200));
    let left: Vec<String> = our_namespaces()
        .into_iter()
        .filter(|n| n.starts_with(&prefix))
        .collect();
    assert!(
        !left.is_empty(),
        "SIGKILL leaves namespaces behind for clean to find"
    );
    let st = Command::new(&bin)
        .args(["clean", "--prefix", &prefix])
        .status()
        .unwrap();
    assert!(st.success());
    let left: Vec<String> = our_namespaces()
        .into_iter()
        .filter(|n| n.starts_with(&prefix))
        .collect();
    assert!(left.is_empty(), "clean left {left:?}");
    let root_after = root_links_and_tables();
    assert!(
        !root_after.contains(&prefix),
        "root namespace mentions {prefix}"
    );
    // The run's tables live in its namespaces only, never in the root namespace.
    assert!(
        !root_after.contains("table ip hnsim") && !root_after.contains("table bridge hnsimbr"),
        "an nftables table of the run is in the root namespace"
    );
    // A re-run after the kill works and agrees.
    let out = conform_expected(&bin, &scen, &exp)
        .args(["--no-progress", "--timeout-ms", "600"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "re-run failed: {stderr}\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(stderr.contains(" 0 disagree"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every bundled scenario the backend can emulate, through `hnsim conform` with the
/// simulator's expectations. Fails on any disagreement: the model bugs this suite
/// found (a multi-homed container's stack, an `--internal` bridge's default route,
/// cells delivered across a part of the design its own findings invalidate) are fixed,
/// and none is tolerated.
#[test]
fn bundled_scenarios_conform() {
    let Some((_turn, bin, out_dir)) = root_cli_turn("bundled_scenarios_conform", "suite") else {
        return;
    };
    let mut failures = Vec::new();
    let mut ran = 0;
    for f in bundled_scenarios() {
        if design_of_file(&f).is_none() {
            continue; // compose/daemon.json inputs referenced by a scenario
        }
        let sim = Command::new(&bin)
            .arg("sim")
            .arg(&f)
            .arg("--json")
            .output()
            .unwrap();
        if !sim.status.success() && String::from_utf8_lossy(&sim.stderr).contains("not available") {
            println!(
                "SKIP {}: the simulator is not available in this build",
                f.display()
            );
            continue;
        }
        let json = out_dir.join("report.json");
        let out = Command::new(&bin)
            .arg("conform")
            .arg(&f)
            .args(["--no-progress", "--timeout-ms", "700", "--json", "-o"])
            .arg(&json)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        println!("{}: {}", f.display(), stderr.trim());
        ran += 1;
        let report: Option<hnsim_sim::Report> = std::fs::read_to_string(&json)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok());
        let Some(conf) = report.and_then(|r| r.conformance) else {
            failures.push(format!("{}: no conformance report\n{stderr}", f.display()));
            continue;
        };
        if let Some(prefix) = conf
            .cells
            .iter()
            .find_map(|c| c.observation.repro.split_whitespace().nth(3))
            .and_then(|ns| ns.get(..hnsim_conformance::netns::NS_PREFIX.len() + 6))
        {
            let left: Vec<String> = our_namespaces()
                .into_iter()
                .filter(|n| n.starts_with(&format!("{prefix}-")))
                .collect();
            if !left.is_empty() {
                failures.push(format!("{}: left behind {left:?}", f.display()));
            }
        }
        let file = f.file_name().unwrap().to_string_lossy().to_string();
        for c in conf.cells.iter().filter(|c| c.verdict == Verdict::Disagree) {
            failures.push(format!(
                "{}: {} -> {} {}: expected {:?}, wire {} -> {:?} (repeat: {})",
                file,
                c.from,
                c.to,
                c.probe,
                c.expected,
                c.observation.sent,
                c.observation.outcome,
                c.observation.repro
            ));
        }
    }
    let _ = std::fs::remove_dir_all(&out_dir);
    println!("{ran} bundled scenario(s) conformed");
    assert!(
        failures.is_empty(),
        "{} disagreement(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every state of a timeline is realized and probed in order.
#[test]
fn a_timeline_is_probed_state_by_state() {
    let Some(_turn) = root_turn("a_timeline_is_probed_state_by_state") else {
        return;
    };
    let prefix = netns_prefix(u64::from(std::process::id() ^ 0x7e7e7e));
    let report = conform_timeline("netns", ("HNSIM_NETNS_PREFIX", &prefix));
    assert_eq!(report.earlier_conformance.len(), 8);
    for c in report.conformances() {
        assert_eq!(c.summary.disagree, 0, "state {}: {:?}", c.state, c.summary);
    }
    // `b` stopped (state 1) sends nothing and is reached by nothing; started, it is.
    let to_b = |state: usize| {
        report.conformance_of(state).map(|c| {
            c.cells
                .iter()
                .filter(|v| v.to == "b@app")
                .any(|v| v.observation.outcome == hnsim_sim::ProbeOutcome::Reply)
        })
    };
    assert_eq!(to_b(1), Some(false));
    assert_eq!(to_b(2), Some(true));
    // Other runs may be going on: only this run's namespaces count.
    let left: Vec<String> = our_namespaces()
        .into_iter()
        .filter(|n| n.starts_with(&format!("{prefix}-")))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

/// A SIGKILL at any moment of a run — creating namespaces, configuring them, starting
/// agents, probing — leaves nothing that `hnsim clean --prefix` does not remove:
/// namespaces, processes in them, files in the temp directory.
#[test]
fn a_run_killed_at_any_moment_leaves_nothing_clean_does_not_remove() {
    let Some((_turn, bin, dir)) = root_cli_turn(
        "a_run_killed_at_any_moment_leaves_nothing_clean_does_not_remove",
        "anykill",
    ) else {
        return;
    };
    let (scen, exp) = write_expected(&dir, LINUX, "anykill");
    let temp_before: Vec<_> = std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    for (i, delay_ms) in [0u64, 20, 60, 120, 250, 500, 1000, 2000]
        .into_iter()
        .enumerate()
    {
        let prefix = netns_prefix(u64::from(std::process::id()) * 31 + i as u64 * 7919);
        let mut child = conform_expected(&bin, &scen, &exp)
            .env("HNSIM_NETNS_PREFIX", &prefix)
            .args(["--no-progress", "-o"])
            .arg(dir.join("out.txt"))
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("hnsim conform starts");
        std::thread::sleep(Duration::from_millis(delay_ms));
        child.kill().expect("SIGKILL");
        let _ = child.wait();
        // The kernel kills the run's children as it dies; give it that moment.
        std::thread::sleep(Duration::from_millis(200));
        let st = Command::new(&bin)
            .args(["clean", "--prefix", &prefix])
            .output()
            .unwrap();
        assert!(
            st.status.success(),
            "{}",
            String::from_utf8_lossy(&st.stderr)
        );
        let left: Vec<String> = our_namespaces()
            .into_iter()
            .filter(|n| n.starts_with(&format!("{prefix}-")))
            .collect();
        assert!(
            left.is_empty(),
            "killed after {delay_ms} ms: clean left {left:?}"
        );
        // The agents died with the run (PR_SET_PDEATHSIG) or were killed by clean.
        let agents = Command::new("pgrep")
            .args(["-f", &format!("{} probe serve", bin.display())])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default();
        assert!(
            agents.is_empty(),
            "killed after {delay_ms} ms: agents {agents}"
        );
        let new_files: Vec<_> = std::fs::read_dir(std::env::temp_dir())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .filter(|n| !temp_before.contains(n) && n.to_string_lossy().contains(&prefix))
            .collect();
        assert!(
            new_files.is_empty(),
            "killed after {delay_ms} ms: {new_files:?}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
