//! The scenario library as the CLI walks a directory, and as every crate's tests walk
//! the bundled one. One copy: the test helpers of each crate include it by path
//! (`#[path = ".../src/cli/library.rs"] mod library;`), so that no test-only crate is
//! needed for one function and the tests see the files the CLI sees.

use std::path::{Path, PathBuf};

/// Every `*.yaml` / `*.yml` below `dir`, recursively, sorted so that failures and
/// snapshots list in a stable order. A directory that cannot be read holds nothing.
pub fn yaml_files_under(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out.sort();
    out
}
