//! A compose file -> networks, containers and (on a swarm manager) services.
//!
//! Follows what `docker compose up` does: networks are named `<project>_<key>` unless
//! they have `name:` or are `external`; services with no `networks:` join the `default`
//! network, which Compose creates as `<project>_default` with the platform's default
//! driver, unless `networks: default:` says otherwise; `networks: default: external:
//! name: nat` makes every service use the existing nat network (OPT-9); containers are
//! named `<project>-<service>-<n>` unless `container_name:` is set; `deploy.replicas` /
//! `scale` give that many containers. On a swarm manager a file whose services carry
//! `deploy:` is read as a stack (`docker stack deploy`): every service becomes a swarm
//! [`Service`] and networks default to the overlay driver (OVL-1).

mod network;
mod service;
mod values;

use crate::driver::Driver;
use crate::finding::Location;
use crate::import::translate::{TargetHost, Translator};
use crate::scenario::*;
use serde_yaml_ng::{Mapping, Value};
use std::collections::BTreeMap;
use values::{as_map, interpolate, scalar};

const TOP_KEYS: &[&str] = &[
    "version", "name", "services", "networks", "volumes", "configs", "secrets", "include", "models",
];

/// Compose lowercases the project name and keeps `[a-z0-9_-]`.
fn project_name(raw: &str) -> String {
    let p: String = raw
        .to_ascii_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
        .collect();
    if p.is_empty() {
        "app".to_string()
    } else {
        p
    }
}

/// Whether a compose file only makes sense on Windows (its drivers, shim options, the
/// `nat` network, `isolation:`).
pub fn uses_windows(value: &Value) -> bool {
    let nets = value.get("networks").and_then(Value::as_mapping);
    let net_hint = nets.is_some_and(|m| {
        m.iter().any(|(_, def)| {
            let driver_win = def
                .get("driver")
                .and_then(Value::as_str)
                .map(Driver::parse)
                .is_some_and(|d| d.is_windows_driver() && d != Driver::Overlay);
            let shim = def
                .get("driver_opts")
                .and_then(Value::as_mapping)
                .is_some_and(|o| {
                    o.keys()
                        .filter_map(Value::as_str)
                        .any(|k| k.starts_with(shim::PREFIX))
                });
            let ext_nat = def.get("name").and_then(Value::as_str) == Some("nat")
                || def
                    .get("external")
                    .and_then(|e| e.get("name"))
                    .and_then(Value::as_str)
                    == Some("nat");
            driver_win || shim || ext_nat
        })
    });
    let svc_hint = value
        .get("services")
        .and_then(Value::as_mapping)
        .is_some_and(|m| {
            m.iter().any(|(_, s)| {
                s.get("isolation").is_some()
                    || s.get("image")
                        .and_then(Value::as_str)
                        .is_some_and(super::windows_image)
            })
        });
    net_hint || svc_hint
}

/// The definitions of the overlay networks a compose file declares.
fn overlay_networks(value: &Value) -> impl Iterator<Item = &Value> {
    value
        .get("networks")
        .and_then(Value::as_mapping)
        .into_iter()
        .flat_map(|m| m.values())
        .filter(|def| {
            def.get("driver")
                .and_then(Value::as_str)
                .is_some_and(|d| Driver::parse(d) == Driver::Overlay)
        })
}

/// Whether a compose file declares an overlay network: such a file is a stack file
/// (`docker stack deploy`), since `docker compose up` cannot create an overlay network
/// on a node that is not a swarm manager (OVL-1, LNX-3).
pub fn declares_overlay(value: &Value) -> bool {
    overlay_networks(value).any(|def| {
        def.get("external")
            .is_none_or(|e| e.as_bool() == Some(false))
    })
}

/// An overlay network that is not `attachable`: standalone containers of `docker
/// compose up` cannot join it, so the file is meant for `docker stack deploy`.
fn declares_stack_overlay(value: &Value) -> bool {
    overlay_networks(value).any(|def| {
        def.get("attachable").and_then(Value::as_bool) != Some(true)
            && def.get("external").is_none()
    })
}

