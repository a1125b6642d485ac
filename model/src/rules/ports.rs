//! Port mappings: where `-p` does nothing, what Windows cannot program, and clashes
//! between mappings (NAT-9, TRANS-6, EXT-7, EXT-11, EXT-12).

use super::{Checker, Rule};
use crate::driver::Driver;
use crate::hash::HashMap;
use crate::port::{PortMapping, PortRange, Protocol};
use crate::scenario::SwarmRole;
use std::collections::BTreeMap;
use std::net::IpAddr;

rules! {
    TRANSPARENT_PORTS: "HNS060",
    HOST_IP: "HNS061",
    HOST_PORT_RANGE: "HNS062",
    PROTOCOL: "HNS063",
    UNMODELLED_WINDOWS_PORTS: "HNS064",
    HOST_NETWORK_PORTS: "DKR010",
    MACVLAN_PORTS: "DKR011",
    PORT_TAKEN: "SCN040",
    RANGE_MISMATCH: "SCN041",
    NOTHING_TO_PUBLISH: "SCN042",
}

/// A fixed host port range a running container binds on its host.
struct HostBinding {
    container: usize,
    host_ports: PortRange,
    /// Field path of the mapping, for the finding.
    path: String,
    host_ip: Option<IpAddr>,
    /// Index of the mapping in the container's `ports`.
    mapping: Option<usize>,
    container_ports: PortRange,
}

impl HostBinding {
    /// Whether two bindings of one host port collide. Docker binds each mapping
    /// separately: two containers, or two different mappings of one container (`-p
    /// 80:80 -p 80:81`), cannot take the same host port; the very same mapping written
    /// twice is one binding. On Linux bindings to two different specific host IPs do not
    /// collide.
    fn collides(&self, b: &HostBinding) -> bool {
        let a = self;
        let overlap =
            a.host_ports.start <= b.host_ports.end && b.host_ports.start <= a.host_ports.end;
        let same_binding = a.container == b.container
            && (a.mapping == b.mapping
                || (a.container_ports == b.container_ports && a.host_ip == b.host_ip));
        let unspecified = |ip: Option<IpAddr>| ip.is_none_or(|ip| ip.is_unspecified());
        let distinct_ips =
            !unspecified(a.host_ip) && !unspecified(b.host_ip) && a.host_ip != b.host_ip;
        overlap && !same_binding && !distinct_ips
    }
}

/// For each binding of one host and protocol, in order, the first earlier binding it
/// collides with. Earlier bindings are indexed by first port, so only those that can
/// overlap are compared (a scan of every earlier binding made thousands of mappings on
/// one host quadratic).
fn first_clashes(list: &[HostBinding]) -> Vec<(usize, usize)> {
    let mut by_start: BTreeMap<u16, Vec<usize>> = BTreeMap::new();
    let mut widest: u16 = 0;
    let mut out = Vec::new();
    for (k, this) in list.iter().enumerate() {
        let from = this.host_ports.start.saturating_sub(widest);
        let clash = by_start
            .range(from..=this.host_ports.end)
            .flat_map(|(_, earlier)| earlier.iter().copied())
            .filter(|i| list[*i].collides(this))
            .min();
        if let Some(i) = clash {
            out.push((k, i));
        }
        by_start.entry(this.host_ports.start).or_default().push(k);
        widest = widest.max(this.host_ports.end - this.host_ports.start);
    }
    out
}

/// Drivers of the container's networks, on its own host.
fn drivers(checker: &Checker, ci: usize) -> Vec<&'static str> {
    checker
        .design
        .endpoints_of(ci)
        .filter_map(|e| e.network)
        .map(|n| match checker.networks()[n].driver {
            Driver::Transparent => "transparent",
            Driver::Host => "host",
            Driver::Macvlan | Driver::Ipvlan => "macvlan",
            Driver::L2bridge => "l2bridge",
            Driver::L2tunnel => "l2tunnel",
            Driver::Overlay => "overlay",
            _ => "other",
        })
        .collect()
}

fn only(drivers: &[&str], kind: &str) -> bool {
    !drivers.is_empty() && drivers.iter().all(|d| *d == kind)
}

