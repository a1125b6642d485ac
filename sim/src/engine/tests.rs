//! Rules seen through whole matrices: one small design per rule, asserting the cells
//! the rule decides.

use crate::matrix::{DenyReason, Disposition, Probe, StateMatrix};

fn matrix(text: &str) -> StateMatrix {
    let doc = crate::testing::scenario(text);
    let r = crate::simulate(&doc);
    r.final_state().expect("state").clone()
}

fn reason(m: &StateMatrix, from: &str, to: &str, p: Probe) -> Option<DenyReason> {
    match &m.cell(from, to, p).expect("cell").disposition {
        Disposition::Denied { reason, .. } => Some(*reason),
        _ => None,
    }
}

/// Asserts of each cell `(from, to, probe, denied)` of `m` that it is delivered
/// (`None`) or denied for the reason given.
#[track_caller]
fn assert_decided(m: &StateMatrix, cells: &[(&str, &str, Probe, Option<DenyReason>)]) {
    for &(from, to, p, denied) in cells {
        let d = &m.cell(from, to, p).expect("cell").disposition;
        match denied {
            None => assert!(d.is_delivered(), "{from} -> {to} {p}: {d:?}"),
            Some(_) => assert_eq!(reason(m, from, to, p), denied, "{from} -> {to} {p}"),
        }
    }
}

const LAN: &str = "segments: [{name: lan, subnet: 10.0.0.0/24, gateway: 10.0.0.1, dhcp: true}]\n";

fn transparent_on(machine: &str) -> String {
    format!(
        "name: t\n{LAN}hosts:\n  - {{name: h, os: ws2019, machine: {machine}, nics: [{{name: Ethernet, ip: 10.0.0.10/24, segment: lan}}]}}\nnetworks: [{{name: t, host: h, driver: transparent}}]\ncontainers:\n  - {{name: a, host: h, networks: [t], listen: [tcp/80]}}\n  - {{name: b, host: h, networks: [t]}}\nclients: [{{name: pc, segment: lan, ip: 10.0.0.50}}]\n"
    )
}

/// TRANS-4: on a VM without MAC spoofing, container frames that leave the VM are
/// dropped by the Hyper-V host; traffic inside the VM's vSwitch is not.
#[test]
fn mac_spoofing_blocks_only_off_host_traffic() {
    let m = matrix(&transparent_on("hyperv-vm"));
    assert_eq!(
        reason(&m, "client:pc", "a@t", Probe::Tcp(80)),
        Some(DenyReason::MacSpoofingBlocked)
    );
    assert_eq!(
        reason(&m, "b@t", "internet", Probe::Tcp(443)),
        Some(DenyReason::MacSpoofingBlocked)
    );
    assert_eq!(reason(&m, "b@t", "a@t", Probe::Tcp(80)), None);
    let m = matrix(&transparent_on("physical"));
    assert_eq!(reason(&m, "client:pc", "a@t", Probe::Tcp(80)), None);
    let m = matrix(&transparent_on("azure-vm"));
    assert_eq!(
        reason(&m, "client:pc", "a@t", Probe::Tcp(80)),
        Some(DenyReason::MacSpoofingBlocked)
    );
}

const L2TUNNEL: &str = "networks: [{name: tun, host: h, driver: l2tunnel, subnet: 10.0.0.0/24}]\ncontainers:\n  - {name: a, host: h, networks: [{network: tun, ip: 10.0.0.101}]}\n  - {name: b, host: h, networks: [{network: tun, ip: 10.0.0.102}]}\n";

