//! Probing one state on any [`Dataplane`]: which probes each cell needs (from the
//! design, [`crate::target`]), one batch per source, batches run in parallel as far as
//! the dataplane allows, probes that ran while the kernel's neighbour table overflowed
//! sent again, and every cell's results joined into one observation.
//!
//! A cell is observed delivered when any of its targets answered; denied when every
//! target was probed and none answered; not emulated when a target that could have
//! answered was not probed.

use crate::agent::{Batch, ProbeResult, ProbeSpec, Timing};
use crate::compare::{NameCheck, ObservedCell};
use crate::dataplane::{Dataplane, DataplaneError, Resolved, Source};
use crate::session::{self, Progress};
use crate::target::{self, Party};
use hnsim_model::Design;
use hnsim_sim::{Cell, Node, Observation, Probe, ProbeOutcome, StateMatrix};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// How hard to probe.
#[derive(Clone, Debug)]
pub struct ProbeOptions {
    pub timing: Timing,
    /// Sources probed at once, at most (the dataplane may allow fewer).
    pub parallel_sources: usize,
    pub progress: bool,
}

impl Default for ProbeOptions {
    fn default() -> Self {
        ProbeOptions {
            timing: Timing::default(),
            parallel_sources: 16,
            progress: true,
        }
    }
}

/// Overflow passes: probes without a reply in a tainted batch are sent again this many
/// times at most, one source at a time.
const REPROBES: usize = 3;

/// One cell's plan: its probes, or why it is not probed.
struct CellPlan {
    source: Option<Source>,
    /// (spec id, what the dataplane said about the target).
    probes: Vec<(usize, Resolved)>,
    /// Targets the dataplane cannot probe, with the reason.
    skipped: Vec<String>,
}

fn party_of(design: &Design, node: Option<&Node>) -> Result<Party, String> {
    let node = node.ok_or("the cell names a node the matrix does not list")?;
    let id = node.design_id.as_ref().ok_or_else(|| {
        format!(
            "node `{}` has no design id (an expected report from an older hnsim: run \
             `hnsim sim --json` again)",
            node.id
        )
    })?;
    target::party(design, id)
}

fn plan_cell(
    dp: &dyn Dataplane,
    design: &Design,
    expected: &StateMatrix,
    cell: &Cell,
    specs: &mut Vec<(Source, ProbeSpec)>,
) -> CellPlan {
    let mut plan = CellPlan {
        source: None,
        probes: Vec::new(),
        skipped: Vec::new(),
    };
    let from = match party_of(design, expected.node(&cell.from)) {
        Ok(p) => p,
        Err(why) => {
            plan.skipped.push(format!("source: {why}"));
            return plan;
        }
    };
    let to = match party_of(design, expected.node(&cell.to)) {
        Ok(p) => p,
        Err(why) => {
            plan.skipped.push(format!("destination: {why}"));
            return plan;
        }
    };
    let source = match dp.source(design, &from) {
        Ok(s) => s,
        Err(why) => {
            plan.skipped.push(format!("source: {why}"));
            return plan;
        }
    };
    let name = dp.asked_name(design, &from, &to);
    let targets = match target::targets(design, &from, &to, cell.probe) {
        Ok(t) => t,
        Err(why) => {
            plan.skipped.push(why);
            return plan;
        }
    };
    for t in &targets {
        match dp.resolve(design, &source, t) {
            Ok(r) => {
                let id = specs.len();
                // The destination's own address is the one its name stands for.
                let named = matches!(t.via, target::Via::Endpoint { .. });
                specs.push((
                    source.clone(),
                    ProbeSpec {
                        name: name.clone().filter(|_| named),
                        ..ProbeSpec::at(id, cell.probe, r.ip, r.port)
                    },
                ));
                plan.probes.push((id, r));
            }
            Err(why) => plan.skipped.push(why),
        }
    }
    plan.source = Some(source);
    plan
}

type Results = BTreeMap<usize, (ProbeResult, bool)>;

