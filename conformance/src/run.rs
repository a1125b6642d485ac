//! Applying a [`Plan`], running the agents, probing the cells, cleaning up.
//!
//! Clean-up happens in three ways, so that no namespace outlives a run: the [`Run`]
//! guard's `Drop` (normal end and errors), a SIGINT/SIGTERM/SIGHUP handler that removes
//! every active run's namespaces before exiting, and `hnsim clean`, which finds what a
//! SIGKILLed run left behind by its name prefix (agents of such a run are killed
//! through `ip netns pids`; the agents of a live run also die with it through
//! `PR_SET_PDEATHSIG`).

use crate::agent::{Batch, ProbeResult, ProbeSpec, Timing};
use crate::compare::ObservedCell;
use crate::realize::{plan, Placement, Plan, Step};
use crate::sys::{self, SysError, NS_PREFIX};
use hnsim_model::Design;
use hnsim_sim::{AddressKind, Node, NodeKind, Observation, ProbeOutcome, StateMatrix};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, IsTerminal};
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

pub const BACKEND: &str = "netns";

/// Neighbour entries the probing may hold at once (see [`probe`]).
const NEIGHBOUR_BUDGET: usize = 600;

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Sys(#[from] SysError),
    #[error("probe agent in {ns}: {message}")]
    Agent { ns: String, message: String },
    #[error("interrupted")]
    Interrupted,
}

/// How to start the agent and how hard to probe.
#[derive(Clone, Debug)]
pub struct Options {
    /// The agent command: the `hnsim` binary and `probe` (`[exe, "probe"]`).
    pub agent: Vec<String>,
    pub timing: Timing,
    /// Source namespaces probed at once (each with `timing.workers` probes in flight).
    pub parallel_sources: usize,
    /// Wait after realization before the first probe (bridges forwarding, agents up).
    pub settle: Duration,
    pub progress: bool,
    /// Ports "the internet" serves; [`conform`] takes them from the matrix's internet
    /// node when empty.
    pub internet_listens: Vec<hnsim_sim::Probe>,
}

impl Options {
    pub fn new(agent: Vec<String>) -> Self {
        Options {
            agent,
            timing: Timing::default(),
            parallel_sources: 4,
            settle: Duration::from_millis(300),
            progress: true,
            internet_listens: Vec::new(),
        }
    }
}

fn active() -> &'static Mutex<Vec<String>> {
    static ACTIVE: OnceLock<Mutex<Vec<String>>> = OnceLock::new();
    ACTIVE.get_or_init(|| Mutex::new(Vec::new()))
}

/// Installs (once per process) the handler that removes every active run on Ctrl-C,
/// SIGTERM or SIGHUP, then exits with 130.
fn install_signal_cleanup() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let _ = ctrlc::set_handler(|| {
            let prefixes = active().lock().map(|a| a.clone()).unwrap_or_default();
            for p in prefixes {
                let _ = sys::clean(&p);
            }
            eprintln!("interrupted: removed this run's namespaces");
            std::process::exit(130);
        });
    });
}

/// A fresh run prefix, `hns-<6 hex>`, unique among existing namespaces. A caller that
/// must know the prefix in advance (a test that kills the run) sets
/// `HNSIM_NETNS_PREFIX=hns-<6 hex>`.
pub fn new_prefix() -> Result<String, SysError> {
    let existing = sys::list_netns(NS_PREFIX)?;
    if let Ok(p) = std::env::var("HNSIM_NETNS_PREFIX") {
        let hex = p.strip_prefix(NS_PREFIX).unwrap_or_default();
        let valid = hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit());
        if valid && !existing.iter().any(|n| n.starts_with(&format!("{p}-"))) {
            return Ok(p);
        }
    }
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
        ^ (u64::from(std::process::id()) << 20);
    loop {
        // xorshift: spreads time and pid over the 24 bits.
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let p = format!("{NS_PREFIX}{:06x}", seed & 0xff_ffff);
        if !existing.iter().any(|n| n.starts_with(&format!("{p}-"))) {
            return Ok(p);
        }
    }
}

