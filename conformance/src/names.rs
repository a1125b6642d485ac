//! Names in the design, read the way Docker's embedded resolver reads them (DNS-1), from
//! the resolved design alone — never from the simulator's cells, whose names are only
//! compared with what the wire said ([`crate::compare`]).
//!
//! Two questions: which name a source asks for its destination before a probe
//! ([`asked`]), and which names the resolver of a container's network stack answers
//! ([`zone`], the netns backend's stand-in for the engine's resolver). Docker
//! registers, on every user-defined network of a Linux engine, each running
//! container's name and its aliases on that network, and for a swarm service's task
//! `tasks.<service>`; a container asks the resolver at 127.0.0.11, which answers from
//! the networks the container is on, the first of them that knows the name winning.
//! The default bridge has no embedded DNS (legacy links aside), nor have `host` and
//! `none`, nor the swarm's `ingress` network, which carries routing-mesh traffic only.
//! A swarm service's own name resolves to its virtual IP, which needs IPVS: it is
//! neither answered nor asked.

use crate::agent::dns::Zone;
use crate::target::Party;
use hnsim_model::{Design, Driver, Endpoint, Network};
use std::collections::BTreeMap;
use std::net::IpAddr;

/// Whether `net` is a network whose endpoints Docker's embedded resolver serves.
fn serves_names(design: &Design, net: &Network, host: Option<usize>) -> bool {
    let linux = host
        .and_then(|k| design.scenario.hosts.get(k))
        .is_some_and(|h| !h.is_windows());
    let user_defined = match net.driver {
        Driver::Bridge => net.name != "bridge",
        Driver::Macvlan => true,
        Driver::Overlay => !(net.name == "ingress" && net.host.is_none()),
        _ => false,
    };
    let disabled = net
        .option(hnsim_model::shim::DISABLE_DNS)
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    linux && user_defined && !disabled
}

fn network_of<'a>(design: &'a Design, e: &Endpoint) -> Option<&'a Network> {
    e.network.and_then(|n| design.scenario.networks.get(n))
}

/// A running container's endpoint with an address, on a network that serves names.
fn registered(design: &Design, e: &Endpoint) -> bool {
    let running = design
        .scenario
        .containers
        .get(e.container)
        .is_some_and(|c| c.is_running());
    running
        && e.ip.is_some()
        && network_of(design, e).is_some_and(|n| serves_names(design, n, e.host))
}

/// The names endpoint `e` registers on its network.
fn names_of(design: &Design, e: &Endpoint) -> Vec<String> {
    let c = &design.scenario.containers[e.container];
    let mut out = vec![c.name.clone()];
    out.extend(e.aliases.iter().cloned());
    if let Some(svc) = &c.service {
        out.push(format!("tasks.{svc}"));
    }
    out.into_iter().map(|n| n.to_ascii_lowercase()).collect()
}

/// The names the embedded resolver answers in container `ci`'s network stack, or
/// `None` when the container has no embedded resolver (not running, or on no network
/// that serves names).
pub fn zone(design: &Design, ci: usize) -> Option<Zone> {
    let own: Vec<&Endpoint> = design
        .endpoints_of(ci)
        .filter(|e| registered(design, e))
        .collect();
    if own.is_empty() {
        return None;
    }
    let mut zone = Zone::default();
    for mine in own {
        let mut here: BTreeMap<String, Vec<std::net::Ipv4Addr>> = BTreeMap::new();
        for e in design
            .endpoints
            .iter()
            .filter(|e| e.network == mine.network && registered(design, e))
        {
            let Some(IpAddr::V4(ip)) = e.ip else { continue };
            for name in names_of(design, e) {
                here.entry(name).or_default().push(ip);
            }
        }
        for (name, ips) in here {
            zone.names.entry(name).or_insert(ips);
        }
    }
    Some(zone)
}

