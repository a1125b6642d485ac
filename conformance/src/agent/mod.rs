//! The probe agent: `hnsim probe ...`, run inside one network namespace.
//!
//! The agent is the same program on Linux and on Windows (cross-compiled for
//! `x86_64-pc-windows-gnu`, or built natively with the static CRT so that it runs in
//! nanoserver): only ICMP ([`icmp`]), the list of local addresses ([`addrs`]) and the
//! meaning of socket error codes ([`outcome`]) differ per platform.
//!
//! One agent process per namespace serves the scenario's TCP and UDP ports (`serve`),
//! and one agent process per source namespace sends a whole batch of probes (`run
//! --batch FILE`) with a bounded pool of worker threads. Spawning one process per cell
//! would cost a fork+exec+setns for each of thousands of cells; a batch costs one.
//!
//! ICMP echo is answered by the kernel of the destination namespace, exactly as a
//! container's or host's stack would; the agent sends it without privileges (a ping
//! socket on Linux, `IcmpSendEcho2` on Windows).
//!
//! What the agent reports is what the wire showed: a reply (echo reply, SYN-ACK, UDP
//! echo), a refusal (TCP RST or ICMP port unreachable: the destination's stack was
//! reached but nothing listened), unreachable (no route, or ICMP host/net unreachable),
//! or a timeout after the bounded retries.

mod addrs;
pub mod dns;
pub mod icmp;
pub mod outcome;
mod probe;
mod serve;

pub use probe::{run_batch, run_one};
pub use serve::serve;

use hnsim_sim::{Probe, ProbeOutcome};
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;
use std::net::IpAddr;
use std::path::Path;
use std::time::Duration;

/// One probe of a batch: what to send and where.
#[skip_serializing_none]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProbeSpec {
    pub id: usize,
    pub probe: Probe,
    pub ip: IpAddr,
    /// Destination port for TCP/UDP (the published host port when the cell's address
    /// is host IP + port); ignored for ICMP.
    pub port: Option<u16>,
    /// A name of the destination to resolve first, from the source's own stack
    /// ([`dns::lookup`]); the probe then goes to `ip` all the same, and the result
    /// carries what the name resolved to.
    pub name: Option<String>,
}

impl ProbeSpec {
    /// A probe of `ip` (and `port`), without a name.
    pub fn at(id: usize, probe: Probe, ip: IpAddr, port: Option<u16>) -> Self {
        ProbeSpec {
            id,
            probe,
            ip,
            port,
            name: None,
        }
    }
    /// What is sent, in words: `tcp SYN to 10.0.0.10:8080`.
    pub fn sent(&self) -> String {
        match self.probe {
            Probe::Icmp => format!("icmp echo-request to {}", self.ip),
            Probe::Tcp(p) => format!("tcp SYN to {}", self.target(p)),
            Probe::Udp(p) => format!("udp datagram to {}", self.target(p)),
        }
    }
    /// The address probed, as typed: `10.0.0.10:8080`, `172.16.0.2`.
    pub fn to(&self) -> String {
        match self.probe {
            Probe::Icmp => self.ip.to_string(),
            Probe::Tcp(p) | Probe::Udp(p) => self.target(p),
        }
    }
    fn target(&self, default_port: u16) -> String {
        std::net::SocketAddr::new(self.ip, self.port.unwrap_or(default_port)).to_string()
    }
    /// Arguments of `hnsim probe` that repeat this probe alone.
    pub fn cli_args(&self) -> Vec<String> {
        let kind = match self.probe {
            Probe::Icmp => "icmp",
            Probe::Tcp(_) => "tcp",
            Probe::Udp(_) => "udp",
        };
        vec![kind.to_string(), self.to()]
    }
}

/// Timing of a batch: per-probe timeout and bounded retries.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    pub timeout_ms: u64,
    /// Extra attempts after a timeout (a refusal or a reply is final at once).
    pub retries: u32,
    pub workers: usize,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            timeout_ms: 1000,
            retries: 1,
            workers: 32,
        }
    }
}

