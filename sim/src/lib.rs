//! The hnsim simulation engine: from a resolved design to an explained connectivity
//! matrix. Pure computation: no OS calls.

pub mod matrix;

pub use matrix::*;
