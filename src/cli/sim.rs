//! `hnsim sim` and `hnsim diff`.
//!
//! Exit codes: `sim` exits 0 when the scenario could be read and simulated and has no
//! finding at or above `--deny` (default `error`: a design with errors does not exist as
//! written), 1 when it has; `diff` exits 0 when no cell changed, 1 when some did; both
//! exit 2 when an input is unreadable or an argument names something that does not
//! exist.

use super::check::DenyArg;
use super::output::OutputArgs;
use anyhow::Context;
use hnsim_model::Analysis;
use hnsim_sim::{Probe, Report, StateMatrix};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct SimArgs {
    /// Scenario, docker commands, compose file or daemon.json; `-` reads standard input.
    pub file: PathBuf,
    /// State to show: 0 = the initial design, N = after timeline step N. Default: every
    /// state of a timeline. DOT, Mermaid and HTML draw the topology of this state.
    #[arg(long)]
    pub step: Option<usize>,
    /// Probes to ask every destination besides its own: `--probe tcp/443,udp/53`. A port
    /// nothing listens on comes out as `not-listening` where the network delivers it.
    #[arg(long, value_delimiter = ',', value_name = "PROBE", value_parser = parse_probe)]
    pub probe: Vec<Probe>,
    #[command(flatten)]
    pub deny: DenyArg,
    /// JSON (and YAML) document: v2 keeps the matrix by class (its size grows with the
    /// classes, not the cells); v1 writes every cell out, as hnsim 0.x did.
    #[arg(long, value_name = "VERSION", value_parser = ["v1", "v2"], default_value = "v2")]
    pub schema: String,
    #[command(flatten)]
    pub out: OutputArgs,
}

#[derive(clap::Args, Debug)]
pub struct DiffArgs {
    pub before: PathBuf,
    pub after: PathBuf,
    /// State of each design to compare (0 = initial, N = after step N). Default: final.
    #[arg(long)]
    pub step: Option<usize>,
    #[command(flatten)]
    pub out: OutputArgs,
}

/// A scenario read, analysed and simulated: the analysis stays at hand for what the
/// report does not carry (each state's design).
pub struct Simulated {
    pub analysis: Analysis,
    pub report: Report,
}

pub fn simulate(file: &Path) -> anyhow::Result<Simulated> {
    simulate_probing(file, &[])
}

/// [`simulate`], asking every destination `extra` probes too.
pub fn simulate_probing(file: &Path, extra: &[Probe]) -> anyhow::Result<Simulated> {
    simulate_drawing(file, extra, true)
}

/// [`simulate_probing`], drawing the topology only when `draw` (see
/// [`hnsim_sim::simulate_drawing`]).
fn simulate_drawing(file: &Path, extra: &[Probe], draw: bool) -> anyhow::Result<Simulated> {
    let shown = super::files::shown(file);
    let doc = super::input::load(&shown)?;
    let analysis = hnsim_model::analyse(&doc);
    let mode = hnsim_sim::Mode::Classes;
    let report = hnsim_sim::simulate_within(
        &doc.file,
        &analysis,
        (mode, extra, draw),
        doc.limits.class_pairs,
    )
    .map_err(|e| hnsim_model::limits::refuse_class_pairs(&doc, e.states, e.class_pairs))?;
    Ok(Simulated { analysis, report })
}

fn parse_probe(s: &str) -> Result<Probe, String> {
    s.parse().map_err(|e: hnsim_sim::BadProbe| e.to_string())
}

/// The index into `report.states` of `--step` (`None`: the final state).
pub fn state_index(report: &Report, step: Option<usize>) -> anyhow::Result<usize> {
    step_index(report.states.len(), step)
}

/// The index of `--step` among `count` states (`None`: the last), or an error that says
/// which steps exist.
pub fn step_index(count: usize, step: Option<usize>) -> anyhow::Result<usize> {
    match step {
        None => count
            .checked_sub(1)
            .context("the simulation produced no state"),
        Some(n) if n < count => Ok(n),
        Some(n) => Err(match count {
            0 => anyhow::anyhow!("--step {n}: the simulation produced no state"),
            1 => anyhow::anyhow!(
                "--step {n}: the scenario has no timeline steps; its only state is --step 0 (the design)"
            ),
            k => anyhow::anyhow!(
                "--step {n}: the scenario has {k} states (0 = initial design, 1..{} = after each step)",
                k - 1
            ),
        }),
    }
}

