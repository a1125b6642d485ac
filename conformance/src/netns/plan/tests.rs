use super::*;
use crate::testing::on_lan;
use hnsim_model::{parse_scenario, resolve};

fn plan_of(text: &str) -> Plan {
    let doc = parse_scenario("t.yaml", text).expect("scenario parses");
    plan(&resolve(&doc.scenario), "hns-abcdef", &[])
}

/// The `ip` commands the plan runs in namespace `ns`, in order.
fn ip_lines(p: &Plan, ns: &str) -> Vec<String> {
    p.steps
        .iter()
        .filter_map(|s| match s {
            Step::Ip { ns: n, line } if n == ns => Some(line.clone()),
            _ => None,
        })
        .collect()
}

/// Asserts that `text` (a namespace's nftables rules) has each of `rules`.
#[track_caller]
fn assert_rules(text: &str, rules: &[&str]) {
    for rule in rules {
        assert!(text.contains(rule), "no {rule:?} in:\n{text}");
    }
}

/// Asserts that `lines` (commands of one namespace) has each of `expected` whole.
#[track_caller]
fn assert_lines(lines: &[String], expected: &[&str]) {
    for line in expected {
        assert!(lines.iter().any(|l| l == line), "no {line:?} in {lines:?}");
    }
}

/// A Linux host `l1` on the LAN: a published bridge container, one on the default
/// bridge, one sharing the host's stack; a client.
fn linux() -> Plan {
    plan_of(&on_lan(&[("l1", "linux")], LINUX))
}

const LINUX: &str = "networks:
  - {name: app, host: l1, driver: bridge}
containers:
  - {name: web, host: l1, networks: [app], ports: ['8080:80']}
  - {name: db, host: l1}
  - {name: h, host: l1, networks: [host], listen: [tcp/9000]}
clients:
  - {name: laptop, segment: lan, ip: 10.0.0.50}
";

#[test]
fn every_command_runs_in_a_namespace_of_the_run() {
    let p = linux();
    assert!(p.namespaces.iter().all(|n| n.starts_with("hns-abcdef-")));
    for s in &p.steps {
        let (Step::Ip { ns, line } | Step::Bridge { ns, line }) = s;
        assert!(p.namespaces.contains(ns), "{ns}: {line}");
        // A veth peer always lands in one of the run's namespaces.
        if let Some(rest) = line.split(" netns ").nth(1) {
            let target = rest.split_whitespace().next().unwrap();
            assert!(p.namespaces.iter().any(|n| n == target), "{line}");
        }
        // Interface names fit IFNAMSIZ.
        for w in line.split_whitespace().collect::<Vec<_>>().windows(2) {
            if w[0] == "add" || w[0] == "name" || w[0] == "dev" {
                assert!(
                    w[1].len() <= 15 || w[1].contains('/') || w[1].contains('.'),
                    "{line}"
                );
            }
        }
    }
    assert!(p.nft.keys().all(|ns| p.namespaces.contains(ns)));
}

#[test]
fn linux_bridge_publishes_masquerades_and_isolates() {
    let p = linux();
    assert_rules(
        &p.nft["hns-abcdef-h0"],
        &[
            "tcp dport 8080 dnat to 172.18.0.2:80",
            "ip saddr 172.18.0.0/16 oifname != \"b0\" masquerade",
            "iifname \"b0\" oifname \"b*\" oifname != \"b0\" drop",
        ],
    );
    // The host-network container shares the host's namespace and its ports.
    let ci = 2;
    assert_eq!(p.containers[ci], Placement::Ns("hns-abcdef-h0".into()));
    assert!(p.listen["hns-abcdef-h0"].0.contains(&9000));
    assert!(p.listen["hns-abcdef-c0"].0.contains(&80));
    assert!(matches!(p.clients[0], Placement::Ns(_)));
}

