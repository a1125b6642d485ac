//! Reading scenario files from disk: the one place the CLI turns a path into a
//! [`hnsim_model::Document`]. Unreadable or malformed input is exit code 2.

use anyhow::Context;
use hnsim_model::{parse_scenario, Document};
use std::path::Path;

/// Reads and parses one scenario file. The error text names file, line, column, field
/// and how to fix it.
pub fn load(path: &Path) -> anyhow::Result<Document> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read scenario file {}", path.display()))?;
    parse_scenario(&path.display().to_string(), &text).map_err(|e| anyhow::anyhow!("{e}"))
}
