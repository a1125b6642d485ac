//! Differential runs: many designs simulated and probed on a real dataplane in one go,
//! counted per driver, and every disagreement on a generated design shrunk to the
//! smallest design that still shows it and written as a regression scenario.
//!
//! The designs are drawn from a seed (`hnsim conform --generated COUNT --seed N`,
//! [`generated`]) or read from files by the caller (`hnsim conform DIR`, the bundled
//! library). Each is simulated, realized on a fresh dataplane from `open`, probed state
//! by state and compared ([`probe`]). A generated design with a disagreement is cut
//! down ([`hnsim_model::reduce`]): its timeline ends at the first state that disagrees,
//! then hosts, networks, services, containers, clients, steps, ports and options go one
//! by one while the final state still disagrees on one of the cells that first did —
//! each candidate simulated, realized and probed again. The result is written with the
//! observed outcomes as `expect:` ([`regression`]).

mod probe;
pub mod regression;
mod shrinking;
pub mod tally;
mod text;

pub use probe::{disagreements, probe, ProbeError};
use shrinking::shrink_one;
pub use text::{design_line, summary_text};

use crate::dataplane::Dataplane;
use crate::probing::ProbeOptions;
use hnsim_model::{Document, Scenario};
use hnsim_sim::{ConformanceSummary, Probe, ProbeOutcome, Report};
use serde::Serialize;
use serde_with::skip_serializing_none;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Opens a fresh dataplane for a design, given its simulated report (the netns
/// backend's internet stand-in listens where the report's internet node does).
pub type Open<'a> = dyn FnMut(&Report) -> Result<Box<dyn Dataplane>, String> + 'a;

/// One cell on which the model and the dataplane disagreed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Disagreement {
    /// Index into the report's states.
    pub state: usize,
    /// The timeline step the state follows (`None`: the initial design).
    pub step: Option<usize>,
    pub from: String,
    pub to: String,
    pub probe: Probe,
    pub observed: ProbeOutcome,
    /// What was sent, as the report says it.
    pub sent: String,
}

impl Disagreement {
    fn key(&self) -> (&str, &str, Probe) {
        (&self.from, &self.to, self.probe)
    }
}

/// How to run.
#[derive(Clone, Debug)]
pub struct Options {
    /// The backend's name, as `--backend` gives it (decides which designs apply).
    pub backend: String,
    pub probe: ProbeOptions,
    /// Shrink every disagreeing generated design, trying at most this many smaller
    /// designs each; `None`: do not shrink.
    pub shrink_budget: Option<usize>,
    /// Where shrunk designs are written; `None`: nowhere.
    pub out: Option<PathBuf>,
}

/// What happened to one design.
#[skip_serializing_none]
#[derive(Clone, Debug, Serialize)]
pub struct DesignResult {
    pub name: String,
    /// Where it came from: a file, or `seed N`.
    pub source: String,
    /// `probed`, `skipped` (not for this backend) or `failed` (could not be realized,
    /// probed or read).
    pub outcome: &'static str,
    pub why: Option<String>,
    pub cells: ConformanceSummary,
    /// The same cells per driver ([`tally::by_driver`]).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub by_driver: BTreeMap<String, ConformanceSummary>,
    /// The not-emulated cells by the reason given ([`tally::reasons`]).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub not_emulated: BTreeMap<String, usize>,
    /// The undecided cells by what the wire did and the model's reason.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub undecided: BTreeMap<String, usize>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub disagreements: Vec<Disagreement>,
    pub shrunk: Option<ShrinkResult>,
}

/// What shrinking one design came to.
#[skip_serializing_none]
#[derive(Clone, Debug, Serialize)]
pub struct ShrinkResult {
    /// What was cut away, in order.
    pub cuts: Vec<String>,
    /// Smaller designs realized and probed.
    pub tried: usize,
    /// The budget ran out before every cut was tried.
    pub exhausted: bool,
    /// The disagreeing cells of the shrunk design.
    pub cells: Vec<Disagreement>,
    /// The regression scenario written, if any.
    pub file: Option<String>,
}

/// A whole run.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    pub backend: String,
    pub designs: usize,
    pub probed: usize,
    pub skipped: usize,
    pub failed: usize,
    /// Every probed cell of every state.
    pub cells: ConformanceSummary,
    pub by_driver: BTreeMap<String, ConformanceSummary>,
    pub designs_disagreeing: usize,
    pub shrunk: usize,
    pub written: Vec<String>,
    pub results: Vec<DesignResult>,
}

/// Errors that stop a run.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("interrupted")]
    Interrupted,
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

/// The designs seeds `seed..seed + count` draw (`hnsim gen --random --seed N`), each
/// with its source.
pub fn generated(
    count: usize,
    seed: u64,
) -> impl Iterator<Item = (String, Result<Document, String>)> {
    (0..count as u64).map(move |i| {
        let s = seed.wrapping_add(i);
        let p = hnsim_model::generate::random(s);
        let text = hnsim_model::generate::write(&p);
        let doc = hnsim_model::parse_scenario(&format!("{}.yaml", p.name), &text)
            .map_err(|e| e.to_string());
        (format!("seed {s}"), doc)
    })
}

