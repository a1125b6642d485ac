//! Which cells are probed, from where, at which address: the run's translation of the
//! model's addresses, without an engine.

use super::*;
use hnsim_model::parse_scenario;

const SCENARIO: &str = "name: t\nsegments:\n  - {name: lan, subnet: 10.0.0.0/24, gateway: 10.0.0.1}\nhosts:\n  - name: lx1\n    os: linux\n    nics: [{name: eth0, ip: 10.0.0.20/24, segment: lan}]\n  - {name: lx2, os: linux, nics: [{name: eth0, ip: 10.0.0.21/24, segment: lan}]}\nnetworks:\n  - {name: appnet, host: lx1, driver: bridge}\ncontainers:\n  - {name: legacy1, host: lx1, listen: [tcp/80]}\n  - {name: legacy2, host: lx1, ports: ['8080:80']}\n  - {name: api, host: lx1, networks: [appnet], listen: [tcp/5000]}\n  - {name: front, host: lx1, networks: [appnet], ports: ['80:80']}\n  - {name: proxy, host: lx1, networks: [host], listen: [tcp/443]}\n  - {name: far, host: lx2, listen: [tcp/80]}\nclients:\n  - {name: laptop, segment: lan, ip: 10.0.0.50}\n";

struct Fixture {
    design: Design,
    expected: StateMatrix,
    realized: Realized,
}

fn fixture() -> Fixture {
    fixture_of(SCENARIO)
}

fn fixture_of(text: &str) -> Fixture {
    let doc = parse_scenario("t.yaml", text).expect("parses");
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
            realize_time: Duration::ZERO,
            _guard: None,
        },
    }
}

type Planned = Result<(Source, IpAddr, Option<u16>, Option<String>), String>;

fn cell_plan(
    f: &Fixture,
    from: &str,
    to: &str,
    probe: Probe,
    listeners: &[(Protocol, u16)],
) -> Planned {
    let mut model_to_real = HashMap::new();
    for e in &f.design.endpoints {
        if let (Some(m), Some(r)) = (e.ip, f.realized.ips.get(&(e.container, e.attachment))) {
            model_to_real.insert(m, *r);
        }
    }
    let cell = f
        .expected
        .cell(from, to, probe)
        .unwrap_or_else(|| panic!("no cell {from} -> {to} {probe}"));
    let listeners: BTreeSet<(Protocol, u16)> = listeners.iter().copied().collect();
    plan_cell(
        &f.realized,
        &f.design,
        &f.expected,
        cell,
        &model_to_real,
        &listeners,
    )
}

#[test]
fn container_ips_move_with_their_subnet_and_host_ports_go_to_the_stand_in() {
    let f = fixture();
    let stand_in = f.realized.plan.host_addr().unwrap();
    let (src, ip, port, note) =
        cell_plan(&f, "legacy1@bridge", "legacy2@bridge", Probe::Tcp(80), &[]).unwrap();
    assert_eq!(src, Source::Container("hnsim-abc123-legacy1".into()));
    // 172.17.0.0/16 is taken here: the default bridge moved, the offset kept.
    let bridge = f
        .realized
        .plan
        .networks
        .iter()
        .find(|n| n.name.ends_with("-bridge"))
        .unwrap();
    assert_eq!(
        ip,
        plan::shift(
            "172.17.0.3".parse().unwrap(),
            &"172.17.0.0/16".parse().unwrap(),
            &bridge.subnet
        )
        .unwrap()
    );
    assert_eq!(port, Some(80));
    assert!(note.unwrap().contains("172.17.0.3"));
    // Through the host's published port: the stand-in address and the real host port.
    let (_, ip, port, _) =
        cell_plan(&f, "api@appnet", "legacy2@bridge", Probe::Tcp(80), &[]).unwrap();
    assert_eq!((ip, port), (stand_in, Some(8080)));
    let (src, ip, _, _) = cell_plan(&f, "front@appnet", "host:lx1", Probe::Icmp, &[]).unwrap();
    assert_eq!(
        (src, ip),
        (Source::Container("hnsim-abc123-front".into()), stand_in)
    );
    // appnet's subnet is free and kept.
    let (src, ip, _, _) = cell_plan(&f, "host:lx1", "api@appnet", Probe::Icmp, &[]).unwrap();
    assert_eq!((src, ip), (Source::Host, "172.18.0.2".parse().unwrap()));
}

