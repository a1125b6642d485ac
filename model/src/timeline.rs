//! The optional timeline: applying steps (create/remove network, run/stop/start,
//! connect/disconnect, daemon config, reboot, service restarts, out-of-band vSwitch)
//! one by one, the way Docker and HNS react to them.
//!
//! Each step yields the next state of the scenario and the events worth reporting; the
//! validator turns events into findings, the simulator computes a matrix per state.

use crate::driver::Driver;
use crate::scenario::*;

/// Something a step caused (or was refused for) that a user should hear about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepEvent {
    /// NAT-13: a NAT network created on WS2019+ is gone after the host rebooted.
    NetworkLostOnReboot { host: String, network: String },
    /// A container whose network vanished cannot start again.
    ContainerStoppedNetworkGone { container: String, network: String },
    /// OPT-7: network attach / detach or static IP on a running Windows container.
    HotAttachRefused { container: String, network: String },
    /// `docker network rm` on a network with running endpoints: Docker refuses.
    RemoveNetworkInUse {
        network: String,
        containers: Vec<String>,
    },
    /// OPT-8: the network, its vSwitch and any NetNat instance it created are removed.
    NetworkRemoved {
        host: Option<String>,
        network: String,
        driver: Driver,
    },
    /// NAT-3: fixed-cidr / bridge changed while NAT networks exist.
    DaemonConfigWithNatNetworks { host: String, networks: Vec<String> },
    /// TRANS-7: a vSwitch created out of band while Docker runs stays invisible to it.
    VswitchCreatedOutOfBand { host: String, vswitch: String },
    /// TRANS-7: restarting hns/docker (or rebooting) makes out-of-band vSwitches visible.
    VswitchesNowVisible {
        host: String,
        vswitches: Vec<String>,
    },
    /// A step names an object that does not exist at that point.
    UnknownReference { what: &'static str, name: String },
    /// Created/run an object whose name is already taken on that host.
    DuplicateName { what: &'static str, name: String },
}

/// One state of the timeline.
#[derive(Clone, Debug)]
pub struct TimelineState {
    /// `None`: the initial design; `Some(i)`: after `steps[i]`.
    pub step: Option<usize>,
    pub label: String,
    pub scenario: Scenario,
    /// What the step that led here caused.
    pub events: Vec<StepEvent>,
}

/// The initial state followed by the state after each step.
pub fn states(initial: &Scenario) -> impl Iterator<Item = TimelineState> + '_ {
    let mut base = initial.clone();
    base.steps.clear();
    if !initial.steps.is_empty() {
        // Docker's own networks become explicit so that steps can remove them (NAT-3:
        // remove the default nat network before changing fixed-cidr) and restarts can
        // bring them back.
        crate::resolve::add_default_networks(&mut base);
        base.defaults_materialized = true;
    }
    // One state at a time: each is the previous one with a step applied, so only the
    // state being looked at and the one the next is made from are in memory (and
    // without steps, only the one state: no copy is kept to apply steps to).
    let mut current: Option<Scenario> = None;
    let mut steps = initial.steps.iter().enumerate();
    let has_steps = !initial.steps.is_empty();
    std::iter::from_fn(move || match current.as_mut() {
        None => {
            current = Some(if has_steps {
                base.clone()
            } else {
                Scenario::default()
            });
            Some(TimelineState {
                step: None,
                label: "initial design".to_string(),
                scenario: std::mem::take(&mut base),
                events: vec![],
            })
        }
        Some(scenario) => {
            let (i, step) = steps.next()?;
            let events = apply(scenario, step);
            Some(TimelineState {
                step: Some(i),
                label: format!("after step {}: {}", i + 1, describe(step)),
                scenario: scenario.clone(),
                events,
            })
        }
    })
}

