//! Shared by the integration tests: loading every bundled scenario and a plain text
//! form of a matrix (independent of the reports crate).
#![allow(dead_code)]

use hnsim_model::{parse_scenario, Document, Severity};
use hnsim_sim::{Cell, Disposition, Report, StateMatrix};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

pub fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios")
}

#[path = "../../../src/cli/library.rs"]
mod library;

/// Every `*.yaml` under scenarios/, recursively, sorted.
pub fn scenario_files() -> Vec<PathBuf> {
    library::yaml_files_under(&scenarios_dir())
}

/// Parses a scenario file, inlining compose / daemon.json files given by path the way
/// the CLI does.
pub fn load(path: &Path) -> Option<Document> {
    let text = std::fs::read_to_string(path).ok()?;
    let mut doc = parse_scenario(&path.display().to_string(), &text).ok()?;
    let dir = path.parent()?;
    for h in &mut doc.scenario.hosts {
        if let Some(rel) = h.compose.as_ref().and_then(|v| v.as_str()) {
            let file = dir.join(rel);
            let body = std::fs::read_to_string(&file).ok()?;
            h.compose =
                Some(hnsim_model::import::compose_value(&file.display().to_string(), &body).ok()?);
        }
        if let Some(rel) = h.daemon_json.as_ref().and_then(|v| v.as_str()) {
            if !rel.trim_start().starts_with('{') {
                let body = std::fs::read_to_string(dir.join(rel)).ok()?;
                h.daemon_json = Some(body.into());
            }
        }
    }
    Some(doc)
}

/// Every bundled scenario that loads, with its path (a file that does not, such as an
/// input meant to be refused, is not a design to check).
pub fn loaded_scenarios() -> impl Iterator<Item = (PathBuf, Document)> {
    scenario_files()
        .into_iter()
        .filter_map(|path| load(&path).map(|doc| (path, doc)))
}

/// [`loaded_scenarios`], simulated.
pub fn simulated_scenarios() -> impl Iterator<Item = (PathBuf, Report)> {
    loaded_scenarios().map(|(path, doc)| (path, hnsim_sim::simulate(&doc)))
}

/// Scenario name relative to scenarios/, without extension: `designs/nat-single-host`.
pub fn short_name(path: &Path) -> String {
    let rel = path.strip_prefix(scenarios_dir()).unwrap_or(path);
    rel.with_extension("").display().to_string()
}

pub fn has_errors(r: &Report) -> bool {
    r.findings.iter().any(|f| f.severity == Severity::Error)
}

pub fn disposition(d: &Disposition) -> String {
    match d {
        Disposition::Delivered => "delivered".into(),
        Disposition::Denied { reason, .. } => reason.to_string(),
        Disposition::Unknown { .. } => "unknown".into(),
    }
}

fn symbol(cells: &[Cell]) -> char {
    if cells.is_empty() {
        return ' ';
    }
    let ok = cells
        .iter()
        .filter(|c| c.disposition.is_delivered())
        .count();
    let unknown = cells
        .iter()
        .any(|c| matches!(c.disposition, Disposition::Unknown { .. }));
    if ok == cells.len() {
        '#'
    } else if unknown {
        '?'
    } else if ok > 0 {
        '+'
    } else {
        '.'
    }
}

/// A compact grid (one symbol per pair) and one line per cell.
pub fn render(state: &StateMatrix) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "state: {}", state.label);
    let _ = writeln!(
        s,
        "legend: # all probes delivered, + some, . none, ? undecided"
    );
    for (i, n) in state.nodes.iter().enumerate() {
        let _ = writeln!(
            s,
            "{:>3} {} {}",
            i + 1,
            n.id,
            n.ip.map(|x| x.to_string()).unwrap_or_default()
        );
    }
    let _ = write!(s, "    ");
    for i in 0..state.nodes.len() {
        let _ = write!(s, "{}", (i + 1) % 10);
    }
    let _ = writeln!(s);
    for (i, a) in state.nodes.iter().enumerate() {
        let _ = write!(s, "{:>3} ", i + 1);
        for b in &state.nodes {
            if a.id == b.id {
                let _ = write!(s, "\\");
                continue;
            }
            let cells: Vec<Cell> = state
                .cells()
                .filter(|c| c.from == a.id && c.to == b.id)
                .collect();
            let _ = write!(s, "{}", symbol(&cells));
        }
        let _ = writeln!(s);
    }
    for c in state.cells() {
        let addr = c
            .address
            .as_ref()
            .map(|a| match &a.name {
                Some(n) => format!(" via {} ({n})", a.value),
                None => format!(" via {}", a.value),
            })
            .unwrap_or_default();
        let mechs: Vec<String> = c
            .path
            .iter()
            .map(|h| format!("{:?}", h.mechanism))
            .collect();
        let _ = writeln!(
            s,
            "{} -> {} {}: {}{} | {} | {}",
            c.from,
            c.to,
            c.probe,
            disposition(&c.disposition),
            addr,
            mechs.join(">"),
            c.facts.join(",")
        );
    }
    s
}
