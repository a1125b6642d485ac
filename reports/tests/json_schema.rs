//! Every JSON document the crate emits validates against the shipped schema, and the
//! schema's enumerations name every variant of the answer types.

mod common;

use common::fixture;
use hnsim_reports::{render_report, Format, RenderOptions, SCHEMA};
use hnsim_sim::matrix::*;
use serde_json::Value;

fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(SCHEMA).expect("schema is JSON");
    jsonschema::draft202012::new(&schema).expect("schema is a valid 2020-12 schema")
}

fn assert_valid(doc: &str) {
    let v: Value = serde_json::from_str(doc).expect("output is JSON");
    let validator = validator();
    let errors: Vec<String> = validator
        .iter_errors(&v)
        .take(10)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "schema violations:\n{}",
        errors.join("\n")
    );
}

#[test]
fn small_report_validates() {
    let out = render_report(&fixture::small(), Format::Json, &RenderOptions::default()).unwrap();
    assert_valid(&out);
}

#[test]
fn large_report_validates() {
    let out = render_report(&fixture::large(30), Format::Json, &RenderOptions::default()).unwrap();
    assert_valid(&out);
}

#[test]
fn report_round_trips() {
    let report = fixture::small();
    let out = render_report(&report, Format::Json, &RenderOptions::default()).unwrap();
    let back: Report = serde_json::from_str(&out).unwrap();
    assert_eq!(back, report);
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
}

/// Every variant of every enum the report carries, checked against the schema one by
/// one. The `match`es stop compiling when the sim crate adds a variant, so the schema
/// cannot silently fall behind.
#[test]
fn schema_lists_every_variant() {
    use DenyReason as D;
    use Mechanism as M;
    let reasons = [
        D::NoRoute,
        D::IsolatedNetwork,
        D::NotPublished,
        D::NatNoInbound,
        D::VlanMismatch,
        D::IcmpDroppedByVfpNat,
        D::MacSpoofingBlocked,
        D::Unsupported,
        D::FirewallBlocked,
        D::NotListening,
        D::NoAddress,
        D::EndpointDown,
        D::IccDisabled,
        D::MacvlanParent,
        D::PolicyDenied,
        D::InvalidDesign,
    ];
    for r in reasons {
        match r {
            D::NoRoute
            | D::IsolatedNetwork
            | D::NotPublished
            | D::NatNoInbound
            | D::VlanMismatch
            | D::IcmpDroppedByVfpNat
            | D::MacSpoofingBlocked
            | D::Unsupported
            | D::FirewallBlocked
            | D::NotListening
            | D::NoAddress
            | D::EndpointDown
            | D::IccDisabled
            | D::MacvlanParent
            | D::PolicyDenied
            | D::InvalidDesign => {}
        }
    }
    let mechanisms = [
        M::Vnic,
        M::VswitchBridge,
        M::ManagementVnic,
        M::WinNat,
        M::WinNatPortMapping,
        M::VfpNat,
        M::VxlanEncap,
        M::VxlanDecap,
        M::MacRewrite,
        M::PhysicalHostHairpin,
        M::SdnPolicy,
        M::VlanTag,
        M::PhysicalSegment,
        M::Routed,
        M::HostStack,
        M::HostFirewall,
        M::LinuxBridge,
        M::Dnat,
        M::Masquerade,
        M::Macvlan,
        M::Dns,
        M::Deliver,
        M::Drop,
    ];
    for m in mechanisms {
        match m {
            M::Vnic
            | M::VswitchBridge
            | M::ManagementVnic
            | M::WinNat
            | M::WinNatPortMapping
            | M::VfpNat
            | M::VxlanEncap
            | M::VxlanDecap
            | M::MacRewrite
            | M::PhysicalHostHairpin
            | M::SdnPolicy
            | M::VlanTag
            | M::PhysicalSegment
            | M::Routed
            | M::HostStack
            | M::HostFirewall
            | M::LinuxBridge
            | M::Dnat
            | M::Masquerade
            | M::Macvlan
            | M::Dns
            | M::Deliver
            | M::Drop => {}
        }
    }
    let kinds = [
        AddressKind::ContainerIp,
        AddressKind::HostPort,
        AddressKind::HostIp,
        AddressKind::Localhost,
        AddressKind::Name,
        AddressKind::External,
    ];
    for k in kinds {
        match k {
            AddressKind::ContainerIp
            | AddressKind::HostPort
            | AddressKind::HostIp
            | AddressKind::Localhost
            | AddressKind::Name
            | AddressKind::External => {}
        }
    }
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
    ];
    for v in &verdicts {
        match v {
            Verdict::Agree
            | Verdict::Disagree
            | Verdict::NotEmulated { .. }
            | Verdict::KnownDivergence { .. } => {}
        }
    }
    let node_kinds = [
        NodeKind::Endpoint,
        NodeKind::Host,
        NodeKind::Client,
        NodeKind::Internet,
    ];
    for k in node_kinds {
        match k {
            NodeKind::Endpoint | NodeKind::Host | NodeKind::Client | NodeKind::Internet => {}
        }
    }

    // One report that uses all of them.
    let mut report = fixture::small();
    let template = report.states[0].cells[0].clone();
    let state = &mut report.states[0];
    for (i, kind) in node_kinds.iter().enumerate() {
        state.nodes[i].kind = *kind;
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
        state.cells.push(c);
    }
    for m in mechanisms {
        let mut c = template.clone();
        c.path[0].mechanism = m;
        state.cells.push(c);
    }
    if let Some(conf) = report.conformance.as_mut() {
        for (i, v) in verdicts.iter().enumerate() {
            conf.cells[i].verdict = v.clone();
        }
    }
    let out = render_report(&report, Format::Json, &RenderOptions::default()).unwrap();
    assert_valid(&out);
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
        let cells: Vec<_> = state.cells.iter().collect();
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