/// The name `from` asks for `to` before probing it: the destination container's name,
/// when both are containers on Linux engines and the destination is a running
/// container with an address (not a swarm task: its service name is a virtual IP).
/// Whether it resolves, and to what, is for the wire to say.
///
/// Not asked where the answer is one of several addresses of the destination chosen by
/// the engine's endpoint order, which neither the model nor the netns stand-in says: a
/// container asking its own name, or two containers that share more than one network.
pub fn asked(design: &Design, from: &Party, to: &Party) -> Option<String> {
    let (
        Party::Endpoint { container: sc, .. },
        Party::Endpoint {
            container: dc,
            attachment,
        },
    ) = (*from, *to)
    else {
        return None;
    };
    let linux = |ci: usize| {
        let c = design.scenario.containers.get(ci)?;
        let k = design.host_index(&c.host)?;
        Some(!design.scenario.hosts[k].is_windows())
    };
    let dst = design.scenario.containers.get(dc)?;
    let e = design
        .endpoints
        .iter()
        .find(|e| e.container == dc && e.attachment == attachment)?;
    let networks = |ci: usize| -> std::collections::BTreeSet<usize> {
        design.endpoints_of(ci).filter_map(|e| e.network).collect()
    };
    let shared = networks(sc).intersection(&networks(dc)).count();
    let defined = sc != dc && shared <= 1;
    (defined
        && linux(sc)?
        && linux(dc)?
        && dst.is_running()
        && dst.service.is_none()
        && e.ip.is_some())
    .then(|| dst.name.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::testing::final_design as design;

    const LINUX: &str = "name: t
hosts:
  - {name: l, os: linux}
  - {name: w, os: ws2022}
networks:
  - {name: app, host: l, driver: bridge, subnet: 172.20.0.0/24}
  - {name: back, host: l, driver: bridge, subnet: 172.21.0.0/24}
containers:
  - {name: web, host: l, networks: [{network: app, aliases: [www]}, back]}
  - {name: db, host: l, networks: [back]}
  - {name: old, host: l, networks: [bridge]}
  - {name: off, host: l, networks: [app], state: stopped}
  - {name: lone, host: l, networks: [none]}
  - {name: win, host: w}
";

    fn ci(d: &Design, name: &str) -> usize {
        d.container_index(name).expect("container")
    }

    fn ep(d: &Design, name: &str) -> Party {
        Party::Endpoint {
            container: ci(d, name),
            attachment: 0,
        }
    }

    #[test]
    fn a_container_resolves_what_shares_its_networks_and_nothing_else() {
        let d = design(LINUX);
        let web = zone(&d, ci(&d, "web")).expect("web is on user-defined networks");
        assert_eq!(web.get("web").map(<[_]>::len), Some(1), "its own name");
        assert!(web.get("www").is_some(), "its alias on app");
        assert!(web.get("db").is_some(), "db shares back");
        assert!(
            web.get("off").is_none(),
            "a stopped container is not registered"
        );
        assert!(
            web.get("old").is_none(),
            "the default bridge registers nothing"
        );
        let db = zone(&d, ci(&d, "db")).unwrap();
        assert!(db.get("web").is_some());
        assert!(
            db.get("www").is_none(),
            "the alias is app's, db is not on app"
        );
        // The first network that knows a name wins: web's address on app.
        let on_app = d.endpoints_of(ci(&d, "web")).next().unwrap().ip;
        assert_eq!(web.get("web").map(|v| IpAddr::V4(v[0])), on_app);
    }

    #[test]
    fn no_embedded_resolver_on_the_default_bridge_none_or_windows() {
        let d = design(LINUX);
        for name in ["old", "lone", "off", "win"] {
            assert_eq!(zone(&d, ci(&d, name)), None, "{name}");
        }
    }

    #[test]
    fn the_destination_name_is_asked_between_linux_containers_with_addresses() {
        let d = design(LINUX);
        let (web, db) = (ep(&d, "web"), ep(&d, "db"));
        assert_eq!(asked(&d, &web, &db).as_deref(), Some("db"));
        assert_eq!(asked(&d, &ep(&d, "old"), &db).as_deref(), Some("db"));
        assert_eq!(asked(&d, &web, &ep(&d, "lone")), None, "no address");
        assert_eq!(asked(&d, &web, &ep(&d, "win")), None, "a Windows container");
        assert_eq!(asked(&d, &Party::Host(0), &db), None, "not from a host");
        assert_eq!(
            asked(&d, &web, &web),
            None,
            "its own name: one of its addresses"
        );
        let d = design(&LINUX.replace("networks: [back]}", "networks: [back, app]}"));
        assert_eq!(
            asked(&d, &ep(&d, "web"), &ep(&d, "db")),
            None,
            "two shared networks: the engine picks which address"
        );
    }
}
