//! SARIF 2.1.0 (OASIS Static Analysis Results Interchange Format), the format GitHub code
//! scanning uploads: one run of the `hnsim` tool, one rule per finding code (with its
//! long form and facts, from the rule registry), one result per finding located at its
//! file, line and column.

use crate::check::Checked;
use crate::json::pretty;
use crate::RenderError;
use hnsim_model::{rules, Finding, Severity};
use serde_json::{json, Value};

/// The findings alone (`sim --format sarif`).
pub fn findings(findings: &[Finding]) -> Result<String, RenderError> {
    pretty(&log(findings, &[]))
}

/// `check --format sarif`: unreadable inputs become tool execution notifications, so
/// the upload shows that the run did not see every file.
pub fn check(c: &Checked) -> Result<String, RenderError> {
    let errors: Vec<(&str, &str)> = c
        .inputs
        .iter()
        .filter_map(|i| i.error.as_deref().map(|e| (i.file.as_str(), e)))
        .collect();
    pretty(&log(&c.findings, &errors))
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A file name as a SARIF URI reference: relative paths stay relative (GitHub resolves
/// them against the repository root), absolute ones become `file://` URIs.
pub fn uri(file: &str) -> String {
    let slashed = file.replace('\\', "/");
    let encoded: String = slashed
        .chars()
        .map(|c| match c {
            ' ' => "%20".to_string(),
            '%' => "%25".to_string(),
            '#' => "%23".to_string(),
            '?' => "%3F".to_string(),
            c => c.to_string(),
        })
        .collect();
    if encoded.starts_with('/') {
        format!("file://{encoded}")
    } else if encoded.as_bytes().get(1) == Some(&b':') {
        format!("file:///{encoded}")
    } else {
        encoded
    }
}

fn log(findings: &[Finding], unreadable: &[(&str, &str)]) -> Value {
    let mut codes: Vec<&str> = findings.iter().map(|f| f.code.as_str()).collect();
    codes.sort_unstable();
    codes.dedup();
    let rules: Vec<Value> = codes
        .iter()
        .map(|code| match rules::rule(code) {
            Some(r) => json!({
                "id": r.code,
                "name": r.code,
                "shortDescription": { "text": r.title() },
                "fullDescription": { "text": r.explanation() },
                "help": { "text": r.help() },
                "defaultConfiguration": { "level": level(r.severity()) },
                "properties": { "tags": r.facts() },
            }),
            None => json!({ "id": code }),
        })
        .collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let mut physical = json!({ "artifactLocation": { "uri": uri(&f.location.file) } });
            if f.location.line > 0 {
                let mut region = json!({ "startLine": f.location.line });
                if f.location.column > 0 {
                    region["startColumn"] = f.location.column.into();
                }
                physical["region"] = region;
            }
            let mut text = f.message.clone();
            if !f.help.is_empty() {
                text.push_str("\nhelp: ");
                text.push_str(&f.help);
            }
            let mut location = json!({ "physicalLocation": physical });
            if !f.location.path.is_empty() {
                location["logicalLocations"] =
                    json!([{ "fullyQualifiedName": f.location.path, "kind": "member" }]);
            }
            let mut properties = json!({ "facts": f.facts });
            if let Some(step) = f.step {
                properties["afterStep"] = (step + 1).into();
            }
            json!({
                "ruleId": f.code,
                "ruleIndex": codes.iter().position(|c| *c == f.code).unwrap_or(0),
                "level": level(f.severity),
                "message": { "text": text },
                "locations": [location],
                "properties": properties,
            })
        })
        .collect();
    let notifications: Vec<Value> = unreadable
        .iter()
        .map(|(file, error)| {
            json!({
                "level": "error",
                "message": { "text": error },
                "locations": [{ "physicalLocation": { "artifactLocation": { "uri": uri(file) } } }],
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "hnsim",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "invocations": [{
                "executionSuccessful": unreadable.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::uri;

    #[test]
    fn file_names_become_uri_references() {
        assert_eq!(uri("scenarios/a b.yaml"), "scenarios/a%20b.yaml");
        assert_eq!(uri("/tmp/x.yaml"), "file:///tmp/x.yaml");
        assert_eq!(uri("C:\\s\\x.yaml"), "file:///C:/s/x.yaml");
    }
}
