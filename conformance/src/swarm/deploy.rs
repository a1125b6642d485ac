//! A state of the design on the run's daemons: networks (local bridges and macvlans on
//! their host's daemon, overlays on a manager), standalone containers with their
//! networks, ports and state, and swarm services with their replicas placed as the
//! scenario places them; then what the engines gave, read back: every endpoint's
//! address, every published port, the routing mesh's ports.
//!
//! Swarm decides which task runs on which node; the scenario names replicas (`web.1`
//! on `lx1`). Tasks are constrained to the scenario's nodes for the service, and each
//! model replica is matched with a task on its own node (by slot); a replica swarm put
//! on another node is said so and not probed.

use super::SwarmError;
use crate::docker::cli::{docker_at, lines, Engine, LABEL};
use crate::docker::image::AGENT;
use hnsim_model::{Design, Driver, Protocol, RunState};
use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// Where a container of the design runs.
#[derive(Clone, Debug)]
pub struct Placed {
    pub host: usize,
    pub id: String,
    pub running: bool,
}

/// A state as the engines made it.
#[derive(Clone, Debug, Default)]
pub struct Deployed {
    /// Design container index → where it runs.
    pub containers: BTreeMap<usize, Placed>,
    /// Design container index → why it does not run (the engine's own words).
    pub refused: BTreeMap<usize, String>,
    /// (container, attachment) → the address the engine gave.
    pub ips: HashMap<(usize, usize), IpAddr>,
    /// (host, protocol, the model's host port) → the host port the engine published.
    pub ports: HashMap<(usize, Protocol, u16), u16>,
    /// (service, index of its forward) → the routing mesh's published port.
    pub mesh: HashMap<(usize, usize), u16>,
    pub notes: Vec<String>,
}

/// What the deployment needs to know about the run.
pub struct Run<'a> {
    pub engines: &'a BTreeMap<usize, Engine>,
    pub manager: Option<&'a Engine>,
    pub image: &'a str,
    /// The run's prefix, the value of the label every object gets.
    pub label: &'a str,
    pub within: Duration,
}

fn run(engine: &Engine, args: &[String]) -> Result<String, SwarmError> {
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    Ok(docker_at(engine, &refs, None)?)
}

fn words(e: SwarmError) -> String {
    match e {
        SwarmError::Docker(crate::docker::DockerError::Command { stderr, .. }) => stderr,
        other => other.to_string(),
    }
}

/// `/hnsim probe serve --tcp .. --udp ..` for a container's listening ports.
fn agent_args(c: &hnsim_model::Container) -> Vec<String> {
    let join = |p: Protocol| {
        let mut v: Vec<u16> = c
            .listen
            .iter()
            .filter(|l| l.proto == p)
            .map(|l| l.port)
            .collect();
        v.sort_unstable();
        v.dedup();
        v.iter().map(u16::to_string).collect::<Vec<_>>().join(",")
    };
    vec![
        AGENT.into(),
        "probe".into(),
        "serve".into(),
        "--tcp".into(),
        join(Protocol::Tcp),
        "--udp".into(),
        join(Protocol::Udp),
    ]
}

const PING_GROUP: &str = "net.ipv4.ping_group_range=0 2147483647";

