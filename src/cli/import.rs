//! `hnsim import`.

use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    pub file: PathBuf,
}

pub fn run_import(_a: ImportArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("import is not available in this build")
}
