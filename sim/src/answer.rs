//! What a rule answers for one (source, destination, probe): the outcome, the address
//! the source must use and the hops, before they become a matrix cell.
//!
//! Answers are computed once per pair of endpoint *classes* (see [`crate::classes`]) and
//! then instantiated per pair of endpoints. So that one computed answer can serve every
//! endpoint of a class, rules never write an endpoint's own IP or container name into
//! a hop: they write the tokens [`SRC_IP`], [`DST_IP`], [`SRC_NAME`], [`DST_NAME`],
//! which [`crate::matrix::AnswerTable::cell`] replaces with the concrete values.

use crate::matrix::{DenyReason, Hop, Mechanism};

pub(crate) use crate::matrix::{AddressTemplate, DST_IP, DST_NAME, SRC_IP, SRC_NAME};

pub(crate) fn hop(
    at: impl Into<String>,
    mechanism: Mechanism,
    detail: impl Into<String>,
    facts: &[&str],
) -> Hop {
    Hop {
        at: at.into(),
        mechanism,
        detail: detail.into(),
        facts: facts.iter().map(|f| f.to_string()).collect(),
    }
}

/// Why a flow stops, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Denial {
    pub reason: DenyReason,
    pub why: String,
    pub facts: Vec<String>,
    /// Where it is dropped (the `at` of the final Drop hop).
    pub at: String,
}

impl Denial {
    pub fn new(
        reason: DenyReason,
        at: impl Into<String>,
        why: impl Into<String>,
        facts: &[&str],
    ) -> Denial {
        Denial {
            reason,
            why: why.into(),
            facts: facts.iter().map(|f| f.to_string()).collect(),
            at: at.into(),
        }
    }

    pub fn drop_hop(&self) -> Hop {
        Hop {
            at: self.at.clone(),
            mechanism: Mechanism::Drop,
            detail: self.why.clone(),
            facts: self.facts.clone(),
        }
    }

    /// Ranks denials when several candidate paths fail: the most specific explanation
    /// wins (a VLAN or isolation rule says more than "no route"). A path that reaches
    /// the destination, where nothing listens, wins over every network denial: the
    /// network is not what stops that flow.
    pub fn rank(&self) -> u8 {
        use DenyReason::*;
        match self.reason {
            NotListening => 0,
            MacvlanParent => 0,
            IsolatedNetwork => 1,
            VlanMismatch => 2,
            MacSpoofingBlocked => 3,
            IcmpDroppedByVfpNat => 4,
            FirewallBlocked => 5,
            IccDisabled => 6,
            NotPublished => 7,
            NatNoInbound => 8,
            PolicyDenied => 9,
            Unsupported => 11,
            NoRoute => 12,
            NoAddress => 13,
            EndpointDown => 14,
            InvalidDesign => 15,
        }
    }
}

/// Delivered, denied (where and why), or undecided (why).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    Delivered,
    Denied(Denial),
    Unknown {
        why: String,
        facts: Vec<String>,
        at: String,
    },
}

/// What a rule answers for one (source, destination, probe): outcome, address and
/// path, with identity tokens in place of the endpoints' own IPs and names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Answer {
    pub outcome: Outcome,
    pub address: Option<AddressTemplate>,
    /// Name the destination is resolved by (DNS-1/2), possibly a token.
    pub name: Option<String>,
    pub hops: Vec<Hop>,
}

impl Answer {
    pub fn delivered(address: Option<AddressTemplate>, hops: Vec<Hop>) -> Answer {
        Answer {
            outcome: Outcome::Delivered,
            address,
            name: None,
            hops,
        }
    }

    /// A denial: the path up to the drop point, then the Drop hop.
    pub fn denied(address: Option<AddressTemplate>, mut hops: Vec<Hop>, denial: Denial) -> Answer {
        hops.push(denial.drop_hop());
        Answer {
            outcome: Outcome::Denied(denial),
            address,
            name: None,
            hops,
        }
    }

    pub fn unknown(
        address: Option<AddressTemplate>,
        mut hops: Vec<Hop>,
        at: &str,
        why: String,
        facts: &[&str],
    ) -> Answer {
        let facts: Vec<String> = facts.iter().map(|f| f.to_string()).collect();
        hops.push(Hop {
            at: at.to_string(),
            mechanism: Mechanism::Drop,
            detail: format!("undecided: {why}"),
            facts: facts.clone(),
        });
        Answer {
            outcome: Outcome::Unknown {
                why,
                facts,
                at: at.to_string(),
            },
            address,
            name: None,
            hops,
        }
    }

    /// Order of preference between candidate answers: delivered, then undecided, then
    /// the most specific denial; on ties the shortest path (the nearest explanation).
    pub fn preference(&self) -> (u8, u8, usize) {
        match &self.outcome {
            Outcome::Delivered => (0, 0, self.hops.len()),
            Outcome::Unknown { .. } => (1, 0, self.hops.len()),
            Outcome::Denied(d) => (2, d.rank(), self.hops.len()),
        }
    }
}

/// Picks the preferred answer among candidates (the first on ties, so rule order
/// breaks ties deterministically).
pub(crate) fn best(candidates: Vec<Answer>) -> Option<Answer> {
    let mut best: Option<Answer> = None;
    for c in candidates {
        let better = match &best {
            None => true,
            Some(b) => c.preference() < b.preference(),
        };
        if better {
            best = Some(c);
        }
    }
    best
}
