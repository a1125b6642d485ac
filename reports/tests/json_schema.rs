//! Every JSON document the crate emits validates against the shipped schema, and the
//! schema's enumerations name every variant of the answer types.

mod common;

use common::fixture;
use hnsim_reports::{
    every_variant, glossary, render_report, Format, RenderOptions, ReportSchema, SCHEMA,
};
use hnsim_sim::matrix::*;
use serde_json::Value;

use common::schema::{errors, v2 as validator_v2, violations};

fn validator() -> jsonschema::Validator {
    common::schema::v1()
}

fn v1() -> RenderOptions {
    RenderOptions {
        schema: ReportSchema::V1,
        ..RenderOptions::default()
    }
}

/// Valid against the schema of its own version (`schema_version`).
fn assert_valid(doc: &str) {
    let found = violations(doc);
    assert!(found.is_empty(), "schema violations:\n{}", found.join("\n"));
}

#[test]
fn small_report_validates() {
    for opts in [RenderOptions::default(), v1()] {
        assert_valid(&render_report(&fixture::small(), Format::Json, &opts).unwrap());
    }
}

#[test]
fn large_report_validates() {
    for opts in [RenderOptions::default(), v1()] {
        assert_valid(&render_report(&fixture::large(30), Format::Json, &opts).unwrap());
    }
}

/// Both documents read back to the same report: version 1 by serde, both by
/// `Report::from_json`.
#[test]
fn report_round_trips() {
    let report = fixture::small();
    let out = render_report(&report, Format::Json, &v1()).unwrap();
    let back: Report = serde_json::from_str(&out).unwrap();
    assert_eq!(back, report);
    assert_eq!(Report::from_json(&out).unwrap(), report);
    let out = render_report(&report, Format::Json, &RenderOptions::default()).unwrap();
    let back = Report::from_json(&out).unwrap();
    assert_eq!(back, report);
    assert_eq!(back.conformance, report.conformance);
    // A simulated report, whose states share one table of answers.
    let doc = hnsim_model::parse_scenario(
        "t.yaml",
        "name: t\nhosts:\n  - {name: d1, os: linux}\ncontainers:\n  - {name: a, host: d1, ports: ['8080:80']}\n  - {name: b, host: d1}\nsteps:\n  - stop: b\n",
    )
    .unwrap();
    let report = hnsim_sim::simulate(&doc);
    let out = render_report(&report, Format::Json, &RenderOptions::default()).unwrap();
    assert_valid(&out);
    assert_eq!(Report::from_json(&out).unwrap(), report);
}

#[test]
fn schema_rejects_what_it_should() {
    let report = fixture::small();
    let mut v = serde_json::to_value(&report).unwrap();
    let validator = validator();
    assert!(validator.is_valid(&v));
    v["states"][0]["cells"][0]["probe"] = "sctp/9".into();
    assert!(!validator.is_valid(&v), "a bad probe must fail");
    let mut v = serde_json::to_value(&report).unwrap();
    v["states"][0]["cells"][0]["disposition"] = serde_json::json!({"outcome": "denied"});
    assert!(!validator.is_valid(&v), "a denial without reason must fail");
    let mut v = serde_json::to_value(&report).unwrap();
    v["schema_version"] = 2.into();
    assert!(!validator.is_valid(&v), "another schema version must fail");

    let out = render_report(&report, Format::Json, &RenderOptions::default()).unwrap();
    let good: Value = serde_json::from_str(&out).unwrap();
    let v2 = validator_v2();
    assert!(v2.is_valid(&good), "{:?}", errors(&v2, &good));
    let mut v = good.clone();
    v["lists"][0][0][0] = "sctp/9".into();
    assert!(!v2.is_valid(&v), "a bad probe in a list must fail");
    let mut v = good.clone();
    v["states"][0]["class_pairs"] = serde_json::json!([[0, 1]]);
    assert!(!v2.is_valid(&v), "a class pair without its list must fail");
    let mut v = good.clone();
    v["answers"][0]["address"] = serde_json::json!({"template": "container-ip", "port": 0});
    assert!(!v2.is_valid(&v), "port 0 must fail");
    let mut v = good.clone();
    v["schema_version"] = 1.into();
    assert!(!v2.is_valid(&v), "another schema version must fail");
    // What the schema cannot see, the reader refuses (never a panic).
    let mut v = good.clone();
    v["states"][0]["class_pairs"] = serde_json::json!([[0, 0, 99999]]);
    assert!(Report::from_json(&v.to_string()).is_err());
    let mut v = good;
    v["states"][0]["classes"] = serde_json::json!([[0, 99999]]);
    assert!(Report::from_json(&v.to_string()).is_err());
}

