//! Importing topologies written as docker commands, compose files and daemon.json.
//!
//! People already have their design as `docker network create` / `docker run` lines,
//! compose files and a `daemon.json`. The importer translates them into the scenario's
//! own objects exactly as Docker would (default driver per platform, option parsing,
//! swarm scoping), so the validator and the simulator never see the difference:
//!
//! - [`expand`]: a parsed scenario whose hosts carry `commands`, `compose` and
//!   `daemon-json` -> the same scenario with those consumed into networks, containers,
//!   services and steps;
//! - [`from_commands`], [`from_compose`], [`from_daemon_json`]: a plain file of commands,
//!   a compose file or a daemon.json -> a one-host scenario.
//!
//! Per host, the daemon.json applies first, then the commands in order, then the compose
//! file (`docker compose up` after the networks it may name as `external`).
//!
//! What is left for later: implicit default networks, dynamic IPs and ephemeral host
//! ports are filled in by the resolver, so a container without `--network` keeps an
//! empty `networks` list and `-p 80` keeps `host_port: None`.
//!
//! Every import finding has an `IMP` code (entries of the rule catalogue, `rules.yaml`) and points at the input: file,
//! line and the field path of the command (`hosts[0].commands[3]`) or compose key.

mod codes;
pub mod compose;
mod daemon;
mod detect;
mod docker_cli;
mod expand;
mod script;
mod shell;
mod single_file;
mod translate;
mod uplink;

pub(crate) use codes::finding;
pub use detect::{detect, windows_image, InputKind};
pub use expand::expand;
pub use single_file::bare_host;

use crate::finding::{Finding, Severity};
use crate::limits::Limits;
use crate::os::OsVersion;
use crate::parse::Document;
use crate::scenario::*;
use crate::source_map::SourceMap;
use single_file::{commands_document, compose_document, daemon_document, yaml_error};

/// The result of an import: a scenario with no `commands`/`compose`/`daemon-json` left,
/// and what the importer noticed on the way.
#[derive(Clone, Debug)]
pub struct Imported {
    pub scenario: Scenario,
    pub findings: Vec<Finding>,
    /// Positions of the field paths objects and findings carry (`hosts[0].commands[3]`,
    /// `services.web.ports[0]`) in the input text, for a [`Document`] built from it.
    pub source_map: SourceMap,
}

/// The host a plain commands / compose / daemon.json file describes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostTemplate {
    pub name: String,
    /// `None`: guessed from the input (Windows drivers, `windowsshim` options, Windows
    /// prompts and PowerShell give ws2019; anything else linux).
    pub os: Option<OsVersion>,
    /// The compose project name for a compose file without `name:`: `docker compose`
    /// takes the name of the directory the file is in. The caller knows that directory
    /// (the model reads no paths); `None`: the directory in the file's name, else its stem.
    pub project: Option<String>,
}

