//! What a swarm run leaves on the machine when it dies without stopping its daemons
//! (SIGKILL), found by the run's prefix (`hns-<6 hex>`) and removed: container
//! processes (in the cgroups named after the run), mounts under the run's directory
//! (the daemons' data roots, sandbox netns files, `/dev/shm` of containers), the
//! directory itself, and the cgroups. The daemons and their containerd and shims live
//! in the run's host namespaces and are killed with them
//! ([`crate::netns::namespaces::delete_all`]), which must come first: a daemon still
//! alive would restart the containers killed here.

use std::path::{Path, PathBuf};

const CGROUP_ROOT: &str = "/sys/fs/cgroup";

/// The run's directory: `<temp>/<prefix>-swarm`.
pub fn dir(prefix: &str) -> PathBuf {
    std::env::temp_dir().join(format!("{prefix}-swarm"))
}

/// Whether `name` (a directory or cgroup name) belongs to a run whose prefix starts
/// with `prefix`: `hns-1a2b3c-swarm`, `hns-1a2b3c-h0`.
fn ours(name: &str, prefix: &str) -> bool {
    name.starts_with(crate::netns::NS_PREFIX) && name.starts_with(prefix)
}

/// Cgroup directories named after the run, in every hierarchy (v1 controllers and the
/// v2 tree alike).
fn cgroups(prefix: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut roots = vec![PathBuf::from(CGROUP_ROOT)];
    if let Ok(rd) = std::fs::read_dir(CGROUP_ROOT) {
        roots.extend(rd.flatten().map(|e| e.path()).filter(|p| p.is_dir()));
    }
    for root in roots {
        let Ok(rd) = std::fs::read_dir(&root) else {
            continue;
        };
        out.extend(
            rd.flatten()
                .filter(|e| e.file_name().to_str().is_some_and(|n| ours(n, prefix)))
                .map(|e| e.path()),
        );
    }
    out
}

/// Every directory below `dir` (itself included), deepest first.
fn tree(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                out.extend(tree(&e.path()));
            }
        }
    }
    out.push(dir.to_path_buf());
    out
}

fn kill_cgroup_tasks(prefix: &str) -> usize {
    let mut killed = 0;
    for cg in cgroups(prefix) {
        for d in tree(&cg) {
            for file in ["cgroup.procs", "tasks"] {
                let Ok(text) = std::fs::read_to_string(d.join(file)) else {
                    continue;
                };
                for pid in text
                    .split_whitespace()
                    .filter_map(|p| p.parse::<i32>().ok())
                {
                    // SAFETY: kill(2) with a pid read from the run's own cgroup.
                    if unsafe { libc::kill(pid, libc::SIGKILL) } == 0 {
                        killed += 1;
                    }
                }
            }
        }
    }
    killed
}

/// Mount points under the run's directories, deepest first.
fn mounts(prefix: &str) -> Vec<String> {
    let temp = std::env::temp_dir().display().to_string();
    let want = format!("{}/{prefix}", temp.trim_end_matches('/'));
    let text = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    let mut out: Vec<String> = text
        .lines()
        .filter_map(|l| l.split_whitespace().nth(4))
        .filter(|m| m.starts_with(&want) && m.contains("-swarm"))
        .map(str::to_string)
        .collect();
    out.sort_by_key(|m| std::cmp::Reverse(m.len()));
    out.dedup();
    out
}

fn umount(path: &str) -> bool {
    let Ok(c) = std::ffi::CString::new(path) else {
        return false;
    };
    // SAFETY: umount2(2) with a NUL-terminated path of a mount under the run's own
    // directory; MNT_DETACH lets a busy mount go once unused.
    unsafe { libc::umount2(c.as_ptr(), libc::MNT_DETACH) == 0 }
}

/// Removes everything of the swarm runs whose prefix starts with `prefix`; the run's
/// namespaces (and the daemons in them) must be gone already. Returns what was removed.
pub fn clean(prefix: &str) -> Vec<String> {
    let mut removed = Vec::new();
    for _ in 0..3 {
        if kill_cgroup_tasks(prefix) == 0 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    for m in mounts(prefix) {
        if umount(&m) {
            removed.push(format!("mount {m}"));
        }
    }
    if let Ok(rd) = std::fs::read_dir(std::env::temp_dir()) {
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if ours(&name, prefix)
                && name.ends_with("-swarm")
                && std::fs::remove_dir_all(e.path()).is_ok()
            {
                removed.push(e.path().display().to_string());
            }
        }
    }
    for cg in cgroups(prefix) {
        let all = tree(&cg);
        if all.iter().all(|d| std::fs::remove_dir(d).is_ok()) {
            removed.push(cg.display().to_string());
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_runs_names_are_ours() {
        assert!(ours("hns-1a2b3c-swarm", "hns-1a2b3c"));
        assert!(ours("hns-1a2b3c-h0", "hns-"));
        assert!(!ours("hns-ffffff-h0", "hns-1a2b3c"));
        assert!(!ours("docker", "hns-"));
        assert!(!ours("system.slice", ""));
        assert_eq!(
            dir("hns-1a2b3c"),
            std::env::temp_dir().join("hns-1a2b3c-swarm")
        );
    }
}
