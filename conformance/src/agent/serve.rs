//! The listening side: TCP accept-and-close, UDP echo, on every port the scenario says
//! the namespace's workload listens on; and, given a zone, the embedded resolver at
//! 127.0.0.11:53 ([`super::dns`]).

use super::AgentError;
use socket2::{Domain, Protocol, Socket, Type};
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, UdpSocket};

/// Binds every port, prints `ready` on stdout (the realizer waits for that line before
/// probing), then serves until killed. `bind`: the addresses to serve on; empty: all of
/// the stack's (a workload sharing a machine's stack is bound to the run's addresses
/// only, so that nothing opens on the machine's real interfaces).
pub fn serve(
    tcp: &[u16],
    udp: &[u16],
    bind: &[IpAddr],
    zone: Option<super::dns::Zone>,
) -> Result<(), AgentError> {
    let wildcard = [IpAddr::V4(Ipv4Addr::UNSPECIFIED)];
    let tcp_addrs: &[IpAddr] = if bind.is_empty() { &wildcard } else { bind };
    let mut listeners = Vec::new();
    for &p in tcp {
        for a in tcp_addrs {
            let l = TcpListener::bind((*a, p)).map_err(|err| AgentError::Listen {
                what: format!("tcp/{a}:{p}"),
                err,
            })?;
            listeners.push(l);
        }
    }
    // UDP is bound per local address: a wildcard socket would answer from the
    // outgoing interface's primary address, which a connected prober drops.
    let addrs = if bind.is_empty() {
        super::addrs::local_ipv4()
    } else {
        bind.to_vec()
    };
    let mut sockets = Vec::new();
    for &p in udp {
        for a in &addrs {
            let s = bind_udp(SocketAddr::new(*a, p)).map_err(|err| AgentError::Listen {
                what: format!("udp/{a}:{p}"),
                err,
            })?;
            sockets.push(s);
        }
    }
    if let Some(zone) = zone {
        let at = super::dns::EMBEDDED;
        let s = bind_udp(at).map_err(|err| AgentError::Listen {
            what: format!("udp/{at} (embedded DNS)"),
            err,
        })?;
        std::thread::spawn(move || super::dns::serve(s, zone));
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

/// A UDP socket on one address. On Windows with `SO_REUSEADDR`: Wine binds a socket
/// meant for one interface address to the wildcard address of that interface, so the
/// second address of a port would collide with the first; on Windows itself the
/// option changes nothing for sockets on distinct addresses, and nothing else in a
/// probe container binds the scenario's ports.
fn bind_udp(addr: SocketAddr) -> std::io::Result<UdpSocket> {
    let sock = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))?;
    #[cfg(windows)]
    sock.set_reuse_address(true)?;
    sock.bind(&addr.into())?;
    Ok(sock.into())
}
