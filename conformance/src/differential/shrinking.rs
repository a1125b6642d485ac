//! Shrinking one disagreeing design on the live backend: the timeline cut after the
//! first state that disagrees, then [`hnsim_model::reduce::shrink`] with a check that
//! realizes and probes each smaller design (its final state only) and keeps it when one
//! of the cells that first disagreed still does. The result is written as a regression
//! scenario when the options name a directory.

use super::{disagreements, probe, regression, Disagreement, Open, Options, ProbeError};
use super::{RunError, ShrinkResult};
use hnsim_model::{reduce, Document, Scenario};
use hnsim_sim::{Probe, Report};
use std::collections::HashSet;

pub(super) fn shrink_one(
    source: &str,
    doc: &Document,
    report: &Report,
    found: &[Disagreement],
    open: &mut Open<'_>,
    opts: &Options,
    budget: usize,
) -> Result<ShrinkResult, RunError> {
    // The first state that disagrees, and the cells that did there.
    let first = found.iter().map(|d| d.state).min().unwrap_or(0);
    let targets: HashSet<(String, String, Probe)> = found
        .iter()
        .filter(|d| d.state == first)
        .map(|d| (d.from.clone(), d.to.clone(), d.probe))
        .collect();
    let mut start: Scenario = doc.scenario.clone();
    start.expect = None;
    let keep = report
        .states
        .get(first)
        .and_then(|m| m.step)
        .map_or(0, |s| s + 1);
    start.steps.truncate(keep);
    let mut last: Vec<Disagreement> = found.iter().filter(|d| d.state == first).cloned().collect();
    let shrunk = reduce::shrink(&start, budget, |candidate| {
        let text = reduce::to_yaml(candidate);
        let Ok(cdoc) = hnsim_model::parse_scenario(&doc.file, &text) else {
            return Ok(false);
        };
        let r = match probe(&cdoc, open, &opts.probe, true) {
            Ok(r) => r,
            Err(ProbeError::Interrupted) => return Err(RunError::Interrupted),
            Err(ProbeError::Failed(_)) => return Ok(false),
        };
        let fin = r.states.len().saturating_sub(1);
        let still: Vec<Disagreement> = disagreements(&r)
            .into_iter()
            .filter(|d| d.state == fin)
            .collect();
        let kept = still.iter().any(|d| {
            let (f, t, p) = d.key();
            targets.contains(&(f.to_string(), t.to_string(), p))
        });
        if kept {
            last = still;
        }
        Ok(kept)
    })?;
    let cuts: Vec<String> = shrunk.cuts.iter().map(ToString::to_string).collect();
    let mut out = ShrinkResult {
        cuts,
        tried: shrunk.tried,
        exhausted: shrunk.exhausted,
        cells: last,
        file: None,
    };
    if let Some(dir) = &opts.out {
        let name = format!("{}-{}", doc.scenario.name, opts.backend);
        let origin = format!("{} ({source})", doc.scenario.name);
        let text = regression::write(
            &shrunk.scenario,
            &name,
            &origin,
            &opts.backend,
            &out.cuts,
            &out.cells,
        );
        let path = dir.join(format!("{name}.yaml"));
        std::fs::create_dir_all(dir)
            .and_then(|()| std::fs::write(&path, text))
            .map_err(|source| RunError::Write {
                path: path.display().to_string(),
                source,
            })?;
        out.file = Some(path.display().to_string());
    }
    Ok(out)
}
