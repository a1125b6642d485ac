//! The swarm of the run's daemons: `docker swarm init --advertise-addr` on the first
//! manager, `join` with the manager or worker token on the others (at the address the
//! scenario gives each host), every node labelled with its scenario host, and which
//! nodes may take a new task.

use super::SwarmError;
use crate::docker::cli::{docker_at, Engine};
use hnsim_model::{Design, SwarmRole};
use std::collections::BTreeMap;

/// Label naming a node's scenario host (`hnsim.host=lx1`).
pub const HOST_LABEL: &str = "hnsim.host";

fn run(engine: &Engine, args: &[&str]) -> Result<String, SwarmError> {
    Ok(docker_at(engine, args, None)?.trim().to_string())
}

/// Forms the swarm of `engines` (scenario host index → engine) as the scenario's roles
/// say. Returns the first manager's engine (`None` when the scenario has no swarm), and
/// the swarm nodes left out with the reason (a node without an address to advertise).
pub fn form(
    design: &Design,
    engines: &BTreeMap<usize, Engine>,
) -> Result<(Option<Engine>, Vec<String>), SwarmError> {
    let hosts = &design.scenario.hosts;
    let mut skipped = Vec::new();
    let mut nodes: Vec<(usize, &Engine, String)> = Vec::new();
    for (&k, engine) in engines {
        if hosts[k].swarm == SwarmRole::None {
            continue;
        }
        match hosts[k].primary_ip() {
            Some(ip) => nodes.push((k, engine, ip.to_string())),
            None => skipped.push(format!(
                "swarm node `{}` has no address to advertise: it is not in the swarm",
                hosts[k].name
            )),
        }
    }
    let Some((first, manager, a)) = nodes
        .iter()
        .find(|(k, _, _)| hosts[*k].swarm == SwarmRole::Manager)
        .cloned()
    else {
        return Ok((None, skipped));
    };
    run(
        manager,
        &[
            "swarm",
            "init",
            "--advertise-addr",
            &a,
            "--listen-addr",
            &format!("{a}:2377"),
        ],
    )?;
    let manager_token = run(manager, &["swarm", "join-token", "-q", "manager"])?;
    let worker_token = run(manager, &["swarm", "join-token", "-q", "worker"])?;
    let remote = format!("{a}:2377");
    for (k, engine, own) in &nodes {
        let token = match hosts[*k].swarm {
            _ if *k == first => continue,
            SwarmRole::Manager => &manager_token,
            _ => &worker_token,
        };
        run(
            engine,
            &[
                "swarm",
                "join",
                "--advertise-addr",
                own,
                "--token",
                token,
                &remote,
            ],
        )?;
    }
    for (k, engine, _) in &nodes {
        let id = run(engine, &["info", "--format", "{{.Swarm.NodeID}}"])?;
        let label = format!("{HOST_LABEL}={}", hosts[*k].name);
        run(manager, &["node", "update", "--label-add", &label, &id])?;
    }
    Ok((Some(manager.clone()), skipped))
}

/// Makes host `host` the only node a new task can go to — the others are `pause`d,
/// which keeps their running tasks where they are — or every node again (`None`).
pub fn only(
    manager: &Engine,
    engines: &BTreeMap<usize, Engine>,
    host: Option<usize>,
) -> Result<(), SwarmError> {
    for (k, engine) in engines {
        let id = run(engine, &["info", "--format", "{{.Swarm.NodeID}}"])?;
        if id.is_empty() {
            continue; // not a swarm node
        }
        let availability = if host.is_none_or(|h| h == *k) {
            "active"
        } else {
            "pause"
        };
        run(
            manager,
            &["node", "update", "--availability", availability, &id],
        )?;
    }
    Ok(())
}
