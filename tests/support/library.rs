//! The bundled scenario library as every crate's tests walk it. One copy, included by
//! path (`#[path = ".../tests/support/library.rs"] mod library;`) by the test helpers of
//! each crate, so that no test-only crate is needed for one function.

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
