//! Names on the real engine (DNS-1): a probe agent inside a container asks the resolver
//! its `/etc/resolv.conf` names — Docker's embedded one at 127.0.0.11 — for the
//! destination's name before probing it, so a model that is wrong about which names
//! resolve disagrees. Fails where `docker info` fails, unless `HNSIM_SKIP_DOCKER=1`
//! skips it on purpose.

#[path = "common/mod.rs"]
mod common;

use hnsim_conformance::agent::dns::Answer;
use hnsim_conformance::{compare, docker, Dataplane};

const NAMES: &str = "name: names
hosts:
  - {name: l1, os: linux}
networks:
  - {name: app, host: l1, driver: bridge}
  - {name: other, host: l1, driver: bridge}
containers:
  - {name: web, host: l1, networks: [app], listen: [tcp/80]}
  - {name: api, host: l1, networks: [app]}
  - {name: iso, host: l1, networks: [other]}
";

#[test]
fn the_engines_resolver_answers_names_on_shared_networks_only() {
    if std::env::var_os("HNSIM_SKIP_DOCKER").is_some_and(|v| v == "1") {
        println!("SKIP: HNSIM_SKIP_DOCKER=1");
        return;
    }
    if let Err(e) = docker::available() {
        panic!("this test needs a Docker engine ({e}); set HNSIM_SKIP_DOCKER=1 to skip it");
    }
    let doc = hnsim_model::parse_scenario("names.yaml", NAMES).unwrap();
    let expected = hnsim_sim::simulate(&doc).final_state().unwrap().clone();
    let design = hnsim_model::analyse(&doc).final_state().design.clone();
    let mut dp = docker::Docker::new(docker::Options::new(common::hnsim_bin())).expect("engine");
    dp.realize(&design, None).expect("realization");
    let observed =
        hnsim_conformance::probe_state(&dp, &design, &expected, &common::probe_opts(1000, 1));
    dp.clean().expect("clean-up");
    let observed = observed.expect("probing");
    let cell = |from: &str, to: &str| {
        observed
            .iter()
            .find(|o| o.from == from && o.to == to && o.probe.to_string() == "tcp/80")
            .unwrap_or_else(|| panic!("no cell {from} -> {to} tcp/80"))
    };
    let api_web = cell("api@app", "web@app");
    let name = api_web.name.as_ref().expect("api asked for web's name");
    assert_eq!(name.lookup.server, "127.0.0.11:53");
    assert!(name.lookup.answer.resolves_to(name.ip), "{name:?}");
    let iso_web = cell("iso@other", "web@app");
    let name = iso_web.name.as_ref().expect("iso asked for web's name");
    // Unknown to the embedded resolver, which forwards it to nowhere (the run gives
    // each container `--dns 127.0.0.1`, where nothing answers) and so never replies
    // (Docker 20.10): not resolved.
    assert!(
        matches!(
            name.lookup.answer,
            Answer::Timeout | Answer::NoAddress { .. } | Answer::NxDomain
        ),
        "{name:?}"
    );
    assert!(!name.lookup.answer.resolves_to(name.ip));

    let conf = compare(&expected, &observed);
    let wrong = common::not_agreeing(&conf);
    assert!(wrong.is_empty(), "{wrong:#?}");
}
