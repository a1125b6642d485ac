//! One entry of a compose file's `services:`: containers named
//! `<project>-<service>-<n>` (`deploy.replicas` / `scale` of them), or on a swarm manager
//! a swarm service; its networks, addresses and ports.

use super::values::{scalar, strings};
use super::Project;
use crate::finding::Location;
use crate::import::translate::{image_base, parse_long_port, Spellings, Translator};
use crate::port::{PortMapping, PortProto};
use crate::scenario::*;
use serde_yaml_ng::{Mapping, Value};
use std::collections::BTreeMap;
use std::net::IpAddr;

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

/// One entry of `ports:`: `"8080:80"`, `80`, or `{target, published, protocol, host_ip, mode}`,
/// and whether it says `mode: host`.
fn port(v: &Value) -> Result<(PortMapping, bool), String> {
    match v {
        Value::Mapping(m) => {
            let parts: Vec<String> = m
                .iter()
                .filter_map(|(k, v)| Some(format!("{}={}", scalar(k)?, scalar(v)?)))
                .filter(|p| !p.starts_with("name=") && !p.starts_with("app_protocol="))
                .collect();
            parse_long_port(&parts.join(",")).map(|(m, mode)| (m, mode.as_deref() == Some("host")))
        }
        v => {
            let text = scalar(v).ok_or("a port is a string, a number or a mapping")?;
            text.parse::<PortMapping>()
                .map(|m| (m, false))
                .map_err(|e| e.to_string())
        }
    }
}

/// One entry of `services:`: containers, or with `stack` a swarm service.
pub(super) fn translate(
    t: &mut Translator,
    project: &Project,
    svc: &str,
    m: &Mapping,
    names: &BTreeMap<String, String>,
    stack: bool,
) {
    let first_container = &project.first_container;
    let (h, keys, project) = (&project.host, &project.keys, project.name.as_str());
    let p = format!("services.{svc}");
    let src = keys.at(&p);
    let at_key = |k: &str| {
        let s = keys.at(&format!("{p}.{k}"));
        if s.line == 0 {
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
                .map(|k| (crate::similarity(&key, k), *k))
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
    let resolve = |t: &mut Translator, key: &str, at: &Location| -> String {
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
    let mut spelt = Spellings::of(super::spelt_as("service"));
    let mut shares: Option<String> = None;
    if let Some(mode) = m.get("network_mode") {
        let mode = scalar(mode).unwrap_or_default();
        match mode.as_str() {
            "host" | "none" | "bridge" | "nat" => {
                spelt.add("networks[0]", "network_mode");
                networks.push(Attachment {
                    network: mode,
                    ip: None,
                    aliases: vec![],
                })
            }
            "default" => {}
            other if other.starts_with("service:") || other.starts_with("container:") => {
                shares = match other.split_once(':') {
                    Some(("service", name)) => Some(
                        first_container
                            .get(name)
                            .cloned()
                            .unwrap_or_else(|| name.to_string()),
                    ),
                    Some((_, name)) => Some(name.to_string()),
                    None => None,
                };
            }
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
                    spelt.add(
                        format!("networks[{}]", networks.len()),
                        format!("networks[{i}]"),
                    );
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
                    spelt.add(format!("networks[{index}]"), here.clone());
                    spelt.add(
                        format!("networks[{index}].ip"),
                        format!("{here}.ipv4_address"),
                    );
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
                                spelt.add("ip6", format!("{here}.ipv6_address"));
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
    // A stack's `mode: host` ports: bound on the node that runs the task, not in the
    // routing mesh, so its tasks listen on them and no ingress endpoint is made.
    let mut host_mode: Vec<PortProto> = Vec::new();
    match m.get("ports") {
        Some(Value::Sequence(list)) => {
            for (i, v) in list.iter().enumerate() {
                match port(v) {
                    Ok((pm, true)) if stack => host_mode.extend(pm.container_ports()),
                    Ok((pm, _)) => {
                        spelt.add(format!("ports[{}]", ports.len()), format!("ports[{i}]"));
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
    let replicas = match deploy.and_then(|d| d.get("replicas")) {
        Some(v) => Some(("deploy.replicas", v)),
        None => m.get("scale").map(|v| ("scale", v)),
    }
    .and_then(|(key, v)| {
        let n = scalar(v)?.parse::<u32>().ok()?;
        let what = format!("`{key}` of service `{svc}`");
        t.within_replicas_limit(n, &what, &at_key(key))
    })
    .unwrap_or(1);
    let image = m.get("image").and_then(scalar);
    t.spell_fields(&src.path, spelt);
    if stack {
        // A service has no field for these (and `docker stack deploy` ignores `links`):
        // say here what Windows refuses (OPT-6), under the validator's code.
        if h.windows {
            let refused = [
                ("extra_hosts", "--add-host"),
                ("dns_opt", "--dns-opt"),
                ("dns_search", "--dns-search"),
            ];
            let mut found: Vec<(Location, &str)> = refused
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
        let mut listen: Vec<PortProto> = host_mode;
        if !expose.is_empty() || !listen.is_empty() {
            listen.extend(expose.iter().copied());
            for p in &ports {
                listen.extend(p.container_ports().take(64));
            }
            listen.sort();
            listen.dedup();
        }
        let s = Service {
            networks,
            ports,
            listen,
            isolation,
            ..Service::new(format!("{project}_{svc}"), replicas)
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
            ip: None,
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
        match &shares {
            Some(other) => t.share_stack(h, c, other, &src),
            None => t.add_container(h, c, &src),
        }
    }
}