/// One pass over `batches`, `parallel` sources at once.
fn pass(
    dp: &dyn Dataplane,
    batches: &[(Source, Vec<ProbeSpec>)],
    parallel: usize,
    timing: &Timing,
    progress: &Progress,
) -> Results {
    let next = AtomicUsize::new(0);
    let results: Mutex<Results> = Mutex::new(BTreeMap::new());
    std::thread::scope(|s| {
        for _ in 0..parallel.clamp(1, batches.len().max(1)) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((src, specs)) = batches.get(i) else {
                    break;
                };
                if session::interrupted() {
                    break;
                }
                let batch = Batch::new(*timing, specs.clone());
                let (rs, tainted) = match dp.probe(src, &batch) {
                    Ok(b) => (b.results, b.tainted),
                    // A batch that could not run says so in each of its cells.
                    Err(e) => (
                        specs
                            .iter()
                            .map(|s| {
                                let failed = ProbeOutcome::Error {
                                    message: e.to_string(),
                                };
                                ProbeResult::of(s.id, failed, None, 0)
                            })
                            .collect(),
                        false,
                    ),
                };
                progress.inc(rs.len() as u64);
                if let Ok(mut all) = results.lock() {
                    all.extend(rs.into_iter().map(|r| (r.id, (r, tainted))));
                }
            });
        }
    });
    results.into_inner().unwrap_or_default()
}

/// Probes every cell of `expected` on `dp`, which holds `design`.
pub fn probe_state(
    dp: &dyn Dataplane,
    design: &Design,
    expected: &StateMatrix,
    opts: &ProbeOptions,
) -> Result<Vec<ObservedCell>, DataplaneError> {
    let mut specs: Vec<(Source, ProbeSpec)> = Vec::new();
    let plans: Vec<CellPlan> = expected
        .cells()
        .map(|c| plan_cell(dp, design, expected, &c, &mut specs))
        .collect();
    let mut by_source: BTreeMap<Source, Vec<ProbeSpec>> = BTreeMap::new();
    for (src, spec) in &specs {
        by_source.entry(src.clone()).or_default().push(spec.clone());
    }
    let batches: Vec<(Source, Vec<ProbeSpec>)> = by_source.into_iter().collect();
    let widest = batches
        .iter()
        .map(|(_, b)| b.iter().map(|s| s.ip).collect::<BTreeSet<_>>().len())
        .max()
        .unwrap_or(1);
    let parallel = opts
        .parallel_sources
        .min(dp.parallel_sources(widest))
        .max(1);
    let progress = Progress::new(specs.len() as u64, "probe", opts.progress);
    let mut results = pass(dp, &batches, parallel, &opts.timing, &progress);
    for _ in 0..REPROBES {
        let again: Vec<(Source, Vec<ProbeSpec>)> = batches
            .iter()
            .filter_map(|(src, b)| {
                let redo: Vec<ProbeSpec> = b
                    .iter()
                    .filter(|s| {
                        results
                            .get(&s.id)
                            .is_some_and(|(r, t)| *t && r.outcome != ProbeOutcome::Reply)
                    })
                    .cloned()
                    .collect();
                (!redo.is_empty()).then(|| (src.clone(), redo))
            })
            .collect();
        if again.is_empty() || session::interrupted() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_secs(1));
        for (id, (r, tainted)) in pass(dp, &again, 1, &opts.timing, &progress) {
            if let Some(slot) = results.get_mut(&id) {
                let attempts = slot.0.attempts + r.attempts;
                *slot = (ProbeResult { attempts, ..r }, tainted);
            }
        }
    }
    progress.finish();
    if session::interrupted() {
        return Err(DataplaneError::Interrupted);
    }
    let results: BTreeMap<usize, ProbeResult> =
        results.into_iter().map(|(id, (r, _))| (id, r)).collect();
    Ok(expected
        .cells()
        .zip(plans)
        .map(|(cell, plan)| observe(dp, &cell, plan, &specs, &results))
        .collect())
}

