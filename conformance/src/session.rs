//! What every backend's run shares: a fresh run prefix, one signal handler for the
//! whole process that removes every active run on Ctrl-C, SIGTERM or SIGHUP, and a
//! progress bar that never counts past its total.
//!
//! One handler serves every backend (ctrlc allows one per process): each run registers
//! its clean-up under its prefix and unregisters when it is dropped. Once a signal
//! arrives, [`interrupted`] is true: backends stop creating objects, their own guards
//! leave the removal to the handler (so two removals never race and report "removal
//! already in progress"), and the handler exits with 130 when it is done.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

type Cleanup = Arc<dyn Fn() + Send + Sync>;

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

fn active() -> &'static Mutex<Vec<(String, Cleanup)>> {
    static ACTIVE: OnceLock<Mutex<Vec<(String, Cleanup)>>> = OnceLock::new();
    ACTIVE.get_or_init(|| Mutex::new(Vec::new()))
}

/// True once Ctrl-C, SIGTERM or SIGHUP arrived: nothing new may be created.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

fn install_handler() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let _ = ctrlc::set_handler(|| {
            INTERRUPTED.store(true, Ordering::SeqCst);
            let runs: Vec<(String, Cleanup)> =
                active().lock().map(|a| a.clone()).unwrap_or_default();
            for (_, clean) in &runs {
                clean();
            }
            let names: Vec<&str> = runs.iter().map(|(p, _)| p.as_str()).collect();
            if names.is_empty() {
                eprintln!("interrupted");
            } else {
                eprintln!("interrupted: removed run {}", names.join(", "));
            }
            std::process::exit(130);
        });
    });
}

/// A run's clean-up, registered with the signal handler while this lives.
pub struct Registration {
    prefix: String,
}

/// Registers `clean` to run if the process is interrupted while the returned value
/// lives. `clean` must be safe to run at any moment of the run, and more than once.
pub fn register(prefix: &str, clean: impl Fn() + Send + Sync + 'static) -> Registration {
    install_handler();
    if let Ok(mut a) = active().lock() {
        a.push((prefix.to_string(), Arc::new(clean)));
    }
    Registration {
        prefix: prefix.to_string(),
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        if let Ok(mut a) = active().lock() {
            a.retain(|(p, _)| p != &self.prefix);
        }
    }
}

/// Blocks forever once interrupted, so that the caller prints nothing while the
/// handler removes the run and exits with 130; returns at once otherwise.
pub fn wait_if_interrupted() {
    while interrupted() {
        std::thread::park();
    }
}

/// A fresh run prefix `{stem}{6 hex}`, for which `taken` is false. `wanted`, when it is
/// such a prefix and free, is used as is: a caller that must know the prefix in advance
/// (a test that kills the run) names it.
pub fn new_prefix(stem: &str, wanted: Option<&str>, taken: impl Fn(&str) -> bool) -> String {
    if let Some(p) = wanted {
        let hex = p.strip_prefix(stem).unwrap_or_default();
        if hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit()) && !taken(p) {
            return p.to_string();
        }
    }
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
        ^ (u64::from(std::process::id()) << 20)
        | 1;
    loop {
        // xorshift: spreads time and pid over the 24 bits.
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let p = format!("{stem}{:06x}", seed & 0xff_ffff);
        if !taken(&p) {
            return p;
        }
    }
}

/// A progress bar on stderr (TTY only) whose count stops at its total, however often
/// work is repeated (re-probes after a neighbour-table overflow count once).
pub struct Progress {
    bar: ProgressBar,
    len: u64,
}

impl Progress {
    pub fn new(len: u64, msg: &str, show: bool) -> Self {
        let target = if show && std::io::stderr().is_terminal() {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(Some(len), target);
        if let Ok(style) =
            ProgressStyle::with_template("{msg:>10} [{bar:30}] {pos}/{len} {elapsed}")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(msg.to_string());
        Progress { bar, len }
    }

    pub fn inc(&self, n: u64) {
        let pos = self.bar.position();
        self.bar.set_position(pos.saturating_add(n).min(self.len));
    }

    pub fn position(&self) -> u64 {
        self.bar.position()
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_never_passes_its_total() {
        let p = Progress::new(10, "probe", false);
        p.inc(7);
        p.inc(7);
        assert_eq!(p.position(), 10);
    }

    #[test]
    fn prefixes_are_fresh_or_as_wanted() {
        let p = new_prefix("hns-", None, |_| false);
        assert_eq!(p.len(), "hns-".len() + 6);
        assert_eq!(
            new_prefix("hns-", Some("hns-00aa11"), |_| false),
            "hns-00aa11"
        );
        // Taken, or not one of ours: a fresh one instead.
        assert_ne!(
            new_prefix("hns-", Some("hns-00aa11"), |p| p == "hns-00aa11"),
            "hns-00aa11"
        );
        assert_ne!(new_prefix("hns-", Some("web"), |_| false), "web");
    }

    #[test]
    fn a_registration_lives_as_long_as_its_run() {
        let r = register("hns-test01", || {});
        assert!(active()
            .lock()
            .unwrap()
            .iter()
            .any(|(p, _)| p == "hns-test01"));
        drop(r);
        assert!(!active()
            .lock()
            .unwrap()
            .iter()
            .any(|(p, _)| p == "hns-test01"));
    }
}
