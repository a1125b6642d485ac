//! ICMP echo from the Docker host itself. The probe agent uses an unprivileged ICMP
//! datagram socket, which the machine's own namespace may forbid
//! (`net.ipv4.ping_group_range`), and that sysctl is the machine's, not the run's: so
//! host-sourced echoes go through a raw socket (the backend runs as root, as the
//! engine requires), and replies are matched by source address, id and sequence.

use hnsim_sim::ProbeOutcome;
use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

fn checksum(data: &[u8]) -> u16 {
    let mut sum = 0u32;
    for chunk in data.chunks(2) {
        sum += u32::from(u16::from_be_bytes([chunk[0], *chunk.get(1).unwrap_or(&0)]));
    }
    while sum >> 16 != 0 {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// The echo request this module sends.
pub fn request(id: u16, seq: u16) -> Vec<u8> {
    let mut pkt = vec![8u8, 0, 0, 0];
    pkt.extend_from_slice(&id.to_be_bytes());
    pkt.extend_from_slice(&seq.to_be_bytes());
    pkt.extend_from_slice(b"hnsim-docker");
    let sum = checksum(&pkt);
    pkt[2..4].copy_from_slice(&sum.to_be_bytes());
    pkt
}

/// Whether a raw IPv4 datagram is the echo reply from `from` to our `id`/`seq`.
pub fn is_reply(datagram: &[u8], from: Ipv4Addr, id: u16, seq: u16) -> bool {
    let Some(&vihl) = datagram.first() else {
        return false;
    };
    let ihl = usize::from(vihl & 0x0f) * 4;
    if datagram.len() < ihl + 8 || datagram.len() < 20 {
        return false;
    }
    let src = Ipv4Addr::new(datagram[12], datagram[13], datagram[14], datagram[15]);
    let icmp = &datagram[ihl..];
    src == from && icmp[0] == 0 && icmp[4..6] == id.to_be_bytes() && icmp[6..8] == seq.to_be_bytes()
}

/// One echo with bounded retries (only silence is retried).
pub fn ping(
    ip: IpAddr,
    timeout: Duration,
    retries: u32,
    seq: u16,
) -> (ProbeOutcome, Option<f64>, u32) {
    let IpAddr::V4(v4) = ip else {
        return (
            ProbeOutcome::NotEmulated {
                why: "ICMPv6 probes are not implemented".into(),
            },
            None,
            0,
        );
    };
    let id = (std::process::id() as u16) ^ 0x4853;
    let mut attempts = 0;
    loop {
        attempts += 1;
        let start = Instant::now();
        let outcome = match once(v4, timeout, id, seq.wrapping_add(attempts as u16 * 4099)) {
            Ok(o) => o,
            Err(e) => ProbeOutcome::Error {
                message: format!("raw ICMP socket: {e}"),
            },
        };
        if outcome != ProbeOutcome::Timeout || attempts > retries {
            let rtt =
                (outcome == ProbeOutcome::Reply).then(|| start.elapsed().as_secs_f64() * 1000.0);
            return (outcome, rtt, attempts);
        }
    }
}

fn once(ip: Ipv4Addr, timeout: Duration, id: u16, seq: u16) -> std::io::Result<ProbeOutcome> {
    let sock = Socket::new(Domain::IPV4, Type::RAW, Some(Protocol::ICMPV4))?;
    sock.connect(&SockAddr::from(SocketAddr::new(IpAddr::V4(ip), 0)))?;
    if let Err(e) = sock.send(&request(id, seq)) {
        return Ok(match e.raw_os_error() {
            Some(libc::EHOSTUNREACH) | Some(libc::ENETUNREACH) => ProbeOutcome::Unreachable,
            _ => return Err(e),
        });
    }
    let deadline = Instant::now() + timeout;
    let mut buf = [0u8; 1500];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(ProbeOutcome::Timeout);
        }
        sock.set_read_timeout(Some(left))?;
        match std::io::Read::read(&mut &sock, &mut buf) {
            Ok(n) if is_reply(&buf[..n], ip, id, seq) => return Ok(ProbeOutcome::Reply),
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Ok(ProbeOutcome::Timeout)
            }
            Err(e) => match e.raw_os_error() {
                Some(libc::EHOSTUNREACH) | Some(libc::ENETUNREACH) => {
                    return Ok(ProbeOutcome::Unreachable)
                }
                _ => return Err(e),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_checksums_to_zero_and_replies_match_id_seq_and_source() {
        let req = request(0x1234, 7);
        assert_eq!(checksum(&req), 0, "a packet with its checksum sums to zero");
        let mut dgram = vec![
            0x45u8, 0, 0, 0, 0, 0, 0, 0, 64, 1, 0, 0, 10, 0, 0, 2, 10, 0, 0, 1,
        ];
        let mut reply = req.clone();
        reply[0] = 0;
        dgram.extend_from_slice(&reply);
        let from = Ipv4Addr::new(10, 0, 0, 2);
        assert!(is_reply(&dgram, from, 0x1234, 7));
        assert!(!is_reply(&dgram, Ipv4Addr::new(10, 0, 0, 3), 0x1234, 7));
        assert!(!is_reply(&dgram, from, 0x1234, 8));
        assert!(!is_reply(&dgram[..22], from, 0x1234, 7));
        assert!(!is_reply(&[], from, 1, 1));
    }
}
