//! Running the `hnsim` binary the way a user does, and reading what it prints.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn hnsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hnsim"))
        .args(args)
        .env("NO_COLOR", "1")
        // Wide enough that no assertion depends on where the test's own terminal wraps.
        .env("COLUMNS", "200")
        .current_dir(root())
        .output()
        .expect("the hnsim binary runs")
}

pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Both streams, for assertion messages.
pub fn both(o: &Output) -> String {
    format!(
        "exit {}\n--- stdout\n{}\n--- stderr\n{}",
        code(o),
        stdout(o),
        stderr(o)
    )
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The directory of the test run's files: under the build directory Cargo gives
/// integration tests (`CARGO_TARGET_TMPDIR`), so runs leave nothing in the system's
/// temporary directory; each run writes over the last one's.
pub fn run_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli")
}

/// Writes `text` to a file of this test run and returns its path.
pub fn input(test: &str, name: &str, text: &str) -> PathBuf {
    let dir = run_dir().join(test);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write input");
    path
}

/// Docker commands that publish a swarm service's port 8080 through the routing mesh,
/// its two replicas on the overlay `ov`.
pub const SWARM_PUBLISHED: &str = "docker swarm init\ndocker network create -d overlay ov\ndocker service create --name web --replicas 2 --network ov -p 8080:80 nginx\n";

pub fn p(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

#[path = "../../../src/cli/library.rs"]
mod library;

/// Every bundled scenario, sorted.
pub fn scenario_files() -> Vec<PathBuf> {
    library::yaml_files_under(&root().join("scenarios"))
}

/// `hnsim sim --json --schema v1 FILE` (every cell written out), parsed. Exit 1
/// (findings at error) still simulates.
pub fn sim_json(path: &Path) -> serde_json::Value {
    let o = hnsim(&["sim", "--format", "json", "--schema", "v1", p(path)]);
    assert!(
        code(&o) == 0 || code(&o) == 1,
        "sim {}: {}",
        path.display(),
        both(&o)
    );
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("sim --json {}: {e}\n{}", path.display(), stdout(&o)))
}

/// One cell of a matrix, as a comparable line.
pub fn cell_line(c: &serde_json::Value) -> String {
    let d = &c["disposition"];
    let outcome = d["outcome"].as_str().unwrap_or("?");
    let reason = d["reason"].as_str().unwrap_or("");
    format!(
        "{} -> {} {}: {outcome} {reason} {}",
        c["from"].as_str().unwrap_or("?"),
        c["to"].as_str().unwrap_or("?"),
        c["probe"].as_str().unwrap_or("?"),
        c["address"]["value"].as_str().unwrap_or("")
    )
}

/// Every cell of the final state of `sim --json`, sorted.
pub fn final_cells(report: &serde_json::Value) -> Vec<String> {
    let states = report["states"].as_array().expect("states");
    let last = states.last().expect("a final state");
    let mut cells: Vec<String> = last["cells"]
        .as_array()
        .expect("cells")
        .iter()
        .map(cell_line)
        .collect();
    cells.sort();
    cells
}

/// The final-state cell `from -> to probe`.
pub fn cell<'a>(
    report: &'a serde_json::Value,
    from: &str,
    to: &str,
    probe: &str,
) -> &'a serde_json::Value {
    let states = report["states"].as_array().expect("states");
    let last = states.last().expect("a final state");
    last["cells"]
        .as_array()
        .expect("cells")
        .iter()
        .find(|c| c["from"] == from && c["to"] == to && c["probe"] == probe)
        .unwrap_or_else(|| {
            let nodes: Vec<String> = last["nodes"]
                .as_array()
                .map(|n| n.iter().map(|x| x.to_string()).collect())
                .unwrap_or_default();
            panic!("no cell {from} -> {to} {probe}; nodes: {nodes:?}")
        })
}

pub fn delivered(c: &serde_json::Value) -> bool {
    c["disposition"]["outcome"] == "delivered"
}

pub fn reason(c: &serde_json::Value) -> &str {
    c["disposition"]["reason"].as_str().unwrap_or("")
}

pub fn address(c: &serde_json::Value) -> &str {
    c["address"]["value"].as_str().unwrap_or("")
}