/// A realized design. Dropping it removes everything it created.
pub struct Run {
    pub plan: Plan,
    agents: Vec<Child>,
    pub realize_time: Duration,
    exe: Vec<String>,
}

impl Drop for Run {
    fn drop(&mut self) {
        for a in &mut self.agents {
            let _ = a.kill();
            let _ = a.wait();
        }
        if std::env::var_os("HNSIM_KEEP").is_some() {
            eprintln!("HNSIM_KEEP: leaving {}-* for inspection", self.plan.prefix);
            return;
        }
        let _ = sys::clean(&format!("{}-", self.plan.prefix));
        if let Ok(mut a) = active().lock() {
            a.retain(|p| !p.starts_with(&self.plan.prefix));
        }
    }
}

fn bar(len: u64, msg: &str, show: bool) -> ProgressBar {
    let pb = ProgressBar::with_draw_target(
        Some(len),
        if show && std::io::stderr().is_terminal() {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        },
    );
    if let Ok(style) = ProgressStyle::with_template("{msg:>10} [{bar:30}] {pos}/{len} {elapsed}") {
        pb.set_style(style.progress_chars("=> "));
    }
    pb.set_message(msg.to_string());
    pb
}

/// Realizes `design` in fresh namespaces and starts the listening agents.
pub fn realize(design: &Design, opts: &Options) -> Result<Run, RunError> {
    sys::require_root()?;
    install_signal_cleanup();
    let prefix = new_prefix()?;
    let plan = plan(design, &prefix, &opts.internet_listens);
    if let Ok(mut a) = active().lock() {
        a.push(format!("{prefix}-"));
    }
    let mut run = Run {
        plan,
        agents: Vec::new(),
        realize_time: Duration::ZERO,
        exe: opts.agent.clone(),
    };
    let start = Instant::now();
    let p = &run.plan;
    let total = p.namespaces.len() * 2 + p.steps.len() + p.nft.len() + p.listen.len();
    let pb = bar(total as u64, "realize", opts.progress);
    for ns in &p.namespaces {
        sys::netns_add(ns)?;
        pb.inc(1);
    }
    for (ns, kv) in &p.sysctls {
        sys::sysctl(ns, kv)?;
        pb.inc(1);
    }
    // Consecutive commands for one namespace go in one `ip -batch` process.
    let mut i = 0;
    while i < p.steps.len() {
        let (ns, is_ip) = match &p.steps[i] {
            Step::Ip { ns, .. } => (ns, true),
            Step::Bridge { ns, .. } => (ns, false),
        };
        let mut lines = Vec::new();
        while let Some(step) = p.steps.get(i) {
            match step {
                Step::Ip { ns: n, line } if is_ip && n == ns => lines.push(line.clone()),
                Step::Bridge { ns: n, line } if !is_ip && n == ns => lines.push(line.clone()),
                _ => break,
            }
            i += 1;
        }
        if is_ip {
            sys::ip_batch(ns, &lines)?;
        } else {
            sys::bridge_batch(ns, &lines)?;
        }
        pb.inc(lines.len() as u64);
    }
    for (ns, script) in &p.nft {
        sys::nft(ns, script)?;
        pb.inc(1);
    }
    let listen: Vec<_> = p.listen.clone().into_iter().collect();
    for (ns, (tcp, udp)) in listen {
        if tcp.is_empty() && udp.is_empty() {
            pb.inc(1);
            continue;
        }
        let join = |s: &std::collections::BTreeSet<u16>| {
            s.iter().map(u16::to_string).collect::<Vec<_>>().join(",")
        };
        let child = spawn_agent(
            &ns,
            &opts.agent,
            &["serve", "--tcp", &join(&tcp), "--udp", &join(&udp)],
        )?;
        run.agents.push(child);
        let last = run.agents.len() - 1;
        wait_ready(&ns, &mut run.agents[last])?;
        pb.inc(1);
    }
    std::thread::sleep(opts.settle);
    run.realize_time = start.elapsed();
    pb.finish_and_clear();
    Ok(run)
}

