//! Building and removing the outside of a run ([`super::lan`]): the netns backend's
//! segments, router, internet and clients in namespaces `hns-<hex>d-*`, the host's
//! veth ends on the segments' bridges, the link to nowhere and the routes, and the agents
//! that listen where clients and the internet serve. Probes from a client or the
//! internet are sent from a thread inside its namespace.

use super::lan::Lan;
use super::{cli, DockerError};
use crate::netns::{namespaces, plan as nsplan, NetnsError, NS_PREFIX};
use hnsim_model::Design;
use std::process::Child;

/// The namespace prefix of run `prefix`'s outside: `hnsim-1a2b3c-` -> `hns-1a2b3cd`.
/// The trailing `d` keeps it apart from a netns run of the same hex digits.
pub fn ns_prefix(prefix: &str) -> String {
    let links = super::plan::link_prefix(prefix);
    format!(
        "{NS_PREFIX}{}d",
        links.trim_start_matches(super::plan::LINK_PREFIX)
    )
}

fn netns_err(e: NetnsError) -> DockerError {
    DockerError::Scenario(format!("building the run's LAN and internet: {e}"))
}

/// The live outside: its plan and its listening agents.
#[derive(Debug, Default)]
pub struct Outside {
    pub plan: Option<nsplan::Plan>,
    agents: Vec<Child>,
}

impl Outside {
    /// Builds `lan` for `design`: namespaces and their agents first, then the host's
    /// links and routes. On error, what was made stays for [`remove`].
    pub fn build(
        lan: &Lan,
        design: &Design,
        prefix: &str,
        host: usize,
        agent: &[String],
        internet_listens: &[hnsim_sim::Probe],
    ) -> Result<Outside, DockerError> {
        let outside = lan.outside_design(design);
        let plan = nsplan::outside(
            &outside,
            &ns_prefix(prefix),
            host,
            lan.internet_ip(),
            internet_listens,
        );
        crate::netns::apply::build(&plan).map_err(netns_err)?;
        let mut out = Outside {
            plan: None,
            agents: Vec::new(),
        };
        let listen: Vec<_> = plan
            .listen
            .iter()
            .map(|(ns, (t, u))| (ns.clone(), (t.clone(), u.clone(), None)))
            .collect();
        crate::netns::agents::start(&listen, agent, &mut out.agents).map_err(netns_err)?;
        let vm = design.scenario.hosts.get(host);
        for nic in &lan.host_nics {
            let seg_ns = plan.ns(&format!("s{}", nic.segment));
            let peer = format!("m{}", nic.nic);
            let link = nic.link.as_str();
            let mac = nsplan::host_mac(host, nic.nic);
            cli::ip_link(
                &[
                    "link", "add", link, "address", &mac, "type", "veth", "peer", "name", &peer,
                    "netns", &seg_ns,
                ],
                link,
            )?;
            // TRANS-4, as the netns backend does for its hosts: the hypervisor's switch
            // port forwards the VM's own MAC only.
            if vm.is_some_and(nsplan::blocks_spoofing) {
                let script = format!(
                    "table bridge hnsimvm {{\n  chain sfwd {{\n    type filter hook forward \
                     priority 0;\n    iifname \"{peer}\" ether saddr != {mac} drop\n  }}\n}}\n"
                );
                namespaces::within(&seg_ns, || {
                    crate::sys::run("nft", &["-f", "-"], Some(&script))
                })
                .map_err(netns_err)?
                .map_err(|e| netns_err(e.into()))?;
            }
            crate::sys::run(
                "ip",
                &["-n", &seg_ns, "link", "set", &peer, "master", "br0", "up"],
                None,
            )
            .map_err(|e| netns_err(e.into()))?;
            cli::ip_link(&["addr", "add", &nic.real.to_string(), "dev", link], link)?;
            cli::ip_link(&["link", "set", link, "up"], link)?;
        }
        // The kernel may lack dummy links: a veth pair into an empty namespace of the
        // run, where nothing answers or routes, drops what is sent to it the same way.
        let nowhere = lan.nowhere.as_str();
        let void = plan.ns("z");
        namespaces::add_all(std::slice::from_ref(&void)).map_err(|e| netns_err(e.into()))?;
        cli::ip_link(
            &[
                "link", "add", nowhere, "type", "veth", "peer", "name", "z", "netns", &void,
            ],
            nowhere,
        )?;
        crate::sys::run("ip", &["-n", &void, "link", "set", "z", "up"], None)
            .map_err(|e| netns_err(e.into()))?;
        cli::ip_link(&["link", "set", nowhere, "up"], nowhere)?;
        for r in lan.routes() {
            let dev = r.last().cloned().unwrap_or_default();
            let mut args = vec!["route", "add"];
            args.extend(r.iter().map(String::as_str));
            cli::ip_link(&args, &dev)?;
        }
        out.plan = Some(plan);
        Ok(out)
    }

