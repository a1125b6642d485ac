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

use super::translate::{image_base, parse_long_port, HostCtx, Translator};
use super::Src;
use crate::driver::Driver;
use crate::finding::Location;
use crate::port::{PortMapping, PortProto};
use crate::scenario::*;
use ipnet::IpNet;
use serde_yaml_ng::{Mapping, Value};
use std::collections::BTreeMap;
use std::net::IpAddr;

const TOP_KEYS: &[&str] = &[
    "version", "name", "services", "networks", "volumes", "configs", "secrets", "include", "models",
];

const NETWORK_KEYS: &[&str] = &[
    "driver",
    "driver_opts",
    "ipam",
    "external",
    "name",
    "internal",
    "attachable",
    "enable_ipv6",
    "enable_ipv4",
    "labels",
];

/// Service keys that change networking but are not modelled.
const SERVICE_NOT_MODELLED: &[&str] = &[
    "dns",
    "hostname",
    "domainname",
    "mac_address",
    "sysctls",
    "network_mode",
];

/// Every other service key of the Compose specification: valid, and without effect on
/// connectivity. A key in none of the lists is a typo Compose refuses ("Additional
/// property ... is not allowed").
const SERVICE_OTHER: &[&str] = &[
    "annotations",
    "attach",
    "blkio_config",
    "build",
    "cap_add",
    "cap_drop",
    "cgroup",
    "cgroup_parent",
    "command",
    "configs",
    "cpu_count",
    "cpu_percent",
    "cpu_period",
    "cpu_quota",
    "cpu_rt_period",
    "cpu_rt_runtime",
    "cpu_shares",
    "cpus",
    "cpuset",
    "credential_spec",
    "depends_on",
    "develop",
    "device_cgroup_rules",
    "devices",
    "driver_opts",
    "entrypoint",
    "env_file",
    "environment",
    "extends",
    "gpus",
    "group_add",
    "healthcheck",
    "init",
    "ipc",
    "labels",
    "label_file",
    "logging",
    "mem_limit",
    "mem_reservation",
    "mem_swappiness",
    "memswap_limit",
    "models",
    "oom_kill_disable",
    "oom_score_adj",
    "pid",
    "pids_limit",
    "platform",
    "post_start",
    "pre_stop",
    "privileged",
    "profiles",
    "provider",
    "pull_policy",
    "read_only",
    "restart",
    "runtime",
    "secrets",
    "security_opt",
    "shm_size",
    "stdin_open",
    "stop_grace_period",
    "stop_signal",
    "storage_opt",
    "tmpfs",
    "tty",
    "ulimits",
    "use_api_socket",
    "user",
    "userns_mode",
    "uts",
    "volumes",
    "volumes_from",
    "working_dir",
];

/// Service keys that are translated.
const SERVICE_MODELLED: &[&str] = &[
    "image",
    "container_name",
    "networks",
    "ports",
    "expose",
    "links",
    "external_links",
    "extra_hosts",
    "dns_search",
    "dns_opt",
    "isolation",
    "deploy",
    "scale",
];

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Sequence(s)) => s.iter().filter_map(scalar).collect(),
        Some(Value::Mapping(m)) => m
            .iter()
            .filter_map(|(k, v)| Some(format!("{}:{}", scalar(k)?, scalar(v).unwrap_or_default())))
            .collect(),
        Some(v) => scalar(v).into_iter().collect(),
        None => vec![],
    }
}

fn str_map(v: Option<&Value>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    match v {
        Some(Value::Mapping(m)) => {
            for (k, v) in m {
                if let Some(k) = scalar(k) {
                    out.insert(k, scalar(v).unwrap_or_default());
                }
            }
        }
        Some(Value::Sequence(s)) => {
            for item in s.iter().filter_map(scalar) {
                let (k, v) = item.split_once('=').unwrap_or((item.as_str(), ""));
                out.insert(k.to_string(), v.to_string());
            }
        }
        _ => {}
    }
    out
}

fn empty() -> &'static Mapping {
    static EMPTY: std::sync::OnceLock<Mapping> = std::sync::OnceLock::new();
    EMPTY.get_or_init(Mapping::new)
}

fn as_map(v: &Value) -> Option<&Mapping> {
    match v {
        Value::Mapping(m) => Some(m),
        Value::Null => Some(empty()),
        _ => None,
    }
}

