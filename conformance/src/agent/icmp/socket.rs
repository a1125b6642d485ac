//! Linux: echo over an ICMP datagram ("ping") socket.

use super::{checksum, PAYLOAD};
use crate::agent::outcome::classify;
use hnsim_sim::ProbeOutcome;
use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

pub fn echo(ip: Ipv4Addr, timeout: Duration, seq: u16) -> ProbeOutcome {
    let run = || -> std::io::Result<ProbeOutcome> {
        let sock = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::ICMPV4))?;
        sock.set_read_timeout(Some(timeout))?;
        let dest = SockAddr::from(SocketAddr::new(IpAddr::V4(ip), 0));
        sock.connect(&dest)?;
        // The kernel fills in the id (the socket's port) and the checksum is ours.
        let mut pkt = vec![8u8, 0, 0, 0, 0, 0];
        pkt.extend_from_slice(&seq.to_be_bytes());
        pkt.extend_from_slice(PAYLOAD);
        let sum = checksum(&pkt);
        pkt[2..4].copy_from_slice(&sum.to_be_bytes());
        sock.send(&pkt)?;
        let deadline = Instant::now() + timeout;
        let mut buf = [0u8; 1500];
        loop {
            let n = std::io::Read::read(&mut &sock, &mut buf)?;
            let bytes = &buf[..n];
            if bytes.len() >= 8 && bytes[0] == 0 && bytes[6..8] == seq.to_be_bytes() {
                return Ok(ProbeOutcome::Reply);
            }
            if Instant::now() >= deadline {
                return Ok(ProbeOutcome::Timeout);
            }
        }
    };
    run().unwrap_or_else(|e| classify(&e))
}
