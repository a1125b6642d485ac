//! The HTML report as a person sees it: opened in real headless Chromium, which must load
//! it without script errors, draw one heatmap square per (source, destination) pair, and
//! show a cell's path when the cell is clicked. The page's own self-test (URL hash
//! `#selftest`) clicks a cell like a user would and writes what it saw into the DOM,
//! which Chromium dumps for this test to read. Screenshots go to `target/hnsim-html/`.
//!
//! Needs Debian's `chromium` package. Without it the tests fail, unless
//! `HNSIM_SKIP_BROWSER=1` says to skip them.

mod common;

use common::fixture;
use hnsim_reports::legend::Symbol;
use hnsim_reports::{render_report, Format, RenderOptions};
use hnsim_sim::matrix::Report;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("HNSIM_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in [
            "chromium",
            "chromium-browser",
            "google-chrome",
            "google-chrome-stable",
        ] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// The browser, or `None` when the caller asked to skip browser tests.
fn browser() -> Option<PathBuf> {
    match chromium() {
        Some(p) => Some(p),
        None if std::env::var("HNSIM_SKIP_BROWSER").as_deref() == Ok("1") => {
            eprintln!("HNSIM_SKIP_BROWSER=1: browser test skipped");
            None
        }
        None => panic!(
            "Chromium not found: the HTML report is tested in a real browser. \
             Install it (`apt-get install -y chromium`), point HNSIM_CHROMIUM at a binary, \
             or set HNSIM_SKIP_BROWSER=1 to skip these tests."
        ),
    }
}

fn out_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target dir")
        .join("hnsim-html");
    std::fs::create_dir_all(&dir).expect("create target/hnsim-html");
    dir
}

/// Runs Chromium headless with a private profile and a time limit; returns stdout and
/// stderr.
fn run_chromium(bin: &Path, name: &str, args: &[String]) -> (String, String) {
    let profile = out_dir().join(format!("profile-{name}"));
    let _ = std::fs::remove_dir_all(&profile);
    let mut cmd = Command::new(bin);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-extensions",
        "--hide-scrollbars",
        "--enable-logging=stderr",
        "--v=0",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .args(args)
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let child = cmd.spawn().expect("start chromium");
    let id = child.id();
    let start = Instant::now();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let output = loop {
        if let Ok(out) = rx.recv_timeout(Duration::from_millis(200)) {
            break out.expect("chromium output");
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = Command::new("kill").arg(id.to_string()).status();
            panic!("chromium did not finish within 120 s");
        }
    };
    let _ = std::fs::remove_dir_all(&profile);
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// Writes the page, runs its self-test in Chromium and returns what the page reported.
fn self_test(bin: &Path, name: &str, report: &Report) -> (Value, PathBuf) {
    let html = render_report(report, Format::Html, &RenderOptions::default()).unwrap();
    let file = out_dir().join(format!("{name}.html"));
    std::fs::write(&file, &html).unwrap();
    let url = format!("file://{}#selftest", file.display());
    let (dom, stderr) = run_chromium(
        bin,
        name,
        &[
            "--window-size=1400,1000".into(),
            "--virtual-time-budget=5000".into(),
            "--dump-dom".into(),
            url,
        ],
    );
    let uncaught: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE") && (l.contains("Uncaught") || l.contains("Error")))
        .collect();
    assert!(
        uncaught.is_empty(),
        "console errors:\n{}",
        uncaught.join("\n")
    );
    let start = dom
        .find("id=\"hnsim-selftest\"")
        .unwrap_or_else(|| panic!("no self-test element in the DOM; stderr:\n{stderr}"));
    let rest = &dom[start..];
    let open = rest.find('>').unwrap() + 1;
    let close = rest.find("</pre>").unwrap();
    let text = unescape(&rest[open..close]);
    assert!(
        !text.is_empty(),
        "the page's script did not run its self-test; stderr:\n{stderr}"
    );
    let v: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("self-test result is not JSON ({e}): {text}"));
    (v, file)
}

fn screenshot(bin: &Path, file: &Path, name: &str, hash: &str, size: &str) -> PathBuf {
    let png = out_dir().join(format!("{name}.png"));
    let _ = std::fs::remove_file(&png);
    let (_, stderr) = run_chromium(
        bin,
        &format!("{name}-shot"),
        &[
            format!("--window-size={size}"),
            "--virtual-time-budget=5000".into(),
            format!("--screenshot={}", png.display()),
            format!("file://{}{hash}", file.display()),
        ],
    );
    let meta = std::fs::metadata(&png)
        .unwrap_or_else(|_| panic!("no screenshot written; stderr:\n{stderr}"));
    assert!(meta.len() > 10_000, "screenshot is suspiciously small");
    png
}

