//! `hnsim explain`: the long form of a rule code, a fact ID, a denial reason or a
//! mechanism (`HNS001`, `NAT-8`, `nat-no-inbound`, `win-nat-port-mapping`); without a
//! word, the list of all of them.
//!
//! Exit codes: 0 explained, 2 unknown word (with the nearest ones).

use hnsim_model::rules::{self, Rule};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct ExplainArgs {
    /// Rule code (HNS001), fact ID (NAT-8), denial reason (nat-no-inbound) or mechanism
    /// (win-nat). Without one, lists them all.
    pub word: Option<String>,
}

pub fn run_explain(a: ExplainArgs) -> anyhow::Result<ExitCode> {
    let width = super::output::terminal_width().min(100);
    let Some(word) = a.word else {
        let all: Vec<Rule> = rules::all_codes().collect();
        super::output::print_stdout(&hnsim_reports::everything(&all))?;
        return Ok(ExitCode::SUCCESS);
    };
    match hnsim_reports::explain_lookup(&word) {
        Some(e) => {
            super::output::print_stdout(&hnsim_reports::explain(&e, width))?;
            Ok(ExitCode::SUCCESS)
        }
        None => {
            let near = nearest(&word);
            eprintln!(
                "error: `{word}` is no rule code, fact ID, denial reason or mechanism; did you mean {}?\n  help: `hnsim explain` lists them all",
                near.join(", ")
            );
            Ok(ExitCode::from(2))
        }
    }
}

/// The closest known words: rule codes by number first (`HNS01` -> HNS001), then by
/// spelling among everything.
fn nearest(word: &str) -> Vec<String> {
    let mut near: Vec<String> = rules::nearest(word, 3)
        .into_iter()
        .map(str::to_string)
        .collect();
    let w = word.to_ascii_lowercase();
    let mut scored: Vec<(f64, String)> = hnsim_reports::every_word()
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&w, &c.to_ascii_lowercase()), c))
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    // A word that looks like a code keeps the code suggestions first.
    let code_like = word.chars().any(|c| c.is_ascii_digit());
    let spelled: Vec<String> = scored.into_iter().take(3).map(|(_, c)| c).collect();
    if code_like {
        near.extend(spelled);
    } else {
        near = spelled.into_iter().chain(near).collect();
    }
    let mut seen = std::collections::HashSet::new();
    near.retain(|c| seen.insert(c.clone()));
    near.truncate(4);
    near
}