/// Designs of one WS2019 host `h` on the LAN (what follows its NIC) and an ICMP cell
/// each denies, with the reason.
const DENIED_ON_ONE_HOST: &[(&str, &str, &str, DenyReason)] = &[
    // l2tunnel outside the cloud forwards nothing, not even to the internet.
    (
        L2TUNNEL,
        "a@tun",
        "b@tun",
        DenyReason::Unsupported,
    ),
    (
        L2TUNNEL,
        "a@tun",
        "internet",
        DenyReason::Unsupported,
    ),
    // Disabled ICC isolates a network.
    (
        "networks: [{name: n, host: h, driver: nat, subnet: 172.16.20.0/24, options: {com.docker.network.windowsshim.disableicc: 'true'}}]\ncontainers:\n  - {name: a, host: h, networks: [n]}\n  - {name: b, host: h, networks: [n]}\n",
        "a@n",
        "b@n",
        DenyReason::IccDisabled,
    ),
    // A VLAN needs a trunk port.
    (
        "networks: [{name: v, host: h, driver: transparent, vlan: 11}]\ncontainers:\n  - {name: a, host: h, networks: [v]}\nclients: [{name: pc, segment: lan, ip: 10.0.0.50, vlan: 11}]\n",
        "client:pc",
        "a@v",
        DenyReason::VlanMismatch,
    ),
];

#[test]
fn one_host_designs_deny_what_the_platform_does_not_forward() {
    for (rest, from, to, why) in DENIED_ON_ONE_HOST {
        let m = matrix(&format!(
            "name: t\n{LAN}hosts:\n  - {{name: h, os: ws2019, nics: [{{name: Ethernet, ip: 10.0.0.10/24, segment: lan}}]}}\n{rest}"
        ));
        assert_eq!(reason(&m, from, to, Probe::Icmp), Some(*why), "{rest}");
    }
}

/// DNS-2: overlay names resolve across hosts only with Docker EE or Kubernetes.
#[test]
fn global_overlay_discovery_needs_enterprise() {
    let text = |ee: bool| {
        format!(
            "name: t\n{LAN}hosts:\n  - {{name: h1, os: ws2019, swarm: manager, updates: [KB4489899], docker: {{enterprise: {ee}}}, nics: [{{name: Ethernet, ip: 10.0.0.10/24, segment: lan}}]}}\n  - {{name: h2, os: ws2019, swarm: worker, updates: [KB4489899], docker: {{enterprise: {ee}}}, nics: [{{name: Ethernet, ip: 10.0.0.11/24, segment: lan}}]}}\nnetworks: [{{name: o, driver: overlay, attachable: true}}]\ncontainers:\n  - {{name: a, host: h1, networks: [o]}}\n  - {{name: b, host: h2, networks: [o]}}\n  - {{name: c, host: h1, networks: [o]}}\n"
        )
    };
    let name = |m: &StateMatrix, from: &str, to: &str| {
        m.cell(from, to, Probe::Icmp)
            .and_then(|c| c.address)
            .and_then(|a| a.name)
    };
    let ce = matrix(&text(false));
    assert_eq!(name(&ce, "a@o", "b@o"), None);
    assert_eq!(
        name(&ce, "a@o", "c@o").as_deref(),
        Some("c"),
        "local discovery"
    );
    let ee = matrix(&text(true));
    assert_eq!(name(&ee, "a@o", "b@o").as_deref(), Some("b"));
}

/// EXT-5 / NAT-12: the NAT host reaches its containers by IP (TCP); ICMP needs the
/// inbound ICMPv4 rule.
#[test]
fn nat_host_reaches_its_containers() {
    let text = |icmp: bool| {
        format!(
            "name: t\n{LAN}hosts:\n  - {{name: h, os: ws2016, firewall: {{inbound-icmp: {icmp}}}, nics: [{{name: Ethernet, ip: 10.0.0.10/24, segment: lan}}]}}\ncontainers: [{{name: a, host: h, ports: ['8080:80']}}]\n"
        )
    };
    let m = matrix(&text(false));
    let c = m.cell("host:h", "a@nat", Probe::Tcp(80)).expect("cell");
    assert!(c.disposition.is_delivered());
    assert_eq!(
        c.address.as_ref().map(|a| a.value.as_str()),
        Some("172.16.0.2:80")
    );
    assert!(c
        .path
        .iter()
        .any(|h| h.detail.contains("localhost:8080 does not work")));
    assert_eq!(
        reason(&m, "host:h", "a@nat", Probe::Icmp),
        Some(DenyReason::FirewallBlocked)
    );
    let m = matrix(&text(true));
    assert_eq!(reason(&m, "host:h", "a@nat", Probe::Icmp), None);
}