fn check(v: &Value, report: &Report) {
    let probed = report
        .conformance
        .as_ref()
        .map_or(report.states.len() - 1, |c| c.state);
    let state = &report.states[probed.min(report.states.len() - 1)];
    let n = state.nodes.len() as u64;
    assert_eq!(v["errors"], serde_json::json!([]), "page errors: {v}");
    assert_eq!(v["nodes"].as_u64(), Some(n), "{v}");
    assert_eq!(v["pairs"].as_u64(), Some(n * n), "heatmap squares: {v}");
    assert_eq!(v["symLength"].as_u64(), Some(n * n), "{v}");
    assert_eq!(v["probes"].as_u64(), Some(state.cell_count() as u64), "{v}");
    // The heatmap shows the symbols every other format shows.
    let grid = hnsim_reports::legend::Grid::for_report(report, probed.min(report.states.len() - 1))
        .unwrap();
    for (sym, count) in grid.symbol_counts() {
        let code = page_code(sym);
        let shown = v["symbols"][code].as_u64().unwrap_or(0);
        assert_eq!(shown, count as u64, "{sym:?} squares in the heatmap: {v}");
    }
    // The clicked cell's trace is shown: its ends, every probe of the pair, its facts.
    let clicked = v["clicked"].as_str().expect("a cell was clicked");
    let (from, to) = clicked.split_once(" -> ").unwrap();
    assert_eq!(v["detailFrom"].as_str(), Some(from));
    assert_eq!(v["detailTo"].as_str(), Some(to));
    let expected: Vec<_> = state
        .cells()
        .filter(|c| c.from == from && c.to == to)
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(
        v["detailProbes"].as_u64(),
        Some(expected.len() as u64),
        "{v}"
    );
    assert_eq!(v["expectedProbes"].as_u64(), Some(expected.len() as u64));
    let hops: usize = expected.iter().map(|c| c.path.len()).sum();
    assert_eq!(v["hopRows"].as_u64(), Some(hops as u64), "{v}");
    let shown: Vec<&str> = v["facts"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f.as_str())
        .collect();
    for cell in &expected {
        for hop in &cell.path {
            for fact in &hop.facts {
                assert!(shown.contains(&fact.as_str()), "fact {fact} not shown: {v}");
            }
        }
    }
    let text = v["detailText"].as_str().unwrap();
    for cell in &expected {
        for hop in &cell.path {
            assert!(text.contains(&hop.detail), "hop `{}` not shown", hop.detail);
        }
    }
}

/// The letter the page's script counts a heatmap square's symbol under.
fn page_code(sym: Symbol) -> &'static str {
    match sym {
        Symbol::All => "a",
        Symbol::Some => "s",
        Symbol::None => "n",
        Symbol::Unknown => "u",
        Symbol::Disagree => "x",
        Symbol::Empty => "e",
        Symbol::SelfPair => "d",
    }
}

#[test]
fn small_report_in_chromium() {
    let Some(bin) = browser() else { return };
    let report = fixture::small();
    let (v, file) = self_test(&bin, "small", &report);
    check(&v, &report);
    // Both ends of the clicked cell are endpoints or hosts drawn in the topology.
    assert!(v["svgHighlighted"].as_u64().unwrap_or(0) >= 1, "{v}");
    screenshot(
        &bin,
        &file,
        "small",
        "#select=client%3Alaptop%7Cweb%40mynat",
        "1500,1250",
    );
}

