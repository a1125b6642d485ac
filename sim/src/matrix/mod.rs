//! The answer types: what `sim` computes, what `conformance` observes, what `reports`
//! renders. One set of types serves all three, so one comparison and one set of
//! renderers work for simulated and observed matrices alike.
//!
//! These types are serialized as the JSON report (`--json`); the schema is versioned by
//! [`SCHEMA_VERSION`] and changes to it are additive within a version.

use hnsim_model::Finding;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

/// Version of the JSON report schema. Bump on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// Everything `hnsim sim` (and `hnsim conform`) says about one scenario.
#[skip_serializing_none]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: u32,
    pub scenario: ScenarioInfo,
    /// Findings of `check`, for every state of the timeline.
    pub findings: Vec<Finding>,
    pub topology: Topology,
    /// One matrix per state: the initial design, then the state after each step. The last
    /// one is the final state. A scenario without steps has exactly one.
    pub states: Vec<StateMatrix>,
    /// Present when the matrix was also probed on a real dataplane: the comparison of
    /// the last state probed (the final state).
    pub conformance: Option<Conformance>,
    /// The comparisons of the timeline's earlier states, in order, when each state was
    /// realized and probed in turn.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earlier_conformance: Vec<Conformance>,
}

impl Report {
    pub fn final_state(&self) -> Option<&StateMatrix> {
        self.states.last()
    }
    /// Every comparison, in state order.
    pub fn conformances(&self) -> impl Iterator<Item = &Conformance> {
        self.earlier_conformance.iter().chain(&self.conformance)
    }
    /// The comparison of state `index`, when it was probed.
    pub fn conformance_of(&self, index: usize) -> Option<&Conformance> {
        self.conformances().find(|c| c.state == index)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ScenarioInfo {
    pub name: String,
    pub file: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub covers: Vec<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub delivered: usize,
    pub denied: usize,
    pub unknown: usize,
}

mod by_class;
mod cell;
mod conformance;
mod node;
mod node_list;
mod probe;
mod state;
mod template;
mod topology;

pub use by_class::{ReadError, ReportByClass, StateByClass, BY_CLASS_SCHEMA_VERSION};
pub use cell::*;
pub use conformance::*;
pub use node::*;
pub use node_list::NodeList;
pub(crate) use node_list::{EndpointRow, EndpointRows};
pub use probe::*;
pub(crate) use state::ByClass;
pub use state::{Class, PairAnswers, StateMatrix};
pub(crate) use template::TableBuilder;
pub use template::*;
pub use topology::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes_parse_and_print() {
        for (text, probe) in [
            ("icmp", Probe::Icmp),
            ("tcp/80", Probe::Tcp(80)),
            ("udp/53", Probe::Udp(53)),
        ] {
            assert_eq!(text.parse::<Probe>().unwrap(), probe);
            assert_eq!(probe.to_string(), text);
        }
        assert_eq!("80/tcp".parse::<Probe>().unwrap(), Probe::Tcp(80));
        assert!("sctp/1".parse::<Probe>().is_err());
        assert!("tcp/0".parse::<Probe>().is_err());
    }

    #[test]
    fn disposition_json_is_tagged() {
        let d = Disposition::Denied {
            reason: DenyReason::NotPublished,
            why: "port 80 is not published".into(),
        };
        let v = serde_json::to_value(&d).unwrap();
        assert_eq!(v["outcome"], "denied");
        assert_eq!(v["reason"], "not-published");
        assert_eq!(
            DenyReason::IcmpDroppedByVfpNat.to_string(),
            "icmp-dropped-by-vfp-nat"
        );
    }
}
