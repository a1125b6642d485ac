//! Sending probes: ICMP echo over a ping socket, TCP connect, UDP echo.

use super::{Batch, ProbeResult, ProbeSpec, Timing};
use hnsim_sim::{Probe, ProbeOutcome};
use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use std::io::ErrorKind;
use std::net::{IpAddr, SocketAddr, TcpStream, UdpSocket};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Runs every probe of the batch with at most `timing.workers` in flight; results come
/// back in the order of `batch.probes`.
pub fn run_batch(batch: &Batch) -> Vec<ProbeResult> {
    let n = batch.probes.len();
    let workers = batch.timing.workers.clamp(1, 256).min(n.max(1));
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<ProbeResult>>> = Mutex::new(vec![None; n]);
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(spec) = batch.probes.get(i) else {
                    break;
                };
                let r = run_one(spec, &batch.timing);
                if let Ok(mut all) = results.lock() {
                    all[i] = Some(r);
                }
            });
        }
    });
    let all = results.into_inner().unwrap_or_default();
    all.into_iter()
        .zip(&batch.probes)
        .map(|(r, spec)| {
            r.unwrap_or_else(|| ProbeResult {
                id: spec.id,
                outcome: ProbeOutcome::Error {
                    message: "worker failed".into(),
                },
                rtt_ms: None,
                attempts: 0,
            })
        })
        .collect()
}

/// One probe with bounded retries: only a timeout is retried; a reply, a refusal or an
/// unreachable answer is what the wire said and is final.
pub fn run_one(spec: &ProbeSpec, timing: &Timing) -> ProbeResult {
    let mut attempts = 0;
    loop {
        attempts += 1;
        let start = Instant::now();
        let outcome = attempt(spec, timing.timeout(), attempts);
        let rtt = start.elapsed().as_secs_f64() * 1000.0;
        let retry = outcome == ProbeOutcome::Timeout && attempts <= timing.retries;
        if !retry {
            return ProbeResult {
                id: spec.id,
                rtt_ms: (outcome == ProbeOutcome::Reply).then_some(rtt),
                outcome,
                attempts,
            };
        }
    }
}

fn attempt(spec: &ProbeSpec, timeout: Duration, seq: u32) -> ProbeOutcome {
    match spec.probe {
        Probe::Icmp => icmp(spec.ip, timeout, spec.id, seq),
        Probe::Tcp(p) => tcp(SocketAddr::new(spec.ip, spec.port.unwrap_or(p)), timeout),
        Probe::Udp(p) => udp(
            SocketAddr::new(spec.ip, spec.port.unwrap_or(p)),
            timeout,
            spec.id,
        ),
    }
}

fn classify(err: &std::io::Error) -> ProbeOutcome {
    match err.kind() {
        ErrorKind::ConnectionRefused => return ProbeOutcome::Refused,
        ErrorKind::TimedOut | ErrorKind::WouldBlock => return ProbeOutcome::Timeout,
        ErrorKind::HostUnreachable | ErrorKind::NetworkUnreachable => {
            return ProbeOutcome::Unreachable
        }
        _ => {}
    }
    match err.raw_os_error() {
        Some(libc::EHOSTUNREACH) | Some(libc::ENETUNREACH) | Some(libc::EADDRNOTAVAIL) => {
            ProbeOutcome::Unreachable
        }
        Some(libc::EPERM) | Some(libc::EACCES) => ProbeOutcome::Unreachable,
        _ => ProbeOutcome::Error {
            message: err.to_string(),
        },
    }
}

fn tcp(addr: SocketAddr, timeout: Duration) -> ProbeOutcome {
    match TcpStream::connect_timeout(&addr, timeout) {
        Ok(_) => ProbeOutcome::Reply,
        Err(e) => classify(&e),
    }
}

