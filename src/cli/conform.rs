//! `hnsim conform`, `hnsim probe`, `hnsim clean`.

use anyhow::Context;
use hnsim_conformance::{agent, docker, record, session, timeline, Dataplane, ProbeOptions};
use hnsim_reports::StateTiming;
use hnsim_sim::Report;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct ConformArgs {
    /// The scenario to realize; a directory runs every scenario under it and prints the
    /// counts per driver (with `--format json`, as JSON).
    #[arg(required_unless_present = "generated")]
    pub file: Option<PathBuf>,
    /// Differential run: draw COUNT designs (`hnsim gen --random`, seeds `--seed`,
    /// `--seed`+1, …), simulate and probe each, and shrink every design on which the
    /// model and the dataplane disagree to the smallest design that still does.
    #[arg(long, value_name = "COUNT", conflicts_with_all = ["file", "expected", "record", "replay"])]
    pub generated: Option<usize>,
    /// The first seed of `--generated` (default 1).
    #[arg(long)]
    pub seed: Option<u64>,
    /// `--generated`: write each shrunk design to DIR as a scenario whose `expect:`
    /// holds what the dataplane observed on the disagreeing cells.
    #[arg(long = "out", value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// `--generated`: smaller designs realized and probed at most per disagreeing
    /// design while shrinking it (default 60).
    #[arg(long)]
    pub shrink_budget: Option<usize>,
    /// `--generated`: count disagreements without shrinking them.
    #[arg(long)]
    pub no_shrink: bool,
    /// Dataplane to realize the scenario on. `netns`: Linux network namespaces (root);
    /// `docker`: the Docker engine of this machine; `swarm`: one throwaway dockerd per
    /// Linux host, joined into a swarm (root); `hns`: inspect a Windows host's HNS.
    #[arg(long, default_value = "netns")]
    pub backend: String,
    /// swarm: run scenario host HOST on the existing `docker context` CONTEXT (a remote
    /// machine) instead of a local daemon; give it for every swarm node. The run imports
    /// its probe image there, forms the swarm, creates its networks, containers and
    /// services (labelled `io.hnsim.run`), and removes them, the image and the swarm
    /// (`swarm leave --force`) at the end. A node already in a swarm is refused.
    #[arg(long, value_name = "HOST=CONTEXT")]
    pub context: Vec<String>,
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
    /// Sources probed at once, at most: a source's batch lasts as long as its slowest
    /// probe (a timeout), so many run side by side. The backend may allow fewer (the
    /// Docker engine's containers within the kernel's neighbour-table budget).
    #[arg(long, default_value_t = 16)]
    pub parallel_sources: usize,
    /// No progress bar on stderr.
    #[arg(long)]
    pub no_progress: bool,
    /// netns: resolve every neighbour by ARP instead of installing permanent neighbour
    /// entries on the internal bridges and Linux overlays (same observations, but at
    /// the kernel's default neighbour-table limits a large mesh is probed a few sources
    /// at a time).
    #[arg(long)]
    pub no_static_neighbours: bool,
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
    /// Also keep what the run observed, with the engine and host it ran on, as a
    /// recording in DIR (replay it anywhere with `--replay DIR`).
    #[arg(long, value_name = "DIR", conflicts_with = "replay")]
    pub record: Option<PathBuf>,
    /// Compare a recording (written by `--record DIR`, on any OS) with today's model
    /// instead of probing: nothing is realized.
    #[arg(long, value_name = "DIR")]
    pub replay: Option<PathBuf>,
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
        return Report::from_json(&text)
            .with_context(|| format!("{} is not a JSON report", path.display()));
    }
    Ok(hnsim_sim::simulate(doc))
}

