//! hnsim at scale, end to end: for designs of 1,000, 10,000 and 100,000 endpoints in
//! four shapes (one nat network; 10 Windows hosts with nat + transparent; 20 Linux
//! bridges; a 10-host swarm service), written by `hnsim gen`, the wall time and peak
//! memory (resident set, from the kernel's accounting of each process) of `check`,
//! `sim` in each report format and `trace`, run as a user runs them; and the class
//! engine against evaluating every pair on the same design. Prints one Markdown table:
//! medians of `--runs` runs (one at 100,000 endpoints), and the ratios.
//!
//! The every-pair reference decides each (source, destination) pair on its own. At
//! 1,000 endpoints it decides them all; above, a sample of pairs spread over the matrix,
//! timed and scaled to every pair (said in the table).
//!
//! Run (the release binary is what is measured):
//!   cargo build --release && cargo bench -p hnsim-sim --bench scale
//!   … -- --sizes 1000,10000 --runs 5 --shapes nat,bridges --million
//! `--million` adds a 1,000,000-replica service summarised by class (terminal view).
//! Every run raises the input limits (`HNSIM_MAX_FILE_BYTES`, `HNSIM_MAX_REPLICAS`,
//! `HNSIM_MAX_ENDPOINTS`), as a user simulating designs this large does.
//! `HNSIM_BIN` points at another binary.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// One design shape: its name and `hnsim gen` arguments for `n` endpoints.
struct Shape {
    name: &'static str,
    what: &'static str,
    /// `hnsim gen` arguments, then the one that takes the size.
    gen: &'static str,
    size: &'static str,
    /// Two node names to trace between.
    trace: (&'static str, &'static str),
}

impl Shape {
    /// `hnsim gen` arguments for `n` endpoints, written to `file`.
    fn gen_args(&self, n: usize, file: &Path) -> Vec<String> {
        let mut v = vec!["gen".to_string()];
        v.extend(self.gen.split_whitespace().map(String::from));
        v.extend([
            self.size.into(),
            n.to_string(),
            "-o".into(),
            file.display().to_string(),
        ]);
        v
    }
}

const SHAPES: [Shape; 4] = [
    Shape {
        name: "nat",
        what: "one nat network (1 WS2019 host)",
        gen: "--hosts 1 --os ws2019 --drivers nat",
        size: "--endpoints",
        trace: ("c1", "c2"),
    },
    Shape {
        name: "mixed",
        what: "10 WS2019 hosts, nat + transparent",
        gen: "--hosts 10 --os ws2019 --drivers nat,transparent",
        size: "--endpoints",
        trace: ("c1", "c2"),
    },
    Shape {
        name: "bridges",
        what: "20 Linux bridges (1 host)",
        gen: "--hosts 1 --os linux --drivers bridge --networks 20",
        size: "--endpoints",
        trace: ("c1", "c2"),
    },
    Shape {
        name: "swarm",
        what: "a 10-host swarm service (Linux)",
        gen: "--hosts 10 --os linux --drivers overlay --endpoints 0 --services 1",
        size: "--replicas",
        trace: ("svc0.1@ingress", "svc0.2@ingress"),
    },
];

/// The `sim` formats measured: `(name, file extension)`.
const FORMATS: [(&str, &str); 6] = [
    ("terminal", "txt"),
    ("markdown", "md"),
    ("json", "json"),
    ("yaml", "yaml"),
    ("junit", "xml"),
    ("html", "html"),
];

/// The size limits (model/src/limits.rs) raised for every run: a 100,000-endpoint
/// design is a file of several megabytes, a million replicas is ten times the default.
const LIMITS: [(&str, &str); 3] = [
    ("HNSIM_MAX_FILE_BYTES", "1000000000"),
    ("HNSIM_MAX_REPLICAS", "2000000"),
    ("HNSIM_MAX_ENDPOINTS", "2000000"),
];

/// A command's wall time and peak resident memory; `None` when it failed.
#[derive(Clone, Copy)]
struct Measure {
    wall: Duration,
    peak_kb: u64,
}