impl Default for HostTemplate {
    fn default() -> Self {
        HostTemplate {
            name: "host1".to_string(),
            os: None,
            project: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("{file}:{line}:{column}: not valid YAML: {message}")]
    Yaml {
        file: String,
        line: u32,
        column: u32,
        message: String,
    },
    #[error("{file}:{line}:{column}: not valid JSON: {message}")]
    Json {
        file: String,
        line: u32,
        column: u32,
        message: String,
    },
    #[error("{file}: {message}")]
    Shape { file: String, message: String },
    /// The message already names file, line, column and field: shown once, not once
    /// more as its own cause.
    #[error(transparent)]
    Scenario(#[from] crate::parse::ParseError),
}

/// A plain file of commands (shell, PowerShell, a pasted terminal session) -> a one-host
/// scenario.
pub fn from_commands(file: &str, text: &str, host: HostTemplate) -> Result<Imported, ImportError> {
    let limits = Limits::default();
    crate::limits::check_text(file, text, &limits)?;
    Ok(expand(&commands_document(file, text, host, &limits)))
}

/// A compose file -> a one-host scenario. The project name is the file's `name:`, else
/// the directory the file is in (what `docker compose` uses), else the file's stem.
pub fn from_compose(file: &str, text: &str, host: HostTemplate) -> Result<Imported, ImportError> {
    let limits = Limits::default();
    crate::limits::check_text(file, text, &limits)?;
    Ok(expand(&compose_document(file, text, host, &limits)?))
}

/// A `daemon.json` -> a one-host scenario. Without an OS the host is ws2019: `fixed-cidr`
/// and `"bridge": "none"` are how the Windows documentation sets up the nat network
/// (NAT-3).
pub fn from_daemon_json(
    file: &str,
    text: &str,
    host: HostTemplate,
) -> Result<Imported, ImportError> {
    let limits = Limits::default();
    crate::limits::check_text(file, text, &limits)?;
    Ok(expand(&daemon_document(file, text, host, &limits)?))
}

/// Any supported text as a [`Document`] whose hosts still carry their `commands`,
/// `compose` and `daemon-json`, for [`crate::analyse`] (which runs [`expand`] and so
/// reports the import findings with the rest). A commands, compose or daemon.json file
/// becomes a one-host scenario; positions point into `text`. Read under the default
/// [`Limits`]; see [`document_with`].
pub fn document(file: &str, text: &str, host: HostTemplate) -> Result<Document, ImportError> {
    document_with(file, text, host, &Limits::default())
}

/// [`document`] under `limits`: the text's size and nesting are checked before any
/// parser runs, and the document carries the limits into its analysis.
pub fn document_with(
    file: &str,
    text: &str,
    host: HostTemplate,
    limits: &Limits,
) -> Result<Document, ImportError> {
    read(None, file, text, host, limits)
}

/// [`document_with`] of a text whose kind is known (what the fuzz targets use to hold
/// each input kind fixed).
pub fn document_as(
    kind: InputKind,
    file: &str,
    text: &str,
    host: HostTemplate,
    limits: &Limits,
) -> Result<Document, ImportError> {
    read(Some(kind), file, text, host, limits)
}

/// A document of the given kind, or of the kind [`detect`] sees.
fn read(
    kind: Option<InputKind>,
    file: &str,
    text: &str,
    host: HostTemplate,
    limits: &Limits,
) -> Result<Document, ImportError> {
    if kind.is_none() {
        if let Some(doc) = read_as_scenario_at_once(file, text, limits) {
            refuse_imports_over_limits(&doc)?;
            return Ok(doc);
        }
    }
    let (text, value) = prepared(file, text, limits)?;
    let kind = kind.unwrap_or_else(|| detect::classify(text, value.as_ref()));
    read_as(kind, file, text, value.as_ref(), host, limits)
}

/// The document of a text that reads as a scenario, which [`detect::classify`] takes
/// for one: a mapping (the YAML deserializer reads no struct from a list) with `name:`,
/// whose keys are all a scenario's, `networks` and `services` among them lists, not a
/// compose file's maps. Detection builds the text's whole YAML value, which for a large
/// design costs more than reading it (100,000 containers: 0.6 s and 370 MB before a
/// 0.5 s read), so a text is first read as a scenario; one that is not, or that has an
/// error, is detected as before, and its error is the detected kind's.
fn read_as_scenario_at_once(file: &str, text: &str, limits: &Limits) -> Option<Document> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim_start().starts_with('{') {
        return None;
    }
    crate::parse::parse_scenario_with(file, text, limits).ok()
}

/// The text without a byte order mark (Windows editors write one), checked against the
/// limits before any parser runs, and its YAML value if it is YAML (an alias bomb is an
/// error).
fn prepared<'t>(
    file: &str,
    text: &'t str,
    limits: &Limits,
) -> Result<(&'t str, Option<serde_yaml_ng::Value>), ImportError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    crate::limits::check_text(file, text, limits)?;
    match serde_yaml_ng::from_str::<serde_yaml_ng::Value>(text) {
        Ok(value) => Ok((text, Some(value))),
        Err(e) => match crate::limits::alias_bomb(file, text, &e) {
            Some(refused) => Err(refused.into()),
            None => Ok((text, None)),
        },
    }
}

