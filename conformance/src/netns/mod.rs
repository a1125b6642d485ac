//! The netns backend: a design realized in Linux network namespaces of the machine's
//! kernel (veth, bridges, VXLAN, nftables; [`plan`] says how), probed from threads that
//! join the source's namespace.
//!
//! Every object lives in the run's own namespaces (`hns-<6 hex>-*`); the root
//! namespace's interfaces, routes and firewall are never touched, and every address
//! probed exists only inside those namespaces. Clean-up happens in three ways, so that
//! no namespace outlives a run: dropping (or [`Dataplane::clean`]ing) the backend, the
//! shared signal handler ([`crate::session`]), and `hnsim clean`, which finds what a
//! SIGKILLed run left behind by its prefix (its agents die with it through
//! `PR_SET_PDEATHSIG`; any left are killed before their namespace is deleted). Nothing
//! is written outside the namespaces: batches of probes never touch the disk.
//!
//! Timeline: a state is realized by building its plan; a step whose plan differs from
//! the live one replaces the run's namespaces with the new state's (the emulation has
//! no daemon to restart: the state after the step is what the model says it is).

pub(crate) mod agents;
pub(crate) mod apply;
pub mod namespaces;
pub mod neighbours;
mod netlink;
pub mod plan;

use crate::agent::{Batch, ProbeSpec};
use crate::dataplane::{BatchResult, Dataplane, DataplaneError, Resolved, RunName, Source};
use crate::session::{self, Registration};
use crate::sys::SysError;
use crate::target::{Party, Target, Via};
use hnsim_model::{Design, Step};
use hnsim_sim::Probe;
pub use namespaces::NS_PREFIX;
use plan::{Placement, Plan};
use std::process::Child;

pub const BACKEND: &str = "netns";

#[derive(Debug, thiserror::Error)]
pub enum NetnsError {
    #[error(transparent)]
    Sys(#[from] SysError),
    #[error("probe agent in {ns}: {message}")]
    Agent { ns: String, message: String },
}

/// How to start the agent and how the run is built.
#[derive(Clone, Debug)]
pub struct NetnsOptions {
    /// The agent command: the `hnsim` binary and `probe` (`[exe, "probe"]`).
    pub agent: Vec<String>,
    /// Ports "the internet" serves (the matrix's internet node says which).
    pub internet_listens: Vec<Probe>,
    /// Permanent neighbour entries where they cannot change an outcome
    /// ([`neighbours`]); off only to show that they change nothing.
    pub static_neighbours: bool,
    /// Keep the namespaces when the run ends (`HNSIM_KEEP`), for inspection.
    pub keep: bool,
}

impl NetnsOptions {
    pub fn new(agent: Vec<String>) -> Self {
        NetnsOptions {
            agent,
            internet_listens: Vec::new(),
            static_neighbours: true,
            keep: std::env::var_os("HNSIM_KEEP").is_some(),
        }
    }
}

/// A run of the netns backend. Dropping it removes everything it created.
pub struct Netns {
    opts: NetnsOptions,
    prefix: String,
    plan: Option<Plan>,
    agents: Vec<Child>,
    _registration: Registration,
}

/// A fresh run prefix, `hns-<6 hex>`, unique among existing namespaces. A caller that
/// must know it in advance (a test that kills the run) sets `HNSIM_NETNS_PREFIX`.
pub fn new_prefix() -> Result<String, SysError> {
    let existing = namespaces::list(NS_PREFIX)?;
    let wanted = std::env::var("HNSIM_NETNS_PREFIX").ok();
    Ok(session::new_prefix(NS_PREFIX, wanted.as_deref(), |p| {
        existing.iter().any(|n| n.starts_with(&format!("{p}-")))
    }))
}

impl Netns {
    /// A new run: checks for root and registers the run's clean-up with the signal
    /// handler. Nothing is created before [`Dataplane::realize`].
    pub fn new(opts: NetnsOptions) -> Result<Self, NetnsError> {
        crate::sys::require_root()?;
        let prefix = new_prefix()?;
        let ns_prefix = format!("{prefix}-");
        let registration = session::register(&prefix, move || {
            let _ = namespaces::clean(&ns_prefix);
        });
        Ok(Netns {
            opts,
            prefix,
            plan: None,
            agents: Vec::new(),
            _registration: registration,
        })
    }

    /// The live plan (after [`Dataplane::realize`]).
    pub fn plan(&self) -> Option<&Plan> {
        self.plan.as_ref()
    }

    fn teardown(&mut self) -> Result<Vec<String>, SysError> {
        agents::stop(&mut self.agents);
        self.plan = None;
        namespaces::clean(&format!("{}-", self.prefix))
    }

