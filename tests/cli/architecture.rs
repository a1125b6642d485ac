//! The invariants of ARCHITECTURE.md, checked on the source tree so that a change that
//! breaks one fails the suite instead of eroding the design quietly.
//!
//! The checks read the workspace's own files (Cargo manifests and `src/` trees), never
//! anything outside the repository.

use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file below `dir`, sorted so failures list in a stable order.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The code of a file without its comments and without `#[cfg(test)]` modules at the end
/// of a file (unit tests may use the file system to read fixtures).
fn code_lines(path: &Path) -> Vec<(usize, String)> {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("#[cfg(test)]") {
            break;
        }
        if trimmed.starts_with("//") {
            continue;
        }
        let code = match line.find("//") {
            // Keep `//` inside string literals such as URLs: only cut a comment that
            // follows code outside quotes.
            Some(at) if line[..at].matches('"').count() % 2 == 0 => &line[..at],
            _ => line,
        };
        lines.push((i + 1, code.to_string()));
    }
    lines
}

/// Lines of `crate_dir/src` that mention any of `forbidden`, as `file:line: text`.
fn violations(crate_dir: &str, forbidden: &[&str]) -> Vec<String> {
    let src = root().join(crate_dir).join("src");
    let mut found = Vec::new();
    for file in rust_files(&src) {
        for (n, line) in code_lines(&file) {
            if let Some(word) = forbidden.iter().find(|w| line.contains(*w)) {
                let rel = file.strip_prefix(root()).unwrap_or(&file);
                found.push(format!(
                    "{}:{n}: `{word}` in {}",
                    rel.display(),
                    line.trim()
                ));
            }
        }
    }
    found
}

/// What touches the operating system: files, processes, sockets, the environment.
const OS_CALLS: &[&str] = &[
    "std::fs",
    "fs::read",
    "fs::write",
    "File::open",
    "File::create",
    "std::process",
    "Command::new",
    "std::net::TcpStream",
    "std::net::TcpListener",
    "std::net::UdpSocket",
    "TcpStream::",
    "UdpSocket::",
    "std::env::var",
    "env::var(",
    "std::io::stdin",
    "io::stdin()",
];

/// Fails with `rule` and every line where `crate_dir` calls one of `calls`.
fn assert_never_calls(crate_dir: &str, calls: &[&str], rule: &str) {
    let found = violations(crate_dir, calls);
    assert!(
        found.is_empty(),
        "{rule} (ARCHITECTURE.md):\n{}",
        found.join("\n")
    );
}

#[test]
fn model_does_no_io() {
    assert_never_calls(
        "model",
        OS_CALLS,
        "model must not do I/O beyond the text it is handed",
    );
}

#[test]
fn sim_never_calls_the_os() {
    assert_never_calls("sim", OS_CALLS, "sim must not call the OS");
}

#[test]
fn reports_decide_nothing() {
    // A renderer gets the answer types; it never runs the engine or the validator to
    // find an answer of its own.
    let engine_entry_points = [
        "hnsim_sim::simulate",
        "hnsim_sim::trace(",
        "hnsim_sim::query(",
        "hnsim_sim::check_expectations",
        "hnsim_sim::diff(",
        "hnsim_model::analyse",
        "hnsim_model::resolve",
    ];
    let mut found = violations("reports", &engine_entry_points);
    found.extend(violations("reports", &["std::process", "Command::new"]));
    assert!(
        found.is_empty(),
        "reports render what they are given (ARCHITECTURE.md):\n{}",
        found.join("\n")
    );
}

/// Words that reach into a simulated answer: the disposition of a cell (and its
/// helpers), and the address the simulator picked for it (`cell.address`).
const ANSWER: &[&str] = &[
    "disposition",
    "Disposition",
    "is_delivered",
    ".address",
    "AddressKind",
];

/// Whether `line` names `word` as a whole identifier (`.address`, not
/// `address_prefix` or `host_addr`).
fn names(line: &str, word: &str) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    line.match_indices(word).any(|(at, _)| {
        let before = line[..at].chars().next_back();
        let after = line[at + word.len()..].chars().next();
        (word.starts_with('.') || !before.is_some_and(ident)) && !after.is_some_and(ident)
    })
}

/// A line without its string literals (messages may say "address").
fn without_strings(line: &str) -> String {
    let mut out = String::new();
    let mut in_str = false;
    let mut escaped = false;
    for c in line.chars() {
        match (in_str, escaped, c) {
            (true, false, '\\') => escaped = true,
            (true, true, _) => escaped = false,
            (_, _, '"') => in_str = !in_str,
            (false, _, c) => out.push(c),
            _ => {}
        }
    }
    out
}

