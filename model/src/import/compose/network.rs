//! One entry of a compose file's `networks:`: a network Compose creates as
//! `<project>_<key>` (or `name:`), or an `external` one that must exist (OPT-9).

use super::values::{scalar, str_map};
use super::Project;
use crate::driver::Driver;
use crate::import::translate::{Spellings, TargetHost, Translator};
use crate::scenario::*;
use crate::Location;
use ipnet::IpNet;
use serde_yaml_ng::{Mapping, Value};
use std::collections::BTreeMap;
use std::net::IpAddr;

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

/// `value` as a `V`; one Docker refuses (not an address, not a prefix) is reported at
/// `at` as an invalid `what` (IMP008) and left out.
fn valid<V: std::str::FromStr>(
    t: &mut Translator,
    at: &Location,
    what: &str,
    value: &str,
) -> Option<V> {
    let parsed = value.parse().ok();
    if parsed.is_none() {
        t.emit("IMP008", at, format!("invalid {what}: {value}"));
    }
    parsed
}

pub(super) fn blank(name: &str, h: &TargetHost, driver: Driver) -> Network {
    Network {
        host: Some(h.name.clone()),
        ..Network::named(name, driver)
    }
}

/// One entry of `networks:`; `None` for external networks (recorded in `names`).
pub(super) fn translate(
    t: &mut Translator,
    project: &Project,
    key: &str,
    m: &Mapping,
    default_driver: &Driver,
    names: &mut BTreeMap<String, String>,
) -> Option<Network> {
    let (h, keys, project) = (&project.host, &project.keys, project.name.as_str());
    let p = format!("networks.{key}");
    for k in m.keys() {
        let kk = scalar(k).unwrap_or_default();
        if !NETWORK_KEYS.contains(&kk.as_str()) {
            t.emit(
                "IMP013",
                &keys.at(&format!("{p}.{kk}")),
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
            let src = keys.at(&format!("{p}.external"));
            t.reference(h, &ext, &src);
            names.insert(key.to_string(), ext);
            return None;
        }
        Some(Value::Bool(false)) | None => {}
        Some(_) => t.emit(
            "IMP013",
            &keys.at(&format!("{p}.external")),
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
    let mut net = blank(&name, h, driver);
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
    let mut spelt = Spellings::of(super::spelt_as("network"));
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
            let at = |f: &str| keys.at(&format!("{cp}.{f}"));
            let subnet =
                field("subnet").and_then(|s| valid::<IpNet>(t, &at("subnet"), "CIDR address", &s));
            if let Some(n) = subnet {
                let k = net.subnet.0.len();
                spelt.add(format!("subnet[{k}]"), format!("{config}.subnet"));
                net.subnet.0.push(n)
            }
            let gateway = field("gateway")
                .and_then(|g| valid::<IpAddr>(t, &at("gateway"), "gateway address", &g));
            match gateway {
                Some(ip) if net.gateway.is_none() => {
                    spelt.add("gateway", format!("{config}.gateway"));
                    net.gateway = Some(ip)
                }
                Some(_) => t.emit(
                    "IMP005",
                    &at("gateway"),
                    "only the first gateway is modelled",
                ),
                None => {}
            }
            let range = field("ip_range")
                .and_then(|r| valid::<IpNet>(t, &at("ip_range"), "CIDR address", &r));
            if let Some(n) = range {
                spelt.add("ip-range", format!("{config}.ip_range"));
                net.ip_range = Some(n)
            }
            for (k, v) in str_map(c.get("aux_addresses")) {
                match v.parse::<IpAddr>() {
                    Ok(ip) => {
                        spelt.add("aux-address", format!("{config}.aux_addresses"));
                        net.aux_address.insert(k, ip);
                    }
                    Err(_) => t.emit(
                        "IMP008",
                        &at("aux_addresses"),
                        format!("invalid auxiliary address {k}={v}"),
                    ),
                }
            }
        }
    }
    // One subnet is named without an index (`subnet`), as the validator names it.
    if net.subnet.0.len() == 1 {
        spelt.rename_field("subnet[0]", "subnet");
    }
    t.spell_fields(&keys.at(&p).path, spelt);
    Some(net)
}
