use super::*;
use crate::matrix::{DenyReason, Disposition};

fn design(text: &str) -> Design {
    let doc = hnsim_model::parse_scenario("q.yaml", text).expect("parses");
    hnsim_model::analyse(&doc).final_state().design.clone()
}

/// The flow reaches its destination, where nothing listens.
fn assert_not_listening(c: &Cell) {
    assert!(
        matches!(
            c.disposition,
            Disposition::Denied {
                reason: DenyReason::NotListening,
                ..
            }
        ),
        "{c:?}"
    );
}

fn ask(d: &Design, from: &str, to: &str, probe: Option<&str>) -> Result<FlowAnswer, QueryError> {
    let q = FlowQuery {
        from: from.into(),
        to: to.into(),
        probe: probe.map(|p| p.parse().expect("probe")),
    };
    query(d, None, "final", &q)
}

const NAT: &str = "name: q\nsegments: [{name: lan, subnet: 10.0.0.0/24, gateway: 10.0.0.1}]\nhosts:\n  - {name: win1, os: ws2019, nics: [{name: Ethernet, ip: 10.0.0.10/24, segment: lan}]}\n  - {name: win2, os: ws2019, nics: [{name: Ethernet, ip: 10.0.0.11/24, segment: lan}]}\ncontainers:\n  - {name: web, host: win1, ports: ['8080:80']}\n  - {name: app, host: win2}\n";

#[test]
fn a_declared_cell_is_answered_as_the_matrix_answers_it() {
    let d = design(NAT);
    let m = crate::engine::state_matrix(&d, (None, "final"), crate::Mode::Classes, &[]);
    for c in m.cells() {
        let a = ask(&d, &c.from, &c.to, Some(&c.probe.to_string())).expect("answers");
        assert_eq!(
            a.cells,
            vec![c.clone()],
            "{} -> {} {}",
            c.from,
            c.to,
            c.probe
        );
    }
}

#[test]
fn any_port_nothing_listens_on_says_so() {
    let d = design(NAT);
    let a = ask(&d, "app", "web", Some("tcp/8443")).expect("answers");
    let c = &a.cells[0];
    assert!(
        matches!(
            c.disposition,
            Disposition::Denied {
                reason: DenyReason::NotPublished | DenyReason::NotListening,
                ..
            }
        ),
        "{c:?}"
    );
    // From the same host the flow reaches web, where nothing listens on 8443.
    let a = ask(&d, "host:win1", "web", Some("tcp/8443")).expect("answers");
    assert_not_listening(&a.cells[0]);
}

#[test]
fn a_host_address_and_port_is_the_mapping_behind_it() {
    let d = design(NAT);
    let a = ask(&d, "app", "10.0.0.10:8080", None).expect("answers");
    assert_eq!(a.cells[0].to, "web@nat");
    assert_eq!(a.cells[0].probe, Probe::Tcp(80));
    assert!(a.cells[0].disposition.is_delivered(), "{:?}", a.cells[0]);
    assert!(
        a.notes.iter().any(|n| n.contains("port mapping")),
        "{:?}",
        a.notes
    );
    // The host by name and a port it forwards: the same flow.
    let a = ask(&d, "app", "win1", Some("tcp/8080")).expect("answers");
    assert_eq!(
        (a.cells[0].to.as_str(), a.cells[0].probe),
        ("web@nat", Probe::Tcp(80))
    );
    assert!(a.cells[0].disposition.is_delivered(), "{:?}", a.cells[0]);
    // NAME:PORT as people write it: the host's address and that port, or a node and
    // the port asked of it.
    let a = ask(&d, "app", "win1:8080", None).expect("answers");
    assert_eq!(
        (a.cells[0].to.as_str(), a.cells[0].probe),
        ("web@nat", Probe::Tcp(80))
    );
    assert!(a
        .notes
        .iter()
        .any(|n| n.contains("win1:8080 is 10.0.0.10:8080")));
    let a = ask(&d, "win1", "web:80", None).expect("answers");
    assert_eq!(
        (a.cells[0].to.as_str(), a.cells[0].probe),
        ("web@nat", Probe::Tcp(80))
    );
    assert!(matches!(
        ask(&d, "app", "nothing:80", None),
        Err(QueryError::Name { .. })
    ));
    // web through its own mapping: a hairpin the matrix has no cell for, said as such.
    assert!(matches!(
        ask(&d, "web", "win1:8080", None),
        Err(QueryError::OwnMapping { .. })
    ));
    assert!(matches!(
        ask(&d, "web", "web", None),
        Err(QueryError::SameNode { .. })
    ));
    // A port with no mapping stops at the host, where nothing listens.
    let a = ask(&d, "app", "10.0.0.10:9999", None).expect("answers");
    assert_eq!(a.cells[0].to, "host:win1");
    assert_not_listening(&a.cells[0]);
    // --proto and the address name different ports.
    assert!(matches!(
        ask(&d, "app", "10.0.0.10:8080", Some("tcp/81")),
        Err(QueryError::PortConflict { .. })
    ));
}

