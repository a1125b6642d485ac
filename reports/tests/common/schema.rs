//! The published report schemas as validators: version 1 (every cell) and version 2 (by
//! class, whose `$ref`s into version 1 resolve offline through a registry).
#![allow(dead_code)]

use hnsim_reports::{SCHEMA, SCHEMA_V2};
use serde_json::Value;

const V1_ID: &str = "https://hnsim.invalid/schema/report.v1.schema.json";

pub fn v1() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(SCHEMA).expect("schema is JSON");
    jsonschema::draft202012::new(&schema).expect("schema is a valid 2020-12 schema")
}

pub fn v2() -> jsonschema::Validator {
    referring_to_v1(SCHEMA_V2)
}

/// A validator for `schema`, with the version 1 report schema registered under its
/// `$id` so that `$ref`s into its `$defs` resolve offline.
pub fn referring_to_v1(schema: &str) -> jsonschema::Validator {
    let v1: Value = serde_json::from_str(SCHEMA).expect("schema is JSON");
    let registry = jsonschema::Registry::new()
        .add(V1_ID, v1)
        .expect("v1 registers")
        .prepare()
        .expect("registry");
    let schema: Value = serde_json::from_str(schema).expect("schema is JSON");
    jsonschema::options()
        .with_registry(&registry)
        .build(&schema)
        .expect("schema compiles")
}

pub fn errors(validator: &jsonschema::Validator, v: &Value) -> Vec<String> {
    validator
        .iter_errors(v)
        .take(10)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// The violations of a report document against the schema of its own version.
pub fn violations(doc: &str) -> Vec<String> {
    let v: Value = serde_json::from_str(doc).expect("output is JSON");
    match v["schema_version"].as_u64() {
        Some(1) => errors(&v1(), &v),
        Some(2) => errors(&v2(), &v),
        other => vec![format!("schema_version {other:?}")],
    }
}
