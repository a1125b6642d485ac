//! `hnsim conform --generated COUNT --seed N` and `hnsim conform DIR`: many designs in
//! one run on one backend — drawn from a seed, or every scenario under a directory —
//! counted per driver, and (generated designs) every disagreement shrunk and written
//! as a scenario. The run is `hnsim_conformance::differential`; this module reads the
//! arguments, opens the backend and prints.
//!
//! Exit codes: 0 every probed cell agreed (or is not emulated), 1 a disagreement or a
//! design that could not be realized, 2 bad arguments.

use super::conform::ConformArgs;
use hnsim_conformance::differential::{self, Options, RunError};
use hnsim_conformance::session;
use hnsim_model::Document;
use hnsim_reports::Format;
use std::process::ExitCode;

pub fn run(a: &ConformArgs) -> anyhow::Result<ExitCode> {
    let format = a.out.format();
    anyhow::ensure!(
        matches!(format, Format::Terminal | Format::Json),
        "--format {}: a run over many designs is written as text or JSON",
        format.name()
    );
    anyhow::ensure!(
        a.backend != hnsim_conformance::hns::BACKEND,
        "--backend hns inspects one Windows host; give it one scenario file"
    );
    let exe = super::conform::agent_exe()?;
    let opts = Options {
        backend: a.backend.clone(),
        // One line per design instead of a progress bar: a bar per design would scroll
        // them away.
        probe: a.probe_options(false),
        shrink_budget: (a.generated.is_some() && !a.no_shrink)
            .then_some(a.shrink_budget.unwrap_or(60)),
        out: a.out_dir.clone(),
    };
    let mut open = |report: &hnsim_sim::Report| {
        super::conform::dataplane(a, &exe, report).map_err(|e| format!("{e:#}"))
    };
    let designs: Box<dyn Iterator<Item = (String, Result<Document, String>)>> =
        match (a.generated, &a.file) {
            (Some(count), _) => Box::new(differential::generated(count, a.seed.unwrap_or(1))),
            (None, Some(dir)) => Box::new(super::files::yaml_files(dir).into_iter().map(|f| {
                let shown = super::files::shown(&f);
                let doc = super::input::load(&shown).map_err(|e| super::files::error_text(&e));
                (shown.display().to_string(), doc)
            })),
            (None, None) => anyhow::bail!("give a directory of scenarios or --generated COUNT"),
        };
    let quiet = a.no_progress;
    let result = differential::run(designs, &mut open, &opts, &mut |r| {
        if !quiet {
            eprintln!("{}", differential::design_line(r));
        }
    });
    // After Ctrl-C the handler removes the run and exits with 130.
    session::wait_if_interrupted();
    let summary = match result {
        Ok(s) => s,
        Err(RunError::Interrupted) => anyhow::bail!("interrupted"),
        Err(e) => return Err(e.into()),
    };
    let text = match format {
        Format::Json => serde_json::to_string_pretty(&summary)? + "\n",
        _ => differential::summary_text(&summary),
    };
    a.out.write(&text)?;
    Ok(if summary.cells.disagree > 0 || summary.failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
