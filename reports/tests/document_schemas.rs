//! The documents of `check`, `trace` and `diff` validate against their published
//! schemas, which reference the report schema's `$defs`; and the schemas reject what
//! they should.

mod common;

use common::{fixture, schema};
use hnsim_reports::{
    render_check, render_diff, render_trace, Checked, CheckedInput, DiffDoc, Format, RenderOptions,
    CHECK_SCHEMA, DIFF_SCHEMA, TRACE_SCHEMA,
};
use serde_json::Value;

/// The violations of `doc` against `schema`, whose `$ref`s into the report schema
/// resolve offline.
fn validate(schema: &str, doc: &str) -> Vec<String> {
    let v: Value = serde_json::from_str(doc).expect("document is JSON");
    schema::errors(&schema::referring_to_v1(schema), &v)
}

fn checked() -> Checked {
    Checked {
        inputs: vec![
            CheckedInput {
                file: "a.yaml".into(),
                error: None,
            },
            CheckedInput {
                file: "b.yaml".into(),
                error: Some("b.yaml:1:1: bad".into()),
            },
        ],
        findings: fixture::findings(),
    }
}

#[test]
fn check_document_validates_and_bad_ones_do_not() {
    let out = render_check(&checked(), Format::Json, &RenderOptions::default()).unwrap();
    let errors = validate(CHECK_SCHEMA, &out);
    assert!(errors.is_empty(), "{errors:?}\n{out}");
    let mut bad: Value = serde_json::from_str(&out).unwrap();
    bad["findings"][0]["severity"] = "fatal".into();
    assert!(!validate(CHECK_SCHEMA, &bad.to_string()).is_empty());
    let mut bad: Value = serde_json::from_str(&out).unwrap();
    bad.as_object_mut().unwrap().remove("inputs");
    assert!(!validate(CHECK_SCHEMA, &bad.to_string()).is_empty());
}

#[test]
fn trace_document_validates() {
    let report = fixture::small();
    for state in &report.states {
        let cells: Vec<_> = state.cells().collect();
        let out = render_trace(state, &cells, Format::Json, &RenderOptions::default()).unwrap();
        let errors = validate(TRACE_SCHEMA, &out);
        assert!(errors.is_empty(), "{errors:?}");
    }
    let bad =
        r#"{"schema_version": 1, "state": {"step": null, "label": "x"}, "cells": [{"from": "a"}]}"#;
    assert!(!validate(TRACE_SCHEMA, bad).is_empty());
}

#[test]
fn diff_document_validates() {
    let report = fixture::small();
    let state = &report.states[0];
    let mut cells: Vec<_> = state.cells().collect();
    cells.truncate(cells.len() / 2);
    cells[0].disposition = hnsim_sim::Disposition::Unknown { why: "w".into() };
    let other = hnsim_sim::StateMatrix::from_cells(
        state.step,
        state.label.clone(),
        state.nodes.clone(),
        cells,
    );
    let changes = hnsim_sim::diff(state, &other);
    assert!(!changes.is_empty());
    let doc = DiffDoc {
        schema_version: 1,
        before: "a.yaml".into(),
        after: "b.yaml".into(),
        changes,
    };
    let out = render_diff(&doc, Format::Json).unwrap();
    let errors = validate(DIFF_SCHEMA, &out);
    assert!(errors.is_empty(), "{errors:?}");
    let mut bad: Value = serde_json::from_str(&out).unwrap();
    bad["changes"][0]["probe"] = "sctp/1".into();
    assert!(!validate(DIFF_SCHEMA, &bad.to_string()).is_empty());
}

/// Every format either renders a diff and a check result or refuses with a message
/// naming the formats that work: never silently something else.
#[test]
fn every_format_renders_or_refuses_clearly() {
    let report = fixture::small();
    let doc = DiffDoc {
        schema_version: 1,
        before: "a".into(),
        after: "b".into(),
        changes: hnsim_sim::diff(&report.states[0], &report.states[0]),
    };
    for f in Format::ALL {
        match render_diff(&doc, f) {
            Ok(text) => assert!(!text.is_empty(), "{f}"),
            Err(e) => assert!(e.to_string().contains("cannot render a diff; use"), "{e}"),
        }
        match render_check(&checked(), f, &RenderOptions::default()) {
            Ok(text) => assert!(!text.is_empty(), "{f}"),
            Err(e) => assert!(e.to_string().contains("cannot render findings; use"), "{e}"),
        }
    }
    let yaml = render_diff(&doc, Format::Yaml).unwrap();
    assert!(yaml.contains("schema_version: 1"), "{yaml}");
}
