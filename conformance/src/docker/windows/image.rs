//! Building the Windows probe image on the host: a base that fits the host's build and
//! revision ([`super::engine::choose_base`]), then `docker build` of a Dockerfile that
//! copies `hnsim.exe` in. The staging directory is in the temp directory, named with
//! the run prefix, and removed before returning.

use super::engine::{self, BaseImage, EngineFacts, LocalImage};
use crate::docker::{cli, DockerError};
use std::path::Path;

/// The nanoserver images the engine has, with their `OsVersion`.
fn local_images() -> Vec<LocalImage> {
    let rows = cli::docker(&["images", "--format", "{{json .}}"], None).unwrap_or_default();
    engine::nanoserver_references(&rows)
        .into_iter()
        .filter_map(|reference| {
            let v = cli::docker(
                &["image", "inspect", "--format", "{{.OsVersion}}", &reference],
                None,
            )
            .ok()?;
            Some(LocalImage {
                reference,
                os_version: v.trim().to_string(),
            })
        })
        .collect()
}

/// The base image, pulled when needed, checked against the host. Returns its
/// reference and a note for the report.
pub fn base(facts: &EngineFacts, wanted: Option<&str>) -> Result<(String, String), DockerError> {
    let image = |e: String| DockerError::Image(e);
    match engine::choose_base(facts, &local_images(), wanted).map_err(image)? {
        BaseImage::Local(r) => Ok((
            r.clone(),
            format!("probe image built from {r}, already on the host"),
        )),
        BaseImage::Pull(candidates) => {
            let mut why = Vec::new();
            for c in &candidates {
                if let Err(e) = cli::docker(&["pull", c], None) {
                    why.push(format!("{c}: {e}"));
                    continue;
                }
                let v = cli::docker(&["image", "inspect", "--format", "{{.OsVersion}}", c], None)?;
                match engine::revision_fits(facts, v.trim()) {
                    Ok(()) => {
                        return Ok((
                            c.clone(),
                            format!(
                                "probe image built from {c} (OsVersion {}) for host {}",
                                v.trim(),
                                facts.os_version()
                            ),
                        ))
                    }
                    Err(e) => why.push(format!("{c}: {e}")),
                }
            }
            Err(image(format!(
                "no nanoserver image fits this host: {}",
                why.join("; ")
            )))
        }
    }
}

/// Builds `name` FROM `base` with `agent_exe` as `C:\hnsim\hnsim.exe`.
pub fn build(name: &str, base: &str, agent_exe: &Path, prefix: &str) -> Result<(), DockerError> {
    let stage = std::env::temp_dir().join(format!("{}windows-image", prefix));
    let result = (|| {
        let _ = std::fs::remove_dir_all(&stage);
        std::fs::create_dir_all(&stage)
            .map_err(|e| DockerError::Image(format!("{}: {e}", stage.display())))?;
        std::fs::copy(agent_exe, stage.join("hnsim.exe"))
            .map_err(|e| DockerError::Image(format!("copy {}: {e}", agent_exe.display())))?;
        std::fs::write(stage.join("Dockerfile"), engine::dockerfile(base))
            .map_err(|e| DockerError::Image(format!("Dockerfile: {e}")))?;
        let label = format!("{}={}", cli::LABEL, prefix);
        let dir = stage.display().to_string();
        cli::docker(&["build", "-t", name, "--label", &label, &dir], None).map(drop)
    })();
    let _ = std::fs::remove_dir_all(&stage);
    result
}