/// The dataplane `--backend` names; the only place the CLI tells backends apart.
pub(super) fn dataplane(
    a: &ConformArgs,
    exe: &Path,
    report: &Report,
) -> anyhow::Result<Box<dyn Dataplane>> {
    // What the internet clients of the final state listen on, for the backend to serve.
    let internet_listens = || {
        report
            .final_state()
            .map(hnsim_conformance::probing::internet_listens)
            .unwrap_or_default()
    };
    match a.backend.as_str() {
        #[cfg(target_os = "linux")]
        "netns" => {
            use hnsim_conformance::netns;
            let mut o = netns::NetnsOptions::new(vec![exe.display().to_string(), "probe".into()]);
            o.internet_listens = internet_listens();
            o.static_neighbours = !a.no_static_neighbours;
            Ok(Box::new(netns::Netns::new(o)?))
        }
        "docker" => {
            let mut o = docker::Options::new(exe.to_path_buf());
            o.host = a.host.clone();
            o.internet_listens = internet_listens();
            Ok(docker::open(o)?)
        }
        #[cfg(target_os = "linux")]
        "swarm" => {
            use hnsim_conformance::swarm;
            let mut o = swarm::SwarmOptions::new(exe.to_path_buf());
            for c in &a.context {
                let (host, ctx) = swarm::parse_context(c).map_err(|e| anyhow::anyhow!(e))?;
                o.contexts.insert(host, ctx);
            }
            o.internet_listens = internet_listens();
            Ok(Box::new(swarm::Swarm::new(o)?))
        }
        other => anyhow::bail!(
            "unknown backend `{other}`; this build has `netns` (Linux network namespaces), \
             `docker` (the Docker engine), `swarm` (a Docker swarm of throwaway daemons, or \
             of existing contexts) and `hns` (Windows HNS inspection)"
        ),
    }
}

impl ConformArgs {
    /// How the agent probes: `--timeout-ms`, `--retries`, `--workers` and
    /// `--parallel-sources`, with a progress bar or not.
    pub(super) fn probe_options(&self, progress: bool) -> ProbeOptions {
        ProbeOptions {
            timing: agent::Timing {
                timeout_ms: self.timeout_ms,
                retries: self.retries,
                workers: self.workers,
            },
            parallel_sources: self.parallel_sources,
            progress,
        }
    }
}

/// This binary, which the backends run as the probe agent (`hnsim probe`).
pub(super) fn agent_exe() -> anyhow::Result<std::path::PathBuf> {
    std::env::current_exe().context("cannot find the hnsim binary for the agent")
}

/// The expected matrix of each analysed state, matched by the step it follows (an
/// `--expected` report may hold fewer states than the scenario's timeline).
fn expected_states(analysis: &hnsim_model::Analysis, report: &Report) -> Vec<Option<usize>> {
    analysis
        .states
        .iter()
        .map(|st| report.states.iter().position(|m| m.step == st.step))
        .collect()
}

/// The one scenario file of a single run.
fn file(a: &ConformArgs) -> anyhow::Result<&Path> {
    a.file
        .as_deref()
        .context("give a scenario file, a directory of them, or --generated COUNT")
}

