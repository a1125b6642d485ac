//! Record and replay: what a real dataplane showed, kept as files, compared again with
//! the model at any later time and on any OS.
//!
//! A recording is a directory:
//! - `recording.json`: the versioned index ([`Recording`]): who recorded it (hnsim
//!   version, backend, OS and build), the scenario, every observed cell of every
//!   probed state (what was sent, to which address, what came back), and the list of
//!   environment files;
//! - `scenario.<ext>`: the scenario as it was when recorded;
//! - environment files ([`environment`]): `docker version`/`docker info`, `docker
//!   network inspect` of the run's networks, the host's OS build, and on Windows
//!   `Get-HnsNetwork`, `Get-HnsEndpoint` and `Get-NetNat` as JSON.
//!
//! A live run is recorded through [`Recorder`], a [`crate::Dataplane`] wrapper that
//! captures the environment while each state is up. Replaying ([`replay`]) gives the
//! recorded cells as the runs a live run produces, for the same comparison, so a Windows run made once is a regression test on Linux forever: when the
//! model changes its answer for a recorded cell, the replay disagrees.

pub mod environment;
mod recorder;
mod replay;

pub use environment::{EnvFile, Environment};
pub use recorder::Recorder;
pub use replay::{replay, Replayed};

use crate::compare::ObservedCell;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;
use std::path::{Path, PathBuf};

/// `format` of every recording.
pub const FORMAT: &str = "hnsim-recording";
/// The recording format's version; a reader refuses newer ones.
pub const VERSION: u32 = 1;
/// The index file of a recording directory.
pub const INDEX: &str = "recording.json";

#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    #[error(
        "{path}: not a recording ({message}); a recording is a directory written by \
         `hnsim conform FILE --backend B --record DIR`"
    )]
    NotARecording { path: String, message: String },
    #[error(
        "{path}: recording format version {found}, this hnsim reads up to {VERSION}; \
         replay it with a newer hnsim"
    )]
    TooNew { path: String, found: u32 },
    #[error(
        "{path}: exists and holds files but no {INDEX}; choose an empty or new directory \
         so nothing of yours is overwritten"
    )]
    NotEmpty { path: String },
    #[error("{0}")]
    Invalid(String),
}

/// Where and by what a recording was made.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Platform {
    /// `linux`, `windows`.
    pub os: String,
    pub arch: String,
    /// The OS build as the host names it (`Windows Server 2022 ... 20348.2849`,
    /// `Debian GNU/Linux 12, kernel 6.1.0-26-amd64`).
    pub build: String,
}

/// The scenario a recording was made of.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ScenarioRef {
    /// The scenario's `name`.
    pub name: String,
    /// The file name as given to `conform` (no directories).
    pub file: String,
    /// The copy kept in the recording (`scenario.yaml`).
    pub copy: String,
}

/// The cells observed in one state of the timeline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordedState {
    /// Index into the report's states.
    pub index: usize,
    pub label: String,
    pub cells: Vec<ObservedCell>,
}

/// `recording.json`.
#[skip_serializing_none]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Recording {
    pub format: String,
    pub version: u32,
    pub hnsim_version: String,
    /// `netns`, `docker`.
    pub backend: String,
    /// The scenario host the run realized (`--host`, docker backends).
    pub host: Option<String>,
    /// UTC, RFC 3339.
    pub recorded_at: String,
    pub platform: Platform,
    pub scenario: ScenarioRef,
    pub states: Vec<RecordedState>,
    /// What the run noted (addresses Docker chose, subnets moved, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The environment files beside the index.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<EnvFile>,
}

impl Recording {
    /// A recording of `states` made now on this machine.
    pub fn new(
        backend: &str,
        host: Option<String>,
        scenario: ScenarioRef,
        states: Vec<RecordedState>,
    ) -> Self {
        Recording {
            format: FORMAT.into(),
            version: VERSION,
            hnsim_version: env!("CARGO_PKG_VERSION").into(),
            backend: backend.into(),
            host,
            recorded_at: rfc3339_now(),
            platform: environment::platform(),
            scenario,
            states,
            notes: Vec::new(),
            files: Vec::new(),
        }
    }
}

