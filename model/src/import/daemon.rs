//! `daemon.json` -> the host's [`DockerDaemon`](crate::scenario::DockerDaemon) settings.
//!
//! Only `fixed-cidr` and `bridge` change the modelled network (NAT-3): the first sets the
//! prefix of the default `nat` network, `"bridge": "none"` makes Docker create no default
//! network. On Linux `bip` (docker0's address and prefix) is the default bridge's subnet
//! unless `fixed-cidr` narrows where container addresses come from. Keys that change
//! networking in ways the model does not represent are warnings; everything else is
//! ignored with an info finding.

use super::translate::Translator;
use crate::finding::Location;
use ipnet::IpNet;
use serde_yaml_ng::Value;

/// Keys only Docker on Linux reads: a daemon.json with one of them is a Linux host's.
pub const LINUX_ONLY: &[&str] = &[
    "bip",
    "default-address-pools",
    "iptables",
    "ip6tables",
    "ip-forward",
    "ip-masq",
    "userland-proxy",
    "icc",
    "default-gateway",
    "fixed-cidr-v6",
    "cgroup-parent",
    "selinux-enabled",
    "userns-remap",
    "storage-driver",
    "live-restore",
];

/// daemon.json keys that change networking but are not modelled (`bip` on Windows).
const NETWORKING: &[&str] = &[
    "bip",
    "dns",
    "dns-opts",
    "dns-search",
    "default-address-pools",
    "default-gateway",
    "default-gateway-v6",
    "fixed-cidr-v6",
    "icc",
    "ip",
    "ip-forward",
    "ip-masq",
    "iptables",
    "ip6tables",
    "ipv6",
    "mtu",
    "userland-proxy",
    "default-network-opts",
];

/// Applies a daemon.json (a mapping, or a string holding JSON) to host `index`.
pub(crate) fn apply(t: &mut Translator, index: usize, value: &Value, src: &Location) {
    let parsed;
    let value = match value {
        Value::String(text) => match serde_json::from_str::<serde_json::Value>(text)
            .map_err(|e| e.to_string())
            .and_then(|j| serde_yaml_ng::to_value(j).map_err(|e| e.to_string()))
        {
            Ok(v) => {
                parsed = v;
                &parsed
            }
            Err(e) => {
                t.emit("IMP008", src, format!("daemon.json is not valid JSON: {e}"));
                return;
            }
        },
        v => v,
    };
    let Some(map) = value.as_mapping() else {
        t.emit(
            "IMP008",
            src,
            "daemon.json must be a JSON object such as {\"fixed-cidr\": \"172.30.0.0/16\"}",
        );
        return;
    };
    let mut ignored = Vec::new();
    let mut bip: Option<IpNet> = None;
    let mut fixed = false;
    for (k, v) in map {
        let Some(key) = k.as_str() else {
            continue;
        };
        match key {
            "bip" if !t.scenario.hosts[index].is_windows() => {
                match v.as_str().map(|s| s.trim().parse::<IpNet>()) {
                    Some(Ok(net)) => bip = Some(net.trunc()),
                    _ => t.emit(
                        "IMP008",
                        src,
                        format!("invalid bip {v:?}: expected the bridge's address with a prefix length, such as 10.200.0.1/24"),
                    ),
                }
            }
            "fixed-cidr" => match v.as_str().map(|s| s.trim().parse::<IpNet>()) {
                Some(Ok(net)) => {
                    fixed = true;
                    t.scenario.hosts[index].docker.fixed_cidr = Some(net)
                }
                _ => t.emit(
                    "IMP008",
                    src,
                    format!("invalid fixed-cidr {v:?}: expected a prefix such as 172.30.0.0/16"),
                ),
            },
            "bridge" => match v.as_str() {
                Some(b) => t.scenario.hosts[index].docker.bridge = Some(b.to_string()),
                None => t.emit(
                    "IMP008",
                    src,
                    "`bridge` must be a string: a bridge/network name or \"none\"",
                ),
            },
            k if NETWORKING.contains(&k) => t.emit(
                "IMP005",
                src,
                format!("daemon.json `{k}` affects networking but is not modelled"),
            ),
            k => ignored.push(format!("`{k}`")),
        }
    }
    if let (Some(net), false) = (bip, fixed) {
        t.scenario.hosts[index].docker.fixed_cidr = Some(net);
    }
    if !ignored.is_empty() {
        t.emit(
            "IMP012",
            src,
            format!(
                "daemon.json keys ignored (no effect on the modelled network): {}",
                ignored.join(", ")
            ),
        );
    }
}
