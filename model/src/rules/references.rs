//! Consistency of the scenario itself: names that clash, names that point nowhere, and
//! objects on the wrong platform (SCN0xx).

use super::{Checker, Rule};
use crate::driver::Driver;
use crate::hash::HashSet;
use crate::scenario::Platform;

rules! {
    DUPLICATE: "SCN001",
    UNKNOWN: "SCN002",
    WRONG_HOST: "SCN003",
    PLATFORM_DRIVER: "SCN004",
    SERVICE_WITHOUT_SWARM: "SCN005",
    NO_DOCKER: "SCN006",
    PLUGIN: "SCN007",
    DRIVER_TYPO: "SCN009",
    PLATFORM_OS: "SCN008",
}

/// The built-in driver a plugin name is most likely a typo of (`natt`, `l2brige`,
/// `overlay2`); real plugins (`weave`, `calico`, `cilium`) are nowhere near one.
fn typo_of_builtin(name: &str) -> Option<&'static str> {
    Driver::BUILTIN
        .iter()
        .map(|b| (crate::similarity(&name.to_ascii_lowercase(), b), *b))
        .filter(|(score, _)| *score > 0.9)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, b)| b)
}

/// Every item whose key an earlier item has, in order. Keys are compared by hash
/// first, sorted rather than put in a set (a set of a million replica names was a
/// cache miss per name); only keys whose hash repeats go into the set.
fn dupes<'a, K: std::hash::Hash + Eq + std::fmt::Display>(
    checker: &mut Checker,
    what: &str,
    items: impl Iterator<Item = (K, &'a str)> + Clone,
) {
    use std::hash::BuildHasher;
    let state = foldhash::fast::FixedState::default();
    let hashes: Vec<u64> = items.clone().map(|(key, _)| state.hash_one(&key)).collect();
    let suspect = crate::hash::repeated_hashes(&hashes);
    if suspect.is_empty() {
        return;
    }
    let mut seen = HashSet::default();
    for ((key, path), hash) in items.zip(&hashes) {
        if !suspect.contains(hash) {
            continue;
        }
        if let Some(key) = seen.replace(key) {
            checker.emit(
                &DUPLICATE,
                path,
                format!("{what} `{key}` is defined more than once"),
            );
        }
    }
}

