//! `hnsim`: design Windows (HNS) and Linux Docker container networks offline, simulate
//! their connectivity, and prove the design on real dataplanes.
//!
//! Exit codes: 0 clean, 1 findings at or above `--deny` / cells that disagree, 2 usage
//! or unreadable input.

mod cli;

use clap::Parser;
use std::process::ExitCode;

/// A large design is millions of small allocations made once and freed at exit
/// (a million swarm replicas: a container, its endpoint and their strings each); the
/// system allocator spends a sizeable part of such a run in malloc and page faults.
#[cfg(not(windows))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}