#[test]
fn matrix_of_200_endpoints_in_chromium() {
    let Some(bin) = browser() else { return };
    let report = fixture::large(200);
    let started = Instant::now();
    let (v, file) = self_test(&bin, "large-200", &report);
    check(&v, &report);
    let size = std::fs::metadata(&file).unwrap().len();
    eprintln!(
        "200 x 200: {} cells, {:.1} MB, self-test in {:.1} s",
        report.states[0].cell_count(),
        size as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    assert!(size < 30_000_000, "page is {size} bytes");
    screenshot(
        &bin,
        &file,
        "large-200",
        "#select=svc007%40mesh%7Csvc150%40mesh",
        "1500,1100",
    );
}

/// Past the node limit the heatmap has one square per pair of classes, grouped by
/// network; a click picks the first node pair of the two classes and shows its cells,
/// made by the page from the shared answers.
#[test]
fn matrix_by_class_in_chromium() {
    let Some(bin) = browser() else { return };
    let doc = hnsim_model::parse_scenario(
        "service.yaml",
        "name: service\nsegments: [{name: lan, subnet: 10.1.0.0/16, gateway: 10.1.0.1}]\nhosts:\n  - {name: n1, os: linux, swarm: manager, nics: [{name: eth0, ip: 10.1.0.10/16, segment: lan}]}\n  - {name: n2, os: linux, swarm: worker, nics: [{name: eth0, ip: 10.1.0.11/16, segment: lan}]}\nnetworks: [{name: back, driver: overlay, attachable: true}]\nservices:\n  - {name: web, replicas: 400, ports: ['8080:80'], networks: [back]}\ncontainers:\n  - {name: db, host: n1, networks: [back], listen: [tcp/5432]}\nclients: [{name: pc, segment: lan, ip: 10.1.0.50}]\n",
    )
    .unwrap();
    let report = hnsim_sim::simulate(&doc);
    let state = report.final_state().unwrap();
    assert!(state.nodes.len() > hnsim_reports::legend::MAX_NODES);
    let (v, file) = self_test(&bin, "by-class", &report);
    assert_eq!(v["errors"], serde_json::json!([]), "page errors: {v}");
    assert_eq!(v["byClass"], true, "{v}");
    let k = state.classes().len() as u64;
    assert_eq!(v["classes"].as_u64(), Some(k), "{v}");
    assert_eq!(v["pairs"].as_u64(), Some(k * k), "class squares: {v}");
    assert_eq!(v["probes"].as_u64(), Some(state.cell_count() as u64));
    // The squares show the class pairs' symbols.
    let grid = hnsim_reports::legend::Grid::new(state, None);
    let mut counts = std::collections::HashMap::new();
    for a in 0..k as usize {
        for b in 0..k as usize {
            *counts.entry(grid.class_symbol(a, b)).or_insert(0u64) += 1;
        }
    }
    for (sym, count) in counts {
        let code = page_code(sym);
        assert_eq!(v["symbols"][code].as_u64(), Some(count), "{sym:?}: {v}");
    }
    // The clicked class pair shows one node pair's cells, hop by hop.
    let from = v["detailFrom"].as_str().expect("a pair shown");
    let to = v["detailTo"].as_str().expect("a pair shown");
    let cells: Vec<_> = state
        .cells()
        .filter(|c| c.from == from && c.to == to)
        .collect();
    assert!(!cells.is_empty(), "{from} -> {to}");
    assert_eq!(v["detailProbes"].as_u64(), Some(cells.len() as u64), "{v}");
    let hops: usize = cells.iter().map(|c| c.path.len()).sum();
    assert_eq!(v["hopRows"].as_u64(), Some(hops as u64), "{v}");
    let text = v["detailText"].as_str().unwrap();
    assert!(text.contains("node pairs"), "{text}");
    for c in &cells {
        for hop in &c.path {
            assert!(
                text.contains(&hop.detail),
                "hop `{}` not shown: {text}",
                hop.detail
            );
        }
    }
    let size = std::fs::metadata(&file).unwrap().len();
    assert!(size < 2_000_000, "page is {size} bytes");
    screenshot(&bin, &file, "by-class", "", "1500,1100");
}

/// The bundled scenarios with the most nodes and with the most timeline states, as the
/// simulator produces them.
#[test]
fn bundled_scenarios_in_chromium() {
    let Some(bin) = browser() else { return };
    let root = workspace();
    let mut reports = Vec::new();
    let mut stack = vec![root.join("scenarios")];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "yaml") {
                let rel = p.strip_prefix(&root).unwrap_or(&p).display().to_string();
                let text = std::fs::read_to_string(&p).unwrap();
                if let Ok(doc) = hnsim_model::parse_scenario(&rel, &text) {
                    reports.push((rel, hnsim_sim::simulate(&doc)));
                }
            }
        }
    }
    reports.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(!reports.is_empty(), "no bundled scenarios found");
    let biggest = reports
        .iter()
        .max_by_key(|(_, r)| {
            r.final_state()
                .map_or(0, |s| s.nodes.len() * 1000 + s.cell_count())
        })
        .unwrap();
    let longest = reports.iter().max_by_key(|(_, r)| r.states.len()).unwrap();
    for (name, (rel, report)) in [
        ("scenario-biggest", biggest),
        ("scenario-timeline", longest),
    ] {
        if report.final_state().is_none_or(|s| s.cell_count() == 0) {
            continue;
        }
        let (v, file) = self_test(&bin, name, report);
        eprintln!("{name}: {rel}");
        check(&v, report);
        screenshot(&bin, &file, name, "", "1500,1400");
    }
}

/// The workspace root, found lexically (the crate's parent directory) so a symlinked
/// crate still reads the scenarios of the workspace it is built in.
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("crate inside a workspace")
        .to_path_buf()
}
