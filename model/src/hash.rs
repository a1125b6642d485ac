//! Hash maps and sets for the per-endpoint work of resolution and validation: keyed by
//! short names, addresses and indices, hashed a million times for a large swarm service,
//! where the standard library's DoS-resistant hasher costs several times more than the
//! rest of the lookup. Nothing iterates them for output in an order that matters (the
//! standard hasher is randomly seeded too), so answers do not change.

pub(crate) type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
pub(crate) type HashSet<T> = std::collections::HashSet<T, foldhash::fast::RandomState>;