/// A short human description of a step.
pub fn describe(step: &Step) -> String {
    match step {
        Step::CreateNetwork(n) => format!("create network {} ({})", n.name, n.driver),
        Step::RemoveNetwork(r) => format!("remove network {}", r.name),
        Step::Run(c) => format!("run {} on {}", c.name, c.host),
        Step::Stop(c) => format!("stop {c}"),
        Step::Start(c) => format!("start {c}"),
        Step::Remove(c) => format!("remove {c}"),
        Step::Connect(c) => format!("connect {} to {}", c.container, c.network),
        Step::Disconnect(c) => format!("disconnect {} from {}", c.container, c.network),
        Step::DaemonConfig(d) => format!("change daemon config on {}", d.host),
        Step::Reboot(h) => format!("reboot {h}"),
        Step::RestartHns(h) => format!("restart hns on {h}"),
        Step::RestartDocker(h) => format!("restart docker on {h}"),
        Step::CreateVswitch(v) => format!("create vSwitch {} on {} out of band", v.name, v.host),
    }
}

fn host_of<'a>(s: &'a Scenario, name: &str) -> Option<&'a Host> {
    s.hosts.iter().find(|h| h.name == name)
}

/// Applies one step in place and returns what it caused.
pub fn apply(s: &mut Scenario, step: &Step) -> Vec<StepEvent> {
    let mut events = Vec::new();
    match step {
        Step::CreateNetwork(n) => {
            let clash = s
                .networks
                .iter()
                .any(|o| o.name == n.name && o.host == n.host);
            if clash {
                events.push(StepEvent::DuplicateName {
                    what: "network",
                    name: n.name.clone(),
                });
            } else {
                s.networks.push(n.clone());
            }
        }
        Step::RemoveNetwork(r) => remove_network(s, r, &mut events),
        Step::Run(c) => {
            if s.containers.iter().any(|o| o.name == c.name) {
                events.push(StepEvent::DuplicateName {
                    what: "container",
                    name: c.name.clone(),
                });
            } else {
                let mut c = c.clone();
                if c.state == RunState::Created {
                    c.state = RunState::Running;
                }
                s.containers.push(c);
            }
        }
        Step::Stop(name) | Step::Start(name) | Step::Remove(name) => {
            match s.containers.iter().position(|c| &c.name == name) {
                None => events.push(StepEvent::UnknownReference {
                    what: "container",
                    name: name.clone(),
                }),
                Some(i) => match step {
                    Step::Stop(_) => s.containers[i].state = RunState::Stopped,
                    Step::Remove(_) => {
                        s.containers.remove(i);
                    }
                    _ => start_container(s, i, &mut events),
                },
            }
        }
        Step::Connect(c) | Step::Disconnect(c) => connect(s, c, step, &mut events),
        Step::DaemonConfig(d) => {
            let materialized = s.defaults_materialized;
            let nat_networks: Vec<String> = s
                .networks
                .iter()
                .filter(|n| n.driver == Driver::Nat && n.host.as_deref() == Some(d.host.as_str()))
                .map(|n| n.name.clone())
                .collect();
            match s.hosts.iter_mut().find(|h| h.name == d.host) {
                None => events.push(StepEvent::UnknownReference {
                    what: "host",
                    name: d.host.clone(),
                }),
                Some(h) => {
                    // The default `nat` network is implicit until resolution; on a
                    // Windows host it exists whenever Docker created it.
                    let has_default =
                        !materialized && h.is_windows() && h.docker.creates_default_network();
                    if !nat_networks.is_empty() || has_default {
                        let mut networks = nat_networks;
                        if has_default && !networks.iter().any(|n| n == "nat") {
                            networks.insert(0, "nat".to_string());
                        }
                        if h.is_windows() {
                            events.push(StepEvent::DaemonConfigWithNatNetworks {
                                host: d.host.clone(),
                                networks,
                            });
                        }
                    }
                    h.docker.fixed_cidr = d.fixed_cidr;
                    h.docker.bridge = d.bridge.clone();
                }
            }
        }
        Step::Reboot(host) => reboot(s, host, &mut events),
        Step::RestartHns(host) | Step::RestartDocker(host) => {
            if host_of(s, host).is_none() {
                events.push(StepEvent::UnknownReference {
                    what: "host",
                    name: host.clone(),
                });
            }
            if matches!(step, Step::RestartDocker(_)) && s.defaults_materialized {
                // Docker recreates its default networks at start, with the daemon's
                // current fixed-cidr / bridge settings (NAT-3).
                crate::resolve::add_default_networks_of(s, host);
            }
            reveal_vswitches(s, host, &mut events);
        }
        Step::CreateVswitch(v) => {
            let mut v = v.clone();
            // Created out of band while Docker runs: Docker does not see it (TRANS-7).
            let docker_running = host_of(s, &v.host).is_some_and(|h| !h.docker.absent);
            if docker_running {
                v.visible_to_docker = false;
                events.push(StepEvent::VswitchCreatedOutOfBand {
                    host: v.host.clone(),
                    vswitch: v.name.clone(),
                });
            }
            s.vswitches.push(v);
        }
    }
    events
}

