//! Reading input files: the one place the CLI turns a path into a
//! [`hnsim_model::Document`]. Unreadable or malformed input is exit code 2.
//!
//! Every command accepts the same inputs: a scenario YAML (whose hosts may carry
//! `commands`, `compose` and `daemon-json`), a plain file of docker commands (shell,
//! PowerShell or a pasted terminal session), a compose file, or a daemon.json. The kind is
//! detected from the content; the importer turns the last three into a one-host
//! scenario. The model crate does no file I/O, so a host's `compose: path/to/file.yml`
//! (or `daemon-json: path`) is read here, relative to the scenario, and inlined.
//!
//! Untrusted input stays bounded: `-` is the one way to read standard input, anything
//! else must be a regular file, at most the file-size limit is read, and the limits of
//! the README ("Limits") come from `HNSIM_MAX_*` variables.

use anyhow::Context;
use hnsim_model::import::{self, HostTemplate};
use hnsim_model::{Document, Limits};
use std::io::Read;
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
    let limits = limits()?;
    let text = read_text_limited(path, &limits)?;
    let file = display_name(path);
    let mut host = host.clone();
    if host.project.is_none() {
        host.project = compose_project_directory(path);
    }
    let mut doc = import::document_with(&file, &text, host, &limits)?;
    inline_referenced_files(path, &mut doc)?;
    Ok(doc)
}

/// The name of the directory a compose file is in, which `docker compose` takes as the
/// project name when the file has no `name:` (for standard input: the working
/// directory, as `docker compose -f -` does). `app.yml` given without a directory is in
/// the working directory, not in a directory with no name.
fn compose_project_directory(path: &Path) -> Option<String> {
    let dir = if path.as_os_str() == "-" {
        std::env::current_dir().ok()?
    } else {
        std::fs::canonicalize(path).ok()?.parent()?.to_path_buf()
    };
    dir.file_name()?.to_str().map(str::to_string)
}

/// How errors and reports name an input: its path, or `<stdin>` for `-` (as compilers
/// name standard input), so that `<stdin>:3:7` reads as a place.
pub fn display_name(path: &Path) -> String {
    if path.as_os_str() == "-" {
        STDIN_NAME.to_string()
    } else {
        path.display().to_string()
    }
}

/// The name standard input goes by in errors and reports.
pub const STDIN_NAME: &str = "<stdin>";

/// The documented limits (README, "Limits"), each raised by its `HNSIM_MAX_*` variable.
pub fn limits() -> anyhow::Result<Limits> {
    Limits::with_overrides(|name| std::env::var(name).ok()).map_err(|e| anyhow::anyhow!("{e}"))
}

/// A text file as Windows editors save it too: UTF-8 with or without a byte order mark,
/// or UTF-16 (Notepad's "Unicode", Windows PowerShell's `Out-File` and `>`), read under
/// `limits`: `-` is standard input; anything else must be a regular
/// file (a FIFO, a device such as `/dev/zero` or a directory is refused, so nothing
/// blocks or reads forever), and no more than the file-size limit is read.
fn read_text_limited(path: &Path, limits: &Limits) -> anyhow::Result<String> {
    let shown = display_name(path);
    let bytes = if path.as_os_str() == "-" {
        read_capped(std::io::stdin().lock(), 0, limits)
            .with_context(|| "cannot read standard input".to_string())?
    } else {
        open_regular(path, "input file")
            .and_then(|f| Ok(read_file_capped(f, limits)?))
            .with_context(|| format!("cannot read input file {shown}"))?
    };
    if bytes.len() as u64 > limits.file_bytes {
        let (line, column) = position_of(&bytes, limits.file_bytes as usize);
        let (limit, help) = size_limit(limits);
        anyhow::bail!("{shown}:{line}:{column}: the input is larger than {limit}\n  help: {help}");
    }
    decode(bytes).map_err(|(bytes, at)| {
        let (line, column) = position_of(&bytes, at);
        anyhow::anyhow!(
            "{shown}:{line}:{column}: cannot read input file: it is neither UTF-8 nor UTF-16 text (the first byte that is not is here)\n  help: save it as UTF-8"
        )
    })
}

/// "the limit of N bytes" of an input file, and how to raise it: what a file over the
/// size limit is told, whether it is the input or a file the scenario names.
fn size_limit(limits: &Limits) -> (String, String) {
    let file_bytes = &hnsim_model::limits::FILE_BYTES;
    (
        limits.the_limit(file_bytes),
        limits.how_to_raise(file_bytes),
    )
}