#[test]
fn every_probed_address_belongs_to_the_run() {
    let f = fixture();
    let mut probed = 0;
    for c in &f.expected.cells {
        let listeners = BTreeSet::new();
        let mut map = HashMap::new();
        for e in &f.design.endpoints {
            if let (Some(m), Some(r)) = (e.ip, f.realized.ips.get(&(e.container, e.attachment))) {
                map.insert(m, *r);
            }
        }
        if let Ok((_, ip, _, _)) =
            plan_cell(&f.realized, &f.design, &f.expected, c, &map, &listeners)
        {
            probed += 1;
            assert!(f.realized.plan.owns(ip), "{} -> {}: {ip}", c.from, c.to);
            assert!(!ip.is_loopback());
        }
    }
    assert!(probed >= 30, "{probed}");
}

#[test]
fn what_is_not_probed_and_why() {
    let f = fixture();
    let why = |from: &str, to: &str, p: Probe| cell_plan(&f, from, to, p, &[]).unwrap_err();
    assert!(why("client:laptop", "front@appnet", Probe::Tcp(80)).contains("LAN clients"));
    assert!(why("internet", "front@appnet", Probe::Tcp(80)).contains("internet"));
    assert!(why("legacy1@bridge", "internet", Probe::Tcp(443)).contains("outside this machine"));
    assert!(why("legacy1@bridge", "client:laptop", Probe::Icmp).contains("outside this machine"));
    assert!(why("far@bridge", "legacy1@bridge", Probe::Icmp).contains("lx2"));
    assert!(why("host:lx2", "legacy1@bridge", Probe::Icmp).contains("another machine"));
    // A host-network container listens on nothing here (its ports would be the
    // machine's), but answers ICMP as the host.
    assert!(why("legacy1@bridge", "proxy@host", Probe::Tcp(443)).contains("serves no ports"));
    let (src, ip, _, _) = cell_plan(&f, "legacy1@bridge", "proxy@host", Probe::Icmp, &[]).unwrap();
    assert_eq!(ip, f.realized.plan.host_addr().unwrap());
    assert_eq!(src, Source::Container("hnsim-abc123-legacy1".into()));
    // A host-network source probes from the host's own namespace.
    let (src, _, _, _) = cell_plan(&f, "proxy@host", "api@appnet", Probe::Icmp, &[]).unwrap();
    assert_eq!(src, Source::Host);
}

#[test]
fn the_machines_own_listeners_are_never_probed_as_the_scenarios() {
    let f = fixture();
    // front publishes 80: probed at the stand-in whatever the machine does.
    assert!(cell_plan(
        &f,
        "legacy1@bridge",
        "front@appnet",
        Probe::Tcp(80),
        &[(Protocol::Tcp, 80)]
    )
    .is_ok());
    // A model port the run does not publish, on which the machine itself listens: a
    // reply would be the machine's service, not the scenario's.
    let mut cell = f
        .expected
        .cell("legacy1@bridge", "host:lx1", Probe::Icmp)
        .unwrap()
        .clone();
    cell.probe = Probe::Tcp(22);
    let mut expected = f.expected.clone();
    expected.cells.push(cell.clone());
    let listeners = BTreeSet::from([(Protocol::Tcp, 22)]);
    let err = plan_cell(
        &f.realized,
        &f.design,
        &expected,
        &cell,
        &HashMap::new(),
        &listeners,
    )
    .unwrap_err();
    assert!(err.contains("listens"), "{err}");
    let ok = plan_cell(
        &f.realized,
        &f.design,
        &expected,
        &cell,
        &HashMap::new(),
        &BTreeSet::new(),
    );
    assert!(ok.is_ok());
}

#[test]
fn multi_homed_sources_are_known_divergences() {
    let f = fixture_of("name: t\nhosts:\n  - {name: lx1, os: linux}\nnetworks:\n  - {name: front, host: lx1, driver: bridge}\n  - {name: back, host: lx1, driver: bridge}\ncontainers:\n  - {name: api, host: lx1, networks: [front, back]}\n  - {name: db, host: lx1, networks: [back]}\n  - {name: web, host: lx1, networks: [front]}\n");
    let node = |id: &str| f.expected.node(id).unwrap().clone();
    let db: IpAddr = f.realized.ips[&(1, 0)];
    let web: IpAddr = f.realized.ips[&(2, 0)];
    let why = through_other_attachment(&f.realized, &f.design, &node("api@front"), db).unwrap();
    assert!(why.contains("`back`"), "{why}");
    assert!(through_other_attachment(&f.realized, &f.design, &node("api@back"), db).is_none());
    assert!(through_other_attachment(&f.realized, &f.design, &node("api@front"), web).is_none());
    assert!(through_other_attachment(&f.realized, &f.design, &node("db@back"), web).is_none());
}