fn spawn_agent(ns: &str, agent: &[String], args: &[&str]) -> Result<Child, RunError> {
    let mut cmd = Command::new("ip");
    cmd.args(["netns", "exec", ns]).args(agent).args(args);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: prctl is async-signal-safe and touches no memory of the parent; the
        // closure allocates nothing.
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong);
                Ok(())
            });
        }
    }
    cmd.spawn().map_err(|e| RunError::Agent {
        ns: ns.to_string(),
        message: format!("cannot start `{}`: {e}", agent.join(" ")),
    })
}

fn wait_ready(ns: &str, child: &mut Child) -> Result<(), RunError> {
    let Some(out) = child.stdout.take() else {
        return Ok(());
    };
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(out).read_line(&mut line);
        let _ = tx.send(line);
    });
    match rx.recv_timeout(Duration::from_secs(10)) {
        Ok(line) if line.trim() == "ready" => Ok(()),
        _ => {
            let _ = child.kill();
            let mut err = String::new();
            if let Some(e) = child.stderr.take() {
                let _ = std::io::Read::read_to_string(&mut BufReader::new(e), &mut err);
            }
            Err(RunError::Agent {
                ns: ns.to_string(),
                message: format!("agent did not start: {}", err.trim()),
            })
        }
    }
}

/// Where a node's probes leave from, and which endpoint it is.
fn node_placement(design: &Design, plan: &Plan, node: &Node) -> Result<String, String> {
    let from_placement = |p: Option<&Placement>| match p {
        Some(Placement::Ns(ns)) => Ok(ns.clone()),
        Some(Placement::NotEmulated(why)) => Err(why.clone()),
        None => Err(format!("node `{}` is not in the design", node.id)),
    };
    match node.kind {
        NodeKind::Endpoint => {
            let cname = node.container.as_deref().unwrap_or_default();
            let ci = design
                .container_index(cname)
                .ok_or_else(|| format!("container `{cname}` is not in the design"))?;
            if let Some(net) = &node.network {
                // The matrix names networks by id: `win1/nat`, `swarm/ovl`.
                let name = net.rsplit('/').next().unwrap_or(net);
                let att = design.scenario.containers[ci]
                    .networks
                    .iter()
                    .position(|a| a.network == name);
                if let Some(why) = att.and_then(|a| plan.endpoint_not_emulated.get(&(ci, a))) {
                    return Err(why.clone());
                }
            }
            from_placement(plan.containers.get(ci))
        }
        NodeKind::Host => {
            let name = node.host.as_deref().unwrap_or_default();
            from_placement(design.host_index(name).and_then(|k| plan.hosts.get(k)))
        }
        NodeKind::Client => {
            let name = node.id.strip_prefix("client:").unwrap_or(&node.id);
            let j = design.scenario.clients.iter().position(|c| c.name == name);
            from_placement(j.and_then(|j| plan.clients.get(j)))
        }
        NodeKind::Internet => from_placement(Some(&plan.internet)),
    }
}

fn d_host(design: &Design, ci: usize) -> Option<usize> {
    design.host_index(&design.scenario.containers.get(ci)?.host)
}

fn node_ip(plan: &Plan, node: &Node) -> Option<IpAddr> {
    match node.kind {
        NodeKind::Internet => Some(node.ip.unwrap_or(plan.internet_ip)),
        _ => node.ip,
    }
}

struct Planned {
    from: String,
    to: String,
    probe: hnsim_sim::Probe,
    spec: Option<ProbeSpec>,
    ns: String,
    not_emulated: Option<String>,
    note: Option<String>,
}

