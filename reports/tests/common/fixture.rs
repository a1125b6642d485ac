//! Hand-built reports: a small realistic design (two WS2019 hosts, a nat and an overlay
//! network, a LAN client) with cells citing the SPEC facts a simulator would cite, a
//! conformance run with one disagreement; and a generator for large matrices.

#![allow(dead_code)]

use hnsim_model::{Finding, Location, Severity};
use hnsim_sim::matrix::*;
use std::net::IpAddr;

#[allow(unused_imports)]
pub use super::large::large;

pub(super) fn ip(s: &str) -> Option<IpAddr> {
    s.parse().ok()
}

pub fn hop(at: &str, mechanism: Mechanism, detail: &str, facts: &[&str]) -> Hop {
    Hop {
        at: at.into(),
        mechanism,
        detail: detail.into(),
        facts: facts.iter().map(|f| f.to_string()).collect(),
    }
}

pub(super) fn facts_of(path: &[Hop], extra: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = path.iter().flat_map(|h| h.facts.clone()).collect();
    v.extend(extra.iter().map(|f| f.to_string()));
    v.sort();
    v.dedup();
    v
}

pub fn delivered(from: &str, to: &str, probe: Probe, address: Address, path: Vec<Hop>) -> Cell {
    Cell {
        from: from.into(),
        to: to.into(),
        probe,
        disposition: Disposition::Delivered,
        address: Some(address),
        facts: facts_of(&path, &[]),
        path,
        observation: None,
    }
}

pub fn denied(
    from: &str,
    to: &str,
    probe: Probe,
    reason: DenyReason,
    why: &str,
    path: Vec<Hop>,
    extra: &[&str],
) -> Cell {
    Cell {
        from: from.into(),
        to: to.into(),
        probe,
        disposition: Disposition::Denied {
            reason,
            why: why.into(),
        },
        address: None,
        facts: facts_of(&path, extra),
        path,
        observation: None,
    }
}

pub(super) fn addr(kind: AddressKind, value: &str, name: Option<&str>) -> Address {
    let (ip_part, port) = match value.rsplit_once(':') {
        Some((i, p)) => (i, p.parse().ok()),
        None => (value, None),
    };
    Address {
        kind,
        value: value.into(),
        ip: ip(ip_part),
        port,
        name: name.map(str::to_string),
    }
}

pub(super) fn node(id: &str, kind: NodeKind, label: &str) -> Node {
    Node::new(id, kind, label)
}

pub(super) fn endpoint(
    container: &str,
    net: &str,
    host: &str,
    driver: &str,
    ip_: &str,
    listens: &[Probe],
) -> Node {
    Node {
        host: Some(host.into()),
        container: Some(container.into()),
        network: Some(net.into()),
        driver: Some(driver.into()),
        ip: ip(ip_),
        listens: listens.to_vec(),
        ..node(
            &format!("{container}@{net}"),
            NodeKind::Endpoint,
            &format!("{container} on {net} ({host})"),
        )
    }
}

pub fn topology() -> Topology {
    Topology {
        segments: vec![TopoSegment {
            name: "lan".into(),
            subnet: "10.0.0.0/24".into(),
            gateway: ip("10.0.0.1"),
        }],
        hosts: ["win1", "win2"]
            .iter()
            .enumerate()
            .map(|(i, h)| TopoHost {
                name: h.to_string(),
                os: "Windows Server 2019".into(),
                machine: "Hyper-V VM".into(),
                nics: vec![TopoNic {
                    name: "Ethernet".into(),
                    ip: format!("10.0.0.{}", 10 + i),
                    segment: "lan".into(),
                }],
            })
            .collect(),
        // win1's nat network on its internal vSwitch; the overlay on each host's
        // external one.
        vswitches: std::iter::once(TopoVswitch {
            id: "win1/nat".into(),
            host: "win1".into(),
            kind: "internal".into(),
            nic: None,
            networks: vec!["win1/mynat".into()],
        })
        .chain(["win1", "win2"].map(|h| TopoVswitch {
            id: format!("{h}/ovl"),
            host: h.into(),
            kind: "external".into(),
            nic: Some("Ethernet".into()),
            networks: vec!["swarm/ovl".into()],
        }))
        .collect(),
        networks: vec![
            TopoNetwork {
                id: "win1/mynat".into(),
                name: "mynat".into(),
                host: Some("win1".into()),
                driver: "nat".into(),
                subnets: vec!["172.16.0.0/24".into()],
                vlan: None,
                vni: None,
            },
            TopoNetwork {
                id: "swarm/ovl".into(),
                name: "ovl".into(),
                host: None,
                driver: "overlay".into(),
                subnets: vec!["10.10.0.0/24".into()],
                vlan: None,
                vni: Some(4096),
            },
        ],
        endpoints: vec![
            TopoEndpoint {
                node: "web@mynat".into(),
                container: "web".into(),
                host: "win1".into(),
                network: "win1/mynat".into(),
                ip: ip("172.16.0.2"),
            },
            TopoEndpoint {
                node: "api@ovl".into(),
                container: "api".into(),
                host: "win1".into(),
                network: "swarm/ovl".into(),
                ip: ip("10.10.0.2"),
            },
            TopoEndpoint {
                node: "db@ovl".into(),
                container: "db".into(),
                host: "win2".into(),
                network: "swarm/ovl".into(),
                ip: ip("10.10.0.3"),
            },
        ],
        clients: vec![TopoClient {
            node: "client:laptop".into(),
            name: "laptop".into(),
            segment: Some("lan".into()),
            ip: ip("10.0.0.50"),
        }],
    }
}

