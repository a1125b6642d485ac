//! What the Linux and the Windows engine plans and locators share: which scenario host
//! a run realizes (and keeps over a timeline), which containers are on it, the ports
//! their agents serve, how a container's `docker create` begins, whether an endpoint's
//! probes can leave from a realized container, and which address and published port a
//! target has. One engine is one Docker host on either OS, so these rules are the same;
//! only the words of the refusals and which hosts fit differ. Pure, like the plans.

use hnsim_model::{Container, Design, Host, Protocol, RunState};
use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;

/// The host a run realizes: `wanted` unless `refused` says why this engine cannot
/// realize it, else the first host that `fits` and runs a container, else the first
/// host that fits; `none` when no host fits.
pub(crate) fn choose_host(
    design: &Design,
    wanted: Option<&str>,
    refused: impl Fn(&Host) -> Option<String>,
    fits: impl Fn(&Host) -> bool,
    none: &str,
) -> Result<usize, String> {
    let hosts = &design.scenario.hosts;
    if let Some(w) = wanted {
        let i = design
            .host_index(w)
            .ok_or_else(|| format!("host `{w}` is not in the scenario"))?;
        return match refused(&hosts[i]) {
            Some(why) => Err(why),
            None => Ok(i),
        };
    }
    let candidates: Vec<usize> = (0..hosts.len()).filter(|&i| fits(&hosts[i])).collect();
    candidates
        .iter()
        .copied()
        .find(|&i| {
            design
                .scenario
                .containers
                .iter()
                .any(|c| c.host == hosts[i].name)
        })
        .or_else(|| candidates.first().copied())
        .ok_or_else(|| none.to_string())
}

/// The host of a run: chosen by `choose` at its first realization, and the same for
/// every later state of its timeline.
pub(crate) fn run_host(
    kept: &mut Option<usize>,
    choose: impl FnOnce() -> Result<usize, String>,
) -> Result<usize, super::DockerError> {
    if let Some(h) = *kept {
        return Ok(h);
    }
    let h = choose().map_err(super::DockerError::Scenario)?;
    *kept = Some(h);
    Ok(h)
}

/// The protocol part of a `-p` argument (`80:80/udp`): TCP is Docker's default and
/// goes unsaid; SCTP is not published by these runs.
pub(crate) fn publish_proto(proto: Protocol) -> &'static str {
    match proto {
        Protocol::Udp => "/udp",
        _ => "",
    }
}

/// The name of scenario host `k`, if there is one.
pub(crate) fn host_name(design: &Design, k: usize) -> Option<&str> {
    design.scenario.hosts.get(k).map(|h| h.name.as_str())
}

/// The containers on host `host_name`, with their index in the scenario. Every other
/// container is recorded in `not_emulated` as running elsewhere; `one_host` says why
/// the engine cannot realize it (`one Windows engine is one host`).
pub(crate) fn containers_on<'d>(
    design: &'d Design,
    host_name: &str,
    one_host: &str,
    not_emulated: &mut BTreeMap<usize, String>,
) -> Vec<(usize, &'d Container)> {
    let mut here = Vec::new();
    for (ci, c) in design.scenario.containers.iter().enumerate() {
        if c.host == host_name {
            here.push((ci, c));
        } else {
            not_emulated.insert(
                ci,
                format!(
                    "container `{}` runs on host `{}`; {one_host} (`{host_name}`)",
                    c.name, c.host
                ),
            );
        }
    }
    here
}

/// The TCP and UDP ports the container's services listen on, sorted and each once:
/// what its agent serves (SCTP is not served).
pub(crate) fn listen_ports(c: &Container) -> (Vec<u16>, Vec<u16>) {
    let mut tcp = Vec::new();
    let mut udp = Vec::new();
    for l in &c.listen {
        match l.proto {
            Protocol::Tcp => tcp.push(l.port),
            Protocol::Udp => udp.push(l.port),
            Protocol::Sctp => {}
        }
    }
    for ports in [&mut tcp, &mut udp] {
        ports.sort_unstable();
        ports.dedup();
    }
    (tcp, udp)
}

/// Containers not realized, and (container, attachment) not realized, with the reason.
pub(crate) type NotEmulated<'p> = (
    &'p BTreeMap<usize, String>,
    &'p BTreeMap<(usize, usize), String>,
);

/// What either engine's plan says about the scenario's containers.
pub(crate) trait Realizes {
    /// The plan of one realized container.
    type Container;
    fn not_emulated(&self) -> NotEmulated<'_>;
    /// The plan of realized container `ci`; `None` when it is not realized.
    fn realized(&self, ci: usize) -> Option<&Self::Container>;
    /// The state of realized container `ci`; `None` when it is not realized.
    fn state_of(&self, ci: usize) -> Option<RunState>;
}

/// Implements [`Realizes`] for an engine's plan from its `containers` (each with the
/// scenario `index` it realizes and its `state`) and its `container_not_emulated` and
/// `endpoint_not_emulated` maps: both engines' plans are laid out so.
macro_rules! impl_realizes {
    ($plan:ty, $container:ty) => {
        impl $crate::docker::planning::Realizes for $plan {
            type Container = $container;
            fn not_emulated(&self) -> $crate::docker::planning::NotEmulated<'_> {
                (&self.container_not_emulated, &self.endpoint_not_emulated)
            }
            fn realized(&self, ci: usize) -> Option<&$container> {
                self.containers.iter().find(|c| c.index == ci)
            }
            fn state_of(&self, ci: usize) -> Option<hnsim_model::RunState> {
                self.realized(ci).map(|c| c.state)
            }
        }
    };
}
pub(crate) use impl_realizes;

