//! Designs written from parameters (`hnsim gen`): for benchmarks at scale, and, drawn at
//! random from a seed (`hnsim gen --random`), for differential runs that simulate and
//! probe many designs nobody wrote by hand. Pure: the same parameters and seed always
//! give the same text, and nothing is read or written here.
//!
//! [`Params`] is what a design is made of ([`params`]), [`write`] turns it into
//! scenario YAML, [`random`] draws valid parameters from a seed, and [`tags`] names the
//! drivers, OS versions, features and SPEC facts a design exercises (written as
//! `tags:` and `covers:`).

mod params;
mod random;
pub mod tags;
mod write;

pub use params::{Driver, GenStep, Os, Params};
pub use random::random;
pub use write::write;

/// Parameters that cannot make a valid design: what is wrong and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct GenerateError(pub String);

#[cfg(test)]
mod tests;
