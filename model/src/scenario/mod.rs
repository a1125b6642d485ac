//! The scenario file: one design, as the user wrote it.
//!
//! Field names are kebab-case, as in `daemon.json` (`fixed-cidr`) and Docker's own flags.
//! Every struct refuses unknown fields so that a typo is an error with a suggestion, not
//! a silently ignored setting. Defaults are what Docker/HNS do when a flag is omitted;
//! implicit objects (the default `nat`/`bridge` network, swarm service replicas, dynamic
//! IPs, ephemeral host ports) are filled in by [`crate::resolve`], not here, so that a
//! scenario serialises back to what the user wrote.

use crate::driver::Driver;
use crate::os::OsVersion;
use crate::port::{PortMapping, PortProto};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;
use std::collections::BTreeMap;
use std::net::IpAddr;

mod container;
mod host;
mod network;
mod step;

pub use container::*;
pub use host::*;
pub use network::*;
pub use step::*;

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_default<T: Default + PartialEq>(t: &T) -> bool {
    *t == T::default()
}

fn yes() -> bool {
    true
}

fn one() -> u32 {
    1
}

/// Where an object came from in the scenario text: its field path (`networks[2]`).
/// Filled in by the parser; not part of the file format.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Origin {
    pub path: String,
    /// True for objects [`crate::resolve`] added (default networks, replicas).
    pub implicit: bool,
}

impl Origin {
    /// The path of field `field` of the object: `hosts[0].nics` for `nics` of the first host.
    pub fn at(&self, field: &str) -> String {
        format!("{}.{field}", self.path)
    }
}

#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// SPEC fact IDs this scenario exercises (NAT-8, OVL-3, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub covers: Vec<String>,
    /// Free labels (`driver:nat`, `os:ws2019`, `feature:published-port`): what a design
    /// exercises, as `hnsim gen` writes them; nothing reads them but people and filters.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub segments: Vec<Segment>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<Host>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vswitches: Vec<VSwitch>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub networks: Vec<Network>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub containers: Vec<Container>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<Service>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clients: Vec<Client>,
    /// Optional timeline; checks and the matrix apply to the state after each step.
    /// Each step is a one-key map (`- reboot: win1`), not a YAML tag.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        with = "serde_yaml_ng::with::singleton_map_recursive"
    )]
    pub steps: Vec<Step>,
    /// What the test suite expects of this scenario.
    pub expect: Option<Expectations>,
    /// Set by the timeline once Docker's own networks (default `nat`/`bridge`, `ingress`)
    /// are explicit objects, so that resolution does not add back one a step removed.
    #[serde(skip)]
    pub defaults_materialized: bool,
}

impl Scenario {
    /// The names of the hosts in the swarm (managers and workers), in host order: where
    /// services place their tasks and overlays reach.
    pub fn swarm_nodes(&self) -> Vec<&str> {
        self.hosts
            .iter()
            .filter(|h| h.swarm != SwarmRole::None)
            .map(|h| h.name.as_str())
            .collect()
    }

    /// Each host's index by name (the first of a repeated name, as a lookup by name
    /// finds it), for resolving many references without a scan each.
    pub fn host_indices(&self) -> std::collections::HashMap<&str, usize> {
        let mut out = std::collections::HashMap::with_capacity(self.hosts.len());
        for (i, h) in self.hosts.iter().enumerate() {
            out.entry(h.name.as_str()).or_insert(i);
        }
        out
    }

    /// The index of segment `name` (a NIC's `segment`), for code that keeps per-segment
    /// tables parallel to `segments`.
    pub fn segment_index(&self, name: &str) -> Option<usize> {
        self.segments.iter().position(|s| s.name == name)
    }
}

/// A physical (or virtual) L2 segment: the LAN the hosts' NICs plug into.
#[skip_serializing_none]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Segment {
    pub name: String,
    pub subnet: IpNet,
    pub gateway: Option<IpAddr>,
    /// A DHCP server answers on this segment (TRANS-2 dynamic addressing).
    #[serde(default, skip_serializing_if = "is_false")]
    pub dhcp: bool,
    /// Addresses other devices on the segment already use (TRANS-3).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub used: Vec<IpAddr>,
    /// VLANs the switch ports carry tagged (OPT-3). Empty: access ports only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trunk_vlans: Vec<u16>,
    /// The gateway routes to the internet. Default true.
    #[serde(default = "yes", skip_serializing_if = "Clone::clone")]
    pub internet: bool,
    #[serde(skip)]
    pub origin: Origin,
}

/// What the test suite checks a scenario against.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Expectations {
    /// Exactly these finding codes (each once or more), and no other at warning or above.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<String>,
    /// Spot checks of matrix cells.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cells: Vec<ExpectedCell>,
}

#[skip_serializing_none]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ExpectedCell {
    pub from: String,
    pub to: String,
    /// `icmp`, `tcp/80`, `udp/53`.
    pub probe: String,
    /// `delivered`, `denied` or a denial reason such as `not-published`.
    pub disposition: String,
    /// Optional address the source must use, e.g. `10.0.0.10:8080`.
    pub address: Option<String>,
}
