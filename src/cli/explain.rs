//! `hnsim explain`: the long form of a rule code; without a code, every rule.
//!
//! Exit codes: 0 explained, 2 unknown code (with the nearest codes).

use hnsim_model::rules::{self, Rule};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct ExplainArgs {
    /// Rule code, e.g. HNS001. Without one, lists every rule.
    pub code: Option<String>,
}

pub fn run_explain(a: ExplainArgs) -> anyhow::Result<ExitCode> {
    let width = super::output::terminal_width().min(100);
    let Some(code) = a.code else {
        let all: Vec<&Rule> = rules::RULES
            .iter()
            .chain(hnsim_model::import::CODES)
            .collect();
        super::output::print_stdout(&hnsim_reports::rule_list(&all))?;
        return Ok(ExitCode::SUCCESS);
    };
    match rules::rule(&code) {
        Some(r) => {
            super::output::print_stdout(&hnsim_reports::explain_rule(r, width))?;
            Ok(ExitCode::SUCCESS)
        }
        None => {
            let near = rules::nearest(&code, 3);
            eprintln!(
                "error: unknown rule code `{code}`; nearest: {}\n  help: `hnsim explain` lists every rule",
                near.join(", ")
            );
            Ok(ExitCode::from(2))
        }
    }
}
