//! Validation findings: what `hnsim check` reports, cargo-style.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    #[default]
    Info,
    Warning,
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "info" => Ok(Severity::Info),
            "warning" | "warn" => Ok(Severity::Warning),
            "error" => Ok(Severity::Error),
            _ => Err(format!(
                "unknown severity `{s}`; use error, warning or info"
            )),
        }
    }
}

/// Where in the scenario text a finding points.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Location {
    pub file: String,
    /// 1-based; 0 when the object was implicit (no text).
    pub line: u32,
    pub column: u32,
    /// Field path, e.g. `networks[2].subnet`.
    pub path: String,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}:{}", self.file, self.line, self.column)?;
        } else {
            write!(f, "{}", self.file)?;
        }
        if !self.path.is_empty() {
            write!(f, " ({})", self.path)?;
        }
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Finding {
    /// Stable rule code, e.g. `HNS012`.
    pub code: String,
    pub severity: Severity,
    /// SPEC fact IDs the rule rests on.
    pub facts: Vec<String>,
    pub location: Location,
    pub message: String,
    pub help: String,
    /// Timeline step after which the finding holds (`None`: the initial design).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<usize>,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}[{}]: {}", self.severity, self.code, self.message)?;
        writeln!(f, "  --> {}", self.location)?;
        if let Some(step) = self.step {
            writeln!(f, "  = after step {}", step + 1)?;
        }
        writeln!(f, "  = facts: {}", self.facts.join(", "))?;
        write!(f, "  = help: {}", self.help)
    }
}