pub fn run_conform(a: ConformArgs) -> anyhow::Result<ExitCode> {
    if a.generated.is_none()
        && (a.seed.is_some() || a.out_dir.is_some() || a.shrink_budget.is_some() || a.no_shrink)
    {
        anyhow::bail!("--seed, --out, --shrink-budget and --no-shrink belong to a differential run: add --generated COUNT");
    }
    if a.generated.is_some() || a.file.as_deref().is_some_and(Path::is_dir) {
        return super::differential::run(&a);
    }
    if a.backend == hnsim_conformance::hns::BACKEND {
        return run_hns(&a);
    }
    let doc = super::input::load(file(&a)?)?;
    let mut report = expected_report(&a, &doc)?;
    let analysis = hnsim_model::analyse(&doc);
    let exe = agent_exe()?;
    let opts = a.probe_options(!a.no_progress);
    let matched = expected_states(&analysis, &report);
    anyhow::ensure!(
        matched.iter().any(Option::is_some),
        "the expected report has no state of this scenario's timeline"
    );
    let mut recorded_notes = Vec::new();
    let runs = if let Some(dir) = &a.replay {
        let replayed = replay(dir, file(&a)?, &report)?;
        recorded_notes = replayed.notes;
        replayed.runs
    } else {
        let mut environment = record::Environment::default();
        let result = dataplane(&a, &exe, &report).and_then(|mut dp| {
            let expected: Vec<Option<&hnsim_sim::StateMatrix>> = matched
                .iter()
                .map(|i| i.and_then(|i| report.states.get(i)))
                .collect();
            if a.record.is_none() {
                return Ok(timeline::run(dp.as_mut(), &analysis, &expected, &opts)?);
            }
            let mut recorder = record::Recorder::new(dp.as_mut());
            let runs = timeline::run(&mut recorder, &analysis, &expected, &opts)?;
            environment = recorder.environment;
            Ok(runs)
        });
        // After Ctrl-C the handler removes the run and exits with 130; an error the
        // interruption caused is not one to report.
        session::wait_if_interrupted();
        let mut runs = result?;
        for r in &mut runs {
            // The report's own state index, for an `--expected` with fewer states.
            if let Some(Some(i)) = matched.get(r.state) {
                r.state = *i;
            }
        }
        if let Some(dir) = &a.record {
            write_recording(dir, &a, &doc, &report, &runs, &environment)?;
        }
        runs
    };
    timeline::attach(&mut report, &runs);
    let format = a.out.format();
    let ropts = hnsim_reports::RenderOptions {
        colour: a.out.colour(),
        ..Default::default()
    };
    let text = hnsim_reports::render_conform(&report, format, &ropts)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    a.out.write(&text)?;
    // A replay has no timings of its own: the notes say where it was recorded.
    let timings: Vec<StateTiming> = runs
        .iter()
        .filter(|_| a.replay.is_none())
        .map(|r| StateTiming {
            state: r.state,
            realize_secs: r.realize_time.as_secs_f64(),
            probe_secs: r.probe_time.as_secs_f64(),
            probes: r
                .observed
                .iter()
                .filter(|o| o.observation.attempts > 0)
                .count(),
        })
        .collect();
    let mut notes: Vec<String> = recorded_notes;
    for n in runs.iter().flat_map(|r| &r.notes) {
        if !notes.contains(n) {
            notes.push(n.clone());
        }
    }
    eprint!(
        "{}",
        hnsim_reports::conform_summary(&report, &timings, &notes)
    );
    let disagree = report.conformances().any(|c| c.summary.disagree > 0);
    Ok(if disagree {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `--replay DIR`: the recorded runs, lined up with today's report.
fn replay(dir: &Path, file: &Path, report: &Report) -> anyhow::Result<record::Replayed> {
    let rec = record::read(dir)?;
    let then = record::scenario_text(dir, &rec)?;
    let now = std::fs::read_to_string(file).unwrap_or_default();
    Ok(record::replay(&rec, &report.states, &now, &then)?)
}

/// `--record DIR`: the runs, the scenario and what the recorder captured.
fn write_recording(
    dir: &Path,
    a: &ConformArgs,
    doc: &hnsim_model::Document,
    report: &Report,
    runs: &[timeline::StateRun],
    environment: &record::Environment,
) -> anyhow::Result<()> {
    let states = runs
        .iter()
        .map(|r| record::RecordedState {
            index: r.state,
            label: report
                .states
                .get(r.state)
                .map(|m| m.label.clone())
                .unwrap_or_default(),
            cells: r.observed.clone(),
        })
        .collect();
    let path = file(a)?;
    let scenario = record::ScenarioRef {
        name: doc.scenario.name.clone(),
        file: path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default(),
        copy: record::scenario_copy_name(path),
    };
    let mut rec = record::Recording::new(&a.backend, a.host.clone(), scenario, states);
    for n in runs.iter().flat_map(|r| &r.notes).chain(&environment.notes) {
        if !rec.notes.contains(n) {
            rec.notes.push(n.clone());
        }
    }
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let index = record::write(dir, &rec, &text, environment)?;
    eprintln!("recorded: {}", index.display());
    Ok(())
}

pub fn run_probe(a: ProbeArgs) -> anyhow::Result<ExitCode> {
    let code = agent::main(&a.args).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(ExitCode::from(code.clamp(0, 255) as u8))
}

/// `--backend hns`: compare a Windows host's HNS state with the scenario, or print the
/// docker commands that build it.
fn run_hns(a: &ConformArgs) -> anyhow::Result<ExitCode> {
    use hnsim_conformance::hns;
    let doc = super::input::load(file(a)?)?;
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
    let removed = hnsim_conformance::clean(a.prefix.as_deref())?;
    if removed.iter().all(|r| r.names.is_empty()) {
        eprintln!("nothing to clean");
    }
    for r in removed.iter().filter(|r| !r.names.is_empty()) {
        eprintln!(
            "removed {} {} object(s): {}",
            r.names.len(),
            r.backend,
            r.names.join(" ")
        );
    }
    Ok(ExitCode::SUCCESS)
}
