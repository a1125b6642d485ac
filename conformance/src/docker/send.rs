//! Sending a batch on the engine: from inside a source container through its agent
//! (`docker exec -i ... probe run --batch /dev/stdin`), or from the Docker host itself
//! in this process (ICMP through a raw socket, [`super::icmp`]).

use super::cli::{self, Engine};
use super::locate::HOST;
use super::{icmp, image, DockerError};
use crate::agent::{Batch, ProbeResult, ProbeSpec, Timing};
use hnsim_sim::Probe;

pub(super) fn run_batch(
    src: &str,
    specs: &[ProbeSpec],
    timing: &Timing,
) -> Result<Vec<ProbeResult>, DockerError> {
    match src {
        #[cfg(target_os = "linux")]
        ns if super::lan::is_outside_source(ns) => {
            super::outside::run_batch(ns, &Batch::new(*timing, specs.to_vec()))
        }
        HOST => {
            let (icmp, other): (Vec<&ProbeSpec>, Vec<&ProbeSpec>) =
                specs.iter().partition(|s| s.probe == Probe::Icmp);
            let batch = Batch::new(*timing, other.into_iter().cloned().collect());
            let mut out = crate::agent::run_batch(&batch);
            for s in icmp {
                let (outcome, rtt_ms, attempts) =
                    icmp::ping(s.ip, timing.timeout(), timing.retries, s.id as u16);
                out.push(ProbeResult::of(s.id, outcome, rtt_ms, attempts));
            }
            Ok(out)
        }
        name => {
            let batch = Batch::new(*timing, specs.to_vec());
            in_container(&Engine::Machine, name, &batch)
        }
    }
}

/// Runs `batch` with the agent of container `id` on `engine`
/// (`docker exec -i ID /hnsim probe run --batch /dev/stdin`).
pub fn in_container(
    engine: &Engine,
    id: &str,
    batch: &Batch,
) -> Result<Vec<ProbeResult>, DockerError> {
    let err = |message: String| DockerError::Agent {
        container: id.to_string(),
        message,
    };
    let text = serde_json::to_vec(batch).map_err(|e| err(e.to_string()))?;
    let out = cli::docker_at(
        engine,
        &[
            "exec",
            "-i",
            id,
            image::AGENT,
            "probe",
            "run",
            "--batch",
            "/dev/stdin",
        ],
        Some(&text),
    )?;
    serde_json::from_str(&out).map_err(|e| err(format!("bad agent output: {e}")))
}
