//! What a recording keeps about the machine beside the cells: enough to tell later
//! which engine, OS build and HNS state produced them. Each capture is one command's
//! output in one file; a command that fails leaves a note instead of a file, and the
//! recording is still written.

use super::Platform;
use serde::{Deserialize, Serialize};

/// One environment file of a recording.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EnvFile {
    /// Path inside the recording (`docker-info.json`, `hns/networks.json`).
    pub name: String,
    /// The command that printed it.
    pub command: String,
}

/// The captured files, and what could not be captured.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Environment {
    pub files: Vec<(EnvFile, String)>,
    pub notes: Vec<String>,
}

impl Environment {
    pub fn add(&mut self, name: &str, command: &str, text: impl Into<String>) {
        self.files.retain(|(f, _)| f.name != name);
        self.files.push((
            EnvFile {
                name: name.into(),
                command: command.into(),
            },
            text.into(),
        ));
    }

    /// Runs `program args` and keeps its standard output as `name`; a failure becomes
    /// a note.
    pub fn capture(&mut self, name: &str, program: &str, args: &[&str]) {
        let command = std::iter::once(program)
            .chain(args.iter().copied())
            .collect::<Vec<_>>()
            .join(" ");
        match crate::sys::output(program, args, None) {
            Ok(out) if out.status.success() => {
                self.add(name, &command, String::from_utf8_lossy(&out.stdout))
            }
            Ok(out) => self.notes.push(format!(
                "`{command}` failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            )),
            Err(e) => self.notes.push(format!("cannot run `{command}`: {e}")),
        }
    }

    /// A PowerShell command's output (Windows).
    pub fn capture_powershell(&mut self, name: &str, script: &str) {
        self.capture(
            name,
            "powershell",
            &["-NoProfile", "-NonInteractive", "-Command", script],
        );
    }

    /// `docker version` and `docker info` as JSON.
    pub fn capture_docker(&mut self) {
        self.capture(
            "docker-version.json",
            "docker",
            &["version", "--format", "{{json .}}"],
        );
        self.capture(
            "docker-info.json",
            "docker",
            &["info", "--format", "{{json .}}"],
        );
    }

    /// `Get-HnsNetwork`, `Get-HnsEndpoint`, `Get-NetNat` (Windows), in the layout
    /// `hnsim conform --backend hns --from-json DIR/hns` reads.
    pub fn capture_hns(&mut self) {
        for (file, script) in crate::hns::CAPTURE {
            if *file == crate::hns::json::DOCKER_NETWORKS {
                continue;
            }
            self.capture_powershell(&format!("hns/{file}"), script);
        }
    }

    /// The tools the netns backend drives.
    pub fn capture_netns_tools(&mut self) {
        self.capture("iproute2-version.txt", "ip", &["-V"]);
        self.capture("nftables-version.txt", "nft", &["--version"]);
    }
}

/// This machine: OS, architecture and build.
pub fn platform() -> Platform {
    Platform {
        os: std::env::consts::OS.into(),
        arch: std::env::consts::ARCH.into(),
        build: os_build(),
    }
}

#[cfg(windows)]
fn os_build() -> String {
    let script = "$v = Get-ItemProperty 'HKLM:\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion'; \
                  \"$($v.ProductName) $($v.DisplayVersion) (OS Build $($v.CurrentBuild).$($v.UBR))\"";
    crate::sys::output(
        "powershell",
        &["-NoProfile", "-NonInteractive", "-Command", script],
        None,
    )
    .ok()
    .filter(|o| o.status.success())
    .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    .unwrap_or_else(|| "Windows (build unknown)".into())
}

#[cfg(not(windows))]
fn os_build() -> String {
    let pretty = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                .map(|v| v.trim_matches('"').to_string())
        })
        .unwrap_or_else(|| std::env::consts::OS.to_string());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|k| k.trim().to_string())
        .unwrap_or_default();
    if kernel.is_empty() {
        pretty
    } else {
        format!("{pretty}, kernel {kernel}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captures_keep_output_or_say_why_not() {
        let mut env = Environment::default();
        env.capture("echo.txt", "echo", &["hello"]);
        env.capture("nope.txt", "hnsim-no-such-program", &[]);
        if cfg!(unix) {
            assert_eq!(env.files[0].1.trim(), "hello");
            assert_eq!(env.files[0].0.command, "echo hello");
        }
        assert!(env
            .notes
            .iter()
            .any(|n| n.contains("hnsim-no-such-program")));
        env.add("echo.txt", "again", "x");
        assert_eq!(
            env.files
                .iter()
                .filter(|(f, _)| f.name == "echo.txt")
                .count(),
            1
        );
        assert!(!platform().os.is_empty());
    }
}
