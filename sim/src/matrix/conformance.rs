//! What a real dataplane showed, and how it compares with the simulation.

use super::{Disposition, Probe};
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

/// What a real probe saw (conformance backends).
#[skip_serializing_none]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    pub backend: String,
    /// What was sent: `tcp SYN to 10.0.0.10:8080`.
    pub sent: String,
    /// Address probed.
    pub to: String,
    pub outcome: ProbeOutcome,
    pub rtt_ms: Option<f64>,
    pub attempts: u32,
    /// A command that repeats the probe by hand.
    pub repro: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum ProbeOutcome {
    /// An answer came back (echo reply, SYN-ACK, UDP echo).
    Reply,
    Timeout,
    /// TCP RST or ICMP port unreachable: the destination host was reached.
    Refused,
    /// ICMP host/net unreachable, or no route.
    Unreachable,
    /// The backend cannot express this cell faithfully.
    NotEmulated {
        why: String,
    },
    Error {
        message: String,
    },
}

/// Expected vs observed, cell by cell.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Conformance {
    pub backend: String,
    /// Index into `Report::states` of the state that was probed.
    pub state: usize,
    pub cells: Vec<CellVerdict>,
    pub summary: ConformanceSummary,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellVerdict {
    pub from: String,
    pub to: String,
    pub probe: Probe,
    pub verdict: Verdict,
    pub expected: Disposition,
    pub observation: Observation,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "kebab-case")]
pub enum Verdict {
    Agree,
    Disagree,
    NotEmulated {
        why: String,
    },
    /// Documented divergence between the emulation and real HNS (with the reason).
    KnownDivergence {
        why: String,
    },
    /// The model leaves the cell unknown (`why`, its reason) and the probe ran:
    /// `delivered` is what the wire showed. Evidence about a cell the model does not
    /// claim, so neither an agreement nor a disagreement, and not "not emulated"
    /// either: the dataplane did answer.
    Undecided {
        why: String,
        delivered: bool,
    },
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConformanceSummary {
    pub agree: usize,
    pub disagree: usize,
    pub not_emulated: usize,
    pub known_divergence: usize,
    /// Cells the model leaves unknown that the dataplane answered
    /// ([`Verdict::Undecided`]); absent from documents written before it existed.
    #[serde(default)]
    pub undecided: usize,
}
