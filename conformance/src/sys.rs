//! Talking to the kernel through iproute2, nft and sysctl, always scoped to one of the
//! run's own namespaces (`ip -n NS ...`, `ip netns exec NS ...`). Nothing here takes a
//! command that would act on the root namespace's links, routes or firewall.

use std::io::Write;
use std::process::{Command, Stdio};

/// Every namespace this backend creates starts with this; `hnsim clean` looks for it.
pub const NS_PREFIX: &str = "hns-";

#[derive(Debug, thiserror::Error)]
pub enum SysError {
    #[error(
        "the netns backend needs root (network namespaces, veth pairs, nftables); \
         run `sudo hnsim conform ...`"
    )]
    NotRoot,
    #[error("`{cmd}` failed: {stderr}")]
    Command { cmd: String, stderr: String },
    #[error("cannot run `{cmd}`: {err} (is iproute2/nftables installed?)")]
    Spawn { cmd: String, err: std::io::Error },
    #[error("refusing to act on `{0}`: not a namespace of this backend")]
    NotOurs(String),
}

/// True when the effective user is root (the owner of `/proc/self` is the caller's
/// effective uid).
pub fn is_root() -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
    }
    // Elsewhere (the hns backend on Windows) there are no namespaces to create.
    #[cfg(not(unix))]
    false
}

pub fn require_root() -> Result<(), SysError> {
    if is_root() {
        Ok(())
    } else {
        Err(SysError::NotRoot)
    }
}

/// Spawns `program ARGS` with piped stdout and stderr, feeds it `stdin` and waits. The
/// input is written from a thread: the child may fill its stdout pipe before it has read
/// all of its input, and a write from this thread would then never finish. Shared by
/// every backend that drives a command-line tool (`ip`, `nft`, `docker`).
pub fn output(
    program: &str,
    args: &[&str],
    stdin: Option<&[u8]>,
) -> std::io::Result<std::process::Output> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let writer = match (stdin, child.stdin.take()) {
        (Some(bytes), Some(mut pipe)) => {
            let bytes = bytes.to_vec();
            Some(std::thread::spawn(move || {
                let _ = pipe.write_all(&bytes);
            }))
        }
        _ => None,
    };
    let out = child.wait_with_output();
    if let Some(writer) = writer {
        let _ = writer.join();
    }
    out
}

/// Runs a command, feeding `stdin`; returns stdout. Errors carry the command line and
/// stderr.
pub fn run(program: &str, args: &[&str], stdin: Option<&str>) -> Result<String, SysError> {
    let line = format!("{program} {}", args.join(" "));
    let out = output(program, args, stdin.map(str::as_bytes));
    let out = out.map_err(|err| SysError::Spawn {
        cmd: line.clone(),
        err,
    })?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        let mut stderr = String::from_utf8_lossy(&out.stderr).trim().to_string();
        if let Some(text) = stdin {
            stderr.push_str("\ninput was:\n");
            stderr.push_str(text);
        }
        Err(SysError::Command { cmd: line, stderr })
    }
}

fn ours(ns: &str) -> Result<(), SysError> {
    if ns.starts_with(NS_PREFIX) {
        Ok(())
    } else {
        Err(SysError::NotOurs(ns.to_string()))
    }
}

pub fn netns_add(ns: &str) -> Result<(), SysError> {
    ours(ns)?;
    run("ip", &["netns", "add", ns], None).map(drop)
}

/// `ip -n NS -batch -`: many iproute2 commands in one process.
pub fn ip_batch(ns: &str, lines: &[String]) -> Result<(), SysError> {
    ours(ns)?;
    let mut text = lines.join("\n");
    text.push('\n');
    run("ip", &["-n", ns, "-batch", "-"], Some(&text)).map(drop)
}

/// `bridge -n NS -batch -`.
pub fn bridge_batch(ns: &str, lines: &[String]) -> Result<(), SysError> {
    ours(ns)?;
    let mut text = lines.join("\n");
    text.push('\n');
    run("bridge", &["-n", ns, "-batch", "-"], Some(&text)).map(drop)
}

/// Loads an nftables script into the namespace.
pub fn nft(ns: &str, script: &str) -> Result<(), SysError> {
    ours(ns)?;
    run("ip", &["netns", "exec", ns, "nft", "-f", "-"], Some(script)).map(drop)
}

/// Sets sysctls inside the namespace (net.* sysctls are per namespace).
pub fn sysctl(ns: &str, settings: &[(String, String)]) -> Result<(), SysError> {
    ours(ns)?;
    let pairs: Vec<String> = settings.iter().map(|(k, v)| format!("{k}={v}")).collect();
    // `-e`: the bridge sysctls exist only when br_netfilter is loaded.
    let mut args = vec!["netns", "exec", ns, "sysctl", "-q", "-e", "-w"];
    args.extend(pairs.iter().map(String::as_str));
    run("ip", &args, None).map(drop)
}

/// Namespaces whose name starts with `prefix` (which must start with [`NS_PREFIX`]).
pub fn list_netns(prefix: &str) -> Result<Vec<String>, SysError> {
    ours(prefix)?;
    let out = run("ip", &["netns", "list"], None)?;
    Ok(out
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| n.starts_with(prefix))
        .map(str::to_string)
        .collect())
}

/// Kills what still runs inside one of our namespaces (agents of a killed run), then
/// deletes it. Its links (veth ends, bridges, VXLAN devices) and nftables tables go
/// with it; a veth pair dies when either end's namespace does.
pub fn netns_del(ns: &str) -> Result<(), SysError> {
    ours(ns)?;
    if let Ok(pids) = run("ip", &["netns", "pids", ns], None) {
        for pid in pids.split_whitespace() {
            if pid.parse::<u32>().is_ok() {
                let _ = run("kill", &["-KILL", pid], None);
            }
        }
    }
    run("ip", &["netns", "del", ns], None).map(drop)
}

/// Removes every namespace whose name starts with `prefix`; returns their names.
pub fn clean(prefix: &str) -> Result<Vec<String>, SysError> {
    let found = list_netns(prefix)?;
    let mut first_err = None;
    for ns in &found {
        if let Err(e) = netns_del(ns) {
            first_err.get_or_insert(e);
        }
    }
    match first_err {
        Some(e) => Err(e),
        None => Ok(found),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_foreign_namespaces() {
        assert!(matches!(netns_add("default"), Err(SysError::NotOurs(_))));
        assert!(matches!(nft("x", ""), Err(SysError::NotOurs(_))));
        assert!(matches!(list_netns(""), Err(SysError::NotOurs(_))));
    }
}
