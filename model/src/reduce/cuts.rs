//! The ways a design is cut down, largest first: a host with everything on it, a
//! network with the containers attached to it, a service, a container with the steps
//! that name it, a client, the steps from some point on, one step; then the details of
//! what is left: a published port, a listening port, a network option, replicas beyond
//! one, a host's second NIC.

use crate::{Scenario, Step};
use std::fmt;

/// One way to make a design smaller. Applying it to a design it does not fit (the
/// object is gone) gives `None`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cut {
    /// A host, its containers and networks, and the steps that name it or them.
    Host(String),
    /// A network (of `host`, or a swarm-wide one), detached from every container; a
    /// container left without networks goes too.
    Network {
        name: String,
        host: Option<String>,
    },
    Service(String),
    /// A container and the steps that name it.
    Container(String),
    Client(String),
    /// Steps `i..`: the timeline ends before step `i`.
    StepsFrom(usize),
    Step(usize),
    /// The `index`-th published port of a container.
    Port {
        container: String,
        index: usize,
    },
    /// The `index`-th listening port of a container.
    Listen {
        container: String,
        index: usize,
    },
    /// Option `key` of the `network`-th network.
    NetworkOption {
        network: usize,
        key: String,
    },
    /// A service down to one replica.
    OneReplica(String),
    /// A host's NIC `index` (never the first).
    Nic {
        host: String,
        index: usize,
    },
}

impl fmt::Display for Cut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cut::Host(h) => write!(f, "host {h}"),
            Cut::Network {
                name,
                host: Some(h),
            } => write!(f, "network {name} of {h}"),
            Cut::Network { name, host: None } => write!(f, "network {name}"),
            Cut::Service(s) => write!(f, "service {s}"),
            Cut::Container(c) => write!(f, "container {c}"),
            Cut::Client(c) => write!(f, "client {c}"),
            Cut::StepsFrom(i) => write!(f, "steps {} and later", i + 1),
            Cut::Step(i) => write!(f, "step {}", i + 1),
            Cut::Port { container, index } => {
                write!(f, "published port {} of {container}", index + 1)
            }
            Cut::Listen { container, index } => {
                write!(f, "listening port {} of {container}", index + 1)
            }
            Cut::NetworkOption { network, key } => {
                write!(f, "option {key} of network {}", network + 1)
            }
            Cut::OneReplica(s) => write!(f, "replicas of {s} beyond one"),
            Cut::Nic { host, index } => write!(f, "NIC {} of {host}", index + 1),
        }
    }
}

/// Every cut that fits `s`, largest first.
pub fn candidates(s: &Scenario) -> Vec<Cut> {
    let mut out: Vec<Cut> = s.hosts.iter().map(|h| Cut::Host(h.name.clone())).collect();
    out.extend(s.networks.iter().map(|n| Cut::Network {
        name: n.name.clone(),
        host: n.host.clone(),
    }));
    out.extend(s.services.iter().map(|x| Cut::Service(x.name.clone())));
    out.extend(s.containers.iter().map(|c| Cut::Container(c.name.clone())));
    out.extend(s.clients.iter().map(|c| Cut::Client(c.name.clone())));
    out.extend((0..s.steps.len()).map(Cut::StepsFrom));
    out.extend((0..s.steps.len()).rev().map(Cut::Step));
    for c in &s.containers {
        out.extend((0..c.ports.len()).map(|index| Cut::Port {
            container: c.name.clone(),
            index,
        }));
        out.extend((0..c.listen.len()).map(|index| Cut::Listen {
            container: c.name.clone(),
            index,
        }));
    }
    for (i, n) in s.networks.iter().enumerate() {
        out.extend(n.options.keys().map(|key| Cut::NetworkOption {
            network: i,
            key: key.clone(),
        }));
    }
    out.extend(
        s.services
            .iter()
            .filter(|x| x.replicas > 1)
            .map(|x| Cut::OneReplica(x.name.clone())),
    );
    for h in &s.hosts {
        out.extend((1..h.nics.len()).map(|index| Cut::Nic {
            host: h.name.clone(),
            index,
        }));
    }
    out
}