fn udp(addr: SocketAddr, timeout: Duration, id: usize) -> ProbeOutcome {
    let bind: SocketAddr = match addr {
        SocketAddr::V4(_) => "0.0.0.0:0".parse().expect("constant address"),
        SocketAddr::V6(_) => "[::]:0".parse().expect("constant address"),
    };
    let run = || -> std::io::Result<ProbeOutcome> {
        let sock = UdpSocket::bind(bind)?;
        sock.connect(addr)?;
        sock.set_read_timeout(Some(timeout))?;
        let payload = format!("hnsim-probe {id}");
        sock.send(payload.as_bytes())?;
        let deadline = Instant::now() + timeout;
        let mut buf = [0u8; 512];
        loop {
            let n = sock.recv(&mut buf)?;
            if &buf[..n] == payload.as_bytes() {
                return Ok(ProbeOutcome::Reply);
            }
            if Instant::now() >= deadline {
                return Ok(ProbeOutcome::Timeout);
            }
        }
    };
    run().unwrap_or_else(|e| classify(&e))
}

fn checksum(data: &[u8]) -> u16 {
    let mut sum = 0u32;
    for chunk in data.chunks(2) {
        let word = u16::from_be_bytes([chunk[0], *chunk.get(1).unwrap_or(&0)]);
        sum += u32::from(word);
    }
    while sum >> 16 != 0 {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

fn icmp(ip: IpAddr, timeout: Duration, id: usize, seq: u32) -> ProbeOutcome {
    let IpAddr::V4(v4) = ip else {
        return ProbeOutcome::NotEmulated {
            why: "ICMPv6 probes are not implemented".into(),
        };
    };
    let run = || -> std::io::Result<ProbeOutcome> {
        let sock = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::ICMPV4))?;
        sock.set_read_timeout(Some(timeout))?;
        let dest = SockAddr::from(SocketAddr::new(IpAddr::V4(v4), 0));
        sock.connect(&dest)?;
        let seq = (seq as u16).wrapping_add((id as u16).wrapping_mul(7));
        let mut pkt = vec![8u8, 0, 0, 0, 0, 0];
        pkt.extend_from_slice(&seq.to_be_bytes());
        pkt.extend_from_slice(b"hnsim-probe");
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icmp_checksum_of_known_packet() {
        // Echo request, id 0, seq 1, no payload: checksum 0xf7fe.
        let pkt = [8u8, 0, 0, 0, 0, 0, 0, 1];
        assert_eq!(checksum(&pkt), 0xf7fe);
    }

    #[test]
    fn tcp_to_closed_loopback_port_is_refused() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        drop(l);
        assert_eq!(tcp(addr, Duration::from_millis(500)), ProbeOutcome::Refused);
    }

    #[test]
    fn tcp_and_udp_to_a_listening_agent_reply() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        assert_eq!(tcp(addr, Duration::from_millis(500)), ProbeOutcome::Reply);
        let u = UdpSocket::bind("127.0.0.1:0").unwrap();
        let uaddr = u.local_addr().unwrap();
        let h = std::thread::spawn(move || {
            let mut buf = [0u8; 64];
            let (n, from) = u.recv_from(&mut buf).unwrap();
            u.send_to(&buf[..n], from).unwrap();
        });
        assert_eq!(
            udp(uaddr, Duration::from_millis(500), 3),
            ProbeOutcome::Reply
        );
        h.join().unwrap();
    }

    #[test]
    fn batch_keeps_order_and_counts_attempts() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let open = l.local_addr().unwrap().port();
        let probes = (0..5)
            .map(|id| ProbeSpec {
                id,
                probe: Probe::Tcp(open),
                ip: "127.0.0.1".parse().unwrap(),
                port: None,
            })
            .collect();
        let batch = Batch {
            timing: Timing::default(),
            probes,
        };
        let r = run_batch(&batch);
        assert_eq!(r.iter().map(|r| r.id).collect::<Vec<_>>(), [0, 1, 2, 3, 4]);
        assert!(r.iter().all(|r| r.attempts == 1));
    }
}