pub fn pick_state(report: &Report, step: Option<usize>) -> anyhow::Result<&StateMatrix> {
    Ok(&report.states[state_index(report, step)?])
}

pub fn run_sim(a: SimArgs) -> anyhow::Result<ExitCode> {
    let draw = a.out.format().shows_topology();
    let Simulated {
        analysis,
        mut report,
    } = simulate_drawing(&a.file, &a.probe, draw)?;
    if let Some(n) = a.step {
        let i = state_index(&report, Some(n))?;
        // The drawing shows the state the matrix shows, not the final one.
        if let Some(s) = analysis.states.get(i).filter(|_| draw) {
            report.topology = hnsim_sim::topology(&s.design);
        }
        report.states = vec![report.states.swap_remove(i)];
    }
    let opts = hnsim_reports::RenderOptions {
        schema: if a.schema == "v1" {
            hnsim_reports::ReportSchema::V1
        } else {
            hnsim_reports::ReportSchema::V2
        },
        ..a.out.render_options()
    };
    a.out
        .write_with(|w| hnsim_reports::render_report_to(&report, a.out.format(), &opts, w))?;
    let code = if a.deny.denies(&report.findings) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    };
    // The output is written and the process ends next: freeing a large design's
    // analysis and report node by node would only delay the exit (0.5-1 s of a
    // million-replica run went to it); the OS takes the memory back at once.
    std::mem::forget(report);
    std::mem::forget(analysis);
    Ok(code)
}

pub fn run_diff(a: DiffArgs) -> anyhow::Result<ExitCode> {
    let before = simulate(&a.before)?.report;
    let after = simulate(&a.after)?.report;
    let changes = hnsim_sim::diff(pick_state(&before, a.step)?, pick_state(&after, a.step)?);
    let doc = hnsim_reports::DiffDoc {
        schema_version: hnsim_sim::SCHEMA_VERSION,
        before: super::files::shown(&a.before).display().to_string(),
        after: super::files::shown(&a.after).display().to_string(),
        changes,
    };
    let text = hnsim_reports::render_diff(&doc, a.out.format())?;
    a.out.write(&text)?;
    Ok(if doc.changes.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_out_of_range_is_an_error() {
        let file = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios/designs/timeline-reboot-ws2019.yaml");
        let report = simulate(&file).expect("loads").report;
        assert!(pick_state(&report, Some(99)).is_err());
        assert!(pick_state(&report, Some(0)).is_ok());
    }

    #[test]
    fn step_on_a_scenario_without_steps_names_the_only_state() {
        let report = Report {
            schema_version: hnsim_sim::SCHEMA_VERSION,
            scenario: Default::default(),
            findings: vec![],
            topology: Default::default(),
            states: vec![StateMatrix::default()],
            conformance: None,
            earlier_conformance: Vec::new(),
        };
        let e = pick_state(&report, Some(1)).expect_err("no step 1");
        let text = format!("{e:#}");
        assert!(text.contains("no timeline steps"), "{text}");
        assert!(!text.contains("1..0"), "{text}");
    }

    /// A format that does not show the topology renders the same whether the report
    /// has one or not, so `sim` may skip drawing it for those formats.
    #[test]
    fn formats_without_topology_do_not_read_it() {
        let file = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios/designs/overlay-swarm-ws2019.yaml");
        let drawn = simulate(&file).expect("loads").report;
        assert!(
            !drawn.topology.endpoints.is_empty(),
            "the scenario has endpoints"
        );
        let bare = simulate_drawing(&file, &[], false).expect("loads").report;
        assert!(bare.topology.endpoints.is_empty());
        let opts = hnsim_reports::RenderOptions::default();
        for format in hnsim_reports::Format::ALL {
            let render = |r: &Report| hnsim_reports::render_report(r, format, &opts).ok();
            if format.shows_topology() {
                assert_ne!(render(&drawn), render(&bare), "{format:?} shows it");
            } else {
                assert_eq!(render(&drawn), render(&bare), "{format:?}");
            }
        }
    }
}