/// Every variant of every enum the report carries, checked against the schema one by
/// one. The `match`es stop compiling when the sim crate adds a variant, so the schema
/// cannot silently fall behind.
#[test]
fn schema_lists_every_variant() {
    let reasons = glossary::REASONS;
    let mechanisms = glossary::MECHANISMS;
    let kinds = every_variant!(AddressKind:
        AddressKind::ContainerIp,
        AddressKind::HostPort,
        AddressKind::HostIp,
        AddressKind::Localhost,
        AddressKind::Name,
        AddressKind::External,
    );
    let outcomes = [
        ProbeOutcome::Reply,
        ProbeOutcome::Timeout,
        ProbeOutcome::Refused,
        ProbeOutcome::Unreachable,
        ProbeOutcome::NotEmulated { why: "w".into() },
        ProbeOutcome::Error {
            message: "m".into(),
        },
    ];
    for o in &outcomes {
        match o {
            ProbeOutcome::Reply
            | ProbeOutcome::Timeout
            | ProbeOutcome::Refused
            | ProbeOutcome::Unreachable
            | ProbeOutcome::NotEmulated { .. }
            | ProbeOutcome::Error { .. } => {}
        }
    }
    let verdicts = [
        Verdict::Agree,
        Verdict::Disagree,
        Verdict::NotEmulated { why: "w".into() },
        Verdict::KnownDivergence { why: "w".into() },
        Verdict::Undecided {
            why: "w".into(),
            delivered: false,
        },
    ];
    for v in &verdicts {
        match v {
            Verdict::Agree
            | Verdict::Disagree
            | Verdict::NotEmulated { .. }
            | Verdict::KnownDivergence { .. }
            | Verdict::Undecided { .. } => {}
        }
    }
    let node_kinds = every_variant!(NodeKind:
        NodeKind::Endpoint,
        NodeKind::Host,
        NodeKind::Client,
        NodeKind::Internet,
    );

    // One report that uses all of them.
    let mut report = fixture::small();
    let mut cells: Vec<Cell> = report.states[0].cells().collect();
    let template = cells[0].clone();
    let mut nodes = report.states[0].nodes.clone();
    for (i, kind) in node_kinds.iter().enumerate() {
        nodes[i].kind = *kind;
    }
    for (i, r) in reasons.iter().enumerate() {
        let mut c = template.clone();
        c.disposition = Disposition::Denied {
            reason: *r,
            why: "w".into(),
        };
        c.path[0].mechanism = mechanisms[i % mechanisms.len()];
        c.address = Some(Address {
            kind: kinds[i % kinds.len()],
            value: "v".into(),
            ip: None,
            port: Some(1),
            name: None,
        });
        c.observation = Some(Observation {
            backend: "b".into(),
            sent: "s".into(),
            to: "t".into(),
            outcome: outcomes[i % outcomes.len()].clone(),
            rtt_ms: Some(1.5),
            attempts: 1,
            repro: String::new(),
        });
        cells.push(c);
    }
    for m in mechanisms {
        let mut c = template.clone();
        c.path[0].mechanism = m;
        cells.push(c);
    }
    report.states[0] = StateMatrix::from_cells(None, "initial design", nodes, cells);
    if let Some(conf) = report.conformance.as_mut() {
        for (i, v) in verdicts.iter().enumerate() {
            conf.cells[i].verdict = v.clone();
        }
    }
    for opts in [RenderOptions::default(), v1()] {
        assert_valid(&render_report(&report, Format::Json, &opts).unwrap());
    }
}

/// The report schema with its root replaced, so the other JSON documents are held to
/// the same `$defs`.
fn derived(root: serde_json::Value) -> jsonschema::Validator {
    let mut schema: Value = serde_json::from_str(SCHEMA).unwrap();
    let obj = schema.as_object_mut().unwrap();
    for key in ["type", "required", "properties"] {
        obj.remove(key);
    }
    for (k, v) in root.as_object().unwrap() {
        obj.insert(k.clone(), v.clone());
    }
    jsonschema::draft202012::new(&schema).unwrap()
}

#[test]
fn findings_and_trace_documents_validate() {
    use hnsim_reports::{render_findings, render_trace};
    let findings = derived(serde_json::json!({
        "type": "array",
        "items": { "$ref": "#/$defs/finding" }
    }));
    let out = render_findings(
        &fixture::findings(),
        Format::Json,
        &RenderOptions::default(),
    )
    .unwrap();
    let v: Value = serde_json::from_str(&out).unwrap();
    assert!(findings.is_valid(&v), "{out}");
    let mut bad = v.clone();
    bad[0]["severity"] = "fatal".into();
    assert!(!findings.is_valid(&bad));

    let trace = derived(serde_json::json!({
        "type": "object",
        "required": ["schema_version", "state", "cells"],
        "properties": {
            "schema_version": { "const": 1 },
            "state": {
                "type": "object",
                "required": ["step", "label"],
                "properties": {
                    "step": { "type": ["integer", "null"] },
                    "label": { "type": "string" }
                }
            },
            "cells": { "type": "array", "items": { "$ref": "#/$defs/cell" } }
        }
    }));
    let report = fixture::small();
    for state in &report.states {
        let cells: Vec<_> = state.cells().collect();
        let out = render_trace(state, &cells, Format::Json, &RenderOptions::default()).unwrap();
        let v: Value = serde_json::from_str(&out).unwrap();
        let errors: Vec<String> = trace
            .iter_errors(&v)
            .take(5)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
    }
}