/// Which outcome a cell's probes add up to: any reply is a reply; otherwise a target not
/// probed leaves the cell undecided; otherwise an error; otherwise the first target's
/// answer (the destination's own address).
fn observe(
    dp: &dyn Dataplane,
    cell: &Cell,
    plan: CellPlan,
    specs: &[(Source, ProbeSpec)],
    results: &BTreeMap<usize, ProbeResult>,
) -> ObservedCell {
    let backend = dp.backend().to_string();
    let observed: Vec<(&ProbeSpec, &Resolved, ProbeResult)> = plan
        .probes
        .iter()
        .map(|(id, r)| {
            let result = results.get(id).cloned().unwrap_or_else(|| {
                let lost = ProbeOutcome::Error {
                    message: "the probe returned no result".into(),
                };
                ProbeResult::of(*id, lost, None, 0)
            });
            (&specs[*id].1, r, result)
        })
        .collect();
    let attempts: u32 = observed.iter().map(|(_, _, r)| r.attempts).sum();
    let chosen = observed
        .iter()
        .find(|(_, _, r)| r.outcome == ProbeOutcome::Reply)
        .or_else(|| {
            if !plan.skipped.is_empty() {
                return None;
            }
            observed
                .iter()
                .find(|(_, _, r)| matches!(r.outcome, ProbeOutcome::Error { .. }))
                .or(observed.first())
        });
    let divergence = observed.iter().find_map(|(_, r, _)| r.divergence.clone());
    // The name asked before the destination's own address was probed.
    let name = observed.iter().find_map(|(spec, _, result)| {
        result.lookup.clone().map(|lookup| NameCheck {
            lookup,
            ip: spec.ip,
        })
    });
    let observation = match (chosen, &plan.source) {
        (Some((spec, resolved, result)), Some(src)) => {
            let mut sent = spec.sent();
            if let Some(n) = &name {
                sent = format!("{}; {sent}", n.lookup.words());
            }
            if let Some(n) = &resolved.note {
                sent.push_str(&format!(" ({n})"));
            }
            let others: Vec<String> = observed
                .iter()
                .filter(|(s, _, _)| s.id != spec.id)
                .map(|(s, _, r)| format!("{} {}", s.to(), word(&r.outcome)))
                .collect();
            if !others.is_empty() {
                sent.push_str(&format!("; also {}", others.join(", ")));
            }
            Observation {
                backend,
                sent,
                to: spec.to(),
                outcome: result.outcome.clone(),
                rtt_ms: result.rtt_ms,
                attempts,
                repro: dp.repro(src, spec),
            }
        }
        _ => {
            let mut why = plan.skipped.join("; ");
            if why.is_empty() {
                why = "nothing to probe".into();
            }
            if !observed.is_empty() {
                let tried: Vec<String> = observed
                    .iter()
                    .map(|(s, _, r)| format!("{} {}", s.to(), word(&r.outcome)))
                    .collect();
                why = format!("{why} (probed without a reply: {})", tried.join(", "));
            }
            Observation {
                backend,
                sent: "nothing".into(),
                to: String::new(),
                outcome: ProbeOutcome::NotEmulated { why },
                rtt_ms: None,
                attempts,
                repro: String::new(),
            }
        }
    };
    ObservedCell {
        from: cell.from.clone(),
        to: cell.to.clone(),
        probe: cell.probe,
        observation,
        known_divergence: divergence,
        name,
    }
}

/// An outcome in one word, as the JSON report spells it.
fn word(o: &ProbeOutcome) -> &'static str {
    match o {
        ProbeOutcome::Reply => "reply",
        ProbeOutcome::Timeout => "timeout",
        ProbeOutcome::Refused => "refused",
        ProbeOutcome::Unreachable => "unreachable",
        ProbeOutcome::NotEmulated { .. } => "not-emulated",
        ProbeOutcome::Error { .. } => "error",
    }
}

/// Ports "the internet" serves in a matrix: what its node listens on.
pub fn internet_listens(expected: &StateMatrix) -> Vec<Probe> {
    expected
        .nodes
        .iter()
        .filter(|n| n.kind == hnsim_sim::NodeKind::Internet)
        .flat_map(|n| n.listens.iter().copied())
        .collect()
}
