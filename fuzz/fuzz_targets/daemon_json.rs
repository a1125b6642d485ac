//! Any bytes read as DaemonJson.
#![no_main]
hnsim_fuzz::target!(DaemonJson);