/// Probes every cell of `expected` from its source namespace. Cells the backend cannot
/// probe faithfully come back as `NotEmulated` with the reason.
pub fn probe(
    run: &Run,
    design: &Design,
    expected: &StateMatrix,
    opts: &Options,
) -> Result<Vec<ObservedCell>, RunError> {
    let plan = &run.plan;
    let mut planned = Vec::with_capacity(expected.cells.len());
    for (id, cell) in expected.cells.iter().enumerate() {
        let mut p = Planned {
            from: cell.from.clone(),
            to: cell.to.clone(),
            probe: cell.probe,
            spec: None,
            ns: String::new(),
            not_emulated: None,
            note: None,
        };
        let (Some(from), Some(to)) = (expected.node(&cell.from), expected.node(&cell.to)) else {
            p.not_emulated = Some("the cell names a node the matrix does not list".into());
            planned.push(p);
            continue;
        };
        let src = node_placement(design, plan, from);
        let dst = node_placement(design, plan, to);
        let (ns, why) = match (src, dst) {
            (Ok(ns), Ok(_)) => (ns, None),
            (Err(why), _) => (String::new(), Some(format!("source: {why}"))),
            (_, Err(why)) => (String::new(), Some(format!("destination: {why}"))),
        };
        p.ns = ns;
        if let Some(why) = why {
            p.not_emulated = Some(why);
            planned.push(p);
            continue;
        }
        // A denied cell whose address is somebody else's (the host answering ICMP for
        // its containers) is probed at the destination's own IP, to confirm that the
        // destination itself is not reached.
        // Likewise a denied cell whose host port belongs to another container's mapping.
        let dest_container = to
            .container
            .as_deref()
            .and_then(|c| design.container_index(c));
        let others_port = |port: u16| {
            design.published.iter().any(|p| {
                Some(p.container) != dest_container
                    && dest_container.is_some_and(|ci| p.host == d_host(design, ci))
                    && p.forward.host_ports.contains(port)
                    && match cell.probe {
                        hnsim_sim::Probe::Tcp(_) => p.forward.proto == hnsim_model::Protocol::Tcp,
                        hnsim_sim::Probe::Udp(_) => p.forward.proto == hnsim_model::Protocol::Udp,
                        hnsim_sim::Probe::Icmp => false,
                    }
            })
        };
        let address = cell.address.as_ref().filter(|a| {
            cell.disposition.is_delivered()
                || (a.port.is_some() && !a.port.is_some_and(others_port))
                || a.ip.is_none()
                || a.ip == node_ip(plan, to)
        });
        if let (Some(a), None) = (&cell.address, address) {
            p.note = Some(format!(
                "the model's address {} is not the destination's own",
                a.value
            ));
        }
        let (ip, port) = match address {
            Some(a) => {
                if a.kind == AddressKind::HostPort {
                    if let Some(ci) = to
                        .container
                        .as_deref()
                        .and_then(|c| design.container_index(c))
                    {
                        if let Some(why) = plan.publish_not_emulated.get(&ci) {
                            p.not_emulated = Some(why.clone());
                            planned.push(p);
                            continue;
                        }
                    }
                }
                let ip = match a.kind {
                    AddressKind::Localhost => Some(IpAddr::V4(Ipv4Addr::LOCALHOST)),
                    _ => {
                        a.ip.or_else(|| a.value.parse().ok())
                            .or_else(|| node_ip(plan, to))
                    }
                };
                if a.kind == AddressKind::Name {
                    p.note = Some(format!(
                        "name `{}` probed by the address it resolves to (DNS is not emulated)",
                        a.value
                    ));
                }
                (ip, a.port)
            }
            None => (node_ip(plan, to), None),
        };
        let Some(ip) = ip else {
            p.not_emulated = Some("the destination has no address to probe".into());
            planned.push(p);
            continue;
        };
        // NAT subnets repeat from host to host (NAT-12): a denied cell aimed at another
        // host's container IP that also exists on the source's own host would be
        // answered locally, so it cannot be observed by address.
        if !cell.disposition.is_delivered() && from.host.is_some() && from.host != to.host {
            let local = expected
                .nodes
                .iter()
                .any(|n| n.kind == NodeKind::Endpoint && n.host == from.host && n.ip == Some(ip));
            if local {
                p.not_emulated = Some(format!(
                    "{ip} also exists on the source's host: the denial cannot be observed by address"
                ));
                planned.push(p);
                continue;
            }
        }
        p.spec = Some(ProbeSpec {
            id,
            probe: cell.probe,
            ip,
            port,
        });
        planned.push(p);
    }

    // One batch per source namespace.
    let mut batches: BTreeMap<String, Vec<ProbeSpec>> = BTreeMap::new();
    for p in &planned {
        if let Some(spec) = &p.spec {
            batches.entry(p.ns.clone()).or_default().push(spec.clone());
        }
    }
    let batches: Vec<(String, Vec<ProbeSpec>)> = batches.into_iter().collect();
    let total: usize = batches.iter().map(|(_, b)| b.len()).sum();
    let pb = bar(total as u64, "probe", opts.progress);
    // The kernel's neighbour (ARP) table is one table for all namespaces, capped by the
    // root namespace's gc_thresh3 (1024 by default), which this backend must not
    // change. A source probing N destinations holds about 2N entries (its own and the
    // destinations' for it) until they age out, so the sources probed at once are
    // bounded by a budget well under that cap, and a source's entries are flushed when
    // its batch is done.
    let widest = batches
        .iter()
        .map(|(_, specs)| {
            specs
                .iter()
                .map(|s| s.ip)
                .collect::<std::collections::BTreeSet<_>>()
                .len()
        })
        .max()
        .unwrap_or(1)
        .max(1);
    let parallel = opts
        .parallel_sources
        .min(NEIGHBOUR_BUDGET / (2 * widest))
        .max(1);
    let mut results = probe_pass(&batches, parallel, opts, &plan.prefix, &pb)?;
    // Probes that did not get a reply while the neighbour table overflowed (possibly
    // through other runs on the machine) say nothing about the design: they are
    // probed again, one source at a time, a bounded number of times.
    for _ in 0..3 {
        let again: Vec<(String, Vec<ProbeSpec>)> = batches
            .iter()
            .filter_map(|(ns, specs)| {
                let redo: Vec<ProbeSpec> = specs
                    .iter()
                    .filter(|s| {
                        results.get(&s.id).is_some_and(|(r, tainted)| {
                            *tainted && r.outcome != ProbeOutcome::Reply
                        })
                    })
                    .cloned()
                    .collect();
                (!redo.is_empty()).then(|| (ns.clone(), redo))
            })
            .collect();
        if again.is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_secs(1));
        let redone = probe_pass(&again, 1, opts, &plan.prefix, &pb)?;
        for (id, (r, tainted)) in redone {
            if let Some(slot) = results.get_mut(&id) {
                let attempts = slot.0.attempts + r.attempts;
                *slot = (ProbeResult { attempts, ..r }, tainted);
            }
        }
    }
    pb.finish_and_clear();
    let mut results: BTreeMap<usize, ProbeResult> =
        results.into_iter().map(|(id, (r, _))| (id, r)).collect();
    Ok(planned
        .into_iter()
        .map(|p| {
            let (sent, to, outcome, rtt, attempts, repro) = match (&p.spec, p.not_emulated) {
                (Some(spec), None) => {
                    let r = results.remove(&spec.id);
                    let mut sent = spec.sent();
                    if let Some(note) = &p.note {
                        sent.push_str(&format!(" ({note})"));
                    }
                    let repro = format!(
                        "ip netns exec {} {} {}",
                        p.ns,
                        run.exe.join(" "),
                        spec.cli_args().join(" ")
                    );
                    match r {
                        Some(r) => (sent, spec.to(), r.outcome, r.rtt_ms, r.attempts, repro),
                        None => (
                            sent,
                            spec.to(),
                            ProbeOutcome::Error {
                                message: "the agent returned no result".into(),
                            },
                            None,
                            0,
                            repro,
                        ),
                    }
                }
                (_, why) => (
                    "nothing".to_string(),
                    String::new(),
                    ProbeOutcome::NotEmulated {
                        why: why.unwrap_or_else(|| "not probed".into()),
                    },
                    None,
                    0,
                    String::new(),
                ),
            };
            ObservedCell {
                from: p.from,
                to: p.to,
                probe: p.probe,
                observation: Observation {
                    backend: BACKEND.into(),
                    sent,
                    to,
                    outcome,
                    rtt_ms: rtt,
                    attempts,
                    repro,
                },
                known_divergence: None,
            }
        })
        .collect())
}

