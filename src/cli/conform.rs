//! `hnsim conform`, `hnsim probe`, `hnsim clean`.

use anyhow::Context;
use hnsim_conformance::{agent, compare, run, ObservedCell, Options};
use hnsim_sim::{Report, Verdict};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct ConformArgs {
    pub file: PathBuf,
    /// Dataplane to realize the scenario on. `netns`: Linux network namespaces (root);
    /// `docker`: the Docker engine of this machine; `hns`: inspect a Windows host's HNS.
    #[arg(long, default_value = "netns")]
    pub backend: String,
    /// Expected report (`hnsim sim --json` output) to compare with, instead of
    /// simulating the scenario here.
    #[arg(long, value_name = "REPORT.json")]
    pub expected: Option<PathBuf>,
    /// Per-probe timeout in milliseconds.
    #[arg(long, default_value_t = 1000)]
    pub timeout_ms: u64,
    /// Extra attempts after a timeout.
    #[arg(long, default_value_t = 1)]
    pub retries: u32,
    /// Probes in flight per source namespace.
    #[arg(long, default_value_t = 32)]
    pub workers: usize,
    /// Source namespaces probed at once.
    #[arg(long, default_value_t = 4)]
    pub parallel_sources: usize,
    /// No progress bar on stderr.
    #[arg(long)]
    pub no_progress: bool,
    /// docker/hns: the scenario host to realize or inspect (default: the first Linux,
    /// resp. Windows, host).
    #[arg(long)]
    pub host: Option<String>,
    /// hns: read a captured dump (networks.json, endpoints.json, netnat.json,
    /// docker-networks.json) from DIR instead of asking HNS.
    #[arg(long, value_name = "DIR")]
    pub from_json: Option<PathBuf>,
    /// hns: print the docker commands that build the host for real, and exit.
    #[arg(long)]
    pub print_commands: bool,
    /// hns --print-commands: the Windows image the containers run.
    #[arg(long, default_value = "mcr.microsoft.com/windows/nanoserver:ltsc2022")]
    pub image: String,
    #[command(flatten)]
    pub out: super::output::OutputArgs,
}

#[derive(clap::Args, Debug)]
pub struct ProbeArgs {
    /// `serve --tcp P,.. --udp P,..` | `run --batch FILE` | `icmp IP` | `tcp IP:PORT` |
    /// `udp IP:PORT`
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<String>,
}

#[derive(clap::Args, Debug)]
pub struct CleanArgs {
    /// Only remove objects of this run prefix (e.g. `hns-1a2b3c`; `hnsim-1a2b3c` for the
    /// docker backend).
    #[arg(long)]
    pub prefix: Option<String>,
}

/// The expected report: from `--expected`, or simulated here.
fn expected_report(a: &ConformArgs, doc: &hnsim_model::Document) -> anyhow::Result<Report> {
    if let Some(path) = &a.expected {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read expected report {}", path.display()))?;
        return serde_json::from_str(&text)
            .with_context(|| format!("{} is not a JSON report", path.display()));
    }
    simulate(doc)
}

fn simulate(doc: &hnsim_model::Document) -> anyhow::Result<Report> {
    Ok(hnsim_sim::simulate(doc))
}

