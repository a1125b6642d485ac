//! Command-line surface. One module per subcommand family; each has an `Args` (clap)
//! and a `run` that returns the process exit code. The CLI parses arguments, reads
//! input, calls the crates, picks a renderer and sets the exit code; it decides and
//! renders nothing itself.

pub mod check;
pub mod conform;
pub mod differential;
pub mod explain;
pub mod files;
pub mod gen;
pub mod import;
pub mod input;
mod library;
pub mod output;
pub mod scenarios;
pub mod shell;
pub mod sim;
pub mod test;
pub mod trace;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(name = "hnsim", version, about = "Design, simulate and prove Windows (HNS) and Linux Docker container networks", long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Validate scenario files: errors and warnings with rule codes and fact IDs.
    Check(check::CheckArgs),
    /// Print the long form of a rule code (e.g. `hnsim explain HNS001`).
    Explain(explain::ExplainArgs),
    /// List the bundled scenarios with a one-line description.
    Scenarios(scenarios::ScenariosArgs),
    /// Compute the connectivity matrix of a scenario.
    Sim(sim::SimArgs),
    /// Explain one cell of the matrix hop by hop.
    Trace(trace::TraceArgs),
    /// Check each scenario's `expect:` block (findings and cells); exit 1 on a mismatch.
    Test(test::TestArgs),
    /// Compare the matrices of two designs cell by cell.
    Diff(sim::DiffArgs),
    /// Realize a scenario on a real dataplane, probe it, compare with the simulation.
    // Boxed: its arguments outweigh every other command's (clippy's large_enum_variant on
    // the Windows target).
    Conform(Box<conform::ConformArgs>),
    /// Probe agent run inside a namespace by `conform` (also usable by hand).
    Probe(conform::ProbeArgs),
    /// Remove what an interrupted `conform` run left behind.
    Clean(conform::CleanArgs),
    /// Translate docker commands / compose / daemon.json into a native scenario.
    Import(import::ImportArgs),
    /// Write a valid design from parameters (hosts, drivers, containers, services, seed).
    Gen(gen::GenArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(shell::CompletionsArgs),
    /// Print the man page (roff), or write one per command with --dir.
    Man(shell::ManArgs),
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Check(a) => check::run_check(a),
        Command::Explain(a) => explain::run_explain(a),
        Command::Scenarios(a) => scenarios::run_scenarios(a),
        Command::Sim(a) => sim::run_sim(a),
        Command::Trace(a) => trace::run_trace(a),
        Command::Test(a) => test::run_test(a),
        Command::Diff(a) => sim::run_diff(a),
        Command::Conform(a) => conform::run_conform(*a),
        Command::Probe(a) => conform::run_probe(a),
        Command::Clean(a) => conform::run_clean(a),
        Command::Import(a) => import::run_import(a),
        Command::Gen(a) => gen::run_gen(a),
        Command::Completions(a) => shell::run_completions(a),
        Command::Man(a) => shell::run_man(a),
    }
}
