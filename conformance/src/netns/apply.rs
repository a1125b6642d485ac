//! Applying a [`Plan`] to the kernel in as few processes as the dependencies allow:
//! every namespace in one `ip -batch`; sysctls written from a thread inside each
//! namespace; link creation (which may reach into another namespace: a veth peer, a
//! device moved) in plan order; then each namespace's own configuration — through
//! netlink from a thread inside it when it is only links up, addresses, a default route
//! and neighbours (a container's), else in one `ip -batch` — and one `nft -f`, the
//! namespaces in parallel.

use super::namespaces::{self, within};
use super::netlink::{Netlink, Request};
use super::plan::{Plan, Step};
use super::NetnsError;
use crate::sys::{self, SysError};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Namespaces configured at once: the work is short processes, so a few more than the
/// cores keeps them busy while one waits.
const WORKERS: usize = 4;

/// A step that creates a link or moves one into another namespace: later steps of any
/// namespace may need it.
fn creates(step: &Step) -> bool {
    match step {
        Step::Ip { line, .. } => {
            line.starts_with("link add ")
                || (line.starts_with("link set ") && line.contains(" netns "))
        }
        Step::Bridge { .. } => false,
    }
}

/// One namespace's configuration: its `ip` lines, its `bridge` lines, its nftables.
#[derive(Default)]
struct NsWork {
    ip: Vec<String>,
    bridge: Vec<String>,
    nft: Option<String>,
}

fn ip_batch(ns: &str, lines: &[String]) -> Result<(), SysError> {
    let mut text = lines.join("\n");
    text.push('\n');
    sys::run("ip", &["-n", ns, "-batch", "-"], Some(&text)).map(drop)
}

/// Builds `plan`: namespaces, sysctls, links, addresses, routes, FDB entries and
/// nftables. On error, what was created stays for the caller's clean-up.
pub fn build(plan: &Plan) -> Result<(), NetnsError> {
    namespaces::add_all(&plan.namespaces)?;
    // Creation in plan order; consecutive steps of one namespace share a process.
    let created: Vec<(&str, &str)> = plan
        .steps
        .iter()
        .filter(|s| creates(s))
        .filter_map(|s| match s {
            Step::Ip { ns, line } => Some((ns.as_str(), line.as_str())),
            Step::Bridge { .. } => None,
        })
        .collect();
    let mut i = 0;
    while i < created.len() {
        let ns = created[i].0;
        let mut lines = Vec::new();
        while i < created.len() && created[i].0 == ns {
            lines.push(created[i].1.to_string());
            i += 1;
        }
        ip_batch(ns, &lines)?;
    }
    let mut work: Vec<(String, NsWork)> = plan
        .namespaces
        .iter()
        .map(|ns| (ns.clone(), NsWork::default()))
        .collect();
    let slot = |ns: &str, work: &mut Vec<(String, NsWork)>| -> usize {
        match work.iter().position(|(n, _)| n == ns) {
            Some(i) => i,
            None => {
                work.push((ns.to_string(), NsWork::default()));
                work.len() - 1
            }
        }
    };
    for s in plan.steps.iter().filter(|s| !creates(s)) {
        match s {
            Step::Ip { ns, line } => {
                let i = slot(ns, &mut work);
                work[i].1.ip.push(line.clone());
            }
            Step::Bridge { ns, line } => {
                let i = slot(ns, &mut work);
                work[i].1.bridge.push(line.clone());
            }
        }
    }
    for (ns, script) in &plan.nft {
        let i = slot(ns, &mut work);
        work[i].1.nft = Some(script.clone());
    }
    let next = AtomicUsize::new(0);
    let errors: Mutex<Vec<NetnsError>> = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..WORKERS {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((ns, w)) = work.get(i) else {
                    break;
                };
                if let Err(e) = configure(plan, ns, w) {
                    if let Ok(mut errs) = errors.lock() {
                        errs.push(e);
                    }
                    break;
                }
            });
        }
    });
    match errors.into_inner().unwrap_or_default().into_iter().next() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// One namespace: sysctls, then its `ip` and `bridge` lines, then its nftables, all
/// from a thread inside it.
fn configure(plan: &Plan, ns: &str, w: &NsWork) -> Result<(), NetnsError> {
    within(ns, || -> Result<(), SysError> {
        if let Some(kv) = plan.sysctls.get(ns) {
            namespaces::write_sysctls(kv)?;
        }
        // Runs of lines netlink understands go through it, the rest through `ip`, in
        // their order.
        let mut i = 0;
        while i < w.ip.len() {
            let understood = Request::parse(&w.ip[i]).is_some();
            let end = (i..w.ip.len())
                .find(|&j| Request::parse(&w.ip[j]).is_some() != understood)
                .unwrap_or(w.ip.len());
            let lines = &w.ip[i..end];
            if understood {
                let rs: Vec<Request> = lines.iter().filter_map(|l| Request::parse(l)).collect();
                let mut nl = Netlink::open().map_err(|e| SysError::Command {
                    cmd: "open a netlink socket".into(),
                    stderr: e.to_string(),
                })?;
                nl.send_all(&rs).map_err(|(k, e)| SysError::Command {
                    cmd: format!("ip {}", lines[k]),
                    stderr: e.to_string(),
                })?;
            } else {
                let mut text = lines.join("\n");
                text.push('\n');
                sys::run("ip", &["-batch", "-"], Some(&text))?;
            }
            i = end;
        }
        if !w.bridge.is_empty() {
            let mut text = w.bridge.join("\n");
            text.push('\n');
            sys::run("bridge", &["-batch", "-"], Some(&text))?;
        }
        if let Some(script) = &w.nft {
            sys::run("nft", &["-f", "-"], Some(script))?;
        }
        Ok(())
    })?
    .map_err(|e| match e {
        SysError::Command { cmd, stderr } => NetnsError::Sys(SysError::Command {
            cmd: format!("{cmd} (in {ns})"),
            stderr,
        }),
        other => NetnsError::Sys(other),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(line: &str) -> Step {
        Step::Ip {
            ns: "hns-abcdef-h0".into(),
            line: line.into(),
        }
    }

    #[test]
    fn creation_and_moves_come_first() {
        assert!(creates(&ip("link add b0 type bridge")));
        assert!(creates(&ip("link set v0 netns hns-abcdef-o0n0")));
        assert!(!creates(&ip("link set v0 master br0 up")));
        assert!(!creates(&ip("addr add 10.0.0.1/24 dev b0")));
        assert!(!creates(&Step::Bridge {
            ns: "hns-abcdef-h0".into(),
            line: "fdb append 00:00:00:00:00:00 dev v0 dst 10.0.0.11".into()
        }));
    }
}
