//! The run's network namespaces: created and deleted in one `ip -batch` each, listed,
//! entered from a thread of this process, and emptied of processes before deletion.
//! Every name is checked to start with [`NS_PREFIX`]: nothing here acts on a namespace
//! this backend did not create, nor on the root namespace.
//!
//! A thread that has joined a namespace (`setns`) opens its sockets there, writes that
//! namespace's `/proc/sys/net`, and its child processes start there, so probing, sysctls
//! and the per-namespace tools need no `ip netns exec` process of their own.

use super::NetnsError;
use crate::sys::{self, SysError};
use std::os::unix::fs::MetadataExt;

/// Every namespace this backend creates starts with this; `hnsim clean` looks for it.
pub const NS_PREFIX: &str = "hns-";

/// Where iproute2 keeps named namespaces.
const NETNS_DIR: &str = "/run/netns";

fn ours(ns: &str) -> Result<(), SysError> {
    if ns.starts_with(NS_PREFIX) {
        Ok(())
    } else {
        Err(SysError::NotOurs(ns.to_string()))
    }
}

/// `ip -batch -` of `netns add|del NAME` lines.
fn batch(verb: &str, names: &[String]) -> Result<(), SysError> {
    if names.is_empty() {
        return Ok(());
    }
    let mut text = String::new();
    for n in names {
        ours(n)?;
        text.push_str(&format!("netns {verb} {n}\n"));
    }
    // `-force`: one name that is already gone does not stop the others.
    sys::run("ip", &["-force", "-batch", "-"], Some(&text)).map(drop)
}

pub fn add_all(names: &[String]) -> Result<(), SysError> {
    batch("add", names)
}

/// Namespaces whose name starts with `prefix` (which must start with [`NS_PREFIX`]).
pub fn list(prefix: &str) -> Result<Vec<String>, SysError> {
    ours(prefix)?;
    let mut out: Vec<String> = match std::fs::read_dir(NETNS_DIR) {
        Ok(rd) => rd
            .flatten()
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| n.starts_with(prefix))
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => {
            return Err(SysError::Command {
                cmd: format!("list {NETNS_DIR}"),
                stderr: e.to_string(),
            })
        }
    };
    out.sort();
    Ok(out)
}

/// Processes whose network namespace is one of `names` (agents of a killed run), found
/// by comparing `/proc/PID/ns/net` with the namespaces' files.
fn pids_in(names: &[String]) -> Vec<i32> {
    let targets: Vec<(u64, u64)> = names
        .iter()
        .filter_map(|ns| std::fs::metadata(format!("{NETNS_DIR}/{ns}")).ok())
        .map(|m| (m.dev(), m.ino()))
        .collect();
    if targets.is_empty() {
        return Vec::new();
    }
    let Ok(rd) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    rd.flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            std::fs::metadata(format!("/proc/{pid}/ns/net"))
                .is_ok_and(|m| targets.contains(&(m.dev(), m.ino())))
        })
        .collect()
}

/// Kills what still runs inside the namespaces, then deletes them all. Their links
/// (veth ends, bridges, VXLAN devices) and nftables tables go with them; a veth pair
/// dies when either end's namespace does.
pub fn delete_all(names: &[String]) -> Result<(), SysError> {
    for ns in names {
        ours(ns)?;
    }
    for pid in pids_in(names) {
        // SAFETY: kill(2) with a pid read from /proc; no memory is shared.
        unsafe {
            libc::kill(pid, libc::SIGKILL);
        }
    }
    batch("del", names)
}

/// Removes every namespace whose name starts with `prefix`; returns their names.
pub fn clean(prefix: &str) -> Result<Vec<String>, SysError> {
    let found = list(prefix)?;
    delete_all(&found)?;
    Ok(found)
}

/// Runs `f` on a thread that has joined namespace `ns`; the calling thread stays where
/// it is.
pub fn within<T: Send>(ns: &str, f: impl FnOnce() -> T + Send) -> Result<T, NetnsError> {
    ours(ns)?;
    std::thread::scope(|s| {
        s.spawn(|| {
            enter(ns)?;
            Ok(f())
        })
        .join()
        .unwrap_or_else(|_| {
            Err(NetnsError::Sys(SysError::Command {
                cmd: format!("work in namespace {ns}"),
                stderr: "the thread panicked".into(),
            }))
        })
    })
}

fn setns_error(ns: &str, e: std::io::Error) -> NetnsError {
    NetnsError::Sys(SysError::Command {
        cmd: format!("setns {NETNS_DIR}/{ns}"),
        stderr: e.to_string(),
    })
}

/// The file that names namespace `ns`, to join it with `setns`.
pub fn open(ns: &str) -> Result<std::fs::File, NetnsError> {
    ours(ns)?;
    std::fs::File::open(format!("{NETNS_DIR}/{ns}")).map_err(|e| setns_error(ns, e))
}

/// Moves the calling thread into namespace `ns`.
fn enter(ns: &str) -> Result<(), NetnsError> {
    use std::os::fd::AsRawFd;
    let file = open(ns)?;
    // SAFETY: setns(2) on a file descriptor we own; it changes only this thread's
    // network namespace.
    if unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) } != 0 {
        return Err(setns_error(ns, std::io::Error::last_os_error()));
    }
    Ok(())
}

/// Writes net sysctls of the calling thread's namespace (`/proc/sys/net` shows the
/// namespace of the thread that opens it). A key the kernel does not have (the bridge
/// netfilter switches without `br_netfilter`) is skipped.
pub fn write_sysctls(settings: &[(String, String)]) -> Result<(), SysError> {
    for (k, v) in settings {
        let path = format!("/proc/sys/{}", k.replace('.', "/"));
        match std::fs::write(&path, v) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(SysError::Command {
                    cmd: format!("sysctl -w {k}={v}"),
                    stderr: e.to_string(),
                })
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_foreign_namespaces() {
        assert!(matches!(
            add_all(&["default".into()]),
            Err(SysError::NotOurs(_))
        ));
        assert!(matches!(list(""), Err(SysError::NotOurs(_))));
        assert!(matches!(
            delete_all(&["x".into()]),
            Err(SysError::NotOurs(_))
        ));
        assert!(within("init", || ()).is_err());
    }
}