fn remove_network(s: &mut Scenario, r: &NetworkRef, events: &mut Vec<StepEvent>) {
    let idx = s
        .networks
        .iter()
        .position(|n| n.name == r.name && (r.host.is_none() || n.host == r.host));
    let Some(idx) = idx else {
        events.push(StepEvent::UnknownReference {
            what: "network",
            name: r.name.clone(),
        });
        return;
    };
    let net = &s.networks[idx];
    let users: Vec<String> = s
        .containers
        .iter()
        .filter(|c| c.is_running())
        .filter(|c| net.host.is_none() || net.host.as_deref() == Some(c.host.as_str()))
        .filter(|c| c.networks.iter().any(|a| a.network == net.name))
        .map(|c| c.name.clone())
        .collect();
    if !users.is_empty() {
        events.push(StepEvent::RemoveNetworkInUse {
            network: net.name.clone(),
            containers: users,
        });
        return;
    }
    events.push(StepEvent::NetworkRemoved {
        host: net.host.clone(),
        network: net.name.clone(),
        driver: net.driver.clone(),
    });
    s.networks.remove(idx);
}

fn network_exists(s: &Scenario, host: &Host, name: &str) -> bool {
    let explicit = s
        .networks
        .iter()
        .any(|n| n.name == name && (n.host.is_none() || n.host.as_deref() == Some(&host.name)));
    // Default networks are implicit until resolution (or until the timeline made them
    // explicit).
    let default = !s.defaults_materialized
        && !host.docker.absent
        && (name == "none"
            || (host.is_windows() && name == "nat" && host.docker.creates_default_network())
            || (!host.is_windows()
                && (name == "host"
                    || (name == "bridge" && host.docker.creates_default_network()))));
    explicit || default
}

fn start_container(s: &mut Scenario, i: usize, events: &mut Vec<StepEvent>) {
    let c = &s.containers[i];
    let missing = host_of(s, &c.host).and_then(|h| {
        c.networks
            .iter()
            .find(|a| !network_exists(s, h, &a.network))
            .map(|a| a.network.clone())
    });
    match missing {
        Some(network) => events.push(StepEvent::ContainerStoppedNetworkGone {
            container: c.name.clone(),
            network,
        }),
        None => s.containers[i].state = RunState::Running,
    }
}

fn connect(s: &mut Scenario, c: &ConnectStep, step: &Step, events: &mut Vec<StepEvent>) {
    let Some(i) = s.containers.iter().position(|x| x.name == c.container) else {
        events.push(StepEvent::UnknownReference {
            what: "container",
            name: c.container.clone(),
        });
        return;
    };
    let windows = host_of(s, &s.containers[i].host).is_some_and(|h| h.is_windows());
    if windows && s.containers[i].is_running() {
        // OPT-7: no hot add (or removal) of a network adapter on Windows.
        events.push(StepEvent::HotAttachRefused {
            container: c.container.clone(),
            network: c.network.clone(),
        });
        return;
    }
    let container = &mut s.containers[i];
    match step {
        Step::Connect(_) => container.networks.push(Attachment {
            network: c.network.clone(),
            ip: c.ip,
            aliases: vec![],
        }),
        _ => {
            let before = container.networks.len();
            container.networks.retain(|a| a.network != c.network);
            if container.networks.len() == before {
                events.push(StepEvent::UnknownReference {
                    what: "attachment",
                    name: format!("{} on {}", c.container, c.network),
                });
            }
        }
    }
}

