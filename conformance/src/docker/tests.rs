//! Where probes leave from and which addresses they go to: the run's translation of the
//! design's targets, without an engine.

use super::build::Realized;
use super::locate::{self, HOST};
use super::plan;
use crate::dataplane::{Resolved, Source};
use crate::target::{self, Party};
use hnsim_model::{parse_scenario, Design, Protocol};
use hnsim_sim::{DesignId, Probe, StateMatrix};
use ipnet::IpNet;
use std::collections::{BTreeSet, HashMap};
use std::net::IpAddr;

const SCENARIO: &str = "name: t\nsegments:\n  - {name: lan, subnet: 10.0.0.0/24, gateway: 10.0.0.1}\nhosts:\n  - name: lx1\n    os: linux\n    nics: [{name: eth0, ip: 10.0.0.20/24, segment: lan}]\n  - {name: lx2, os: linux, nics: [{name: eth0, ip: 10.0.0.21/24, segment: lan}]}\nnetworks:\n  - {name: appnet, host: lx1, driver: bridge}\ncontainers:\n  - {name: legacy1, host: lx1, listen: [tcp/80]}\n  - {name: legacy2, host: lx1, ports: ['8080:80']}\n  - {name: api, host: lx1, networks: [appnet], listen: [tcp/5000]}\n  - {name: front, host: lx1, networks: [appnet], ports: ['80:80']}\n  - {name: proxy, host: lx1, networks: [host], listen: [tcp/443]}\n  - {name: far, host: lx2, listen: [tcp/80]}\nclients:\n  - {name: laptop, segment: lan, ip: 10.0.0.50}\n";

struct Fixture {
    design: Design,
    expected: StateMatrix,
    realized: Realized,
}

fn fixture() -> Fixture {
    let doc = parse_scenario("t.yaml", SCENARIO).expect("parses");
    let analysis = hnsim_model::analyse(&doc);
    let design = analysis.final_state().design.clone();
    let expected = hnsim_sim::simulate(&doc)
        .final_state()
        .expect("a state")
        .clone();
    let taken: Vec<IpNet> = vec!["172.17.0.0/16".parse().unwrap()];
    let plan = plan::plan(&design, "hnsim-abc123-", 0, &taken);
    // Docker gives the addresses the model predicts, moved with their subnets.
    let mut ips = HashMap::new();
    for e in &design.endpoints {
        if let (Some(ip), Some(_)) = (e.ip, plan.container(e.container)) {
            if let Some(real) = plan.translate(ip) {
                ips.insert((e.container, e.attachment), real);
            }
        }
    }
    let ports = HashMap::from([((Protocol::Tcp, 8080), 8080), ((Protocol::Tcp, 80), 80)]);
    Fixture {
        design,
        expected,
        realized: Realized {
            plan,
            ips,
            ports,
            notes: vec![],
            outside: None,
        },
    }
}

fn party(f: &Fixture, id: &str) -> Party {
    let node = f
        .expected
        .node(id)
        .unwrap_or_else(|| panic!("no node {id}"));
    let design_id: &DesignId = node.design_id.as_ref().expect("typed id");
    target::party(&f.design, design_id).expect("in the design")
}

/// The source of a cell and what each of its targets is on the engine.
fn cell(
    f: &Fixture,
    from: &str,
    to: &str,
    probe: Probe,
    listeners: &[(Protocol, u16)],
) -> Result<(Source, Vec<Result<Resolved, String>>), String> {
    let (a, b) = (party(f, from), party(f, to));
    let src = locate::source(&f.realized, &f.design, &a)?;
    let listeners: BTreeSet<(Protocol, u16)> = listeners.iter().copied().collect();
    let targets = target::targets(&f.design, &a, &b, probe)?;
    Ok((
        src.clone(),
        targets
            .iter()
            .map(|t| locate::resolve(&f.realized, &f.design, &src, t, &listeners))
            .collect(),
    ))
}

fn addrs(r: &[Result<Resolved, String>]) -> Vec<(IpAddr, Option<u16>)> {
    r.iter().flatten().map(|r| (r.ip, r.port)).collect()
}

fn container(name: &str) -> Source {
    Source(format!("hnsim-abc123-{name}"))
}

