//! Regression tests, through the binary, for behaviour users tripped over that lives
//! outside the CLI's own code (resolver, timeline, analysis, parser, simulator). Each
//! states what real Docker/HNS does; each once failed and was fixed at its cause, and
//! fails again if the cause comes back. A newly found bug that is not fixed yet goes
//! here as an `#[ignore = "why"]` reproduction, un-ignored with the fix.

use crate::common::*;

/// IPAM-1/NAT-4: each host's nat network has its own HNS IPAM; addresses are not
/// numbered across hosts. hostb's first two containers get .2 and .3.
#[test]
fn local_networks_on_different_hosts_number_their_addresses_independently() {
    let r = sim_json(&root().join("scenarios/users/nat-two-hosts-published-ports.yaml"));
    let nodes = r["states"][0]["nodes"].as_array().expect("nodes");
    let ip = |id: &str| {
        nodes
            .iter()
            .find(|n| n["id"] == id)
            .and_then(|n| n["ip"].as_str())
            .unwrap_or("")
            .to_string()
    };
    assert_eq!(ip("front@nat"), "172.16.0.2");
    assert_eq!(
        ip("api@nat"),
        "172.16.0.2",
        "first container on hostb's own nat"
    );
    assert_eq!(ip("cache@nat"), "172.16.0.3");
}

/// NAT-3: changing fixed-cidr requires removing the NAT networks first; the default
/// `nat` network is one of them, and removing it is what the docs tell the user to do.
#[test]
fn removing_the_default_nat_network_before_changing_fixed_cidr_is_clean() {
    let (_, o) = run_written("check", "known-nat3", "nat3.yaml", NAT3_STEPS);
    let out = stdout(&o);
    assert!(!out.contains("SCN052"), "{out}");
    assert!(!out.contains("HNS072"), "{out}");
}

const NAT3_STEPS: &str = "name: nat3\nsegments:\n  - {name: corp, subnet: 172.16.8.0/22, gateway: 172.16.8.1}\nhosts:\n  - name: ws01\n    os: ws2019\n    nics: [{name: Ethernet, ip: 172.16.9.30/22, segment: corp}]\nsteps:\n  - remove-network: {name: nat, host: ws01}\n  - daemon-config: {host: ws01, fixed-cidr: 192.168.240.0/20}\n  - restart-docker: ws01\n";

/// A finding about a step that came from a command line must point at that line.
#[test]
fn a_step_from_a_command_is_located_at_its_line() {
    let o = hnsim(&[
        "check",
        "scenarios/users/windows-connect-running-container.yaml",
    ]);
    let out = stdout(&o);
    let block = out
        .split("\n\n")
        .find(|b| b.contains("HNS070"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        block.contains("windows-connect-running-container.yaml:20:9"),
        "{block}"
    );
}

/// Docker `internal: true` / `--internal`: no route out of the bridge, so no internet
/// and no host-IP published ports; the host still reaches the container by its IP.
#[test]
fn linux_internal_network_has_no_way_out() {
    let r = sim_json(&input("known-internal", "internal.yaml", INTERNAL));
    assert_cells(
        &r,
        &[
            ("db@back", "internet", "tcp/443", "no-route"),
            ("host:d1", "db@back", "tcp/5432", "delivered"),
        ],
    );
}

const INTERNAL: &str = "name: internal\nsegments:\n  - {name: lan, subnet: 192.168.0.0/24, gateway: 192.168.0.1}\nhosts:\n  - name: d1\n    os: linux\n    nics: [{name: eth0, ip: 192.168.0.10/24, segment: lan}]\nnetworks:\n  - {name: back, host: d1, driver: bridge, internal: true}\ncontainers:\n  - {name: db, host: d1, networks: [back], listen: [tcp/5432]}\n";

/// `-p 127.0.0.1:3000:3000` publishes on the host's loopback only: the LAN cannot reach
/// it (Linux; Windows refuses host IPs altogether, EXT-7).
#[test]
fn loopback_published_port_is_not_reachable_from_the_lan() {
    let loopback = "docker run -d --name grafana -p 127.0.0.1:3000:3000 grafana/grafana\n";
    let r = sim_json(&input("known-loopback", "loopback.sh", loopback));
    assert_cells(
        &r,
        &[
            (
                "client:lan-client",
                "grafana@bridge",
                "tcp/3000",
                "not-published",
            ),
            ("host:host1", "grafana@bridge", "tcp/3000", "delivered"),
        ],
    );
}

/// A swarm service published with `-p 8080:80` is reachable on every node's IP at 8080
/// through the routing mesh. The mesh delivers on the replica's `ingress` endpoint
/// (the task's address on the ingress overlay is IPVS's backend), not on its `ov` one.
#[test]
fn swarm_published_port_is_reachable_through_the_routing_mesh() {
    let r = sim_json(&input("known-mesh", "mesh.sh", SWARM_PUBLISHED));
    let c = cell(&r, "client:lan-client", "web.1@ingress", "tcp/80");
    assert!(delivered(c), "{c}");
    assert_eq!(address(c), "192.168.1.10:8080");
}

/// A swarm service without `--network` is not on the node's docker0 bridge: its tasks
/// join the `ingress` overlay (for published ports) and docker_gwbridge for egress.
#[test]
fn swarm_service_without_network_is_not_on_the_default_bridge() {
    let script = "docker swarm init\ndocker service create --name web --replicas 1 -p 8080:80 nginx\ndocker run -d --name local nginx\n";
    let r = sim_json(&input("known-ingress", "ingress.sh", script));
    let ids: Vec<String> = r["states"][0]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .filter_map(|n| n["id"].as_str().map(str::to_string))
        .collect();
    assert!(!ids.iter().any(|i| i == "web.1@bridge"), "{ids:?}");
}

/// A scenario that does not parse is reported once, by every command that reads it: the
/// parse error was once printed a second time as its own cause (`error: MSG: MSG`).
#[test]
fn a_parse_error_is_reported_once_by_every_command() {
    let f = input(
        "parse-once",
        "typo.yaml",
        "name: typo\nhosts:\n  - name: h1\n    os: ws2022\n    virtual: true\n",
    );
    for args in [
        vec!["check", p(&f)],
        vec!["sim", p(&f)],
        vec!["trace", p(&f), "--from", "a", "--to", "b"],
        vec!["test", p(&f)],
    ] {
        let o = hnsim(&args);
        assert_eq!(code(&o), 2, "{args:?}: {}", both(&o));
        let text = both(&o);
        assert_eq!(
            text.matches("unknown field `virtual`").count(),
            1,
            "{args:?} repeats the error:\n{text}"
        );
        assert!(text.contains("typo.yaml:5:5"), "{args:?}: {text}");
    }
}

/// `docker compose` names a project after the directory its file is in; a compose file
/// given by its bare name, from its own directory, is in that directory too (it was
/// named after the file's stem, so every container name differed from Docker's).
#[test]
fn a_compose_project_is_named_after_its_directory_as_docker_compose_does() {
    let f = input(
        "shop",
        "docker-compose.yml",
        "services:\n  web:\n    image: nginx\n    ports: ['8080:80']\n",
    );
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_hnsim"))
        .args(["sim", "docker-compose.yml", "--format", "json"])
        .current_dir(f.parent().expect("its directory"))
        .output()
        .expect("runs");
    assert_exit(&o, 0);
    let out = stdout(&o);
    assert!(out.contains("\"shop-web-1@shop_default\""), "{out}");
    assert!(!out.contains("docker-compose-web-1"), "{out}");
}
