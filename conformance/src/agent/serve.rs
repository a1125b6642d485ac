//! The listening side: TCP accept-and-close, UDP echo, on every port the scenario says
//! the namespace's workload listens on.

use super::AgentError;
use std::io::Write;
use std::net::{TcpListener, UdpSocket};

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
    let mut sockets = Vec::new();
    for &p in udp {
        let s = UdpSocket::bind(("0.0.0.0", p)).map_err(|err| AgentError::Listen {
            what: format!("udp/{p}"),
            err,
        })?;
        sockets.push(s);
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