/// Whether `backend` can say anything about `s`: the Docker engine of this machine is
/// one Linux host, so the design needs a Linux host with containers (the backend
/// realizes the first; cells of other hosts are not emulated), and swarm services need
/// `--backend swarm`.
pub fn applies(backend: &str, s: &Scenario) -> Result<(), String> {
    if backend != crate::docker::BACKEND {
        return Ok(());
    }
    if !s.services.is_empty() {
        return Err(
            "swarm services: the Docker backend realizes one engine without a swarm".into(),
        );
    }
    let linux = |h: &str| s.hosts.iter().any(|x| x.name == h && !x.os.is_windows());
    if s.containers.iter().any(|c| linux(&c.host)) {
        Ok(())
    } else {
        Err("no container on a Linux host".into())
    }
}

/// Runs every design of `designs` on a fresh dataplane from `open`; `each` is told of
/// every design as it is done (for progress).
pub fn run(
    designs: impl Iterator<Item = (String, Result<Document, String>)>,
    open: &mut Open<'_>,
    opts: &Options,
    each: &mut dyn FnMut(&DesignResult),
) -> Result<Summary, RunError> {
    let mut sum = Summary {
        backend: opts.backend.clone(),
        ..Summary::default()
    };
    for (source, doc) in designs {
        let result = one(&source, doc, open, opts)?;
        each(&result);
        sum.designs += 1;
        match result.outcome {
            "probed" => sum.probed += 1,
            "skipped" => sum.skipped += 1,
            _ => sum.failed += 1,
        }
        tally::add(&mut sum.cells, &result.cells);
        for (driver, counts) in &result.by_driver {
            tally::add(sum.by_driver.entry(driver.clone()).or_default(), counts);
        }
        if !result.disagreements.is_empty() {
            sum.designs_disagreeing += 1;
        }
        if let Some(s) = &result.shrunk {
            sum.shrunk += 1;
            sum.written.extend(s.file.clone());
        }
        sum.results.push(result);
    }
    Ok(sum)
}

/// A design's result before (or without) probing.
fn result(name: &str, source: &str, outcome: &'static str, why: Option<String>) -> DesignResult {
    DesignResult {
        name: name.to_string(),
        source: source.to_string(),
        outcome,
        why,
        cells: ConformanceSummary::default(),
        by_driver: BTreeMap::new(),
        not_emulated: BTreeMap::new(),
        undecided: BTreeMap::new(),
        disagreements: Vec::new(),
        shrunk: None,
    }
}

fn one(
    source: &str,
    doc: Result<Document, String>,
    open: &mut Open<'_>,
    opts: &Options,
) -> Result<DesignResult, RunError> {
    let doc = match doc {
        Ok(d) => d,
        Err(e) => return Ok(result(source, source, "failed", Some(e))),
    };
    let name = doc.scenario.name.clone();
    let analysis = hnsim_model::analyse(&doc);
    if let Err(why) = applies(&opts.backend, &analysis.scenario) {
        return Ok(result(&name, source, "skipped", Some(why)));
    }
    let report = match probe(&doc, open, &opts.probe, false) {
        Ok(r) => r,
        Err(ProbeError::Interrupted) => return Err(RunError::Interrupted),
        Err(ProbeError::Failed(e)) => return Ok(result(&name, source, "failed", Some(e))),
    };
    let mut out = result(&name, source, "probed", None);
    out.cells = tally::total(&report);
    out.disagreements = disagreements(&report);
    out.by_driver = tally::by_driver(&report);
    (out.not_emulated, out.undecided) = tally::reasons(&report);
    if let (Some(budget), false) = (opts.shrink_budget, out.disagreements.is_empty()) {
        if generated_design(&doc.scenario) {
            out.shrunk = Some(shrink_one(
                source,
                &doc,
                &report,
                &out.disagreements,
                open,
                opts,
                budget,
            )?);
        }
    }
    Ok(out)
}

/// Whether `s` is written out in full (no docker commands or compose to import): the
/// designs shrinking cuts, whose smaller versions are written back as they are.
fn generated_design(s: &Scenario) -> bool {
    s.hosts
        .iter()
        .all(|h| h.commands.is_empty() && h.compose.is_none() && h.daemon_json.is_none())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(text: &str) -> Scenario {
        hnsim_model::parse_scenario("t.yaml", text)
            .expect("parses")
            .scenario
    }

    #[test]
    fn docker_takes_designs_with_containers_on_a_linux_host_and_netns_takes_all() {
        let hosts = "hosts:
  - {name: w, os: ws2022}
  - {name: l, os: linux}
";
        let windows_only = scenario(&format!(
            "name: t\n{hosts}containers:\n  - {{name: a, host: w}}\n"
        ));
        let mixed = scenario(&format!(
            "name: t\n{hosts}containers:\n  - {{name: a, host: w}}\n  - {{name: b, host: l}}\n"
        ));
        let swarm = scenario(&format!(
            "name: t\n{hosts}containers:\n  - {{name: b, host: l}}\nservices:\n  - {{name: s}}\n"
        ));
        assert!(applies("docker", &windows_only).is_err());
        assert!(applies("docker", &mixed).is_ok());
        assert!(applies("docker", &swarm).unwrap_err().contains("swarm"));
        for s in [&windows_only, &mixed, &swarm] {
            assert!(applies("netns", s).is_ok());
        }
    }

    #[test]
    fn the_same_seeds_draw_the_same_designs() {
        let a: Vec<String> = generated(3, 40)
            .map(|(source, d)| format!("{source} {}", d.expect("valid").scenario.name))
            .collect();
        assert_eq!(
            a,
            [
                "seed 40 random-40",
                "seed 41 random-41",
                "seed 42 random-42"
            ]
        );
        let again: Vec<String> = generated(3, 40)
            .map(|(source, d)| format!("{source} {}", d.unwrap().scenario.name))
            .collect();
        assert_eq!(a, again);
    }
}
