//! What the machine's kernel says, read-only: neighbour-table overflows and fill, and
//! the ports the machine itself listens on. Shared by the backends that put their
//! namespaces on this kernel.

use hnsim_model::Protocol;
use std::collections::BTreeSet;

/// Dynamic neighbour entries a run's probing may hold at once when nothing else keeps
/// the table small (the root namespace's `gc_thresh3` is 1024 by default).
const NEIGHBOUR_BUDGET: usize = 600;

/// Sources probed at once when each probes `destinations` addresses and every probe
/// needs a dynamic neighbour entry at both ends.
pub fn neighbour_parallel_sources(destinations: usize) -> usize {
    (NEIGHBOUR_BUDGET / (2 * destinations.max(1))).max(1)
}

/// The kernel's count of neighbour-table overflows since boot (all namespaces).
pub fn neighbour_overflows() -> u64 {
    let Ok(text) = std::fs::read_to_string("/proc/net/stat/arp_cache") else {
        return 0;
    };
    text.lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().last())
        .filter_map(|h| u64::from_str_radix(h, 16).ok())
        .sum()
}

/// The neighbour table's size and limit when it is at least 90% full: other namespaces'
/// entries can crowd out a run's, and then probes fail with ENOBUFS or in silence.
pub fn neighbour_pressure() -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/net/stat/arp_cache").ok()?;
    let entries = u64::from_str_radix(stat.lines().nth(1)?.split_whitespace().next()?, 16).ok()?;
    let limit: u64 = std::fs::read_to_string("/proc/sys/net/ipv4/neigh/default/gc_thresh3")
        .ok()?
        .trim()
        .parse()
        .ok()?;
    (entries * 10 >= limit * 9).then_some((entries, limit))
}

/// Ports something of the machine itself listens on (`/proc/net/{tcp,udp}{,6}`), which
/// would answer a probe of a local address on a port the run did not publish.
pub fn machine_listeners() -> BTreeSet<(Protocol, u16)> {
    let mut out = BTreeSet::new();
    for (file, proto, listen_state) in [
        ("/proc/net/tcp", Protocol::Tcp, Some("0A")),
        ("/proc/net/tcp6", Protocol::Tcp, Some("0A")),
        ("/proc/net/udp", Protocol::Udp, None),
        ("/proc/net/udp6", Protocol::Udp, None),
    ] {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let w: Vec<&str> = line.split_whitespace().collect();
            let (Some(local), Some(state)) = (w.get(1), w.get(3)) else {
                continue;
            };
            if listen_state.is_some_and(|s| *state != s) {
                continue;
            }
            if let Some(port) = local
                .rsplit(':')
                .next()
                .and_then(|p| u16::from_str_radix(p, 16).ok())
            {
                out.insert((proto, port));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_of_sources() {
        assert_eq!(neighbour_parallel_sources(99), 3);
        assert_eq!(neighbour_parallel_sources(1000), 1);
        assert_eq!(neighbour_parallel_sources(0), 300);
    }
}