impl Cut {
    /// `s` with this cut made, or `None` when it does not fit `s`.
    pub fn apply(&self, s: &Scenario) -> Option<Scenario> {
        let mut s = s.clone();
        match self {
            Cut::Host(h) => {
                take(&mut s.hosts, |x| &x.name == h)?;
                let gone: Vec<String> = s
                    .containers
                    .iter()
                    .filter(|c| &c.host == h)
                    .map(|c| c.name.clone())
                    .collect();
                for c in &gone {
                    remove_container(&mut s, c);
                }
                s.networks.retain(|n| n.host.as_deref() != Some(h));
                s.steps.retain(|st| !names_host(st, h));
                for x in &mut s.services {
                    x.hosts.retain(|y| y != h);
                }
            }
            Cut::Network { name, host } => {
                take(&mut s.networks, |n| &n.name == name && &n.host == host)?;
                let mut orphans = Vec::new();
                for c in &mut s.containers {
                    if host.as_ref().is_some_and(|h| h != &c.host) {
                        continue;
                    }
                    let before = c.networks.len();
                    c.networks.retain(|a| &a.network != name);
                    if before > 0 && c.networks.is_empty() {
                        orphans.push(c.name.clone());
                    }
                }
                for c in &orphans {
                    remove_container(&mut s, c);
                }
            }
            Cut::Service(x) => {
                take(&mut s.services, |y| &y.name == x)?;
            }
            Cut::Container(c) => {
                s.containers.iter().find(|x| &x.name == c)?;
                remove_container(&mut s, c);
            }
            Cut::Client(c) => {
                take(&mut s.clients, |x| &x.name == c)?;
            }
            Cut::StepsFrom(i) => {
                if *i >= s.steps.len() {
                    return None;
                }
                s.steps.truncate(*i);
            }
            Cut::Step(i) => {
                if *i >= s.steps.len() {
                    return None;
                }
                s.steps.remove(*i);
            }
            Cut::Port { container, index } => {
                let c = s.containers.iter_mut().find(|x| &x.name == container)?;
                (*index < c.ports.len()).then(|| c.ports.remove(*index))?;
            }
            Cut::Listen { container, index } => {
                let c = s.containers.iter_mut().find(|x| &x.name == container)?;
                (*index < c.listen.len()).then(|| c.listen.remove(*index))?;
            }
            Cut::NetworkOption { network, key } => {
                s.networks.get_mut(*network)?.options.remove(key)?;
            }
            Cut::OneReplica(x) => {
                let y = s.services.iter_mut().find(|y| &y.name == x)?;
                if y.replicas <= 1 {
                    return None;
                }
                y.replicas = 1;
            }
            Cut::Nic { host, index } => {
                let h = s.hosts.iter_mut().find(|x| &x.name == host)?;
                if *index == 0 || *index >= h.nics.len() {
                    return None;
                }
                h.nics.remove(*index);
            }
        }
        Some(s)
    }
}

/// Removes the first element matching `f`; `None` when there is none.
fn take<T>(v: &mut Vec<T>, f: impl Fn(&T) -> bool) -> Option<T> {
    let i = v.iter().position(f)?;
    Some(v.remove(i))
}

/// Removes container `c` and every step that names it.
fn remove_container(s: &mut Scenario, c: &str) {
    s.containers.retain(|x| x.name != c);
    s.steps.retain(|st| !names_container(st, c));
}

fn names_container(st: &Step, c: &str) -> bool {
    match st {
        Step::Run(x) => x.name == c,
        Step::Stop(x) | Step::Start(x) | Step::Remove(x) => x == c,
        Step::Connect(x) | Step::Disconnect(x) => x.container == c,
        _ => false,
    }
}

fn names_host(st: &Step, h: &str) -> bool {
    match st {
        Step::Run(x) => x.host == h,
        Step::CreateNetwork(n) => n.host.as_deref() == Some(h),
        Step::RemoveNetwork(n) => n.host.as_deref() == Some(h),
        Step::DaemonConfig(d) => d.host == h,
        Step::Reboot(x) | Step::RestartHns(x) | Step::RestartDocker(x) => x == h,
        _ => false,
    }
}
