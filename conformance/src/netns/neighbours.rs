//! The kernel's neighbour (ARP) table, shared by every namespace of the machine.
//!
//! Its dynamic entries are capped by the root namespace's
//! `net.ipv4.neigh.default.gc_thresh3` (1024 by default), which this backend must not
//! change. A source probing N destinations holds about 2N dynamic entries (its own and
//! the destinations' for it) until they age out, so a 100-endpoint mesh probed four
//! sources at a time overflows the table: packets are dropped with ENOBUFS or never
//! leave, and the wire seems to deny what the design delivers.
//!
//! The backend therefore installs permanent entries (`nud permanent`), which the kernel
//! does not count against `gc_thresh3` (they are exempt from garbage collection), for
//! every pair of addresses that are layer-2 neighbours on a segment whose emulation
//! does not depend on ARP: the internal bridges of Linux `bridge` and Windows `nat`
//! networks (containers among themselves and with the gateway on the host's side), and
//! the containers of a Linux overlay among themselves (Docker's overlay driver programs
//! these same static entries). The MACs are the ones the plan gives the links, so an
//! entry says exactly what ARP would have answered. Never on segments, external
//! vSwitches (transparent, l2bridge: MAC spoofing and MAC rewrite act on ARP), macvlan
//! or Windows overlays (whose gateway ARP is filtered at the tunnel).
//!
//! Without them ([`super::NetnsOptions::static_neighbours`] off), sources are probed few
//! at a time within a budget and each source's entries are flushed after its batch.

use super::plan::{bridge_mac, endpoint_mac, Placement, Plan, Step};
use hnsim_model::{Design, Driver};
use std::collections::BTreeMap;
use std::net::IpAddr;

/// Releases the dynamic entries of namespace `ns` (permanent ones stay).
pub fn flush(ns: &str) {
    let _ = crate::sys::run("ip", &["-n", ns, "neigh", "flush", "all"], None);
}

/// One layer-2 neighbour: who holds the entry, on which device, for which address and
/// MAC.
struct Entry {
    ns: String,
    dev: String,
    ip: IpAddr,
    mac: String,
}

/// A segment of the emulation where every member's address and MAC are known.
#[derive(Default)]
struct Segment {
    /// (namespace, device, ip, mac) of each member.
    members: Vec<(String, String, IpAddr, String)>,
    /// The gateway on the host's side: (host namespace, bridge, ip, mac).
    gateway: Option<(String, String, IpAddr, String)>,
}

