//! `hnsim sim`, `hnsim trace`, `hnsim diff`.
//!
//! Exit codes: `sim` and `trace` exit 0 whenever the scenario could be read and
//! simulated, whatever the findings (use `hnsim check --deny` to fail on findings); 2
//! when the input is unreadable or a node/probe named on the command line does not
//! exist. `diff` exits 0 when no cell changed, 1 when some did, 2 on unreadable input.

use anyhow::Context;
use hnsim_sim::{Probe, Report, StateMatrix};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct SimArgs {
    pub file: PathBuf,
    /// State to show: 0 = the initial design, N = after timeline step N. Default: every
    /// state of a timeline.
    #[arg(long)]
    pub step: Option<usize>,
    #[command(flatten)]
    pub out: super::output::OutputArgs,
}

#[derive(clap::Args, Debug)]
pub struct TraceArgs {
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
    pub out: super::output::OutputArgs,
}

#[derive(clap::Args, Debug)]
pub struct DiffArgs {
    pub before: PathBuf,
    pub after: PathBuf,
    /// State of each design to compare (0 = initial, N = after step N). Default: final.
    #[arg(long)]
    pub step: Option<usize>,
    #[command(flatten)]
    pub out: super::output::OutputArgs,
}

fn simulate(file: &std::path::Path) -> anyhow::Result<Report> {
    let doc = super::input::load(file)?;
    Ok(hnsim_sim::simulate(&doc))
}

fn pick_state(report: &Report, step: Option<usize>) -> anyhow::Result<&StateMatrix> {
    match step {
        None => report
            .final_state()
            .context("the simulation produced no state"),
        Some(n) => report.states.get(n).with_context(|| match report.states.len() {
            0 => format!("--step {n}: the simulation produced no state"),
            1 => format!(
                "--step {n}: the scenario has no timeline steps; its only state is --step 0 (the design)"
            ),
            k => format!(
                "--step {n}: the scenario has {k} states (0 = initial design, 1..{} = after each step)",
                k - 1
            ),
        }),
    }
}

pub fn run_sim(a: SimArgs) -> anyhow::Result<ExitCode> {
    let mut report = simulate(&a.file)?;
    if let Some(n) = a.step {
        let state = pick_state(&report, Some(n))?.clone();
        report.states = vec![state];
    }
    let text =
        hnsim_reports::render_report(&report, a.out.report_format(), &a.out.render_options())
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    a.out.write(&text)?;
    Ok(ExitCode::SUCCESS)
}

pub fn run_trace(a: TraceArgs) -> anyhow::Result<ExitCode> {
    let report = simulate(&a.file)?;
    let state = pick_state(&report, a.step)?;
    let probe: Option<Probe> = match &a.proto {
        Some(p) => Some(p.parse().map_err(|e| anyhow::anyhow!("--proto: {e}"))?),
        None => None,
    };
    let cells =
        hnsim_sim::trace(state, &a.from, &a.to, probe).map_err(|e| anyhow::anyhow!("{e}"))?;
    let text = hnsim_reports::render_trace(
        state,
        &cells,
        a.out.report_format(),
        &a.out.render_options(),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    a.out.write(&text)?;
    Ok(ExitCode::SUCCESS)
}

pub fn run_diff(a: DiffArgs) -> anyhow::Result<ExitCode> {
    let before = simulate(&a.before)?;
    let after = simulate(&a.after)?;
    let changes = hnsim_sim::diff(pick_state(&before, a.step)?, pick_state(&after, a.step)?);
    let text = if a.out.format() == super::output::Format::Json {
        let mut t = serde_json::to_string_pretty(&serde_json::json!({
            "schema_version": hnsim_sim::SCHEMA_VERSION,
            "before": a.before.display().to_string(),
            "after": a.after.display().to_string(),
            "changes": changes,
        }))?;
        t.push('\n');
        t
    } else {
        render_changes(&changes, &a)
    };
    a.out.write(&text)?;
    Ok(if changes.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn disposition_text(d: &Option<hnsim_sim::Disposition>) -> String {
    match d {
        None => "(no such cell)".into(),
        Some(hnsim_sim::Disposition::Delivered) => "delivered".into(),
        Some(hnsim_sim::Disposition::Denied { reason, .. }) => format!("denied ({reason})"),
        Some(hnsim_sim::Disposition::Unknown { .. }) => "unknown".into(),
    }
}

fn render_changes(changes: &[hnsim_sim::CellChange], a: &DiffArgs) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} -> {}: {} changed cell(s)",
        a.before.display(),
        a.after.display(),
        changes.len()
    );
    for c in changes {
        let addr = |x: &Option<hnsim_sim::Address>| {
            x.as_ref()
                .map(|x| format!(" via {}", x.value))
                .unwrap_or_default()
        };
        let _ = writeln!(
            s,
            "  {} -> {} {}: {}{} => {}{}",
            c.from,
            c.to,
            c.probe,
            disposition_text(&c.before),
            addr(&c.before_address),
            disposition_text(&c.after),
            addr(&c.after_address),
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundled() -> Vec<PathBuf> {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/designs");
        let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|rd| rd.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        v.retain(|p| p.extension().is_some_and(|x| x == "yaml"));
        v.sort();
        v
    }

    /// `hnsim trace` on any cell of any bundled design names the cell's facts.
    #[test]
    fn trace_output_names_every_fact_of_the_cell() {
        let files = bundled();
        assert!(files.len() >= 15, "bundled designs missing");
        for file in files {
            let report = simulate(&file).expect("bundled design loads");
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

    #[test]
    fn step_out_of_range_is_an_error() {
        let report = simulate(&bundled()[0]).expect("loads");
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
        };
        let e = pick_state(&report, Some(1)).expect_err("no step 1");
        let text = format!("{e:#}");
        assert!(text.contains("no timeline steps"), "{text}");
        assert!(!text.contains("1..0"), "{text}");
    }
}
