//! A matrix never contradicts its own findings: in every state of every bundled
//! scenario (and of designs made for the purpose), no cell that crosses a part of the
//! design a finding invalidates is "delivered". Which cells cross a part is worked out
//! here from the matrix's nodes alone (names of containers, networks and hosts), not
//! with the engine's code.

mod common;

use common::*;
use hnsim_model::Design;
use hnsim_model::{Severity, Subject};
use hnsim_sim::{Cell, Disposition, Node, NodeKind, StateMatrix};
use ipnet::IpNet;

/// Whether `node`'s container is attached to `network` (on `host`) in this state.
fn on_network(m: &StateMatrix, node: &Node, network: &str, host: Option<&str>) -> bool {
    let Some(c) = node.container.as_deref() else {
        return false;
    };
    m.nodes.iter().any(|n| {
        n.container.as_deref() == Some(c)
            && n.network.as_deref() == Some(network)
            && host.is_none_or(|h| n.host.as_deref() == Some(h))
    })
}

/// Whether `node` sends from or is reached at an address in `range`: its own, or for a
/// host any of its NICs'.
fn has_address_in(design: &Design, node: &Node, range: &IpNet) -> bool {
    let nics = match (node.kind, node.host.as_deref()) {
        (NodeKind::Host, Some(h)) => design
            .scenario
            .hosts
            .iter()
            .filter(|x| x.name == h)
            .flat_map(|x| x.nics.iter().map(|n| n.ip.addr()))
            .collect(),
        _ => vec![],
    };
    node.ip
        .into_iter()
        .chain(nics)
        .any(|ip| range.contains(&ip))
}

/// Whether the flow `a` -> `b` (the cell `c`) crosses `subject`.
fn crosses(
    design: &Design,
    m: &StateMatrix,
    c: &Cell,
    (a, b): (&Node, &Node),
    subject: &Subject,
) -> bool {
    match subject {
        Subject::Endpoint { container, network } => [a, b].iter().any(|n| {
            n.container.as_deref() == Some(container) && n.network.as_deref() == Some(network)
        }),
        Subject::Host { host } => [a, b]
            .iter()
            .any(|n| n.kind != NodeKind::Client && n.host.as_deref() == Some(host)),
        Subject::Network {
            network,
            host,
            within,
        } => {
            let (ia, ib) = (
                on_network(m, a, network, host.as_deref()),
                on_network(m, b, network, host.as_deref()),
            );
            let same = (ia && b.network.as_deref() == Some(network))
                || (ib && a.network.as_deref() == Some(network));
            let toward = within.is_none_or(|range| {
                let sent_to = c.address.as_ref().and_then(|x| x.ip);
                ia && (sent_to.is_some_and(|ip| range.contains(&ip))
                    || has_address_in(design, b, &range))
                    || ib && has_address_in(design, a, &range)
            });
            (ia || ib) && !same && toward
        }
    }
}

/// The delivered cells of a report that cross a part its findings invalidate.
fn contradictions(path: &std::path::Path) -> (usize, Vec<String>) {
    let Some(doc) = load(path) else {
        return (0, vec![]);
    };
    let analysis = hnsim_model::analyse(&doc);
    let report = hnsim_sim::simulate_analysis(&doc.file, &analysis);
    let mut subjects = 0;
    let mut bad = Vec::new();
    for (state, m) in analysis.states.iter().zip(&report.states) {
        for inv in &state.design.invalid {
            subjects += 1;
            for c in m.cells() {
                let (Some(a), Some(b)) = (m.node(&c.from), m.node(&c.to)) else {
                    continue;
                };
                if a.container.is_some() && a.container == b.container {
                    continue; // a container's own address stays in its compartment
                }
                if c.disposition == Disposition::Delivered
                    && crosses(&state.design, m, &c, (a, b), &inv.subject)
                {
                    bad.push(format!(
                        "{} [{}] {} -> {} {}: delivered across {} ({})",
                        path.display(),
                        m.label,
                        c.from,
                        c.to,
                        c.probe,
                        inv.subject,
                        inv.code
                    ));
                }
            }
        }
    }
    (subjects, bad)
}

