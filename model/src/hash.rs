//! Hash maps and sets for the per-endpoint work of resolution and validation: keyed by
//! short names, addresses and indices, hashed a million times for a large swarm service,
//! where the standard library's DoS-resistant hasher costs several times more than the
//! rest of the lookup. Nothing iterates them for output in an order that matters (the
//! standard hasher is randomly seeded too), so answers do not change.

pub(crate) type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
pub type HashSet<T> = std::collections::HashSet<T, foldhash::fast::RandomState>;

/// The values that occur more than once in `hashes`. Sorted rather than put in a set
/// (a set of a million names is a cache miss per name): the duplicate checks compare
/// keys by hash first and look at the keys themselves only where a hash repeats.
pub fn repeated_hashes(hashes: &[u64]) -> HashSet<u64> {
    let mut sorted = hashes.to_vec();
    sorted.sort_unstable();
    sorted
        .windows(2)
        .filter(|w| w[0] == w[1])
        .map(|w| w[0])
        .collect()
}
