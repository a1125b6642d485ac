//! `hnsim check`, `hnsim explain`, `hnsim scenarios`.
//!
//! Exit codes: 0 clean (nothing at or above `--deny`), 1 findings at or above `--deny`,
//! 2 unreadable or malformed input, or an unknown rule code.

use super::output::{Format, OutputArgs};
use hnsim_model::rules::{self, Rule};
use hnsim_model::{analyse, Finding, Severity};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Scenario files (or directories of them), docker command files, compose files or
    /// daemon.json.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Lowest severity that fails the check (exit code 1): error, warning or info.
    #[arg(long, default_value = "error", value_parser = parse_severity)]
    pub deny: Severity,
    #[command(flatten)]
    pub out: OutputArgs,
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    s.trim().to_ascii_lowercase().parse()
}

#[derive(clap::Args, Debug)]
pub struct ExplainArgs {
    /// Rule code, e.g. HNS001. Without one, lists every rule.
    pub code: Option<String>,
}

#[derive(clap::Args, Debug)]
pub struct ScenariosArgs {
    /// Directory of scenarios (searched recursively for *.yaml).
    #[arg(default_value = "scenarios")]
    pub dir: PathBuf,
}

pub fn run_check(a: CheckArgs) -> anyhow::Result<ExitCode> {
    let mut findings: Vec<Finding> = Vec::new();
    let mut unreadable = 0usize;
    let mut inputs: Vec<serde_json::Value> = Vec::new();
    // A directory stands for every scenario under it, as for `hnsim scenarios`.
    let mut files: Vec<PathBuf> = Vec::new();
    for f in &a.files {
        if f.is_dir() {
            let mut found = Vec::new();
            yaml_files(f, &mut found);
            found.sort();
            if found.is_empty() {
                files.push(f.clone());
            }
            files.extend(found);
        } else {
            files.push(f.clone());
        }
    }
    let a = CheckArgs { files, ..a };
    for file in &a.files {
        match super::input::load(file) {
            Ok(doc) => {
                findings.extend(analyse(&doc).findings);
                inputs.push(serde_json::json!({"file": file.display().to_string()}));
            }
            Err(err) => {
                let text = error_text(&err);
                eprintln!("error: {text}");
                inputs.push(serde_json::json!({"file": file.display().to_string(), "error": text}));
                unreadable += 1;
            }
        }
    }
    if unreadable == a.files.len() && a.out.format() != Format::Json {
        return Ok(ExitCode::from(2));
    }
    let mut text = if a.out.format() == Format::Json {
        json(&findings, inputs)?
    } else {
        render(&findings, &a.out)?
    };
    if a.out.format() == Format::Terminal && a.files.len() > 1 {
        text.push_str(&format!(
            "checked {} files ({} unreadable)\n",
            a.files.len(),
            unreadable
        ));
    }
    a.out.write(&text)?;
    if unreadable > 0 {
        return Ok(ExitCode::from(2));
    }
    let denied = findings.iter().any(|f| f.severity >= a.deny);
    Ok(if denied {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// An error and its causes, each said once (a context often repeats its cause).
fn error_text(err: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
    }
    parts.join(": ")
}

/// `check --format json`: versioned like the other JSON outputs, so that a consumer can
/// tell the shape, with every input file (and why it could not be read) and a summary.
fn json(findings: &[Finding], inputs: Vec<serde_json::Value>) -> anyhow::Result<String> {
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let mut text = serde_json::to_string_pretty(&serde_json::json!({
        "schema_version": hnsim_sim::SCHEMA_VERSION,
        "inputs": inputs,
        "summary": {
            "errors": count(Severity::Error),
            "warnings": count(Severity::Warning),
            "info": count(Severity::Info),
        },
        "findings": findings,
    }))?;
    text.push('\n');
    Ok(text)
}

fn render(findings: &[Finding], out: &OutputArgs) -> anyhow::Result<String> {
    Ok(hnsim_reports::render_findings(
        findings,
        out.report_format(),
        &out.render_options(),
    )?)
}

pub fn run_explain(a: ExplainArgs) -> anyhow::Result<ExitCode> {
    let Some(code) = a.code else {
        let mut text = String::new();
        let mut all: Vec<&Rule> = rules::RULES
            .iter()
            .chain(hnsim_model::import::CODES)
            .collect();
        all.sort_by_key(|r| r.code);
        for r in all {
            text.push_str(&format!(
                "{}  {:<7}  {}  [{}]\n",
                r.code,
                r.severity,
                r.title,
                r.facts.join(", ")
            ));
        }
        super::output::print_stdout(&text)?;
        return Ok(ExitCode::SUCCESS);
    };
    match rules::rule(&code) {
        Some(r) => {
            super::output::print_stdout(&explain(r))?;
            Ok(ExitCode::SUCCESS)
        }
        None => {
            let near = rules::nearest(&code, 3);
            eprintln!(
                "error: unknown rule code `{code}`; nearest: {}\n  help: `hnsim explain` lists every rule",
                near.join(", ")
            );
            Ok(ExitCode::from(2))
        }
    }
}

/// The long form of a rule, wrapped for a terminal.
fn explain(r: &Rule) -> String {
    let mut out = format!("{} ({}): {}\n\n", r.code, r.severity, r.title);
    for line in wrap(r.explanation, 80) {
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str(&format!("\nfacts: {}\n", r.facts.join(", ")));
    let help = wrap(r.help, 72);
    for (i, line) in help.iter().enumerate() {
        let lead = if i == 0 { "help: " } else { "      " };
        out.push_str(&format!("{lead}{line}\n"));
    }
    out
}

fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

pub fn run_scenarios(a: ScenariosArgs) -> anyhow::Result<ExitCode> {
    if !a.dir.is_dir() {
        anyhow::bail!("{} is not a directory of scenarios", a.dir.display());
    }
    let mut files = Vec::new();
    yaml_files(&a.dir, &mut files);
    let mut rows: Vec<(String, String)> = Vec::new();
    let mut broken = 0usize;
    for path in &files {
        let shown = path
            .strip_prefix(&a.dir)
            .unwrap_or(path)
            .display()
            .to_string();
        let description = match super::input::load(path) {
            Ok(doc) => {
                let d = doc.scenario.description.trim();
                if d.is_empty() {
                    doc.scenario.name.clone()
                } else {
                    first_sentence(d, 110)
                }
            }
            Err(err) => {
                broken += 1;
                let first = error_text(&err);
                format!("(unreadable: {})", first.lines().next().unwrap_or_default())
            }
        };
        rows.push((shown, description));
    }
    rows.sort();
    let width = rows
        .iter()
        .map(|(p, _)| p.chars().count())
        .max()
        .unwrap_or(0);
    let mut text = String::new();
    for (path, description) in &rows {
        text.push_str(&format!("{path:<width$}  {description}\n"));
    }
    super::output::print_stdout(&text)?;
    Ok(if broken > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// The first sentence of a description (a folded YAML paragraph is one long line), cut
/// at a word to at most `max` characters, so that the list stays one line per scenario.
fn first_sentence(text: &str, max: usize) -> String {
    let line = text.lines().next().unwrap_or_default().trim();
    let sentence = match line.find(". ") {
        Some(end) => &line[..=end],
        None => line,
    };
    if sentence.chars().count() <= max {
        return sentence.to_string();
    }
    let mut out = String::new();
    for word in sentence.split_whitespace() {
        if out.chars().count() + word.chars().count() + 1 > max.saturating_sub(1) {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out.push('…');
    out
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explain_names_facts_and_help() {
        let text = explain(rules::rule("HNS001").expect("HNS001 exists"));
        assert!(text.starts_with("HNS001 (error): "), "{text}");
        assert!(text.contains("facts: NAT-2"), "{text}");
        assert!(text.contains("help: "), "{text}");
        assert!(text.lines().all(|l| l.chars().count() <= 86), "{text}");
    }

    #[test]
    fn error_text_says_each_cause_once() {
        let inner = anyhow::anyhow!("t.yaml:1:1: bad");
        let err = inner.context("t.yaml:1:1: bad");
        assert_eq!(error_text(&err), "t.yaml:1:1: bad");
        let err = anyhow::anyhow!("os error 2").context("cannot read t.yaml");
        assert_eq!(error_text(&err), "cannot read t.yaml: os error 2");
    }

    #[test]
    fn scenarios_are_found_recursively() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let mut files = Vec::new();
        yaml_files(&dir, &mut files);
        assert!(files
            .iter()
            .any(|f| f.ends_with("pitfalls/nat-prefix-contains-host-ip.yaml")));
    }

    #[test]
    fn scenario_list_shows_the_first_sentence() {
        assert_eq!(first_sentence("One. Two.", 80), "One.");
        assert_eq!(first_sentence("No full stop", 80), "No full stop");
        let long = "word ".repeat(40);
        let cut = first_sentence(&long, 30);
        assert!(cut.ends_with('…') && cut.chars().count() <= 30, "{cut}");
    }

    #[test]
    fn severity_flag_parses_case_insensitively() {
        assert_eq!(parse_severity("Warning"), Ok(Severity::Warning));
        assert!(parse_severity("fatal").is_err());
    }
}