/// The kernel's count of neighbour-table overflows (all namespaces; read-only).
fn table_fulls() -> u64 {
    let Ok(text) = std::fs::read_to_string("/proc/net/stat/arp_cache") else {
        return 0;
    };
    text.lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().last())
        .filter_map(|h| u64::from_str_radix(h, 16).ok())
        .sum()
}

type Results = BTreeMap<usize, (ProbeResult, bool)>;

/// One pass over `batches` with `parallel` sources at once. Each result says whether
/// the neighbour table overflowed while its batch ran.
fn probe_pass(
    batches: &[(String, Vec<ProbeSpec>)],
    parallel: usize,
    opts: &Options,
    prefix: &str,
    pb: &ProgressBar,
) -> Result<Results, RunError> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Mutex<Results> = Mutex::new(BTreeMap::new());
    let errors: Mutex<Vec<RunError>> = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..parallel.max(1) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some((ns, specs)) = batches.get(i) else {
                    break;
                };
                let before = table_fulls();
                let result = run_batch_in(ns, specs, &opts.agent, &opts.timing, prefix, i);
                let tainted = table_fulls() != before;
                let _ = sys::ip_batch(ns, &["neigh flush all".to_string()]);
                match result {
                    Ok(rs) => {
                        pb.inc(rs.len() as u64);
                        if let Ok(mut all) = results.lock() {
                            all.extend(rs.into_iter().map(|r| (r.id, (r, tainted))));
                        }
                    }
                    Err(e) => {
                        if let Ok(mut errs) = errors.lock() {
                            errs.push(e);
                        }
                    }
                }
            });
        }
    });
    if let Some(e) = errors.into_inner().unwrap_or_default().into_iter().next() {
        return Err(e);
    }
    Ok(results.into_inner().unwrap_or_default())
}