    /// Where each client and the internet send from and answer on.
    pub fn parties(&self) -> super::lan::Parties {
        use crate::netns::plan::Placement;
        let place = |p: &Placement| match p {
            Placement::Ns(ns) => Ok(ns.clone()),
            Placement::NotEmulated(why) => Err(why.clone()),
        };
        match &self.plan {
            Some(plan) => super::lan::Parties {
                clients: plan.clients.iter().map(place).collect(),
                client_ips: plan.client_ips.clone(),
                hosts: plan.hosts.iter().map(place).collect(),
                internet: place(&plan.internet),
                internet_ip: Some(plan.internet_ip),
            },
            None => super::lan::Parties {
                clients: Vec::new(),
                client_ips: Vec::new(),
                hosts: Vec::new(),
                internet: Err("the run has no LAN".into()),
                internet_ip: None,
            },
        }
    }

    /// Stops the agents (the namespaces are removed by [`remove`]).
    pub fn stop(&mut self) {
        crate::netns::agents::stop(&mut self.agents);
        self.plan = None;
    }
}

impl Drop for Outside {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Runs a batch from inside namespace `ns`.
pub fn run_batch(
    ns: &str,
    batch: &crate::agent::Batch,
) -> Result<Vec<crate::agent::ProbeResult>, DockerError> {
    namespaces::within(ns, || crate::agent::run_batch(batch)).map_err(|e| DockerError::Agent {
        container: ns.to_string(),
        message: e.to_string(),
    })
}

/// The outside namespaces of run `prefix` (`hnsim-1a2b3c-`), or of every run of this
/// backend (`hnsim-`), that exist now.
pub fn leftovers(prefix: &str) -> Vec<String> {
    if !crate::sys::is_root() {
        return Vec::new();
    }
    let one = ns_prefix(prefix);
    let all = one == format!("{NS_PREFIX}d");
    namespaces::list(NS_PREFIX)
        .unwrap_or_default()
        .into_iter()
        .filter(|n| {
            if all {
                is_outside_ns(n)
            } else {
                n.starts_with(&format!("{one}-"))
            }
        })
        .collect()
}

/// `hns-<6 hex>d-...`: a Docker run's outside, never a netns run's namespace.
fn is_outside_ns(name: &str) -> bool {
    name.strip_prefix(NS_PREFIX).is_some_and(|rest| {
        let b = rest.as_bytes();
        b.len() > 8 && b[..6].iter().all(u8::is_ascii_hexdigit) && &b[6..8] == b"d-"
    })
}

/// Removes run `prefix`'s outside namespaces (their agents first); the host's ends of
/// the veth pairs die with them (the link to nowhere too).
pub fn remove(prefix: &str) -> Vec<String> {
    let found = leftovers(prefix);
    match namespaces::delete_all(&found) {
        Ok(()) => found,
        Err(_) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_namespaces_are_apart_from_netns_runs() {
        let p = ns_prefix("hnsim-1a2b3c-");
        assert_eq!(p, "hns-1a2b3cd");
        assert!(super::super::lan::is_outside_source(&format!("{p}-k0")));
        // A netns run `hns-1a2b3c` cleans `hns-1a2b3c-*`, which this is not.
        assert!(!format!("{p}-k0").starts_with("hns-1a2b3c-"));
        assert!(!super::super::lan::is_outside_source("hnsim-1a2b3c-web"));
        assert!(is_outside_ns("hns-1a2b3cd-k0"));
        assert!(!is_outside_ns("hns-1a2b3c-k0"));
        assert_eq!(ns_prefix("hnsim-"), "hns-d");
    }
}