#[test]
fn no_cell_is_delivered_across_a_part_its_findings_invalidate() {
    let mut bad = Vec::new();
    let mut subjects = 0;
    for path in scenario_files() {
        let (n, b) = contradictions(&path);
        subjects += n;
        bad.extend(b);
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    // The library holds designs with each kind of invalid part this rests on.
    assert!(
        subjects >= 5,
        "only {subjects} invalid parts in the library"
    );
}

/// The five kinds of invalid design the conformance runs found delivered against their
/// own error: each raises a finding that invalidates a part, and the cell the wire
/// denied is no longer delivered.
#[test]
fn the_findings_the_wire_disagreed_with_invalidate_what_they_break() {
    let cases = [
        (
            "pitfalls/transparent-subnet-differs-from-lan.yaml",
            "HNS014",
            "a@t",
            "internet",
        ),
        (
            "pitfalls/ip-outside-subnet.yaml",
            "SCN013",
            "host:lin1",
            "web@app",
        ),
        (
            "pitfalls/swarm-overlay-default-pool-overlaps-lan.yaml",
            "SCN011",
            "web.1@ovl",
            "host:lin1",
        ),
        (
            "users/nat-prefix-contains-host-ip-fixed-cidr.yaml",
            "HNS001",
            "web@nat",
            "client:pc",
        ),
        (
            "pitfalls/two-transparent-networks-one-nic.yaml",
            "HNS010",
            "a@t1",
            "b@t2",
        ),
        // What Docker or HNS refuses to create does not exist: a network (even between
        // its own members) or a container.
        (
            "pitfalls/overlay-vni-below-4096.yaml",
            "HNS021",
            "web.1@ovl",
            "web.2@ovl",
        ),
        (
            "pitfalls/windows-unsupported-container-options.yaml",
            "HNS051",
            "db@nat",
            "web@nat",
        ),
        (
            "pitfalls/port-range-length-mismatch.yaml",
            "SCN041",
            "host:lin1",
            "web@bridge",
        ),
        (
            "pitfalls/host-network-with-other-networks.yaml",
            "DKR002",
            "host:lin1",
            "agent@bridge",
        ),
    ];
    for (file, code, from, to) in cases {
        let path = scenarios_dir().join(file);
        let doc = load(&path).expect(file);
        let analysis = hnsim_model::analyse(&doc);
        let f = analysis
            .findings
            .iter()
            .find(|f| f.code == code)
            .unwrap_or_else(|| panic!("{file}: no {code}"));
        assert!(
            !f.invalidates.is_empty(),
            "{file}: {code} invalidates nothing"
        );
        assert!(f.severity >= Severity::Warning);
        let report = hnsim_sim::simulate_analysis(&doc.file, &analysis);
        let m = report.final_state().unwrap();
        let cells: Vec<_> = m.cells().filter(|c| c.from == from && c.to == to).collect();
        assert!(!cells.is_empty(), "{file}: no cell {from} -> {to}");
        for c in cells {
            let Disposition::Unknown { why } = &c.disposition else {
                panic!("{file}: {from} -> {to} {}: {:?}", c.probe, c.disposition);
            };
            assert!(why.contains(code), "{why}");
            assert!(
                c.facts.iter().any(|x| f.facts.contains(x)),
                "{file}: the cell cites none of {code}'s facts: {:?}",
                c.facts
            );
        }
    }
}

/// A pool over the LAN breaks its members' routes to the LAN's addresses only: the
/// swarm replica whose ingress subnet is the LAN's cannot be told what reaches the LAN
/// host, but still reaches the internet through docker_gwbridge (what netns observed).
#[test]
fn an_overlapping_pool_breaks_only_the_routes_to_the_overlap() {
    let path = scenarios_dir().join("pitfalls/swarm-overlay-default-pool-overlaps-lan.yaml");
    let doc = load(&path).expect("scenario");
    let analysis = hnsim_model::analyse(&doc);
    let f = analysis
        .findings
        .iter()
        .find(|f| f.code == "SCN011")
        .unwrap();
    assert!(
        f.invalidates.iter().any(|s| matches!(s,
            Subject::Network { within: Some(r), .. } if r.to_string() == "10.0.0.0/24")),
        "{:?}",
        f.invalidates
    );
    let report = hnsim_sim::simulate_analysis(&doc.file, &analysis);
    let m = report.final_state().unwrap();
    let dispositions = |to: &str| -> Vec<Disposition> {
        m.cells()
            .filter(|c| c.from == "web.1@ovl" && c.to == to)
            .map(|c| c.disposition)
            .collect()
    };
    let internet = dispositions("internet");
    assert!(!internet.is_empty());
    assert!(
        internet.iter().all(Disposition::is_delivered),
        "{internet:?}"
    );
    let host = dispositions("host:lin1");
    assert!(!host.is_empty());
    assert!(
        host.iter()
            .all(|d| matches!(d, Disposition::Unknown { .. })),
        "{host:?}"
    );
}
