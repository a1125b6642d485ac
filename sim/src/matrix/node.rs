//! The matrix's sources and destinations.

use super::Probe;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;
use std::net::IpAddr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeKind {
    /// One container's attachment to one network (a vNIC, ARCH-1).
    Endpoint,
    /// A container host itself (its host compartment / management vNIC).
    Host,
    /// An external client on a segment.
    Client,
    /// "The internet", beyond the segments' gateways.
    Internet,
}

/// A source or destination.
#[skip_serializing_none]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// Stable id: `web@mynat` (endpoint: container@network), `host:win1`,
    /// `client:laptop`, `internet`.
    pub id: String,
    pub kind: NodeKind,
    pub label: String,
    pub host: Option<String>,
    pub container: Option<String>,
    pub service: Option<String>,
    pub network: Option<String>,
    pub driver: Option<String>,
    pub ip: Option<IpAddr>,
    /// Ports the node listens on (`tcp/80`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub listens: Vec<Probe>,
    /// What the node is in the design, by typed id, so that a consumer (a conformance
    /// backend) finds the container, attachment, host or client without parsing `id`.
    /// Absent only in reports written before it existed.
    pub design_id: Option<DesignId>,
}

impl Node {
    /// A node known only by its id, kind and label; the rest is filled in where it is
    /// known (the sim's parties, hand-built matrices of tests).
    pub fn new(id: impl Into<String>, kind: NodeKind, label: impl Into<String>) -> Node {
        Node {
            id: id.into(),
            kind,
            label: label.into(),
            host: None,
            container: None,
            service: None,
            network: None,
            driver: None,
            ip: None,
            listens: vec![],
            design_id: None,
        }
    }
}

/// A node's identity in the design.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "of", rename_all = "kebab-case")]
pub enum DesignId {
    Endpoint(EndpointId),
    Host { host: String },
    Client { client: String },
    Internet,
}

/// One container's attachment to one network (ARCH-1).
#[skip_serializing_none]
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EndpointId {
    pub container: String,
    /// Position of the attachment in the container's `networks`.
    pub attachment: usize,
    /// `None` when the attachment names a network that does not exist.
    pub network: Option<NetworkId>,
}

/// A network: host-local (`host` set) or swarm-scoped (`host` absent, OVL-1).
#[skip_serializing_none]
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NetworkId {
    pub name: String,
    pub host: Option<String>,
}
