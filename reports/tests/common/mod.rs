//! Shared by the report tests; each test binary uses part of it.
#![allow(dead_code)]

pub mod fixture;
pub mod large;
pub mod schema;

/// The formats that render findings and traces as well as reports.
pub const TEXT_FORMATS: [hnsim_reports::Format; 4] = [
    hnsim_reports::Format::Terminal,
    hnsim_reports::Format::Markdown,
    hnsim_reports::Format::Junit,
    hnsim_reports::Format::Json,
];
