//! The objects of the resolved design, as the reports draw them.

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;
use std::net::IpAddr;

/// What the report draws: the objects of the resolved design.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Topology {
    pub segments: Vec<TopoSegment>,
    pub hosts: Vec<TopoHost>,
    pub vswitches: Vec<TopoVswitch>,
    pub networks: Vec<TopoNetwork>,
    pub endpoints: Vec<TopoEndpoint>,
    pub clients: Vec<TopoClient>,
}

#[skip_serializing_none]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TopoSegment {
    pub name: String,
    pub subnet: String,
    pub gateway: Option<IpAddr>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TopoHost {
    pub name: String,
    pub os: String,
    pub machine: String,
    pub nics: Vec<TopoNic>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TopoNic {
    pub name: String,
    pub ip: String,
    pub segment: String,
}

#[skip_serializing_none]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TopoVswitch {
    /// `win1/nat`: host-qualified.
    pub id: String,
    pub host: String,
    /// internal / external / private / linux-bridge
    pub kind: String,
    pub nic: Option<String>,
    /// Ids of the networks on this vSwitch.
    pub networks: Vec<String>,
}

#[skip_serializing_none]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TopoNetwork {
    /// `win1/mynat`, or `swarm/ovl` for swarm-scoped networks.
    pub id: String,
    pub name: String,
    pub host: Option<String>,
    pub driver: String,
    pub subnets: Vec<String>,
    pub vlan: Option<u16>,
    pub vni: Option<u32>,
}

#[skip_serializing_none]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TopoEndpoint {
    /// Same as the matrix node id.
    pub node: String,
    pub container: String,
    pub host: String,
    /// Network id.
    pub network: String,
    pub ip: Option<IpAddr>,
}

#[skip_serializing_none]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TopoClient {
    pub node: String,
    pub name: String,
    pub segment: Option<String>,
    pub ip: Option<IpAddr>,
}
