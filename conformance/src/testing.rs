//! What the crate's unit tests share: the designs they realize, plan and probe, given
//! as scenario text.

use hnsim_model::Design;

/// The design of scenario `text` in its final state (after its timeline, if any): what
/// a backend realizes when it is handed the scenario.
pub(crate) fn final_design(text: &str) -> Design {
    let doc = hnsim_model::parse_scenario("t.yaml", text).expect("parses");
    hnsim_model::analyse(&doc).final_state().design.clone()
}

/// The text of a scenario `t` whose hosts `(name, os)` sit on one LAN, `lan`
/// (10.0.0.0/24, gateway 10.0.0.1), one NIC each at 10.0.0.10, .11, ... in order, with
/// `rest` (networks, containers, clients) after them.
pub(crate) fn on_lan(hosts: &[(&str, &str)], rest: &str) -> String {
    let mut text =
        "name: t\nsegments:\n  - {name: lan, subnet: 10.0.0.0/24, gateway: 10.0.0.1}\nhosts:\n"
            .to_string();
    for (i, (name, os)) in hosts.iter().enumerate() {
        let nic = if *os == "linux" { "eth0" } else { "Ethernet" };
        let ip = 10 + i;
        text += &format!(
            "  - {{name: {name}, os: {os}, nics: [{{name: {nic}, ip: 10.0.0.{ip}/24, segment: lan}}]}}\n"
        );
    }
    text + rest
}
