//! The HNS inspection on published `Get-HnsNetwork` / `Get-HnsEndpoint` outputs (see
//! `fixtures/hns/SOURCES.md` for where each comes from): the shapes real hosts print
//! parse, and what real HNS does that the model does not spell out (numeric types,
//! VLAN 1 on nat, networks of other tools, swarm overlays not created on a node) is
//! judged, never a silent skip.

mod common;

use common::hns::{analysis_of, check, failures, fixture, scenario};
use hnsim_conformance::hns::{self, json, Status};
use hnsim_model::{Analysis, Protocol};

/// One Windows host with only the default nat network.
fn default_nat_host(os: &str) -> Analysis {
    analysis_of(&format!(
        "name: t\nsegments: [{{name: lan, subnet: 10.0.0.0/24}}]\nhosts:\n  - {{name: w, os: {os}, nics: [{{name: Ethernet, ip: 10.0.0.10/24, segment: lan}}]}}\n"
    ))
}

#[test]
fn ws1809_default_nat_and_an_l2bridge_of_another_tool() {
    let dump = json::read_dir(&fixture("pjh-ws1809-nat-l2bridge")).expect("parses");
    assert_eq!(dump.networks.len(), 2);
    let l2 = &dump.networks[1];
    assert_eq!(l2.kind, "L2Bridge");
    assert_eq!(l2.management_ip, Some("10.138.0.5".parse().unwrap()));
    let i = hns::inspect(&default_nat_host("ws2019"), "w", &dump).unwrap();
    assert!(!i.failed(), "{:?}", failures(&i));
    // HNS chose 172.24.144.0/20 inside the NAT prefix: a variant, the gateway judged
    // against it, the name HNS's own.
    assert_eq!(check(&i, "network nat", "subnet").status, Status::Variant);
    assert_eq!(check(&i, "network nat", "gateway").expected, "172.24.144.1");
    assert_eq!(check(&i, "network nat", "gateway").status, Status::Match);
    assert_eq!(check(&i, "network nat", "HNS name").status, Status::Match);
    let ext = check(&i, "network External", "present");
    assert_eq!(ext.status, Status::Extra);
    assert!(
        ext.observed.starts_with("L2Bridge 192.168.255.0/30"),
        "{}",
        ext.observed
    );
}

#[test]
fn vlan_1_on_the_default_nat_is_not_a_mismatch() {
    let dump = json::read_dir(&fixture("calico8465-nat-vlan1-transcribed")).expect("parses");
    assert_eq!(dump.networks[0].vlan, Some(1));
    let i = hns::inspect(&default_nat_host("ws2022"), "w", &dump).unwrap();
    assert!(!i.failed(), "{:?}", failures(&i));
    let vlan = check(&i, "network nat", "VLAN");
    assert_eq!(vlan.status, Status::Variant);
    assert_eq!(
        (vlan.expected.as_str(), vlan.observed.as_str()),
        ("none", "1")
    );
    // Any other VLAN on nat is still a mismatch.
    let mut d = dump.clone();
    d.networks[0].vlan = Some(7);
    let i = hns::inspect(&default_nat_host("ws2022"), "w", &d).unwrap();
    assert_eq!(check(&i, "network nat", "VLAN").status, Status::Mismatch);
}

#[test]
fn localized_flannel_node_parses_and_its_overlay_is_extra() {
    let dump = json::read_dir(&fixture("cn-k8s-ws2019-overlay-nat")).expect("UTF-8 names parse");
    let ext = dump.networks.iter().find(|n| n.name == "External").unwrap();
    assert_eq!((ext.kind.as_str(), ext.vsid), ("overlay", Some(9999)));
    assert_eq!(ext.management_ip, Some("10.1.36.50".parse().unwrap()));
    let nat = dump.networks.iter().find(|n| n.name == "nat").unwrap();
    assert_eq!(
        nat.nat_name.as_deref(),
        Some("ICSBEDB5686-6B22-44B5-A3AF-385BD261F365")
    );
    let i = hns::inspect(&default_nat_host("ws2019"), "w", &dump).unwrap();
    assert!(!i.failed(), "{:?}", failures(&i));
    assert_eq!(
        check(&i, "network External", "present").status,
        Status::Extra
    );
    assert_eq!(check(&i, "network nat", "subnet").status, Status::Variant);
}

