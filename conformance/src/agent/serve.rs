//! The listening side: TCP accept-and-close, UDP echo, on every port the scenario says
//! the namespace's workload listens on.

use super::AgentError;
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, TcpListener, UdpSocket};

/// Binds every port, prints `ready` on stdout (the realizer waits for that line before
/// probing), then serves until killed.
pub fn serve(tcp: &[u16], udp: &[u16]) -> Result<(), AgentError> {
    let mut listeners = Vec::new();
    for &p in tcp {
        let l = TcpListener::bind(("0.0.0.0", p)).map_err(|err| AgentError::Listen {
            what: format!("tcp/{p}"),
            err,
        })?;
        listeners.push(l);
    }
    // UDP is bound per local address: a wildcard socket would answer from the
    // outgoing interface's primary address, which a connected prober drops.
    let addrs = local_addresses();
    let mut sockets = Vec::new();
    for &p in udp {
        for a in &addrs {
            let s = UdpSocket::bind((*a, p)).map_err(|err| AgentError::Listen {
                what: format!("udp/{a}:{p}"),
                err,
            })?;
            sockets.push(s);
        }
    }
    for l in listeners {
        std::thread::spawn(move || {
            for mut c in l.incoming().flatten() {
                let _ = c.write_all(b"hnsim\n");
            }
        });
    }
    for s in sockets {
        std::thread::spawn(move || {
            let mut buf = [0u8; 2048];
            loop {
                if let Ok((n, from)) = s.recv_from(&mut buf) {
                    let _ = s.send_to(&buf[..n], from);
                }
            }
        });
    }
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "ready");
    let _ = out.flush();
    drop(out);
    loop {
        std::thread::park();
    }
}

/// The namespace's IPv4 addresses (from `ip -o -4 addr show`); the wildcard address
/// when they cannot be listed.
fn local_addresses() -> Vec<IpAddr> {
    let out = std::process::Command::new("ip")
        .args(["-o", "-4", "addr", "show"])
        .output();
    let mut addrs: Vec<IpAddr> = out
        .ok()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .filter_map(|l| {
                    let mut words = l.split_whitespace();
                    words.find(|w| *w == "inet")?;
                    words.next()?.split('/').next()?.parse().ok()
                })
                .collect()
        })
        .unwrap_or_default();
    addrs.sort();
    addrs.dedup();
    if addrs.is_empty() {
        addrs.push(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    }
    addrs
}