fn read_as(
    kind: InputKind,
    file: &str,
    text: &str,
    value: Option<&serde_yaml_ng::Value>,
    host: HostTemplate,
    limits: &Limits,
) -> Result<Document, ImportError> {
    let doc = match kind {
        InputKind::Scenario => {
            if let Some(value) = value {
                if !value.is_mapping() && !value.is_null() {
                    return Err(ImportError::Shape {
                        file: format!("{file}:1:1"),
                        message: "this is not a scenario (a YAML mapping with `name:` and `hosts:`), a compose file, a daemon.json, nor docker command lines (`docker network create ...`, `docker run ...`)\n  help: see docs/scenario-format.md; command lines must start with `docker` (prompts such as `$`, `C:\\>` and `PS C:\\>` are fine)".into(),
                    });
                }
            }
            crate::parse::parse_scenario_with(file, text, limits)?
        }
        InputKind::Compose => compose_document(file, text, host, limits)?,
        InputKind::DaemonJson => daemon_document(file, text, host, limits)?,
        InputKind::Commands => commands_document(file, text, host, limits),
    };
    refuse_imports_over_limits(&doc)?;
    Ok(doc)
}

/// What the document's commands and compose files would make, against its limits: a
/// value the importer refused as over a limit (IMP022), or a design too large once
/// imported, is an error here, before anything is analysed.
fn refuse_imports_over_limits(doc: &Document) -> Result<(), ImportError> {
    let imports = doc
        .scenario
        .hosts
        .iter()
        .any(|h| !h.commands.is_empty() || h.compose.is_some());
    if !imports {
        return Ok(());
    }
    let imported = expand(doc);
    if let Some(f) = imported.findings.iter().find(|f| f.code == "IMP022") {
        // A position the source map does not know is the file as a whole: its start.
        let position = match (f.location.line, f.location.column) {
            (0, _) => (1, 1),
            (line, column) => (line, column.max(1)),
        };
        let (file, field) = (&f.location.file, f.location.path.clone());
        let error = crate::parse::ParseError::at(file, position, field, f.message.clone());
        return Err(error.with_help(f.help.clone()).into());
    }
    let located = Document {
        file: doc.file.clone(),
        scenario: Scenario::default(),
        source_map: imported.source_map,
        limits: doc.limits,
    };
    Ok(crate::limits::check_design_size(
        &located,
        &imported.scenario,
    )?)
}

/// Imports any supported text: a scenario (expanded), a compose file, a daemon.json or
/// commands, by [`detect`].
pub fn import_text(file: &str, text: &str, host: HostTemplate) -> Result<Imported, ImportError> {
    Ok(expand(&document(file, text, host)?))
}

/// The scenario as YAML, as `hnsim import` prints it; [`crate::parse_scenario`] reads it
/// back to the same scenario.
pub fn to_yaml(scenario: &Scenario) -> Result<String, ImportError> {
    serde_yaml_ng::to_string(scenario).map_err(|e| ImportError::Shape {
        file: scenario.name.clone(),
        message: e.to_string(),
    })
}

/// Compose text -> the value a host's `compose` field holds (for inlining a compose file
/// a scenario names by path), under the default [`Limits`].
pub fn compose_value(file: &str, text: &str) -> Result<serde_yaml_ng::Value, ImportError> {
    compose_value_with(file, text, &Limits::default())
}

/// [`compose_value`] under `limits`.
pub fn compose_value_with(
    file: &str,
    text: &str,
    limits: &Limits,
) -> Result<serde_yaml_ng::Value, ImportError> {
    crate::limits::check_text(file, text, limits)?;
    serde_yaml_ng::from_str(text).map_err(|e| {
        crate::limits::alias_bomb(file, text, &e)
            .map(ImportError::from)
            .unwrap_or_else(|| yaml_error(file, &e))
    })
}

/// Findings at or above `min`.
pub fn at_least(findings: &[Finding], min: Severity) -> impl Iterator<Item = &Finding> {
    findings.iter().filter(move |f| f.severity >= min)
}