#[test]
fn container_ips_move_with_their_subnet_and_host_ports_go_to_the_stand_in() {
    let f = fixture();
    let stand_in = f.realized.plan.host_addr().unwrap();
    let (src, r) = cell(&f, "legacy1@bridge", "legacy2@bridge", Probe::Tcp(80), &[]).unwrap();
    assert_eq!(src, container("legacy1"));
    // 172.17.0.0/16 is taken here: the default bridge moved, the offset kept.
    let bridge = f
        .realized
        .plan
        .networks
        .iter()
        .find(|n| n.name.ends_with("-bridge"))
        .unwrap();
    let moved = plan::shift(
        "172.17.0.3".parse().unwrap(),
        &"172.17.0.0/16".parse().unwrap(),
        &bridge.subnet,
    )
    .unwrap();
    // Its own address, then the published port at the stand-in for the host address.
    assert_eq!(
        addrs(&r),
        [(moved, Some(80)), (stand_in, Some(8080))],
        "{r:?}"
    );
    assert!(r[0]
        .as_ref()
        .unwrap()
        .note
        .as_ref()
        .unwrap()
        .contains("172.17.0.3"));
    let (src, r) = cell(&f, "front@appnet", "host:lx1", Probe::Icmp, &[]).unwrap();
    assert_eq!(
        (src, addrs(&r)),
        (container("front"), vec![(stand_in, None)])
    );
    // appnet's subnet is free and kept.
    let (src, r) = cell(&f, "host:lx1", "api@appnet", Probe::Icmp, &[]).unwrap();
    assert_eq!(
        (src, addrs(&r)),
        (
            Source(HOST.into()),
            vec![("172.18.0.2".parse().unwrap(), None)]
        )
    );
}

#[test]
fn every_probed_address_belongs_to_the_run() {
    let f = fixture();
    let mut probed = 0;
    for c in f.expected.cells() {
        if let Ok((_, r)) = cell(&f, &c.from, &c.to, c.probe, &[]) {
            for (ip, _) in addrs(&r) {
                probed += 1;
                assert!(f.realized.plan.owns(ip), "{} -> {}: {ip}", c.from, c.to);
                assert!(!ip.is_loopback());
            }
        }
    }
    assert!(probed >= 30, "{probed}");
}

#[test]
fn what_is_not_probed_and_why() {
    let f = fixture();
    let why = |from: &str, to: &str, p: Probe| match cell(&f, from, to, p, &[]) {
        Err(e) => e,
        Ok((_, r)) => r
            .into_iter()
            .map(|x| x.expect_err("not probed"))
            .collect::<Vec<_>>()
            .join("; "),
    };
    assert!(why("client:laptop", "front@appnet", Probe::Tcp(80)).contains("LAN clients"));
    assert!(why("internet", "front@appnet", Probe::Tcp(80)).contains("internet"));
    assert!(why("legacy1@bridge", "internet", Probe::Tcp(443)).contains("outside this machine"));
    assert!(why("legacy1@bridge", "client:laptop", Probe::Icmp).contains("outside this machine"));
    assert!(why("far@bridge", "legacy1@bridge", Probe::Icmp).contains("lx2"));
    assert!(why("host:lx2", "legacy1@bridge", Probe::Icmp).contains("another machine"));
    // Without a LAN a host-network container listens on nothing here (its ports would
    // be the machine's), but answers ICMP as the host.
    assert!(why("legacy1@bridge", "proxy@host", Probe::Tcp(443)).contains("LAN stand-in"));
    let (src, r) = cell(&f, "legacy1@bridge", "proxy@host", Probe::Icmp, &[]).unwrap();
    assert_eq!(addrs(&r), [(f.realized.plan.host_addr().unwrap(), None)]);
    assert_eq!(src, container("legacy1"));
    // A host-network source probes from the host's own namespace.
    let (src, _) = cell(&f, "proxy@host", "api@appnet", Probe::Icmp, &[]).unwrap();
    assert_eq!(src, Source(HOST.into()));
}

#[test]
fn the_machines_own_listeners_are_never_probed_as_the_scenarios() {
    let f = fixture();
    // front publishes 80: probed at the stand-in whatever the machine does.
    let (_, r) = cell(
        &f,
        "legacy1@bridge",
        "front@appnet",
        Probe::Tcp(80),
        &[(Protocol::Tcp, 80)],
    )
    .unwrap();
    assert!(r.iter().all(Result::is_ok), "{r:?}");
    // A port of the host the run does not publish, on which the machine itself
    // listens: a reply would be the machine's service, not the scenario's.
    let target = target::Target {
        ip: Some("10.0.0.20".parse().unwrap()),
        probe: Probe::Tcp(22),
        port: Some(22),
        via: target::Via::Host {
            host: 0,
            nic: Some(0),
        },
    };
    let src = container("legacy1");
    let listeners = BTreeSet::from([(Protocol::Tcp, 22)]);
    let err = locate::resolve(&f.realized, &f.design, &src, &target, &listeners).unwrap_err();
    assert!(err.contains("listens"), "{err}");
    assert!(locate::resolve(&f.realized, &f.design, &src, &target, &BTreeSet::new()).is_ok());
}
