//! The listening agents (`hnsim probe serve`), one per namespace whose workload
//! listens or whose container has Docker's embedded resolver (its zone goes to the
//! agent's standard input, `--dns -`): each joins its namespace between fork and exec (so no `ip netns exec`
//! process), all are started at once, then waited for together.
//!
//! An agent dies with the thread that started it (`PR_SET_PDEATHSIG` follows the parent
//! thread, so they are started from the caller's thread, never from a short-lived one),
//! also on SIGKILL, and sits in a process group of its own, so a Ctrl-C at the terminal
//! reaches only `hnsim`, whose handler removes the run in order.

use super::namespaces;
use super::NetnsError;
use crate::agent::dns::Zone;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// How long an agent may take to say `ready`.
const READY_WITHIN: Duration = Duration::from_secs(10);

fn ports(s: &BTreeSet<u16>) -> String {
    s.iter().map(u16::to_string).collect::<Vec<_>>().join(",")
}

fn spawn(
    ns: &str,
    agent: &[String],
    tcp: &str,
    udp: &str,
    zone: Option<&Zone>,
) -> Result<Child, NetnsError> {
    let (exe, args) = agent.split_first().ok_or_else(|| NetnsError::Agent {
        ns: ns.to_string(),
        message: "no agent command".into(),
    })?;
    let mut cmd = Command::new(exe);
    cmd.args(args).args(["serve", "--tcp", tcp, "--udp", udp]);
    if zone.is_some() {
        cmd.args(["--dns", "-"]);
    }
    cmd.stdin(if zone.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
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
    let mut child = child?;
    if let (Some(zone), Some(mut stdin)) = (zone, child.stdin.take()) {
        let text = serde_json::to_vec(zone).unwrap_or_default();
        // A failed write shows as an agent that never says `ready`.
        let _ = stdin.write_all(&text);
    }
    Ok(child)
}

/// What one namespace's agent serves: its TCP and UDP ports, and its resolver's zone.
pub type Serves = (BTreeSet<u16>, BTreeSet<u16>, Option<Zone>);

/// Starts one agent per namespace of `serve` that serves a port or a zone, and waits
/// until each has bound them. Every agent started is pushed to `started`, also on
/// error, so the caller stops them all.
pub fn start(
    serve: &[(String, Serves)],
    agent: &[String],
    started: &mut Vec<Child>,
) -> Result<(), NetnsError> {
    let mut waiting = Vec::new();
    for (ns, (tcp, udp, zone)) in serve {
        if tcp.is_empty() && udp.is_empty() && zone.is_none() {
            continue;
        }
        let mut child = spawn(ns, agent, &ports(tcp), &ports(udp), zone.as_ref())?;
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
