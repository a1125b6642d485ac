//! Output conventions every command follows: the format comes from `--format` or the
//! `-o` file's extension; a format a command cannot produce is refused (exit 2, naming
//! the ones it can), never replaced by text; JSON documents hold to their published
//! schemas; SARIF, GitHub annotations and JUnit name files relative to the working
//! directory with their lines; `sim --deny`; `import` reports what `check` reports;
//! drawings show the state asked for.

use crate::common::*;
use serde_json::Value;

const PITFALL: &str = "scenarios/users/ws2016-second-nat-network.yaml";
const DESIGN: &str = "scenarios/designs/nat-multi-node-port-mappings.yaml";

fn out_file(test: &str, name: &str) -> std::path::PathBuf {
    let f = input(test, name, "");
    std::fs::remove_file(&f).expect("fresh output file");
    f
}

fn read(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_output_file_extension_picks_the_format() {
    let cases = [
        ("report.html", "<!DOCTYPE html>"),
        ("report.json", "\"schema_version\""),
        ("report.yaml", "schema_version: 2"),
        ("report.xml", "<testsuites"),
        ("report.md", "|"),
        ("report.dot", "graph"),
        ("report.mmd", "flowchart"),
        ("report.sarif", "\"version\": \"2.1.0\""),
    ];
    for (name, marker) in cases {
        let f = out_file("extension", name);
        let o = hnsim(&["sim", DESIGN, "-o", p(&f)]);
        assert_eq!(code(&o), 0, "{name}: {}", both(&o));
        let text = read(&f);
        assert!(text.contains(marker), "{name} lacks {marker}:\n{text:.300}");
        assert!(!text.contains("── state"), "{name} is terminal text");
    }
    // --format wins over the extension.
    let f = out_file("extension", "forced.html");
    let o = hnsim(&["sim", DESIGN, "--format", "markdown", "-o", p(&f)]);
    assert_exit(&o, 0);
    assert!(!read(&f).contains("<!DOCTYPE html>"));
}

#[test]
fn a_format_a_command_cannot_produce_is_refused() {
    let trace = [
        "trace", DESIGN, "--from", "app@nat", "--to", "web@nat", "--format", "dot",
    ];
    let diff = ["diff", DESIGN, DESIGN, "--format", "html"];
    let check = ["check", PITFALL, "--format", "mermaid"];
    for args in [&trace[..], &diff[..], &check[..]] {
        let o = hnsim(args);
        assert_eq!(code(&o), 2, "{args:?}: {}", both(&o));
        assert!(stdout(&o).is_empty(), "{args:?}: {}", both(&o));
        assert!(
            stderr(&o).contains("cannot render"),
            "{args:?}: {}",
            both(&o)
        );
        assert!(stderr(&o).contains("; use "), "{args:?}: {}", both(&o));
    }
    // An unknown format is a usage error that lists the formats.
    let o = hnsim(&["sim", DESIGN, "--format", "pdf"]);
    assert_answer(&o, 2, &["sarif"]);
}

#[test]
fn diff_renders_junit_markdown_and_yaml() {
    let other = "scenarios/designs/nat-single-host.yaml";
    let o = hnsim(&["diff", DESIGN, other, "--format", "junit"]);
    assert_exit(&o, 1);
    let xml = stdout(&o);
    assert!(xml.starts_with("<?xml"), "{xml:.200}");
    assert!(xml.contains("<failure"), "{xml:.400}");
    let o = hnsim(&["diff", DESIGN, DESIGN, "--format", "junit"]);
    assert_exit(&o, 0);
    assert_stdout_has(&o, "no cell changed");
    let o = hnsim(&["diff", DESIGN, other, "--format", "markdown"]);
    assert_stdout_has(&o, "| from | to |");
    let o = hnsim(&["diff", DESIGN, other, "--format", "yaml"]);
    assert_stdout_has(&o, "changes:");
}

/// Validates `doc` against one of the shipped schemas, resolving its references to the
/// report schema offline.
fn schema_errors(schema_file: &str, doc: &Value) -> Vec<String> {
    let dir = root().join("reports/schema");
    let load = |name: &str| -> Value {
        serde_json::from_str(&read(&dir.join(name))).expect("schema is JSON")
    };
    let registry = jsonschema::Registry::new()
        .add(
            "https://hnsim.invalid/schema/report.v1.schema.json",
            load("report.v1.schema.json"),
        )
        .expect("registers")
        .prepare()
        .expect("registry");
    let validator = jsonschema::options()
        .with_registry(&registry)
        .build(&load(schema_file))
        .expect("schema compiles");
    validator
        .iter_errors(doc)
        .take(5)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

fn json_of(args: &[&str]) -> Value {
    let o = hnsim(args);
    assert!(code(&o) == 0 || code(&o) == 1, "{args:?}: {}", both(&o));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}\n{}", both(&o)))
}

#[test]
fn json_documents_hold_to_their_published_schemas() {
    let cases: [(&str, Vec<&str>); 5] = [
        (
            "check.v1.schema.json",
            vec!["check", PITFALL, DESIGN, "--format", "json"],
        ),
        (
            "trace.v1.schema.json",
            vec![
                "trace", DESIGN, "--from", "app@nat", "--to", "web@nat", "--format", "json",
            ],
        ),
        (
            "diff.v1.schema.json",
            vec![
                "diff",
                DESIGN,
                "scenarios/designs/nat-single-host.yaml",
                "--format",
                "json",
            ],
        ),
        (
            "report.v1.schema.json",
            vec!["sim", DESIGN, "--format", "json", "--schema", "v1"],
        ),
        (
            "report.v2.schema.json",
            vec!["sim", DESIGN, "--format", "json"],
        ),
    ];
    for (schema, args) in cases {
        let doc = json_of(&args);
        let errors = schema_errors(schema, &doc);
        assert!(errors.is_empty(), "{args:?} against {schema}: {errors:?}");
    }
    // The schemas are not vacuous: a check document without its summary fails.
    let mut doc = json_of(&["check", PITFALL, "--format", "json"]);
    doc.as_object_mut().expect("object").remove("summary");
    assert!(!schema_errors("check.v1.schema.json", &doc).is_empty());
}

#[test]
fn sarif_names_rules_and_relative_locations() {
    let absolute = root().join(PITFALL);
    let doc = json_of(&["check", p(&absolute), "--format", "sarif"]);
    assert_eq!(doc["version"], "2.1.0", "{doc}");
    let run = &doc["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "hnsim");
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    assert!(rules.iter().any(|r| r["id"] == "HNS002"), "{doc}");
    let result = run["results"]
        .as_array()
        .and_then(|r| r.iter().find(|x| x["ruleId"] == "HNS002"))
        .unwrap_or_else(|| panic!("{doc}"));
    assert_eq!(result["level"], "error");
    let loc = &result["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], PITFALL, "{doc}");
    assert_eq!(loc["region"]["startLine"], 18, "{doc}");
    assert_eq!(loc["region"]["startColumn"], 9, "{doc}");
    let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
    assert_eq!(rules[index]["id"], "HNS002");
}

#[test]
fn github_annotations_point_at_file_line_and_column() {
    let o = hnsim(&["check", PITFALL, "--format", "github"]);
    assert_exit(&o, 1);
    let out = stdout(&o);
    assert!(
        out.contains(&format!(
            "::error file={PITFALL},line=18,col=9,title=error HNS002::"
        )),
        "{out}"
    );
    assert!(
        out.contains("%0Ahelp: "),
        "multi-line messages are escaped: {out}"
    );
}

#[test]
fn junit_names_files_relative_to_the_working_directory_with_lines() {
    let absolute = root().join(PITFALL);
    let o = hnsim(&["check", p(&absolute), "--format", "junit"]);
    let xml = stdout(&o);
    assert!(xml.contains(&format!("file=\"{PITFALL}\"")), "{xml}");
    assert!(xml.contains(&format!("({PITFALL}:18:9")), "{xml}");
    assert!(!xml.contains(&root().display().to_string()), "{xml}");
}

#[test]
fn sim_fails_on_findings_at_or_above_deny() {
    let o = hnsim(&["sim", PITFALL]);
    assert_eq!(code(&o), 1, "an error finding: {}", both(&o));
    let o = hnsim(&["sim", "scenarios/designs/nat-single-host.yaml"]);
    assert_exit(&o, 0);
    let o = hnsim(&[
        "sim",
        "scenarios/designs/nat-single-host.yaml",
        "--deny",
        "info",
    ]);
    assert_eq!(code(&o), 1, "info findings denied: {}", both(&o));
}

/// `import` prints on standard error exactly the findings `check` prints for the file.
#[test]
fn import_reports_what_check_reports() {
    let files = [
        "scenarios/imported/refused-options.yaml",
        "scenarios/users/windows-connect-running-container.yaml",
        PITFALL,
    ];
    for f in files {
        let check = stdout(&hnsim(&["check", f]));
        let import = stderr(&hnsim(&["import", f]));
        let blocks = |t: &str| -> Vec<String> {
            let mut v: Vec<String> = t
                .split("\n\n")
                .filter(|b| b.contains("-->"))
                .map(|b| b.trim().to_string())
                .collect();
            v.sort();
            v
        };
        assert!(!blocks(&check).is_empty(), "{f}: {check}");
        assert_eq!(blocks(&check), blocks(&import), "{f}");
    }
}

/// DOT, Mermaid and HTML draw the topology of the state shown: after step 1 of the
/// NAT-3 procedure the `nat` network is gone.
#[test]
fn drawings_show_the_state_asked_for() {
    let f = "scenarios/designs/nat3-fixed-cidr-procedure.yaml";
    for format in ["dot", "mermaid", "html"] {
        let before = stdout(&hnsim(&["sim", f, "--step", "0", "--format", format]));
        let after = stdout(&hnsim(&["sim", f, "--step", "1", "--format", format]));
        assert!(before.contains("ws01/nat"), "{format}: {before}");
        assert!(!after.contains("ws01/nat"), "{format}: {after}");
    }
}

/// The README's sample workflow is YAML whose `hnsim` command lines work: each is run
/// on the bundled designs (output files in a temporary directory) and is no usage
/// error; the SARIF it uploads is SARIF 2.1.0.
#[test]
fn the_readme_workflow_runs() {
    let readme = read(&root().join("README.md"));
    let start = readme
        .find("```yaml\nname: network designs")
        .expect("workflow in README")
        + 8;
    let end = start + readme[start..].find("```").expect("end of block");
    let workflow: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(&readme[start..end]).expect("the workflow is YAML");
    let steps = workflow["jobs"]["hnsim"]["steps"]
        .as_sequence()
        .expect("steps");
    let uploads = steps
        .iter()
        .filter_map(|s| s["with"]["sarif_file"].as_str())
        .collect::<Vec<_>>();
    assert_eq!(uploads, ["hnsim.sarif"]);
    let dir = out_file("workflow", "x")
        .parent()
        .expect("dir")
        .to_path_buf();
    let mut ran = 0;
    for step in steps {
        let Some(script) = step["run"].as_str() else {
            continue;
        };
        for line in script
            .lines()
            .filter(|l| l.trim_start().starts_with("hnsim "))
        {
            let command = line
                .split(" >>")
                .next()
                .unwrap_or(line)
                .replace(" || true", "");
            let args: Vec<String> = command
                .split_whitespace()
                .skip(1)
                .map(|a| match a {
                    "designs" => "scenarios/designs".to_string(),
                    a if a.contains('.') && !a.starts_with('-') => p(&dir.join(a)).to_string(),
                    a => a.to_string(),
                })
                .collect();
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let o = hnsim(&args);
            assert!(code(&o) == 0 || code(&o) == 1, "{line}: {}", both(&o));
            ran += 1;
        }
    }
    assert_eq!(ran, 4, "the workflow's hnsim commands");
    let sarif: Value = serde_json::from_str(&read(&dir.join("hnsim.sarif"))).expect("SARIF");
    assert_eq!(sarif["version"], "2.1.0");
}

/// Every command either produces each format (recognisably that format) or refuses it
/// with exit 2 and the list of the formats it can produce: never terminal text instead.
#[test]
fn every_command_honours_or_refuses_every_format() {
    let formats = [
        "terminal", "markdown", "json", "yaml", "junit", "html", "dot", "mermaid", "sarif",
        "github",
    ];
    let commands: [Vec<&str>; 5] = [
        vec!["check", PITFALL],
        vec!["sim", DESIGN],
        vec!["trace", DESIGN, "--from", "app", "--to", "web"],
        vec!["diff", DESIGN, "scenarios/designs/nat-single-host.yaml"],
        vec!["test", "scenarios/designs/nat-single-host.yaml"],
    ];
    for command in &commands {
        for format in formats {
            let mut args = command.clone();
            args.extend(["--format", format]);
            let o = hnsim(&args);
            let out = stdout(&o);
            if code(&o) == 2 {
                assert!(
                    stderr(&o).contains("cannot render"),
                    "{args:?}: {}",
                    both(&o)
                );
                assert!(out.is_empty(), "{args:?} refused but printed: {out}");
                continue;
            }
            assert!(code(&o) <= 1, "{args:?}: {}", both(&o));
            let looks_right = match format {
                "json" | "sarif" => serde_json::from_str::<Value>(&out).is_ok(),
                "yaml" => serde_yaml_ng::from_str::<serde_yaml_ng::Value>(&out).is_ok(),
                "junit" => out.starts_with("<?xml") && out.contains("<testsuites"),
                "html" => out.starts_with("<!DOCTYPE html>"),
                "dot" => out.contains("graph"),
                "mermaid" => out.starts_with("flowchart"),
                "markdown" => out.contains('|') || out.contains('#'),
                "github" => out
                    .lines()
                    .all(|l| l.starts_with("::") || l.starts_with("hnsim")),
                _ => !out.is_empty(),
            };
            assert!(looks_right, "{args:?} printed something else:\n{out:.400}");
        }
    }
}

/// The HTML report carries each fact's own words for the hover text.
#[test]
fn html_fact_chips_have_the_facts_text() {
    let o = hnsim(&["sim", PITFALL, "--format", "html"]);
    let html = stdout(&o);
    let fact = hnsim_model::fact::lookup("NAT-11").expect("catalogued");
    assert!(
        html.contains(&format!("title=\"{}: ", fact.title)),
        "no hover text"
    );
}
