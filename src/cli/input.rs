//! Reading input files: the one place the CLI turns a path into a
//! [`hnsim_model::Document`]. Unreadable or malformed input is exit code 2.
//!
//! Every command accepts the same inputs: a scenario YAML (whose hosts may carry
//! `commands`, `compose` and `daemon-json`), a plain file of docker commands (shell,
//! PowerShell or a pasted terminal session), a compose file, or a daemon.json. The kind is
//! detected from the content; the importer turns the last three into a one-host
//! scenario. The model crate does no file I/O, so a host's `compose: path/to/file.yml`
//! (or `daemon-json: path`) is read here, relative to the scenario, and inlined.

use anyhow::Context;
use hnsim_model::import::{self, HostTemplate};
use hnsim_model::Document;
use std::path::Path;

/// Reads and parses one input file. Docker commands, compose files and daemon.json stay
/// on their host (a commands / compose / daemon.json file becomes a one-host scenario):
/// [`hnsim_model::analyse`] runs the importer first, so its findings (refused Windows
/// options, ...) are reported with the validator's, at their lines. The error text names
/// file, line, column, field and how to fix it.
pub fn load(path: &Path) -> anyhow::Result<Document> {
    load_with(path, &HostTemplate::default())
}

/// Like [`load`], with `host` naming the host a plain commands / compose / daemon.json
/// file describes (`import --host/--os`).
pub fn load_with(path: &Path, host: &HostTemplate) -> anyhow::Result<Document> {
    let text = read_text(path)?;
    let file = path.display().to_string();
    let mut doc = import::document(&file, &text, host.clone())?;
    inline_referenced_files(path, &mut doc)?;
    Ok(doc)
}

/// A text file as Windows editors save it too: UTF-8 with or without a byte order mark,
/// or UTF-16 (Notepad's "Unicode", Windows PowerShell's `Out-File` and `>`).
pub fn read_text(path: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("cannot read input file {}", path.display()))?;
    decode(&bytes).with_context(|| {
        format!(
            "cannot read input file {}: it is neither UTF-8 nor UTF-16 text\n  help: save it as UTF-8",
            path.display()
        )
    })
}

fn decode(bytes: &[u8]) -> anyhow::Result<String> {
    let utf16 = |rest: &[u8], le: bool| -> anyhow::Result<String> {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| {
                if le {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        Ok(String::from_utf16(&units)?)
    };
    match bytes {
        [0xEF, 0xBB, 0xBF, rest @ ..] => Ok(std::str::from_utf8(rest)?.to_string()),
        [0xFF, 0xFE, rest @ ..] => utf16(rest, true),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, false),
        _ => Ok(std::str::from_utf8(bytes)?.to_string()),
    }
}

/// Replaces `compose: <path>` and `daemon-json: <path>` of each host by the file's
/// content. A `daemon-json` string that starts with `{` is JSON text, not a path.
fn inline_referenced_files(scenario_path: &Path, doc: &mut Document) -> anyhow::Result<()> {
    let dir = scenario_path.parent().unwrap_or_else(|| Path::new("."));
    for i in 0..doc.scenario.hosts.len() {
        let compose = doc.scenario.hosts[i]
            .compose
            .as_ref()
            .and_then(|v| v.as_str())
            .map(str::to_string);
        if let Some(rel) = compose {
            let path = dir.join(&rel);
            let text = read_referenced(doc, &format!("hosts[{i}].compose"), &path, "compose file")?;
            doc.scenario.hosts[i].compose =
                Some(import::compose_value(&path.display().to_string(), &text)?);
        }
        let daemon = doc.scenario.hosts[i]
            .daemon_json
            .as_ref()
            .and_then(|v| v.as_str())
            .filter(|t| !t.trim_start().starts_with('{'))
            .map(str::to_string);
        if let Some(rel) = daemon {
            let path = dir.join(&rel);
            let text = read_referenced(
                doc,
                &format!("hosts[{i}].daemon-json"),
                &path,
                "daemon.json",
            )?;
            doc.scenario.hosts[i].daemon_json = Some(text.into());
        }
    }
    Ok(())
}

/// A file a scenario names by path; the error points at the field that names it.
fn read_referenced(doc: &Document, field: &str, path: &Path, what: &str) -> anyhow::Result<String> {
    let bytes = std::fs::read(path);
    let text = bytes
        .map_err(|e| e.to_string())
        .and_then(|b| decode(&b).map_err(|_| "neither UTF-8 nor UTF-16 text".to_string()));
    text.map_err(|why| {
        let at = doc.locate(field);
        let place = if at.line > 0 {
            format!("{}:{}:{}", doc.file, at.line, at.column)
        } else {
            doc.file.clone()
        };
        anyhow::anyhow!(
            "{place}: field `{field}`: cannot read {what} {}: {why}\n  help: the path is relative to the scenario's directory; or write the {what} inline under `{}`",
            path.display(),
            field.rsplit('.').next().unwrap_or(field)
        )
    })
}