/// `Ok` when endpoint `att` of container `ci` is realized, or why it is not.
pub(crate) fn endpoint(
    plan: &impl Realizes,
    design: &Design,
    ci: usize,
    att: usize,
) -> Result<(), String> {
    let (containers, endpoints) = plan.not_emulated();
    if let Some(why) = containers.get(&ci) {
        return Err(why.clone());
    }
    if let Some(why) = endpoints.get(&(ci, att)) {
        return Err(why.clone());
    }
    if plan.state_of(ci).is_none() {
        return Err(format!(
            "container `{}` is not realized",
            design.scenario.containers[ci].name
        ));
    }
    Ok(())
}

/// The plan of container `ci` when its endpoint `att` can send (it is realized and
/// running), or why it cannot.
pub(crate) fn sender<'p, P: Realizes>(
    plan: &'p P,
    design: &Design,
    ci: usize,
    att: usize,
) -> Result<&'p P::Container, String> {
    endpoint(plan, design, ci, att)?;
    if plan.state_of(ci) != Some(RunState::Running) {
        return Err(format!(
            "container `{}` is not running; it sends nothing",
            design.scenario.containers[ci].name
        ));
    }
    plan.realized(ci).ok_or_else(|| "not realized".to_string())
}

/// `Ok` when scenario host `k` is the host the run realizes, else that it is another
/// machine (one engine is one Docker host).
pub(crate) fn on_realized_host(
    design: &Design,
    realized: Option<usize>,
    k: usize,
) -> Result<(), String> {
    if Some(k) == realized {
        return Ok(());
    }
    Err(format!(
        "host `{}` is another machine",
        host_name(design, k).unwrap_or("?")
    ))
}

/// The address `engine` gave endpoint `att` of container `ci` (read back from the engine).
pub(crate) fn endpoint_ip(
    ips: &HashMap<(usize, usize), IpAddr>,
    ci: usize,
    att: usize,
    engine: &str,
) -> Result<IpAddr, String> {
    ips.get(&(ci, att))
        .copied()
        .ok_or_else(|| format!("{engine} gave the endpoint no address"))
}

/// The host port the engine published for `port` of published mapping `mapping`, or
/// why there is none; `dest` words the reasons that are about the destination.
pub(crate) fn published_port(
    plan: &impl Realizes,
    design: &Design,
    ports: &HashMap<(Protocol, u16), u16>,
    (mapping, port): (usize, Option<u16>),
    dest: impl Fn(String) -> String,
) -> Result<u16, String> {
    let m = design.published.get(mapping).ok_or("no such mapping")?;
    if let Some(why) = plan.not_emulated().0.get(&m.container) {
        return Err(dest(why.clone()));
    }
    if plan.state_of(m.container).is_none() {
        return Err(dest("the publishing container is not realized".into()));
    }
    let model_port = port.ok_or("a mapping without a port")?;
    ports
        .get(&(m.forward.proto, model_port))
        .copied()
        .ok_or_else(|| {
            dest(format!(
                "the engine published no {}/{model_port}",
                m.forward.proto
            ))
        })
}

/// `docker create --name NAME --label <run label>`: how every container of a run
/// begins, labelled so that clean-up finds it.
pub(crate) fn create_head(name: &str, prefix: &str) -> Vec<String> {
    vec![
        "create".into(),
        "--name".into(),
        name.to_string(),
        "--label".into(),
        format!("{}={prefix}", super::cli::LABEL),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::docker::plan::tests::design;

    const TWO_HOSTS: &str = "name: t\nhosts:\n  - {name: a, os: linux}\n  - {name: b, os: linux}\ncontainers:\n  - {name: x, host: b, listen: [udp/53, tcp/80, tcp/80, sctp/9, tcp/22]}\n  - {name: y, host: a}\n";

    #[test]
    fn the_named_host_else_the_first_fitting_one_with_a_container() {
        let d = design(TWO_HOSTS);
        let never = |_: &Host| None;
        let any = |_: &Host| true;
        assert_eq!(choose_host(&d, None, never, any, "none"), Ok(0));
        assert_eq!(choose_host(&d, Some("b"), never, any, "none"), Ok(1));
        let not_b = |h: &Host| h.name != "b";
        assert_eq!(choose_host(&d, None, never, not_b, "none"), Ok(0));
        let refuse = |h: &Host| Some(format!("not {}", h.name));
        assert_eq!(
            choose_host(&d, Some("a"), refuse, any, "none"),
            Err("not a".into())
        );
        assert!(choose_host(&d, Some("c"), never, any, "none").is_err());
        assert_eq!(
            choose_host(&d, None, never, |_| false, "none"),
            Err("none".into())
        );
    }

    #[test]
    fn containers_elsewhere_are_recorded_and_ports_served_once_each() {
        let d = design(TWO_HOSTS);
        let mut not_emulated = BTreeMap::new();
        let here = containers_on(&d, "b", "one engine is one host", &mut not_emulated);
        assert_eq!(here.len(), 1);
        assert_eq!(here[0].0, 0);
        assert_eq!(
            not_emulated[&1],
            "container `y` runs on host `a`; one engine is one host (`b`)"
        );
        assert_eq!(listen_ports(here[0].1), (vec![22, 80], vec![53]));
    }

    #[test]
    fn the_first_host_chosen_is_kept() {
        let mut kept = None;
        assert_eq!(run_host(&mut kept, || Ok(1)).unwrap(), 1);
        assert_eq!(run_host(&mut kept, || Ok(0)).unwrap(), 1);
        let mut none = None;
        assert!(run_host(&mut none, || Err("no host".into())).is_err());
        assert_eq!(none, None);
    }
}
