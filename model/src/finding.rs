//! Validation findings: what `hnsim check` reports, cargo-style.

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;
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

#[skip_serializing_none]
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
    pub step: Option<usize>,
    /// The parts of the design this finding says do not work as written. The simulator
    /// reads them: a cell that crosses one is never "delivered" against its own finding
    /// (see [`Subject`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub invalidates: Vec<Subject>,
}

/// A part of a design that a finding invalidates. What each kind covers is what a
/// broken part of that kind takes down on a real host:
/// - a network whose subnet, gateway or prefix contradicts the physical network (a
///   transparent subnet that is not the LAN's, a NAT prefix holding the host's address,
///   an overlay pool over the LAN): its members still reach each other on its own
///   switch, but every flow that leaves or enters it crosses the broken routing;
/// - an endpoint whose own address is wrong (outside its network's subnet, taken by
///   another): every flow from or to it;
/// - a host whose own address is wrong: every flow from or to the host and the
///   containers on it.
#[skip_serializing_none]
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Subject {
    /// Network `network` (on `host` when it is host-scoped): flows off the network.
    Network {
        network: String,
        host: Option<String>,
        /// Only the flows whose other end is in this range (a pool over the LAN breaks
        /// the routes to the LAN's addresses, not those to the rest of the world).
        within: Option<ipnet::IpNet>,
    },
    /// The attachment of container `container` to network `network`: all its flows.
    Endpoint { container: String, network: String },
    /// Host `host` and the containers on it: all their flows.
    Host { host: String },
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Network {
                network,
                host,
                within,
            } => {
                write!(f, "network `{network}`")?;
                if let Some(h) = host {
                    write!(f, " on `{h}`")?;
                }
                match within {
                    Some(range) => write!(f, " toward {range}"),
                    None => Ok(()),
                }
            }
            Subject::Endpoint { container, network } => {
                write!(f, "`{container}` on network `{network}`")
            }
            Subject::Host { host } => write!(f, "host `{host}`"),
        }
    }
}

/// One invalid part of one state of a design, with the finding that says so: what the
/// simulator consults (a copy, so that the design carries it to every consumer).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Invalid {
    pub subject: Subject,
    pub code: String,
    pub message: String,
    pub facts: Vec<String>,
}

impl Invalid {
    /// Every invalid part `findings` name.
    pub fn of(findings: &[Finding]) -> Vec<Invalid> {
        let mut out: Vec<Invalid> = Vec::new();
        for f in findings {
            for s in &f.invalidates {
                let inv = Invalid {
                    subject: s.clone(),
                    code: f.code.clone(),
                    message: f.message.clone(),
                    facts: f.facts.clone(),
                };
                if !out.contains(&inv) {
                    out.push(inv);
                }
            }
        }
        out
    }
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
