//! `hnsim check`, `hnsim explain`, `hnsim scenarios`.

use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Scenario files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub out: super::output::OutputArgs,
}

#[derive(clap::Args, Debug)]
pub struct ExplainArgs {
    /// Rule code, e.g. HNS001.
    pub code: String,
}

#[derive(clap::Args, Debug)]
pub struct ScenariosArgs {
    /// Directory of scenarios.
    #[arg(default_value = "scenarios")]
    pub dir: PathBuf,
}

pub fn run_check(_a: CheckArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("check is not available in this build")
}
pub fn run_explain(_a: ExplainArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("explain is not available in this build")
}
pub fn run_scenarios(_a: ScenariosArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("scenarios is not available in this build")
}