fn networks(design: &Design, r: &Run, out: &mut Deployed) -> Result<(), SwarmError> {
    for net in &design.scenario.networks {
        let mut a: Vec<String> = vec!["network".into(), "create".into()];
        let engine = match (&net.host, &net.driver) {
            (None, Driver::Overlay) if net.name != "ingress" => {
                let Some(m) = r.manager else { continue };
                a.extend(["-d".into(), "overlay".into()]);
                if net.attachable {
                    a.push("--attachable".into());
                }
                m
            }
            (Some(h), Driver::Bridge | Driver::Macvlan)
                if !(net.name == "bridge" && net.origin.implicit) =>
            {
                let Some(k) = design.host_index(h) else {
                    continue;
                };
                let Some(e) = r.engines.get(&k) else { continue };
                a.extend(["-d".into(), net.driver.to_string()]);
                if net.driver == Driver::Macvlan {
                    // The parent is the host NIC's device in its namespace (`e<n>`).
                    let host = &design.scenario.hosts[k];
                    let n = design
                        .network_nic(net, host)
                        .and_then(|nic| host.nics.iter().position(|x| x.name == nic.name));
                    let Some(n) = n else { continue };
                    a.extend(["-o".into(), format!("parent=e{n}")]);
                }
                for (k, v) in net.options.iter().filter(|(k, _)| {
                    k.starts_with("com.docker.network.bridge.")
                        && k.as_str() != "com.docker.network.bridge.name"
                }) {
                    a.extend(["-o".into(), format!("{k}={v}")]);
                }
                if net.internal {
                    a.push("--internal".into());
                }
                e
            }
            _ => continue,
        };
        if let Some(s) = net.subnet.0.first() {
            a.extend(["--subnet".into(), s.to_string()]);
        }
        if let Some(g) = net.gateway {
            a.extend(["--gateway".into(), g.to_string()]);
        }
        a.extend([
            "--label".into(),
            format!("{LABEL}={}", r.label),
            net.name.clone(),
        ]);
        if let Err(e) = run(engine, &a) {
            out.notes
                .push(format!("network `{}`: {}", net.name, words(e)));
        }
    }
    Ok(())
}

fn container(design: &Design, r: &Run, ci: usize, engine: &Engine) -> Result<(), SwarmError> {
    let c = &design.scenario.containers[ci];
    let mut eps: Vec<_> = design.endpoints_of(ci).collect();
    eps.sort_by_key(|e| e.attachment);
    let driver = |e: &hnsim_model::Endpoint| {
        e.network
            .map(|n| design.scenario.networks[n].driver.clone())
    };
    let host_net = eps.iter().any(|e| driver(e) == Some(Driver::Host));
    let mut a: Vec<String> = vec![
        "create".into(),
        "--name".into(),
        c.name.clone(),
        "--label".into(),
        format!("{LABEL}={}", r.label),
    ];
    let attach = |e: &hnsim_model::Endpoint| {
        let name = e
            .network
            .map(|n| design.scenario.networks[n].name.clone())
            .unwrap_or_default();
        let ip = c.networks.get(e.attachment).and_then(|x| x.ip);
        (name, ip, e.aliases.clone())
    };
    if host_net {
        a.extend(["--network".into(), "host".into()]);
    } else {
        a.extend(["--sysctl".into(), PING_GROUP.into()]);
        if let Some(first) = eps.first() {
            let (name, ip, aliases) = attach(first);
            a.extend(["--network".into(), name]);
            if let Some(ip) = ip {
                a.extend(["--ip".into(), ip.to_string()]);
            }
            for al in aliases {
                a.extend(["--network-alias".into(), al]);
            }
        }
        for p in design.published_of(ci) {
            let f = &p.forward;
            // A range prints as Docker's `-p` takes it (`8000-8010`).
            let host = if p.ephemeral {
                String::new()
            } else {
                f.host_ports.to_string()
            };
            let ip = f.host_ip.map(|i| format!("{i}:")).unwrap_or_default();
            let proto = crate::docker::planning::publish_proto(f.proto);
            a.extend([
                "-p".into(),
                format!("{ip}{host}:{}{proto}", f.container_ports),
            ]);
        }
    }
    a.push(r.image.into());
    a.extend(agent_args(c));
    run(engine, &a)?;
    if !host_net {
        for e in eps.iter().skip(1) {
            let (name, ip, aliases) = attach(e);
            let mut a: Vec<String> = vec!["network".into(), "connect".into()];
            if let Some(ip) = ip {
                a.extend(["--ip".into(), ip.to_string()]);
            }
            for al in aliases {
                a.extend(["--alias".into(), al]);
            }
            a.extend([name, c.name.clone()]);
            run(engine, &a)?;
        }
    }
    if c.state != RunState::Created {
        run(engine, &["start".into(), c.name.clone()])?;
        wait_ready(engine, &c.name, r.within)?;
        if c.state == RunState::Stopped {
            run(
                engine,
                &["stop".into(), "-t".into(), "0".into(), c.name.clone()],
            )?;
        }
    }
    Ok(())
}

