//! What `hnsim conform` prints: the report in the chosen format (every probed state's
//! verdicts are part of it, in every format), and the one-line account per state on
//! stderr (counts, time to realize, probes sent and time to probe).

use crate::{render_report, Format, RenderError, RenderOptions};
use hnsim_sim::matrix::Report;
use std::fmt::Write;

/// How long one state took on the dataplane.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StateTiming {
    /// Index into the report's `states`.
    pub state: usize,
    pub realize_secs: f64,
    pub probe_secs: f64,
    /// Probes actually sent (cells not emulated send none).
    pub probes: usize,
}

/// The report of a conformance run, in `format`.
pub fn render_conform(
    report: &Report,
    format: Format,
    opts: &RenderOptions,
) -> Result<String, RenderError> {
    render_report(report, format, opts)
}

/// One line per probed state: `conformance (netns) on after step 1: stop api: 10
/// agree, 0 disagree, ...; realized in 0.21s, 40 probes in 0.30s`, then the notes.
pub fn conform_summary(report: &Report, timings: &[StateTiming], notes: &[String]) -> String {
    let mut out = String::new();
    let several = report.conformances().count() > 1;
    for conf in report.conformances() {
        let s = &conf.summary;
        let label = report
            .states
            .get(conf.state)
            .map(|m| m.label.as_str())
            .unwrap_or("(missing state)");
        let _ = write!(
            out,
            "conformance ({}){}: {} agree, {} disagree, {} undecided, {} not emulated, {} known divergence",
            conf.backend,
            if several {
                format!(" on {label}")
            } else {
                String::new()
            },
            s.agree,
            s.disagree,
            s.undecided,
            s.not_emulated,
            s.known_divergence
        );
        if let Some(t) = timings.iter().find(|t| t.state == conf.state) {
            let _ = write!(
                out,
                "; realized in {:.2}s, {} probes in {:.2}s",
                t.realize_secs, t.probes, t.probe_secs
            );
        }
        out.push('\n');
    }
    for n in notes {
        let _ = writeln!(out, "note: {n}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use hnsim_sim::matrix::{
        CellVerdict, Conformance, ConformanceSummary, Disposition, Observation, Probe,
        ProbeOutcome, StateMatrix, Verdict,
    };

    fn conf(state: usize, disagree: usize) -> Conformance {
        Conformance {
            backend: "netns".into(),
            state,
            cells: vec![],
            summary: ConformanceSummary {
                agree: 3,
                disagree,
                not_emulated: 1,
                known_divergence: 0,
                undecided: 0,
            },
        }
    }

    fn two_states() -> Report {
        let mut first = conf(0, 0);
        let mut last = conf(1, 1);
        for (c, verdict) in [(&mut first, Verdict::Agree), (&mut last, Verdict::Disagree)] {
            c.cells.push(CellVerdict {
                from: "a@app".into(),
                to: "b@app".into(),
                probe: Probe::Icmp,
                verdict,
                expected: Disposition::Delivered,
                observation: Observation {
                    backend: "netns".into(),
                    sent: "icmp echo-request to 10.0.0.3".into(),
                    to: "10.0.0.3".into(),
                    outcome: ProbeOutcome::Timeout,
                    rtt_ms: None,
                    attempts: 2,
                    repro: "ip netns exec hns-abcdef-c0 hnsim probe icmp 10.0.0.3".into(),
                },
            });
        }
        Report {
            schema_version: 1,
            scenario: Default::default(),
            findings: vec![],
            topology: Default::default(),
            states: vec![
                StateMatrix::from_cells(None, "initial design", vec![], vec![]),
                StateMatrix::from_cells(Some(0), "after step 1: stop b", vec![], vec![]),
            ],
            conformance: Some(last),
            earlier_conformance: vec![first],
        }
    }

    #[test]
    fn every_format_shows_the_verdicts_of_every_probed_state() {
        let report = two_states();
        // One conformance section per probed state, each naming its state.
        for (format, section, named) in [
            (Format::Terminal, "conformance netns on state ", "on state "),
            (Format::Markdown, "### Conformance on `netns`", ""),
            (
                Format::Junit,
                "conformance on netns (",
                "conformance on netns (",
            ),
            (Format::Html, "class=\"conformance\"", "State <b>"),
        ] {
            let text = render_conform(&report, format, &RenderOptions::default()).unwrap();
            assert_eq!(text.matches(section).count(), 2, "{format}\n{text}");
            for label in ["initial design", "after step 1: stop b"] {
                assert!(
                    text.contains(&format!("{named}{label}")),
                    "{format}: no verdicts of {label}\n{text}"
                );
            }
        }
        let json: serde_json::Value = serde_json::from_str(
            &render_conform(&report, Format::Json, &RenderOptions::default()).unwrap(),
        )
        .unwrap();
        assert_eq!(json["conformance"]["state"], 1);
        assert_eq!(json["earlier_conformance"][0]["state"], 0);
    }

    #[test]
    fn one_line_per_probed_state_with_its_timing() {
        let report = two_states();
        let timings = [StateTiming {
            state: 1,
            realize_secs: 0.25,
            probe_secs: 1.5,
            probes: 12,
        }];
        let text = conform_summary(&report, &timings, &["engine moved a subnet".into()]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines[0].starts_with("conformance (netns) on initial design: 3 agree, 0 disagree"));
        assert!(lines[1].contains("on after step 1: stop b: 3 agree, 1 disagree"));
        assert!(lines[1].ends_with("realized in 0.25s, 12 probes in 1.50s"));
        assert_eq!(lines[2], "note: engine moved a subnet");
    }
}