/// OVL-4: without the prerequisite update, cross-host overlay is undecided.
#[test]
fn overlay_without_its_update_is_undecided() {
    let text = |kb: &str| {
        format!(
            "name: t\n{LAN}hosts:\n  - {{name: h1, os: ws2019, swarm: manager, updates: [{kb}], nics: [{{name: Ethernet, ip: 10.0.0.10/24, segment: lan}}]}}\n  - {{name: h2, os: ws2019, swarm: worker, updates: [KB4489899], nics: [{{name: Ethernet, ip: 10.0.0.11/24, segment: lan}}]}}\nnetworks: [{{name: o, driver: overlay, attachable: true}}]\ncontainers:\n  - {{name: a, host: h1, networks: [o]}}\n  - {{name: b, host: h2, networks: [o]}}\n"
        )
    };
    let m = matrix(&text("KB0000001"));
    let c = m.cell("a@o", "b@o", Probe::Icmp).expect("cell");
    assert!(matches!(c.disposition, Disposition::Unknown { .. }));
    assert!(c.facts.iter().any(|f| f == "OVL-4"));
    let m = matrix(&text("KB4489899"));
    assert!(m
        .cell("a@o", "b@o", Probe::Icmp)
        .expect("cell")
        .disposition
        .is_delivered());
}

fn linux(extra: &str) -> String {
    format!(
        "name: t\nsegments: [{{name: lan, subnet: 10.0.0.0/24, gateway: 10.0.0.1, internet: true}}]\nhosts:\n  - {{name: d1, os: linux, nics: [{{name: eth0, ip: 10.0.0.5/24, segment: lan}}, {{name: eth1, ip: 10.0.0.6/24, segment: lan}}]}}\nclients: [{{name: pc, segment: lan, ip: 10.0.0.50, listen: [tcp/9100]}}]\n{extra}"
    )
}

/// A mapping bound to one host address is published on that address only; one bound
/// to loopback only from the host itself.
#[test]
fn host_ip_of_a_mapping_limits_where_it_is_published() {
    let m = matrix(&linux(
        "networks: [{name: x, host: d1, driver: bridge}]\ncontainers:\n  - {name: a, host: d1, ports: ['10.0.0.5:80:80']}\n  - {name: b, host: d1, ports: ['127.0.0.1:3000:3000']}\n  - {name: c, host: d1, networks: [x]}\n",
    ));
    let c = m
        .cell("client:pc", "a@bridge", Probe::Tcp(80))
        .expect("cell");
    assert!(c.disposition.is_delivered());
    assert_eq!(
        c.address.as_ref().map(|a| a.value.as_str()),
        Some("10.0.0.5:80")
    );
    assert_eq!(
        reason(&m, "client:pc", "b@bridge", Probe::Tcp(3000)),
        Some(DenyReason::NotPublished)
    );
    assert!(
        reason(&m, "c@x", "b@bridge", Probe::Tcp(3000)).is_some(),
        "a loopback port is not reachable from a container either"
    );
    let c = m
        .cell("host:d1", "b@bridge", Probe::Tcp(3000))
        .expect("cell");
    assert!(c.disposition.is_delivered());
    assert!(c.path.iter().any(|h| h.detail.contains("localhost:3000")));
}

