//! `hnsim gen`: writes a valid design from parameters — hosts, their operating systems,
//! network drivers, networks per host, containers, swarm services and replicas — for
//! benchmarks, tests and anyone who wants to try the tool at scale; with `--random`, a
//! small design drawn from the seed, for differential runs against a real dataplane.
//! The generation is `hnsim_model::generate`; this module reads the arguments.
//!
//! Exit codes: 0 written, 2 the parameters cannot make a valid design (the message says
//! which and how to fix it).

use anyhow::bail;
use hnsim_model::generate::{self, Driver, Os, Params};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct GenArgs {
    /// Container hosts (h0, h1, …).
    #[arg(long, default_value_t = 1)]
    pub hosts: usize,
    /// Operating systems, given to the hosts in turn (ws2016, ws2019, ws2022, ws2025,
    /// linux).
    #[arg(long, value_delimiter = ',', default_value = "ws2019")]
    pub os: Vec<String>,
    /// Network drivers; each host gets `--networks` networks of every driver its OS has
    /// (Windows: nat, transparent, l2bridge; Linux: bridge, macvlan). overlay: swarm
    /// networks across every host.
    #[arg(long, value_delimiter = ',', default_value = "nat")]
    pub drivers: Vec<String>,
    /// Networks of each driver per host (overlay: in all).
    #[arg(long, default_value_t = 1)]
    pub networks: usize,
    /// Containers, spread over every host's networks in turn.
    #[arg(long, default_value_t = 10)]
    pub endpoints: usize,
    /// Swarm services (the hosts form a swarm, h0 its manager).
    #[arg(long, default_value_t = 0)]
    pub services: usize,
    /// Replicas of each service, placed round-robin on the hosts.
    #[arg(long, default_value_t = 1)]
    pub replicas: usize,
    /// Containers per nat or bridge network that publish a port.
    #[arg(long, default_value_t = 1)]
    pub publish: usize,
    /// Decides what the parameters leave open; the same seed writes the same design.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Draw the parameters themselves from the seed: a small valid design (one to four
    /// hosts of any OS version, their drivers, services, published ports, timeline
    /// steps), tagged with what it exercises. The other parameters are ignored.
    #[arg(long)]
    pub random: bool,
    /// Scenario name (default: from the parameters).
    #[arg(long)]
    pub name: Option<String>,
    /// Write to FILE instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// The parameters of `hnsim gen`'s arguments, or why they cannot make a design.
pub fn params(a: &GenArgs) -> anyhow::Result<Params> {
    if a.random {
        return Ok(generate::random(a.seed));
    }
    let mut os = Vec::new();
    for s in &a.os {
        match Os::parse(s) {
            Some(o) => os.push(o),
            None => bail!(
                "--os {s}: not an OS hnsim gen writes; use ws2016, ws2019, ws2022, ws2025 or linux"
            ),
        }
    }
    let mut drivers = Vec::new();
    for s in &a.drivers {
        match Driver::parse(s) {
            Some(d) if !drivers.contains(&d) => drivers.push(d),
            Some(_) => {}
            None => bail!("--drivers {s}: not a driver hnsim gen writes; use nat, transparent, l2bridge, bridge, macvlan or overlay"),
        }
    }
    let p = Params {
        name: a
            .name
            .clone()
            .unwrap_or_else(|| format!("generated-{}h-{}e-{}s", a.hosts, a.endpoints, a.services)),
        hosts: a.hosts,
        os,
        drivers,
        networks: a.networks,
        endpoints: a.endpoints,
        services: a.services,
        replicas: a.replicas,
        publish: a.publish,
        seed: a.seed,
        steps: Vec::new(),
    };
    p.check()?;
    Ok(p)
}

pub fn run_gen(a: GenArgs) -> anyhow::Result<ExitCode> {
    let text = generate::write(&params(&a)?);
    match &a.output {
        Some(path) => std::fs::write(path, &text)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?,
        None => super::output::print_stdout(&text)?,
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        gen: GenArgs,
    }

    fn parse(args: &[&str]) -> anyhow::Result<Params> {
        params(&Cli::parse_from(std::iter::once("gen").chain(args.iter().copied())).gen)
    }

    #[test]
    fn impossible_parameters_say_why() {
        for (args, said) in [
            (&["--os", "dos"][..], "not an OS"),
            (&["--drivers", "ipvlan"][..], "not a driver"),
            (&["--hosts", "0"][..], "at least one host"),
            (
                &["--os", "linux", "--drivers", "nat"][..],
                "no host has a network",
            ),
        ] {
            let e = parse(args).expect_err("refused");
            assert!(e.to_string().contains(said), "{args:?}: {e}");
        }
    }

    #[test]
    fn random_takes_only_the_seed() {
        let a = parse(&["--random", "--seed", "3", "--hosts", "40"]).unwrap();
        assert_eq!(a, generate::random(3));
    }
}
