//! The hnsim domain model: hosts, vSwitches, networks, endpoints, segments and clients
//! of a container network design, the scenario file format, and design validation.
//!
//! This crate does no I/O beyond the text it is handed.

pub mod analysis;
pub mod design;
pub mod driver;
pub mod fact;
pub mod finding;
pub mod generate;
mod hash;
pub mod import;
pub mod limits;
pub mod os;
pub mod parse;
pub mod port;
pub mod reduce;
pub mod resolve;
pub mod rules;
pub mod scenario;
pub mod source_map;
pub mod timeline;

pub use analysis::{analyse, AnalysedState, Analysis};
pub use design::{Design, Endpoint, IpSource, PortForward, Published};
pub use driver::Driver;
pub use finding::{Finding, Invalid, Location, Severity, Subject};
pub use limits::Limits;
pub use os::OsVersion;
pub use parse::{parse_scenario, Document, ParseError};
pub use port::{PortMapping, PortProto, PortRange, Protocol};
pub use resolve::resolve;
pub use scenario::*;
