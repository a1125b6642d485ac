//! The HNS inspection backend on captured dumps (fixtures written after real
//! `Get-HnsNetwork` / `Get-HnsEndpoint` / `Get-NetNat` / `docker network inspect`
//! output of Windows Server 2022, v1 schema, and of hcsshim's v2 HCN schema), and the
//! docker commands generated for a Windows host.

mod common;

use common::hns::{analysis_of, check, failures, fixture, scenario};
use hnsim_conformance::hns::{self, json, Dump, Inspection, Status};
use hnsim_model::{Analysis, Protocol};

fn runner() -> (Analysis, Dump) {
    (
        analysis_of(&scenario("pitfalls/github-windows-runner.yaml")),
        json::read_dir(&fixture("runner-nat")).expect("fixture reads"),
    )
}

/// The runner scenario inspected against its dump after `edit` changed the dump.
fn runner_after(edit: impl FnOnce(&mut Dump)) -> Inspection {
    let (a, mut dump) = runner();
    edit(&mut dump);
    hns::inspect(&a, "win1", &dump).unwrap()
}

/// The dump's HNS endpoint at `ip`.
fn endpoint_at<'d>(dump: &'d mut Dump, ip: &str) -> &'d mut json::HnsEndpoint {
    let ip = Some(ip.parse().expect("an address"));
    dump.endpoints
        .iter_mut()
        .find(|e| e.ip == ip)
        .expect("the endpoint")
}

/// The runner scenario with `from` replaced by `to`, inspected against the runner's
/// dump.
fn runner_edited(from: &str, to: &str) -> Inspection {
    let text = scenario("pitfalls/github-windows-runner.yaml").replace(from, to);
    let (_, dump) = runner();
    hns::inspect(&analysis_of(&text), "win1", &dump).unwrap()
}

#[test]
fn runner_dump_agrees_with_the_model() {
    let (a, dump) = runner();
    assert_eq!(dump.networks.len(), 3);
    assert_eq!(dump.endpoints.len(), 3);
    let i = hns::inspect(&a, "win1", &dump).expect("inspects");
    assert!(!i.failed(), "{:?}", failures(&i));
    for (object, field) in [
        ("network n1", "present"),
        ("network n1", "type"),
        ("network n1", "subnet"),
        ("network n1", "gateway"),
        ("network n2", "subnet"),
        ("endpoint a@n1", "address"),
        ("endpoint a@n1", "port tcp/80"),
        ("endpoint a@n1", "mask (Docker)"),
        ("endpoint c@n2", "address"),
        ("network n1", "HNS name"),
        ("network nat", "HNS name"),
        ("netnat n1", "WinNAT prefix"),
        ("netnat n2", "WinNAT prefix"),
    ] {
        assert_eq!(
            check(&i, object, field).status,
            Status::Match,
            "{object} {field}"
        );
    }
    // The default nat network's subnet is HNS's choice inside 172.16.0.0/12 (NAT-1):
    // a variant, and its gateway is judged against that subnet.
    let nat = check(&i, "network nat", "subnet");
    assert_eq!(nat.status, Status::Variant);
    assert!(nat.facts.contains(&"NAT-1".to_string()));
    assert_eq!(check(&i, "network nat", "gateway").status, Status::Match);
    assert_eq!(check(&i, "network nat", "gateway").expected, "172.22.64.1");
    assert!(i.checks.iter().all(|c| !c.facts.is_empty()));
    assert_eq!(i.summary.mismatches, 0);
    // moby names the HNS network after the Docker network ID.
    assert_eq!(
        check(&i, "network n1", "HNS name").observed,
        "7d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e"
    );
    // HNS chose b's address (not the model's next one), and Docker reports the
    // classful /16 for it although the subnet is a /24.
    let b = check(&i, "endpoint b@n1", "address");
    assert_eq!(b.status, Status::Variant);
    assert_eq!(
        (b.expected.as_str(), b.observed.as_str()),
        ("172.20.0.3", "172.20.0.37")
    );
    assert!(b.why.contains("HNS chose"), "{}", b.why);
    let mask = check(&i, "endpoint b@n1", "mask (Docker)");
    assert_eq!(
        (mask.expected.as_str(), mask.observed.as_str(), mask.status),
        ("/16", "/16", Status::Match)
    );
}

