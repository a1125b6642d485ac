//! `hnsim test`: every scenario's `expect:` block as a test.
//!
//! Exit codes: 0 every expectation holds, 1 some do not, 2 an input is unreadable.

use super::files::{error_text, expand};
use super::output::OutputArgs;
use hnsim_reports::{CheckedInput, Format, TestRun};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct TestArgs {
    /// Scenario files or directories of them (searched recursively for *.yaml).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub out: OutputArgs,
}

pub fn run_test(a: TestArgs) -> anyhow::Result<ExitCode> {
    let mut run = TestRun::default();
    for file in expand(&a.files) {
        match super::input::load(&file) {
            Ok(doc) => {
                let analysis = hnsim_model::analyse(&doc);
                let report = hnsim_sim::simulate_analysis(&doc.file, &analysis);
                let last = report.final_state().cloned().unwrap_or_default();
                run.scenarios
                    .push(hnsim_sim::check_expectations(&doc, &analysis, &last));
            }
            Err(err) => {
                let text = error_text(&err);
                // The terminal report on standard output already shows it; a report
                // written to a file or in a machine format must not swallow it.
                if a.out.output.is_some() || a.out.format() != Format::Terminal {
                    eprintln!("error: {text}");
                }
                run.unreadable.push(CheckedInput {
                    file: file.display().to_string(),
                    error: Some(text),
                });
            }
        }
    }
    let text = hnsim_reports::render_test(&run, a.out.format(), &a.out.render_options())?;
    a.out.write(&text)?;
    let summary = run.summary();
    Ok(if !run.unreadable.is_empty() {
        ExitCode::from(2)
    } else if summary.failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
