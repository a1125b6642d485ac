//! `hnsim check`: validate scenario files.
//!
//! Exit codes: 0 clean (nothing at or above `--deny`), 1 findings at or above `--deny`,
//! 2 unreadable or malformed input.

use super::files::{error_text, expand};
use super::output::OutputArgs;
use hnsim_model::{analyse, Severity};
use hnsim_reports::{Checked, CheckedInput, Format};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Scenario files (or directories of them), docker command files, compose files or
    /// daemon.json; `-` reads standard input.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub deny: DenyArg,
    #[command(flatten)]
    pub out: OutputArgs,
}

/// `--deny`, shared by every command that fails on findings.
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct DenyArg {
    /// Lowest severity that fails the command (exit code 1): error, warning or info.
    #[arg(long = "deny", default_value = "error", value_parser = parse_severity)]
    pub severity: Severity,
}

impl DenyArg {
    /// Whether any finding is at or above the denied severity.
    pub fn denies(&self, findings: &[hnsim_model::Finding]) -> bool {
        findings.iter().any(|f| f.severity >= self.severity)
    }
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    s.trim().to_ascii_lowercase().parse()
}

pub fn run_check(a: CheckArgs) -> anyhow::Result<ExitCode> {
    let files = expand(&a.files);
    let mut checked = Checked::default();
    for (i, file) in files.iter().enumerate() {
        let shown = file.display().to_string();
        match super::input::load(file) {
            Ok(doc) => {
                let mut analysis = analyse(&doc);
                checked.findings.append(&mut analysis.findings);
                // The last analysis is not freed piece by piece before the process
                // ends (a million replicas' design took a tenth of a second).
                if i + 1 == files.len() {
                    std::mem::forget(analysis);
                }
                checked.inputs.push(CheckedInput {
                    file: shown,
                    error: None,
                });
            }
            Err(err) => {
                let text = error_text(&err);
                eprintln!("error: {text}");
                checked.inputs.push(CheckedInput {
                    file: shown,
                    error: Some(text),
                });
            }
        }
    }
    let unreadable = checked.inputs.iter().filter(|i| i.error.is_some()).count();
    // Nothing was read: the errors above say it all, except to a machine reader, who
    // still gets a document naming each file and its error.
    let machine = matches!(
        a.out.format(),
        Format::Json | Format::Yaml | Format::Sarif | Format::Junit
    );
    if unreadable == files.len() && !machine {
        return Ok(ExitCode::from(2));
    }
    let text = hnsim_reports::render_check(&checked, a.out.format(), &a.out.render_options())?;
    a.out.write(&text)?;
    Ok(if unreadable > 0 {
        ExitCode::from(2)
    } else if a.deny.denies(&checked.findings) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_flag_parses_case_insensitively() {
        assert_eq!(parse_severity("Warning"), Ok(Severity::Warning));
        assert!(parse_severity("fatal").is_err());
    }
}