/// The HNS network a Docker network of the runner dump stands for.
fn hns_name_of(dump: &Dump, docker_name: &str) -> String {
    let id = dump
        .docker_networks
        .iter()
        .find(|d| d.name == docker_name)
        .expect("docker network")
        .id
        .clone();
    dump.networks
        .iter()
        .find(|n| n.name == id)
        .expect("HNS network named after the Docker ID")
        .name
        .clone()
}

#[test]
fn port_mapping_differences() {
    let i = runner_after(|dump| endpoint_at(dump, "172.20.0.2").port_maps[0].external = 8081);
    let c = check(&i, "endpoint a@n1", "port tcp/80");
    assert_eq!(
        (&c.status, c.expected.as_str(), c.observed.as_str()),
        (&Status::Mismatch, "host port 8080", "host port 8081")
    );
    assert!(i.failed());

    let i = runner_after(|dump| {
        for e in &mut dump.endpoints {
            e.port_maps.clear();
        }
    });
    assert_eq!(
        check(&i, "endpoint a@n1", "port tcp/80").status,
        Status::Missing
    );

    let i = runner_after(|dump| {
        endpoint_at(dump, "172.20.0.37")
            .port_maps
            .push(json::PortMap {
                proto: Protocol::Udp,
                internal: 53,
                external: 53,
            });
    });
    let c = check(&i, "endpoint b@n1", "port udp/53");
    assert_eq!(c.status, Status::Mismatch);
    assert_eq!(c.expected, "not published");
}

#[test]
fn ephemeral_host_port_may_differ() {
    let i = runner_edited("ports: ['8080:80']", "ports: ['80']");
    let c = check(&i, "endpoint a@n1", "port tcp/80");
    // The model's allocator says 49153 (NAT-9); Docker picked 8080 on the runner.
    assert_eq!(c.expected, "host port 49153");
    assert_eq!(c.status, Status::Variant);
    assert!(!i.failed());
}

#[test]
fn missing_and_changed_networks() {
    let (a, mut dump) = runner();
    let n2 = hns_name_of(&dump, "n2");
    dump.networks.retain(|n| n.name != n2);
    dump.docker_networks.retain(|n| n.name != "n2");
    let i = hns::inspect(&a, "win1", &dump).unwrap();
    assert_eq!(check(&i, "network n2", "present").status, Status::Missing);
    assert!(
        !i.checks.iter().any(|c| c.object == "endpoint c@n2"),
        "no endpoint checks on a missing network"
    );

    let i = runner_after(|dump| {
        let n1 = hns_name_of(dump, "n1");
        let n1 = dump.networks.iter_mut().find(|n| n.name == n1).unwrap();
        n1.subnets = vec!["172.20.5.0/24".parse().unwrap()];
        n1.kind = "transparent".into();
        n1.gateways = vec!["172.20.5.1".parse().unwrap()];
    });
    assert_eq!(
        check(&i, "network n1", "subnet").status,
        Status::Mismatch,
        "explicit subnets must match"
    );
    assert_eq!(check(&i, "network n1", "type").status, Status::Mismatch);
    assert_eq!(check(&i, "network n1", "gateway").status, Status::Mismatch);

    // A NAT network's subnet HNS picked outside the host's NAT prefix is wrong even when
    // the scenario left it to HNS.
    let i = runner_after(|dump| {
        let nat = dump.networks.iter_mut().find(|n| n.name == "nat").unwrap();
        nat.subnets = vec!["192.168.99.0/24".parse().unwrap()];
    });
    assert_eq!(check(&i, "network nat", "subnet").status, Status::Mismatch);
}