impl Timing {
    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms.max(1))
    }
}

#[skip_serializing_none]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Batch {
    pub timing: Timing,
    pub probes: Vec<ProbeSpec>,
    /// The resolver names are asked of; `None`: the one `/etc/resolv.conf` names, when
    /// it is Docker's embedded resolver ([`dns::embedded_resolver`]).
    pub resolver: Option<std::net::SocketAddr>,
}

impl Batch {
    pub fn new(timing: Timing, probes: Vec<ProbeSpec>) -> Self {
        Batch {
            timing,
            probes,
            resolver: None,
        }
    }
}

#[skip_serializing_none]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProbeResult {
    pub id: usize,
    pub outcome: ProbeOutcome,
    pub rtt_ms: Option<f64>,
    pub attempts: u32,
    /// What the spec's name resolved to, when it named one.
    pub lookup: Option<dns::NameLookup>,
}

impl ProbeResult {
    /// A result without a name lookup.
    pub fn of(id: usize, outcome: ProbeOutcome, rtt_ms: Option<f64>, attempts: u32) -> Self {
        ProbeResult {
            id,
            outcome,
            rtt_ms,
            attempts,
            lookup: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    #[error("usage: {0}")]
    Usage(String),
    #[error("cannot read batch file {path}: {err}")]
    Batch { path: String, err: String },
    #[error("cannot listen on {what}: {err}")]
    Listen { what: String, err: std::io::Error },
}

const USAGE: &str = "hnsim probe serve [--tcp P,P..] [--udp P,P..] [--bind IP,IP..] [--dns -]\n\
    hnsim probe run --batch FILE.json|-\n\
    hnsim probe icmp IP | tcp IP:PORT | udp IP:PORT [--timeout-ms N] [--retries N]";

fn ports(list: &str) -> Result<Vec<u16>, AgentError> {
    list.split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| {
            s.trim()
                .parse::<u16>()
                .map_err(|_| AgentError::Usage(format!("`{s}` is not a port\n{USAGE}")))
        })
        .collect()
}

fn parse_target(probe: &str, target: &str) -> Result<ProbeSpec, AgentError> {
    let bad = || AgentError::Usage(format!("`{probe} {target}` is not a probe\n{USAGE}"));
    if probe == "icmp" {
        let ip: IpAddr = target.parse().map_err(|_| bad())?;
        return Ok(ProbeSpec::at(0, Probe::Icmp, ip, None));
    }
    let addr: std::net::SocketAddr = target.parse().map_err(|_| bad())?;
    let p = match probe {
        "tcp" => Probe::Tcp(addr.port()),
        "udp" => Probe::Udp(addr.port()),
        _ => return Err(bad()),
    };
    Ok(ProbeSpec::at(0, p, addr.ip(), Some(addr.port())))
}

/// Entry point of `hnsim probe ARGS...`. Returns the process exit code: 0 when every
/// probe got a reply (single probe) or the batch ran, 1 when a single probe did not.
pub fn main(args: &[String]) -> Result<i32, AgentError> {
    let mut it = args.iter().map(String::as_str);
    let sub = it.next().ok_or_else(|| AgentError::Usage(USAGE.into()))?;
    let rest: Vec<&str> = it.collect();
    let flag = |name: &str| -> Option<&str> {
        rest.iter()
            .position(|a| *a == name)
            .and_then(|i| rest.get(i + 1).copied())
    };
    match sub {
        "serve" => {
            let tcp = ports(flag("--tcp").unwrap_or(""))?;
            let udp = ports(flag("--udp").unwrap_or(""))?;
            let bind = flag("--bind")
                .unwrap_or("")
                .split(',')
                .filter(|a| !a.trim().is_empty())
                .map(|a| {
                    a.trim()
                        .parse::<IpAddr>()
                        .map_err(|_| AgentError::Usage(format!("`{a}` is not an address\n{USAGE}")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            // `--dns -`: a zone (JSON) on standard input, answered at 127.0.0.11:53.
            let zone = match flag("--dns") {
                None => None,
                Some("-") => {
                    let text = std::io::read_to_string(std::io::stdin()).map_err(|e| {
                        AgentError::Usage(format!("cannot read the zone on stdin: {e}"))
                    })?;
                    Some(serde_json::from_str::<dns::Zone>(&text).map_err(|e| {
                        AgentError::Usage(format!("the zone on stdin is not one: {e}"))
                    })?)
                }
                Some(other) => {
                    return Err(AgentError::Usage(format!(
                        "--dns takes `-` (the zone on stdin), not `{other}`\n{USAGE}"
                    )))
                }
            };
            serve(&tcp, &udp, &bind, zone)?;
            Ok(0)
        }
        "run" => {
            let path = flag("--batch")
                .ok_or_else(|| AgentError::Usage(format!("run needs --batch FILE\n{USAGE}")))?;
            let batch = read_batch(Path::new(path))?;
            let results = run_batch(&batch);
            println!(
                "{}",
                serde_json::to_string(&results).unwrap_or_else(|_| "[]".into())
            );
            Ok(0)
        }
        "icmp" | "tcp" | "udp" => {
            let target = rest
                .first()
                .ok_or_else(|| AgentError::Usage(format!("{sub} needs a target\n{USAGE}")))?;
            let spec = parse_target(sub, target)?;
            let mut timing = Timing::default();
            if let Some(t) = flag("--timeout-ms") {
                timing.timeout_ms = t
                    .parse()
                    .map_err(|_| AgentError::Usage(format!("bad --timeout-ms `{t}`")))?;
            }
            if let Some(r) = flag("--retries") {
                timing.retries = r
                    .parse()
                    .map_err(|_| AgentError::Usage(format!("bad --retries `{r}`")))?;
            }
            let result = run_one(&spec, &timing);
            println!(
                "{}: {}",
                spec.sent(),
                serde_json::to_string(&result).unwrap_or_default()
            );
            Ok(if result.outcome == ProbeOutcome::Reply {
                0
            } else {
                1
            })
        }
        other => Err(AgentError::Usage(format!(
            "unknown probe command `{other}`\n{USAGE}"
        ))),
    }
}

/// Reads a batch from a file, or from standard input when the path is `-` (Windows has
/// no `/dev/stdin`).
fn read_batch(path: &Path) -> Result<Batch, AgentError> {
    let err = |e: String| AgentError::Batch {
        path: path.display().to_string(),
        err: e,
    };
    let text = if path == Path::new("-") {
        std::io::read_to_string(std::io::stdin()).map_err(|e| err(e.to_string()))?
    } else {
        std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?
    };
    serde_json::from_str(&text).map_err(|e| err(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse() {
        let s = parse_target("tcp", "10.0.0.1:8080").unwrap();
        assert_eq!(s.probe, Probe::Tcp(8080));
        assert_eq!(s.to(), "10.0.0.1:8080");
        assert_eq!(s.sent(), "tcp SYN to 10.0.0.1:8080");
        assert_eq!(s.cli_args(), ["tcp", "10.0.0.1:8080"]);
        let s = parse_target("icmp", "10.0.0.1").unwrap();
        assert_eq!(s.to(), "10.0.0.1");
        assert!(parse_target("tcp", "10.0.0.1").is_err());
        assert!(parse_target("sctp", "10.0.0.1:1").is_err());
        assert!(main(&["bogus".into()]).is_err());
        assert!(main(&[]).is_err());
    }

    #[test]
    fn published_port_overrides_probe_port() {
        let s = ProbeSpec::at(1, Probe::Tcp(80), "10.0.0.10".parse().unwrap(), Some(8080));
        assert_eq!(s.to(), "10.0.0.10:8080");
    }
}
