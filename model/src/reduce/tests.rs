use super::*;
use crate::generate;

/// A generated design with several hosts, networks, published ports and steps.
fn big() -> Scenario {
    let p = generate::Params {
        name: "big".into(),
        hosts: 3,
        os: vec![generate::Os::Linux, generate::Os::Ws2022],
        drivers: vec![
            generate::Driver::Bridge,
            generate::Driver::Nat,
            generate::Driver::Transparent,
        ],
        networks: 2,
        endpoints: 8,
        services: 0,
        replicas: 1,
        publish: 1,
        seed: 4,
        steps: vec![generate::GenStep::Stop(5), generate::GenStep::Remove(1)],
    };
    crate::parse_scenario("big.yaml", &generate::write(&p))
        .expect("the generated design parses")
        .scenario
}

fn has_container(s: &Scenario, name: &str) -> bool {
    s.containers.iter().any(|c| c.name == name)
}

#[test]
fn a_fake_disagreement_about_one_container_shrinks_to_that_container_alone() {
    let start = big();
    assert!(valid(&start));
    let c = start.containers[4].clone();
    let shrunk = shrink(&start, 500, |s| Ok::<_, ()>(has_container(s, &c.name))).unwrap();
    let s = &shrunk.scenario;
    assert!(!shrunk.exhausted);
    assert_eq!(
        s.containers.iter().map(|x| &x.name).collect::<Vec<_>>(),
        [&c.name]
    );
    assert_eq!(s.hosts.len(), 1, "only the container's host is left");
    assert_eq!(s.hosts[0].name, c.host);
    assert!(s.steps.is_empty() && s.clients.is_empty());
    assert!(s.containers[0].ports.is_empty() && s.containers[0].listen.is_empty());
    // Every network left is one the container is attached to.
    for n in &s.networks {
        assert!(s.containers[0].networks.iter().any(|a| a.network == n.name));
    }
    assert!(valid(s));
    assert!(!shrunk.cuts.is_empty());
}

#[test]
fn a_failure_needing_two_things_keeps_both() {
    let start = big();
    let (a, b) = (
        start.containers[0].name.clone(),
        start.containers[5].name.clone(),
    );
    let shrunk = shrink(&start, 500, |s| {
        Ok::<_, ()>(has_container(s, &a) && has_container(s, &b) && !s.steps.is_empty())
    })
    .unwrap();
    let s = &shrunk.scenario;
    assert_eq!(s.containers.len(), 2);
    assert_eq!(s.steps.len(), 1, "one step is enough: {:?}", s.steps);
}

#[test]
fn the_budget_bounds_the_tries_and_errors_stop_the_search() {
    let start = big();
    let shrunk = shrink(&start, 3, |_| Ok::<_, ()>(false)).unwrap();
    assert_eq!(shrunk.tried, 3);
    assert!(shrunk.exhausted);
    assert_eq!(shrunk.scenario, start);
    let mut calls = 0;
    let err = shrink(&start, 100, |_| {
        calls += 1;
        Err::<bool, _>("interrupted")
    });
    assert_eq!(err, Err("interrupted"));
    assert_eq!(calls, 1);
}

#[test]
fn a_host_goes_with_its_containers_networks_and_steps() {
    let start = big();
    let h = start.containers[1].host.clone();
    let s = Cut::Host(h.clone()).apply(&start).expect("fits");
    assert!(s.hosts.iter().all(|x| x.name != h));
    assert!(s.containers.iter().all(|c| c.host != h));
    assert!(s
        .networks
        .iter()
        .all(|n| n.host.as_deref() != Some(h.as_str())));
    assert!(
        s.steps.len() < start.steps.len(),
        "remove: c1 named a container of {h}"
    );
    assert_eq!(Cut::Host("nowhere".into()).apply(&start), None);
}

#[test]
fn a_network_goes_with_the_containers_only_it_held() {
    let start = big();
    let n = start
        .networks
        .iter()
        .find(|n| {
            start
                .containers
                .iter()
                .any(|c| c.networks.iter().any(|a| a.network == n.name))
        })
        .expect("a network with containers")
        .clone();
    let s = Cut::Network {
        name: n.name.clone(),
        host: n.host.clone(),
    }
    .apply(&start)
    .expect("fits");
    assert_eq!(s.networks.len(), start.networks.len() - 1);
    assert!(s.containers.len() < start.containers.len());
    assert!(s.containers.iter().all(|c| !c.networks.is_empty()
        && (Some(&c.host) != n.host.as_ref() || c.networks.iter().all(|a| a.network != n.name))));
}

#[test]
fn written_back_a_design_reads_the_same() {
    let start = big();
    let again = crate::parse_scenario("again.yaml", &to_yaml(&start))
        .expect("parses")
        .scenario;
    assert_eq!(to_yaml(&again), to_yaml(&start));
    assert_eq!(again.steps, start.steps);
    assert_eq!(again.containers.len(), start.containers.len());
}

#[test]
fn every_candidate_names_what_it_cuts() {
    let start = big();
    let cuts = candidates(&start);
    assert!(matches!(cuts[0], Cut::Host(_)), "largest first");
    assert!(cuts.iter().any(|c| matches!(c, Cut::Port { .. })));
    assert!(cuts.iter().any(|c| matches!(c, Cut::StepsFrom(0))));
    assert_eq!(Cut::StepsFrom(1).to_string(), "steps 2 and later");
    assert!(Cut::StepsFrom(9).apply(&start).is_none());
}

#[test]
fn a_pinned_design_loads_with_each_observed_cell_once_and_its_findings() {
    let start = big();
    let c = Observed {
        from: "c0@bridge".into(),
        to: "internet".into(),
        probe: "tcp/443".into(),
        delivered: false,
    };
    let text = pinned(&start, "big-netns", "cut from big", &[c.clone(), c]);
    let doc = crate::parse_scenario("p.yaml", &text).expect("loads");
    let s = &doc.scenario;
    assert_eq!(s.name, "big-netns");
    assert!(s.tags.is_empty() && s.covers.is_empty());
    let expect = s.expect.as_ref().expect("expect:");
    assert_eq!(expect.cells.len(), 1);
    assert_eq!(expect.cells[0].disposition, "denied");
    let mut found: Vec<String> = crate::analyse(&doc)
        .findings
        .into_iter()
        .filter(|f| f.severity >= crate::Severity::Warning)
        .map(|f| f.code)
        .collect();
    found.sort();
    found.dedup();
    assert_eq!(expect.findings, found);
}