/// Runs `bin args`, waits for it with `wait4` for its resource usage; stdout goes to
/// `/dev/null` (every measured command writes its output with `-o`).
fn measure(bin: &Path, args: &[String], limit: Duration) -> Result<Measure, String> {
    let start = Instant::now();
    let child = Command::new(bin)
        .args(args)
        .envs(LIMITS)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is a plain C struct the kernel fills; zeroed is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // Polled, so an overlong run can be stopped: until it is reaped the pid is still
    // our child's, so the signal cannot reach another process.
    let wall = loop {
        // SAFETY: polls our own child and writes into the two locals above.
        let got = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if got == pid {
            break start.elapsed();
        }
        if got < 0 {
            return Err("wait4 failed".into());
        }
        if start.elapsed() > limit {
            // SAFETY: `pid` is our unreaped child.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        return Err(format!("killed after {:.0} s", wall.as_secs_f64()));
    };
    // sim exits 1 on findings at error; gen'd designs have none, but say so if they do.
    if code > 1 {
        let mut err = String::new();
        if let Some(mut e) = child.stderr {
            use std::io::Read;
            let _ = e.read_to_string(&mut err);
        }
        return Err(format!("exit {code}: {}", err.lines().next().unwrap_or("")));
    }
    Ok(Measure {
        wall,
        peak_kb: usage.ru_maxrss as u64,
    })
}

/// The median wall time and the median peak of `runs` runs.
fn median_of(bin: &Path, args: &[String], runs: usize, limit: Duration) -> Result<Measure, String> {
    let mut all = Vec::new();
    for _ in 0..runs {
        all.push(measure(bin, args, limit)?);
    }
    let mut walls: Vec<Duration> = all.iter().map(|m| m.wall).collect();
    let mut peaks: Vec<u64> = all.iter().map(|m| m.peak_kb).collect();
    walls.sort();
    peaks.sort();
    Ok(Measure {
        wall: walls[walls.len() / 2],
        peak_kb: peaks[peaks.len() / 2],
    })
}

fn cell(m: &Result<Measure, String>) -> String {
    match m {
        Ok(m) => format!("{:.2} s / {} MB", m.wall.as_secs_f64(), m.peak_kb / 1024),
        Err(e) => e.clone(),
    }
}

/// The class engine and every-pair evaluation, in this process, on the design in
/// `file`: (class engine, every pair (measured or scaled from a sample), sampled).
fn engines(file: &Path, runs: usize) -> (Duration, Duration, Option<usize>) {
    let text = std::fs::read_to_string(file).expect("generated design");
    let limits = hnsim_model::Limits::with_overrides(|name| {
        LIMITS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.to_string())
    })
    .expect("limits");
    let doc =
        hnsim_model::parse::parse_scenario_with("bench.yaml", &text, &limits).expect("parses");
    let analysis = hnsim_model::analyse(&doc);
    let design = &analysis.final_state().design;
    let mut classes = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        std::hint::black_box(hnsim_sim::decide_only(design, hnsim_sim::Mode::Classes));
        classes.push(t.elapsed());
    }
    classes.sort();
    let (nodes, _) = hnsim_sim::class_count(design, hnsim_sim::Mode::Classes);
    let all = nodes * nodes.saturating_sub(1);
    // Every pair when that is at most ~1.1 M pairs; else a sample of 200,000 spread
    // evenly over the matrix.
    let sample = 200_000usize;
    let (pairs, sampled): (Vec<(usize, usize)>, Option<usize>) = if all <= 1_100_000 {
        (
            (0..nodes)
                .flat_map(|s| (0..nodes).map(move |t| (s, t)))
                .filter(|(s, t)| s != t)
                .collect(),
            None,
        )
    } else {
        let stride = (all / sample).max(1);
        (
            (0..sample)
                .map(|i| {
                    let k = i * stride + (i % 7);
                    (k / nodes, k % nodes)
                })
                .filter(|(s, t)| s != t)
                .collect(),
            Some(sample),
        )
    };
    let t = Instant::now();
    std::hint::black_box(hnsim_sim::decide_pairs(design, &pairs));
    let took = t.elapsed();
    let every = took.mul_f64(all as f64 / pairs.len().max(1) as f64);
    (classes[classes.len() / 2], every, sampled)
}