#[test]
fn windows_nat_has_one_prefix_rule_and_firewall_blocks_icmp() {
    let p = plan_of(&on_lan(
        &[("w", "ws2016")],
        "containers:
  - {name: a, host: w, ports: ['80:80']}
  - {name: b, host: w}
",
    ));
    let h = &p.nft["hns-abcdef-h0"];
    assert_eq!(
        h.matches("masquerade").count()
            - h.matches("127.0.0.0/8 masquerade").count()
            - h.matches("ct status dnat masquerade").count(),
        2,
        "{h}"
    );
    assert_rules(
        h,
        &[
            // Out by the NIC, or by the external vSwitch a transparent network made of it.
            "ip saddr 172.16.0.0/12 oifname \"e*\" masquerade",
            "ip saddr 172.16.0.0/12 oifname \"x*\" masquerade",
            "icmp type echo-request drop",
            // EXT-2: no localhost DNAT on WS2016.
            "ip daddr != 127.0.0.0/8 fib daddr type local tcp dport 80",
        ],
    );
}

#[test]
fn l2bridge_rewrites_macs_and_l2tunnel_is_not_emulated() {
    let p = plan_of(&on_lan(
        &[("w", "ws2019")],
        "networks:
  - {name: l2, host: w, driver: l2bridge, subnet: 10.0.0.0/24, gateway: 10.0.0.1}
  - {name: tun, host: w, driver: l2tunnel, subnet: 10.0.0.0/24}
containers:
  - {name: a, host: w, networks: [{network: l2, ip: 10.0.0.20}]}
  - {name: b, host: w, networks: [{network: tun, ip: 10.0.0.21}]}
",
    ));
    let rewrite = format!("ether saddr set {}", host_mac(0, 0));
    assert_rules(
        &p.nft["hns-abcdef-h0"],
        &[&rewrite, "ip daddr 10.0.0.20 ether daddr set"],
    );
    assert!(p.endpoint_not_emulated[&(1, 0)].contains("l2tunnel"));
}

#[test]
fn overlay_builds_vxlan_with_head_end_replication() {
    let p = plan_of(
        "name: t
segments: [{name: lan, subnet: 10.0.0.0/24, gateway: 10.0.0.1}]
hosts:
  - {name: a, os: linux, swarm: manager, nics: [{name: eth0, ip: 10.0.0.10/24, segment: lan}]}
  - {name: b, os: linux, swarm: worker, nics: [{name: eth0, ip: 10.0.0.11/24, segment: lan}]}
networks:
  - {name: ovl, driver: overlay, vni: 5000, attachable: true}
services:
  - {name: web, replicas: 2, networks: [ovl]}
",
    );
    let lines: Vec<String> = p
        .steps
        .iter()
        .map(|s| match s {
            Step::Ip { line, .. } | Step::Bridge { line, .. } => line.clone(),
        })
        .collect();
    assert!(lines
        .iter()
        .any(|l| l.contains("type vxlan id 5000 local 10.0.0.10 dstport 4789")));
    assert!(lines
        .iter()
        .any(|l| l.contains("fdb append 00:00:00:00:00:00 dev v0 dst 10.0.0.11")));
    assert!(lines
        .iter()
        .any(|l| l.contains("fdb append 00:00:00:00:00:00 dev v0 dst 10.0.0.10")));
    // docker_gwbridge is isolated from the other bridges, both ways.
    assert_rules(
        &p.nft["hns-abcdef-h0"],
        &[
            "iifname \"gwb\" oifname \"b*\" drop",
            "iifname \"b*\" oifname \"gwb\" drop",
        ],
    );
}