/// NAT-13: on Windows Server 2019+ HNS does not persist NAT networks; Docker recreates
/// only its default `nat` network at start. Containers on a vanished network cannot be
/// started again (Docker: "network not found"), so they are left stopped; the rest are
/// assumed to come back (restart policy), which is what users of these hosts configure.
fn reboot(s: &mut Scenario, host: &str, events: &mut Vec<StepEvent>) {
    let Some(h) = host_of(s, host).cloned() else {
        events.push(StepEvent::UnknownReference {
            what: "host",
            name: host.to_string(),
        });
        return;
    };
    if h.is_windows() && !h.os.nat_networks_survive_reboot() {
        let lost: Vec<String> = s
            .networks
            .iter()
            .filter(|n| {
                n.driver == Driver::Nat && n.host.as_deref() == Some(host) && n.name != "nat"
            })
            .map(|n| n.name.clone())
            .collect();
        s.networks.retain(|n| {
            !(n.driver == Driver::Nat && n.host.as_deref() == Some(host) && n.name != "nat")
        });
        for network in &lost {
            events.push(StepEvent::NetworkLostOnReboot {
                host: host.to_string(),
                network: network.clone(),
            });
            for c in s.containers.iter_mut().filter(|c| c.host == host) {
                if c.networks.iter().any(|a| &a.network == network) && c.is_running() {
                    c.state = RunState::Stopped;
                    events.push(StepEvent::ContainerStoppedNetworkGone {
                        container: c.name.clone(),
                        network: network.clone(),
                    });
                }
            }
        }
    }
    if s.defaults_materialized {
        crate::resolve::add_default_networks_of(s, host);
    }
    reveal_vswitches(s, host, events);
}

