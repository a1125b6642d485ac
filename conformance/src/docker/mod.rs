//! The Docker engine backend: realize the final state of a Linux-driver scenario on
//! the real Docker engine of this machine, probe every cell of the simulated matrix
//! from inside the source containers (`docker exec`) and from the Docker host itself,
//! and hand the observations to [`crate::compare`].
//!
//! What is realized (see [`plan`]): the scenario's bridge networks (the default
//! `bridge` too, as a user-defined bridge of the run), `host` and `none` containers,
//! published ports, one container per scenario container on one host, each running the
//! probe agent (`hnsim probe serve`) from an image built FROM scratch ([`image`]). What
//! is not: macvlan/ipvlan (they need a parent NIC on a real LAN), overlay (swarm mode),
//! other hosts, LAN clients and the internet: their cells come back `not-emulated`
//! with the reason.
//!
//! Safety: every object is named `hnsim-<6 hex>-...` and labelled with the run; only
//! such objects are ever removed; every probed address belongs to one of the run's
//! own networks (published ports are bound to the run's stand-in host address, never
//! to the machine's interfaces). Objects are removed when the run ends, on error, on
//! SIGINT/SIGTERM/SIGHUP, and by `hnsim clean` after a SIGKILL.

pub mod cli;
mod icmp;
pub mod image;
pub mod plan;

use crate::agent::{Batch, ProbeResult, ProbeSpec, Timing};
use crate::compare::ObservedCell;
use hnsim_model::{Design, Protocol, RunState};
use hnsim_sim::{AddressKind, Node, NodeKind, Observation, Probe, ProbeOutcome, StateMatrix};
use ipnet::IpNet;
use plan::{NetMode, Plan};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

pub use cli::PREFIX;

pub const BACKEND: &str = "docker";

#[derive(Debug, thiserror::Error)]
pub enum DockerError {
    #[error("the Docker engine is not usable here: {0}")]
    Unavailable(String),
    #[error("`{cmd}` failed: {stderr}")]
    Command { cmd: String, stderr: String },
    #[error("cannot run `{cmd}`: {err} (is the docker client installed?)")]
    Spawn { cmd: String, err: std::io::Error },
    #[error("refusing to act on `{0}`: not an object of this backend (they start with `hnsim-`)")]
    NotOurs(String),
    #[error("building the probe image: {0}")]
    Image(String),
    #[error("probe agent in {container}: {message}")]
    Agent { container: String, message: String },
    #[error("{0}")]
    Scenario(String),
}

/// How to build the agent image and how hard to probe.
#[derive(Clone, Debug)]
pub struct Options {
    /// The `hnsim` binary copied into the probe image.
    pub agent_exe: PathBuf,
    pub timing: Timing,
    /// The scenario host to realize; default: the first Linux host with containers.
    pub host: Option<String>,
    /// Sources probed at once.
    pub parallel_sources: usize,
    /// How long to wait for an agent's `ready`.
    pub agent_start: Duration,
    /// The run prefix (`hnsim-<6 hex>-`); default: a fresh one.
    pub prefix: Option<String>,
}

impl Options {
    pub fn new(agent_exe: PathBuf) -> Self {
        Options {
            agent_exe,
            timing: Timing::default(),
            host: None,
            parallel_sources: 4,
            agent_start: Duration::from_secs(15),
            // A caller that must find the run's objects itself (a test sending Ctrl-C)
            // names the prefix.
            prefix: std::env::var("HNSIM_DOCKER_PREFIX").ok(),
        }
    }
}

/// What a whole run gives back.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub prefix: String,
    pub observed: Vec<ObservedCell>,
    /// Where the realization differs from the scenario on purpose, and where the engine
    /// gave an address or port other than the model's.
    pub notes: Vec<String>,
    pub realize_time: Duration,
    pub probe_time: Duration,
}

/// `Ok` when `docker info` answers and the engine runs Linux containers.
pub fn available() -> Result<(), DockerError> {
    let os = cli::docker(&["info", "--format", "{{.OSType}}"], None)
        .map_err(|e| DockerError::Unavailable(e.to_string()))?;
    match os.trim() {
        "linux" => Ok(()),
        other => Err(DockerError::Unavailable(format!(
            "the engine runs `{other}` containers; this backend needs Linux containers"
        ))),
    }
}

fn active() -> &'static Mutex<Vec<String>> {
    static ACTIVE: OnceLock<Mutex<Vec<String>>> = OnceLock::new();
    ACTIVE.get_or_init(|| Mutex::new(Vec::new()))
}

