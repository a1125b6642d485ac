//! The HNS inspection backend (EXT-9, EXT-13): on a Windows container host, read what
//! HNS actually holds (networks, endpoints, WinNAT instances) and compare it object by
//! object with the model's resolved design for that host.
//!
//! Nothing is probed: this backend checks that the objects the model reasons about
//! exist with the properties it assumes (type, subnet, gateway, VLAN, VSID, adapter,
//! endpoint addresses, port mappings, NAT prefixes). The state is read live with
//! PowerShell on Windows, or from a dump directory written by the same commands
//! (`--from-json DIR`: `networks.json`, `endpoints.json`, optional `netnat.json` and
//! `docker-networks.json`), which is how it is tested off Windows and how the GitHub
//! Actions workflow (`.github/workflows/windows.yml`) feeds it. The answer is a
//! [`hnsim_sim::Inspection`]; the reports crate renders it.

pub mod commands;
pub mod inspect;
pub mod json;

pub use hnsim_sim::{Check, CheckStatus as Status, Inspection, InspectionSummary};
pub use inspect::inspect;
pub use json::{read_dir, Dump, DumpError};

use hnsim_model::Analysis;
use std::path::Path;

pub const BACKEND: &str = "hns";

/// The PowerShell that captures a dump; each writes one file of the dump directory.
/// (`Get-HnsNetwork`/`Get-HnsEndpoint` come from the HostNetworkingService module, which
/// a fresh session may not have loaded.)
pub const CAPTURE: &[(&str, &str)] = &[
    (
        json::NETWORKS,
        "Import-Module HostNetworkingService -ErrorAction SilentlyContinue; \
         Get-HnsNetwork | ConvertTo-Json -Depth 10",
    ),
    (
        json::ENDPOINTS,
        "Import-Module HostNetworkingService -ErrorAction SilentlyContinue; \
         Get-HnsEndpoint | ConvertTo-Json -Depth 10",
    ),
    (json::NETNAT, "Get-NetNat | ConvertTo-Json -Depth 4"),
    (
        json::DOCKER_NETWORKS,
        "docker network inspect (docker network ls -q)",
    ),
];

#[derive(Debug, thiserror::Error)]
pub enum HnsError {
    #[error(transparent)]
    Dump(#[from] DumpError),
    #[error("{0}")]
    Scenario(String),
    #[error("cannot read HNS here: {0}")]
    Capture(String),
}

/// The first Windows host of the scenario.
pub fn default_host(analysis: &Analysis) -> Option<String> {
    analysis
        .final_state()
        .design
        .scenario
        .hosts
        .iter()
        .find(|h| h.is_windows())
        .map(|h| h.name.clone())
}

/// Reads HNS live with PowerShell (Windows only).
pub fn capture() -> Result<Dump, HnsError> {
    if !cfg!(windows) {
        return Err(HnsError::Capture(
            "HNS exists only on Windows; pass --from-json DIR with a captured dump".into(),
        ));
    }
    let run = |script: &str| -> Result<String, HnsError> {
        let out = std::process::Command::new("powershell")
            .args(["-NoProfile", "-NonInteractive", "-Command", script])
            .output()
            .map_err(|e| HnsError::Capture(format!("cannot run powershell: {e}")))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(HnsError::Capture(format!(
                "`{script}`: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            )))
        }
    };
    let networks = run(CAPTURE[0].1)?;
    let endpoints = run(CAPTURE[1].1)?;
    let netnat = run(CAPTURE[2].1).ok();
    let docker = run(CAPTURE[3].1).ok();
    Ok(json::parse(
        &networks,
        Some(&endpoints),
        netnat.as_deref(),
        docker.as_deref(),
    )?)
}

/// Compares host `host` of the scenario with a dump from `from_json`, or with HNS read
/// live.
pub fn run(
    analysis: &Analysis,
    host: &str,
    from_json: Option<&Path>,
) -> Result<Inspection, HnsError> {
    let dump = match from_json {
        Some(dir) => read_dir(dir)?,
        None => capture()?,
    };
    inspect(analysis, host, &dump).map_err(HnsError::Scenario)
}

/// The docker commands (PowerShell) that build host `host` of the scenario for real.
pub fn print_commands(
    analysis: &Analysis,
    host: &str,
    image: &str,
    command: &str,
) -> Result<String, HnsError> {
    let design = &analysis.final_state().design;
    let lines = commands::commands(design, &analysis.scenario.networks, host, image, command)
        .map_err(HnsError::Scenario)?;
    Ok(lines.join("\n") + "\n")
}
