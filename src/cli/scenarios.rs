//! `hnsim scenarios`: the bundled scenario library, one line each.
//!
//! Exit codes: 0 listed, 2 no such directory or an unreadable scenario in it.

use super::files::{error_text, shown, yaml_files};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct ScenariosArgs {
    /// Directory of scenarios (searched recursively for *.yaml). Default: `scenarios`
    /// here, else the library next to the hnsim executable or in its source tree.
    pub dir: Option<PathBuf>,
}

pub fn run_scenarios(a: ScenariosArgs) -> anyhow::Result<ExitCode> {
    let dir = match a.dir {
        Some(d) => d,
        None => library().ok_or_else(|| {
            anyhow::anyhow!(
                "no scenario library found: not in ./scenarios, next to the hnsim executable, or in its source tree\n  help: name the directory: `hnsim scenarios DIR`"
            )
        })?,
    };
    if !dir.is_dir() {
        anyhow::bail!("{} is not a directory of scenarios", dir.display());
    }
    let mut rows: Vec<(String, String)> = Vec::new();
    let mut broken = 0usize;
    for path in yaml_files(&dir) {
        let description = match super::input::load(&path) {
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
                eprintln!("error: {first}");
                format!("(unreadable: {})", first.lines().next().unwrap_or_default())
            }
        };
        // A path that works as an argument from here: relative when under the working
        // directory, else as found.
        rows.push((shown(&path).display().to_string(), description));
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

/// Where the library is when no directory is named: `./scenarios`, then `scenarios`
/// beside the executable or in one of its parents (an installed copy, or
/// `target/debug/hnsim` inside the source tree), then the source tree it was built from.
fn library() -> Option<PathBuf> {
    let here = PathBuf::from("scenarios");
    if here.is_dir() {
        return Some(here);
    }
    let exe = std::env::current_exe().ok()?;
    let found = exe
        .ancestors()
        .skip(1)
        .map(|d| d.join("scenarios"))
        .find(|d| d.is_dir());
    found.or_else(|| {
        let built = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        built.is_dir().then_some(built)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenario_list_shows_the_first_sentence() {
        assert_eq!(first_sentence("One. Two.", 80), "One.");
        assert_eq!(first_sentence("No full stop", 80), "No full stop");
        let long = "word ".repeat(40);
        let cut = first_sentence(&long, 30);
        assert!(cut.ends_with('…') && cut.chars().count() <= 30, "{cut}");
    }
}
