//! Scenario spellings people write from `docker run` habits: `network: NAME` for one
//! network, `ip:` on the container for `--ip`. Each means what the Docker flag means, and
//! each misuse is refused at its line with the fix.

use hnsim_model::parse_scenario;

const HEAD: &str = "name: spellings\nhosts: [{name: h, os: ws2022}]\nnetworks: [{name: n, driver: nat, host: h, subnet: 10.9.0.0/24}, {name: m, driver: nat, host: h, subnet: 10.8.0.0/24}]\n";

fn parse(containers: &str) -> Result<hnsim_model::Document, hnsim_model::parse::ParseError> {
    parse_scenario("s.yaml", &format!("{HEAD}containers:\n{containers}"))
}

#[test]
fn one_network_may_be_named_as_docker_run_names_it() {
    let d = parse("  - {name: a, host: h, network: n}\n").expect("parses");
    let c = &d.scenario.containers[0];
    assert_eq!(c.networks.len(), 1);
    assert_eq!(c.networks[0].network, "n");
    assert_eq!(c.networks[0].ip, None);
}

#[test]
fn a_container_ip_lands_on_its_first_network() {
    let d = parse("  - {name: a, host: h, networks: [n, m], ip: 10.9.0.5}\n").expect("parses");
    let c = &d.scenario.containers[0];
    assert_eq!(c.ip, None, "moved, not kept twice");
    assert_eq!(c.networks[0].ip, Some("10.9.0.5".parse().unwrap()));
    assert_eq!(c.networks[1].ip, None);
}

#[test]
fn a_container_ip_agrees_with_its_attachment_or_is_refused() {
    let same =
        parse("  - {name: a, host: h, networks: [{network: n, ip: 10.9.0.5}], ip: 10.9.0.5}\n");
    assert!(same.is_ok(), "{:?}", same.err());
    let err = parse(
        "  - name: a\n    host: h\n    networks: [{network: n, ip: 10.9.0.5}]\n    ip: 10.9.0.6\n",
    )
    .expect_err("two addresses");
    assert_eq!(
        (err.line, err.field.as_str()),
        (8, "containers[0].ip"),
        "{err}"
    );
    assert!(err.message.contains("keep one"), "{err}");
}

#[test]
fn a_container_ip_without_a_network_is_refused_with_the_fix() {
    let err = parse("  - name: a\n    host: h\n    ip: 10.9.0.5\n").expect_err("no network");
    assert_eq!((err.line, err.column), (7, 5), "{err}");
    assert!(
        err.message
            .contains("networks: [{network: NAME, ip: 10.9.0.5}]"),
        "{err}"
    );
}

#[test]
fn a_bad_address_in_a_single_network_map_keeps_its_location() {
    let err = parse("  - name: a\n    host: h\n    network: {network: n, ip: 10.9.0.500}\n")
        .expect_err("bad address");
    assert_eq!(err.line, 7, "{err}");
    assert!(err.message.contains("10.9.0.500"), "{err}");
}

#[test]
fn a_run_step_takes_the_same_spellings() {
    let d = parse_scenario(
        "s.yaml",
        &format!("{HEAD}steps:\n  - run: {{name: b, host: h, network: m, ip: 10.8.0.9}}\n"),
    )
    .expect("parses");
    let hnsim_model::scenario::Step::Run(c) = &d.scenario.steps[0] else {
        panic!("a run step");
    };
    assert_eq!(c.networks[0].network, "m");
    assert_eq!(c.networks[0].ip, Some("10.8.0.9".parse().unwrap()));
}