    fn live(&self) -> Result<&Plan, String> {
        crate::dataplane::realized(&self.plan)
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        if session::interrupted() {
            return; // the signal handler removes the run
        }
        if self.opts.keep {
            agents::stop(&mut self.agents);
            eprintln!("HNSIM_KEEP: leaving {}-* for inspection", self.prefix);
            return;
        }
        let _ = self.teardown();
    }
}

/// A stopped container's address, which nothing else of the design holds: on the wire
/// it is an address nobody answers on (Docker and HNS release a stopped container's
/// endpoint), so a probe of it is what the model's cell asks about.
fn unanswered(design: &Design, container: usize, ip: Option<std::net::IpAddr>) -> bool {
    let stopped = design
        .scenario
        .containers
        .get(container)
        .is_some_and(|c| !c.is_running());
    stopped
        && ip.is_some_and(|ip| {
            !design.endpoints.iter().any(|e| {
                e.ip == Some(ip)
                    && e.container != container
                    && design.scenario.containers[e.container].is_running()
            })
        })
}

fn placed(p: Option<&Placement>, what: &str) -> Result<String, String> {
    match p {
        Some(Placement::Ns(ns)) => Ok(ns.clone()),
        Some(Placement::NotEmulated(why)) => Err(why.clone()),
        None => Err(format!("{what} is not in the design")),
    }
}

impl Dataplane for Netns {
    fn run_name(&self) -> RunName<'_> {
        RunName::new(BACKEND, &self.prefix)
    }

    fn realize(&mut self, design: &Design, _step: Option<&Step>) -> Result<(), DataplaneError> {
        let mut next = plan::plan(design, &self.prefix, &self.opts.internet_listens);
        if self.opts.static_neighbours {
            neighbours::add_static(design, &mut next);
        }
        if self.plan.as_ref() == Some(&next) {
            return Ok(()); // the step changes nothing the emulation expresses
        }
        if self.plan.is_some() {
            self.teardown().map_err(NetnsError::from)?;
        }
        if session::interrupted() {
            return Err(DataplaneError::Interrupted);
        }
        let mut serve: std::collections::BTreeMap<String, agents::Serves> = next
            .listen
            .iter()
            .map(|(ns, (t, u))| (ns.clone(), (t.clone(), u.clone(), None)))
            .collect();
        for (ns, zone) in &next.dns {
            serve.entry(ns.clone()).or_default().2 = Some(zone.clone());
        }
        let serve: Vec<_> = serve.into_iter().collect();
        self.plan = Some(next);
        let plan = self.plan.as_ref().expect("just set");
        apply::build(plan)?;
        agents::start(&serve, &self.opts.agent, &mut self.agents)?;
        Ok(())
    }

    fn observe(&mut self, _design: &Design) -> Result<Vec<String>, DataplaneError> {
        Ok(Vec::new())
    }

    fn source(&self, design: &Design, party: &Party) -> Result<Source, String> {
        let plan = self.live()?;
        let ns = match *party {
            Party::Endpoint {
                container,
                attachment,
            } => {
                if let Some(ns) = plan.silent.source(container, attachment) {
                    return Ok(Source(ns.to_string()));
                }
                if let Some(why) = plan.endpoint_not_emulated.get(&(container, attachment)) {
                    return Err(why.clone());
                }
                placed(plan.containers.get(container), "the container")?
            }
            Party::Host(k) => placed(plan.hosts.get(k), "the host")?,
            Party::Client(j) => placed(plan.clients.get(j), "the client")?,
            Party::Internet => placed(Some(&plan.internet), "the internet")?,
        };
        let _ = design;
        Ok(Source(ns))
    }

    fn resolve(
        &self,
        design: &Design,
        _from: &Source,
        target: &Target,
    ) -> Result<Resolved, String> {
        let plan = self.live()?;
        let dest = |why: String| format!("destination: {why}");
        let mut divergence = None;
        let ip = match target.via {
            Via::Endpoint {
                container,
                attachment,
            } => {
                if let Some(why) = plan.endpoint_not_emulated.get(&(container, attachment)) {
                    return Err(dest(why.clone()));
                }
                if !unanswered(design, container, target.ip) {
                    placed(plan.containers.get(container), "the container").map_err(dest)?;
                }
                divergence = plan
                    .endpoint_divergence
                    .get(&(container, attachment))
                    .cloned();
                target.ip
            }
            Via::Published { mapping, .. } => {
                let ci = design.published.get(mapping).map(|m| m.container);
                if let Some(why) = ci.and_then(|ci| plan.publish_not_emulated.get(&ci)) {
                    return Err(why.clone());
                }
                placed(ci.and_then(|ci| plan.containers.get(ci)), "the container").map_err(dest)?;
                target.ip
            }
            Via::Mesh { .. } => {
                return Err("swarm's routing mesh (published service ports) is not emulated".into())
            }
            // The host namespace's own `lo`, which the sources on its stack share.
            Via::Host { host, .. } | Via::Loopback { host } => {
                placed(plan.hosts.get(host), "the host").map_err(dest)?;
                target.ip
            }
            Via::Client(j) => {
                placed(plan.clients.get(j), "the client").map_err(dest)?;
                target
                    .ip
                    .or_else(|| plan.client_ips.get(j).copied().flatten())
            }
            Via::Internet => Some(plan.internet_ip),
        };
        let ip = ip.ok_or_else(|| dest("it has no address to probe".into()))?;
        Ok(Resolved {
            divergence,
            ..Resolved::at(ip, target.port)
        })
    }

