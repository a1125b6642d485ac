use super::*;
use crate::fact;
use crate::parse::parse_scenario;
use std::collections::HashSet;

/// Asserts that the analysis of `text` reports `code` (`expected`) or does not, listing
/// the codes it reported.
#[track_caller]
fn assert_reports(text: &str, code: &str, expected: bool) {
    let codes: Vec<String> = findings(text).into_iter().map(|f| f.code).collect();
    assert_eq!(
        codes.iter().any(|c| c == code),
        expected,
        "{code}: {codes:?}"
    );
}

/// Asserts that the finding is located at field `path`, on line `line` of the text.
#[track_caller]
fn assert_at(f: &Finding, path: &str, line: u32) {
    assert_eq!(
        (f.location.path.as_str(), f.location.line),
        (path, line),
        "{f:?}"
    );
}

#[test]
fn registry_is_consistent() {
    let mut seen = HashSet::new();
    for r in every_rule() {
        assert!(seen.insert(r.code), "duplicate code {}", r.code);
        let prefix_ok = ["HNS", "DKR", "SCN"].iter().any(|p| {
            r.code
                .strip_prefix(p)
                .is_some_and(|n| n.len() == 3 && n.chars().all(|c| c.is_ascii_digit()))
        });
        assert!(prefix_ok, "bad code {}", r.code);
        assert!(!r.facts().is_empty(), "{} names no fact", r.code);
    }
    // The catalogue holds exactly the registry's rules and the importer's codes.
    for r in all_codes() {
        let importer = r.code.strip_prefix("IMP").is_some_and(|n| n.len() == 3);
        assert!(
            seen.contains(r.code) || importer,
            "rules.yaml has {}, which no rule of every_rule() is",
            r.code
        );
        for f in r.facts() {
            assert!(fact::is_known(f), "{} names unknown fact {f}", r.code);
        }
        assert!(
            !r.help().is_empty()
                && !r.title().is_empty()
                && !r.title().contains('\n')
                && r.explanation().len() > 40,
            "{}",
            r.code
        );
    }
    let in_catalogue = catalogue::all().len();
    let codes: HashSet<&str> = catalogue::all().iter().map(|r| r.code.as_str()).collect();
    assert_eq!(codes.len(), in_catalogue, "a code is in rules.yaml twice");
    assert_eq!(rule("hns001").map(|r| r.code), Some("HNS001"));
    assert!(rule("HNS999").is_none());
    assert_eq!(nearest("HNS01", 1), vec!["HNS001"]);
    assert_eq!(nearest("HNS99", 1), vec!["HNS082"]);
    assert_eq!(nearest("SCN0001", 1), vec!["SCN001"]);
}

