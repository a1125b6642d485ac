//! Shared by the netns integration tests and the benchmark: finding the `hnsim` binary,
//! the root check, and hand-built expected matrices.

#![allow(dead_code)]

use hnsim_model::{Design, Driver};
use hnsim_sim::{
    Address, AddressKind, Cell, DenyReason, DesignId, Disposition, EndpointId, NetworkId, Node,
    NodeKind, Probe, StateMatrix,
};
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Mutex;

pub mod hns;

/// Tests that create namespaces run one at a time, so that "namespaces of this run" is
/// well defined.
pub static SERIAL: Mutex<()> = Mutex::new(());

pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("conformance/ has a parent")
        .to_path_buf()
}

/// Takes the test's turn on the machine (tests that create namespaces or engine
/// objects run one at a time) when `may_run` lets it run; `None` when it is skipped.
pub fn turn(test: &str, may_run: fn(&str) -> bool) -> Option<std::sync::MutexGuard<'static, ()>> {
    let guard = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    may_run(test).then_some(guard)
}

/// [`turn`] of a test that needs the Docker engine.
pub fn docker_turn(test: &str) -> Option<std::sync::MutexGuard<'static, ()>> {
    turn(test, docker_or_skip)
}

/// [`turn`] of a test that needs root (network namespaces).
pub fn root_turn(test: &str) -> Option<std::sync::MutexGuard<'static, ()>> {
    turn(test, root_or_skip)
}

/// What a root test of the `hnsim` command starts from, in this order: its [`root_turn`]
/// (`None`: skipped), the binary, and a fresh temporary folder `hnsim-{dir}-PID`.
pub fn root_cli_turn(
    test: &str,
    dir: &str,
) -> Option<(std::sync::MutexGuard<'static, ()>, PathBuf, PathBuf)> {
    let turn = root_turn(test)?;
    Some((turn, hnsim_bin(), fresh_temp_dir(dir)))
}

/// A run prefix of the netns backend (`HNSIM_NETNS_PREFIX`) from the low 24 bits of `n`:
/// a test names its run so that it can find the run's namespaces.
pub fn netns_prefix(n: u64) -> String {
    format!(
        "{}{:06x}",
        hnsim_conformance::netns::NS_PREFIX,
        n & 0xff_ffff
    )
}

/// True when `var` is `1`: the run asks to skip the tests that need what it names (the
/// Docker engine, root). Says so.
pub fn skip_asked(test: &str, var: &str) -> bool {
    let asked = std::env::var_os(var).is_some_and(|v| v == "1");
    if asked {
        println!("SKIP {test}: {var}=1");
    }
    asked
}

/// True when the engine is usable. Not usable: the test fails, unless
/// `HNSIM_SKIP_DOCKER=1` asks to skip it (then it says so and passes).
pub fn docker_or_skip(test: &str) -> bool {
    if skip_asked(test, "HNSIM_SKIP_DOCKER") {
        return false;
    }
    if let Err(e) = hnsim_conformance::docker::available() {
        panic!("{test} needs a Docker engine ({e}); set HNSIM_SKIP_DOCKER=1 to skip it");
    }
    true
}

/// True when the test may run as root. Not root: the test fails, unless
/// `HNSIM_SKIP_ROOT=1` asks to skip it (then it says so and passes).
pub fn root_or_skip(test: &str) -> bool {
    if skip_asked(test, "HNSIM_SKIP_ROOT") {
        return false;
    }
    assert!(
        hnsim_conformance::is_root(),
        "{test} needs root (network namespaces); run as root, or set HNSIM_SKIP_ROOT=1 to skip it"
    );
    true
}

/// True when the test may run with both the Docker engine and root (the Docker backend
/// with namespaces around its machine); either skip variable skips it.
pub fn docker_and_root_or_skip(test: &str) -> bool {
    if skip_asked(test, "HNSIM_SKIP_DOCKER") || skip_asked(test, "HNSIM_SKIP_ROOT") {
        return false;
    }
    docker_or_skip(test) && root_or_skip(test)
}

/// A folder of this test process under the system's temporary directory,
/// `hnsim-NAME-PID`, created empty.
pub fn fresh_temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hnsim-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    dir
}

/// The netns backend with the test agent, no progress bar.
pub fn netns(static_neighbours: bool) -> hnsim_conformance::netns::Netns {
    let mut o = hnsim_conformance::netns::NetnsOptions::new(agent());
    o.static_neighbours = static_neighbours;
    o.internet_listens = vec![Probe::Tcp(443), Probe::Udp(53)];
    hnsim_conformance::netns::Netns::new(o).expect("netns backend")
}

