//! Any bytes read as Commands.
#![no_main]
hnsim_fuzz::target!(Commands);
