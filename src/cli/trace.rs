//! `hnsim trace`: one flow hop by hop.
//!
//! Exit codes: 0 when the scenario could be read and the flow traced, whatever its
//! outcome; 2 when the input is unreadable or a node or probe named on the command line
//! does not exist.

use super::output::OutputArgs;
use super::sim::{pick_state, simulate};
use hnsim_sim::Probe;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct TraceArgs {
    /// Scenario, docker commands, compose file or daemon.json; `-` reads standard input.
    pub file: PathBuf,
    /// Node id (`web@nat`, `host:win1`, `client:laptop`, `internet`), container, host or
    /// client name.
    #[arg(long)]
    pub from: String,
    #[arg(long)]
    pub to: String,
    /// icmp, tcp/80, udp/53. Default: every probe of the destination.
    #[arg(long)]
    pub proto: Option<String>,
    /// State: 0 = the initial design, N = after timeline step N. Default: the final state.
    #[arg(long)]
    pub step: Option<usize>,
    #[command(flatten)]
    pub out: OutputArgs,
}

pub fn run_trace(a: TraceArgs) -> anyhow::Result<ExitCode> {
    let report = simulate(&a.file)?.report;
    let state = pick_state(&report, a.step)?;
    let probe: Option<Probe> = match &a.proto {
        Some(p) => Some(p.parse().map_err(|e| anyhow::anyhow!("--proto: {e}"))?),
        None => None,
    };
    let cells = hnsim_sim::trace(state, &a.from, &a.to, probe)?;
    let text = hnsim_reports::render_trace(state, &cells, a.out.format(), &a.out.render_options())?;
    a.out.write(&text)?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `hnsim trace` on any cell of any bundled design names the cell's facts.
    #[test]
    fn trace_output_names_every_fact_of_the_cell() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/designs");
        let files = super::super::files::yaml_files(&dir);
        assert!(files.len() >= 15, "bundled designs missing");
        for file in files {
            let report = simulate(&file).expect("bundled design loads").report;
            for state in &report.states {
                for c in &state.cells {
                    let cells =
                        hnsim_sim::trace(state, &c.from, &c.to, Some(c.probe)).expect("traceable");
                    let text = hnsim_reports::render_trace(
                        state,
                        &cells,
                        hnsim_reports::Format::Terminal,
                        &hnsim_reports::RenderOptions::default(),
                    )
                    .expect("renders");
                    for f in &c.facts {
                        assert!(
                            text.contains(f.as_str()),
                            "{}: trace {} -> {} {} does not name {f}:\n{text}",
                            file.display(),
                            c.from,
                            c.to,
                            c.probe
                        );
                    }
                }
            }
        }
    }
}