/// Probe options for tests: no progress bar, the given timeout.
pub fn probe_opts(timeout_ms: u64, retries: u32) -> hnsim_conformance::ProbeOptions {
    let mut o = hnsim_conformance::ProbeOptions {
        progress: false,
        ..Default::default()
    };
    o.timing.timeout_ms = timeout_ms;
    o.timing.retries = retries;
    o
}

/// Realizes `d` on `dp`, probes `expected`, and returns the observations with the time
/// to realize and to probe.
pub fn realize_and_probe(
    dp: &mut dyn hnsim_conformance::Dataplane,
    d: &Design,
    expected: &StateMatrix,
    opts: &hnsim_conformance::ProbeOptions,
) -> (
    Vec<hnsim_conformance::ObservedCell>,
    std::time::Duration,
    std::time::Duration,
) {
    let start = std::time::Instant::now();
    dp.realize(d, None).expect("realization");
    let realize = start.elapsed();
    let start = std::time::Instant::now();
    let observed = hnsim_conformance::probe_state(dp, d, expected, opts).expect("probing");
    (observed, realize, start.elapsed())
}

/// The `hnsim` binary: `HNSIM_BIN`, else the workspace's debug build, built if missing.
pub fn hnsim_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("HNSIM_BIN") {
        return PathBuf::from(p);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target"));
    let bin = target.join("debug").join("hnsim");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = std::process::Command::new(cargo)
        .args(["build", "-q", "-p", "hnsim", "--bin", "hnsim"])
        .current_dir(workspace())
        .status()
        .expect("cargo runs");
    assert!(status.success(), "building hnsim failed");
    assert!(bin.exists(), "{} missing after build", bin.display());
    bin
}

pub fn agent() -> Vec<String> {
    vec![hnsim_bin().display().to_string(), "probe".into()]
}

/// A node with nothing but its id, kind and design id.
fn node(id: String, kind: NodeKind, design_id: DesignId) -> Node {
    Node {
        design_id: Some(design_id),
        ..Node::new(id.clone(), kind, id)
    }
}

/// Matrix nodes of a design, with the sim's id conventions.
pub fn nodes(d: &Design) -> Vec<Node> {
    let mut out = Vec::new();
    for e in &d.endpoints {
        let c = &d.scenario.containers[e.container];
        let net = e.network.map(|n| &d.scenario.networks[n]);
        let id = DesignId::Endpoint(EndpointId {
            container: c.name.clone(),
            attachment: e.attachment,
            network: net.map(|n| NetworkId {
                name: n.name.clone(),
                host: n.host.clone(),
            }),
        });
        let name = format!("{}@{}", c.name, net.map(|n| n.name.as_str()).unwrap_or("?"));
        out.push(Node {
            host: Some(c.host.clone()),
            container: Some(c.name.clone()),
            service: c.service.clone(),
            network: net.map(|n| n.name.clone()),
            driver: net.map(|n| n.driver.to_string()),
            ip: e.ip,
            listens: c
                .listen
                .iter()
                .map(|p| match p.proto {
                    hnsim_model::Protocol::Udp => Probe::Udp(p.port),
                    _ => Probe::Tcp(p.port),
                })
                .collect(),
            ..node(name, NodeKind::Endpoint, id)
        });
    }
    for h in &d.scenario.hosts {
        let id = DesignId::Host {
            host: h.name.clone(),
        };
        out.push(Node {
            host: Some(h.name.clone()),
            ip: h.primary_ip(),
            ..node(format!("host:{}", h.name), NodeKind::Host, id)
        });
    }
    for c in &d.scenario.clients {
        let id = DesignId::Client {
            client: c.name.clone(),
        };
        out.push(Node {
            ip: c.ip,
            ..node(format!("client:{}", c.name), NodeKind::Client, id)
        });
    }
    out.push(Node {
        ip: Some("203.0.113.1".parse().expect("constant")),
        ..node("internet".into(), NodeKind::Internet, DesignId::Internet)
    });
    out
}

pub fn driver_of(n: &Node) -> Option<Driver> {
    n.driver.as_deref().map(Driver::parse)
}

/// An expected answer: delivered at an address, or denied.
pub enum Expect {
    At(Address),
    Direct,
    Denied,
}

pub fn host_port(ip: IpAddr, port: u16) -> Expect {
    Expect::At(Address {
        kind: AddressKind::HostPort,
        value: format!("{ip}:{port}"),
        ip: Some(ip),
        port: Some(port),
        name: None,
    })
}