pub(super) fn check(checker: &mut Checker) {
    let mut found = Vec::new();
    // Indices into `found` of the refusals that take their container out, with its
    // attachments (in order).
    let mut refused: Vec<(usize, Vec<crate::finding::Subject>)> = Vec::new();
    // (host, proto) -> [(container, host ports, path)]
    let mut taken: BTreeMap<(String, Protocol), Vec<HostBinding>> = BTreeMap::new();
    for (ci, c) in checker.containers().iter().enumerate() {
        let Some(host) = checker.container_host(ci) else {
            continue;
        };
        let publishes = !c.ports.is_empty() || (c.publish_all && !c.expose.is_empty());
        // The drivers matter only to a container that publishes something (most of a
        // large design's containers do not).
        let kinds = if publishes || checker.design.published_of(ci).next().is_some() {
            drivers(checker, ci)
        } else {
            Vec::new()
        };
        if publishes {
            let ports_path = c.origin.at("ports");
            if host.is_windows() && only(&kinds, "transparent") {
                found.push((
                    &TRANSPARENT_PORTS,
                    ports_path.clone(),
                    format!(
                        "container `{}` on host `{}` publishes ports but is only on transparent networks, where mappings are not applied",
                        c.name, host.name
                    ),
                ));
            } else if host.is_windows()
                && !kinds.is_empty()
                && kinds
                    .iter()
                    .all(|d| matches!(*d, "l2bridge" | "l2tunnel" | "overlay"))
            {
                found.push((
                    &UNMODELLED_WINDOWS_PORTS,
                    ports_path.clone(),
                    format!(
                        "container `{}` on host `{}` publishes ports on {} networks only; hnsim models no port mapping there (the matrix shows no path through the host's address)",
                        c.name,
                        host.name,
                        kinds.join("/")
                    ),
                ));
            } else if !host.is_windows() && only(&kinds, "host") {
                found.push((
                    &HOST_NETWORK_PORTS,
                    ports_path.clone(),
                    format!(
                        "container `{}` on host `{}` is on the host network; its port mappings are discarded",
                        c.name, host.name
                    ),
                ));
            } else if !host.is_windows() && only(&kinds, "macvlan") {
                found.push((
                    &MACVLAN_PORTS,
                    ports_path.clone(),
                    format!(
                        "container `{}` on host `{}` is only on macvlan/ipvlan networks, where port mappings do not apply",
                        c.name, host.name
                    ),
                ));
            }
        }
        if c.publish_all && c.expose.is_empty() {
            found.push((
                &NOTHING_TO_PUBLISH,
                c.origin.at("publish-all"),
                format!("container `{}` sets -P but exposes no port", c.name),
            ));
        }
        // What `mapping_limits` finds, `docker run` refuses: the container is not
        // created, so none of its flows is what the rules say.
        let before = found.len();
        mapping_limits(
            "container",
            &c.name,
            &c.ports,
            &c.origin.path,
            host.is_windows(),
            &mut found,
        );
        if found.len() > before {
            let gone = checker.container_subjects(ci);
            refused.extend((before..found.len()).map(|i| (i, gone.clone())));
        }
        let applies = kinds.contains(&"other");
        if c.is_running() && applies {
            for p in checker.design.published_of(ci).filter(|p| !p.ephemeral) {
                let path = match p.mapping {
                    Some(m) => format!("{}.ports[{m}]", c.origin.path),
                    None => c.origin.path.clone(),
                };
                taken
                    .entry((c.host.clone(), p.forward.proto))
                    .or_default()
                    .push(HostBinding {
                        container: ci,
                        host_ports: p.forward.host_ports,
                        path,
                        host_ip: p.forward.host_ip,
                        mapping: p.mapping,
                        container_ports: p.forward.container_ports,
                    });
            }
        }
    }
    let on_windows = services_on_windows(checker);
    for svc in &checker.design.scenario.services {
        let windows = on_windows
            .get(svc.name.as_str())
            .copied()
            .unwrap_or_else(|| windows_swarm_node(checker));
        mapping_limits(
            "service",
            &svc.name,
            &svc.ports,
            &svc.origin.path,
            windows,
            &mut found,
        );
    }
    for ((host, proto), list) in taken {
        for (k, i) in first_clashes(&list) {
            let (this, other) = (&list[k], &list[i]);
            let port = this.host_ports.start.max(other.host_ports.start);
            let name = |c: usize| &checker.containers()[c].name;
            let message = if other.container == this.container {
                format!(
                    "container `{}` publishes {proto} port {port} on host `{host}` twice",
                    name(this.container)
                )
            } else {
                format!(
                    "containers `{}` and `{}` both publish {proto} port {port} on host `{host}`",
                    name(other.container),
                    name(this.container)
                )
            };
            found.push((&PORT_TAKEN, this.path.clone(), message));
        }
    }
    let mut refused = refused.into_iter().peekable();
    for (i, (rule, path, msg)) in found.into_iter().enumerate() {
        match refused.next_if(|(k, _)| *k == i) {
            Some((_, gone)) => checker.emit_on(rule, &path, msg, gone),
            None => checker.emit(rule, &path, msg),
        }
    }
}