pub(super) fn check(checker: &mut Checker) {
    let design = checker.design;
    let s = &design.scenario;
    // The objects named once per design, each by its name.
    macro_rules! by_name {
        ($objects:expr) => {
            $objects
                .iter()
                .map(|x| (x.name.as_str(), x.origin.path.as_str()))
        };
    }
    dupes(checker, "segment", by_name!(s.segments));
    dupes(checker, "host", by_name!(s.hosts));
    dupes(checker, "container", by_name!(s.containers));
    dupes(checker, "service", by_name!(s.services));
    dupes(checker, "client", by_name!(s.clients));
    dupes(
        checker,
        "vSwitch",
        s.vswitches.iter().map(|x| {
            (
                format!("{}` on host `{}", x.name, x.host),
                x.origin.path.as_str(),
            )
        }),
    );
    dupes(
        checker,
        "network",
        s.networks.iter().map(|x| {
            let key = match &x.host {
                Some(h) => format!("{}` on host `{h}", x.name),
                None => x.name.clone(),
            };
            (key, x.origin.path.as_str())
        }),
    );
    let hosts: HashSet<&str> = s.hosts.iter().map(|h| h.name.as_str()).collect();
    let segments: HashSet<&str> = s.segments.iter().map(|x| x.name.as_str()).collect();
    let mut found: Vec<(&Rule, String, String)> = Vec::new();
    for h in &s.hosts {
        if let Some(p) = h.platform {
            if (p == Platform::Windows) != h.os.is_windows() {
                found.push((
                    &PLATFORM_OS,
                    h.origin.at("platform"),
                    format!(
                        "host `{}` has platform {} but os {}",
                        h.name,
                        if p == Platform::Windows {
                            "windows"
                        } else {
                            "linux"
                        },
                        h.os
                    ),
                ));
            }
        }
        let mut nics = HashSet::default();
        for (i, nic) in h.nics.iter().enumerate() {
            if !nics.insert(nic.name.as_str()) {
                found.push((
                    &DUPLICATE,
                    format!("{}.nics[{i}].name", h.origin.path),
                    format!("NIC `{}` is defined twice on host `{}`", nic.name, h.name),
                ));
            }
            if !segments.contains(nic.segment.as_str()) {
                found.push((
                    &UNKNOWN,
                    format!("{}.nics[{i}].segment", h.origin.path),
                    format!(
                        "NIC `{}` of host `{}` is on segment `{}`, which is not defined",
                        nic.name, h.name, nic.segment
                    ),
                ));
            }
        }
    }
    for c in &s.clients {
        if let Some(seg) = &c.segment {
            if !segments.contains(seg.as_str()) {
                found.push((
                    &UNKNOWN,
                    c.origin.at("segment"),
                    format!(
                        "client `{}` is on segment `{seg}`, which is not defined",
                        c.name
                    ),
                ));
            }
        }
    }
    for v in &s.vswitches {
        match checker.host(&v.host) {
            None => found.push((
                &UNKNOWN,
                v.origin.at("host"),
                format!(
                    "vSwitch `{}` is on host `{}`, which is not defined",
                    v.name, v.host
                ),
            )),
            Some(h) => {
                if let Some(nic) = v.nic.as_deref().filter(|n| h.nic(n).is_none()) {
                    found.push((
                        &UNKNOWN,
                        v.origin.at("nic"),
                        format!(
                            "vSwitch `{}` binds NIC `{nic}`, which host `{}` does not have",
                            v.name, h.name
                        ),
                    ));
                }
            }
        }
    }
    for (ni, n) in s.networks.iter().enumerate() {
        if let Driver::Plugin(name) = &n.driver {
            if let Some(builtin) =
                typo_of_builtin(name).filter(|_| n.driver.miscased_builtin().is_none())
            {
                found.push((
                    &DRIVER_TYPO,
                    n.origin.at("driver"),
                    format!(
                        "network `{}` uses driver `{name}`, which Docker does not ship: did you mean `{builtin}`?",
                        n.name
                    ),
                ));
            } else if n.driver.miscased_builtin().is_none() {
                found.push((
                    &PLUGIN,
                    n.origin.at("driver"),
                    format!(
                        "network `{}` uses third-party driver `{name}`, which is not modelled",
                        n.name
                    ),
                ));
            }
        }
        let Some(hname) = &n.host else {
            for h in checker.hosts_of_network(ni) {
                platform_driver(&mut found, n, h);
            }
            continue;
        };
        match checker.host(hname) {
            None => found.push((
                &UNKNOWN,
                n.origin.at("host"),
                format!(
                    "network `{}` is on host `{hname}`, which is not defined",
                    n.name
                ),
            )),
            Some(h) => {
                if h.docker.absent && !n.origin.implicit {
                    found.push((
                        &NO_DOCKER,
                        n.origin.at("host"),
                        format!(
                            "network `{}` is on host `{hname}`, which has no Docker",
                            n.name
                        ),
                    ));
                }
                platform_driver(&mut found, n, h);
                if let Some(iface) = n.interface() {
                    if h.nic(iface).is_none() {
                        found.push((
                            &UNKNOWN,
                            n.origin.at("options"),
                            format!(
                                "network `{}` binds to interface `{iface}`, which host `{hname}` does not have",
                                n.name
                            ),
                        ));
                    }
                }
            }
        }
    }
    for (ci, c) in s.containers.iter().enumerate() {
        match checker.container_host(ci) {
            None if c.service.is_none() => found.push((
                &UNKNOWN,
                c.origin.at("host"),
                format!(
                    "container `{}` is on host `{}`, which is not defined",
                    c.name, c.host
                ),
            )),
            Some(h) if h.docker.absent => found.push((
                &NO_DOCKER,
                c.origin.at("host"),
                format!(
                    "container `{}` is on host `{}`, which has no Docker",
                    c.name, c.host
                ),
            )),
            _ => {}
        }
    }
    for ep in &design.endpoints {
        if ep.network.is_some() || ep.host.is_none() {
            continue;
        }
        let c = &s.containers[ep.container];
        let Some(host) = ep.host.map(|i| &s.hosts[i]) else {
            continue;
        };
        if host.docker.absent {
            continue;
        }
        let att = &c.networks[ep.attachment];
        if att.network == "nat" && host.is_windows() && !host.docker.creates_default_network() {
            continue; // HNS004 says why
        }
        // A stopped container whose network the timeline removed (reboot, rm) is
        // SCN050's when it tries to start, not a dangling reference.
        if !c.is_running() && defined_in_file(checker.doc, &c.host, &att.network) {
            continue;
        }
        let path = format!("{}.networks[{}]", c.origin.path, ep.attachment);
        let elsewhere: Vec<&str> = s
            .networks
            .iter()
            .filter(|n| n.name == att.network)
            .filter_map(|n| n.host.as_deref())
            .collect();
        // The other platform's default network (NAT-1, LNX-1): a design written for
        // Windows moved to Linux, or the reverse.
        let default_hint = match (att.network.as_str(), host.is_windows()) {
            ("bridge", true) => Some(
                "`bridge` is Linux's default network; on Windows the default is `nat` (leave `networks` out to use it)",
            ),
            ("nat", false) => Some(
                "`nat` is Windows' default network; on Linux the default is `bridge` (leave `networks` out to use it)",
            ),
            _ => None,
        };
        if elsewhere.is_empty() {
            let names: Vec<&str> = s
                .networks
                .iter()
                .filter(|n| n.host.is_none() || n.host.as_deref() == Some(host.name.as_str()))
                .map(|n| n.name.as_str())
                .collect();
            let help = names
                .iter()
                .map(|n| (crate::similarity(&att.network, n), *n))
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .filter(|(score, _)| *score > 0.8)
                .map(|(_, n)| format!("did you mean `{n}`?"))
                .or_else(|| default_hint.map(str::to_string));
            let message = format!(
                "container `{}` attaches to network `{}`, which does not exist on host `{}`",
                c.name, att.network, host.name
            );
            match help {
                Some(help) => checker.emit_help(&UNKNOWN, &path, message, help),
                None => found.push((&UNKNOWN, path, message)),
            }
        } else {
            let message = format!(
                "container `{}` on host `{}` attaches to network `{}`, which lives on host(s) {}",
                c.name,
                host.name,
                att.network,
                elsewhere.join(", ")
            );
            match default_hint {
                Some(help) => checker.emit_help(&WRONG_HOST, &path, message, help.to_string()),
                None => found.push((&WRONG_HOST, path, message)),
            }
        }
    }
    services(checker, &mut found, &hosts);
    for (rule, path, msg) in found {
        checker.emit(rule, &path, msg);
    }
}