fn nodes() -> Vec<Node> {
    vec![
        endpoint(
            "web",
            "mynat",
            "win1",
            "nat",
            "172.16.0.2",
            &[Probe::Tcp(80)],
        ),
        endpoint(
            "api",
            "ovl",
            "win1",
            "overlay",
            "10.10.0.2",
            &[Probe::Tcp(8000)],
        ),
        endpoint(
            "db",
            "ovl",
            "win2",
            "overlay",
            "10.10.0.3",
            &[Probe::Tcp(5432)],
        ),
        Node {
            host: Some("win1".into()),
            ip: ip("10.0.0.10"),
            ..node("host:win1", NodeKind::Host, "win1")
        },
        Node {
            host: Some("win2".into()),
            ip: ip("10.0.0.11"),
            ..node("host:win2", NodeKind::Host, "win2")
        },
        Node {
            ip: ip("10.0.0.50"),
            listens: vec![Probe::Tcp(22)],
            ..node("client:laptop", NodeKind::Client, "laptop")
        },
    ]
}

pub(super) fn overlay_path(from: &str, fip: &str, to: &str, tip: &str, port: &str) -> Vec<Hop> {
    vec![
        hop(
            &format!("{from} (vNIC)"),
            Mechanism::Vnic,
            &format!("leaves {fip} in its compartment"),
            &["ARCH-1", "ARCH-2"],
        ),
        hop(
            "win1/vSwitch ovl",
            Mechanism::VxlanEncap,
            &format!("VFP encapsulates {fip} -> {tip}{port} in VXLAN VNI 4096 to 10.0.0.11"),
            &["OVL-2"],
        ),
        hop(
            "segment lan",
            Mechanism::PhysicalSegment,
            "UDP 4789 10.0.0.10 -> 10.0.0.11",
            &["OVL-2"],
        ),
        hop(
            "win2/vSwitch ovl",
            Mechanism::VxlanDecap,
            "VFP decapsulates, bridges to the endpoint",
            &["OVL-2"],
        ),
        hop(
            &format!("{to} (vNIC)"),
            Mechanism::Deliver,
            &format!("delivered to {tip}{port}"),
            &["ARCH-1"],
        ),
    ]
}

