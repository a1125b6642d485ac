//! The probe image: built FROM scratch by `docker import` of a tarball holding the
//! `hnsim` binary, the shared libraries `ldd` lists for it, and `ip` (the agent lists
//! the container's addresses with it to bind UDP per address). No registry is
//! contacted, so the backend works offline and on any engine.

use super::cli::{docker_at, Engine};
use super::DockerError;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Path of the agent inside the image.
pub const AGENT: &str = "/hnsim";

/// Shared libraries an executable needs, as `ldd` prints them (absolute paths; the
/// vDSO has none and is skipped).
pub fn parse_ldd(text: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        let path = match line.split_once("=>") {
            Some((_, rest)) => rest.split_whitespace().next(),
            None => line.split_whitespace().next(),
        };
        if let Some(p) = path.filter(|p| p.starts_with('/')) {
            let p = PathBuf::from(p);
            if !out.contains(&p) {
                out.push(p);
            }
        }
    }
    out
}

fn ldd(exe: &Path) -> Result<Vec<PathBuf>, DockerError> {
    let out = Command::new("ldd")
        .arg(exe)
        .output()
        .map_err(|e| DockerError::Image(format!("cannot run ldd: {e}")))?;
    // A static binary: ldd says "not a dynamic executable" and fails; nothing to add.
    Ok(parse_ldd(&String::from_utf8_lossy(&out.stdout)))
}

fn which(name: &str) -> Option<PathBuf> {
    ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
        .iter()
        .map(|d| Path::new(d).join(name))
        .find(|p| p.is_file())
}

fn copy_into(root: &Path, src: &Path, dest: &Path) -> Result<(), DockerError> {
    let rel = dest.strip_prefix("/").unwrap_or(dest);
    let target = root.join(rel);
    if let Some(dir) = target.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| DockerError::Image(format!("{}: {e}", dir.display())))?;
    }
    // fs::copy follows symlinks: the library's real content lands at the path the
    // loader looks for.
    std::fs::copy(src, &target)
        .map_err(|e| DockerError::Image(format!("copy {}: {e}", src.display())))?;
    Ok(())
}

/// Where the image of `name` is put together: `<temp>/<name>-image`, so that a run
/// killed while building leaves a directory `hnsim clean` finds by the run's prefix.
fn stage_dir(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("{}-image", name.replace(':', "-")))
}

/// Staging directories of runs whose prefix starts with `prefix`.
pub fn staging(prefix: &str) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(std::env::temp_dir()) else {
        return Vec::new();
    };
    rd.flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                n.starts_with(prefix) && n.starts_with(super::PREFIX) && n.ends_with("-image")
            })
        })
        .collect()
}

/// Removes the staging directories of runs whose prefix starts with `prefix`.
pub fn remove_staging(prefix: &str) -> Vec<String> {
    staging(prefix)
        .into_iter()
        .filter(|p| std::fs::remove_dir_all(p).is_ok())
        .map(|p| p.display().to_string())
        .collect()
}

/// Builds the image `name` from `agent_exe` on the machine's engine. The staging
/// directory and tarball are removed before returning.
pub fn build(name: &str, agent_exe: &Path) -> Result<(), DockerError> {
    build_on(&[Engine::Machine], name, agent_exe, &stage_dir(name))
}

/// Builds the image `name` once in `stage` and imports it into every engine of
/// `engines` (no registry is contacted); `stage` is removed before returning.
pub fn build_on(
    engines: &[Engine],
    name: &str,
    agent_exe: &Path,
    stage: &Path,
) -> Result<(), DockerError> {
    let result = tarball(stage, agent_exe).and_then(|tar| {
        let tar = tar.display().to_string();
        for e in engines {
            docker_at(e, &["import", &tar, name], None)?;
        }
        Ok(())
    });
    let _ = std::fs::remove_dir_all(stage);
    result
}

/// The agent, without its debug information when `strip` is there (a debug build is
/// several times larger, and every container of a `vfs` daemon copies it).
fn copy_agent(root: &Path, exe: &Path) -> Result<(), DockerError> {
    let target = root.join(AGENT.trim_start_matches('/'));
    let stripped = Command::new("strip")
        .arg("--strip-debug")
        .arg("-o")
        .arg(&target)
        .arg(exe)
        .status()
        .is_ok_and(|s| s.success());
    if stripped {
        Ok(())
    } else {
        copy_into(root, exe, Path::new(AGENT))
    }
}

fn tarball(stage: &Path, agent_exe: &Path) -> Result<PathBuf, DockerError> {
    let root = stage.join("root");
    let _ = std::fs::remove_dir_all(stage);
    for d in ["tmp", "etc", "proc", "sys", "dev"] {
        std::fs::create_dir_all(root.join(d))
            .map_err(|e| DockerError::Image(format!("{}: {e}", root.display())))?;
    }
    if !agent_exe.is_file() {
        return Err(DockerError::Image(format!(
            "{} does not exist",
            agent_exe.display()
        )));
    }
    copy_agent(&root, agent_exe)?;
    for lib in ldd(agent_exe)? {
        copy_into(&root, &lib, &lib)?;
    }
    if let Some(ip) = which("ip") {
        copy_into(&root, &ip, Path::new("/usr/sbin/ip"))?;
        for lib in ldd(&ip)? {
            copy_into(&root, &lib, &lib)?;
        }
    }
    let tar = stage.join("image.tar");
    let status = Command::new("tar")
        .arg("-cf")
        .arg(&tar)
        .arg("-C")
        .arg(&root)
        .arg(".")
        .status()
        .map_err(|e| DockerError::Image(format!("cannot run tar: {e}")))?;
    if !status.success() {
        return Err(DockerError::Image("tar failed".into()));
    }
    Ok(tar)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ldd_output_parses_to_absolute_paths() {
        let text = "\tlinux-vdso.so.1 (0x00007ff80366e000)\n\
            \tlibgcc_s.so.1 => /lib/x86_64-linux-gnu/libgcc_s.so.1 (0x00007ff80363c000)\n\
            \tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007ff80261e000)\n\
            \t/lib64/ld-linux-x86-64.so.2 (0x00007ff803670000)\n\
            \tlibmissing.so => not found\n";
        let libs = parse_ldd(text);
        assert_eq!(
            libs,
            [
                PathBuf::from("/lib/x86_64-linux-gnu/libgcc_s.so.1"),
                PathBuf::from("/lib/x86_64-linux-gnu/libc.so.6"),
                PathBuf::from("/lib64/ld-linux-x86-64.so.2"),
            ]
        );
        assert!(parse_ldd("\tnot a dynamic executable\n").is_empty());
    }
}
