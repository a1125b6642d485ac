use super::*;

fn params(
    hosts: usize,
    os: &[Os],
    drivers: &[Driver],
    networks: usize,
    endpoints: usize,
) -> Params {
    Params {
        name: "t".into(),
        hosts,
        os: os.to_vec(),
        drivers: drivers.to_vec(),
        networks,
        endpoints,
        services: 0,
        replicas: 1,
        publish: 1,
        seed: 1,
        steps: vec![],
    }
}

/// Errors of `check` on the written design.
fn errors(text: &str) -> Vec<String> {
    let doc = crate::parse_scenario("gen.yaml", text)
        .unwrap_or_else(|e| panic!("the design does not parse: {e}\n{text}"));
    crate::analyse(&doc)
        .findings
        .into_iter()
        .filter(|f| f.severity == crate::Severity::Error)
        .map(|f| f.to_string())
        .collect()
}

#[test]
fn the_same_seed_writes_the_same_design_and_another_one_another() {
    let mut p = params(1, &[Os::Ws2019], &[Driver::Nat], 1, 30);
    p.seed = 7;
    let a = write(&p);
    assert_eq!(a, write(&p));
    p.seed = 8;
    assert_ne!(a, write(&p));
    assert_eq!(write(&random(5)), write(&random(5)));
    assert_ne!(write(&random(5)), write(&random(6)));
}

/// Every driver and OS it writes, and the shapes the benchmark uses, validate without
/// errors and hold what was asked for.
#[test]
fn what_it_writes_validates() {
    use Driver::*;
    use Os::*;
    let mut cases = vec![
        params(1, &[Ws2019], &[Nat], 1, 40),
        params(
            4,
            &[Ws2016, Ws2019, Ws2022, Ws2025],
            &[Nat, Transparent, L2bridge],
            2,
            60,
        ),
        params(2, &[Linux], &[Bridge, Macvlan], 3, 50),
        params(3, &[Ws2019, Linux], &[Nat, Bridge, Overlay], 1, 30),
        params(1, &[Ws2019], &[Nat], 1, 5000),
        params(1, &[Linux], &[Bridge], 20, 400),
    ];
    let mut swarm = params(3, &[Linux], &[Overlay], 1, 0);
    swarm.services = 2;
    swarm.replicas = 5;
    cases.push(swarm);
    for p in cases {
        let text = write(&p);
        let errors = errors(&text);
        assert!(errors.is_empty(), "{p:?}:\n{}", errors.join("\n"));
        let doc = crate::parse_scenario("gen.yaml", &text).unwrap();
        let s = &doc.scenario;
        assert_eq!(s.hosts.len(), p.hosts, "{p:?}");
        assert_eq!(s.containers.len(), p.endpoints, "{p:?}");
        assert_eq!(s.services.len(), p.services, "{p:?}");
    }
}

#[test]
fn impossible_parameters_say_why() {
    let p = params(0, &[Os::Linux], &[Driver::Bridge], 1, 1);
    assert!(p.check().unwrap_err().0.contains("at least one host"));
    let p = params(1, &[Os::Linux], &[Driver::Nat], 1, 1);
    assert!(p.check().unwrap_err().0.contains("no host has a network"));
}

/// Random designs: every one valid, tagged with facts the catalogue knows, and over a
/// few hundred seeds every driver, OS version, host count from one to four, services,
/// published ports and timeline steps turn up.
#[test]
fn random_designs_are_valid_tagged_and_varied() {
    let mut tags = std::collections::BTreeSet::new();
    let mut hosts = std::collections::BTreeSet::new();
    let mut fallbacks = 0;
    for seed in 0..300 {
        let p = random(seed);
        let text = write(&p);
        let errors = errors(&text);
        assert!(
            errors.is_empty(),
            "seed {seed}:\n{}\n{text}",
            errors.join("\n")
        );
        let doc = crate::parse_scenario("gen.yaml", &text).unwrap();
        assert!(!doc.scenario.tags.is_empty(), "seed {seed}");
        for f in &doc.scenario.covers {
            assert!(crate::fact::is_known(f), "seed {seed}: unknown fact {f}");
        }
        if p.endpoints == 2 && p.drivers == [Driver::Bridge] && p.hosts == 1 && p.steps.is_empty() {
            fallbacks += 1;
        }
        hosts.insert(p.hosts);
        tags.extend(doc.scenario.tags);
    }
    assert_eq!(hosts.into_iter().collect::<Vec<_>>(), [1, 2, 3, 4]);
    for d in Driver::ALL {
        assert!(
            tags.contains(&format!("driver:{}", d.name())),
            "{d:?}: {tags:?}"
        );
    }
    for o in Os::ALL {
        assert!(tags.contains(&format!("os:{}", o.name())), "{o:?}");
    }
    for f in [
        "published-port",
        "swarm-service",
        "timeline",
        "multi-host",
        "rerun",
    ] {
        assert!(tags.contains(&format!("feature:{f}")), "{f}: {tags:?}");
    }
    assert!(
        fallbacks < 30,
        "{fallbacks} of 300 seeds fell back to the plain design"
    );
}
