//! Any bytes read as Compose.
#![no_main]
hnsim_fuzz::target!(Compose);
