//! A shrunk design written as a regression scenario ([`hnsim_model::reduce::pinned`]):
//! its disagreeing cells pinned to what the dataplane observed, so `hnsim test` on it
//! fails until the model agrees with the wire. Pure: the text is returned.

use super::Disagreement;
use hnsim_model::reduce::{pinned, Observed};
use hnsim_model::Scenario;
use hnsim_sim::ProbeOutcome;

/// `shrunk` as scenario YAML named `name`. `origin` says where the design came from
/// (`random-17 (seed 17)`) and `cuts` what was cut away.
pub fn write(
    shrunk: &Scenario,
    name: &str,
    origin: &str,
    backend: &str,
    cuts: &[String],
    cells: &[Disagreement],
) -> String {
    let description = format!(
        "The smallest design cut from {origin} on which the model and the {backend} \
         dataplane still disagree ({} cut: {}). expect: holds what {backend} observed, \
         so hnsim test fails until the model agrees with the wire.",
        cuts.len(),
        if cuts.is_empty() {
            "nothing".to_string()
        } else {
            cuts.join(", ")
        }
    );
    let observed: Vec<Observed> = cells
        .iter()
        .map(|c| Observed {
            from: c.from.clone(),
            to: c.to.clone(),
            probe: c.probe.to_string(),
            delivered: c.observed == ProbeOutcome::Reply,
        })
        .collect();
    pinned(shrunk, name, &description, &observed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hnsim_sim::Probe;

    const DESIGN: &str = "name: t
segments:
  - {name: lan, subnet: 192.168.0.0/16, gateway: 192.168.0.1}
hosts:
  - {name: h0, os: linux, nics: [{name: eth0, ip: 192.168.1.10/16, segment: lan}]}
containers:
  - {name: c0, host: h0, networks: [bridge], listen: [tcp/80]}
  - {name: c1, host: h0, networks: [bridge], listen: [tcp/80]}
";

    fn cell(to: &str, observed: ProbeOutcome) -> Disagreement {
        Disagreement {
            state: 0,
            step: None,
            from: "c0@bridge".into(),
            to: to.into(),
            probe: Probe::Tcp(80),
            observed,
            sent: "tcp SYN".into(),
        }
    }

    #[test]
    fn the_written_scenario_fails_hnsim_test_on_the_observed_cell_only() {
        let s = hnsim_model::parse_scenario("t.yaml", DESIGN)
            .unwrap()
            .scenario;
        let text = write(
            &s,
            "random-3-netns",
            "random-3 (seed 3)",
            "netns",
            &["container c2".into()],
            &[cell("c1@bridge", ProbeOutcome::Timeout)],
        );
        let doc = hnsim_model::parse_scenario("w.yaml", &text).expect("loads");
        assert!(doc.scenario.description.contains("container c2"));
        // The simulator says delivered, the wire did not answer: the cell fails, the
        // findings pass.
        let analysis = hnsim_model::analyse(&doc);
        let report = hnsim_sim::simulate(&doc);
        let check = hnsim_sim::check_expectations(&doc, &analysis, report.final_state().unwrap());
        assert!(check.findings.as_ref().unwrap().passed());
        assert_eq!(check.cells.len(), 1);
        assert!(!check.cells[0].passed());
    }
}
