//! Docker options and their limits on Windows (OPT-1..6, EXT-6, EXT-8).

use super::Checker;
use crate::driver::Driver;
use crate::scenario::{shim, Host, Network};
use std::net::IpAddr;

rules! {
    NETWORK_OPTION: "HNS050",
    CONTAINER_OPTION: "HNS051",
    IPV6: "HNS052",
    UNKNOWN_SHIM_OPTION: "HNS053",
    VLAN_WITHOUT_TRUNK: "HNS054",
    MISCASED_DRIVER: "HNS055",
    BAD_DNS_SERVERS: "HNS056",
    BAD_OPTION_VALUE: "HNS057",
}

/// Go's strconv.ParseBool, which the driver uses.
fn go_bool(v: &str) -> bool {
    matches!(
        v,
        "1" | "t" | "T" | "TRUE" | "true" | "True" | "0" | "f" | "F" | "FALSE" | "false" | "False"
    )
}

/// Why the driver would refuse this option value, if it would.
fn bad_value(key: &str, value: &str) -> Option<&'static str> {
    match key {
        shim::VLANID | shim::VSID => value
            .parse::<u32>()
            .is_err()
            .then_some("an unsigned number"),
        shim::MACPOOL => {
            (!value.split(',').count().is_multiple_of(2)).then_some("start/end MAC pairs")
        }
        shim::ENABLE_OUTBOUNDNAT | shim::DISABLE_GATEWAY_DNS => {
            (!go_bool(value)).then_some("a boolean")
        }
        _ => None,
    }
}

/// Whether the network exists on at least one Windows host.
fn on_windows(checker: &Checker, ni: usize, net: &Network) -> Option<String> {
    let hosts: Vec<&Host> = checker.hosts_of_network(ni);
    if net.host.is_none() && hosts.is_empty() {
        // A swarm network nobody uses yet: judge by the swarm's nodes.
        return checker
            .hosts()
            .iter()
            .find(|h| h.is_windows() && h.swarm != crate::scenario::SwarmRole::None)
            .map(|h| h.name.clone());
    }
    hosts
        .into_iter()
        .find(|h| h.is_windows())
        .map(|h| h.name.clone())
}

pub(super) fn check(checker: &mut Checker) {
    for (ni, net) in checker.networks().iter().enumerate() {
        let p = &net.origin.path;
        if let Some(lower) = net.driver.miscased_builtin() {
            checker.emit_help(
                &MISCASED_DRIVER,
                &format!("{p}.driver"),
                format!("network `{}` uses driver `{}`", net.name, net.driver),
                format!("write `driver: {lower}`"),
            );
        }
        let Some(host) = on_windows(checker, ni, net) else {
            continue;
        };
        let mut refused: Vec<(&str, String)> = Vec::new();
        if net.internal {
            refused.push(("internal", "--internal".into()));
        }
        if let Some(r) = net.ip_range {
            refused.push(("ip-range", format!("--ip-range {r}")));
        }
        if !net.aux_address.is_empty() {
            refused.push(("aux-address", "--aux-address".into()));
        }
        if net.ipv6 {
            refused.push(("ipv6", "--ipv6".into()));
        }
        if let Some(d) = &net.ipam_driver {
            refused.push(("ipam-driver", format!("--ipam-driver {d}")));
        }
        if !net.ipam_opt.is_empty() {
            refused.push(("ipam-opt", "--ipam-opt".into()));
        }
        if net.options.contains_key(shim::ENCRYPTED) {
            refused.push(("options", "--opt encrypted".into()));
        }
        // Each is refused at `docker network create`: the network does not exist, so
        // no flow of it is what its rules say.
        for (field, flag) in refused {
            checker.emit_on(
                &NETWORK_OPTION,
                &format!("{p}.{field}"),
                format!(
                    "network `{}` on Windows host `{host}` uses `{flag}`, which Windows does not support",
                    net.name
                ),
                checker.refused_network(net),
            );
        }
        for (si, subnet) in net.subnet.0.iter().enumerate() {
            if subnet.addr().is_ipv6() {
                let path = if net.subnet.0.len() > 1 {
                    format!("{p}.subnet[{si}]")
                } else {
                    format!("{p}.subnet")
                };
                checker.emit_on(
                    &IPV6,
                    &path,
                    format!(
                        "network `{}` on Windows host `{host}` has IPv6 subnet {subnet}: Docker refuses it (\"windowsshim driver doesn't support v6 subnets\")",
                        net.name
                    ),
                    checker.refused_network(net),
                );
            }
        }
        for key in net.options.keys() {
            if key.starts_with(shim::PREFIX) && !shim::KNOWN.contains(&key.as_str()) {
                let best = shim::KNOWN
                    .iter()
                    .map(|k| (crate::similarity(key, k), *k))
                    .max_by(|a, b| a.0.total_cmp(&b.0))
                    .filter(|(score, _)| *score > 0.85);
                let help = match best {
                    Some((_, k)) => format!("did you mean `{k}`?"),
                    None => UNKNOWN_SHIM_OPTION.help().to_string(),
                };
                checker.emit_help(
                    &UNKNOWN_SHIM_OPTION,
                    &format!("{p}.options.{key}"),
                    format!(
                        "network `{}` sets `{key}`, which the Windows driver does not know",
                        net.name
                    ),
                    help,
                );
            }
        }
        for (key, value) in &net.options {
            if let Some(wanted) = bad_value(key, value) {
                checker.emit_on(
                    &BAD_OPTION_VALUE,
                    &format!("{p}.options.{key}"),
                    format!(
                        "network `{}` sets `{key}` to `{value}`, but the Windows driver expects {wanted}",
                        net.name
                    ),
                    checker.refused_network(net),
                );
            }
        }
        if let Some(servers) = net.option(shim::DNSSERVERS) {
            let bad: Vec<&str> = servers
                .split(',')
                .map(str::trim)
                .filter(|s| s.parse::<IpAddr>().is_err())
                .collect();
            if !bad.is_empty() {
                checker.emit_on(
                    &BAD_DNS_SERVERS,
                    &format!("{p}.options.{}", shim::DNSSERVERS),
                    format!(
                        "network `{}` lists DNS servers that are not addresses: {}",
                        net.name,
                        bad.join(", ")
                    ),
                    checker.refused_network(net),
                );
            }
        }
        vlan(checker, ni);
    }
    container_options(checker);
}