#[test]
fn a_vlan_is_a_domain_of_its_own_reached_only_through_trunks_that_carry_it() {
    let p = plan_of(
        "name: t
segments: [{name: lan, subnet: 10.0.0.0/16, gateway: 10.0.0.1, trunk-vlans: [11]}]
hosts:
  - {name: w, os: ws2019, nics: [{name: Ethernet, ip: 10.0.0.10/16, segment: lan, trunk: true}]}
  - {name: v, os: ws2019, nics: [{name: Ethernet, ip: 10.0.0.11/16, segment: lan}]}
networks:
  - {name: v11, host: w, driver: transparent, subnet: 10.0.0.0/16, gateway: 10.0.0.1, vlan: 11}
  - {name: v12, host: w, driver: transparent, subnet: 10.0.0.0/16, gateway: 10.0.0.1, vlan: 12}
  - {name: acc, host: v, driver: transparent, subnet: 10.0.0.0/16, gateway: 10.0.0.1, vlan: 11}
containers:
  - {name: a, host: w, networks: [{network: v11, ip: 10.0.11.20}]}
  - {name: b, host: w, networks: [{network: v12, ip: 10.0.12.20}]}
  - {name: c, host: v, networks: [{network: acc, ip: 10.0.11.21}]}
clients:
  - {name: pc, segment: lan, ip: 10.0.11.50, vlan: 11}
",
    );
    let seg = ip_lines(&p, "hns-abcdef-s0");
    // VLAN 11 is a bridge of its own on the segment, with a router leg and the client.
    assert_lines(
        &seg,
        &[
            "link add v11 type bridge",
            "link set r11 master v11",
            "link set k0 master v11",
            "link set h0e0v11 master v11",
        ],
    );
    // The trunk does not carry VLAN 12, and host v's port is no trunk: their tagged
    // bridges stay off the wire.
    assert!(!seg.iter().any(|l| l.contains("v12")), "{seg:?}");
    assert!(!seg.iter().any(|l| l.contains("h1e0v11")), "{seg:?}");
    assert_lines(
        &ip_lines(&p, "hns-abcdef-h0"),
        &[
            "link set p0a0 master x0v11 up",
            "link set p1a0 master x0v12 up",
        ],
    );
    // The router of VLAN 11 answers on the segment's gateway address.
    assert_lines(
        &ip_lines(&p, "hns-abcdef-r0v11"),
        &["addr add 10.0.0.1/16 dev lan"],
    );
    assert!(p.nft["hns-abcdef-r0v11"].contains("masquerade"));
    assert!(p.endpoint_not_emulated.is_empty());
    assert!(matches!(p.clients[0], Placement::Ns(_)));
}

/// The bundled l2tunnel design, as the root test `netns_l2tunnel` probes it.
#[test]
fn l2tunnel_endpoints_meet_only_on_their_physical_hosts_bridge() {
    let p = plan_of(include_str!(
        "../../../../scenarios/designs/l2tunnel-azure-sdn.yaml"
    ));
    assert!(
        p.endpoint_not_emulated.is_empty(),
        "{:?}",
        p.endpoint_not_emulated
    );
    // vm1's endpoints (a, b) are ports of the physical host's bridge, which is on the
    // segment; nothing of them is in the VM's namespace.
    assert_lines(
        &ip_lines(&p, "hns-abcdef-p0"),
        &["link set p0a0 master br0 up", "link set p1a0 master br0 up"],
    );
    assert_lines(&ip_lines(&p, "hns-abcdef-s0"), &["link set p0 master br0"]);
    assert!(!ip_lines(&p, "hns-abcdef-h0")
        .iter()
        .any(|l| l.contains("p0a0") || l.contains("p1a0")));
}

#[test]
fn sources_with_nothing_to_send_by_send_from_a_namespace_with_only_lo() {
    let p = plan_of(
        "name: t
hosts:
  - {name: l1, os: linux}
networks:
  - {name: tiny, host: l1, driver: bridge, subnet: 172.20.0.0/30}
containers:
  - {name: a, host: l1, networks: [tiny]}
  - {name: b, host: l1, networks: [tiny]}
  - {name: off, host: l1, networks: [tiny], state: stopped}
  - {name: lost, host: l1, networks: [missing]}
",
    );
    let z = "hns-abcdef-z";
    assert_eq!(p.silent.ns.as_deref(), Some(z));
    assert_eq!(p.silent.source(0, 0), None, "a has the one free address");
    assert_eq!(p.silent.source(1, 0), Some(z), "b has none");
    assert_eq!(p.silent.source(2, 0), Some(z), "off is not running");
    assert_eq!(
        p.silent.source(3, 0),
        Some(z),
        "lost's network does not exist"
    );
    // As destinations they stay not emulated: there is nothing to send to.
    assert!(p.endpoint_not_emulated.contains_key(&(1, 0)));
    assert!(p.endpoint_not_emulated.contains_key(&(3, 0)));
    // Nothing but `lo` is configured there.
    for s in &p.steps {
        let (Step::Ip { ns, line } | Step::Bridge { ns, line }) = s;
        assert!(ns != z || line == "link set lo up", "{line}");
        assert!(!line.contains(&format!("netns {z}")), "{line}");
    }
    // A design where every source sends makes no such namespace.
    assert_eq!(linux().silent.ns, None);
}