/// What Docker refuses in the mappings of a container or service (`what`, `name`) whose
/// mappings are at `path` (`path.ports[i]`): ranges of different lengths anywhere, and on
/// Windows a host IP, a host port range for one container port, or a protocol other than
/// TCP and UDP, each with the error Docker gives.
fn mapping_limits(
    what: &str,
    name: &str,
    ports: &[PortMapping],
    path: &str,
    windows: bool,
    found: &mut Vec<(&'static Rule, String, String)>,
) {
    for (mi, m) in ports.iter().enumerate() {
        let path = format!("{path}.ports[{mi}]");
        if let Some(h) = m.host_port {
            let (hn, cn) = (h.count(), m.container_port.count());
            if hn > 1 && cn > 1 && hn != cn || hn == 1 && cn > 1 {
                found.push((
                    &RANGE_MISMATCH,
                    path.clone(),
                    format!(
                        "{what} `{name}` maps host ports {h} ({hn}) to container ports {} ({cn})",
                        m.container_port
                    ),
                ));
            }
            if windows && hn > 1 && cn == 1 {
                found.push((
                    &HOST_PORT_RANGE,
                    path.clone(),
                    format!(
                        "{what} `{name}` maps host port range {h} to container port {}: Docker refuses it (\"Windows does not support more than one host port in NAT settings\")",
                        m.container_port
                    ),
                ));
            }
        }
        if !windows {
            continue;
        }
        if let Some(ip) = m.host_ip.filter(|ip| !ip.is_unspecified()) {
            found.push((
                &HOST_IP,
                path.clone(),
                format!("{what} `{name}` maps `{m}` with host IP {ip}: Docker refuses it (\"Windows does not support host IP addresses in NAT settings\")"),
            ));
        }
        if m.proto == Protocol::Sctp {
            found.push((
                &PROTOCOL,
                path,
                format!("{what} `{name}` maps `{m}` over sctp: Docker refuses it (\"invalid protocol sctp\")"),
            ));
        }
    }
}

/// Whether each swarm service with a replica placed runs on Windows (a replica on a
/// Windows host), in one pass over the containers: a pass per service made many
/// services over many replicas quadratic.
fn services_on_windows<'a>(checker: &Checker<'a>) -> HashMap<&'a str, bool> {
    let mut out: HashMap<&str, bool> = HashMap::default();
    if !checker.hosts().iter().any(|h| h.is_windows()) {
        return out; // no replica runs on Windows, and no node would run one
    }
    for (ci, c) in checker.containers().iter().enumerate() {
        if let Some(service) = c.service.as_deref() {
            let windows = checker.container_host(ci).is_some_and(|h| h.is_windows());
            *out.entry(service).or_default() |= windows;
        }
    }
    out
}

/// Where a service with no replica placed would run: on Windows if the swarm has a
/// Windows node.
fn windows_swarm_node(checker: &Checker) -> bool {
    checker
        .hosts()
        .iter()
        .any(|h| h.swarm != SwarmRole::None && h.is_windows())
}