/// The name Docker's embedded DNS answers for `b` asked from `a` (DNS-1): two
/// containers on one user-defined network of Linux hosts (a bridge or macvlan of one
/// host, an overlay of several).
fn dns_name(d: &Design, a: &Node, b: &Node) -> Option<String> {
    let linux = |n: &Node| {
        n.host
            .as_deref()
            .and_then(|h| d.host_index(h))
            .is_some_and(|k| !d.scenario.hosts[k].is_windows())
    };
    let driver = driver_of(b);
    let user_defined = match driver {
        Some(Driver::Bridge) => b.network.as_deref() != Some("bridge"),
        Some(Driver::Macvlan | Driver::Overlay) => true,
        _ => false,
    };
    let same = a.network == b.network && (a.host == b.host || driver == Some(Driver::Overlay));
    let containers = a.kind == NodeKind::Endpoint && b.kind == NodeKind::Endpoint;
    (containers && a.container != b.container && same && user_defined && linux(a) && linux(b))
        .then(|| b.container.clone())
        .flatten()
}

/// Every ordered pair of distinct nodes for each probe, judged by `rule`; a direct
/// answer between containers carries the name Docker resolves ([`dns_name`]).
pub fn matrix(
    d: &Design,
    probes: &[Probe],
    rule: impl Fn(&Node, &Node, Probe) -> Expect,
) -> StateMatrix {
    let nodes = nodes(d);
    let mut cells = Vec::new();
    for a in &nodes {
        for b in &nodes {
            if a.id == b.id {
                continue;
            }
            for &p in probes {
                let (disposition, address) = match rule(a, b, p) {
                    Expect::At(addr) => (Disposition::Delivered, Some(addr)),
                    Expect::Direct => (
                        Disposition::Delivered,
                        b.ip.map(|ip| Address {
                            kind: AddressKind::ContainerIp,
                            value: ip.to_string(),
                            ip: Some(ip),
                            port: None,
                            name: dns_name(d, a, b),
                        }),
                    ),
                    Expect::Denied => (
                        Disposition::Denied {
                            reason: DenyReason::NoRoute,
                            why: "hand-built expectation".into(),
                        },
                        None,
                    ),
                };
                cells.push(Cell {
                    from: a.id.clone(),
                    to: b.id.clone(),
                    probe: p,
                    disposition,
                    address,
                    path: vec![],
                    facts: vec![],
                    observation: None,
                });
            }
        }
    }
    StateMatrix::from_cells(None, "initial design", nodes, cells)
}

pub fn design(text: &str) -> Design {
    let doc = hnsim_model::parse_scenario("test.yaml", text).expect("scenario parses");
    hnsim_model::analyse(&doc).final_state().design.clone()
}