/// Every TCP/UDP destination address carries the probe's port.
#[test]
fn client_addresses_carry_the_port() {
    let m = matrix(&linux("containers:\n  - {name: a, host: d1}\n"));
    let c = m
        .cell("a@bridge", "client:pc", Probe::Tcp(9100))
        .expect("cell");
    assert_eq!(
        c.address.as_ref().map(|a| a.value.as_str()),
        Some("10.0.0.50:9100")
    );
    assert_eq!(c.address.as_ref().and_then(|a| a.port), Some(9100));
    let c = m.cell("a@bridge", "client:pc", Probe::Icmp).expect("cell");
    assert_eq!(
        c.address.as_ref().map(|a| a.value.as_str()),
        Some("10.0.0.50")
    );
}

/// `internal: true`: containers reach each other and the host, nothing beyond; its
/// published ports are not programmed.
#[test]
fn internal_bridge_is_closed_to_the_outside() {
    let m = matrix(&linux(
        "networks: [{name: back, host: d1, driver: bridge, internal: true}]\ncontainers:\n  - {name: db, host: d1, networks: [back], ports: ['5432:5432']}\n  - {name: api, host: d1, networks: [back]}\n",
    ));
    let no_route = Some(DenyReason::NoRoute);
    assert_decided(
        &m,
        &[
            ("api@back", "db@back", Probe::Tcp(5432), None),
            ("host:d1", "db@back", Probe::Tcp(5432), None),
            ("db@back", "host:d1", Probe::Icmp, None),
            ("db@back", "internet", Probe::Tcp(443), no_route),
            ("db@back", "client:pc", Probe::Tcp(9100), no_route),
            ("client:pc", "db@back", Probe::Tcp(5432), no_route),
        ],
    );
}

/// Two swarm nodes on a LAN clear of swarm's default pools (10.0.0.0/8: an ingress over
/// the LAN is SCN011, and its cells are undecided).
fn mesh(os: &str) -> StateMatrix {
    matrix(&format!(
        "name: t\nsegments: [{{name: lan, subnet: 192.168.1.0/24, gateway: 192.168.1.1}}]\nhosts:\n  - {{name: m, os: {os}, swarm: manager, updates: [KB4489899, KB4015217], nics: [{{name: Ethernet, ip: 192.168.1.10/24, segment: lan}}]}}\n  - {{name: w, os: {os}, swarm: worker, updates: [KB4489899, KB4015217], nics: [{{name: Ethernet, ip: 192.168.1.11/24, segment: lan}}]}}\nnetworks: [{{name: o, driver: overlay}}]\nservices: [{{name: web, replicas: 1, hosts: [m], networks: [o], ports: ['8080:80']}}]\nclients: [{{name: pc, segment: lan, ip: 192.168.1.50}}]\n"
    ))
}

fn mesh_target(m: &StateMatrix) -> String {
    m.nodes
        .iter()
        .find(|n| {
            n.container.as_deref() == Some("web.1")
                && n.network.as_deref().is_some_and(|x| x.contains("ingress"))
        })
        .or_else(|| {
            m.nodes
                .iter()
                .find(|n| n.container.as_deref() == Some("web.1"))
        })
        .map(|n| n.id.clone())
        .expect("replica")
}

/// The routing mesh publishes a service port on every swarm node (Linux, WS1709+);
/// WS2016 only on the node running the replica (mode=host).
#[test]
fn routing_mesh_publishes_on_every_node_from_1709() {
    for (os, on_worker) in [("linux", true), ("ws2019", true), ("ws2016", false)] {
        let m = mesh(os);
        let to = mesh_target(&m);
        let c = m.cell("client:pc", &to, Probe::Tcp(80)).expect("cell");
        assert!(c.disposition.is_delivered(), "{os}: {c:?}");
        let cells: Vec<_> = m
            .cells()
            .filter(|c| c.from == "host:w" && c.to == to && c.probe == Probe::Tcp(80))
            .collect();
        assert_eq!(cells.len(), 1);
        let via_worker = cells[0]
            .address
            .as_ref()
            .is_some_and(|a| a.value == "192.168.1.11:8080");
        assert!(
            !via_worker || on_worker,
            "{os}: WS2016 has no routing mesh: {:?}",
            cells[0].address
        );
    }
}

