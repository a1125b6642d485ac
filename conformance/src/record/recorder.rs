//! A [`Dataplane`] wrapper that keeps what a recording needs about the live run: after
//! each state is realized (while everything exists), the engine's view of the run's
//! networks, and on Windows what HNS holds. Everything else passes straight through,
//! so recording changes nothing about what is probed.

use super::Environment;
use crate::agent::{Batch, ProbeSpec};
use crate::dataplane::{BatchResult, Dataplane, DataplaneError, Resolved, RunName, Source};
use crate::target::{Party, Target};
use hnsim_model::{Design, Step};

pub struct Recorder<'a> {
    inner: &'a mut dyn Dataplane,
    /// What was captured; the last state's captures replace the earlier ones.
    pub environment: Environment,
}

impl<'a> Recorder<'a> {
    pub fn new(inner: &'a mut dyn Dataplane) -> Self {
        Recorder {
            inner,
            environment: Environment::default(),
        }
    }

    fn capture_live(&mut self) {
        let env = &mut self.environment;
        match self.inner.backend() {
            crate::docker::BACKEND => {
                env.capture_docker();
                let prefix = self.inner.prefix().trim_end_matches('-').to_string();
                let ids = crate::sys::output(
                    "docker",
                    &[
                        "network",
                        "ls",
                        "-q",
                        "--filter",
                        &format!("name={prefix}-"),
                    ],
                    None,
                )
                .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
                .unwrap_or_default();
                let mut args = vec!["network", "inspect"];
                args.extend(ids.split_whitespace());
                // Windows runs also use the engine's own `nat` network.
                if cfg!(windows) {
                    args.push("nat");
                }
                if args.len() > 2 {
                    env.capture(crate::hns::json::DOCKER_NETWORKS, "docker", &args);
                }
                if cfg!(windows) {
                    env.capture_hns();
                }
            }
            _ => env.capture_netns_tools(),
        }
    }
}

impl Dataplane for Recorder<'_> {
    fn run_name(&self) -> RunName<'_> {
        self.inner.run_name()
    }
    fn realize(&mut self, design: &Design, step: Option<&Step>) -> Result<(), DataplaneError> {
        self.inner.realize(design, step)
    }
    fn observe(&mut self, design: &Design) -> Result<Vec<String>, DataplaneError> {
        let notes = self.inner.observe(design)?;
        self.capture_live();
        Ok(notes)
    }
    fn source(&self, design: &Design, party: &Party) -> Result<Source, String> {
        self.inner.source(design, party)
    }
    fn resolve(&self, design: &Design, from: &Source, target: &Target) -> Result<Resolved, String> {
        self.inner.resolve(design, from, target)
    }
    fn probe(&self, from: &Source, batch: &Batch) -> Result<BatchResult, DataplaneError> {
        self.inner.probe(from, batch)
    }
    fn repro(&self, from: &Source, spec: &ProbeSpec) -> String {
        self.inner.repro(from, spec)
    }
    fn parallel_sources(&self, destinations: usize) -> usize {
        self.inner.parallel_sources(destinations)
    }
    fn clean(&mut self) -> Result<Vec<String>, DataplaneError> {
        self.inner.clean()
    }
}
