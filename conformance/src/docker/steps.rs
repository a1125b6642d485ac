//! A timeline step applied to the live engine: the difference between the realized
//! state and the next one, made with the commands a user would type — `docker run`,
//! `stop`, `start`, `rm`, `network connect`/`disconnect`, `network create`/`rm` — so
//! what is probed next is what Docker made of the step, not a fresh build.
//!
//! A step that changes a network under its containers (a daemon configuration giving
//! the default bridge another subnet) cannot be applied to a live network: the state is
//! built anew and a note says so. Steps about the daemon itself (a restart, a reboot)
//! are applied through what the model says they do to the containers; the machine's
//! own engine is never restarted.

use super::build::{self, create_container, create_network, refusal, start_container, Realized};
use super::plan::{self, Attach, ContainerPlan, NetMode, NetPlan, Plan};
use super::{cli, DockerError, Options};
use crate::session;
use hnsim_model::{Design, RunState};
use std::collections::BTreeMap;

/// Whether a step must rebuild the state instead.
pub(super) enum Applied {
    Live,
    Rebuild(String),
}

fn same_network(a: &NetPlan, b: &NetPlan) -> bool {
    a.subnet == b.subnet
        && a.gateway == b.gateway
        && a.ip_range == b.ip_range
        && a.internal == b.internal
        && a.options == b.options
        && a.macvlan_parent.is_some() == b.macvlan_parent.is_some()
}

/// A container's attachments by network name.
fn attachments(p: &Plan, c: &ContainerPlan) -> BTreeMap<String, Attach> {
    match &c.mode {
        NetMode::Bridges(att) => att
            .iter()
            .map(|a| (p.networks[a.net].name.clone(), a.clone()))
            .collect(),
        _ => BTreeMap::new(),
    }
}

/// Whether `next` can be reached from `live` by connecting, disconnecting, stopping and
/// starting, or the container must be created again.
fn same_container(lp: &Plan, live: &ContainerPlan, np: &Plan, next: &ContainerPlan) -> bool {
    let kind = |m: &NetMode| std::mem::discriminant(m);
    let first = |p: &Plan, c: &ContainerPlan| match &c.mode {
        NetMode::Bridges(a) => a.first().map(|a| p.networks[a.net].name.clone()),
        _ => None,
    };
    kind(&live.mode) == kind(&next.mode)
        && live.publish == next.publish
        && live.tcp == next.tcp
        && live.udp == next.udp
        // The first network is the one `docker create` gave: it carries the mappings.
        && first(lp, live) == first(np, next)
}

fn remove(name: &str) -> Result<(), DockerError> {
    cli::docker(&["rm", "-f", "-v", name], None).map(drop)
}

/// Moves the live state to `design`'s.
pub(super) fn apply(
    live: &mut Realized,
    design: &Design,
    opts: &Options,
    host: usize,
    prefix: &str,
) -> Result<Applied, DockerError> {
    let own: Vec<_> = live.plan.networks.iter().map(|n| n.subnet).collect();
    let taken: Vec<_> = build::taken_subnets()?
        .into_iter()
        .filter(|t| !own.contains(t))
        .collect();
    let around = match &live.plan.lan {
        Some(lan) => plan::Around::Kept(lan.clone()),
        None => plan::Around::Nothing,
    };
    let mut next = plan::plan_with(design, prefix, host, &taken, around);
    for n in &next.networks {
        if let Some(m) = live.plan.networks.iter().find(|m| m.name == n.name) {
            if !same_network(m, n) {
                return Ok(Applied::Rebuild(format!(
                    "network `{}` changed ({} -> {}): Docker cannot change a network under \
                     its containers, so this state was built anew",
                    n.name.trim_start_matches(prefix),
                    m.subnet,
                    n.subnet
                )));
            }
        }
    }
    let live_plan = live.plan.clone();
    // Containers that are gone, or that only a new `docker run` gives the next shape.
    for c in &live_plan.containers {
        let keep = next
            .containers
            .iter()
            .find(|n| n.name == c.name)
            .is_some_and(|n| same_container(&live_plan, c, &next, n));
        if !keep {
            remove(&c.name)?;
        }
    }
    for n in &next.networks {
        if !live_plan.networks.iter().any(|m| m.name == n.name) {
            create_network(&next, n, opts.agent_start)?;
        }
    }
    let mut refused: BTreeMap<usize, String> = BTreeMap::new();
    let mut order: Vec<ContainerPlan> = next.containers.clone();
    order.sort_by_key(|c| (!c.has_static_ip(), c.index));
    for c in &order {
        if session::interrupted() {
            return Err(DockerError::Command {
                cmd: "apply a step".into(),
                stderr: "interrupted".into(),
            });
        }
        let was = live_plan
            .containers
            .iter()
            .find(|l| l.name == c.name)
            .filter(|l| same_container(&live_plan, l, &next, c));
        let result = match was {
            None => create_container(&next, c).and_then(|()| {
                if c.state == RunState::Created {
                    Ok(())
                } else {
                    start_container(c, opts.agent_start)
                }
            }),
            Some(l) => change(&live_plan, l, &next, c, opts),
        };
        if let Err(e) = result {
            if session::interrupted() || matches!(e, DockerError::Agent { .. }) {
                return Err(e);
            }
            let _ = remove(&c.name);
            refused.insert(c.index, refusal(design, c, e));
        }
    }
    for m in &live_plan.networks {
        if !next.networks.iter().any(|n| n.name == m.name) {
            cli::docker(&["network", "rm", &m.name], None)?;
        }
    }
    next.containers.retain(|c| !refused.contains_key(&c.index));
    for (ci, why) in refused {
        next.notes.push(why.clone());
        next.container_not_emulated.insert(ci, why);
    }
    *live = Realized {
        notes: next.notes.clone(),
        plan: next,
        ips: Default::default(),
        ports: Default::default(),
        outside: live.outside.clone(),
    };
    super::readback::read_back(design, live)?;
    Ok(Applied::Live)
}

/// Connects, disconnects, stops and starts one existing container.
fn change(
    lp: &Plan,
    live: &ContainerPlan,
    np: &Plan,
    next: &ContainerPlan,
    opts: &Options,
) -> Result<(), DockerError> {
    let (before, after) = (attachments(lp, live), attachments(np, next));
    for (name, a) in &before {
        let same = after
            .get(name)
            .is_some_and(|b| b.ip == a.ip && b.aliases == a.aliases);
        if !same {
            cli::docker(&["network", "disconnect", "-f", name, &live.name], None)?;
        }
    }
    for (name, b) in &after {
        let same = before
            .get(name)
            .is_some_and(|a| b.ip == a.ip && b.aliases == a.aliases);
        if !same {
            build::connect(np, next, b)?;
        }
    }
    match (live.state, next.state) {
        (RunState::Running, RunState::Stopped | RunState::Created) => {
            cli::docker(&["stop", "-t", "0", &next.name], None).map(drop)
        }
        (RunState::Stopped | RunState::Created, RunState::Running) => {
            start_container(next, opts.agent_start)
        }
        _ => Ok(()),
    }
}