fn initial_cells() -> Vec<Cell> {
    let ws = Probe::Tcp(80);
    let pg = Probe::Tcp(5432);
    let api = Probe::Tcp(8000);
    let ssh = Probe::Tcp(22);
    let icmp = Probe::Icmp;
    let web_out = |dst: &str, what: &str| {
        vec![
            hop(
                "web (vNIC)",
                Mechanism::Vnic,
                &format!("leaves 172.16.0.2 for {dst}"),
                &["ARCH-1"],
            ),
            hop(
                "win1/vSwitch nat",
                Mechanism::VswitchBridge,
                "bridged to the host's internal vNIC",
                &["NAT-5"],
            ),
            hop(
                "win1 WinNAT",
                Mechanism::WinNat,
                &format!("source 172.16.0.2 -> 10.0.0.10 ({what})"),
                &["NAT-7"],
            ),
            hop(
                "segment lan",
                Mechanism::PhysicalSegment,
                &format!("10.0.0.10 -> {dst}"),
                &["NAT-7"],
            ),
            hop(dst, Mechanism::Deliver, "answered", &["NAT-7"]),
        ]
    };
    let to_web_published = |from: &str, src: &str| {
        vec![
            hop(
                from,
                Mechanism::HostStack,
                &format!("{src} -> 10.0.0.10:8080"),
                &["NAT-8"],
            ),
            hop(
                "segment lan",
                Mechanism::PhysicalSegment,
                &format!("{src} -> 10.0.0.10:8080"),
                &["NAT-8"],
            ),
            hop(
                "win1 firewall",
                Mechanism::HostFirewall,
                "host-wide rule for published port 8080 allows it",
                &["NAT-10"],
            ),
            hop(
                "win1 WinNAT",
                Mechanism::WinNatPortMapping,
                "static mapping 10.0.0.10:8080 -> 172.16.0.2:80",
                &["NAT-8", "NAT-9"],
            ),
            hop(
                "win1/vSwitch nat",
                Mechanism::VswitchBridge,
                "bridged to web",
                &["NAT-5"],
            ),
            hop(
                "web (vNIC)",
                Mechanism::Deliver,
                "delivered to 172.16.0.2:80",
                &["ARCH-1"],
            ),
        ]
    };
    let mut cells = vec![
        // web (nat) -> api (overlay), same host: different networks.
        denied("web@mynat", "api@ovl", icmp, DenyReason::NoRoute,
            "10.10.0.2 is an overlay address; WinNAT only routes web to external addresses and api is not published",
            vec![hop("web (vNIC)", Mechanism::Vnic, "leaves 172.16.0.2 for 10.10.0.2", &["ARCH-1"]),
                 hop("win1 WinNAT", Mechanism::Drop, "no route to 10.10.0.0/24 outside the overlay", &["NAT-7", "OVL-2"])], &[]),
        denied("web@mynat", "api@ovl", api, DenyReason::NoRoute,
            "10.10.0.2 is an overlay address; WinNAT only routes web to external addresses and api is not published",
            vec![hop("web (vNIC)", Mechanism::Vnic, "leaves 172.16.0.2 for 10.10.0.2:8000", &["ARCH-1"]),
                 hop("win1 WinNAT", Mechanism::Drop, "no route to 10.10.0.0/24 outside the overlay", &["NAT-7", "OVL-2"])], &[]),
        denied("web@mynat", "db@ovl", pg, DenyReason::NoRoute,
            "db is on the overlay of another host and publishes nothing",
            vec![hop("web (vNIC)", Mechanism::Vnic, "leaves 172.16.0.2 for 10.10.0.3:5432", &["ARCH-1"]),
                 hop("win1 WinNAT", Mechanism::Drop, "no route to 10.10.0.0/24 outside the overlay", &["NAT-7", "OVL-2"])], &[]),
        delivered("web@mynat", "client:laptop", icmp, addr(AddressKind::External, "10.0.0.50", None), web_out("10.0.0.50", "echo")),
        delivered("web@mynat", "client:laptop", ssh, addr(AddressKind::External, "10.0.0.50:22", None), web_out("10.0.0.50", "tcp 22")),
        // Overlay, across hosts.
        delivered("api@ovl", "db@ovl", icmp, addr(AddressKind::ContainerIp, "10.10.0.3", Some("db")), overlay_path("api", "10.10.0.2", "db", "10.10.0.3", "")),
        delivered("api@ovl", "db@ovl", pg, addr(AddressKind::ContainerIp, "10.10.0.3:5432", Some("db")), overlay_path("api", "10.10.0.2", "db", "10.10.0.3", ":5432")),
        delivered("db@ovl", "api@ovl", icmp, addr(AddressKind::ContainerIp, "10.10.0.2", Some("api")), overlay_path("db", "10.10.0.3", "api", "10.10.0.2", "")),
        delivered("db@ovl", "api@ovl", api, addr(AddressKind::ContainerIp, "10.10.0.2:8000", Some("api")), overlay_path("db", "10.10.0.3", "api", "10.10.0.2", ":8000")),
        // Overlay outbound through VFP NAT: TCP yes, ICMP no.
        denied("api@ovl", "client:laptop", icmp, DenyReason::IcmpDroppedByVfpNat,
            "WS2019 overlay reaches external addresses through VFP NAT, which drops ICMP",
            vec![hop("api (vNIC)", Mechanism::Vnic, "echo 10.10.0.2 -> 10.0.0.50", &["ARCH-1"]),
                 hop("win1/vSwitch ovl", Mechanism::Drop, "VFP NAT rule does not translate ICMP", &["OVL-3"])], &[]),
        delivered("api@ovl", "client:laptop", ssh, addr(AddressKind::External, "10.0.0.50:22", None), vec![
            hop("api (vNIC)", Mechanism::Vnic, "SYN 10.10.0.2 -> 10.0.0.50:22", &["ARCH-1"]),
            hop("win1/vSwitch ovl", Mechanism::VfpNat, "source 10.10.0.2 -> 10.0.0.10", &["OVL-3"]),
            hop("segment lan", Mechanism::PhysicalSegment, "10.0.0.10 -> 10.0.0.50:22", &["OVL-3"]),
            hop("laptop", Mechanism::Deliver, "SYN-ACK", &["OVL-3"]),
        ]),
        // api -> web on the same host: the model cannot tell.
        Cell {
            from: "api@ovl".into(),
            to: "web@mynat".into(),
            probe: ws,
            disposition: Disposition::Unknown {
                why: "no source says whether VFP NAT hairpins to a WinNAT port mapping on the same host".into(),
            },
            address: Some(addr(AddressKind::HostPort, "10.0.0.10:8080", None)),
            path: vec![hop("win1/vSwitch ovl", Mechanism::VfpNat, "source 10.10.0.2 -> 10.0.0.10, destination is this host", &["OVL-3", "NAT-8"])],
            facts: vec!["NAT-8".into(), "OVL-3".into()],
            observation: None,
        },
        denied("api@ovl", "web@mynat", icmp, DenyReason::IcmpDroppedByVfpNat,
            "ICMP leaves the overlay only through VFP NAT, which drops it",
            vec![hop("win1/vSwitch ovl", Mechanism::Drop, "VFP NAT rule does not translate ICMP", &["OVL-3"])], &[]),
        // Inbound to the nat container.
        delivered("client:laptop", "web@mynat", ws, addr(AddressKind::HostPort, "10.0.0.10:8080", None), to_web_published("laptop", "10.0.0.50")),
        denied("client:laptop", "web@mynat", icmp, DenyReason::NatNoInbound,
            "172.16.0.2 is reachable only from win1; an echo cannot use a port mapping",
            vec![hop("segment lan", Mechanism::Drop, "no route to 172.16.0.0/24 on the LAN", &["NAT-12"])], &["NAT-8"]),
        denied("client:laptop", "db@ovl", pg, DenyReason::NotPublished,
            "db publishes no port and overlay addresses are not routed on the LAN",
            vec![hop("segment lan", Mechanism::Drop, "no route to 10.10.0.0/24 on the LAN", &["OVL-2"])], &["NAT-8"]),
        delivered("host:win1", "web@mynat", ws, addr(AddressKind::ContainerIp, "172.16.0.2:80", None), vec![
            hop("win1", Mechanism::HostStack, "10.0.0.10 -> 172.16.0.2:80 through the internal vNIC", &["NAT-12"]),
            hop("win1/vSwitch nat", Mechanism::VswitchBridge, "bridged to web", &["NAT-5"]),
            hop("web (vNIC)", Mechanism::Deliver, "delivered to 172.16.0.2:80", &["ARCH-1"]),
        ]),
        delivered("host:win2", "web@mynat", ws, addr(AddressKind::HostPort, "10.0.0.10:8080", None), to_web_published("win2", "10.0.0.11")),
        denied("host:win2", "web@mynat", icmp, DenyReason::NatNoInbound,
            "172.16.0.2 is reachable only from win1",
            vec![hop("win2", Mechanism::Drop, "no route to 172.16.0.0/24", &["NAT-12"])], &[]),
        delivered("db@ovl", "web@mynat", ws, addr(AddressKind::HostPort, "10.0.0.10:8080", None), vec![
            hop("db (vNIC)", Mechanism::Vnic, "SYN 10.10.0.3 -> 10.0.0.10:8080", &["ARCH-1"]),
            hop("win2/vSwitch ovl", Mechanism::VfpNat, "source 10.10.0.3 -> 10.0.0.11", &["OVL-3"]),
            hop("segment lan", Mechanism::PhysicalSegment, "10.0.0.11 -> 10.0.0.10:8080", &["NAT-8"]),
            hop("win1 WinNAT", Mechanism::WinNatPortMapping, "static mapping 10.0.0.10:8080 -> 172.16.0.2:80", &["NAT-8"]),
            hop("web (vNIC)", Mechanism::Deliver, "delivered to 172.16.0.2:80", &["ARCH-1"]),
        ]),
    ];
    // The probe that the conformance run disputes carries its observation.
    if let Some(c) = cells
        .iter_mut()
        .find(|c| c.from == "host:win2" && c.to == "web@mynat" && c.probe == ws)
    {
        c.observation = Some(disputed_observation());
    }
    cells
}