/// Installs (once per process) the handler that removes every active run's objects
/// on Ctrl-C, SIGTERM or SIGHUP, then exits with 130. Another backend's handler may
/// already own the signal in this process; then its clean-up runs and `hnsim clean`
/// finds this run's objects by prefix.
fn install_signal_cleanup() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let _ = ctrlc::set_handler(|| {
            cli::INTERRUPTED.store(true, std::sync::atomic::Ordering::SeqCst);
            let prefixes = active().lock().map(|a| a.clone()).unwrap_or_default();
            // Twice: a command the run had already started may create an object
            // after the first listing.
            for round in 0..2 {
                if round == 1 {
                    std::thread::sleep(Duration::from_millis(500));
                }
                for p in &prefixes {
                    let _ = cli::remove_all(p);
                }
            }
            eprintln!("interrupted: removed this run's Docker objects");
            std::process::exit(130);
        });
    });
}

/// A fresh run prefix `hnsim-<6 hex>-`, used by no existing object.
pub fn new_prefix() -> Result<String, DockerError> {
    let existing = cli::list(PREFIX)?.names();
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
        ^ (u64::from(std::process::id()) << 24);
    loop {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let p = format!("{PREFIX}{:06x}-", seed & 0xff_ffff);
        if !existing.iter().any(|n| n.starts_with(&p)) {
            return Ok(p);
        }
    }
}

/// Removes the objects of run `prefix` (`hnsim-1a2b3c`), or of every run. Returns the
/// names removed.
pub fn clean(prefix: Option<&str>) -> Result<Vec<String>, DockerError> {
    let prefix = match prefix {
        Some(p) if p.len() == PREFIX.len() + 6 => format!("{p}-"),
        Some(p) => p.to_string(),
        None => PREFIX.to_string(),
    };
    cli::remove_all(&prefix)
}

/// Names of the objects of run `prefix` that exist now.
pub fn leftovers(prefix: &str) -> Result<Vec<String>, DockerError> {
    Ok(cli::list(prefix)?.names())
}

/// Removes the run's objects when dropped.
struct Guard {
    prefix: String,
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Err(e) = cli::remove_all(&self.prefix) {
            eprintln!(
                "warning: clean-up of {}: {e} (run `hnsim clean --prefix {}`)",
                self.prefix,
                self.prefix.trim_end_matches('-')
            );
        }
        if let Ok(mut a) = active().lock() {
            a.retain(|p| p != &self.prefix);
        }
    }
}

/// A realized scenario. Dropping it removes every object it created.
pub struct Realized {
    pub plan: Plan,
    /// (container, attachment) -> the address Docker gave.
    pub ips: HashMap<(usize, usize), IpAddr>,
    /// (protocol, the model's host port) -> the host port Docker published.
    pub ports: HashMap<(Protocol, u16), u16>,
    pub notes: Vec<String>,
    pub realize_time: Duration,
    _guard: Option<Guard>,
}

/// Subnets the engine's other networks and the machine's routes already use.
fn taken_subnets() -> Result<Vec<IpNet>, DockerError> {
    let mut out = Vec::new();
    let ids = cli::lines(&cli::docker(&["network", "ls", "-q"], None)?);
    if !ids.is_empty() {
        let mut args = vec![
            "network",
            "inspect",
            "--format",
            "{{range .IPAM.Config}}{{.Subnet}} {{end}}",
        ];
        args.extend(ids.iter().map(String::as_str));
        let text = cli::docker(&args, None)?;
        out.extend(
            text.split_whitespace()
                .filter_map(|w| w.parse::<IpNet>().ok()),
        );
    }
    // Reading the routing table changes nothing.
    if let Ok(o) = std::process::Command::new("ip")
        .args(["-4", "route", "show"])
        .output()
    {
        let text = String::from_utf8_lossy(&o.stdout);
        out.extend(text.lines().filter_map(|l| {
            let first = l.split_whitespace().next()?;
            first.parse::<IpNet>().ok().or_else(|| {
                first
                    .parse::<IpAddr>()
                    .ok()
                    .and_then(|a| IpNet::new(a, 32).ok())
            })
        }));
    }
    Ok(out)
}

fn create_args<'a>(p: &'a Plan, c: &'a plan::ContainerPlan) -> Vec<String> {
    let mut a: Vec<String> = vec![
        "create".into(),
        "--name".into(),
        c.name.clone(),
        "--label".into(),
        format!("{}={}", cli::LABEL, p.prefix),
    ];
    match &c.mode {
        NetMode::Host => a.extend(["--network".into(), "host".into()]),
        NetMode::None => a.extend(["--network".into(), "none".into()]),
        NetMode::Bridges(att) => {
            a.extend([
                "--sysctl".into(),
                "net.ipv4.ping_group_range=0 2147483647".into(),
            ]);
            if let Some(first) = att.first() {
                a.extend(["--network".into(), p.networks[first.net].name.clone()]);
                if let Some(ip) = first.ip {
                    a.extend(["--ip".into(), ip.to_string()]);
                }
                for al in &first.aliases {
                    a.extend(["--network-alias".into(), al.clone()]);
                }
            }
            for pp in &c.publish {
                a.extend(["-p".into(), pp.arg()]);
            }
        }
    }
    if c.mode == NetMode::None {
        a.extend([
            "--sysctl".into(),
            "net.ipv4.ping_group_range=0 2147483647".into(),
        ]);
    }
    a.push(p.image.clone());
    a.extend([image::AGENT.into(), "probe".into(), "serve".into()]);
    let join = |v: &[u16]| v.iter().map(u16::to_string).collect::<Vec<_>>().join(",");
    if !c.tcp.is_empty() {
        a.extend(["--tcp".into(), join(&c.tcp)]);
    }
    if !c.udp.is_empty() {
        a.extend(["--udp".into(), join(&c.udp)]);
    }
    a
}