#[test]
fn endpoints_missing_or_moved() {
    let i = runner_after(|dump| {
        dump.endpoints
            .retain(|e| e.ip != Some("172.21.0.2".parse().unwrap()));
    });
    assert_eq!(
        check(&i, "endpoint c@n2", "present").status,
        Status::Missing
    );

    // The endpoint is found by the container it serves (SharedContainers), whatever
    // address it holds: HNS moved b to another dynamic address in the subnet.
    let i = runner_after(|dump| {
        let moved: std::net::IpAddr = "172.20.0.9".parse().unwrap();
        for e in &mut dump.endpoints {
            if e.ip == Some("172.20.0.37".parse().unwrap()) {
                e.ip = Some(moved);
            }
        }
    });
    let c = check(&i, "endpoint b@n1", "address");
    assert_eq!(c.status, Status::Variant);
    assert_eq!(
        (c.expected.as_str(), c.observed.as_str()),
        ("172.20.0.3", "172.20.0.9")
    );

    // Without Docker's view, an endpoint of the network that no other container
    // claims is taken for a dynamic attachment, and said so.
    let i = runner_after(|dump| {
        dump.docker_networks.clear();
        dump.docker_attachments.clear();
    });
    assert!(!i.failed(), "{:?}", failures(&i));
    let p = check(&i, "endpoint b@n1", "present");
    assert!(p.why.contains("no other container claims"), "{}", p.why);
    assert_eq!(
        check(&i, "endpoint b@n1", "address").observed,
        "172.20.0.37"
    );
}

#[test]
fn netnat_checks() {
    let i = runner_after(|dump| {
        if let Some(n) = dump.netnat.as_mut() {
            n[1].prefix = Some("172.30.0.0/24".parse().unwrap());
        }
    });
    assert_eq!(
        check(&i, "netnat n1", "WinNAT prefix").status,
        Status::Mismatch
    );

    let i = runner_after(|dump| {
        dump.netnat = Some(vec![]);
    });
    assert_eq!(
        check(&i, "netnat n1", "WinNAT prefix").status,
        Status::Variant
    );

    let i = runner_after(|dump| {
        dump.netnat = None;
    });
    assert!(!i.checks.iter().any(|c| c.object.starts_with("netnat")));
}

#[test]
fn without_docker_dump_networks_match_by_name() {
    let a = runner().0;
    let dir = fixture("runner-nat");
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
    let dump = json::parse(
        &read("networks.json"),
        Some(&read("endpoints.json")),
        None,
        None,
    )
    .unwrap();
    assert!(dump.docker_attachments.is_empty());
    let i = hns::inspect(&a, "win1", &dump).unwrap();
    assert!(!i.failed(), "{:?}", failures(&i));
    assert_eq!(
        check(&i, "endpoint a@n1", "port tcp/80").status,
        Status::Match
    );
}

#[test]
fn default_nat_present_although_daemon_says_none() {
    let i = runner_edited("os: ws2022", "os: ws2022\n    docker: {bridge: none}");
    let c = check(&i, "network nat", "present");
    assert_eq!(c.status, Status::Mismatch);
    assert!(c.facts.contains(&"NAT-3".to_string()));
}

#[test]
fn unrelated_hns_networks_are_extra_not_failures() {
    let i = runner_after(|dump| {
        dump.networks.push(json::HnsNetwork {
            id: "X".into(),
            name: "Default Switch".into(),
            kind: "ICS".into(),
            subnets: vec!["172.31.96.0/20".parse().unwrap()],
            ..Default::default()
        });
    });
    assert_eq!(
        check(&i, "network Default Switch", "present").status,
        Status::Extra
    );
    assert!(!i.failed());
}

#[test]
fn transparent_vlan_v1() {
    let a = analysis_of(&scenario("designs/transparent-vlan.yaml"));
    let dump = json::read_dir(&fixture("transparent-vlan")).unwrap();
    assert_eq!(
        dump.networks[0].management_ip,
        Some("10.0.0.10".parse().unwrap())
    );
    let i = hns::inspect(&a, "win1", &dump).unwrap();
    assert!(!i.failed(), "{:?}", failures(&i));
    assert_eq!(check(&i, "network v11", "VLAN").status, Status::Match);
    assert_eq!(check(&i, "network v11", "type").observed, "transparent");
    assert_eq!(
        check(&i, "endpoint app@v11", "address").status,
        Status::Match
    );
    // No port mapping checks on transparent (TRANS-6).
    assert!(!i.checks.iter().any(|c| c.field.starts_with("port ")));

    let mut d = dump.clone();
    d.networks[0].vlan = Some(12);
    let i = hns::inspect(&a, "win1", &d).unwrap();
    assert_eq!(check(&i, "network v11", "VLAN").status, Status::Mismatch);

    let mut d = dump.clone();
    d.endpoints[1].ip = Some("10.0.11.99".parse().unwrap());
    let i = hns::inspect(&a, "win1", &d).unwrap();
    // A static address that is not there: the endpoint is not found.
    assert_eq!(
        check(&i, "endpoint worker@v11", "present").status,
        Status::Missing
    );
}