fn io(path: &Path, e: impl std::fmt::Display) -> RecordError {
    RecordError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

impl Recording {
    /// Replaces `path` (this machine's path of the hnsim binary, in the commands that
    /// repeat a probe) so a recording names no directory of the machine it was made on.
    pub fn redact(&mut self, path: &str, with: &str) {
        if path.is_empty() {
            return;
        }
        for s in &mut self.states {
            for c in &mut s.cells {
                c.observation.repro = c.observation.repro.replace(path, with);
            }
        }
    }
}

/// The scenario copy's file name: `scenario` with the original's extension.
pub fn scenario_copy_name(file: &Path) -> String {
    match file.extension().and_then(|e| e.to_str()) {
        Some(ext) if !ext.is_empty() => format!("scenario.{ext}"),
        _ => "scenario.yaml".into(),
    }
}

/// Writes `rec` with its environment files and the scenario text into `dir` (created
/// when missing). A directory that holds other files and no recording is refused.
pub fn write(
    dir: &Path,
    rec: &Recording,
    scenario_text: &str,
    env: &Environment,
) -> Result<PathBuf, RecordError> {
    if dir.is_dir() && !dir.join(INDEX).is_file() {
        let mut entries = std::fs::read_dir(dir).map_err(|e| io(dir, e))?;
        if entries.next().is_some() {
            return Err(RecordError::NotEmpty {
                path: dir.display().to_string(),
            });
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let mut rec = rec.clone();
    if let Ok(exe) = std::env::current_exe() {
        rec.redact(&exe.display().to_string(), "hnsim");
    }
    rec.files = env.files.iter().map(|(f, _)| f.clone()).collect();
    for (f, text) in &env.files {
        let path = dir.join(&f.name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
        }
        std::fs::write(&path, text).map_err(|e| io(&path, e))?;
    }
    let copy = dir.join(&rec.scenario.copy);
    std::fs::write(&copy, scenario_text).map_err(|e| io(&copy, e))?;
    let index = dir.join(INDEX);
    let json = serde_json::to_string_pretty(&rec).map_err(|e| io(&index, e))? + "\n";
    std::fs::write(&index, json).map_err(|e| io(&index, e))?;
    Ok(index)
}

/// Reads `dir/recording.json`, checking format and version.
pub fn read(dir: &Path) -> Result<Recording, RecordError> {
    let index = dir.join(INDEX);
    let text = std::fs::read_to_string(&index).map_err(|e| RecordError::NotARecording {
        path: index.display().to_string(),
        message: e.to_string(),
    })?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| RecordError::NotARecording {
            path: index.display().to_string(),
            message: format!("line {}, column {}: {e}", e.line(), e.column()),
        })?;
    if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
        return Err(RecordError::NotARecording {
            path: index.display().to_string(),
            message: format!("`format` is not \"{FORMAT}\""),
        });
    }
    let found = value.get("version").and_then(|v| v.as_u64()).unwrap_or(0) as u32;
    if found > VERSION {
        return Err(RecordError::TooNew {
            path: index.display().to_string(),
            found,
        });
    }
    serde_json::from_value(value).map_err(|e| RecordError::NotARecording {
        path: index.display().to_string(),
        message: e.to_string(),
    })
}

/// Reads the scenario copy kept in a recording.
pub fn scenario_text(dir: &Path, rec: &Recording) -> Result<String, RecordError> {
    let path = dir.join(&rec.scenario.copy);
    std::fs::read_to_string(&path).map_err(|e| io(&path, e))
}

/// Now, UTC, as `YYYY-MM-DDTHH:MM:SSZ` (days from the epoch to a civil date, as in
/// Howard Hinnant's `civil_from_days`).
pub fn rfc3339_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    rfc3339(secs)
}

fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use hnsim_sim::{Observation, Probe, ProbeOutcome};

    #[test]
    fn dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_764_460_800 + 3_723), "2025-11-30T01:02:03Z");
    }

    fn sample() -> Recording {
        let cell = ObservedCell {
            from: "a@n".into(),
            to: "b@n".into(),
            probe: Probe::Tcp(80),
            observation: Observation {
                backend: "docker".into(),
                sent: "tcp SYN to 172.20.0.3:80".into(),
                to: "172.20.0.3:80".into(),
                outcome: ProbeOutcome::Reply,
                rtt_ms: Some(0.4),
                attempts: 1,
                repro: "docker exec ...".into(),
            },
            known_divergence: None,
            name: None,
        };
        Recording::new(
            "docker",
            Some("lx".into()),
            ScenarioRef {
                name: "s".into(),
                file: "s.yaml".into(),
                copy: "scenario.yaml".into(),
            },
            vec![RecordedState {
                index: 0,
                label: "initial design".into(),
                cells: vec![cell],
            }],
        )
    }

    #[test]
    fn written_recordings_read_back() {
        let dir = std::env::temp_dir().join(format!("hnsim-rec-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut env = Environment::default();
        env.add("docker-version.json", "docker version", "{\"Client\":{}}");
        let rec = sample();
        write(&dir, &rec, "name: s\n", &env).unwrap();
        let back = read(&dir).unwrap();
        assert_eq!(back.states, rec.states);
        assert_eq!(back.files.len(), 1);
        assert_eq!(scenario_text(&dir, &back).unwrap(), "name: s\n");
        assert!(dir.join("docker-version.json").is_file());
        // Rewriting a recording is fine; a directory of other files is refused.
        write(&dir, &rec, "name: s\n", &env).unwrap();
        let other = dir.join("other");
        std::fs::create_dir_all(&other).unwrap();
        std::fs::write(other.join("notes.txt"), "mine").unwrap();
        assert!(matches!(
            write(&other, &rec, "", &env),
            Err(RecordError::NotEmpty { .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn wrong_format_and_newer_versions_are_refused() {
        let dir = std::env::temp_dir().join(format!("hnsim-rec-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(INDEX), "{\"format\":\"other\"}").unwrap();
        assert!(matches!(read(&dir), Err(RecordError::NotARecording { .. })));
        let mut v = serde_json::to_value(sample()).unwrap();
        v["version"] = serde_json::json!(VERSION + 1);
        std::fs::write(dir.join(INDEX), v.to_string()).unwrap();
        let e = read(&dir).unwrap_err();
        assert!(matches!(e, RecordError::TooNew { .. }), "{e}");
        std::fs::write(dir.join(INDEX), "{").unwrap();
        assert!(read(&dir).unwrap_err().to_string().contains("line 1"));
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(matches!(read(&dir), Err(RecordError::NotARecording { .. })));
    }
}