/// Model fields whose compose key has another name: (object, model field, compose key).
const SPELLINGS: &[(&str, &str, &str)] = &[
    ("network", "ipv6", "enable_ipv6"),
    ("network", "ipam-driver", "ipam.driver"),
    ("network", "ipam-opt", "ipam.options"),
    ("network", "options", "driver_opts"),
    ("service", "link", "links"),
    ("service", "add-host", "extra_hosts"),
    ("service", "dns-opt", "dns_opt"),
    ("service", "dns-search", "dns_search"),
];

/// The (model field, compose key) pairs of one kind of object.
fn spelt_as(object: &str) -> impl Iterator<Item = (&'static str, &'static str)> + '_ {
    SPELLINGS
        .iter()
        .filter(move |(o, _, _)| *o == object)
        .map(|(_, field, key)| (*field, *key))
}

/// What every entry of one compose file is translated in: the host that runs it, where
/// its keys are written, and its project name.
pub(super) struct Project<'a> {
    host: TargetHost,
    keys: ComposeLocator<'a>,
    name: String,
    /// Each service's first container (`container_name`, else `PROJECT-SERVICE-1`): the
    /// stack `network_mode: service:NAME` joins.
    first_container: BTreeMap<String, String>,
}

/// Whether a service joins another one's network stack (`network_mode: service:X` or
/// `container:X`): it is translated after the others, once its target exists.
fn joins_a_stack(m: &Mapping) -> bool {
    m.get("network_mode")
        .and_then(scalar)
        .is_some_and(|v| v.starts_with("service:") || v.starts_with("container:"))
}

/// Locates a compose key (`services.web.ports[0]`) in the input, below the field path
/// the compose value sits at (`hosts[0].compose`).
#[derive(Clone, Copy)]
struct ComposeLocator<'a> {
    base: &'a str,
    locate: &'a dyn Fn(&str) -> Location,
}

impl ComposeLocator<'_> {
    /// The location of the key `rel`, relative to the compose value.
    fn at(&self, rel: &str) -> Location {
        let path = if self.base.is_empty() {
            rel.to_string()
        } else if rel.is_empty() {
            self.base.to_string()
        } else {
            format!("{}.{rel}", self.base)
        };
        (self.locate)(&path)
    }
}

