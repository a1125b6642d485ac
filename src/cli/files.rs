//! Paths as the user gave them: directories stand for the scenarios under them, and
//! files are shown relative to the working directory, so every file name printed
//! (text, JUnit, SARIF, GitHub annotations) works as an argument and as a link in CI.

use std::path::{Path, PathBuf};

pub use super::library::yaml_files_under as yaml_files;

/// The arguments with each directory replaced by the scenarios under it (a directory
/// without any stays, so reading it reports the problem), each shown as [`shown`].
pub fn expand(args: &[PathBuf]) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for f in args {
        if f.is_dir() {
            let found = yaml_files(f);
            if found.is_empty() {
                files.push(f.clone());
            }
            files.extend(found);
        } else {
            files.push(f.clone());
        }
    }
    files.iter().map(|f| shown(f)).collect()
}

/// `path` relative to the working directory when it lies under it (an absolute path
/// into the repository becomes `scenarios/x.yaml`); otherwise unchanged.
pub fn shown(path: &Path) -> PathBuf {
    if path.as_os_str() == "-" || !path.is_absolute() {
        return path.to_path_buf();
    }
    let Ok(cwd) = std::env::current_dir() else {
        return path.to_path_buf();
    };
    let cwd = cwd.canonicalize().unwrap_or(cwd);
    let full = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    match full.strip_prefix(&cwd) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel.to_path_buf(),
        _ => path.to_path_buf(),
    }
}

/// An error and its causes, each said once (a context often repeats its cause).
pub fn error_text(err: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let files = yaml_files(&dir);
        assert!(files
            .iter()
            .any(|f| f.ends_with("pitfalls/nat-prefix-contains-host-ip.yaml")));
    }

    #[test]
    fn absolute_paths_under_the_working_directory_are_shown_relative() {
        let cwd = std::env::current_dir().expect("cwd");
        let inside = cwd.join("Cargo.toml");
        assert_eq!(shown(&inside), PathBuf::from("Cargo.toml"));
        assert_eq!(shown(Path::new("a/b.yaml")), PathBuf::from("a/b.yaml"));
        assert_eq!(shown(Path::new("/")), PathBuf::from("/"));
    }
}
