//! A generator of large hand-built matrices: `n` endpoints, every ordered pair probed.
#![allow(dead_code)]

use super::fixture::{addr, delivered, denied, endpoint, hop, ip, overlay_path};
use hnsim_sim::matrix::*;

/// A synthetic overlay design with `n` endpoints spread over `n / 50` hosts (at least
/// one) and every ordered pair probed with ICMP and TCP 443; one pair in seven is denied,
/// one in 97 unknown. The cells have real-looking paths with per-pair addresses, so
/// string interning is not flattered.
pub fn large(n: usize) -> Report {
    let hosts = n.div_ceil(50).max(1);
    let host_name = |i: usize| format!("node{:02}", i % hosts);
    let ep_ip = |i: usize| format!("10.{}.{}.{}", 20 + i / 65536, (i / 256) % 256, i % 256 + 1);
    let mut nodes = Vec::with_capacity(n);
    let mut endpoints = Vec::with_capacity(n);
    for i in 0..n {
        let id = format!("svc{i:03}@mesh");
        nodes.push(endpoint(
            &format!("svc{i:03}"),
            "mesh",
            &host_name(i),
            "overlay",
            &ep_ip(i),
            &[Probe::Tcp(443)],
        ));
        endpoints.push(TopoEndpoint {
            node: id,
            container: format!("svc{i:03}"),
            host: host_name(i),
            network: "swarm/mesh".into(),
            ip: ip(&ep_ip(i)),
        });
    }
    let mut cells = Vec::with_capacity(n * n * 2);
    for a in 0..n {
        for b in 0..n {
            if a == b {
                continue;
            }
            let (fa, fb) = (nodes[a].id.clone(), nodes[b].id.clone());
            for probe in [Probe::Icmp, Probe::Tcp(443)] {
                let k = a * n + b;
                let path = overlay_path(
                    &format!("svc{a:03}"),
                    &ep_ip(a),
                    &format!("svc{b:03}"),
                    &ep_ip(b),
                    if probe == Probe::Icmp { "" } else { ":443" },
                );
                let cell = if k.is_multiple_of(97) {
                    Cell {
                        from: fa.clone(),
                        to: fb.clone(),
                        probe,
                        disposition: Disposition::Unknown {
                            why: "no source covers this build".into(),
                        },
                        address: None,
                        path: vec![],
                        facts: vec!["OVL-2".into()],
                        observation: None,
                    }
                } else if k.is_multiple_of(7) && probe != Probe::Icmp {
                    denied(
                        &fa,
                        &fb,
                        probe,
                        DenyReason::PolicyDenied,
                        "ACL denies tcp/443 between these tiers",
                        vec![hop(
                            &format!("{}/vSwitch mesh", host_name(a)),
                            Mechanism::SdnPolicy,
                            "ACL rule 200 denies",
                            &["SDN-1"],
                        )],
                        &[],
                    )
                } else {
                    let value = if probe == Probe::Icmp {
                        ep_ip(b)
                    } else {
                        format!("{}:443", ep_ip(b))
                    };
                    delivered(
                        &fa,
                        &fb,
                        probe,
                        addr(AddressKind::ContainerIp, &value, None),
                        path,
                    )
                };
                cells.push(cell);
            }
        }
    }
    let mut topo = Topology {
        segments: vec![TopoSegment {
            name: "dc".into(),
            subnet: "10.0.0.0/16".into(),
            gateway: ip("10.0.0.1"),
        }],
        endpoints,
        ..Topology::default()
    };
    for h in 0..hosts {
        let name = format!("node{h:02}");
        topo.hosts.push(TopoHost {
            name: name.clone(),
            os: "Windows Server 2022".into(),
            machine: "physical".into(),
            nics: vec![TopoNic {
                name: "Ethernet".into(),
                ip: format!("10.0.1.{}", h + 10),
                segment: "dc".into(),
            }],
        });
        topo.vswitches.push(TopoVswitch {
            id: format!("{name}/mesh"),
            host: name,
            kind: "external".into(),
            nic: Some("Ethernet".into()),
            networks: vec!["swarm/mesh".into()],
        });
    }
    topo.networks.push(TopoNetwork {
        id: "swarm/mesh".into(),
        name: "mesh".into(),
        host: None,
        driver: "overlay".into(),
        subnets: vec!["10.20.0.0/16".into()],
        vlan: None,
        vni: Some(4100),
    });
    Report {
        schema_version: SCHEMA_VERSION,
        scenario: ScenarioInfo {
            name: format!("mesh-{n}"),
            file: format!("generated/mesh-{n}.yaml"),
            ..ScenarioInfo::default()
        },
        findings: vec![],
        topology: topo,
        states: vec![StateMatrix::from_cells(
            None,
            "initial design",
            nodes,
            cells,
        )],
        conformance: None,
        earlier_conformance: Vec::new(),
    }
}