fn vlan(checker: &mut Checker, ni: usize) {
    let net = &checker.networks()[ni];
    let Some(vlan) = net.vlan_id() else {
        return;
    };
    if !net.driver.uses_external_vswitch() || net.driver == Driver::Overlay {
        return;
    }
    let path = net.origin.at(if net.vlan.is_some() {
        "vlan"
    } else {
        "options"
    });
    for host in checker.hosts_of_network(ni) {
        let Some(nic) = checker.design.network_nic(net, host) else {
            continue;
        };
        let segment = checker.design.segment(&nic.segment);
        let carried =
            segment.is_none_or(|s| s.trunk_vlans.is_empty() || s.trunk_vlans.contains(&vlan));
        if !nic.trunk {
            checker.emit(
                &VLAN_WITHOUT_TRUNK,
                &path,
                format!(
                    "network `{}` tags VLAN {vlan}, but NIC `{}` of host `{}` is on an access port",
                    net.name, nic.name, host.name
                ),
            );
        } else if !carried {
            checker.emit(
                &VLAN_WITHOUT_TRUNK,
                &path,
                format!(
                    "network `{}` tags VLAN {vlan}, which segment `{}` does not carry",
                    net.name, nic.segment
                ),
            );
        }
    }
}

fn container_options(checker: &mut Checker) {
    for (ci, c) in checker.containers().iter().enumerate() {
        let Some(host) = checker.container_host(ci).filter(|h| h.is_windows()) else {
            continue;
        };
        let p = &c.origin.path;
        let mut flags: Vec<(&str, String)> = Vec::new();
        if !c.link.is_empty() {
            flags.push(("link", format!("--link {}", c.link.join(","))));
        }
        if !c.add_host.is_empty() {
            flags.push(("add-host", format!("--add-host {}", c.add_host.join(","))));
        }
        if !c.dns_opt.is_empty() {
            flags.push(("dns-opt", "--dns-opt".into()));
        }
        if !c.dns_search.is_empty() {
            flags.push(("dns-search", "--dns-search".into()));
        }
        if let Some(ip6) = c.ip6 {
            flags.push(("ip6", format!("--ip6 {ip6}")));
        }
        // The daemon refuses the `docker run`: the container does not exist.
        for (field, flag) in flags {
            let gone = checker.container_subjects(ci);
            checker.emit_on(
                &CONTAINER_OPTION,
                &format!("{p}.{field}"),
                format!(
                    "container `{}` on Windows host `{}` uses `{flag}`, which Windows does not support",
                    c.name, host.name
                ),
                gone,
            );
        }
    }
}