fn disputed_observation() -> Observation {
    Observation {
        backend: "netns".into(),
        sent: "tcp SYN to 10.0.0.10:8080".into(),
        to: "10.0.0.10:8080".into(),
        outcome: ProbeOutcome::Timeout,
        rtt_ms: None,
        attempts: 3,
        repro: "ip netns exec hnsim-win2 nc -z -w 2 10.0.0.10 8080".into(),
    }
}

fn conformance(cells: &[Cell]) -> Conformance {
    let find = |from: &str, to: &str, probe: Probe| {
        cells
            .iter()
            .find(|c| c.from == from && c.to == to && c.probe == probe)
            .map(|c| c.disposition.clone())
            .unwrap_or(Disposition::Delivered)
    };
    let obs =
        |sent: &str, to: &str, outcome: ProbeOutcome, rtt: Option<f64>, repro: &str| Observation {
            backend: "netns".into(),
            sent: sent.into(),
            to: to.into(),
            outcome,
            rtt_ms: rtt,
            attempts: 1,
            repro: repro.into(),
        };
    let verdicts = vec![
        CellVerdict {
            from: "api@ovl".into(),
            to: "db@ovl".into(),
            probe: Probe::Tcp(5432),
            verdict: Verdict::Agree,
            expected: find("api@ovl", "db@ovl", Probe::Tcp(5432)),
            observation: obs(
                "tcp SYN to 10.10.0.3:5432",
                "10.10.0.3:5432",
                ProbeOutcome::Reply,
                Some(0.4),
                "ip netns exec hnsim-api nc -z -w 2 10.10.0.3 5432",
            ),
        },
        CellVerdict {
            from: "client:laptop".into(),
            to: "web@mynat".into(),
            probe: Probe::Tcp(80),
            verdict: Verdict::Agree,
            expected: find("client:laptop", "web@mynat", Probe::Tcp(80)),
            observation: obs(
                "tcp SYN to 10.0.0.10:8080",
                "10.0.0.10:8080",
                ProbeOutcome::Reply,
                Some(0.3),
                "ip netns exec hnsim-laptop nc -z -w 2 10.0.0.10 8080",
            ),
        },
        CellVerdict {
            from: "host:win2".into(),
            to: "web@mynat".into(),
            probe: Probe::Tcp(80),
            verdict: Verdict::Disagree,
            expected: find("host:win2", "web@mynat", Probe::Tcp(80)),
            observation: disputed_observation(),
        },
        CellVerdict {
            from: "api@ovl".into(),
            to: "client:laptop".into(),
            probe: Probe::Icmp,
            verdict: Verdict::NotEmulated {
                why: "netns has no VFP: the ICMP drop of VFP NAT is not reproduced".into(),
            },
            expected: find("api@ovl", "client:laptop", Probe::Icmp),
            observation: obs(
                "icmp echo to 10.0.0.50",
                "10.0.0.50",
                ProbeOutcome::NotEmulated {
                    why: "no VFP in netns".into(),
                },
                None,
                "",
            ),
        },
        CellVerdict {
            from: "client:laptop".into(),
            to: "web@mynat".into(),
            probe: Probe::Icmp,
            verdict: Verdict::KnownDivergence {
                why: "Linux answers echo on the published host address; WinNAT does not".into(),
            },
            expected: find("client:laptop", "web@mynat", Probe::Icmp),
            observation: obs(
                "icmp echo to 172.16.0.2",
                "172.16.0.2",
                ProbeOutcome::Unreachable,
                None,
                "ip netns exec hnsim-laptop ping -c1 -W1 172.16.0.2",
            ),
        },
        // The model cannot tell; the wire can.
        CellVerdict {
            from: "api@ovl".into(),
            to: "web@mynat".into(),
            probe: Probe::Tcp(80),
            verdict: Verdict::Undecided {
                why: "no source says whether VFP NAT hairpins to a WinNAT port mapping on the same host".into(),
                delivered: true,
            },
            expected: find("api@ovl", "web@mynat", Probe::Tcp(80)),
            observation: obs(
                "tcp SYN to 10.0.0.10:8080",
                "10.0.0.10:8080",
                ProbeOutcome::Reply,
                Some(0.5),
                "ip netns exec hnsim-api nc -z -w 2 10.0.0.10 8080",
            ),
        },
    ];
    Conformance {
        backend: "netns".into(),
        state: 0,
        summary: ConformanceSummary {
            agree: 2,
            disagree: 1,
            not_emulated: 1,
            known_divergence: 1,
            undecided: 1,
        },
        cells: verdicts,
    }
}