/// Adds permanent entries to `plan` for every pair of neighbours on the internal
/// bridges and Linux overlays it builds.
pub fn add_static(design: &Design, plan: &mut Plan) {
    let mut segments: BTreeMap<(Option<usize>, usize), Segment> = BTreeMap::new();
    for e in &design.endpoints {
        let (Some(ni), Some(k), Some(ip)) = (e.network, e.host, e.ip) else {
            continue;
        };
        let (ci, a) = (e.container, e.attachment);
        if plan.endpoint_not_emulated.contains_key(&(ci, a)) {
            continue;
        }
        let Some(Placement::Ns(ns)) = plan.containers.get(ci) else {
            continue;
        };
        let (Some(net), Some(host)) = (
            design.scenario.networks.get(ni),
            design.scenario.hosts.get(k),
        ) else {
            continue;
        };
        let host_ns = plan.ns(&format!("h{k}"));
        if ns == &host_ns {
            continue; // a host-network container: no link of its own
        }
        let internal = match (&net.driver, host.is_windows()) {
            (Driver::Bridge, false) | (Driver::Nat, true) => true,
            (Driver::Overlay, false) => false,
            _ => continue,
        };
        // An internal bridge is one segment per host; a Linux overlay spans its hosts.
        let key = if internal { (Some(k), ni) } else { (None, ni) };
        let seg = segments.entry(key).or_default();
        seg.members
            .push((ns.clone(), format!("eth{a}"), ip, endpoint_mac(ci, a)));
        if internal {
            if let Some(gw) = net.gateway {
                seg.gateway = Some((host_ns, format!("b{ni}"), gw, bridge_mac(k, ni)));
            }
        }
    }
    let mut entries = Vec::new();
    for seg in segments.values() {
        for (ns, dev, ip, _) in &seg.members {
            for (_, _, peer_ip, peer_mac) in &seg.members {
                if peer_ip != ip {
                    entries.push(Entry {
                        ns: ns.clone(),
                        dev: dev.clone(),
                        ip: *peer_ip,
                        mac: peer_mac.clone(),
                    });
                }
            }
            if let Some((gw_ns, bridge, gw, gw_mac)) = &seg.gateway {
                entries.push(Entry {
                    ns: ns.clone(),
                    dev: dev.clone(),
                    ip: *gw,
                    mac: gw_mac.clone(),
                });
                let (_, _, _, mac) = seg
                    .members
                    .iter()
                    .find(|m| &m.2 == ip)
                    .expect("a member of its own segment");
                entries.push(Entry {
                    ns: gw_ns.clone(),
                    dev: bridge.clone(),
                    ip: *ip,
                    mac: mac.clone(),
                });
            }
        }
    }
    for e in entries {
        plan.steps.push(Step::Ip {
            ns: e.ns,
            line: format!(
                "neigh replace {} lladdr {} dev {} nud permanent",
                e.ip, e.mac, e.dev
            ),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The design of `text` and the (namespace, `ip neigh` line) pairs its plan gets.
    fn static_neighbours(text: &str) -> (Design, Vec<(String, String)>) {
        let d = crate::testing::final_design(text);
        let mut p = super::super::plan::plan(&d, "hns-abcdef", &[]);
        add_static(&d, &mut p);
        let lines = p
            .steps
            .iter()
            .filter_map(|s| match s {
                Step::Ip { ns, line } if line.starts_with("neigh ") => {
                    Some((ns.clone(), line.clone()))
                }
                _ => None,
            })
            .collect();
        (d, lines)
    }

    #[test]
    fn bridge_members_and_gateway_know_each_other() {
        let (d, lines) = static_neighbours(
            "name: t\nhosts:\n  - {name: l, os: linux}\ncontainers:\n  - {name: a, host: l}\n  - {name: b, host: l}\n",
        );
        let a_ip = d.endpoints[0].ip.unwrap();
        let b_ip = d.endpoints[1].ip.unwrap();
        // a knows b and the gateway; b knows a and the gateway; the host knows both.
        assert!(lines.contains(&(
            "hns-abcdef-c0".into(),
            format!(
                "neigh replace {b_ip} lladdr {} dev eth0 nud permanent",
                endpoint_mac(1, 0)
            )
        )));
        assert!(lines
            .iter()
            .any(|(ns, l)| ns == "hns-abcdef-h0" && l.contains(&format!("{a_ip} lladdr"))));
        assert_eq!(lines.len(), 2 + 2 + 2, "{lines:?}");
        assert!(lines.iter().all(|(_, l)| l.ends_with("nud permanent")));
    }

    /// Two containers with one address: the first holds it, as Docker has it (the
    /// second is refused, SCN014, and not built), so every entry for it names the
    /// first's MAC and none is made for the second.
    #[test]
    fn an_address_two_containers_hold_is_the_first_ones() {
        let (_, lines) = static_neighbours(
            "name: t\nhosts:\n  - {name: l, os: linux}\nnetworks:\n  - {name: app, host: l, driver: bridge, subnet: 172.20.0.0/24}\ncontainers:\n  - {name: a, host: l, networks: [{network: app, ip: 172.20.0.10}]}\n  - {name: b, host: l, networks: [{network: app, ip: 172.20.0.10}]}\n  - {name: c, host: l, networks: [{network: app, ip: 172.20.0.11}]}\n",
        );
        let for_it: Vec<_> = lines
            .iter()
            .filter(|(_, l)| l.contains("172.20.0.10 "))
            .collect();
        assert!(!for_it.is_empty(), "{lines:?}");
        let first = format!("lladdr {} ", endpoint_mac(0, 0));
        assert!(for_it.iter().all(|(_, l)| l.contains(&first)), "{lines:?}");
        assert!(
            lines.iter().all(|(ns, _)| !ns.ends_with("-c1")),
            "{lines:?}"
        );
    }

    #[test]
    fn never_on_segments_external_switches_or_macvlan() {
        let hosts = [("w", "ws2019"), ("l", "linux")];
        let (_, lines) = static_neighbours(&crate::testing::on_lan(
            &hosts,
            "networks:
  - {name: t, host: w, driver: transparent}
  - {name: mv, host: l, driver: macvlan, subnet: 10.0.0.0/24, options: {parent: eth0}}
containers:
  - {name: a, host: w, networks: [{network: t, ip: 10.0.0.20}]}
  - {name: b, host: w, networks: [{network: t, ip: 10.0.0.21}]}
  - {name: c, host: l, networks: [{network: mv, ip: 10.0.0.30}]}
  - {name: d, host: l, networks: [{network: mv, ip: 10.0.0.31}]}
",
        ));
        assert!(lines.is_empty(), "{lines:?}");
    }
}
