//! ARCHITECTURE.md: "conformance never reads the simulator's disposition". What is
//! probed, where and at which address comes from the resolved design; the simulated
//! answers (a cell's disposition and the address the simulator chose) are read in one
//! place only, the comparison (`compare.rs`). This test reads the crate's own sources
//! and fails on any other use, so the observed matrix cannot quietly start to depend
//! on the answer it is checked against.

use std::path::{Path, PathBuf};

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

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable source directory") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
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

/// Code lines of a file: comments and string literals dropped, and the unit tests at
/// its end (which build expected matrices to compare against).
fn code(path: &Path) -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(path).expect("readable source file");
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        if t.starts_with("#[cfg(test)]") {
            break;
        }
        if t.starts_with("//") {
            continue;
        }
        let code = without_strings(line);
        let code = code.split("//").next().unwrap_or(&code);
        out.push((i + 1, code.to_string()));
    }
    out
}

#[test]
fn only_the_comparison_reads_simulated_answers() {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    assert!(files.len() > 10, "the crate's sources are found");
    let mut found = Vec::new();
    for f in &files {
        if f.ends_with("compare.rs") {
            continue;
        }
        for (n, line) in code(f) {
            if let Some(w) = ANSWER.iter().find(|w| names(&line, w)) {
                found.push(format!(
                    "{}:{n}: `{w}` in {}",
                    f.strip_prefix(&src).unwrap_or(f).display(),
                    line.trim()
                ));
            }
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
    let dir = std::env::temp_dir().join(format!("hnsim-independence-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("x.rs");
    std::fs::write(
        &f,
        "// cell.disposition in a comment is fine\nlet d = cell.disposition.clone();\nlet p = s.address_prefix;\nlet a = cell.address;\nerr(\"no address\");\n",
    )
    .unwrap();
    let lines = code(&f);
    let _ = std::fs::remove_dir_all(&dir);
    let hits: Vec<_> = lines
        .iter()
        .filter(|(_, l)| ANSWER.iter().any(|w| names(l, w)))
        .map(|(n, _)| *n)
        .collect();
    assert_eq!(hits, [2, 4]);
}