/// Translates a compose file for host `index`. `base` is the field path of the compose
/// value (`hosts[0].compose`, or empty for a compose file of its own).
pub(crate) fn apply(
    t: &mut Translator,
    index: usize,
    value: &Value,
    base: &str,
    default_project: &str,
    locate: &dyn Fn(&str) -> Location,
) {
    let keys = ComposeLocator { base, locate };
    let h = t.target_host(index);
    // `<<: *defaults` merge keys, common in compose files (`x-defaults: &defaults`).
    let mut merged = value.clone();
    if let Err(e) = merged.apply_merge() {
        t.emit(
            "IMP013",
            &keys.at(""),
            format!("cannot apply `<<` merge keys: {e}"),
        );
    }
    interpolate(&mut merged);
    let value = &merged;
    let Some(root) = value.as_mapping() else {
        let what = if value.is_string() {
            "a compose file given by path must be read and inlined before import"
        } else {
            "a compose file is a mapping with `services:` and `networks:`"
        };
        t.emit("IMP013", &keys.at(""), what);
        return;
    };
    for k in root.keys() {
        let key = scalar(k).unwrap_or_default();
        if !TOP_KEYS.contains(&key.as_str()) && !key.starts_with("x-") {
            t.emit(
                "IMP013",
                &keys.at(&key),
                format!("unknown top-level compose key `{key}`"),
            );
        }
    }
    let project = project_name(
        root.get("name")
            .and_then(Value::as_str)
            .unwrap_or(default_project),
    );
    let services = match root.get("services") {
        Some(Value::Mapping(m)) => Some(m),
        None | Some(Value::Null) => None,
        Some(_) => {
            t.emit(
                "IMP013",
                &keys.at("services"),
                "`services` must be a mapping",
            );
            None
        }
    };
    let stack = t.scenario.hosts[index].swarm == SwarmRole::Manager
        && (services.is_some_and(|m| m.values().any(|s| s.get("deploy").is_some()))
            || declares_stack_overlay(value));
    let default_driver = if stack {
        Driver::Overlay
    } else if h.windows {
        Driver::Nat
    } else {
        Driver::Bridge
    };

    let first_container = services
        .into_iter()
        .flat_map(|m| m.iter())
        .filter_map(|(k, v)| {
            let svc = scalar(k)?;
            let name = v
                .get("container_name")
                .and_then(scalar)
                .unwrap_or_else(|| format!("{project}-{svc}-1"));
            Some((svc, name))
        })
        .collect();
    let scope = Project {
        host: h.clone(),
        keys,
        name: project.clone(),
        first_container,
    };
    // Networks: key -> the name Docker knows it by.
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let mut to_create: Vec<(Network, Location)> = Vec::new();
    match root.get("networks") {
        Some(Value::Mapping(nets)) => {
            for (key, path, m) in mapping_entries(t, &keys, "networks", "network", nets) {
                if let Some(net) =
                    network::translate(t, &scope, &key, m, &default_driver, &mut names)
                {
                    to_create.push((net, keys.at(&path)));
                }
            }
        }
        None | Some(Value::Null) => {}
        Some(_) => t.emit(
            "IMP013",
            &keys.at("networks"),
            "`networks` must be a mapping",
        ),
    }
    let uses_default = services.is_some_and(|m| {
        m.values()
            .any(|s| s.get("networks").is_none() && s.get("network_mode").is_none())
    });
    if uses_default && !names.contains_key("default") {
        let name = format!("{project}_default");
        names.insert("default".into(), name.clone());
        let mut net = network::blank(&name, &h, default_driver.clone());
        net.host = (default_driver != Driver::Overlay).then(|| h.name.clone());
        to_create.push((net, keys.at("services")));
    }
    for (net, src) in to_create {
        t.check_subnets(&net, &src);
        if net.driver == Driver::Overlay
            && net.host.is_none()
            && t.scenario.hosts[index].swarm != SwarmRole::Manager
        {
            t.emit(
                "IMP016",
                &src,
                format!(
                    "network `{}`: overlay networks are created on a swarm manager (OVL-1)",
                    net.name
                ),
            )
        }
        t.add_network(&h, net, &src);
    }

    let Some(services) = services else { return };
    let entries = mapping_entries(t, &keys, "services", "service", services);
    let (joining, own): (Vec<_>, Vec<_>) =
        entries.into_iter().partition(|(_, _, m)| joins_a_stack(m));
    for (svc, _, m) in own.into_iter().chain(joining) {
        service::translate(t, &scope, &svc, m, &names, stack);
    }
}

/// The entries of a top-level section (`networks`, `services`) with their key and field
/// path, each a mapping (an empty entry is an empty mapping); an entry that is not a
/// mapping is reported (IMP013) and left out.
fn mapping_entries<'v>(
    t: &mut Translator,
    keys: &ComposeLocator,
    section: &str,
    what: &str,
    entries: &'v Mapping,
) -> Vec<(String, String, &'v Mapping)> {
    let mut out = Vec::new();
    for (k, def) in entries {
        let Some(key) = scalar(k) else { continue };
        let path = format!("{section}.{key}");
        match as_map(def) {
            Some(m) => out.push((key, path, m)),
            None => t.emit(
                "IMP013",
                &keys.at(&path),
                format!("{what} `{key}` must be a mapping"),
            ),
        }
    }
    out
}