    /// Names are asked of the stand-in for Docker's embedded resolver at 127.0.0.11
    /// that the namespace's agent runs ([`plan::Plan::dns`]); a namespace without one
    /// answers the question with ICMP port unreachable, as a container without an
    /// embedded resolver has none there.
    fn asked_name(&self, design: &Design, from: &Party, to: &Party) -> Option<String> {
        // A source with nothing to send by has no resolver to ask either.
        if let (
            Ok(plan),
            Party::Endpoint {
                container,
                attachment,
            },
        ) = (self.live(), *from)
        {
            if plan.silent.source(container, attachment).is_some() {
                return None;
            }
        }
        crate::names::asked(design, from, to)
    }

    fn probe(&self, from: &Source, batch: &Batch) -> Result<BatchResult, DataplaneError> {
        let before = crate::kernel::neighbour_overflows();
        let batch = Batch {
            resolver: Some(crate::agent::dns::EMBEDDED),
            ..batch.clone()
        };
        let results = namespaces::within(&from.0, || crate::agent::run_batch(&batch))?;
        let tainted = crate::kernel::neighbour_overflows() != before;
        if !self.opts.static_neighbours {
            // Without permanent entries, the source's dynamic ones are released at once
            // rather than when they age out.
            neighbours::flush(&from.0);
        }
        Ok(BatchResult { results, tainted })
    }

    fn repro(&self, from: &Source, spec: &ProbeSpec) -> String {
        format!(
            "ip netns exec {} {} {}",
            from.0,
            self.opts.agent.join(" "),
            spec.cli_args().join(" ")
        )
    }

    fn parallel_sources(&self, destinations: usize) -> usize {
        if self.opts.static_neighbours {
            usize::MAX
        } else {
            crate::kernel::neighbour_parallel_sources(destinations)
        }
    }

    fn clean(&mut self) -> Result<Vec<String>, DataplaneError> {
        if session::interrupted() {
            return Ok(Vec::new()); // the signal handler removes the run
        }
        if self.opts.keep {
            agents::stop(&mut self.agents);
            return Ok(Vec::new());
        }
        Ok(self.teardown().map_err(NetnsError::from)?)
    }
}

/// Removes what runs left behind: every namespace starting with `prefix` (default:
/// every namespace of this backend, `hns-`), and the agents still running in them.
/// Returns the namespaces removed.
pub fn clean(prefix: Option<&str>) -> Result<Vec<String>, SysError> {
    crate::sys::require_root()?;
    let prefix = match prefix {
        // A whole run prefix (`hns-1a2b3c`) names that run's namespaces only.
        Some(p) if p.len() == NS_PREFIX.len() + 6 => format!("{p}-"),
        Some(p) => p.to_string(),
        None => NS_PREFIX.to_string(),
    };
    namespaces::clean(&prefix)
}

#[cfg(test)]
mod tests {
    use super::unanswered;

    use crate::testing::final_design as design;

    #[test]
    fn a_stopped_containers_address_is_probed_only_while_nobody_else_holds_it() {
        let d = design(
            "name: t\nhosts:\n  - {name: l, os: linux}\nnetworks:\n  - {name: app, host: l, driver: bridge, subnet: 172.20.0.0/24}\ncontainers:\n  - {name: off, host: l, networks: [{network: app, ip: 172.20.0.5}], state: stopped}\n  - {name: on, host: l, networks: [app]}\n",
        );
        let ip = |ci: usize| d.endpoints_of(ci).next().and_then(|e| e.ip);
        assert!(unanswered(&d, 0, ip(0)), "stopped, its address free");
        assert!(!unanswered(&d, 1, ip(1)), "running: its namespace answers");
        assert!(!unanswered(&d, 0, None), "no address, nothing to probe");
        assert!(!unanswered(&d, 0, ip(1)), "held by a running container");
    }
}