/// A step that stops one container decides again only the pairs of the classes it
/// changed; a step that changes the fabric (a new network) decides everything again.
#[test]
fn a_step_decides_only_what_it_changed() {
    let doc = crate::testing::scenario(
        "name: t\nhosts:\n  - {name: d1, os: linux}\ncontainers:\n  - {name: a, host: d1, listen: [tcp/80]}\n  - {name: b, host: d1, listen: [tcp/81]}\n  - {name: c, host: d1, listen: [tcp/82]}\n  - {name: d, host: d1, listen: [tcp/83]}\nsteps:\n  - stop: b\n  - start: b\n  - create-network: {name: extra, host: d1, driver: bridge}\n");
    let analysis = hnsim_model::analyse(&doc);
    let decided = super::decided_per_state(&analysis);
    // a, b, c, d, the host and the internet: 6 classes; a, b, c and d differ only in
    // the port they listen on, so as sources they are one role: 3 sending roles times 6
    // destinations, less the host and the internet to themselves (16).
    assert_eq!(decided[0], 16, "{decided:?}");
    // b stopped: a new class, sending and receiving differently: its pairs with the
    // other five destinations (5) and the three other sending roles to it (3).
    assert_eq!(decided[1], 8, "{decided:?}");
    // b running again: its class is the one of the first state, already decided.
    assert_eq!(decided[2], 0, "{decided:?}");
    // A new network: the fabric changed, every pair is decided again.
    assert_eq!(decided[3], 16, "{decided:?}");
}

/// A host with no NIC in the design is reached from its NAT or bridge containers at
/// their network's gateway (its vNIC or bridge address), never at "localhost", which in
/// a container is the container itself.
#[test]
fn a_host_without_nics_is_reached_at_the_gateway() {
    let m = matrix(
        "name: t\nhosts: [{name: w, os: ws2022}, {name: l, os: linux}]\nnetworks:\n  - {name: nat, driver: nat, host: w}\n  - {name: app, driver: bridge, host: l}\ncontainers:\n  - {name: a, host: w, networks: [nat]}\n  - {name: b, host: l, networks: [app]}\n",
    );
    for (from, to) in [("a@nat", "host:w"), ("b@app", "host:l")] {
        let c = m.cell(from, to, Probe::Icmp).expect("cell");
        let address = c.address.as_ref().expect("an address");
        let gateway = m.node(from).and_then(|n| n.ip).map(|ip| match ip {
            std::net::IpAddr::V4(v4) => {
                let [a, b, c, _] = v4.octets();
                std::net::IpAddr::from([a, b, c, 1])
            }
            v6 => v6,
        });
        assert_eq!(address.ip, gateway, "{from} -> {to}: {}", address.value);
    }
}

/// Containers that differ only in what they listen on and publish are as many
/// destination classes but one sending role: the engine decides each destination class
/// once per sending role, not once per pair of classes (40 containers: 124 decisions,
/// not 42 x 42).
#[test]
fn containers_that_differ_only_as_destinations_are_decided_once_per_sending_role() {
    let containers: String = (0..40)
        .map(|i| {
            format!(
                "  - {{name: c{i}, host: d1, ports: ['{}:80'], listen: [tcp/{}]}}\n",
                8000 + i,
                9000 + i
            )
        })
        .collect();
    let doc = crate::testing::scenario(&format!(
        "name: t\nhosts:\n  - {{name: d1, os: linux}}\ncontainers:\n{containers}"
    ));
    let analysis = hnsim_model::analyse(&doc);
    let decided = super::decided_per_state(&analysis);
    // Sending roles: the containers, the host, the internet; 42 destination classes;
    // less the host and the internet to themselves.
    assert_eq!(decided, vec![3 * 42 - 2]);
}