fn reveal_vswitches(s: &mut Scenario, host: &str, events: &mut Vec<StepEvent>) {
    let mut revealed = Vec::new();
    for v in s.vswitches.iter_mut().filter(|v| v.host == host) {
        if !v.visible_to_docker {
            v.visible_to_docker = true;
            revealed.push(v.name.clone());
        }
    }
    if !revealed.is_empty() {
        events.push(StepEvent::VswitchesNowVisible {
            host: host.to_string(),
            vswitches: revealed,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_scenario;

    fn timeline(text: &str) -> Vec<TimelineState> {
        states(&parse_scenario("t.yaml", text).unwrap().scenario).collect()
    }

    const BASE: &str = "name: t\nhosts:\n  - {name: h, os: OS}\nnetworks:\n  - {name: n1, host: h, driver: nat, subnet: 172.16.1.0/24}\ncontainers:\n  - {name: a, host: h, networks: [n1]}\n";

    /// The timeline of [`BASE`] on a host running `os`, with these `steps:` entries.
    fn base_timeline(os: &str, steps: &str) -> Vec<TimelineState> {
        timeline(&format!("{}steps:\n{steps}", BASE.replace("OS", os)))
    }

    #[test]
    fn reboot_drops_nat_networks_on_ws2019_but_not_ws2016() {
        let steps = "  - reboot: h\n";
        let after = base_timeline("ws2019", steps);
        assert_eq!(after.len(), 2);
        let names = |t: &TimelineState| -> Vec<String> {
            t.scenario.networks.iter().map(|n| n.name.clone()).collect()
        };
        assert!(!names(&after[1]).contains(&"n1".to_string()), "NAT-13");
        assert!(
            names(&after[1]).contains(&"nat".to_string()),
            "the default nat comes back"
        );
        assert_eq!(after[1].scenario.containers[0].state, RunState::Stopped);
        assert!(matches!(
            after[1].events[0],
            StepEvent::NetworkLostOnReboot { .. }
        ));
        let after = base_timeline("ws2016", steps);
        assert!(names(&after[1]).contains(&"n1".to_string()));
        assert!(after[1].events.is_empty());
    }

    #[test]
    fn hot_connect_on_running_windows_container_is_refused() {
        let t = base_timeline(
            "ws2019",
            "  - connect: {container: a, network: nat}\n  - stop: a\n  - connect: {container: a, network: nat}\n",
        );
        assert!(
            matches!(t[1].events[0], StepEvent::HotAttachRefused { .. }),
            "OPT-7"
        );
        assert_eq!(t[1].scenario.containers[0].networks.len(), 1);
        assert!(t[3].events.is_empty());
        assert_eq!(t[3].scenario.containers[0].networks.len(), 2);
    }

    #[test]
    fn remove_network_in_use_is_refused_then_allowed_after_stop() {
        let t = base_timeline(
            "ws2019",
            "  - remove-network: {name: n1}\n  - stop: a\n  - remove-network: {name: n1}\n",
        );
        assert!(matches!(
            t[1].events[0],
            StepEvent::RemoveNetworkInUse { .. }
        ));
        assert!(
            matches!(t[3].events[0], StepEvent::NetworkRemoved { .. }),
            "OPT-8"
        );
        assert!(!t[3].scenario.networks.iter().any(|n| n.name == "n1"));
    }

    #[test]
    fn nat3_procedure_remove_default_nat_then_restart_docker_recreates_it() {
        let text = "name: t\nhosts:\n  - {name: h, os: ws2019}\nsteps:\n  - remove-network: {name: nat, host: h}\n  - daemon-config: {host: h, fixed-cidr: 192.168.240.0/20}\n  - restart-docker: h\n";
        let t = timeline(text);
        assert!(
            matches!(t[1].events[0], StepEvent::NetworkRemoved { .. }),
            "{:?}",
            t[1].events
        );
        assert!(
            t[2].events.is_empty(),
            "no NAT-3 warning once nat is gone: {:?}",
            t[2].events
        );
        let nat = t[3]
            .scenario
            .networks
            .iter()
            .find(|n| n.name == "nat")
            .expect("recreated");
        assert_eq!(nat.subnet.0[0].to_string(), "192.168.240.0/20");
        let d = crate::resolve::resolve(&t[1].scenario);
        assert!(
            d.network_on("h", "nat").is_none(),
            "not re-added by resolution"
        );
    }

    #[test]
    fn out_of_band_vswitch_is_hidden_until_restart() {
        let t = base_timeline(
            "ws2019",
            "  - create-vswitch: {name: ext, host: h, kind: external, nic: Ethernet}\n  - restart-hns: h\n",
        );
        assert!(!t[1].scenario.vswitches[0].visible_to_docker, "TRANS-7");
        assert!(t[2].scenario.vswitches[0].visible_to_docker);
    }
}
#[cfg(test)]
mod step_syntax {
    use crate::parse::parse_scenario;
    use crate::scenario::Step;

    #[test]
    fn every_step_kind_parses_from_one_key_maps() {
        let text = "name: t\nsteps:\n  - reboot: h\n  - stop: a\n  - connect: {container: a, network: n}\n  - daemon-config: {host: h, fixed-cidr: 10.1.0.0/16}\n  - remove-network: {name: n}\n  - create-network: {name: n, host: h, driver: nat}\n  - run: {name: b, host: h}\n  - create-vswitch: {name: v, host: h, kind: external}\n  - restart-docker: h\n";
        let doc = parse_scenario("t.yaml", text).unwrap();
        assert_eq!(doc.scenario.steps.len(), 9);
        match &doc.scenario.steps[3] {
            Step::DaemonConfig(d) => {
                assert_eq!(d.fixed_cidr.unwrap().to_string(), "10.1.0.0/16")
            }
            other => panic!("{other:?}"),
        }
        let err = parse_scenario(
            "t.yaml",
            "name: t\nsteps:\n  - daemon-config: {host: h, fixed-cird: 10.1.0.0/16}\n",
        )
        .unwrap_err();
        assert!(err.message.contains("fixed-cird"), "{err}");
        let yaml = serde_yaml_ng::to_string(&doc.scenario).unwrap();
        let again = parse_scenario("t.yaml", &yaml).unwrap();
        assert_eq!(again.scenario, doc.scenario);
    }
}