#[test]
fn addresses_as_source_and_destination() {
    let d = design(NAT);
    // A machine of the LAN the design does not list.
    let a = ask(&d, "10.0.0.77", "10.0.0.10:8080", Some("tcp")).expect("answers");
    assert_eq!(a.cells[0].from, "client:10.0.0.77");
    assert!(a.cells[0].disposition.is_delivered(), "{:?}", a.cells[0]);
    // A container's own address.
    let web_ip = a
        .state
        .nodes
        .iter()
        .find(|n| n.id == "web@nat")
        .and_then(|n| n.ip)
        .expect("ip");
    let a = ask(&d, "host:win1", &web_ip.to_string(), Some("tcp/80")).expect("answers");
    assert_eq!(a.cells[0].to, "web@nat");
    // A public address is the internet.
    let a = ask(&d, "app", "8.8.8.8:53", Some("udp")).expect("answers");
    assert_eq!(a.cells[0].to, "internet");
    assert_eq!(a.cells[0].probe, Probe::Udp(53));
    // A private address on no segment is an error, not a guess.
    assert!(matches!(
        ask(&d, "app", "192.168.77.1", None),
        Err(QueryError::UnknownAddress { .. })
    ));
}

#[test]
fn extra_probes_reach_every_destination() {
    let d = design(NAT);
    let m = crate::engine::state_matrix(
        &d,
        (None, "final"),
        crate::Mode::Classes,
        &[Probe::Tcp(8443)],
    );
    let to_web: Vec<_> = m
        .cells()
        .filter(|c| c.to == "web@nat")
        .map(|c| c.probe)
        .collect();
    assert!(to_web.contains(&Probe::Tcp(8443)), "{to_web:?}");
    assert!(to_web.contains(&Probe::Tcp(80)), "{to_web:?}");
    let c = m
        .cell("host:win1", "web@nat", Probe::Tcp(8443))
        .expect("cell");
    assert_not_listening(&c);
}

const ALIASES: &str = "name: q\nhosts: [{name: h, os: linux}]\nnetworks:\n  - {name: app, host: h, driver: bridge, subnet: 172.30.0.0/24}\n  - {name: other, host: h, driver: bridge, subnet: 172.31.0.0/24}\ncontainers:\n  - {name: web, host: h, networks: [app]}\n  - {name: db, host: h, networks: [{network: app, aliases: [database]}], listen: [tcp/5432]}\n  - {name: db2, host: h, networks: [{network: other, aliases: [replica]}, {network: app, aliases: [replica]}]}\n";

#[test]
fn a_network_alias_names_the_endpoint_it_is_an_alias_of() {
    let d = design(ALIASES);
    let a = ask(&d, "web", "database", Some("tcp/5432")).expect("answers");
    assert_eq!(a.cells[0].to, "db@app");
    assert!(
        a.notes
            .iter()
            .any(|n| n.contains("network alias of db@app")),
        "{:?}",
        a.notes
    );
}

#[test]
fn an_alias_on_two_networks_is_ambiguous_and_a_name_still_wins() {
    let d = design(ALIASES);
    let err = ask(&d, "web", "replica", None).expect_err("two endpoints");
    assert!(
        err.to_string().contains("db2@other") && err.to_string().contains("db2@app"),
        "{err}"
    );
    // A container name is never shadowed by an alias.
    let a = ask(&d, "web", "db", Some("tcp/5432")).expect("answers");
    assert_eq!(a.cells[0].to, "db@app");
}

/// EXT-2: `localhost:PORT` from a host is its own port mapping, answered where WinNAT
/// (1803+) or Docker's proxy (Linux) loops it back, refused with the reason on WS2016.
#[test]
fn localhost_from_the_host_is_its_own_port_mapping() {
    let d = design(NAT);
    for to in ["localhost:8080", "127.0.0.1:8080", "[::1]:8080"] {
        let a = ask(&d, "host:win1", to, None).expect("answers");
        assert_eq!(a.cells[0].to, "web@nat", "{to}");
        assert_eq!(a.cells[0].probe, Probe::Tcp(80), "{to}");
        assert!(
            a.notes.iter().any(|n| n.contains("port mapping")),
            "{:?}",
            a.notes
        );
    }
    assert!(matches!(
        ask(&d, "host:win1", "localhost", None),
        Err(QueryError::SameNode { .. })
    ));
    let old = design(&NAT.replace("ws2019", "ws2016"));
    let e = ask(&old, "host:win1", "localhost:8080", None).expect_err("no WinNAT loopback");
    // Linux: Docker's proxy listens on the loopback, a mapping bound to it included.
    let linux = "name: q\nhosts:\n  - {name: l, os: linux}\ncontainers:\n  - {name: db, host: l, ports: ['127.0.0.1:5432:5432']}\n";
    let a = ask(&design(linux), "host:l", "127.0.0.1:5432", None).expect("answers");
    assert_eq!(a.cells[0].to, "db@bridge");
    assert!(matches!(e, QueryError::NoLoopback { .. }), "{e}");
    assert!(e.to_string().contains("web@nat"), "{e}");
}
