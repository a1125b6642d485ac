//! Sending probes: a batch over a pool of workers, each probe with bounded retries;
//! TCP connect and UDP echo here, ICMP echo in [`super::icmp`].

use super::dns::{self, NameLookup};
use super::outcome::classify;
use super::{icmp, Batch, ProbeResult, ProbeSpec, Timing};
use hnsim_sim::{Probe, ProbeOutcome};
use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Runs every probe of the batch with at most `timing.workers` in flight; results come
/// back in the order of `batch.probes`. A probe that names its destination asks the
/// batch's resolver first ([`resolve`]).
pub fn run_batch(batch: &Batch) -> Vec<ProbeResult> {
    let n = batch.probes.len();
    let resolver = batch.resolver.map(Ok).unwrap_or_else(|| {
        if batch.probes.iter().all(|p| p.name.is_none()) {
            return Err(String::new());
        }
        std::fs::read_to_string("/etc/resolv.conf")
            .map_err(|e| format!("no embedded resolver: /etc/resolv.conf: {e}"))
            .and_then(|text| dns::embedded_resolver(&text))
    });
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
                let lookup = spec
                    .name
                    .as_deref()
                    .map(|name| resolve(&resolver, name, spec.id, &batch.timing));
                let r = ProbeResult {
                    lookup,
                    ..run_one(spec, &batch.timing)
                };
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
            r.unwrap_or_else(|| {
                let failed = ProbeOutcome::Error {
                    message: "worker failed".into(),
                };
                ProbeResult::of(spec.id, failed, None, 0)
            })
        })
        .collect()
}

/// Asks `resolver` for `name` (the probe's id as the question's), with the probe's
/// timeout and retries.
fn resolve(
    resolver: &Result<std::net::SocketAddr, String>,
    name: &str,
    id: usize,
    timing: &Timing,
) -> NameLookup {
    let (server, answer) = match resolver {
        Ok(server) => (
            server.to_string(),
            dns::lookup(*server, name, id as u16, timing.timeout(), timing.retries),
        ),
        Err(why) => (String::new(), dns::Answer::NoResolver { why: why.clone() }),
    };
    NameLookup {
        name: name.to_string(),
        server,
        answer,
    }
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
            let rtt_ms = (outcome == ProbeOutcome::Reply).then_some(rtt);
            return ProbeResult::of(spec.id, outcome, rtt_ms, attempts);
        }
    }
}

fn attempt(spec: &ProbeSpec, timeout: Duration, seq: u32) -> ProbeOutcome {
    match spec.probe {
        Probe::Icmp => icmp::echo(spec.ip, timeout, spec.id, seq),
        Probe::Tcp(p) => tcp(SocketAddr::new(spec.ip, spec.port.unwrap_or(p)), timeout),
        Probe::Udp(p) => udp(
            SocketAddr::new(spec.ip, spec.port.unwrap_or(p)),
            timeout,
            spec.id,
        ),
    }
}

fn tcp(addr: SocketAddr, timeout: Duration) -> ProbeOutcome {
    let run = || -> std::io::Result<()> {
        let sock = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
        #[cfg(windows)]
        no_syn_retransmissions(&sock);
        sock.connect_timeout(&SockAddr::from(addr), timeout)
    };
    match run() {
        Ok(()) => ProbeOutcome::Reply,
        Err(e) => classify(&e),
    }
}

/// Windows answers a RST to its SYN by sending the SYN again (twice, 500 ms apart, by
/// default), so a closed port looks like silence to a one-second probe. With no SYN
/// retransmissions the first RST is final, as on Linux, and silence still times out
/// (the agent's own retries stand in for the stack's). Failing to set it (Wine, old
/// builds) leaves the stack's default.
#[cfg(windows)]
fn no_syn_retransmissions(sock: &Socket) {
    use std::os::windows::io::AsRawSocket;
    use windows_sys::Win32::Networking::WinSock::{
        WSAIoctl, SIO_TCP_INITIAL_RTO, TCP_INITIAL_RTO_PARAMETERS,
    };
    /// `TCP_INITIAL_RTO_UNSPECIFIED_RTT` and `TCP_INITIAL_RTO_NO_SYN_RETRANSMISSIONS`
    /// of `mstcpip.h`.
    const UNSPECIFIED_RTT: u16 = 0xffff;
    const NO_SYN_RETRANSMISSIONS: u8 = 0xfe;
    let params = TCP_INITIAL_RTO_PARAMETERS {
        Rtt: UNSPECIFIED_RTT,
        MaxSynRetransmissions: NO_SYN_RETRANSMISSIONS,
    };
    let mut returned = 0u32;
    // SAFETY: the input buffer is a live TCP_INITIAL_RTO_PARAMETERS of the size given;
    // no output buffer, no overlapped I/O.
    unsafe {
        WSAIoctl(
            sock.as_raw_socket() as _,
            SIO_TCP_INITIAL_RTO,
            std::ptr::from_ref(&params).cast(),
            std::mem::size_of::<TCP_INITIAL_RTO_PARAMETERS>() as u32,
            std::ptr::null_mut(),
            0,
            &mut returned,
            std::ptr::null_mut(),
            None,
        );
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

#[cfg(test)]
mod tests {
    use super::*;

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

    #[cfg(unix)]
    #[test]
    fn udp_to_closed_loopback_port_is_refused() {
        let u = UdpSocket::bind("127.0.0.1:0").unwrap();
        let addr = u.local_addr().unwrap();
        drop(u);
        assert_eq!(
            udp(addr, Duration::from_millis(500), 1),
            ProbeOutcome::Refused
        );
    }

    #[test]
    fn batch_keeps_order_and_counts_attempts() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let open = l.local_addr().unwrap().port();
        let probes = (0..5)
            .map(|id| ProbeSpec::at(id, Probe::Tcp(open), "127.0.0.1".parse().unwrap(), None))
            .collect();
        let batch = Batch::new(Timing::default(), probes);
        let r = run_batch(&batch);
        assert_eq!(r.iter().map(|r| r.id).collect::<Vec<_>>(), [0, 1, 2, 3, 4]);
        assert!(r.iter().all(|r| r.attempts == 1));
        assert!(r.iter().all(|r| r.lookup.is_none()));
    }

    #[test]
    fn a_named_probe_asks_the_resolver_first_and_probes_all_the_same() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let open = l.local_addr().unwrap().port();
        let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
        let server = sock.local_addr().unwrap();
        let mut zone = dns::Zone::default();
        zone.names
            .insert("web".into(), vec![std::net::Ipv4Addr::LOCALHOST]);
        std::thread::spawn(move || dns::serve(sock, zone));
        let ip = "127.0.0.1".parse().unwrap();
        let named = |id, name: &str| ProbeSpec {
            name: Some(name.into()),
            ..ProbeSpec::at(id, Probe::Tcp(open), ip, None)
        };
        let batch = Batch {
            resolver: Some(server),
            ..Batch::new(Timing::default(), vec![named(0, "web"), named(1, "db")])
        };
        let r = run_batch(&batch);
        let web = r[0].lookup.as_ref().expect("web was looked up");
        assert!(web.answer.resolves_to(ip), "{web:?}");
        assert_eq!(r[0].outcome, ProbeOutcome::Reply);
        let db = r[1].lookup.as_ref().expect("db was looked up");
        assert_eq!(db.answer, dns::Answer::NxDomain);
        assert!(db.words().contains("not resolved"), "{}", db.words());
        // The probe by address runs whatever the name gave: the cell's delivery is
        // judged on its own.
        assert_eq!(r[1].outcome, ProbeOutcome::Reply);
    }
}