/// Whether `text` names a SPEC fact ID such as `NAT-8` or `EXT-10`.
pub fn names_fact(text: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "ARCH", "NAT", "TRANS", "OVL", "L2B", "L2T", "SDN", "OPT", "IPAM", "DNS", "LNX", "MAT",
        "EXT",
    ];
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .any(|word| {
            word.split_once('-').is_some_and(|(p, n)| {
                PREFIXES.contains(&p) && !n.is_empty() && n.chars().all(|c| c.is_ascii_digit())
            })
        })
}

/// Asserts the exit code; the message shows both streams.
#[track_caller]
pub fn assert_exit(o: &Output, expected: i32) {
    assert_eq!(code(o), expected, "{}", both(o));
}

/// Asserts that standard output contains `text`; the message shows both streams.
#[track_caller]
pub fn assert_stdout_has(o: &Output, text: &str) {
    assert!(stdout(o).contains(text), "{}", both(o));
}

/// Asserts that standard output does not contain `text`.
#[track_caller]
pub fn assert_stdout_lacks(o: &Output, text: &str) {
    assert!(!stdout(o).contains(text), "{}", both(o));
}

/// Asserts that standard error contains `text`; the message shows both streams.
#[track_caller]
pub fn assert_stderr_has(o: &Output, text: &str) {
    assert!(stderr(o).contains(text), "{}", both(o));
}

/// Asserts a run's exit code and that it says each of `says`: on standard error when it
/// exits 2 (the input or the command line could not be used), on standard output
/// otherwise (findings, answers, a test's results). The message shows both streams.
#[track_caller]
pub fn assert_answer(o: &Output, exit: i32, says: &[&str]) {
    assert_exit(o, exit);
    let stream = if exit == 2 { stderr(o) } else { stdout(o) };
    for text in says {
        assert!(stream.contains(text), "{text:?} not said: {}", both(o));
    }
}

/// One run of `hnsim COMMAND FILE` on a file the test writes:
/// `(command, file name, text, exit code, what it says)`, as [`assert_answer`] reads them.
pub type Written<'a> = (&'a str, &'a str, &'a str, i32, &'a [&'a str]);

/// Writes each input of `runs` under the test's folder `test`, runs its command on it and
/// asserts the answer.
#[track_caller]
pub fn assert_written(test: &str, runs: &[Written]) {
    for &(command, name, text, exit, says) in runs {
        let (_, o) = run_written(command, test, name, text);
        assert_answer(&o, exit, says);
    }
}

/// Writes `text` to a file `name` of the test `test` and runs `hnsim COMMAND FILE` on it:
/// the file, for the test's further commands, and what the run answered.
pub fn run_written(command: &str, test: &str, name: &str, text: &str) -> (PathBuf, Output) {
    let f = input(test, name, text);
    let o = hnsim(&[command, p(&f)]);
    (f, o)
}

/// Writes `text` to a file `name` of the test `test`, checks it (exit 0, saying each of
/// `says`) and simulates it, asserting its `cells` as [`assert_cells`] reads them: an
/// input pasted from the docs is a design that works as written. Returns the file.
#[track_caller]
pub fn assert_checks_and_simulates(
    test: &str,
    name: &str,
    text: &str,
    says: &[&str],
    cells: &[(&str, &str, &str, &str)],
) -> PathBuf {
    let (f, o) = run_written("check", test, name, text);
    assert_answer(&o, 0, says);
    assert_cells(&sim_json(&f), cells);
    f
}

/// Asserts what each final-state cell `(from, to, probe, comes to)` of `report` comes
/// to: `delivered`, `delivered at ADDRESS` (the address the source sends to), or the
/// reason it is not delivered (`isolated-network`, `not-published`, ...).
#[track_caller]
pub fn assert_cells(report: &serde_json::Value, cells: &[(&str, &str, &str, &str)]) {
    for &(from, to, probe, expected) in cells {
        let c = cell(report, from, to, probe);
        let came_to = match (delivered(c), expected.starts_with("delivered at ")) {
            (true, true) => format!("delivered at {}", address(c)),
            (true, false) => "delivered".to_string(),
            (false, _) => reason(c).to_string(),
        };
        assert_eq!(came_to, expected, "{c}");
    }
}