/// Namespaces of the backend that exist now.
pub fn our_namespaces() -> Vec<String> {
    let out = std::process::Command::new("ip")
        .args(["netns", "list"])
        .output()
        .expect("ip runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| n.starts_with(hnsim_conformance::netns::NS_PREFIX))
        .map(str::to_string)
        .collect()
}

#[path = "../../../src/cli/library.rs"]
mod library;

/// Every scenario file under `scenarios/` (recursively), sorted.
pub fn bundled_scenarios() -> Vec<PathBuf> {
    library::yaml_files_under(&workspace().join("scenarios"))
}

/// The design of a scenario file as the CLI sees it (commands, compose and daemon.json
/// imported), or `None` when it is not a scenario that parses.
pub fn design_of_file(path: &std::path::Path) -> Option<Design> {
    use hnsim_model::import;
    let text = std::fs::read_to_string(path).ok()?;
    if import::detect(&text) != import::InputKind::Scenario {
        return None;
    }
    let mut doc = hnsim_model::parse_scenario(&path.display().to_string(), &text).ok()?;
    let dir = path.parent()?;
    for h in &mut doc.scenario.hosts {
        if let Some(rel) = h
            .compose
            .as_ref()
            .and_then(|v| v.as_str())
            .map(str::to_string)
        {
            let p = dir.join(rel);
            let text = std::fs::read_to_string(&p).ok()?;
            h.compose = Some(import::compose_value(&p.display().to_string(), &text).ok()?);
        }
        if let Some(rel) = h
            .daemon_json
            .as_ref()
            .and_then(|v| v.as_str())
            .map(str::to_string)
        {
            if !rel.trim_start().starts_with('{') {
                h.daemon_json = Some(std::fs::read_to_string(dir.join(rel)).ok()?.into());
            }
        }
    }
    doc.scenario = import::expand(&doc).scenario;
    Some(hnsim_model::analyse(&doc).final_state().design.clone())
}

/// `hnsim conform tests/fixtures/linux-timeline.yaml --backend BACKEND --json`, with
/// `env` set (the run's prefix): every state realized and probed in order; the report
/// it writes.
pub fn conform_timeline(backend: &str, env: (&str, &str)) -> hnsim_sim::Report {
    let scenario = workspace().join("conformance/tests/fixtures/linux-timeline.yaml");
    let out = std::process::Command::new(hnsim_bin())
        .args(["conform", "--backend", backend, "--no-progress", "--json"])
        .arg(&scenario)
        .env(env.0, env.1)
        .output()
        .expect("hnsim runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    // One summary line per state, in order.
    let states: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with(&format!("conformance ({backend}) on ")))
        .collect();
    assert_eq!(states.len(), 9, "{stderr}");
    assert!(states[1].contains("after step 1: stop b"), "{stderr}");
    serde_json::from_slice(&out.stdout).expect("a JSON report")
}

/// The final state of bundled scenario `rel` (`scenarios/...`), as simulated, and what
/// the netns backend observed probing each of its cells.
pub fn probe_final_state(rel: &str) -> (StateMatrix, Vec<hnsim_conformance::ObservedCell>) {
    let text = std::fs::read_to_string(workspace().join(rel)).unwrap();
    let doc = hnsim_model::parse_scenario(rel, &text).unwrap();
    let expected = hnsim_sim::simulate(&doc).final_state().unwrap().clone();
    let mut run = netns(true);
    let (observed, _, _) =
        realize_and_probe(&mut run, &design(&text), &expected, &probe_opts(600, 1));
    (expected, observed)
}

/// Whether the cell `from -> to probe` got a reply; panics when there is no such cell.
pub fn replied(
    observed: &[hnsim_conformance::ObservedCell],
    from: &str,
    to: &str,
    probe: &str,
) -> bool {
    observed
        .iter()
        .find(|o| o.from == from && o.to == to && o.probe.to_string() == probe)
        .map(|o| o.observation.outcome == hnsim_sim::ProbeOutcome::Reply)
        .unwrap_or_else(|| panic!("no cell {from} -> {to} {probe}"))
}

/// The cells where the backend disagrees with the model, one line each: the cell, what
/// the model expects, what the wire gave and what was sent.
pub fn disagreements(conf: &hnsim_sim::Conformance) -> Vec<String> {
    conf.cells
        .iter()
        .filter(|c| c.verdict == hnsim_sim::Verdict::Disagree)
        .map(|c| {
            format!(
                "{} -> {} {}: model {:?}, wire {:?} (sent {})",
                c.from, c.to, c.probe, c.expected, c.observation.outcome, c.observation.sent
            )
        })
        .collect()
}

/// Asserts that the backend disagrees with the model on no cell of `conf`, the
/// comparison of `what` (a scenario, a recording); the message lists every disagreement.
#[track_caller]
pub fn assert_no_disagreement(conf: &hnsim_sim::Conformance, what: &str) {
    let bad = disagreements(conf);
    assert!(
        bad.is_empty(),
        "{what}: the model disagrees with the wire on {} cells:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

/// The cells that neither agree with the model nor are outside what the backend
/// emulates (a disagreement, or a cell the run could not decide), one line each with
/// what was sent.
pub fn not_agreeing(conf: &hnsim_sim::Conformance) -> Vec<String> {
    use hnsim_sim::Verdict;
    conf.cells
        .iter()
        .filter(|c| !matches!(c.verdict, Verdict::Agree | Verdict::NotEmulated { .. }))
        .map(|c| format!("{} -> {} {}: {}", c.from, c.to, c.probe, c.observation.sent))
        .collect()
}

/// `hnsim clean --prefix PREFIX`, which must succeed.
pub fn hnsim_clean(prefix: &str) {
    let out = std::process::Command::new(hnsim_bin())
        .args(["clean", "--prefix", prefix])
        .output()
        .expect("hnsim clean runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `doc`'s final state realized on this machine's Docker engine: the analysis whose
/// final design was realized, what the simulation expects of it, and the backend
/// holding the run.
pub fn docker_realize(
    doc: &hnsim_model::Document,
) -> (
    hnsim_model::Analysis,
    StateMatrix,
    hnsim_conformance::docker::Docker,
) {
    use hnsim_conformance::{docker, Dataplane};
    let report = hnsim_sim::simulate(doc);
    let analysis = hnsim_model::analyse(doc);
    let expected = report.final_state().expect("a state").clone();
    let mut opts = docker::Options::new(hnsim_bin());
    opts.internet_listens = hnsim_conformance::probing::internet_listens(&expected);
    let mut dp = docker::Docker::new(opts).expect("engine");
    dp.realize(&analysis.final_state().design, None)
        .expect("realization");
    (analysis, expected, dp)
}

/// Probes `expected` on the Docker run, then removes the run: the observations and the
/// run's prefix.
pub fn docker_probe_and_clean(
    dp: &mut hnsim_conformance::docker::Docker,
    design: &Design,
    expected: &StateMatrix,
) -> (Vec<hnsim_conformance::ObservedCell>, String) {
    use hnsim_conformance::Dataplane;
    let observed = hnsim_conformance::probe_state(dp, design, expected, &probe_opts(1000, 1))
        .expect("probing");
    let prefix = dp.prefix().to_string();
    dp.clean().expect("clean-up");
    (observed, prefix)
}