/// Opens `path` for reading if it is a regular file (following symbolic links).
fn open_regular(path: &Path, what: &str) -> anyhow::Result<std::fs::File> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        let stdin = if what == "input file" {
            "; give a file, or `-` for standard input"
        } else {
            ""
        };
        anyhow::bail!("the {what} is not a regular file (a directory, a device or a pipe){stdin}");
    }
    Ok(std::fs::File::open(path)?)
}

/// At most one byte more than the file-size limit, so that an oversized input is
/// recognised without reading all of it. `expected` (the file's size, 0 when unknown)
/// sizes the buffer once, instead of doubling it as it fills.
fn read_capped(reader: impl Read, expected: u64, limits: &Limits) -> std::io::Result<Vec<u8>> {
    let cap = limits.file_bytes.saturating_add(1);
    let mut bytes = Vec::with_capacity(usize::try_from(expected.min(cap)).unwrap_or(0));
    reader.take(cap).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// [`read_capped`] of a regular file, its buffer sized by the file's length.
fn read_file_capped(f: std::fs::File, limits: &Limits) -> std::io::Result<Vec<u8>> {
    let expected = f.metadata().map_or(0, |m| m.len());
    // One byte more than the length, so that reading to the end needs no second buffer.
    read_capped(f, expected.saturating_add(1), limits)
}

/// (line, column), 1-based, of byte `offset` in raw input (columns count bytes: the
/// text may not be decodable).
fn position_of(bytes: &[u8], offset: usize) -> (u32, u32) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let column = before.iter().rev().take_while(|b| **b != b'\n').count() + 1;
    (line as u32, column as u32)
}

/// The text of `bytes`, or them back with the offset of the first byte that is not
/// valid text. UTF-8 becomes the text in place, without a copy (a large input is held
/// once, not twice); UTF-16 is converted.
fn decode(mut bytes: Vec<u8>) -> Result<String, (Vec<u8>, usize)> {
    let utf8 = |bytes: Vec<u8>| {
        String::from_utf8(bytes).map_err(|e| {
            let at = e.utf8_error().valid_up_to();
            (e.into_bytes(), at)
        })
    };
    let utf16 = |rest: &[u8], le: bool| -> Result<String, usize> {
        let units = rest.chunks_exact(2).map(|c| {
            if le {
                u16::from_le_bytes([c[0], c[1]])
            } else {
                u16::from_be_bytes([c[0], c[1]])
            }
        });
        let mut out = String::with_capacity(rest.len() / 2);
        for (i, unit) in char::decode_utf16(units).enumerate() {
            out.push(unit.map_err(|_| 2 + 2 * i)?);
        }
        if rest.len() % 2 == 1 {
            return Err(2 + rest.len() - 1);
        }
        Ok(out)
    };
    match bytes.as_slice() {
        [0xEF, 0xBB, 0xBF, rest @ ..] => {
            // Checked before the mark is removed, so an error points into the file.
            if let Err(e) = std::str::from_utf8(rest) {
                let at = 3 + e.valid_up_to();
                return Err((bytes, at));
            }
            bytes.drain(..3);
            utf8(bytes)
        }
        [0xFF, 0xFE, rest @ ..] => utf16(rest, true).map_err(|at| (bytes, at)),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, false).map_err(|at| (bytes, at)),
        _ => utf8(bytes),
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
            let limits = doc.limits;
            doc.scenario.hosts[i].compose = Some(import::compose_value_with(
                &path.display().to_string(),
                &text,
                &limits,
            )?);
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

/// A file a scenario names by path, under the same rules as the scenario itself; the
/// error points at the field that names it.
fn read_referenced(doc: &Document, field: &str, path: &Path, what: &str) -> anyhow::Result<String> {
    let limits = &doc.limits;
    let text = open_regular(path, what)
        .and_then(|f| Ok(read_file_capped(f, limits)?))
        .map_err(|e| e.to_string())
        .and_then(|bytes| {
            if bytes.len() as u64 > limits.file_bytes {
                let (limit, help) = size_limit(limits);
                return Err(format!("larger than {limit} ({help})"));
            }
            decode(bytes).map_err(|(bytes, at)| {
                let (line, column) = position_of(&bytes, at);
                format!("neither UTF-8 nor UTF-16 text (line {line}, column {column})")
            })
        });
    text.map_err(|why| {
        let at = doc.locate(field);
        let place = if at.line > 0 {
            format!("{}:{}:{}", doc.file, at.line, at.column)
        } else {
            format!("{}:1:1", doc.file)
        };
        anyhow::anyhow!(
            "{place}: field `{field}`: cannot read {what} {}: {why}\n  help: the path is relative to the scenario's directory; or write the {what} inline under `{}`",
            path.display(),
            field.rsplit('.').next().unwrap_or(field)
        )
    })
}