/// Every fact ID a rule names, in its `facts` list or anywhere in its text, is in the
/// fact catalogue, so `hnsim explain` can print every ID a user sees.
#[test]
fn every_fact_id_a_rule_names_is_in_the_catalogue() {
    let mut unknown = Vec::new();
    for r in all_codes() {
        let text = [r.title(), r.explanation(), r.help()].join(" ");
        let cited = text
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .map(|w| w.trim_end_matches('-'))
            .filter(|w| fact::looks_like_id(w));
        for id in r.facts().iter().map(String::as_str).chain(cited) {
            if fact::lookup(id).is_none() {
                unknown.push(format!("{}: {id}", r.code));
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "rules cite facts missing from the catalogue: {unknown:?}"
    );
}

#[test]
fn finding_points_at_the_field() {
    let text = "name: t\nhosts:\n  - name: h\n    os: ws2019\n    nics: [{name: Ethernet, ip: 172.16.0.10/24, segment: lan}]\nsegments:\n  - {name: lan, subnet: 172.16.0.0/24}\n";
    let f = finding(text, "HNS001");
    assert_at(&f, "hosts[0].nics[0].ip", 5);
    assert!(f.message.contains("172.16.0.10"), "{}", f.message);
    assert_eq!(f.facts[0], "NAT-2");
}

#[test]
fn hot_attach_on_running_windows_container_is_refused() {
    let text = "name: t\nhosts:\n  - {name: h, os: ws2019}\nnetworks:\n  - {name: n2, host: h, driver: nat, subnet: 172.20.0.0/24}\ncontainers:\n  - {name: a, host: h}\nsteps:\n  - connect: {container: a, network: n2}\n";
    assert_reports(text, "HNS070", true);
}

/// Designs written with a placeholder: filled in one way, the rule fires; the other way,
/// it does not.
#[test]
fn rules_fire_on_one_variant_of_a_design_only() {
    for (code, design, placeholder, fires, does_not) in [
        // Only Windows Server 2016 has a single NAT network per host.
        ("HNS002", "name: t\nhosts:\n  - {name: h, os: OS}\nnetworks:\n  - {name: n2, host: h, driver: nat, subnet: 172.17.0.0/16}\n", "OS", "ws2016", "ws2019"),
        // A static IP needs a user subnet, also on a network created in a step.
        ("SCN017", "name: t\nhosts:\n  - {name: l, os: linux}\nsteps:\n  - create-network: {name: app, host: l, driver: bridge SUBNET}\n  - run: {name: a, host: l, networks: [{network: app, ip: 172.20.0.5}]}\n", " SUBNET", "", ", subnet: 172.20.0.0/24"),
        // A port clash ignores stopped containers (and ephemeral ports: `80` twice).
        ("SCN040", "name: t\nhosts:\n  - {name: l, os: linux}\ncontainers:\n  - {name: a, host: l, ports: ['8080:80', '80']}\n  - {name: b, host: l, ports: ['8080:80', '80'] STATE}\n", " STATE", "", ", state: stopped"),
    ] {
        assert_reports(&design.replace(placeholder, fires), code, true);
        assert_reports(&design.replace(placeholder, does_not), code, false);
    }
}

#[test]
fn unknown_network_suggests_nearest() {
    let text = "name: t\nhosts:\n  - {name: h, os: linux}\nnetworks:\n  - {name: backend, host: h, driver: bridge}\ncontainers:\n  - {name: a, host: h, networks: [backnd]}\n";
    let f = finding(text, "SCN002");
    assert_eq!(f.help, "did you mean `backend`?");
    assert_eq!(f.location.path, "containers[0].networks[0]");
}

/// The first finding of `code` on `text`.
fn finding(text: &str, code: &str) -> Finding {
    findings(text)
        .into_iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("no {code}"))
}

fn findings(text: &str) -> Vec<Finding> {
    let doc = parse_scenario("t.yaml", text).expect("test scenario parses");
    crate::analyse(&doc).findings
}

#[test]
fn second_nat_network_is_reported_on_the_user_defined_one() {
    let text = "name: t\nhosts:\n  - {name: h, os: ws2016}\nnetworks:\n  - {name: n2, host: h, driver: nat, subnet: 172.17.0.0/16}\n";
    let f = finding(text, "HNS002");
    assert_at(&f, "networks[0]", 5);
    assert!(
        f.message.contains("n2") && f.message.contains("ws2016"),
        "{}",
        f.message
    );
}

#[test]
fn timeline_findings_point_at_their_step() {
    let f = findings("name: t\nhosts:\n  - {name: h, os: ws2019}\nnetworks:\n  - {name: app, host: h, driver: nat, subnet: 172.20.0.0/24}\ncontainers:\n  - {name: web, host: h, networks: [app]}\nsteps:\n  - stop: web\n  - reboot: h\n");
    let lost = f.iter().find(|f| f.code == "HNS071").expect("HNS071");
    assert_at(lost, "steps[1]", 10);
    assert_eq!(lost.step, Some(1));
    // The container was stopped before the reboot: nothing tried to start it.
    assert!(!f.iter().any(|f| f.code == "SCN050"), "{f:#?}");
    // A stopped container whose network vanished is not a dangling reference.
    assert!(!f.iter().any(|f| f.code == "SCN002"), "{f:#?}");
}

/// Designs that keep to every rule report nothing at warning or above: NAT with a
/// published port; a transparent network on its own NIC and an overlay on a swarm.
#[test]
fn clean_designs_have_no_warnings() {
    for text in [
        "name: t\nsegments:\n  - {name: lan, subnet: 10.0.0.0/24, gateway: 10.0.0.1}\nhosts:\n  - name: h\n    os: ws2019\n    firewall: {inbound-icmp: true}\n    nics: [{name: Ethernet, ip: 10.0.0.10/24, segment: lan}]\ncontainers:\n  - {name: web, host: h, ports: ['8080:80']}\n  - {name: db, host: h}\n",
        "name: t\nsegments:\n  - {name: lan, subnet: 192.168.10.0/24, gateway: 192.168.10.1, dhcp: true}\nhosts:\n  - {name: w1, os: ws2019, swarm: manager, updates: [KB4489899], nics: [{name: Ethernet, ip: 192.168.10.10/24, segment: lan}, {name: Ethernet 2, ip: 192.168.10.11/24, segment: lan}]}\nnetworks:\n  - {name: t, host: w1, driver: transparent, options: {com.docker.network.windowsshim.interface: Ethernet 2}}\n  - {name: ovl, driver: overlay, vni: 4097}\ncontainers:\n  - {name: a, host: w1, networks: [t]}\nservices:\n  - {name: web, replicas: 2, networks: [ovl]}\n",
    ] {
        let all = findings(text);
        let bad: Vec<_> = crate::import::at_least(&all, Severity::Warning).collect();
        assert!(bad.is_empty(), "{bad:#?}");
    }
}

#[test]
fn kubernetes_nodes_may_share_a_nic_between_l2bridge_and_overlay_but_not_transparent() {
    let base = "name: t\nsegments:\n  - {name: lan, subnet: 10.0.0.0/24, gateway: 10.0.0.1, dhcp: true}\nhosts:\n  - {name: k, os: ws2019, kubernetes: K8S, nics: [{name: Ethernet, ip: 10.0.0.10/24, segment: lan}]}\nnetworks:\n  - {name: ext, host: k, driver: l2bridge, subnet: 10.0.0.0/24, gateway: 10.0.0.1}\n  - {name: cbr0, host: k, driver: DRIVER, subnet: 10.0.0.0/24, gateway: 10.0.0.1}\n";
    for (k8s, driver, shared_nic_refused) in [
        ("true", "l2bridge", false),
        ("false", "l2bridge", true),
        ("true", "transparent", true),
    ] {
        let text = base.replace("K8S", k8s).replace("DRIVER", driver);
        assert_reports(&text, "HNS010", shared_nic_refused);
    }
}

/// NAT-9: one container cannot bind one host port twice (`-p 80:80 -p 80:81`), the same
/// mapping written twice is one binding, and on Linux two specific host IPs do not clash.
#[test]
fn host_port_clashes_within_one_container_and_by_host_ip() {
    let base = "name: t\nhosts:\n  - {name: l, os: linux}\ncontainers:\n";
    for (containers, clash) in [
        // Twice in one container.
        ("  - {name: a, host: l, ports: [\"80:80\", \"80:81\"]}\n", true),
        // The same mapping written twice.
        ("  - {name: a, host: l, ports: [\"80:80\", \"80:80\"]}\n", false),
        // Two specific host IPs.
        ("  - {name: a, host: l, ports: [\"127.0.0.1:80:80\"]}\n  - {name: b, host: l, ports: [\"10.0.0.5:80:80\"]}\n", false),
        // A specific host IP and all of them.
        ("  - {name: a, host: l, ports: [\"127.0.0.1:80:80\"]}\n  - {name: b, host: l, ports: [\"80:80\"]}\n", true),
    ] {
        assert_reports(&format!("{base}{containers}"), "SCN040", clash);
    }
}

/// NAT-1/LNX-1: naming the other platform's default network says so in the help.
#[test]
fn other_platform_default_network_is_explained() {
    let f = finding(
        "name: t\nhosts:\n  - {name: l, os: linux}\ncontainers:\n  - {name: a, host: l, networks: [nat]}\n",
        "SCN002",
    );
    assert!(f.help.contains("default is `bridge`"), "{}", f.help);
}

/// IPAM-1: an exhausted subnet is one finding per network, however many replicas miss out.
#[test]
fn exhausted_subnet_is_one_finding_per_network() {
    let f: Vec<_> = findings(
        "name: t\nhosts:\n  - {name: m, os: linux, swarm: manager}\nnetworks:\n  - {name: ov, driver: overlay, subnet: 10.9.0.0/29}\nservices:\n  - {name: web, replicas: 20, networks: [ov]}\n",
    )
    .into_iter()
    .filter(|f| f.code == "SCN016")
    .collect();
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(
        f[0].message.starts_with("15 containers get no address"),
        "{}",
        f[0].message
    );
}

/// SCN001 names every container after the first of its name, in file order, and a
/// service's replica that takes a container's name.
#[test]
fn duplicates_are_each_later_holder_of_a_name() {
    let f = findings(
        "name: t\nhosts:\n  - {name: h, os: linux, swarm: manager}\ncontainers:\n  - {name: web, host: h}\n  - {name: db, host: h}\n  - {name: web, host: h}\n  - {name: web, host: h}\n  - {name: api.2, host: h}\nservices:\n  - {name: api, replicas: 2}\n",
    );
    let dup: Vec<(&str, &str)> = f
        .iter()
        .filter(|f| f.code == "SCN001")
        .map(|f| (f.location.path.as_str(), f.message.as_str()))
        .collect();
    assert_eq!(
        dup,
        [
            ("containers[2]", "container `web` is defined more than once"),
            ("containers[3]", "container `web` is defined more than once"),
            ("services[0]", "container `api.2` is defined more than once"),
        ]
    );
}

/// Linux Docker's IPAM refuses a pool that overlaps another, macvlan included (two
/// macvlan networks on one LAN subnet, on different parents); HNS keeps a pool per
/// network, so Windows transparent networks on their own NICs may share the LAN's.
#[test]
fn on_segment_networks_overlap_on_linux_not_on_windows() {
    let linux = "name: t\nsegments: [{name: lan, subnet: 192.168.1.0/24, gateway: 192.168.1.1}]\nhosts:\n  - {name: nas, os: linux, nics: [{name: eth0, ip: 192.168.1.10/24, segment: lan}, {name: eth1, ip: 192.168.1.11/24, segment: lan}]}\nnetworks:\n  - {name: m1, host: nas, driver: macvlan, subnet: 192.168.1.0/24, gateway: 192.168.1.1, options: {parent: eth0}}\n  - {name: m2, host: nas, driver: macvlan, subnet: 192.168.1.0/24, gateway: 192.168.1.1, options: {parent: eth1}}\n";
    assert_reports(linux, "SCN010", true);
    let windows = "name: t\nsegments: [{name: lan, subnet: 192.168.1.0/24, gateway: 192.168.1.1}]\nhosts:\n  - {name: w, os: ws2022, nics: [{name: Ethernet, ip: 192.168.1.10/24, segment: lan}, {name: Ethernet 2, ip: 192.168.1.11/24, segment: lan}]}\nnetworks:\n  - {name: t1, host: w, driver: transparent, subnet: 192.168.1.0/24, gateway: 192.168.1.1, options: {com.docker.network.windowsshim.interface: Ethernet}}\n  - {name: t2, host: w, driver: transparent, subnet: 192.168.1.0/24, gateway: 192.168.1.1, options: {com.docker.network.windowsshim.interface: Ethernet 2}}\n";
    assert_reports(windows, "SCN010", false);
}