fn run_batch_in(
    ns: &str,
    specs: &[ProbeSpec],
    agent: &[String],
    timing: &Timing,
    prefix: &str,
    i: usize,
) -> Result<Vec<ProbeResult>, RunError> {
    let batch = Batch {
        timing: *timing,
        probes: specs.to_vec(),
    };
    let path: PathBuf = std::env::temp_dir().join(format!("{prefix}-batch-{i}.json"));
    let err = |message: String| RunError::Agent {
        ns: ns.to_string(),
        message,
    };
    let text = serde_json::to_string(&batch).map_err(|e| err(e.to_string()))?;
    std::fs::write(&path, text)
        .map_err(|e| err(format!("cannot write {}: {e}", path.display())))?;
    let path_s = path.display().to_string();
    let out = Command::new("ip")
        .args(["netns", "exec", ns])
        .args(agent)
        .args(["run", "--batch", &path_s])
        .stdin(Stdio::null())
        .output();
    let _ = std::fs::remove_file(&path);
    let out = out.map_err(|e| err(format!("cannot start the agent: {e}")))?;
    if !out.status.success() {
        return Err(err(String::from_utf8_lossy(&out.stderr).trim().to_string()));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| err(format!("bad agent output: {e}")))
}

/// Realize, probe, compare: the whole conformance run for the final state.
pub fn conform(
    design: &Design,
    expected: &StateMatrix,
    opts: &Options,
) -> Result<(Vec<ObservedCell>, Duration, Duration), RunError> {
    let mut opts = opts.clone();
    if opts.internet_listens.is_empty() {
        opts.internet_listens = expected
            .nodes
            .iter()
            .filter(|n| n.kind == NodeKind::Internet)
            .flat_map(|n| n.listens.iter().copied())
            .collect();
    }
    let opts = &opts;
    let run = realize(design, opts)?;
    let start = Instant::now();
    let observed = probe(&run, design, expected, opts)?;
    let probe_time = start.elapsed();
    let realize_time = run.realize_time;
    drop(run);
    Ok((observed, realize_time, probe_time))
}
