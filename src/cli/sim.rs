//! `hnsim sim`, `hnsim trace`, `hnsim diff`.

use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct SimArgs {
    pub file: PathBuf,
    #[command(flatten)]
    pub out: super::output::OutputArgs,
}

#[derive(clap::Args, Debug)]
pub struct TraceArgs {
    pub file: PathBuf,
    #[arg(long)]
    pub from: String,
    #[arg(long)]
    pub to: String,
    /// icmp, tcp/80, udp/53
    #[arg(long)]
    pub proto: Option<String>,
    #[command(flatten)]
    pub out: super::output::OutputArgs,
}

#[derive(clap::Args, Debug)]
pub struct DiffArgs {
    pub before: PathBuf,
    pub after: PathBuf,
    #[command(flatten)]
    pub out: super::output::OutputArgs,
}

pub fn run_sim(_a: SimArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("sim is not available in this build")
}
pub fn run_trace(_a: TraceArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("trace is not available in this build")
}
pub fn run_diff(_a: DiffArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("diff is not available in this build")
}
