//! `hnsim conform`, `hnsim probe`, `hnsim clean`.

use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct ConformArgs {
    pub file: PathBuf,
    #[arg(long, default_value = "netns")]
    pub backend: String,
    #[command(flatten)]
    pub out: super::output::OutputArgs,
}

#[derive(clap::Args, Debug)]
pub struct ProbeArgs {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<String>,
}

#[derive(clap::Args, Debug)]
pub struct CleanArgs {
    /// Only remove objects of this run prefix.
    #[arg(long)]
    pub prefix: Option<String>,
}

pub fn run_conform(_a: ConformArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("conform is not available in this build")
}
pub fn run_probe(_a: ProbeArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("probe is not available in this build")
}
pub fn run_clean(_a: CleanArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("clean is not available in this build")
}