pub fn findings() -> Vec<Finding> {
    let file = "scenarios/windows/nat-overlay.yaml".to_string();
    vec![
        Finding {
            code: "HNS031".into(),
            severity: Severity::Error,
            facts: vec!["NAT-8".into(), "OVL-2".into()],
            location: Location {
                file: file.clone(),
                line: 42,
                column: 7,
                path: "expect[1]".into(),
            },
            message: "expectation `laptop -> db:5432` fails: db publishes nothing & overlay <10.10.0.0/24> is not routed on \"lan\"".into(),
            help: "publish 5432 on db with a routing mesh or host port, or expect `denied`".into(),
            step: None,
            invalidates: vec![],
        },
        Finding {
            code: "HNS012".into(),
            severity: Severity::Warning,
            facts: vec!["OVL-3".into()],
            location: Location {
                file: file.clone(),
                line: 18,
                column: 5,
                path: "networks[1]".into(),
            },
            message: "ping from overlay network ovl to external addresses never works on WS2019 (VFP NAT drops ICMP)".into(),
            help: "test outbound connectivity with TCP, e.g. Test-NetConnection -Port 443".into(),
            step: None,
            invalidates: vec![],
        },
        Finding {
            code: "HNS040".into(),
            severity: Severity::Info,
            facts: vec!["NAT-13".into()],
            location: Location {
                file,
                line: 0,
                column: 0,
                path: "timeline[0]".into(),
            },
            message: "after the reboot the nat network mynat is recreated by Docker".into(),
            help: "nothing to do; containers on it get new addresses".into(),
            step: Some(0),
            invalidates: vec![],
        },
    ]
}

