//! One throwaway `dockerd` per scenario host, inside that host's network namespace of
//! the run, with its own data root, exec root, socket, pidfile and cgroup parent, all
//! under the run's directory. The machine's own engine is never touched: its
//! `/etc/docker/daemon.json` is not read (`--config-file` names the run's own).
//!
//! The daemon joins the host's network namespace and a mount namespace of its own
//! (between fork and exec), a slave of the machine's: it sees `/sys/fs/cgroup` and
//! everything else as mounted (`ip netns exec` would remount `/sys` and hide the cgroup
//! hierarchies), while its own mounts (a private data root, the sandboxes' netns files,
//! containers' `/dev/shm`) stay in its namespace and go with it, even after a SIGKILL.
//! Its `/etc/resolv.conf` names no server (`127.0.0.1`, where nothing listens): the
//! registry lookups swarm makes for every task fail at once instead of waiting twenty
//! seconds for a name server the namespaces cannot reach; the image is local anyway.
//!
//! Storage: `vfs`, which needs no kernel or FUSE support (every container copies the
//! image: the agent binary is stripped to keep that small).

use super::SwarmError;
use crate::docker::cli::{docker_at, Engine};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A daemon of the run.
pub struct Daemon {
    pub dir: PathBuf,
    pub engine: Engine,
    child: Child,
}

/// The daemon's configuration, which replaces the machine's `daemon.json` for it.
pub fn config(dir: &Path, cgroup_parent: &str) -> String {
    let d = dir.display();
    serde_json::json!({
        "data-root": format!("{d}/data"),
        "exec-root": format!("{d}/exec"),
        "hosts": [format!("unix://{d}/docker.sock")],
        "pidfile": format!("{d}/docker.pid"),
        "storage-driver": "vfs",
        "cgroup-parent": format!("/{cgroup_parent}"),
        "log-driver": "json-file",
        "live-restore": false,
    })
    .to_string()
}

fn err(what: impl Into<String>) -> SwarmError {
    SwarmError::Daemon(what.into())
}

impl Daemon {
    /// Starts a daemon in namespace `ns`, keeping its files in `dir`, and waits until
    /// it answers.
    pub fn start(
        ns: &str,
        dir: &Path,
        cgroup_parent: &str,
        within: Duration,
    ) -> Result<Daemon, SwarmError> {
        std::fs::create_dir_all(dir.join("data"))
            .and_then(|()| std::fs::create_dir_all(dir.join("exec")))
            .and_then(|()| std::fs::write(dir.join("daemon.json"), config(dir, cgroup_parent)))
            .map_err(|e| err(format!("{}: {e}", dir.display())))?;
        let log = std::fs::File::create(dir.join("dockerd.log"))
            .map_err(|e| err(format!("{}: {e}", dir.display())))?;
        let resolv = dir.join("resolv.conf");
        std::fs::write(&resolv, "nameserver 127.0.0.1\n")
            .map_err(|e| err(format!("{}: {e}", resolv.display())))?;
        let netns = crate::netns::namespaces::open(ns).map_err(|e| err(e.to_string()))?;
        let fd = std::os::fd::AsRawFd::as_raw_fd(&netns);
        let cstr = |p: &Path| {
            std::ffi::CString::new(p.display().to_string()).map_err(|e| err(e.to_string()))
        };
        let (root, resolv, etc_resolv) = (
            cstr(Path::new("/"))?,
            cstr(&resolv)?,
            cstr(Path::new("/etc/resolv.conf"))?,
        );
        let mut cmd = Command::new("dockerd");
        cmd.arg("--config-file")
            .arg(dir.join("daemon.json"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| err(e.to_string()))?)
            .stderr(log);
        {
            use std::os::unix::process::CommandExt;
            cmd.process_group(0);
            // SAFETY: prctl, setns, unshare and mount are async-signal-safe system calls
            // on values prepared before the fork; the closure allocates nothing. SIGTERM
            // (not SIGKILL): a daemon whose run died stops its containers.
            unsafe {
                cmd.pre_exec(move || {
                    let fail = || Err(std::io::Error::last_os_error());
                    libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM as libc::c_ulong);
                    if libc::setns(fd, libc::CLONE_NEWNET) != 0
                        || libc::unshare(libc::CLONE_NEWNS) != 0
                    {
                        return fail();
                    }
                    let none = std::ptr::null();
                    if libc::mount(
                        none,
                        root.as_ptr(),
                        none,
                        libc::MS_REC | libc::MS_SLAVE,
                        none.cast(),
                    ) != 0
                        || libc::mount(
                            resolv.as_ptr(),
                            etc_resolv.as_ptr(),
                            none,
                            libc::MS_BIND,
                            none.cast(),
                        ) != 0
                    {
                        return fail();
                    }
                    Ok(())
                });
            }
        }
        let child = cmd.spawn().map_err(|e| {
            err(format!(
                "cannot start dockerd: {e} (is docker.io installed?)"
            ))
        })?;
        drop(netns);
        let mut d = Daemon {
            dir: dir.to_path_buf(),
            engine: Engine::Socket(dir.join("docker.sock").display().to_string()),
            child,
        };
        d.wait_up(within)?;
        Ok(d)
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(self.dir.join("dockerd.log")).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(5)..].join("\n")
    }

    fn wait_up(&mut self, within: Duration) -> Result<(), SwarmError> {
        let deadline = Instant::now() + within;
        loop {
            if docker_at(&self.engine, &["info", "--format", "{{.ID}}"], None).is_ok() {
                return Ok(());
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(err(format!(
                    "dockerd in {} exited ({status}):\n{}",
                    self.dir.display(),
                    self.log_tail()
                )));
            }
            if Instant::now() >= deadline {
                return Err(err(format!(
                    "dockerd in {} did not answer within {within:?}:\n{}",
                    self.dir.display(),
                    self.log_tail()
                )));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Stops the daemon: SIGTERM (it stops its containers and removes its mounts),
    /// SIGKILL if it has not exited within `within`.
    pub fn stop(&mut self, within: Duration) {
        // SAFETY: kill(2) on our own child.
        unsafe {
            libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM);
        }
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_configuration_keeps_everything_in_the_runs_directory() {
        let c: serde_json::Value = serde_json::from_str(&config(
            Path::new("/tmp/hns-abcdef-swarm/h0"),
            "hns-abcdef-h0",
        ))
        .unwrap();
        for key in ["data-root", "exec-root", "pidfile"] {
            assert!(
                c[key]
                    .as_str()
                    .unwrap()
                    .starts_with("/tmp/hns-abcdef-swarm/h0/"),
                "{key}"
            );
        }
        assert_eq!(c["hosts"][0], "unix:///tmp/hns-abcdef-swarm/h0/docker.sock");
        assert_eq!(c["cgroup-parent"], "/hns-abcdef-h0");
        assert_eq!(c["storage-driver"], "vfs");
    }
}