/// 40 containers on two Linux hosts (three bridges, some ports published) and 200
/// timeline steps stopping and starting them: a timeline decides again only what each
/// step changed.
fn timeline_design() -> String {
    let mut y = String::from(
        "name: timeline\nsegments: [{name: lan, subnet: 10.0.0.0/16, gateway: 10.0.0.1}]\nhosts:\n  - {name: d1, os: linux, nics: [{name: eth0, ip: 10.0.0.5/16, segment: lan}]}\n  - {name: d2, os: linux, nics: [{name: eth0, ip: 10.0.0.6/16, segment: lan}]}\nnetworks:\n  - {name: front, host: d1, driver: bridge}\n  - {name: back, host: d1, driver: bridge}\ncontainers:\n",
    );
    for i in 0..40 {
        let (host, net) = match i {
            0..30 if i % 2 == 1 => ("d1", "front"),
            0..30 => ("d1", "back"),
            _ => ("d2", "bridge"),
        };
        let port = if i % 5 == 0 {
            format!(", ports: ['{}:80']", 8000 + i)
        } else {
            String::new()
        };
        y.push_str(&format!(
            "  - {{name: c{i}, host: {host}, networks: [{net}], listen: [tcp/80]{port}}}\n"
        ));
    }
    y.push_str("clients: [{name: pc, segment: lan, ip: 10.0.0.50}]\nsteps:\n");
    for k in 0..200 {
        let verb = if (k / 40) % 2 == 0 { "stop" } else { "start" };
        y.push_str(&format!("  - {verb}: c{}\n", (k * 7) % 40));
    }
    y
}

fn binary() -> PathBuf {
    if let Some(p) = std::env::var_os("HNSIM_BIN") {
        return PathBuf::from(p);
    }
    // target/release/deps/scale-… -> target/release/hnsim
    let exe = std::env::current_exe().expect("bench path");
    exe.parent()
        .and_then(Path::parent)
        .map(|d| d.join("hnsim"))
        .expect("target directory")
}

fn flag<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}

/// `--engines FILE RUNS`: the engine comparison alone, in a process of its own, so the
/// designs it loads never count in the peak memory of the commands measured after it
/// (a child's peak includes what its parent held when it was started).
fn engines_child(argv: &[String]) -> bool {
    let Some(i) = argv.iter().position(|a| a == "--engines") else {
        return false;
    };
    let file = PathBuf::from(&argv[i + 1]);
    let runs = argv[i + 2].parse().unwrap_or(1);
    let (classes, every, sampled) = engines(&file, runs);
    println!(
        "{} {} {}",
        classes.as_secs_f64(),
        every.as_secs_f64(),
        sampled.unwrap_or(0)
    );
    true
}

/// [`engines`] in a child process (see [`engines_child`]).
fn engines_apart(file: &Path, runs: usize) -> Result<(Duration, Duration, Option<usize>), String> {
    let out = Command::new(std::env::current_exe().map_err(|e| e.to_string())?)
        .args(["--engines", &file.display().to_string(), &runs.to_string()])
        .output()
        .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&out.stdout);
    let v: Vec<f64> = text
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    match v.as_slice() {
        [c, e, s] => Ok((
            Duration::from_secs_f64(*c),
            Duration::from_secs_f64(*e),
            (*s > 0.0).then_some(*s as usize),
        )),
        _ => Err(format!(
            "engine comparison failed: {}",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("")
        )),
    }
}

fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    if engines_child(&argv) {
        return;
    }
    let sizes: Vec<usize> = flag(&argv, "--sizes")
        .unwrap_or("1000,10000,100000")
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let runs: usize = flag(&argv, "--runs")
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    let shapes: Vec<&str> = flag(&argv, "--shapes")
        .unwrap_or("nat,mixed,bridges,swarm")
        .split(',')
        .collect();
    let limit = Duration::from_secs(
        flag(&argv, "--timeout")
            .and_then(|t| t.parse().ok())
            .unwrap_or(600),
    );
    let bin = binary();
    assert!(
        bin.is_file(),
        "{} not found: run `cargo build --release` first, or set HNSIM_BIN",
        bin.display()
    );
    let dir = std::env::temp_dir().join(format!("hnsim-scale-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    println!(
        "hnsim scale benchmark: {} ({} cores), medians of {runs} runs (1 at 100,000 endpoints); time / peak RSS",
        bin.display(),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!();
    let mut head = vec!["shape", "endpoints", "check"];
    let sim_heads: Vec<String> = FORMATS.iter().map(|(f, _)| format!("sim {f}")).collect();
    head.extend(sim_heads.iter().map(String::as_str));
    head.extend(["trace", "class engine", "every pair", "ratio"]);
    println!("| {} |", head.join(" | "));
    println!("|{}", " --- |".repeat(head.len()));
    for shape in SHAPES.iter().filter(|s| shapes.contains(&s.name)) {
        for &n in &sizes {
            let runs = if n >= 100_000 { 1 } else { runs };
            let file = dir.join(format!("{}-{n}.yaml", shape.name));
            if let Err(e) = measure(&bin, &shape.gen_args(n, &file), limit) {
                println!("| {} | {n} | gen: {e} |", shape.name);
                continue;
            }
            let f = file.display().to_string();
            let mut row = vec![shape.name.to_string(), n.to_string()];
            row.push(cell(&median_of(
                &bin,
                &["check".into(), f.clone()],
                runs,
                limit,
            )));
            for (format, ext) in FORMATS {
                let out = dir.join(format!("out.{ext}"));
                let a: Vec<String> = [
                    "sim",
                    &f,
                    "--format",
                    format,
                    "-o",
                    &out.display().to_string(),
                ]
                .iter()
                .map(|s| s.to_string())
                .collect();
                row.push(cell(&median_of(&bin, &a, runs, limit)));
            }
            let a: Vec<String> = [
                "trace",
                &f,
                "--from",
                shape.trace.0,
                "--to",
                shape.trace.1,
                "-o",
            ]
            .iter()
            .map(|s| s.to_string())
            .chain([dir.join("trace.txt").display().to_string()])
            .collect();
            row.push(cell(&median_of(&bin, &a, runs, limit)));
            match engines_apart(&file, runs) {
                Ok((classes, every, sampled)) => {
                    row.push(format!("{:.3} s", classes.as_secs_f64()));
                    row.push(match sampled {
                        None => format!("{:.2} s", every.as_secs_f64()),
                        Some(k) => format!("{:.1} s (from {k} pairs)", every.as_secs_f64()),
                    });
                    row.push(format!(
                        "{:.0}×",
                        every.as_secs_f64() / classes.as_secs_f64().max(1e-9)
                    ));
                }
                Err(e) => row.push(e),
            }
            println!("| {} |", row.join(" | "));
        }
    }
    for shape in SHAPES.iter().filter(|s| shapes.contains(&s.name)) {
        println!("\n{}: {}", shape.name, shape.what);
    }
    let file = dir.join("timeline.yaml");
    std::fs::write(&file, timeline_design()).expect("timeline design");
    let f = file.display().to_string();
    let out = |ext: &str| dir.join(format!("timeline.{ext}")).display().to_string();
    let terminal = median_of(
        &bin,
        &["sim".into(), f.clone(), "-o".into(), out("txt")],
        runs,
        limit,
    );
    let json = median_of(
        &bin,
        &["sim".into(), f, "-o".into(), out("json")],
        runs,
        limit,
    );
    println!(
        "\n40 containers x 200 timeline steps (201 states): sim terminal {}, sim json {}",
        cell(&terminal),
        cell(&json)
    );
    if argv.iter().any(|a| a == "--million") {
        let file = dir.join("million.yaml");
        let gen = SHAPES[3].gen_args(1_000_000, &file);
        let made = measure(&bin, &gen, limit);
        let f = file.display().to_string();
        let check = made.and_then(|_| measure(&bin, &["check".into(), f.clone()], limit));
        let sim = measure(
            &bin,
            &[
                "sim".into(),
                f,
                "-o".into(),
                dir.join("million.txt").display().to_string(),
            ],
            limit,
        );
        println!(
            "\n1,000,000 replicas of one service on 10 Linux hosts, summarised by class: check {}, sim (terminal) {}",
            cell(&check),
            cell(&sim)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