fn docker_owned(args: &[String]) -> Result<String, DockerError> {
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    cli::docker(&refs, None)
}

fn wait_ready(name: &str, within: Duration) -> Result<(), DockerError> {
    let deadline = Instant::now() + within;
    loop {
        let out = std::process::Command::new("docker")
            .args(["logs", name])
            .output()
            .map_err(|err| DockerError::Spawn {
                cmd: format!("docker logs {name}"),
                err,
            })?;
        if String::from_utf8_lossy(&out.stdout)
            .lines()
            .any(|l| l.trim() == "ready")
        {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(DockerError::Agent {
                container: name.to_string(),
                message: format!(
                    "agent did not start: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                ),
            });
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Builds the image, creates the networks and containers, starts them in the order
/// that gives static addresses first (as the model reserves them), waits for every
/// agent, and reads back the addresses and ports Docker gave.
pub fn realize(design: &Design, opts: &Options) -> Result<Realized, DockerError> {
    available()?;
    install_signal_cleanup();
    let start = Instant::now();
    let host = plan::choose_host(design, opts.host.as_deref()).map_err(DockerError::Scenario)?;
    let mut attempt = 0;
    loop {
        let prefix = match &opts.prefix {
            Some(p) if p.starts_with(PREFIX) && p.ends_with('-') => p.clone(),
            Some(p) => return Err(DockerError::NotOurs(p.clone())),
            None => new_prefix()?,
        };
        match realize_as(design, opts, host, &prefix, start) {
            // Another run took a subnet between our look and our create: plan again.
            Err(DockerError::Command { stderr, .. })
                if attempt < 3
                    && (stderr.contains("Pool overlaps") || stderr.contains("File exists")) =>
            {
                attempt += 1;
            }
            other => return other,
        }
    }
}

fn realize_as(
    design: &Design,
    opts: &Options,
    host: usize,
    prefix: &str,
    start: Instant,
) -> Result<Realized, DockerError> {
    let prefix = prefix.to_string();
    let taken = taken_subnets()?;
    let mut plan = plan::plan(design, &prefix, host, &taken);
    if let Ok(mut a) = active().lock() {
        a.push(prefix.clone());
    }
    let guard = Guard {
        prefix: prefix.clone(),
    };
    image::build(&plan.image, &opts.agent_exe)?;
    for n in &plan.networks {
        if let Some(link) = &n.macvlan_parent {
            macvlan_parent(&plan, link, &n.subnet, opts.agent_start)?;
        }
        let driver = if n.macvlan_parent.is_some() {
            "macvlan"
        } else {
            "bridge"
        };
        let mut a: Vec<String> = vec![
            "network".into(),
            "create".into(),
            "--driver".into(),
            driver.into(),
            "--label".into(),
            format!("{}={}", cli::LABEL, plan.prefix),
            "--subnet".into(),
            n.subnet.to_string(),
            "--gateway".into(),
            n.gateway.to_string(),
        ];
        if let Some(r) = n.ip_range {
            a.extend(["--ip-range".into(), r.to_string()]);
        }
        if n.internal {
            a.push("--internal".into());
        }
        for (k, v) in &n.options {
            a.extend(["-o".into(), format!("{k}={v}")]);
        }
        if let Some(link) = &n.macvlan_parent {
            a.extend(["-o".into(), format!("parent={link}")]);
        }
        a.push(n.name.clone());
        docker_owned(&a)?;
    }
    let mut order: Vec<plan::ContainerPlan> = plan.containers.clone();
    order.sort_by_key(|c| (!c.has_static_ip(), c.index));
    // What Docker refuses (a duplicate name or address, a port range it cannot map) is
    // the engine's answer to an invalid design: those containers' cells become
    // not-emulated with Docker's words, and the rest of the run goes on.
    let mut refused: BTreeMap<usize, String> = BTreeMap::new();
    let refuse =
        |refused: &mut BTreeMap<usize, String>, c: &plan::ContainerPlan, e: DockerError| {
            let why = match e {
                DockerError::Command { stderr, .. } => stderr,
                other => other.to_string(),
            };
            refused.insert(
                c.index,
                format!(
                    "Docker refused container `{}`: {}",
                    design.scenario.containers[c.index].name, why
                ),
            );
        };
    for c in &order {
        if let Err(e) = docker_owned(&create_args(&plan, c)) {
            if cli::INTERRUPTED.load(std::sync::atomic::Ordering::SeqCst) {
                return Err(e);
            }
            // Nothing was created under this name by this command.
            refuse(&mut refused, c, e);
            continue;
        }
        if let NetMode::Bridges(att) = &c.mode {
            for at in att.iter().skip(1) {
                let mut a: Vec<String> = vec!["network".into(), "connect".into()];
                if let Some(ip) = at.ip {
                    a.extend(["--ip".into(), ip.to_string()]);
                }
                for al in &at.aliases {
                    a.extend(["--alias".into(), al.clone()]);
                }
                a.extend([plan.networks[at.net].name.clone(), c.name.clone()]);
                if let Err(e) = docker_owned(&a) {
                    let _ = cli::docker(&["rm", "-f", &c.name], None);
                    refuse(&mut refused, c, e);
                    break;
                }
            }
        }
    }
    for c in &order {
        if c.state == RunState::Created || refused.contains_key(&c.index) {
            continue;
        }
        if let Err(e) = cli::docker(&["start", &c.name], None) {
            if cli::INTERRUPTED.load(std::sync::atomic::Ordering::SeqCst) {
                return Err(e);
            }
            let _ = cli::docker(&["rm", "-f", &c.name], None);
            refuse(&mut refused, c, e);
            continue;
        }
        wait_ready(&c.name, opts.agent_start)?;
        if c.state == RunState::Stopped {
            cli::docker(&["stop", "-t", "0", &c.name], None)?;
        }
    }
    plan.containers.retain(|c| !refused.contains_key(&c.index));
    for (ci, why) in refused {
        plan.notes.push(why.clone());
        plan.container_not_emulated.insert(ci, why);
    }
    let mut r = Realized {
        notes: plan.notes.clone(),
        plan,
        ips: HashMap::new(),
        ports: HashMap::new(),
        realize_time: Duration::ZERO,
        _guard: Some(guard),
    };
    read_back(design, &mut r)?;
    r.realize_time = start.elapsed();
    Ok(r)
}

/// A parent for a macvlan network: one end of a veth pair of the run, whose other end
/// lives in a `--network none` container of the run (the "wire"), where nothing routes:
/// what the children send off the segment is dropped there, never forwarded by the
/// machine. A route for the subnet on the parent keeps what the host sends there on it
/// (EXT-12: the parent does not reach its macvlan children) instead of following the
/// default route out of the machine. Removing the wire container takes the pair, and
/// the route, with it.
fn macvlan_parent(
    plan: &Plan,
    link: &str,
    subnet: &IpNet,
    within: Duration,
) -> Result<(), DockerError> {
    let peer = format!("{link}w");
    let wire = format!("{}{link}", plan.prefix);
    cli::ip_link(
        &["link", "add", link, "type", "veth", "peer", "name", &peer],
        link,
    )?;
    let label = format!("{}={}", cli::LABEL, plan.prefix);
    cli::docker(
        &[
            "run",
            "-d",
            "--name",
            &wire,
            "--label",
            &label,
            "--network",
            "none",
            "--cap-add",
            "NET_ADMIN",
            &plan.image,
            image::AGENT,
            "probe",
            "serve",
        ],
        None,
    )?;
    wait_ready(&wire, within)?;
    let pid = cli::docker(&["inspect", "--format", "{{.State.Pid}}", &wire], None)?;
    cli::ip_link(&["link", "set", &peer, "netns", pid.trim()], link)?;
    cli::docker(&["exec", &wire, "ip", "link", "set", &peer, "up"], None)?;
    cli::ip_link(&["link", "set", link, "up"], link)?;
    let subnet = subnet.to_string();
    cli::ip_link(&["route", "add", &subnet, "dev", link], link)?;
    Ok(())
}

/// Addresses and published ports as Docker gave them, compared with the model's.
fn read_back(design: &Design, r: &mut Realized) -> Result<(), DockerError> {
    let names: Vec<String> = r.plan.containers.iter().map(|c| c.name.clone()).collect();
    if names.is_empty() {
        return Ok(());
    }
    let mut args = vec!["inspect".to_string()];
    args.extend(names);
    let text = docker_owned(&args)?;
    let all: Vec<serde_json::Value> = serde_json::from_str(&text)
        .map_err(|e| DockerError::Scenario(format!("unexpected `docker inspect` output: {e}")))?;
    for (c, info) in r.plan.containers.clone().iter().zip(&all) {
        let settings = &info["NetworkSettings"];
        if let NetMode::Bridges(att) = &c.mode {
            for at in att {
                let net = &r.plan.networks[at.net];
                let ip = settings["Networks"][net.name.as_str()]["IPAddress"]
                    .as_str()
                    .and_then(|s| s.parse::<IpAddr>().ok());
                let model = design
                    .endpoints_of(c.index)
                    .find(|e| e.attachment == at.attachment)
                    .and_then(|e| e.ip);
                let expected = model.and_then(|m| r.plan.translate(m));
                match ip {
                    Some(ip) => {
                        r.ips.insert((c.index, at.attachment), ip);
                        if expected.is_some_and(|e| e != ip) {
                            r.notes.push(format!(
                                "`{}` on `{}`: the model gives {} (here {}), Docker gave {ip} \
                                 (IPAM-1)",
                                design.scenario.containers[c.index].name,
                                net.name.trim_start_matches(&r.plan.prefix),
                                model.map(|m| m.to_string()).unwrap_or_default(),
                                expected.map(|m| m.to_string()).unwrap_or_default(),
                            ));
                        }
                    }
                    None => {
                        if let Some(e) = expected {
                            // A container that is not running has no address; its
                            // cells are probed at the address the model gives.
                            r.ips.insert((c.index, at.attachment), e);
                        }
                    }
                }
            }
        }
        for pp in &c.publish {
            let count = pp.container_ports.1.saturating_sub(pp.container_ports.0);
            for i in 0..=count {
                let model_host = pp.model_host_ports.0.saturating_add(i);
                let real = match pp.host_ports {
                    Some((h, _)) => Some(h.saturating_add(i)),
                    None => {
                        let proto = if pp.proto == Protocol::Udp {
                            "udp"
                        } else {
                            "tcp"
                        };
                        let key = format!("{}/{proto}", pp.container_ports.0 + i);
                        settings["Ports"][key.as_str()]
                            .as_array()
                            .and_then(|b| {
                                b.iter().find(|b| {
                                    b["HostIp"].as_str() == Some(pp.host_ip.to_string().as_str())
                                })
                            })
                            .and_then(|b| b["HostPort"].as_str())
                            .and_then(|p| p.parse::<u16>().ok())
                    }
                };
                if let Some(real) = real {
                    if real != model_host {
                        r.notes.push(format!(
                            "`{}`: the model publishes {}/{} on host port {model_host}, \
                             Docker picked {real} (NAT-9)",
                            design.scenario.containers[c.index].name,
                            pp.container_ports.0 + i,
                            pp.proto,
                        ));
                    }
                    r.ports.insert((pp.proto, model_host), real);
                }
            }
        }
    }
    Ok(())
}

/// Where a probe leaves from.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Source {
    /// The Docker host's own namespace (the host, and host-network containers).
    Host,
    Container(String),
}

fn attachment_of(design: &Design, node: &Node, ci: usize) -> Option<usize> {
    let net = node.network.as_deref()?;
    let name = net.rsplit('/').next().unwrap_or(net);
    design.scenario.containers[ci]
        .networks
        .iter()
        .position(|a| a.network == name)
}

/// The realized container and attachment of an endpoint node, or why there is none.
fn endpoint(r: &Realized, design: &Design, node: &Node) -> Result<(usize, usize), String> {
    let cname = node.container.as_deref().unwrap_or_default();
    let ci = design
        .container_index(cname)
        .ok_or_else(|| format!("container `{cname}` is not in the design"))?;
    if let Some(why) = r.plan.container_not_emulated.get(&ci) {
        return Err(why.clone());
    }
    let att = attachment_of(design, node, ci).unwrap_or(0);
    if let Some(why) = r.plan.endpoint_not_emulated.get(&(ci, att)) {
        return Err(why.clone());
    }
    if r.plan.container(ci).is_none() {
        return Err(format!("container `{cname}` is not realized"));
    }
    Ok((ci, att))
}

fn realized_host(r: &Realized, design: &Design) -> String {
    r.plan
        .host
        .and_then(|h| design.scenario.hosts.get(h))
        .map(|h| h.name.clone())
        .unwrap_or_default()
}

fn source(r: &Realized, design: &Design, node: &Node) -> Result<Source, String> {
    match node.kind {
        NodeKind::Endpoint => {
            let (ci, _) = endpoint(r, design, node)?;
            let c = r.plan.container(ci).ok_or("not realized")?;
            if c.state != RunState::Running {
                return Err(format!(
                    "container `{}` is not running; it sends nothing",
                    design.scenario.containers[ci].name
                ));
            }
            Ok(match c.mode {
                NetMode::Host => Source::Host,
                _ => Source::Container(c.name.clone()),
            })
        }
        NodeKind::Host => {
            let name = node.host.as_deref().unwrap_or_default();
            if name == realized_host(r, design) {
                Ok(Source::Host)
            } else {
                Err(format!(
                    "host `{name}` is another machine; the docker backend realizes one host"
                ))
            }
        }
        NodeKind::Client => Err(
            "LAN clients are other machines; the docker backend sends nothing off this one".into(),
        ),
        NodeKind::Internet => Err("the internet is not emulated by the docker backend".into()),
    }
}

/// Ports something of the machine itself listens on (`/proc/net/{tcp,udp}{,6}`), which
/// would answer a probe of the stand-in address on a port the run did not publish.
fn machine_listeners() -> BTreeSet<(Protocol, u16)> {
    let mut out = BTreeSet::new();
    for (file, proto, listen_state) in [
        ("/proc/net/tcp", Protocol::Tcp, Some("0A")),
        ("/proc/net/tcp6", Protocol::Tcp, Some("0A")),
        ("/proc/net/udp", Protocol::Udp, None),
        ("/proc/net/udp6", Protocol::Udp, None),
    ] {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let w: Vec<&str> = line.split_whitespace().collect();
            let (Some(local), Some(state)) = (w.get(1), w.get(3)) else {
                continue;
            };
            if listen_state.is_some_and(|s| *state != s) {
                continue;
            }
            if let Some(port) = local
                .rsplit(':')
                .next()
                .and_then(|p| u16::from_str_radix(p, 16).ok())
            {
                out.insert((proto, port));
            }
        }
    }
    out
}

struct Planned {
    from: String,
    to: String,
    probe: Probe,
    source: Option<Source>,
    spec: Option<ProbeSpec>,
    why: Option<String>,
    note: Option<String>,
    divergence: Option<String>,
}

/// A container on several networks is one network stack: its kernel sends to an
/// address of another of its networks through that network's interface, whichever
/// endpoint the cell names as the source. Such a cell's question ("from this vNIC")
/// cannot be asked of the wire.
fn through_other_attachment(
    r: &Realized,
    design: &Design,
    from: &Node,
    ip: IpAddr,
) -> Option<String> {
    if from.kind != NodeKind::Endpoint {
        return None;
    }
    let (ci, att) = endpoint(r, design, from).ok()?;
    let NetMode::Bridges(all) = &r.plan.container(ci)?.mode else {
        return None;
    };
    let own = all.iter().find(|a| a.attachment == att)?;
    if r.plan.networks[own.net].subnet.contains(&ip) {
        return None;
    }
    let other = all
        .iter()
        .find(|a| a.attachment != att && r.plan.networks[a.net].subnet.contains(&ip))?;
    let name = &design.scenario.containers[ci].networks[other.attachment].network;
    Some(format!(
        "the source container is also on `{name}`, and its kernel reaches {ip} through that \
         interface; a probe cannot leave through one endpoint of a multi-homed container"
    ))
}

fn proto_of(p: Probe) -> Option<Protocol> {
    match p {
        Probe::Icmp => None,
        Probe::Tcp(_) => Some(Protocol::Tcp),
        Probe::Udp(_) => Some(Protocol::Udp),
    }
}

/// Chooses source, address and port of one cell, or says why it cannot be probed
/// faithfully.
fn plan_cell(
    r: &Realized,
    design: &Design,
    expected: &StateMatrix,
    cell: &hnsim_sim::Cell,
    model_to_real: &HashMap<IpAddr, IpAddr>,
    listeners: &BTreeSet<(Protocol, u16)>,
) -> Result<(Source, IpAddr, Option<u16>, Option<String>), String> {
    let (Some(from), Some(to)) = (expected.node(&cell.from), expected.node(&cell.to)) else {
        return Err("the cell names a node the matrix does not list".into());
    };
    let src = source(r, design, from).map_err(|w| format!("source: {w}"))?;
    let host_addr = r
        .plan
        .host_addr()
        .ok_or("the run has no host stand-in address")?;
    // The destination's own address, as realized.
    let own: Option<IpAddr> = match to.kind {
        NodeKind::Endpoint => {
            let (ci, att) = endpoint(r, design, to).map_err(|w| format!("destination: {w}"))?;
            let c = r.plan.container(ci).ok_or("not realized")?;
            if c.mode == NetMode::Host {
                if cell.probe != Probe::Icmp {
                    return Err(
                        "destination: a host-network container serves no ports here (it \
                         would listen on the machine's real interfaces)"
                            .into(),
                    );
                }
                Some(host_addr)
            } else {
                r.ips.get(&(ci, att)).copied()
            }
        }
        NodeKind::Host => {
            let name = to.host.as_deref().unwrap_or_default();
            if name != realized_host(r, design) {
                return Err(format!("destination: host `{name}` is another machine"));
            }
            Some(host_addr)
        }
        NodeKind::Client | NodeKind::Internet => {
            return Err("destination: outside this machine; nothing is sent there".into())
        }
    };
    let mut note = None;
    // As the netns backend does: a denied cell whose address is somebody else's (the
    // host's) is probed at the destination's own address.
    let address = cell.address.as_ref().filter(|a| {
        cell.disposition.is_delivered() || a.port.is_some() || a.ip.is_none() || a.ip == to.ip
    });
    let translate = |ip: IpAddr| {
        model_to_real
            .get(&ip)
            .copied()
            .or_else(|| r.plan.translate(ip))
    };
    let (ip, mut port) = match address {
        Some(a) => {
            let ip = match a.kind {
                AddressKind::Localhost => {
                    if src != Source::Host {
                        return Err("localhost of the host, from a container".into());
                    }
                    note = Some(format!("{} probed at the host stand-in address", a.value));
                    Some(host_addr)
                }
                AddressKind::External => {
                    return Err("the address is outside this machine".into());
                }
                _ => {
                    let model = a.ip.or_else(|| a.value.parse().ok()).or(to.ip);
                    if a.ip.is_some() && a.ip == to.ip {
                        own.or_else(|| model.and_then(translate))
                    } else {
                        model.and_then(translate)
                    }
                }
            };
            if a.kind == AddressKind::Name {
                note = Some(format!(
                    "name `{}` probed by the address it resolves to",
                    a.value
                ));
            }
            (ip, a.port)
        }
        None => (own, None),
    };
    let ip = ip.ok_or("the destination has no address to probe")?;
    if let Some(model) = address.and_then(|a| a.ip) {
        if model != ip {
            let n = format!("model address {model} is {ip} in this run");
            note = Some(match note {
                Some(x) => format!("{x}; {n}"),
                None => n,
            });
        }
    }
    if !r.plan.owns(ip) {
        return Err(format!(
            "refused: {ip} is not an address of the run's networks"
        ));
    }
    if let Some(proto) = proto_of(cell.probe) {
        let wanted = port.unwrap_or(match cell.probe {
            Probe::Tcp(p) | Probe::Udp(p) => p,
            Probe::Icmp => 0,
        });
        if ip == host_addr {
            match r.ports.get(&(proto, wanted)) {
                Some(&real) => port = Some(real),
                None if listeners.contains(&(proto, wanted)) => {
                    return Err(format!(
                        "{proto}/{wanted} is not published by the run and this machine \
                         itself listens on it"
                    ))
                }
                None => {}
            }
        }
    }
    Ok((src, ip, port, note))
}

/// Probes every cell of `expected`; cells that cannot be probed faithfully come back
/// `NotEmulated` with the reason.
pub fn probe(
    r: &Realized,
    design: &Design,
    expected: &StateMatrix,
    opts: &Options,
) -> Result<Vec<ObservedCell>, DockerError> {
    let mut model_to_real = HashMap::new();
    for e in &design.endpoints {
        if let (Some(m), Some(real)) = (e.ip, r.ips.get(&(e.container, e.attachment))) {
            model_to_real.insert(m, *real);
        }
    }
    let listeners = machine_listeners();
    let mut planned = Vec::with_capacity(expected.cells.len());
    for (id, cell) in expected.cells.iter().enumerate() {
        let mut p = Planned {
            from: cell.from.clone(),
            to: cell.to.clone(),
            probe: cell.probe,
            source: None,
            spec: None,
            why: None,
            note: None,
            divergence: None,
        };
        match plan_cell(r, design, expected, cell, &model_to_real, &listeners) {
            Ok((src, ip, port, note)) => {
                p.divergence = expected
                    .node(&cell.from)
                    .and_then(|n| through_other_attachment(r, design, n, ip));
                p.source = Some(src);
                p.note = note;
                p.spec = Some(ProbeSpec {
                    id,
                    probe: cell.probe,
                    ip,
                    port,
                });
            }
            Err(why) => p.why = Some(why),
        }
        planned.push(p);
    }
    let mut batches: BTreeMap<Source, Vec<ProbeSpec>> = BTreeMap::new();
    for p in &planned {
        if let (Some(s), Some(spec)) = (&p.source, &p.spec) {
            batches.entry(s.clone()).or_default().push(spec.clone());
        }
    }
    let batches: Vec<(Source, Vec<ProbeSpec>)> = batches.into_iter().collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Mutex<BTreeMap<usize, ProbeResult>> = Mutex::new(BTreeMap::new());
    let errors: Mutex<Vec<DockerError>> = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..opts.parallel_sources.max(1) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some((src, specs)) = batches.get(i) else {
                    break;
                };
                match run_batch(src, specs, &opts.timing) {
                    Ok(rs) => {
                        if let Ok(mut all) = results.lock() {
                            all.extend(rs.into_iter().map(|r| (r.id, r)));
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
    let mut results = results.into_inner().unwrap_or_default();
    Ok(planned
        .into_iter()
        .map(|p| {
            let observation = match (&p.spec, &p.source, p.why) {
                (Some(spec), Some(src), None) => {
                    let mut sent = spec.sent();
                    if let Some(n) = &p.note {
                        sent.push_str(&format!(" ({n})"));
                    }
                    let repro = match src {
                        Source::Container(name) => format!(
                            "docker exec {name} {} probe {}",
                            image::AGENT,
                            spec.cli_args().join(" ")
                        ),
                        Source::Host if spec.probe == Probe::Icmp => {
                            format!("ping -c 1 {}", spec.ip)
                        }
                        Source::Host => format!("hnsim probe {}", spec.cli_args().join(" ")),
                    };
                    let (outcome, rtt_ms, attempts) = match results.remove(&spec.id) {
                        Some(r) => (r.outcome, r.rtt_ms, r.attempts),
                        None => (
                            ProbeOutcome::Error {
                                message: "the agent returned no result".into(),
                            },
                            None,
                            0,
                        ),
                    };
                    Observation {
                        backend: BACKEND.into(),
                        sent,
                        to: spec.to(),
                        outcome,
                        rtt_ms,
                        attempts,
                        repro,
                    }
                }
                (_, _, why) => Observation {
                    backend: BACKEND.into(),
                    sent: "nothing".into(),
                    to: String::new(),
                    outcome: ProbeOutcome::NotEmulated {
                        why: why.unwrap_or_else(|| "not probed".into()),
                    },
                    rtt_ms: None,
                    attempts: 0,
                    repro: String::new(),
                },
            };
            ObservedCell {
                from: p.from,
                to: p.to,
                probe: p.probe,
                observation,
                known_divergence: p.divergence,
            }
        })
        .collect())
}

fn run_batch(
    src: &Source,
    specs: &[ProbeSpec],
    timing: &Timing,
) -> Result<Vec<ProbeResult>, DockerError> {
    match src {
        Source::Host => {
            let (icmp, other): (Vec<&ProbeSpec>, Vec<&ProbeSpec>) =
                specs.iter().partition(|s| s.probe == Probe::Icmp);
            let batch = Batch {
                timing: *timing,
                probes: other.into_iter().cloned().collect(),
            };
            let mut out = crate::agent::run_batch(&batch);
            for s in icmp {
                let (outcome, rtt_ms, attempts) =
                    icmp::ping(s.ip, timing.timeout(), timing.retries, s.id as u16);
                out.push(ProbeResult {
                    id: s.id,
                    outcome,
                    rtt_ms,
                    attempts,
                });
            }
            Ok(out)
        }
        Source::Container(name) => {
            let batch = Batch {
                timing: *timing,
                probes: specs.to_vec(),
            };
            let err = |message: String| DockerError::Agent {
                container: name.clone(),
                message,
            };
            let text = serde_json::to_vec(&batch).map_err(|e| err(e.to_string()))?;
            let out = cli::docker(
                &[
                    "exec",
                    "-i",
                    name,
                    image::AGENT,
                    "probe",
                    "run",
                    "--batch",
                    "/dev/stdin",
                ],
                Some(&text),
            )?;
            serde_json::from_str(&out).map_err(|e| err(format!("bad agent output: {e}")))
        }
    }
}

/// The neighbour (ARP) table's size and limit when it is at least 90% full. The table is
/// shared by every namespace of the machine: other namespaces' entries can crowd out
/// the run's, and then probes fail with ENOBUFS or in silence.
pub fn neighbour_pressure() -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/net/stat/arp_cache").ok()?;
    let entries = u64::from_str_radix(stat.lines().nth(1)?.split_whitespace().next()?, 16).ok()?;
    let limit: u64 = std::fs::read_to_string("/proc/sys/net/ipv4/neigh/default/gc_thresh3")
        .ok()?
        .trim()
        .parse()
        .ok()?;
    (entries * 10 >= limit * 9).then_some((entries, limit))
}

/// Realize, probe, clean up: the whole run for the final state.
pub fn conform(
    design: &Design,
    expected: &StateMatrix,
    opts: &Options,
) -> Result<Outcome, DockerError> {
    let r = realize(design, opts)?;
    let pressure_before = neighbour_pressure();
    let start = Instant::now();
    let observed = probe(&r, design, expected, opts)?;
    let probe_time = start.elapsed();
    let mut notes = r.notes.clone();
    if let Some((entries, limit)) = pressure_before.or_else(neighbour_pressure) {
        notes.push(format!(
            "the kernel's neighbour table held {entries} entries of at most {limit} \
             (net.ipv4.neigh.default.gc_thresh3, shared by all namespaces) during the run: \
             addresses may not have resolved, so silence says nothing about Docker"
        ));
    }
    let enobufs = observed.iter().any(|o| {
        matches!(&o.observation.outcome, ProbeOutcome::Error { message } if message.contains("os error 105"))
    });
    if enobufs {
        // The neighbour table is shared by every namespace of the machine.
        notes.push(
            "some probes failed with ENOBUFS: the kernel's neighbour table is full \
             (net.ipv4.neigh.default.gc_thresh3, shared by all namespaces); those cells \
             say nothing about Docker"
                .into(),
        );
    }
    let out = Outcome {
        prefix: r.plan.prefix.clone(),
        observed,
        notes,
        realize_time: r.realize_time,
        probe_time,
    };
    drop(r);
    Ok(out)
}

#[cfg(test)]
mod tests;