pub fn run_conform(a: ConformArgs) -> anyhow::Result<ExitCode> {
    if a.backend == hnsim_conformance::hns::BACKEND {
        return run_hns(&a);
    }
    if a.backend != run::BACKEND && a.backend != hnsim_conformance::docker::BACKEND {
        anyhow::bail!(
            "unknown backend `{}`; this build has `netns` (Linux network namespaces), \
             `docker` (the Docker engine) and `hns` (Windows HNS inspection)",
            a.backend
        );
    }
    let doc = super::input::load(&a.file)?;
    let mut report = expected_report(&a, &doc)?;
    let analysis = hnsim_model::analyse(&doc);
    let design = &analysis.final_state().design;
    let state = report
        .states
        .len()
        .checked_sub(1)
        .context("the report has no state")?;
    let expected = report.states[state].clone();
    let exe = std::env::current_exe().context("cannot find the hnsim binary for the agent")?;
    let mut opts = Options::new(vec![exe.display().to_string(), "probe".into()]);
    opts.timing.timeout_ms = a.timeout_ms;
    opts.timing.retries = a.retries;
    opts.timing.workers = a.workers;
    opts.parallel_sources = a.parallel_sources;
    opts.progress = !a.no_progress;
    let (observed, realize_time, probe_time) = if a.backend == hnsim_conformance::docker::BACKEND {
        let mut d = hnsim_conformance::docker::Options::new(exe.clone());
        d.timing = opts.timing;
        d.host = a.host.clone();
        d.parallel_sources = a.parallel_sources;
        let o = hnsim_conformance::docker::conform(design, &expected, &d)?;
        for n in &o.notes {
            eprintln!("note: {n}");
        }
        (o.observed, o.realize_time, o.probe_time)
    } else {
        hnsim_conformance::conform(design, &expected, &opts)?
    };
    let mut conf = compare(&expected, &observed);
    conf.state = state;
    attach_observations(&mut report, state, &observed);
    report.conformance = Some(conf);
    let text = render(&report, &a.out)?;
    a.out.write(&text)?;
    let s = report
        .conformance
        .as_ref()
        .map(|c| c.summary)
        .unwrap_or_default();
    let probed = observed
        .iter()
        .filter(|o| o.observation.attempts > 0)
        .count();
    eprintln!(
        "conformance ({}): {} agree, {} disagree, {} not emulated, {} known divergence; \
         realized in {:.2}s, {} probes in {:.2}s",
        a.backend,
        s.agree,
        s.disagree,
        s.not_emulated,
        s.known_divergence,
        realize_time.as_secs_f64(),
        probed,
        probe_time.as_secs_f64()
    );
    Ok(if s.disagree > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn attach_observations(report: &mut Report, state: usize, observed: &[ObservedCell]) {
    let Some(m) = report.states.get_mut(state) else {
        return;
    };
    for o in observed {
        if let Some(c) = m
            .cells
            .iter_mut()
            .find(|c| c.from == o.from && c.to == o.to && c.probe == o.probe)
        {
            c.observation = Some(o.observation.clone());
        }
    }
}

fn render(report: &Report, out: &super::output::OutputArgs) -> anyhow::Result<String> {
    let format: hnsim_reports::Format = format!("{:?}", out.format())
        .to_ascii_lowercase()
        .parse()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let opts = hnsim_reports::RenderOptions {
        colour: out.colour(),
        ..Default::default()
    };
    let mut text =
        hnsim_reports::render_report(report, format, &opts).map_err(|e| anyhow::anyhow!("{e}"))?;
    if format == hnsim_reports::Format::Terminal {
        text.push_str(&mismatches(report));
    }
    Ok(text)
}

/// Every disagreement with the simulated path next to what the wire showed, and how to
/// repeat the probe by hand.
fn mismatches(report: &Report) -> String {
    let mut s = String::new();
    let Some(conf) = &report.conformance else {
        return s;
    };
    let state = report.states.get(conf.state);
    let bad: Vec<_> = conf
        .cells
        .iter()
        .filter(|c| c.verdict == Verdict::Disagree)
        .collect();
    let _ = writeln!(
        s,
        "\nConformance on {}: {} agree, {} disagree, {} not emulated, {} known divergence",
        conf.backend,
        conf.summary.agree,
        conf.summary.disagree,
        conf.summary.not_emulated,
        conf.summary.known_divergence
    );
    for c in bad {
        let _ = writeln!(s, "\n✗ {} → {} {}", c.from, c.to, c.probe);
        let _ = writeln!(s, "  simulated: {}", disposition(&c.expected));
        if let Some(cell) = state.and_then(|m| m.cell(&c.from, &c.to, c.probe)) {
            for hop in &cell.path {
                let _ = writeln!(
                    s,
                    "    {} [{:?}] {} ({})",
                    hop.at,
                    hop.mechanism,
                    hop.detail,
                    hop.facts.join(", ")
                );
            }
        }
        let o = &c.observation;
        let _ = writeln!(
            s,
            "  wire: {} → {} after {} attempt(s)",
            o.sent,
            outcome(&o.outcome),
            o.attempts
        );
        let _ = writeln!(s, "  repeat: {}", o.repro);
    }
    s
}

fn disposition(d: &hnsim_sim::Disposition) -> String {
    match d {
        hnsim_sim::Disposition::Delivered => "delivered".into(),
        hnsim_sim::Disposition::Denied { reason, why } => format!("denied ({reason}): {why}"),
        hnsim_sim::Disposition::Unknown { why } => format!("unknown: {why}"),
    }
}

fn outcome(o: &hnsim_sim::ProbeOutcome) -> String {
    serde_json::to_value(o)
        .ok()
        .and_then(|v| v.get("result").and_then(|r| r.as_str()).map(str::to_string))
        .unwrap_or_else(|| format!("{o:?}"))
}

pub fn run_probe(a: ProbeArgs) -> anyhow::Result<ExitCode> {
    let code = agent::main(&a.args).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(ExitCode::from(code.clamp(0, 255) as u8))
}

/// `--backend hns`: compare a Windows host's HNS state with the scenario, or print the
/// docker commands that build it.
fn run_hns(a: &ConformArgs) -> anyhow::Result<ExitCode> {
    use hnsim_conformance::hns;
    let doc = super::input::load(&a.file)?;
    let analysis = hnsim_model::analyse(&doc);
    let host = match &a.host {
        Some(h) => h.clone(),
        None => hns::default_host(&analysis).context("the scenario has no Windows host")?,
    };
    if a.print_commands {
        let text = hns::print_commands(&analysis, &host, &a.image, "ping -t localhost")?;
        a.out.write(&text)?;
        return Ok(ExitCode::SUCCESS);
    }
    let inspection = hns::run(&analysis, &host, a.from_json.as_deref())?;
    a.out.write(&hnsim_reports::render_inspection(
        &inspection,
        a.out.format(),
    )?)?;
    let s = inspection.summary;
    eprintln!(
        "conformance (hns) of {host}: {} match, {} variant, {} extra, {} mismatch, {} missing",
        s.matched, s.variants, s.extra, s.mismatches, s.missing
    );
    Ok(if inspection.failed() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

pub fn run_clean(a: CleanArgs) -> anyhow::Result<ExitCode> {
    use hnsim_conformance::docker;
    if let Some(p) = a
        .prefix
        .as_deref()
        .filter(|p| p.starts_with(docker::PREFIX))
    {
        let removed = docker::clean(Some(p))?;
        if removed.is_empty() {
            eprintln!("nothing to clean");
        } else {
            eprintln!(
                "removed {} Docker object(s): {}",
                removed.len(),
                removed.join(" ")
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    if a.prefix.is_none() && docker::available().is_ok() {
        let removed = docker::clean(None)?;
        if !removed.is_empty() {
            eprintln!(
                "removed {} Docker object(s): {}",
                removed.len(),
                removed.join(" ")
            );
        }
    }
    if let Some(p) = &a.prefix {
        if !p.starts_with(hnsim_conformance::NS_PREFIX) {
            anyhow::bail!(
                "`{p}` is not a run prefix of this backend (they start with `{}`)",
                hnsim_conformance::NS_PREFIX
            );
        }
    }
    let removed = hnsim_conformance::clean(a.prefix.as_deref())?;
    if removed.is_empty() {
        eprintln!("nothing to clean");
    } else {
        eprintln!(
            "removed {} namespace(s): {}",
            removed.len(),
            removed.join(" ")
        );
    }
    Ok(ExitCode::SUCCESS)
}
