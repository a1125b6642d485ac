//! Building one state on the engine: the probe image, the run's networks (with their
//! macvlan parents), then the containers, static addresses first as the model reserves
//! them, each agent waited for; what Docker refuses becomes a not-emulated reason with
//! Docker's own words. The single-object operations are also what timeline steps use.

use super::plan::{self, ContainerPlan, NetMode, NetPlan, Plan};
use super::{cli, image, DockerError, Options};
use crate::session;
use hnsim_model::{Design, Protocol, RunState};
use ipnet::IpNet;
use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// A realized state of the design.
#[derive(Clone, Debug)]
pub struct Realized {
    pub plan: Plan,
    /// (container, attachment) -> the address Docker gave.
    pub ips: HashMap<(usize, usize), IpAddr>,
    /// (protocol, the model's host port) -> the host port Docker published.
    pub ports: HashMap<(Protocol, u16), u16>,
    pub notes: Vec<String>,
    /// The run's LAN clients and internet, when it built them ([`super::lan`]).
    pub outside: Option<super::lan::Parties>,
}

/// The run's outside while it lives (its agents stop when it is dropped).
#[cfg(target_os = "linux")]
pub type OutsideSlot = Option<super::outside::Outside>;
/// No outside is built off Linux (it is made of network namespaces).
#[cfg(not(target_os = "linux"))]
pub type OutsideSlot = ();

/// Whether this machine can build a run's outside: network namespaces need Linux and
/// root.
fn can_build_outside() -> bool {
    cfg!(target_os = "linux") && crate::sys::is_root()
}

#[cfg(target_os = "linux")]
fn build_outside(
    plan: &Plan,
    design: &Design,
    opts: &Options,
    slot: &mut OutsideSlot,
) -> Result<Option<super::lan::Parties>, DockerError> {
    let Some(lan) = &plan.lan else {
        return Ok(None);
    };
    let agent = vec![opts.agent_exe.display().to_string(), "probe".into()];
    let built = super::outside::Outside::build(
        lan,
        design,
        &plan.prefix,
        plan.host.unwrap_or(usize::MAX),
        &agent,
        &opts.internet_listens,
    )?;
    let parties = built.parties();
    *slot = Some(built);
    Ok(Some(parties))
}

#[cfg(not(target_os = "linux"))]
fn build_outside(
    _plan: &Plan,
    _design: &Design,
    _opts: &Options,
    _slot: &mut OutsideSlot,
) -> Result<Option<super::lan::Parties>, DockerError> {
    Ok(None)
}

/// Removes run `prefix`'s outside (nothing off Linux).
pub(super) fn remove_outside(prefix: &str) -> Vec<String> {
    #[cfg(target_os = "linux")]
    return super::outside::remove(prefix);
    #[cfg(not(target_os = "linux"))]
    {
        let _ = prefix;
        Vec::new()
    }
}

/// Whether the engine said an object it was asked about does not exist (any more).
fn vanished(stderr: &str) -> bool {
    let lower = stderr.to_ascii_lowercase();
    lower.contains("not found") || lower.contains("no such network")
}

