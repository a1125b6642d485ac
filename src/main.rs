//! `hnsim`: design Windows (HNS) and Linux Docker container networks offline, simulate
//! their connectivity, and prove the design on real dataplanes.
//!
//! Exit codes: 0 clean, 1 findings at or above `--deny` / cells that disagree, 2 usage
//! or unreadable input.

mod cli;

use clap::Parser;
use std::process::ExitCode;

/// A large design is millions of small allocations made once and freed at exit
/// (a million swarm replicas: a container, its endpoint and their strings each); the
/// system allocator spends a sizeable part of such a run in malloc and page faults.
#[cfg(not(windows))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc keeps freed pages for 10 ms by default before it returns them, which
/// nearly doubled the peak memory of mid-sized runs (a 1,000-container design as JSON:
/// 41 MB with the system allocator, 108 MB): hnsim frees a stage's data just before it
/// builds the next one's. Returning them after 1 ms keeps that peak near the system
/// allocator's (54 MB); returning them at once (0) costs a system call per free page
/// and took the million-replica run from 0.53 s to 1.01 s (medians, README "Limits").
#[cfg(not(windows))]
fn return_freed_memory_soon() {
    /// `mi_option_purge_delay` in mimalloc's `mi_option_e` (include/mimalloc.h), which
    /// libmimalloc-sys does not name: the option just before `mi_option_use_numa_nodes`,
    /// which it does.
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = libmimalloc_sys::mi_option_use_numa_nodes - 1;
    // SAFETY: setting an option is a plain store in mimalloc's option table; it is
    // allowed at any time and only changes when freed memory is returned.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 1) };
}

fn main() -> ExitCode {
    #[cfg(not(windows))]
    return_freed_memory_soon();
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}
