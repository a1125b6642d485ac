//! The listening agents (`hnsim probe serve`), one per namespace whose workload
//! listens: each joins its namespace between fork and exec (so no `ip netns exec`
//! process), all are started at once, then waited for together.
//!
//! An agent dies with the thread that started it (`PR_SET_PDEATHSIG` follows the parent
//! thread, so they are started from the caller's thread, never from a short-lived one),
//! also on SIGKILL, and sits in a process group of its own, so a Ctrl-C at the terminal
//! reaches only `hnsim`, whose handler removes the run in order.

use super::namespaces;
use super::NetnsError;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// How long an agent may take to say `ready`.
const READY_WITHIN: Duration = Duration::from_secs(10);

fn ports(s: &BTreeSet<u16>) -> String {
    s.iter().map(u16::to_string).collect::<Vec<_>>().join(",")
}

fn spawn(ns: &str, agent: &[String], tcp: &str, udp: &str) -> Result<Child, NetnsError> {
    let (exe, args) = agent.split_first().ok_or_else(|| NetnsError::Agent {
        ns: ns.to_string(),
        message: "no agent command".into(),
    })?;
    let mut cmd = Command::new(exe);
    cmd.args(args)
        .args(["serve", "--tcp", tcp, "--udp", udp])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let netns = namespaces::open(ns)?;
    let fd = std::os::fd::AsRawFd::as_raw_fd(&netns);
    {
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
        crate::sys::die_with_parent(&mut cmd);
        // SAFETY: setns is an async-signal-safe system call on a descriptor copied into
        // the closure; it allocates nothing and touches no memory of the parent.
        unsafe {
            cmd.pre_exec(move || {
                if libc::setns(fd, libc::CLONE_NEWNET) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    let child = cmd.spawn().map_err(|e| NetnsError::Agent {
        ns: ns.to_string(),
        message: format!("cannot start `{}`: {e}", agent.join(" ")),
    });
    drop(netns);
    child
}

/// Starts one agent per namespace of `listen` that serves a port, and waits until each
/// has bound its ports. Every agent started is pushed to `started`, also on error, so
/// the caller stops them all.
pub fn start(
    listen: &[(String, BTreeSet<u16>, BTreeSet<u16>)],
    agent: &[String],
    started: &mut Vec<Child>,
) -> Result<(), NetnsError> {
    let mut waiting = Vec::new();
    for (ns, tcp, udp) in listen {
        if tcp.is_empty() && udp.is_empty() {
            continue;
        }
        let mut child = spawn(ns, agent, &ports(tcp), &ports(udp))?;
        let out = child.stdout.take();
        started.push(child);
        waiting.push((ns.clone(), started.len() - 1, out));
    }
    let (tx, rx) = std::sync::mpsc::channel();
    for (ns, i, out) in waiting.iter_mut() {
        let Some(out) = out.take() else { continue };
        let (tx, ns, i) = (tx.clone(), ns.clone(), *i);
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(out).read_line(&mut line);
            let _ = tx.send((ns, i, line.trim() == "ready"));
        });
    }
    drop(tx);
    let deadline = std::time::Instant::now() + READY_WITHIN;
    for _ in 0..waiting.len() {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let (ns, i, ready) = rx.recv_timeout(left).map_err(|_| NetnsError::Agent {
            ns: "?".into(),
            message: format!("an agent did not start within {READY_WITHIN:?}"),
        })?;
        if !ready {
            let child = &mut started[i];
            let _ = child.kill();
            let mut err = String::new();
            if let Some(e) = child.stderr.take() {
                let _ = std::io::Read::read_to_string(&mut BufReader::new(e), &mut err);
            }
            return Err(NetnsError::Agent {
                ns,
                message: format!("agent did not start: {}", err.trim()),
            });
        }
    }
    Ok(())
}

/// Kills and reaps the agents.
pub fn stop(agents: &mut Vec<Child>) {
    for a in agents.iter_mut() {
        let _ = a.kill();
    }
    for a in agents.iter_mut() {
        let _ = a.wait();
    }
    agents.clear();
}