/// Waits until container `id` of `engine` has said `ready`.
fn wait_ready(engine: &Engine, id: &str, within: Duration) -> Result<(), SwarmError> {
    let deadline = Instant::now() + within;
    loop {
        let out = docker_at(engine, &["logs", id], None).unwrap_or_default();
        if out.lines().any(|l| l.trim() == "ready") {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(SwarmError::Daemon(format!(
                "the agent of {id} did not start"
            )));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn service(design: &Design, r: &Run, si: usize, out: &mut Deployed) -> Result<(), SwarmError> {
    let s = &design.scenario;
    let svc = &s.services[si];
    let Some(manager) = r.manager else {
        return Err(SwarmError::Scenario(
            "the scenario has no swarm manager with an address".into(),
        ));
    };
    let replicas: Vec<usize> = (0..s.containers.len())
        .filter(|&ci| s.containers[ci].service.as_deref() == Some(svc.name.as_str()))
        .collect();
    let Some(&first) = replicas.first() else {
        return Ok(());
    };
    let host_of = |ci: usize| design.host_index(&s.containers[ci].host);
    let mut a: Vec<String> = vec![
        "service".into(),
        "create".into(),
        "-d".into(),
        // The image is imported into every daemon; there is no registry to ask.
        "--no-resolve-image".into(),
        "--name".into(),
        svc.name.clone(),
        "--label".into(),
        format!("{LABEL}={}", r.label),
        // Created with no task; each replica is then added on its own node (below).
        "--replicas".into(),
        "0".into(),
        "--sysctl".into(),
        PING_GROUP.into(),
    ];
    for n in &svc.networks {
        a.extend(["--network".into(), n.network.clone()]);
    }
    for f in design.service_ports.get(si).into_iter().flatten() {
        let range = |r: hnsim_model::PortRange| {
            if r.start == r.end {
                r.start.to_string()
            } else {
                format!("{}-{}", r.start, r.end)
            }
        };
        let proto = if f.proto == Protocol::Udp {
            "udp"
        } else {
            "tcp"
        };
        let explicit = svc
            .ports
            .iter()
            .any(|p| p.container_port == f.container_ports && p.host_port.is_some());
        let published = if explicit {
            format!("published={},", range(f.host_ports))
        } else {
            String::new()
        };
        a.extend([
            "--publish".into(),
            format!(
                "{published}target={},protocol={proto}",
                range(f.container_ports)
            ),
        ]);
    }
    a.push(r.image.into());
    a.extend(agent_args(&s.containers[first]));
    run(manager, &a)?;
    // Swarm decides which node a new task goes to; the scenario says which node each
    // replica is on. So the service grows one task at a time while only the node of the
    // next replica takes new tasks (a paused node keeps its running ones; a placement
    // constraint would not: swarm moves tasks off a node that stops meeting it), and
    // task slot i is replica i.
    for (i, &ci) in replicas.iter().enumerate() {
        super::cluster::only(manager, r.engines, host_of(ci))?;
        run(
            manager,
            &[
                "service".into(),
                "scale".into(),
                "-d".into(),
                format!("{}={}", svc.name, i + 1),
            ],
        )?;
        running_tasks(r, &svc.name, i + 1)?;
    }
    super::cluster::only(manager, r.engines, None)?;
    let tasks = running_tasks(r, &svc.name, replicas.len())?;
    for (n, &ci) in replicas.iter().enumerate() {
        let slot = n as u32 + 1;
        match tasks.iter().find(|(_, sl, _)| *sl == slot) {
            Some((k, _, id)) if Some(*k) == host_of(ci) => {
                wait_ready(&r.engines[k], id, r.within)?;
                out.containers.insert(
                    ci,
                    Placed {
                        host: *k,
                        id: id.clone(),
                        running: true,
                    },
                );
            }
            _ => {
                out.refused.insert(
                    ci,
                    format!(
                        "swarm placed replica `{}` (slot {slot}) elsewhere than on `{}`",
                        s.containers[ci].name, s.containers[ci].host
                    ),
                );
            }
        }
    }
    Ok(())
}

/// The running tasks of service `name` once `count` run: (host, slot, container id).
fn running_tasks(
    r: &Run,
    name: &str,
    count: usize,
) -> Result<Vec<(usize, u32, String)>, SwarmError> {
    let deadline = Instant::now() + r.within * 2;
    loop {
        let mut found = Vec::new();
        for (&k, e) in r.engines {
            let filter = format!("label=com.docker.swarm.service.name={name}");
            let text = docker_at(
                e,
                &[
                    "ps",
                    "--filter",
                    &filter,
                    "--format",
                    "{{.ID}} {{.Label \"com.docker.swarm.task.name\"}}",
                ],
                None,
            )?;
            for l in lines(&text) {
                let mut w = l.split_whitespace();
                let (Some(id), Some(task)) = (w.next(), w.next()) else {
                    continue;
                };
                let slot = task
                    .split('.')
                    .nth(1)
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0);
                found.push((k, slot, id.to_string()));
            }
        }
        if found.len() >= count {
            return Ok(found);
        }
        if Instant::now() >= deadline {
            return Err(SwarmError::Daemon(format!(
                "service `{name}`: {} of {count} tasks running",
                found.len()
            )));
        }
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// Deploys `design` on the run's daemons and reads back what they gave.
pub fn deploy(design: &Design, r: &Run) -> Result<Deployed, SwarmError> {
    let mut out = Deployed::default();
    networks(design, r, &mut out)?;
    let s = &design.scenario;
    for (ci, c) in s.containers.iter().enumerate() {
        if c.service.is_some() {
            continue;
        }
        let Some(k) = design.host_index(&c.host) else {
            continue;
        };
        let Some(engine) = r.engines.get(&k) else {
            continue;
        };
        match container(design, r, ci, engine) {
            Ok(()) => {
                out.containers.insert(
                    ci,
                    Placed {
                        host: k,
                        id: c.name.clone(),
                        running: c.is_running(),
                    },
                );
            }
            Err(e) if crate::session::interrupted() => return Err(e),
            Err(e) => {
                let _ = docker_at(engine, &["rm", "-f", &c.name], None);
                out.refused.insert(
                    ci,
                    format!("Docker refused container `{}`: {}", c.name, words(e)),
                );
            }
        }
    }
    for si in 0..s.services.len() {
        if let Err(e) = service(design, r, si, &mut out) {
            if crate::session::interrupted() {
                return Err(e);
            }
            out.notes
                .push(format!("service `{}`: {}", s.services[si].name, words(e)));
        }
    }
    super::readback::read_back(design, r, &mut out)?;
    Ok(out)
}

/// Removes the services, containers and networks of the run from its daemons (the
/// daemons and the swarm stay, for the next state).
pub fn undeploy(r: &Run) -> Result<(), SwarmError> {
    let filter = format!("label={LABEL}={}", r.label);
    if let Some(m) = r.manager {
        let _ = super::cluster::only(m, r.engines, None);
        let ids = lines(&docker_at(
            m,
            &["service", "ls", "-q", "--filter", &filter],
            None,
        )?);
        if !ids.is_empty() {
            let mut a = vec!["service", "rm"];
            a.extend(ids.iter().map(String::as_str));
            docker_at(m, &a, None)?;
        }
    }
    let deadline = Instant::now() + r.within;
    for e in r.engines.values() {
        loop {
            // Standalone containers carry the label; service tasks their service's.
            let mut ids = lines(&docker_at(e, &["ps", "-aq", "--filter", &filter], None)?);
            ids.extend(lines(&docker_at(
                e,
                &[
                    "ps",
                    "-aq",
                    "--filter",
                    "label=com.docker.swarm.service.name",
                ],
                None,
            )?));
            if ids.is_empty() || Instant::now() >= deadline {
                break;
            }
            let mut a = vec!["rm", "-f"];
            a.extend(ids.iter().map(String::as_str));
            let _ = docker_at(e, &a, None);
            std::thread::sleep(Duration::from_millis(300));
        }
    }
    let mut engines: Vec<&Engine> = r.manager.into_iter().collect();
    engines.extend(r.engines.values());
    for e in engines {
        for _ in 0..20 {
            let ids = lines(&docker_at(
                e,
                &["network", "ls", "-q", "--filter", &filter],
                None,
            )?);
            if ids.is_empty() {
                break;
            }
            let mut a = vec!["network", "rm"];
            a.extend(ids.iter().map(String::as_str));
            if docker_at(e, &a, None).is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(300));
        }
    }
    Ok(())
}
