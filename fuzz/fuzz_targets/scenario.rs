//! Any bytes read as Scenario.
#![no_main]
hnsim_fuzz::target!(Scenario);