/// Subnets the engine's other networks and the machine's routes already use.
pub(super) fn taken_subnets() -> Result<Vec<IpNet>, DockerError> {
    let mut out = Vec::new();
    // The engine is shared: a network listed here may be gone before it is inspected
    // (another run, or the user, removed it). The list is then read again, a few times.
    let mut attempts = 0;
    let text = loop {
        let ids = cli::lines(&cli::docker(&["network", "ls", "-q"], None)?);
        if ids.is_empty() {
            break String::new();
        }
        let mut args = vec![
            "network",
            "inspect",
            "--format",
            "{{range .IPAM.Config}}{{.Subnet}} {{end}}",
        ];
        args.extend(ids.iter().map(String::as_str));
        match cli::docker(&args, None) {
            Ok(text) => break text,
            Err(DockerError::Command { stderr, .. }) if attempts < 3 && vanished(&stderr) => {
                attempts += 1;
            }
            Err(e) => return Err(e),
        }
    };
    out.extend(
        text.split_whitespace()
            .filter_map(|w| w.parse::<IpNet>().ok()),
    );
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

pub(super) fn create_args<'a>(p: &'a Plan, c: &'a ContainerPlan) -> Vec<String> {
    let mut a = super::planning::create_head(&c.name, &p.prefix);
    match &c.mode {
        NetMode::Host => a.extend(["--network".into(), "host".into()]),
        NetMode::None => a.extend(["--network".into(), "none".into()]),
        NetMode::Bridges(att) => {
            a.extend([
                "--sysctl".into(),
                "net.ipv4.ping_group_range=0 2147483647".into(),
                // The embedded resolver forwards names it does not know to these
                // servers, from the container's own stack: nothing answers on its
                // loopback, so no question of a run leaves it for the machine's
                // resolvers (an unknown name gets SERVFAIL instead of their answer).
                "--dns".into(),
                "127.0.0.1".into(),
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
    if !c.bind.is_empty() {
        let addrs: Vec<String> = c.bind.iter().map(IpAddr::to_string).collect();
        a.extend(["--bind".into(), addrs.join(",")]);
    }
    a
}

pub(super) fn docker_owned(args: &[String]) -> Result<String, DockerError> {
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    cli::docker(&refs, None)
}

/// How many times the agent of container `name` has said `ready` (once per start).
fn ready_count(name: &str) -> Result<usize, DockerError> {
    let out = std::process::Command::new("docker")
        .args(["logs", name])
        .output()
        .map_err(|err| DockerError::Spawn {
            cmd: format!("docker logs {name}"),
            err,
        })?;
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.trim() == "ready")
        .count())
}

/// Waits until the agent of container `name` has said `ready` more than `before` times.
pub(super) fn wait_ready(name: &str, before: usize, within: Duration) -> Result<(), DockerError> {
    let deadline = Instant::now() + within;
    loop {
        if ready_count(name)? > before {
            return Ok(());
        }
        if Instant::now() >= deadline {
            let out = std::process::Command::new("docker")
                .args(["logs", name])
                .output()
                .map(|o| String::from_utf8_lossy(&o.stderr).trim().to_string())
                .unwrap_or_default();
            return Err(DockerError::Agent {
                container: name.to_string(),
                message: format!("agent did not start: {out}"),
            });
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Creates network `n` of the plan (and its macvlan parent first).
pub(super) fn create_network(
    plan: &Plan,
    n: &NetPlan,
    within: Duration,
) -> Result<(), DockerError> {
    match &n.macvlan_parent {
        Some(link) if !n.parent_on_lan => macvlan_parent(plan, link, &n.subnet, within)?,
        _ => {}
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
    Ok(())
}

/// What Docker refused, as the reason the container's cells are not probed.
pub(super) fn refusal(design: &Design, c: &ContainerPlan, e: DockerError) -> String {
    let why = match e {
        DockerError::Command { stderr, .. } => stderr,
        other => other.to_string(),
    };
    format!(
        "Docker refused container `{}`: {why}",
        design.scenario.containers[c.index].name
    )
}

/// Creates container `c` and connects it to its further networks. An error leaves
/// nothing of it behind.
pub(super) fn create_container(plan: &Plan, c: &ContainerPlan) -> Result<(), DockerError> {
    docker_owned(&create_args(plan, c))?;
    if let NetMode::Bridges(att) = &c.mode {
        for at in att.iter().skip(1) {
            if let Err(e) = connect(plan, c, at) {
                let _ = cli::docker(&["rm", "-f", &c.name], None);
                return Err(e);
            }
        }
    }
    Ok(())
}

/// `docker network connect` of one attachment.
pub(super) fn connect(
    plan: &Plan,
    c: &ContainerPlan,
    at: &plan::Attach,
) -> Result<(), DockerError> {
    let mut a: Vec<String> = vec!["network".into(), "connect".into()];
    if let Some(ip) = at.ip {
        a.extend(["--ip".into(), ip.to_string()]);
    }
    for al in &at.aliases {
        a.extend(["--alias".into(), al.clone()]);
    }
    a.extend([plan.networks[at.net].name.clone(), c.name.clone()]);
    docker_owned(&a).map(drop)
}

/// Starts container `c`, waits for its agent, and stops it again when the design says
/// it is stopped (it then has an address it does not use, as in Docker).
pub(super) fn start_container(c: &ContainerPlan, within: Duration) -> Result<(), DockerError> {
    let before = ready_count(&c.name)?;
    cli::docker(&["start", &c.name], None)?;
    wait_ready(&c.name, before, within)?;
    if c.state == RunState::Stopped {
        cli::docker(&["stop", "-t", "0", &c.name], None)?;
    }
    Ok(())
}

/// Removes run `prefix`'s containers and networks and the LAN around them (`outside`
/// forgets it), and keeps its image: what a rebuild of the next state and a build
/// planned again both start from.
pub(super) fn remove_objects(prefix: &str, outside: &mut OutsideSlot) -> Result<(), DockerError> {
    *outside = Default::default();
    remove_outside(prefix);
    cli::remove_all(prefix)?;
    Ok(())
}

/// Whether [`build`] failed because another run took a subnet (or a link name) between
/// our look and our create: a build planned again, from nothing, gets around it.
pub(super) fn taken_meanwhile(e: &DockerError) -> bool {
    matches!(e, DockerError::Command { stderr, .. }
        if !session::interrupted()
            && (stderr.contains("Pool overlaps") || stderr.contains("File exists")))
}

/// Builds `design` under `prefix`: image, networks, containers; then reads back what
/// Docker gave.
pub fn build(
    design: &Design,
    opts: &Options,
    host: usize,
    prefix: &str,
    outside: &mut OutsideSlot,
) -> Result<Realized, DockerError> {
    let taken = taken_subnets()?;
    let around = if can_build_outside() {
        plan::Around::New
    } else {
        plan::Around::Nothing
    };
    let mut plan = plan::plan_with(design, prefix, host, &taken, around);
    if let Some(engine) = super::engine::running() {
        super::engine::set_aside_differences(&mut plan, design, host, engine);
    }
    // A port the machine itself listens on cannot be served on its stack again.
    let machine = crate::kernel::machine_listeners();
    for c in plan.containers.iter_mut().filter(|c| !c.bind.is_empty()) {
        c.tcp.retain(|p| !machine.contains(&(Protocol::Tcp, *p)));
        c.udp.retain(|p| !machine.contains(&(Protocol::Udp, *p)));
    }
    image::build(&plan.image, &opts.agent_exe)?;
    // Before the containers: their ports are published on the host's LAN address.
    let parties = build_outside(&plan, design, opts, outside)?;
    for n in &plan.networks {
        create_network(&plan, n, opts.agent_start)?;
    }
    let mut order: Vec<ContainerPlan> = plan.containers.clone();
    order.sort_by_key(|c| (!c.has_static_ip(), c.index));
    // What Docker refuses (a duplicate name or address, a port range it cannot map) is
    // the engine's answer to an invalid design: those containers' cells become
    // not-emulated with Docker's words, and the rest of the run goes on.
    let mut refused: BTreeMap<usize, String> = BTreeMap::new();
    for c in &order {
        if let Err(e) = create_container(&plan, c) {
            if session::interrupted() {
                return Err(e);
            }
            refused.insert(c.index, refusal(design, c, e));
        }
    }
    for c in &order {
        if c.state == RunState::Created || refused.contains_key(&c.index) {
            continue;
        }
        if let Err(e) = start_container(c, opts.agent_start) {
            if session::interrupted() || matches!(e, DockerError::Agent { .. }) {
                return Err(e);
            }
            let _ = cli::docker(&["rm", "-f", &c.name], None);
            refused.insert(c.index, refusal(design, c, e));
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
        outside: parties,
    };
    super::readback::read_back(design, &mut r)?;
    Ok(r)
}

/// A parent for a macvlan network: one end of a veth pair of the run, whose other end
/// lives in a `--network none` container of the run (the "wire"), where nothing routes:
/// what the children send off the segment is dropped there, never forwarded by the
/// machine. A route for the subnet on the parent keeps what the host sends there on it
/// (EXT-12: the parent does not reach its macvlan children) instead of following the
/// default route out of the machine. Removing the wire container takes the pair, and
/// the route, with it.
pub(super) fn macvlan_parent(
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
    wait_ready(&wire, 0, within)?;
    let pid = cli::docker(&["inspect", "--format", "{{.State.Pid}}", &wire], None)?;
    cli::ip_link(&["link", "set", &peer, "netns", pid.trim()], link)?;
    cli::docker(&["exec", &wire, "ip", "link", "set", &peer, "up"], None)?;
    cli::ip_link(&["link", "set", link, "up"], link)?;
    let subnet = subnet.to_string();
    cli::ip_link(&["route", "add", &subnet, "dev", link], link)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::vanished;

    /// Both ways the engine and the client say a network is gone are read as "gone"; any
    /// other failure is not retried.
    #[test]
    fn a_network_removed_meanwhile_is_told_from_other_failures() {
        assert!(vanished(
            "Error response from daemon: network 3f2a9c not found"
        ));
        assert!(vanished("Error: No such network: 3f2a9c"));
        assert!(!vanished(
            "Cannot connect to the Docker daemon at unix:///var/run/docker.sock"
        ));
        assert!(!vanished("permission denied while trying to connect"));
    }
}