#[test]
fn transparent_adapter_option() {
    let text = scenario("designs/transparent-vlan.yaml").replace(
        "    vlan: 11\n",
        "    vlan: 11\n    options: {com.docker.network.windowsshim.interface: \"Ethernet 2\"}\n",
    );
    let a = analysis_of(&text);
    let dump = json::read_dir(&fixture("transparent-vlan")).unwrap();
    let i = hns::inspect(&a, "win1", &dump).unwrap();
    let c = check(&i, "network v11", "adapter");
    assert_eq!(
        (&c.status, c.expected.as_str(), c.observed.as_str()),
        (&Status::Mismatch, "Ethernet 2", "Ethernet")
    );
}

#[test]
fn overlay_v2_schema_local_and_remote_endpoints() {
    let a = analysis_of(&scenario("designs/overlay-swarm-ws2019.yaml"));
    let dump = json::read_dir(&fixture("overlay-hcn")).unwrap();
    assert!(dump.endpoints[1].remote);
    let i = hns::inspect(&a, "win1", &dump).unwrap();
    assert!(!i.failed(), "{:?}", failures(&i));
    assert_eq!(check(&i, "network ovl", "VSID").status, Status::Match);
    assert_eq!(check(&i, "network ovl", "type").observed, "Overlay");
    assert_eq!(check(&i, "network ovl", "gateway").status, Status::Match);
    assert_eq!(
        check(&i, "endpoint web.1@ovl", "address").status,
        Status::Match
    );
    assert!(!i.checks.iter().any(|c| c.object == "endpoint web.2@ovl"));
    // On win2 the only endpoint for web.2 in this dump is a remote one: missing there.
    let i = hns::inspect(&a, "win2", &dump).unwrap();
    assert_eq!(
        check(&i, "endpoint web.2@ovl", "present").status,
        Status::Missing
    );

    // Swarm chose another subnet than the model's guess: the endpoint is found at the
    // same offset in it, and both differences are variants.
    let mut d = dump.clone();
    d.networks[0].subnets = vec!["10.0.5.0/24".parse().unwrap()];
    d.networks[0].gateways = vec!["10.0.5.1".parse().unwrap()];
    d.endpoints[0].ip = Some("10.0.5.2".parse().unwrap());
    let i = hns::inspect(&a, "win1", &d).unwrap();
    assert!(!i.failed(), "{:?}", failures(&i));
    assert_eq!(check(&i, "network ovl", "subnet").status, Status::Variant);
    assert_eq!(check(&i, "network ovl", "gateway").status, Status::Match);
    let c = check(&i, "endpoint web.1@ovl", "address");
    assert_eq!(c.status, Status::Variant);
    assert!(c.why.contains("same offset"), "{}", c.why);

    let mut d = dump.clone();
    d.networks[0].vsid = Some(4097);
    let i = hns::inspect(&a, "win1", &d).unwrap();
    assert_eq!(check(&i, "network ovl", "VSID").status, Status::Mismatch);
}

#[test]
fn hosts_that_cannot_be_inspected() {
    let (a, dump) = runner();
    assert!(hns::inspect(&a, "nope", &dump).is_err());
    let linux = analysis_of(&scenario(
        "designs/linux-bridge-default-vs-user-defined.yaml",
    ));
    let e = hns::inspect(&linux, "lx1", &dump).unwrap_err();
    assert!(e.contains("not a Windows host"), "{e}");
}