/// The code lines of `path` that read a simulated answer, as `line: word`.
fn answers_read(path: &Path) -> Vec<(usize, &'static str)> {
    code_lines(path)
        .into_iter()
        .filter_map(|(n, line)| {
            let code = without_strings(&line);
            ANSWER.iter().find(|w| names(&code, w)).map(|w| (n, *w))
        })
        .collect()
}

/// "conformance never reads the simulator's disposition": what is probed, where and at
/// which address comes from the resolved design; the simulated answers (a cell's
/// disposition and the address the simulator chose) are read in one place only, the
/// comparison (`compare.rs`), so the observed matrix cannot quietly start to depend on
/// the answer it is checked against.
#[test]
fn conformance_reads_simulated_answers_only_in_the_comparison() {
    let files = rust_files(&root().join("conformance/src"));
    assert!(files.len() > 10, "the crate's sources are found");
    let mut found = Vec::new();
    for file in files.iter().filter(|f| !f.ends_with("compare.rs")) {
        let rel = file.strip_prefix(root()).unwrap_or(file);
        for (n, word) in answers_read(file) {
            found.push(format!("{}:{n}: `{word}`", rel.display()));
        }
    }
    assert!(
        found.is_empty(),
        "conformance must not read the simulator's answers outside compare.rs \
         (ARCHITECTURE.md):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_scan_sees_a_disposition_when_there_is_one() {
    // The scan is only worth something if it would catch the reading it forbids.
    let f = crate::common::input(
        "architecture",
        "answers.rs",
        "// cell.disposition in a comment is fine\nlet d = cell.disposition.clone();\nlet p = s.address_prefix;\nlet a = cell.address;\nerr(\"no address\");\n",
    );
    let lines: Vec<usize> = answers_read(&f).into_iter().map(|(n, _)| n).collect();
    assert_eq!(lines, [2, 4]);
}

/// The `hnsim-*` crates a manifest's `[dependencies]` names (dev-dependencies do not
/// shape the product).
fn workspace_dependencies(crate_dir: &str) -> Vec<String> {
    let manifest = root().join(crate_dir).join("Cargo.toml");
    let text = fs::read_to_string(&manifest).expect("Cargo.toml");
    let mut deps = Vec::new();
    let mut in_deps = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_deps = line == "[dependencies]";
            continue;
        }
        if in_deps && line.starts_with("hnsim-") {
            let name = line.split(['.', ' ', '=']).next().unwrap_or_default();
            deps.push(name.to_string());
        }
    }
    deps.sort();
    deps
}

#[test]
fn crates_depend_downwards_only() {
    // model → sim → {conformance, reports} → CLI: no crate reaches sideways or up.
    assert_eq!(workspace_dependencies("model"), Vec::<String>::new());
    assert_eq!(workspace_dependencies("sim"), ["hnsim-model"]);
    assert_eq!(
        workspace_dependencies("reports"),
        ["hnsim-model", "hnsim-sim"]
    );
    let conformance = workspace_dependencies("conformance");
    assert!(
        !conformance.iter().any(|d| d == "hnsim-reports"),
        "conformance produces observations; rendering them is the reports crate's job"
    );
}

/// Every tracked-looking Rust source of the workspace (crate `src/`, `tests/`, `benches/`
/// and `fuzz/` trees), skipping build output.
fn workspace_rust_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in [
        "src",
        "tests",
        "model",
        "sim",
        "reports",
        "conformance",
        "fuzz",
    ] {
        let dir = root().join(dir);
        if dir.is_dir() {
            out.extend(
                rust_files(&dir)
                    .into_iter()
                    .filter(|p| !p.components().any(|c| c.as_os_str() == "target")),
            );
        }
    }
    out.sort();
    out.dedup();
    out
}

/// A file past this many lines holds more than one job (CONTRIBUTING.md): split it
/// before it lands rather than after it has grown a second and a third.
const MAX_LINES: usize = 800;

#[test]
fn no_source_file_is_over_800_lines() {
    let long: Vec<String> = workspace_rust_files()
        .into_iter()
        .filter_map(|path| {
            let lines = fs::read_to_string(&path).ok()?.lines().count();
            (lines > MAX_LINES).then(|| {
                let rel = path.strip_prefix(root()).unwrap_or(&path);
                format!("{}: {lines} lines", rel.display())
            })
        })
        .collect();
    assert!(
        long.is_empty(),
        "files over {MAX_LINES} lines; split them by job:\n{}",
        long.join("\n")
    );
}
