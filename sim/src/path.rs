//! Building blocks of an answer: hops, denials and the answer template a rule returns.
//!
//! Answers are computed once per pair of endpoint *classes* (see [`crate::classes`]) and
//! then instantiated per pair of endpoints. So that one computed answer can serve every
//! endpoint of a class, rules never write an endpoint's own IP or container name into
//! a hop: they write the tokens [`SRC_IP`], [`DST_IP`], [`SRC_NAME`], [`DST_NAME`],
//! which [`instantiate`](crate::engine) replaces with the concrete values.

use crate::matrix::{AddressKind, DenyReason, Hop, Mechanism};
use std::net::IpAddr;

/// The source endpoint's IP.
pub const SRC_IP: &str = "{s.ip}";
/// The destination endpoint's IP.
pub const DST_IP: &str = "{d.ip}";
/// The source endpoint's container name.
pub const SRC_NAME: &str = "{s.name}";
/// The destination endpoint's container name.
pub const DST_NAME: &str = "{d.name}";

pub fn hop(
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
pub struct Deny {
    pub reason: DenyReason,
    pub why: String,
    pub facts: Vec<String>,
    /// Where it is dropped (the `at` of the final Drop hop).
    pub at: String,
}

impl Deny {
    pub fn new(
        reason: DenyReason,
        at: impl Into<String>,
        why: impl Into<String>,
        facts: &[&str],
    ) -> Deny {
        Deny {
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
    /// wins (a VLAN or isolation rule says more than "no route").
    pub fn rank(&self) -> u8 {
        use DenyReason::*;
        match self.reason {
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
            NotListening => 10,
            Unsupported => 11,
            NoRoute => 12,
            NoAddress => 13,
            EndpointDown => 14,
            InvalidDesign => 15,
        }
    }
}

/// The address a source must use, before instantiation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AddrT {
    /// The destination endpoint's own IP (token), optionally with a port.
    ContainerIp { port: Option<u16> },
    /// A fixed address (host IP, host IP + published port, client, internet).
    Fixed {
        kind: AddressKind,
        value: String,
        ip: Option<IpAddr>,
        port: Option<u16>,
    },
}

impl AddrT {
    pub fn fixed(kind: AddressKind, ip: Option<IpAddr>, port: Option<u16>) -> AddrT {
        let value = match (ip, port) {
            (Some(ip), Some(p)) => format!("{ip}:{p}"),
            (Some(ip), None) => ip.to_string(),
            (None, _) if kind == AddressKind::External => "any public address".to_string(),
            (None, Some(p)) => format!("localhost:{p}"),
            (None, None) => "localhost".to_string(),
        };
        AddrT::Fixed {
            kind,
            value,
            ip,
            port,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Delivered,
    Denied(Deny),
    Unknown {
        why: String,
        facts: Vec<String>,
        at: String,
    },
}

/// What a rule answers for one (source, destination, probe): disposition, address and
/// path, with identity tokens in place of the endpoints' own IPs and names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub verdict: Verdict,
    pub address: Option<AddrT>,
    /// Name the destination is resolved by (DNS-1/2), possibly a token.
    pub name: Option<String>,
    pub hops: Vec<Hop>,
}

impl Answer {
    pub fn delivered(address: Option<AddrT>, hops: Vec<Hop>) -> Answer {
        Answer {
            verdict: Verdict::Delivered,
            address,
            name: None,
            hops,
        }
    }

    /// A denial: the path up to the drop point, then the Drop hop.
    pub fn denied(address: Option<AddrT>, mut hops: Vec<Hop>, deny: Deny) -> Answer {
        hops.push(deny.drop_hop());
        Answer {
            verdict: Verdict::Denied(deny),
            address,
            name: None,
            hops,
        }
    }

    pub fn unknown(
        address: Option<AddrT>,
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
            verdict: Verdict::Unknown {
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
        match &self.verdict {
            Verdict::Delivered => (0, 0, self.hops.len()),
            Verdict::Unknown { .. } => (1, 0, self.hops.len()),
            Verdict::Denied(d) => (2, d.rank(), self.hops.len()),
        }
    }
}

/// Picks the preferred answer among candidates (the first on ties, so rule order
/// breaks ties deterministically).
pub fn best(candidates: Vec<Answer>) -> Option<Answer> {
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
