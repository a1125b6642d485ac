//! The `docker` command line, and the guard that every object acted on belongs to
//! this backend (`hnsim-<6 hex>-...`). Talking to the engine through its own client
//! keeps the backend free of an API client and matches what a user would type.

use super::DockerError;

/// Every object this backend creates is named with this, then 6 hex digits and `-`.
pub const PREFIX: &str = "hnsim-";

/// Label put on every container and network of a run (value: the run prefix), so a
/// leftover can be found by label as well as by name.
pub const LABEL: &str = "io.hnsim.run";

/// True when `name` is an object of this backend, or of run `prefix` when given.
pub fn ours(name: &str, prefix: &str) -> bool {
    name.starts_with(PREFIX) && name.starts_with(prefix)
}

fn removes_or_lists(args: &[&str]) -> bool {
    matches!(
        args,
        ["rm", ..] | ["rmi", ..] | ["ps", ..] | ["images", ..] | ["network", "rm" | "ls", ..]
    )
}

/// Which engine a command talks to.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Engine {
    /// The machine's own engine (the client's default).
    Machine,
    /// A daemon of the run, by its socket (`-H unix://PATH`).
    Socket(String),
    /// An existing `docker context` (a remote machine).
    Context(String),
}

impl Engine {
    fn args(&self) -> Vec<String> {
        match self {
            Engine::Machine => vec![],
            Engine::Socket(path) => vec!["-H".into(), format!("unix://{path}")],
            Engine::Context(name) => vec!["--context".into(), name.clone()],
        }
    }
}

/// `docker ARGS` on the machine's engine, feeding `stdin`; returns stdout.
pub fn docker(args: &[&str], stdin: Option<&[u8]>) -> Result<String, DockerError> {
    docker_at(&Engine::Machine, args, stdin)
}

/// `docker ARGS` on `engine`, feeding `stdin`; returns stdout. Errors carry the command
/// and stderr. Once the run is interrupted only listing and removal run, so nothing is
/// created behind the clean-up's back.
pub fn docker_at(
    engine: &Engine,
    args: &[&str],
    stdin: Option<&[u8]>,
) -> Result<String, DockerError> {
    let line = format!("docker {}", args.join(" "));
    if crate::session::interrupted() && !removes_or_lists(args) {
        return Err(DockerError::Command {
            cmd: line,
            stderr: "interrupted".into(),
        });
    }
    let head = engine.args();
    let all: Vec<&str> = head
        .iter()
        .map(String::as_str)
        .chain(args.iter().copied())
        .collect();
    crate::sys::run_bytes("docker", &all, stdin).map_err(|e| from_sys(e, line))
}

/// A failed engine command (`docker`, `powershell`) as the backend's error: the command
/// line and stderr as run; any other failure is reported against `line`.
pub(super) fn from_sys(e: crate::SysError, line: String) -> DockerError {
    match e {
        crate::SysError::Command { cmd, stderr } => DockerError::Command { cmd, stderr },
        crate::SysError::Spawn { cmd, err } => DockerError::Spawn { cmd, err },
        other => DockerError::Command {
            cmd: line,
            stderr: other.to_string(),
        },
    }
}

/// Lines of a `docker ... --format` listing, trimmed, empty ones dropped.
pub fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// Names of this backend's containers, networks and images (of run `prefix` when it
/// is longer than [`PREFIX`]).
pub fn list(prefix: &str) -> Result<Objects, DockerError> {
    let filter = format!("name={prefix}");
    // The name filter matches anywhere in a name: each listing is narrowed to ours.
    let listed = |args: &[&str]| -> Result<Vec<String>, DockerError> {
        let names = lines(&docker(args, None)?);
        Ok(names.into_iter().filter(|n| ours(n, prefix)).collect())
    };
    Ok(Objects {
        containers: listed(&["ps", "-a", "--filter", &filter, "--format", "{{.Names}}"])?,
        networks: listed(&[
            "network",
            "ls",
            "--filter",
            &filter,
            "--format",
            "{{.Name}}",
        ])?,
        images: listed(&["images", "--format", "{{.Repository}}:{{.Tag}}"])?,
        links: links(prefix),
    })
}