#[test]
fn dumps_that_do_not_parse_name_the_file() {
    let e = json::parse("{\"Subnets\": 5}", None, None, None).unwrap_err();
    assert_eq!(e.file, "networks.json");
    let e = json::parse("[]", Some("[{\"Policies\": {}}]"), None, None).unwrap_err();
    assert_eq!(e.file, "endpoints.json");
    assert!(json::read_dir(&fixture("does-not-exist")).is_err());
    // Empty captures (no HNS objects at all) are fine.
    let d = json::parse("", Some(""), Some(""), Some("")).unwrap();
    assert!(d.networks.is_empty() && d.netnat == Some(vec![]));
}

#[test]
fn commands_for_the_runner_scenario() {
    let (a, _) = runner();
    let text = hns::print_commands(
        &a,
        "win1",
        "mcr.microsoft.com/windows/nanoserver:ltsc2022",
        "ping -t localhost",
    )
    .unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [
            "docker network create -d nat --subnet=172.20.0.0/24 --gateway=172.20.0.1 n1",
            "docker network create -d nat --subnet=172.21.0.0/24 --gateway=172.21.0.1 n2",
            "docker create --name a --network n1 -p 8080:80 mcr.microsoft.com/windows/nanoserver:ltsc2022 ping -t localhost",
            "docker start a",
            "docker create --name b --network n1 mcr.microsoft.com/windows/nanoserver:ltsc2022 ping -t localhost",
            "docker start b",
            "docker create --name c --network n2 mcr.microsoft.com/windows/nanoserver:ltsc2022 ping -t localhost",
            "docker start c",
        ]
    );
    // Networks left to HNS are created without --subnet; second networks are connected
    // before the start (OPT-7); static addresses are passed.
    let text = "name: t\nhosts:\n  - {name: w, os: ws2019}\nnetworks:\n  - {name: auto, host: w, driver: nat}\n  - {name: fixed, host: w, driver: nat, subnet: 172.24.0.0/24}\ncontainers:\n  - {name: x, host: w, networks: [auto, {network: fixed, ip: 172.24.0.9}], ports: ['80', '53/udp']}\n";
    let a = analysis_of(text);
    let out = hns::print_commands(&a, "w", "img", "cmd").unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "docker network create -d nat auto");
    assert!(lines[1].starts_with("docker network create -d nat --subnet=172.24.0.0/24"));
    assert_eq!(
        lines[2],
        "docker create --name x --network auto -p 80 -p 53/udp img cmd"
    );
    assert_eq!(lines[3], "docker network connect --ip 172.24.0.9 fixed x");
    assert_eq!(lines[4], "docker start x");
    assert!(hns::print_commands(&a, "nope", "img", "cmd").is_err());
    let linux = analysis_of(&scenario(
        "designs/linux-bridge-default-vs-user-defined.yaml",
    ));
    assert!(hns::print_commands(&linux, "lx1", "img", "cmd").is_err());
}

#[test]
fn hns_names_and_docker_masks_that_docker_would_not_give() {
    // The HNS network behind n1 (found by the HNS ID Docker recorded) under a name
    // moby would not give it.
    let i = runner_after(|dump| {
        let n1 = hns_name_of(dump, "n1");
        dump.networks
            .iter_mut()
            .find(|n| n.name == n1)
            .unwrap()
            .name = "something-else".into();
    });
    let c = check(&i, "network n1", "HNS name");
    assert_eq!(c.status, Status::Mismatch);
    assert_eq!(c.observed, "something-else");

    // Docker reporting the subnet's /24 for an address HNS chose is possible only if
    // Docker's IPAM gave it: a variant; a /28 is neither.
    let (a, mut dump) = runner();
    for (prefix_len, status) in [(24, Status::Variant), (28, Status::Mismatch)] {
        dump.docker_attachments
            .iter_mut()
            .find(|x| x.container == "a")
            .unwrap()
            .prefix_len = Some(prefix_len);
        let i = hns::inspect(&a, "win1", &dump).unwrap();
        let mask = check(&i, "endpoint a@n1", "mask (Docker)");
        assert_eq!(mask.status, status, "/{prefix_len}");
    }
}