#[test]
fn a_remote_endpoint_alone_is_read_as_remote() {
    let dump = json::read_dir(&fixture("flannel-overlay-remote-endpoint")).expect("parses");
    assert!(
        dump.networks.is_empty(),
        "ConvertTo-Json of nothing is an empty file"
    );
    let ep = &dump.endpoints[0];
    assert!(ep.remote);
    assert_eq!(ep.ip, Some("10.244.2.141".parse().unwrap()));
    assert_eq!(ep.network_name.as_deref(), Some("vxlan0"));
    assert_eq!(ep.policy_types, ["PA"]);
}

#[test]
fn numeric_enum_values_are_mapped_to_names() {
    let dump = json::read_dir(&fixture("hcn-numeric-types")).expect("parses");
    let v11 = &dump.networks[0];
    assert_eq!(v11.kind, "Transparent", "NetworkMode 2");
    assert_eq!(v11.vlan, Some(11), "subnet policy 0 is VLAN");
    assert_eq!(v11.adapter.as_deref(), Some("Ethernet"), "network policy 1");
    assert_eq!(dump.networks[1].kind, "NAT", "NetworkMode 0");
    assert_eq!(dump.endpoints[0].policy_types, ["ACL"]);
    assert_eq!(dump.endpoints[1].policy_types, ["PortMapping"]);
    assert_eq!(dump.endpoints[1].port_maps[0].proto, Protocol::Tcp);
    let a = analysis_of(&scenario("designs/transparent-vlan.yaml"));
    let i = hns::inspect(&a, "win1", &dump).unwrap();
    assert!(!i.failed(), "{:?}", failures(&i));
    assert_eq!(check(&i, "network v11", "type").status, Status::Match);
    assert_eq!(check(&i, "network v11", "VLAN").status, Status::Match);
    assert_eq!(
        check(&i, "endpoint app@v11", "address").status,
        Status::Match
    );
    // A number outside the schema is named as such, and is a type mismatch.
    let text = std::fs::read_to_string(fixture("hcn-numeric-types/networks.json"))
        .unwrap()
        .replacen("\"Type\": 2,", "\"Type\": 42,", 1);
    let odd = json::parse(&text, None, None, None).unwrap();
    assert_eq!(odd.networks[0].kind, "unknown (42)");
    let i = hns::inspect(&a, "win1", &odd).unwrap();
    assert_eq!(check(&i, "network v11", "type").status, Status::Mismatch);
}

/// The overlay swarm of the bundled design with its one replica placed on `win1`.
fn swarm_with_one_task_on_win1() -> Analysis {
    let text = scenario("designs/overlay-swarm-ws2019.yaml").replace(
        "{name: web, replicas: 2, networks: [ovl], listen: [tcp/80]}",
        "{name: web, replicas: 1, networks: [ovl], listen: [tcp/80], hosts: [win1]}",
    );
    assert!(text.contains("replicas: 1"));
    analysis_of(&text)
}

#[test]
fn a_swarm_overlay_without_a_local_task_is_compared_not_skipped() {
    let a = swarm_with_one_task_on_win1();
    // win2 runs no task: swarm has not created the overlay there.
    let dump = json::read_dir(&fixture("transparent-vlan")).unwrap();
    let mut no_overlay = dump.clone();
    no_overlay.networks.retain(|n| n.name == "nat");
    no_overlay.endpoints.clear();
    let i = hns::inspect(&a, "win2", &no_overlay).unwrap();
    let c = check(&i, "network ovl", "present");
    assert_eq!(c.status, Status::Match, "{c:?}");
    assert!(c.why.contains("lazily"), "{}", c.why);
    assert!(!i.failed(), "{:?}", failures(&i));

    // When the node has it anyway (a task ran there before), it is compared field by
    // field: here its VSID is not the scenario's.
    let mut with_overlay = json::read_dir(&fixture("overlay-hcn")).unwrap();
    with_overlay.endpoints.clear();
    let i = hns::inspect(&a, "win2", &with_overlay).unwrap();
    assert_eq!(check(&i, "network ovl", "VSID").status, Status::Match);
    with_overlay.networks[0].vsid = Some(5000);
    let i = hns::inspect(&a, "win2", &with_overlay).unwrap();
    assert_eq!(check(&i, "network ovl", "VSID").status, Status::Mismatch);
    assert!(i.failed());
}
