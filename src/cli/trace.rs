//! `hnsim trace`: one flow hop by hop.
//!
//! Exit codes: 0 when the scenario could be read and the flow traced, whatever its
//! outcome; 2 when the input is unreadable or a node or probe named on the command line
//! does not exist.

use super::output::OutputArgs;
use hnsim_sim::{FlowQuery, ProbeSpec};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct TraceArgs {
    /// Scenario, docker commands, compose file or daemon.json; `-` reads standard input.
    pub file: PathBuf,
    /// Source: a node id (`web@nat`, `host:win1`, `client:laptop`, `internet`), a
    /// container, compose service, swarm service, host or client name, or an address
    /// (a machine on a segment the design does not list is added for the query).
    #[arg(long)]
    pub from: String,
    /// Destination: as --from, or ADDRESS:PORT / NAME:PORT (`10.0.0.10:8080`,
    /// `win1:8080`: the container a port mapping there forwards to; `web:80`: that port
    /// of web).
    #[arg(long)]
    pub to: String,
    /// icmp, tcp/8443, udp/53, or tcp / udp with the port of --to. Any port: one the
    /// destination does not listen on is answered too (`not-listening`). Default: every
    /// probe the matrix asks the destination with.
    #[arg(long)]
    pub proto: Option<String>,
    /// State: 0 = the initial design, N = after timeline step N. Default: the final state.
    #[arg(long)]
    pub step: Option<usize>,
    #[command(flatten)]
    pub out: OutputArgs,
}

pub fn run_trace(a: TraceArgs) -> anyhow::Result<ExitCode> {
    let doc = super::input::load(&super::files::shown(&a.file))?;
    let analysis = hnsim_model::analyse(&doc);
    let probe: Option<ProbeSpec> = match &a.proto {
        Some(p) => Some(p.parse().map_err(|e| anyhow::anyhow!("--proto: {e}"))?),
        None => None,
    };
    let i = super::sim::step_index(analysis.states.len(), a.step)?;
    let state = &analysis.states[i];
    let query = FlowQuery {
        from: a.from.clone(),
        to: a.to.clone(),
        probe,
    };
    let answer = hnsim_sim::query(&state.design, state.step, &state.label, &query)?;
    // How names and addresses were read goes to standard error, so a machine format on
    // standard output stays one document.
    for note in &answer.notes {
        eprintln!("note: {note}");
    }
    let text = hnsim_reports::render_trace(
        &answer.state,
        &answer.cells,
        a.out.format(),
        &a.out.render_options(),
    )?;
    a.out.write(&text)?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::super::sim::simulate;
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
                for c in state.cells() {
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
