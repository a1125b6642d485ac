//! Running the command-line tools the backends drive (`ip`, `nft`, `docker`): one way to
//! spawn, feed and wait, with errors that carry the command line and its stderr.

use std::io::Write;
use std::process::{Command, Stdio};

#[derive(Debug, thiserror::Error)]
pub enum SysError {
    #[error(
        "the netns backend needs root (network namespaces, veth pairs, nftables); \
         run `sudo hnsim conform ...`"
    )]
    NotRoot,
    #[error("`{cmd}` failed: {stderr}")]
    Command { cmd: String, stderr: String },
    #[error("cannot run `{cmd}`: {err} (is iproute2/nftables installed?)")]
    Spawn { cmd: String, err: std::io::Error },
    #[error("refusing to act on `{0}`: not a namespace of this backend (they start with `hns-`)")]
    NotOurs(String),
}

/// True when the effective user is root (the owner of `/proc/self` is the caller's
/// effective uid).
pub fn is_root() -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
    }
    // Elsewhere (the hns backend on Windows) there are no namespaces to create.
    #[cfg(not(unix))]
    false
}

pub fn require_root() -> Result<(), SysError> {
    if is_root() {
        Ok(())
    } else {
        Err(SysError::NotRoot)
    }
}

/// Spawns `program ARGS` with piped stdout and stderr, feeds it `stdin` and waits. The
/// input is written from a thread: the child may fill its stdout pipe before it has read
/// all of its input, and a write from this thread would then never finish. Shared by
/// every backend that drives a command-line tool (`ip`, `nft`, `docker`).
pub fn output(
    program: &str,
    args: &[&str],
    stdin: Option<&[u8]>,
) -> std::io::Result<std::process::Output> {
    let mut cmd = Command::new(program);
    // A process group of its own: Ctrl-C at the terminal reaches `hnsim` only, whose
    // handler removes the run in order, instead of killing a half-done command whose
    // failure would then be reported as an error of the run.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    // And it dies with the thread that waits for it: a SIGKILLed run leaves no command
    // running behind it.
    #[cfg(target_os = "linux")]
    die_with_parent(&mut cmd);
    let mut child = cmd
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let writer = match (stdin, child.stdin.take()) {
        (Some(bytes), Some(mut pipe)) => {
            let bytes = bytes.to_vec();
            Some(std::thread::spawn(move || {
                let _ = pipe.write_all(&bytes);
            }))
        }
        _ => None,
    };
    let out = child.wait_with_output();
    if let Some(writer) = writer {
        let _ = writer.join();
    }
    out
}

/// Makes the command's process die (SIGKILL) with the thread that starts it, also when
/// this process is killed before the child got that far: a parent already gone is
/// noticed right after `prctl` and the child exits at once.
#[cfg(target_os = "linux")]
pub fn die_with_parent(cmd: &mut Command) {
    let parent = std::process::id() as libc::pid_t;
    // SAFETY: prctl, getppid and _exit are async-signal-safe; the closure allocates
    // nothing and only reads a copied integer.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(cmd, move || {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong);
            if libc::getppid() != parent {
                libc::_exit(1);
            }
            Ok(())
        });
    }
}

/// Runs a command, feeding `stdin`; returns stdout. Errors carry the command line,
/// stderr and the input (a batch that failed says what it was).
pub fn run(program: &str, args: &[&str], stdin: Option<&str>) -> Result<String, SysError> {
    run_bytes(program, args, stdin.map(str::as_bytes)).map_err(|e| match (e, stdin) {
        (SysError::Command { cmd, mut stderr }, Some(text)) => {
            stderr.push_str("\ninput was:\n");
            stderr.push_str(text);
            SysError::Command { cmd, stderr }
        }
        (e, _) => e,
    })
}

/// Runs a command, feeding `stdin`; returns stdout. Errors carry the command line and
/// stderr.
pub fn run_bytes(program: &str, args: &[&str], stdin: Option<&[u8]>) -> Result<String, SysError> {
    let line = format!("{program} {}", args.join(" "));
    let out = output(program, args, stdin).map_err(|err| SysError::Spawn {
        cmd: line.clone(),
        err,
    })?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(SysError::Command {
            cmd: line,
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        })
    }
}
