//! `hnsim gen --random --seed N`: the parameters themselves drawn from the seed, small
//! enough to realize on a real dataplane in seconds (one to four hosts of any OS
//! version, the drivers those hosts have, up to six containers, a swarm service now
//! and then, published ports, up to three timeline steps), and valid: a draw whose
//! design `check` finds errors in is drawn again from the next numbers of the seed.

use super::params::{Driver, GenStep, Os, Params};
use super::write::Rng;

/// How many draws a seed gets before the plain fallback design.
const ATTEMPTS: usize = 64;

/// The valid parameters seed `seed` draws.
pub fn random(seed: u64) -> Params {
    let mut rng = Rng(seed);
    for _ in 0..ATTEMPTS {
        let p = draw(seed, &mut rng);
        if p.check().is_ok() && valid(&p) {
            return p;
        }
    }
    fallback(seed)
}

/// Whether the written design validates without errors.
fn valid(p: &Params) -> bool {
    let text = super::write(p);
    let Ok(doc) = crate::parse_scenario("generated.yaml", &text) else {
        return false;
    };
    !crate::analyse(&doc)
        .findings
        .iter()
        .any(|f| f.severity == crate::Severity::Error)
}

fn fallback(seed: u64) -> Params {
    Params {
        name: format!("random-{seed}"),
        hosts: 1,
        os: vec![Os::Linux],
        drivers: vec![Driver::Bridge],
        networks: 1,
        endpoints: 2,
        services: 0,
        replicas: 1,
        publish: 1,
        seed,
        steps: vec![],
    }
}

fn draw(seed: u64, rng: &mut Rng) -> Params {
    let hosts = 1 + rng.below(4);
    let os: Vec<Os> = (0..hosts)
        .map(|_| Os::ALL[rng.below(Os::ALL.len())])
        .collect();
    let mut offered: Vec<Driver> = Driver::ALL
        .into_iter()
        .filter(|d| os.iter().any(|o| d.on(*o)))
        .collect();
    if rng.below(4) == 0 {
        offered.push(Driver::Overlay);
    }
    let mut drivers = Vec::new();
    for _ in 0..1 + rng.below(3) {
        let d = offered[rng.below(offered.len())];
        if !drivers.contains(&d) {
            drivers.push(d);
        }
    }
    let endpoints = 1 + rng.below(6);
    let services = usize::from(rng.below(4) == 0);
    let mut p = Params {
        name: format!("random-{seed}"),
        hosts,
        os,
        drivers,
        networks: 1 + usize::from(rng.below(4) == 0),
        endpoints,
        services,
        replicas: 1 + rng.below(hosts),
        publish: rng.below(3),
        seed,
        steps: vec![],
    };
    p.steps = steps(endpoints, rng);
    p
}

/// Up to three steps that each apply to the state before them: stop a running
/// container, start a stopped one, remove one, run a removed one again.
fn steps(endpoints: usize, rng: &mut Rng) -> Vec<GenStep> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        Running,
        Stopped,
        Removed,
    }
    let mut state = vec![State::Running; endpoints];
    let mut out = Vec::new();
    for _ in 0..rng.below(4) {
        let i = rng.below(endpoints);
        let step = match (state[i], rng.below(2)) {
            (State::Running, 0) => GenStep::Stop(i),
            (State::Running, _) => GenStep::Remove(i),
            (State::Stopped, 0) => GenStep::Start(i),
            (State::Stopped, _) => GenStep::Remove(i),
            (State::Removed, _) => GenStep::Run(i),
        };
        state[i] = match step {
            GenStep::Stop(_) => State::Stopped,
            GenStep::Remove(_) => State::Removed,
            GenStep::Start(_) | GenStep::Run(_) => State::Running,
        };
        out.push(step);
    }
    out
}