/// The small report: two states (initial design; after api stops), findings and a
/// conformance run on the initial design with one disagreement.
pub fn small() -> Report {
    let cells = initial_cells();
    let conf = conformance(&cells);
    let mut after: Vec<Cell> = cells
        .iter()
        .filter(|c| c.from != "api@ovl" && c.to != "api@ovl")
        .cloned()
        .map(|mut c| {
            c.observation = None;
            c
        })
        .collect();
    after.push(denied(
        "db@ovl",
        "api@ovl",
        Probe::Tcp(8000),
        DenyReason::EndpointDown,
        "api is stopped",
        vec![hop(
            "win1/vSwitch ovl",
            Mechanism::Drop,
            "no endpoint 10.10.0.2 on the overlay",
            &["OVL-2"],
        )],
        &[],
    ));
    Report {
        schema_version: SCHEMA_VERSION,
        scenario: ScenarioInfo {
            name: "nat-and-overlay".into(),
            file: "scenarios/windows/nat-overlay.yaml".into(),
            description:
                "Two WS2019 hosts: web published from a nat network, api and db on a swarm overlay."
                    .into(),
            covers: vec![
                "NAT-5".into(),
                "NAT-7".into(),
                "NAT-8".into(),
                "NAT-12".into(),
                "OVL-2".into(),
                "OVL-3".into(),
            ],
        },
        findings: findings(),
        topology: topology(),
        states: vec![
            StateMatrix::from_cells(None, "initial design", nodes(), cells),
            StateMatrix::from_cells(Some(0), "after step 1: stop api", nodes(), after),
        ],
        conformance: Some(conf),
        earlier_conformance: Vec::new(),
    }
}

/// Rebuilds `state` cell by cell after `edit` changed its cells (the matrix keeps its
/// cells by class and makes them on demand; a test edits them as a list).
pub fn edit_cells(state: &mut StateMatrix, edit: impl FnOnce(&mut Vec<Cell>)) {
    let mut cells: Vec<Cell> = state.cells().collect();
    edit(&mut cells);
    *state = StateMatrix::from_cells(state.step, state.label.clone(), state.nodes.clone(), cells);
}
