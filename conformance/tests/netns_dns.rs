//! Docker's embedded DNS (DNS-1) on the netns backend: every container namespace on a
//! user-defined network answers at 127.0.0.11:53 for the containers (and aliases) it
//! shares a network with, and a probe of a container asks its name there first. Root
//! only (skipped with `HNSIM_SKIP_ROOT=1`).

mod common;

use common::*;
use hnsim_conformance::agent::dns::{self, Answer};
use hnsim_conformance::Dataplane;
use hnsim_sim::ProbeOutcome;
use std::time::Duration;

const NAMES: &str = "name: names
hosts:
  - {name: l1, os: linux}
networks:
  - {name: app, host: l1, driver: bridge, subnet: 172.30.0.0/24}
  - {name: other, host: l1, driver: bridge, subnet: 172.31.0.0/24}
containers:
  - {name: web, host: l1, networks: [{network: app, aliases: [www]}], listen: [tcp/80]}
  - {name: api, host: l1, networks: [app], listen: [tcp/80]}
  - {name: iso, host: l1, networks: [other]}
  - {name: old, host: l1, networks: [bridge]}
";

fn cell<'a>(
    observed: &'a [hnsim_conformance::ObservedCell],
    from: &str,
    to: &str,
) -> &'a hnsim_conformance::ObservedCell {
    observed
        .iter()
        .find(|o| o.from == from && o.to == to && o.probe.to_string() == "tcp/80")
        .unwrap_or_else(|| panic!("no cell {from} -> {to} tcp/80"))
}

#[test]
fn a_name_resolves_on_a_shared_network_and_nowhere_else() {
    let Some(_turn) = root_turn("a_name_resolves_on_a_shared_network_and_nowhere_else") else {
        return;
    };
    let doc = hnsim_model::parse_scenario("names.yaml", NAMES).unwrap();
    let expected = hnsim_sim::simulate(&doc).final_state().unwrap().clone();
    let d = design(NAMES);
    let mut run = netns(true);
    let (observed, _, _) = realize_and_probe(&mut run, &d, &expected, &probe_opts(600, 1));
    let web_ip = d
        .endpoints_of(d.container_index("web").unwrap())
        .next()
        .and_then(|e| e.ip)
        .unwrap();

    // Same user-defined network: the name resolves to web's address, then the probe
    // is answered.
    let api_web = cell(&observed, "api@app", "web@app");
    let name = api_web.name.as_ref().expect("api asked for web's name");
    assert_eq!(name.lookup.name, "web");
    assert!(name.lookup.answer.resolves_to(web_ip), "{name:?}");
    assert_eq!(api_web.observation.outcome, ProbeOutcome::Reply);
    assert!(
        api_web
            .observation
            .sent
            .contains("`web` resolved by 127.0.0.11:53"),
        "{}",
        api_web.observation.sent
    );
    // Another user-defined network: its resolver does not know web.
    let iso_web = cell(&observed, "iso@other", "web@app");
    let name = iso_web.name.as_ref().expect("iso asked for web's name");
    assert_eq!(name.lookup.answer, Answer::NxDomain);
    // The default bridge has no embedded resolver at all.
    let old_web = cell(&observed, "old@bridge", "web@app");
    let name = old_web.name.as_ref().expect("old asked for web's name");
    assert!(
        matches!(&name.lookup.answer, Answer::NoResolver { why } if why.contains("nothing answers")),
        "{name:?}"
    );

    // The alias answers too, from api's own namespace; a name nobody has does not.
    let plan = run.plan().expect("realized");
    let api_ns = plan
        .dns
        .keys()
        .find(|ns| ns.ends_with("-c1"))
        .expect("api's zone");
    let t = Duration::from_millis(600);
    let (www, nope) = hnsim_conformance::netns::namespaces::within(api_ns, || {
        (
            dns::lookup(dns::EMBEDDED, "www", 1, t, 1),
            dns::lookup(dns::EMBEDDED, "nope", 2, t, 1),
        )
    })
    .expect("inside api's namespace");
    assert!(www.resolves_to(web_ip), "{www:?}");
    assert_eq!(nope, Answer::NxDomain);

    // Every cell, names included, agrees with the model.
    let conf = hnsim_conformance::compare(&expected, &observed);
    let named = observed.iter().filter(|o| o.name.is_some()).count();
    assert!(named >= 9, "only {named} cells asked a name");
    let wrong = common::not_agreeing(&conf);
    assert!(wrong.is_empty(), "{wrong:#?}");
    run.clean().expect("clean");
}