/// Compose's variable interpolation, for what a file alone can say: `${VAR:-default}` and
/// `${VAR-default}` become their default (the variable is not set here), `$$` is a
/// literal `$`. `${VAR}` without a default stays as written, so that a field that needs
/// a value reports it where it matters.
fn interpolate(value: &mut Value) {
    match value {
        Value::String(s) if s.contains('$') => *s = interpolate_str(s),
        Value::Sequence(items) => items.iter_mut().for_each(interpolate),
        Value::Mapping(m) => m.values_mut().for_each(interpolate),
        _ => {}
    }
}

fn interpolate_str(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(r) = after.strip_prefix('$') {
            out.push('$');
            rest = r;
            continue;
        }
        let braced = after
            .strip_prefix('{')
            .and_then(|b| b.find('}').map(|end| (&b[..end], &b[end + 1..])));
        match braced {
            Some((inner, tail)) => {
                let name_end = inner
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(inner.len());
                let op = &inner[name_end..];
                let default = op.strip_prefix(":-").or_else(|| op.strip_prefix('-'));
                match default {
                    Some(d) => out.push_str(d),
                    None => {
                        out.push_str("${");
                        out.push_str(inner);
                        out.push('}');
                    }
                }
                rest = tail;
            }
            None => {
                out.push('$');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

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

/// Whether a compose file declares an overlay network: such a file is a stack file
/// (`docker stack deploy`), since `docker compose up` cannot create an overlay network
/// on a node that is not a swarm manager (OVL-1, LNX-3).
pub fn declares_overlay(value: &Value) -> bool {
    value
        .get("networks")
        .and_then(Value::as_mapping)
        .is_some_and(|m| {
            m.values().any(|def| {
                def.get("driver")
                    .and_then(Value::as_str)
                    .is_some_and(|d| Driver::parse(d) == Driver::Overlay)
                    && def
                        .get("external")
                        .is_none_or(|e| e.as_bool() == Some(false))
            })
        })
}

/// An overlay network that is not `attachable`: standalone containers of `docker
/// compose up` cannot join it, so the file is meant for `docker stack deploy`.
fn declares_stack_overlay(value: &Value) -> bool {
    value
        .get("networks")
        .and_then(Value::as_mapping)
        .is_some_and(|m| {
            m.values().any(|def| {
                def.get("driver")
                    .and_then(Value::as_str)
                    .is_some_and(|d| Driver::parse(d) == Driver::Overlay)
                    && def.get("attachable").and_then(Value::as_bool) != Some(true)
                    && def.get("external").is_none()
            })
        })
}

struct Ctx<'a> {
    base: &'a str,
    locate: &'a dyn Fn(&str) -> Location,
}

impl Ctx<'_> {
    fn src(&self, rel: &str) -> Src {
        let path = if self.base.is_empty() {
            rel.to_string()
        } else if rel.is_empty() {
            self.base.to_string()
        } else {
            format!("{}.{rel}", self.base)
        };
        Src {
            location: (self.locate)(&path),
            path,
        }
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
    let cx = Ctx { base, locate };
    let h = t.host_ctx(index);
    // `<<: *defaults` merge keys, common in compose files (`x-defaults: &defaults`).
    let mut merged = value.clone();
    if let Err(e) = merged.apply_merge() {
        t.emit(
            "IMP013",
            &cx.src(""),
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
        t.emit("IMP013", &cx.src(""), what);
        return;
    };
    for k in root.keys() {
        let key = scalar(k).unwrap_or_default();
        if !TOP_KEYS.contains(&key.as_str()) && !key.starts_with("x-") {
            t.emit(
                "IMP013",
                &cx.src(&key),
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
                &cx.src("services"),
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

    // Networks: key -> the name Docker knows it by.
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let mut to_create: Vec<(Network, Src)> = Vec::new();
    match root.get("networks") {
        Some(Value::Mapping(nets)) => {
            for (k, def) in nets {
                let Some(key) = scalar(k) else { continue };
                let p = format!("networks.{key}");
                let Some(m) = as_map(def) else {
                    t.emit(
                        "IMP013",
                        &cx.src(&p),
                        format!("network `{key}` must be a mapping"),
                    );
                    continue;
                };
                if let Some(net) =
                    network(t, &h, &cx, &project, &key, m, &default_driver, &mut names)
                {
                    to_create.push((net, cx.src(&p)));
                }
            }
        }
        None | Some(Value::Null) => {}
        Some(_) => t.emit(
            "IMP013",
            &cx.src("networks"),
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
        let mut net = blank_network(&name, &h, default_driver.clone());
        net.host = (default_driver != Driver::Overlay).then(|| h.name.clone());
        to_create.push((net, cx.src("services")));
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
    for (k, def) in services {
        let Some(svc) = scalar(k) else { continue };
        let p = format!("services.{svc}");
        let Some(m) = as_map(def) else {
            t.emit(
                "IMP013",
                &cx.src(&p),
                format!("service `{svc}` must be a mapping"),
            );
            continue;
        };
        service(t, &h, &cx, &project, &svc, m, &names, stack);
    }
}

fn blank_network(name: &str, h: &HostCtx, driver: Driver) -> Network {
    Network {
        name: name.to_string(),
        host: Some(h.name.clone()),
        driver,
        subnet: Subnets::default(),
        gateway: None,
        vlan: None,
        vni: None,
        options: BTreeMap::new(),
        scope: None,
        attachable: false,
        internal: false,
        ip_range: None,
        aux_address: BTreeMap::new(),
        ipv6: false,
        ipam_driver: None,
        ipam_opt: BTreeMap::new(),
        origin: Origin::default(),
    }
}

/// One entry of `networks:`; `None` for external networks (recorded in `names`).
#[allow(clippy::too_many_arguments)]
fn network(
    t: &mut Translator,
    h: &HostCtx,
    cx: &Ctx,
    project: &str,
    key: &str,
    m: &Mapping,
    default_driver: &Driver,
    names: &mut BTreeMap<String, String>,
) -> Option<Network> {
    let p = format!("networks.{key}");
    for k in m.keys() {
        let kk = scalar(k).unwrap_or_default();
        if !NETWORK_KEYS.contains(&kk.as_str()) {
            t.emit(
                "IMP013",
                &cx.src(&format!("{p}.{kk}")),
                format!("unknown network key `{kk}`"),
            );
        }
    }
    let explicit_name = m.get("name").and_then(scalar);
    match m.get("external") {
        Some(Value::Bool(true)) | Some(Value::Mapping(_)) => {
            // Legacy `external: {name: nat}` and current `external: true` + `name:`.
            let ext = m
                .get("external")
                .and_then(|e| e.get("name"))
                .and_then(scalar)
                .or(explicit_name)
                .unwrap_or_else(|| key.to_string());
            let src = cx.src(&format!("{p}.external"));
            t.reference(h, &ext, &src);
            names.insert(key.to_string(), ext);
            return None;
        }
        Some(Value::Bool(false)) | None => {}
        Some(_) => t.emit(
            "IMP013",
            &cx.src(&format!("{p}.external")),
            "`external` must be true, false or a mapping with `name`",
        ),
    }
    let name = explicit_name.unwrap_or_else(|| format!("{project}_{key}"));
    names.insert(key.to_string(), name.clone());
    let driver = m
        .get("driver")
        .and_then(Value::as_str)
        .map(Driver::parse)
        .unwrap_or_else(|| default_driver.clone());
    let mut net = blank_network(&name, h, driver);
    if net.driver == Driver::Overlay {
        net.host = None;
    }
    net.options = str_map(m.get("driver_opts"));
    net.internal = m.get("internal").and_then(Value::as_bool).unwrap_or(false);
    net.attachable = m
        .get("attachable")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    net.ipv6 = m
        .get("enable_ipv6")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let mut spelt: Vec<(String, String)> = [
        ("ipv6", "enable_ipv6"),
        ("ipam-driver", "ipam.driver"),
        ("ipam-opt", "ipam.options"),
        ("options", "driver_opts"),
    ]
    .iter()
    .map(|(field, key)| (field.to_string(), key.to_string()))
    .collect();
    if let Some(ipam) = m.get("ipam") {
        net.ipam_driver = ipam
            .get("driver")
            .and_then(scalar)
            .filter(|d| d != "default");
        net.ipam_opt = str_map(ipam.get("options"));
        let configs = match ipam.get("config") {
            Some(Value::Sequence(s)) => s.clone(),
            Some(v @ Value::Mapping(_)) => vec![v.clone()],
            _ => vec![],
        };
        for (i, c) in configs.iter().enumerate() {
            let cp = format!("{p}.ipam.config[{i}]");
            let field = |f: &str| c.get(f).and_then(scalar);
            let config = format!("ipam.config[{i}]");
            if let Some(s) = field("subnet") {
                match s.parse::<IpNet>() {
                    Ok(n) => {
                        let k = net.subnet.0.len();
                        spelt.push((format!("subnet[{k}]"), format!("{config}.subnet")));
                        net.subnet.0.push(n)
                    }
                    Err(_) => t.emit(
                        "IMP008",
                        &cx.src(&format!("{cp}.subnet")),
                        format!("invalid CIDR address: {s}"),
                    ),
                }
            }
            if let Some(g) = field("gateway") {
                match g.parse::<IpAddr>() {
                    Ok(ip) if net.gateway.is_none() => {
                        spelt.push(("gateway".into(), format!("{config}.gateway")));
                        net.gateway = Some(ip)
                    }
                    Ok(_) => t.emit(
                        "IMP005",
                        &cx.src(&format!("{cp}.gateway")),
                        "only the first gateway is modelled",
                    ),
                    Err(_) => t.emit(
                        "IMP008",
                        &cx.src(&format!("{cp}.gateway")),
                        format!("invalid gateway address: {g}"),
                    ),
                }
            }
            if let Some(r) = field("ip_range") {
                match r.parse::<IpNet>() {
                    Ok(n) => {
                        spelt.push(("ip-range".into(), format!("{config}.ip_range")));
                        net.ip_range = Some(n)
                    }
                    Err(_) => t.emit(
                        "IMP008",
                        &cx.src(&format!("{cp}.ip_range")),
                        format!("invalid CIDR address: {r}"),
                    ),
                }
            }
            for (k, v) in str_map(c.get("aux_addresses")) {
                match v.parse::<IpAddr>() {
                    Ok(ip) => {
                        spelt.push(("aux-address".into(), format!("{config}.aux_addresses")));
                        net.aux_address.insert(k, ip);
                    }
                    Err(_) => t.emit(
                        "IMP008",
                        &cx.src(&format!("{cp}.aux_addresses")),
                        format!("invalid auxiliary address {k}={v}"),
                    ),
                }
            }
        }
    }
    // One subnet is named without an index (`subnet`), as the validator names it.
    if net.subnet.0.len() == 1 {
        if let Some(first) = spelt.iter_mut().find(|(f, _)| f == "subnet[0]") {
            first.0 = "subnet".into();
        }
    }
    t.spell_fields(&cx.src(&p).path, &spelt);
    Some(net)
}

/// One entry of `ports:`: `"8080:80"`, `80`, or `{target, published, protocol, host_ip, mode}`.
fn port(v: &Value) -> Result<PortMapping, String> {
    match v {
        Value::Mapping(m) => {
            let parts: Vec<String> = m
                .iter()
                .filter_map(|(k, v)| Some(format!("{}={}", scalar(k)?, scalar(v)?)))
                .filter(|p| !p.starts_with("name=") && !p.starts_with("app_protocol="))
                .collect();
            parse_long_port(&parts.join(",")).map(|(m, _)| m)
        }
        v => {
            let text = scalar(v).ok_or("a port is a string, a number or a mapping")?;
            text.parse::<PortMapping>().map_err(|e| e.to_string())
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn service(
    t: &mut Translator,
    h: &HostCtx,
    cx: &Ctx,
    project: &str,
    svc: &str,
    m: &Mapping,
    names: &BTreeMap<String, String>,
    stack: bool,
) {
    let p = format!("services.{svc}");
    let src = cx.src(&p);
    let at_key = |k: &str| {
        let s = cx.src(&format!("{p}.{k}"));
        if s.location.line == 0 {
            src.clone()
        } else {
            s
        }
    };
    let mut ignored = Vec::new();
    for k in m.keys() {
        let key = scalar(k).unwrap_or_default();
        if SERVICE_MODELLED.contains(&key.as_str()) {
            continue;
        }
        let known = SERVICE_NOT_MODELLED.contains(&key.as_str())
            || SERVICE_OTHER.contains(&key.as_str())
            || key.starts_with("x-");
        if !known {
            let best = SERVICE_MODELLED
                .iter()
                .chain(SERVICE_NOT_MODELLED)
                .chain(SERVICE_OTHER)
                .map(|k| (strsim::jaro_winkler(&key, k), *k))
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .filter(|(s, _)| *s > 0.85)
                .map(|(_, k)| format!("; did you mean `{k}`?"))
                .unwrap_or_default();
            t.emit(
                "IMP013",
                &at_key(&key),
                format!("service `{svc}`: unknown key `{key}`, which Compose refuses{best}"),
            );
        } else if SERVICE_NOT_MODELLED.contains(&key.as_str()) && key != "network_mode" {
            t.emit(
                "IMP005",
                &at_key(&key),
                format!("service `{svc}`: `{key}` affects networking but is not modelled"),
            );
        } else if key != "network_mode" {
            ignored.push(format!("`{key}`"));
        }
    }
    if !ignored.is_empty() {
        t.emit(
            "IMP004",
            &src,
            format!(
                "service `{svc}`: ignored {} (no effect on networking)",
                ignored.join(", ")
            ),
        );
    }
    let resolve = |t: &mut Translator, key: &str, at: &Src| -> String {
        match names.get(key) {
            Some(n) => n.clone(),
            None => {
                t.emit(
                    "IMP013",
                    at,
                    format!("service \"{svc}\" refers to undefined network {key}: invalid compose project"),
                );
                key.to_string()
            }
        }
    };
    let mut networks: Vec<Attachment> = Vec::new();
    let mut ip6 = None;
    // How the model's fields are spelt in this service, for findings about them
    // (model field -> compose key, both below the service).
    let mut spelt: Vec<(String, String)> = [
        ("link", "links"),
        ("add-host", "extra_hosts"),
        ("dns-opt", "dns_opt"),
        ("dns-search", "dns_search"),
    ]
    .iter()
    .map(|(field, key)| (field.to_string(), key.to_string()))
    .collect();
    if let Some(mode) = m.get("network_mode") {
        let mode = scalar(mode).unwrap_or_default();
        match mode.as_str() {
            "host" | "none" | "bridge" | "nat" => {
                spelt.push(("networks[0]".into(), "network_mode".into()));
                networks.push(Attachment {
                    network: mode,
                    ip: None,
                    aliases: vec![],
                })
            }
            "default" => {}
            other => t.emit(
                "IMP005",
                &at_key("network_mode"),
                format!("service `{svc}`: network_mode `{other}` is not modelled"),
            ),
        }
    } else {
        match m.get("networks") {
            None => {
                let name = names
                    .get("default")
                    .cloned()
                    .unwrap_or_else(|| format!("{project}_default"));
                networks.push(Attachment {
                    network: name,
                    ip: None,
                    aliases: vec![],
                });
            }
            Some(Value::Sequence(list)) => {
                for (i, item) in list.iter().enumerate() {
                    let at = at_key(&format!("networks[{i}]"));
                    let Some(key) = scalar(item) else {
                        t.emit("IMP013", &at, "a network in a list is a name");
                        continue;
                    };
                    let network = resolve(t, &key, &at);
                    spelt.push((
                        format!("networks[{}]", networks.len()),
                        format!("networks[{i}]"),
                    ));
                    networks.push(Attachment {
                        network,
                        ip: None,
                        aliases: vec![],
                    });
                }
            }
            Some(Value::Mapping(map)) => {
                for (k, v) in map {
                    let Some(key) = scalar(k) else { continue };
                    let at = at_key(&format!("networks.{key}"));
                    let network = resolve(t, &key, &at);
                    let here = format!("networks.{key}");
                    let index = networks.len();
                    spelt.push((format!("networks[{index}]"), here.clone()));
                    spelt.push((
                        format!("networks[{index}].ip"),
                        format!("{here}.ipv4_address"),
                    ));
                    let mut a = Attachment {
                        network,
                        ip: None,
                        aliases: vec![],
                    };
                    if let Some(ip) = v.get("ipv4_address").and_then(scalar) {
                        match ip.parse::<IpAddr>() {
                            Ok(x) => a.ip = Some(x),
                            Err(_) => t.emit("IMP008", &at, format!("invalid ipv4_address {ip}")),
                        }
                    }
                    if let Some(ip) = v.get("ipv6_address").and_then(scalar) {
                        match ip.parse::<IpAddr>() {
                            Ok(x) => {
                                ip6 = Some(x);
                                spelt.push(("ip6".into(), format!("{here}.ipv6_address")));
                            }
                            Err(_) => t.emit("IMP008", &at, format!("invalid ipv6_address {ip}")),
                        }
                    }
                    a.aliases = strings(v.get("aliases"));
                    networks.push(a);
                }
            }
            Some(_) => t.emit(
                "IMP013",
                &at_key("networks"),
                "`networks` is a list or a mapping",
            ),
        }
    }
    let mut ports = Vec::new();
    match m.get("ports") {
        Some(Value::Sequence(list)) => {
            for (i, v) in list.iter().enumerate() {
                match port(v) {
                    Ok(pm) => {
                        spelt.push((format!("ports[{}]", ports.len()), format!("ports[{i}]")));
                        ports.push(pm)
                    }
                    Err(e) => t.emit(
                        "IMP008",
                        &at_key(&format!("ports[{i}]")),
                        format!("invalid port: {e}"),
                    ),
                }
            }
        }
        None => {}
        Some(_) => t.emit("IMP013", &at_key("ports"), "`ports` is a list"),
    }
    let mut expose = Vec::new();
    for e in strings(m.get("expose")) {
        t.expose_into(&e, &mut expose, &at_key("expose"));
    }
    let isolation = match m.get("isolation").and_then(Value::as_str) {
        Some("hyperv") => Isolation::Hyperv,
        _ => Isolation::Process,
    };
    let deploy = m.get("deploy");
    if deploy.and_then(|d| d.get("mode")).and_then(Value::as_str) == Some("global") {
        t.emit(
            "IMP005",
            &at_key("deploy"),
            format!("service `{svc}`: global mode is not modelled; one replica assumed"),
        );
    }
    let replicas = deploy
        .and_then(|d| d.get("replicas"))
        .or_else(|| m.get("scale"))
        .and_then(|v| scalar(v)?.parse::<u32>().ok())
        .unwrap_or(1);
    let image = m.get("image").and_then(scalar);
    t.spell_fields(&src.path, &spelt);
    if stack {
        // A service has no field for these (and `docker stack deploy` ignores `links`):
        // say here what Windows refuses (OPT-6), under the validator's code.
        if h.windows {
            let refused = [
                ("extra_hosts", "--add-host"),
                ("dns_opt", "--dns-opt"),
                ("dns_search", "--dns-search"),
            ];
            let mut found: Vec<(Src, &str)> = refused
                .iter()
                .filter(|(key, _)| m.get(*key).is_some())
                .map(|(key, flag)| (at_key(key), *flag))
                .collect();
            if ip6.is_some() {
                found.push((at_key("networks"), "--ip6"));
            }
            for (at, flag) in found {
                let msg = format!(
                    "service `{svc}` on Windows host `{}` uses `{flag}`, which Windows does not support",
                    h.name
                );
                t.emit(crate::rules::CONTAINER_OPTION.code, &at, msg);
            }
        }
        // A service has no `expose`; what its tasks listen on is the exposed ports and
        // the published ones' container ports.
        let mut listen: Vec<PortProto> = Vec::new();
        if !expose.is_empty() {
            listen.extend(expose.iter().copied());
            for p in &ports {
                for port in p.container_port.start
                    ..=p.container_port
                        .end
                        .min(p.container_port.start.saturating_add(63))
                {
                    listen.push(PortProto {
                        proto: p.proto,
                        port,
                    });
                }
            }
            listen.sort();
            listen.dedup();
        }
        let s = Service {
            name: format!("{project}_{svc}"),
            replicas,
            hosts: vec![],
            networks,
            ports,
            listen,
            isolation,
            origin: Origin::default(),
        };
        t.add_service(h, s, &src);
        return;
    }
    let explicit = m.get("container_name").and_then(scalar);
    for n in 1..=replicas.max(1) {
        let name = match &explicit {
            Some(c) if replicas <= 1 => c.clone(),
            _ => format!("{project}-{svc}-{n}"),
        };
        let c = Container {
            name,
            host: h.name.clone(),
            image: image.clone().or_else(|| Some(image_base(svc))),
            isolation,
            networks: networks.clone(),
            ports: ports.clone(),
            publish_all: false,
            expose: expose.clone(),
            listen: vec![],
            state: RunState::Running,
            untrusted: false,
            link: strings(m.get("links")),
            add_host: strings(m.get("extra_hosts")),
            dns_opt: strings(m.get("dns_opt")),
            dns_search: strings(m.get("dns_search")),
            ip6,
            service: None,
            origin: Origin::default(),
        };
        t.add_container(h, c, &src);
    }
}
