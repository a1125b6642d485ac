//! The hnsim domain model: hosts, vSwitches, networks, endpoints, segments and clients
//! of a container network design, the scenario file format, and design validation.
//!
//! This crate does no I/O beyond the text it is handed.

pub mod analysis;
pub mod design;
pub mod driver;
pub mod engine;
pub mod fact;
pub mod finding;
pub mod generate;
mod hash;
pub use hash::repeated_hashes;
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
pub use engine::EngineVersion;
pub use finding::{Finding, Invalid, Location, Severity, Subject};
pub use limits::Limits;
pub use os::OsVersion;
pub use parse::{parse_scenario, Document, ParseError};
pub use port::{PortMapping, PortProto, PortRange, Protocol};
pub use resolve::resolve;
pub use scenario::*;

/// How alike two names are (Jaro-Winkler, 0 to 1), for "did you mean" suggestions.
/// Jaro compares every character of one with a window of the other, so its cost grows
/// with the square of the length: a word longer than any name a suggestion could be
/// (a 64 KiB script variable substituted into a flag, say) is like none, at no cost.
pub(crate) fn similarity(given: &str, name: &str) -> f64 {
    const LONGEST_NAME: usize = 256;
    if given.len() > LONGEST_NAME || name.len() > LONGEST_NAME {
        return 0.0;
    }
    strsim::jaro_winkler(given, name)
}