/// Whether the file defines a network of this name for the host, up front or in a step.
fn defined_in_file(doc: &crate::parse::Document, host: &str, name: &str) -> bool {
    let matches = |n: &crate::scenario::Network| {
        n.name == name && n.host.as_deref().is_none_or(|h| h == host)
    };
    doc.scenario.networks.iter().any(matches)
        || doc.scenario.steps.iter().any(|s| match s {
            crate::scenario::Step::CreateNetwork(n) => matches(n),
            _ => false,
        })
}

fn platform_driver(
    found: &mut Vec<(&Rule, String, String)>,
    n: &crate::scenario::Network,
    h: &crate::scenario::Host,
) {
    let wrong = if h.is_windows() {
        n.driver.is_linux_driver() && !matches!(n.driver, Driver::Overlay | Driver::None)
    } else {
        n.driver.is_windows_driver() && n.driver != Driver::Overlay
    };
    if wrong {
        let platform = if h.is_windows() { "Windows" } else { "Linux" };
        found.push((
            &PLATFORM_DRIVER,
            n.origin.at("driver"),
            format!(
                "network `{}` uses driver `{}`, which {platform} host `{}` does not have",
                n.name, n.driver, h.name
            ),
        ));
    }
}

fn services(checker: &Checker, found: &mut Vec<(&Rule, String, String)>, hosts: &HashSet<&str>) {
    let design = checker.design;
    let s = &design.scenario;
    let swarm = s.swarm_nodes();
    for svc in &s.services {
        if svc.hosts.is_empty() && swarm.is_empty() {
            found.push((
                &SERVICE_WITHOUT_SWARM,
                svc.origin.path.clone(),
                format!("service `{}` has no swarm node to run on", svc.name),
            ));
        }
        for (i, h) in svc.hosts.iter().enumerate() {
            let path = format!("{}.hosts[{i}]", svc.origin.path);
            if !hosts.contains(h.as_str()) {
                found.push((
                    &UNKNOWN,
                    path,
                    format!(
                        "service `{}` is placed on host `{h}`, which is not defined",
                        svc.name
                    ),
                ));
            } else if !swarm.contains(&h.as_str()) {
                found.push((
                    &SERVICE_WITHOUT_SWARM,
                    path,
                    format!(
                        "service `{}` is placed on host `{h}`, which is not a swarm node",
                        svc.name
                    ),
                ));
            }
        }
    }
}