/// The run's links (macvlan parents) in the machine's namespace.
pub fn links(prefix: &str) -> Vec<String> {
    let want = super::plan::link_prefix(prefix);
    let out = std::process::Command::new("ip")
        .args(["-o", "link", "show"])
        .output();
    let Ok(out) = out else {
        return Vec::new();
    };
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let name = l.split(':').nth(1)?.trim().split('@').next()?.to_string();
            name.starts_with(&want).then_some(name)
        })
        .collect()
}

/// `ip ARGS` on one of the run's links (the name is checked).
pub fn ip_link(args: &[&str], link: &str) -> Result<(), DockerError> {
    if !link.starts_with(super::plan::LINK_PREFIX) {
        return Err(DockerError::NotOurs(link.to_string()));
    }
    let line = format!("ip {}", args.join(" "));
    let out = std::process::Command::new("ip")
        .args(args)
        .output()
        .map_err(|err| DockerError::Spawn {
            cmd: line.clone(),
            err,
        })?;
    if out.status.success() {
        Ok(())
    } else {
        Err(DockerError::Command {
            cmd: line,
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        })
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Objects {
    pub containers: Vec<String>,
    pub networks: Vec<String>,
    pub images: Vec<String>,
    pub links: Vec<String>,
}

impl Objects {
    pub fn is_empty(&self) -> bool {
        self.containers.is_empty()
            && self.networks.is_empty()
            && self.images.is_empty()
            && self.links.is_empty()
    }
    pub fn names(&self) -> Vec<String> {
        self.containers
            .iter()
            .chain(&self.networks)
            .chain(&self.images)
            .chain(&self.links)
            .cloned()
            .collect()
    }
}

/// Removes every container, network and image of this backend whose name starts
/// with `prefix` (containers first: a network in use cannot go). Returns what was
/// removed; keeps going past errors and reports the first.
pub fn remove_all(prefix: &str) -> Result<Vec<String>, DockerError> {
    if !prefix.starts_with(PREFIX) {
        return Err(DockerError::NotOurs(prefix.to_string()));
    }
    let found = list(prefix)?;
    let mut first_err = None;
    let mut removed = Vec::new();
    let mut step = |args: Vec<&str>, names: &[String]| {
        for chunk in names.chunks(32) {
            let mut a = args.clone();
            a.extend(chunk.iter().map(String::as_str));
            match docker(&a, None) {
                Ok(_) => removed.extend(chunk.iter().cloned()),
                Err(e) => {
                    first_err.get_or_insert(e);
                }
            }
        }
    };
    step(vec!["rm", "-f", "-v"], &found.containers);
    step(vec!["network", "rm"], &found.networks);
    step(vec!["rmi", "-f"], &found.images);
    // Listed again: removing a wire container takes its veth pair with it. Deleting a
    // link takes its routes with it.
    for l in links(prefix) {
        match ip_link(&["link", "del", &l], &l) {
            Ok(()) => removed.push(l),
            Err(DockerError::Command { stderr, .. }) if stderr.contains("Cannot find device") => {}
            Err(e) => {
                first_err.get_or_insert(e);
            }
        }
    }
    match first_err {
        Some(e) => Err(e),
        None => Ok(removed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_prefixed_names_are_ours() {
        assert!(ours("hnsim-1a2b3c-web", "hnsim-1a2b3c-"));
        assert!(ours("hnsim-1a2b3c-web", PREFIX));
        assert!(!ours("hnsim-ffffff-web", "hnsim-1a2b3c-"));
        assert!(!ours("web", PREFIX));
        assert!(!ours("bridge", ""));
        assert!(matches!(remove_all("web"), Err(DockerError::NotOurs(_))));
    }

    #[test]
    fn only_listing_and_removal_count_as_clean_up() {
        assert!(removes_or_lists(&["rm", "-f", "x"]));
        assert!(removes_or_lists(&["network", "rm", "x"]));
        assert!(removes_or_lists(&["network", "ls"]));
        assert!(!removes_or_lists(&["network", "create", "x"]));
        assert!(!removes_or_lists(&["create", "--name", "x"]));
        assert!(!removes_or_lists(&[]));
    }

    #[test]
    fn listing_lines_are_trimmed() {
        assert_eq!(lines(" a \n\n b\n"), ["a", "b"]);
    }
}
