//! The tags of a generated design: the drivers, OS versions and features it exercises,
//! and the SPEC facts those rest on (written as `tags:` and `covers:`), so a run over
//! many designs can say which facts it checked and a disagreement names what it is
//! about.

use super::params::{Driver, GenStep, Params};

/// The facts each driver's cells rest on.
fn driver_facts(d: Driver) -> &'static [&'static str] {
    match d {
        Driver::Nat => &["NAT-5", "NAT-7"],
        Driver::Transparent => &["TRANS-1"],
        Driver::L2bridge => &["L2B-1"],
        Driver::Bridge => &["LNX-1", "EXT-10"],
        Driver::Macvlan => &["EXT-12"],
        Driver::Overlay => &["OVL-1", "OVL-2"],
    }
}

/// (tags, covered facts) of `p`, each sorted and without repeats.
pub fn of(p: &Params) -> (Vec<String>, Vec<String>) {
    let mut tags: Vec<String> = Vec::new();
    let mut facts: Vec<&str> = Vec::new();
    for h in 0..p.hosts {
        tags.push(format!("os:{}", p.os_of(h).name()));
    }
    let used: Vec<Driver> = p.slots().iter().take(p.endpoints).map(|s| s.1).collect();
    for &d in &p.drivers {
        if used.contains(&d) {
            tags.push(format!("driver:{}", d.name()));
            facts.extend(driver_facts(d));
        }
    }
    let mut feature = |name: &str, fs: &[&'static str]| {
        tags.push(format!("feature:{name}"));
        facts.extend(fs);
    };
    if p.hosts > 1 {
        feature("multi-host", &["MAT-2"]);
    }
    if p.publish > 0 && used.iter().any(|d| d.publishes()) {
        let fs: &[&str] = if used.contains(&Driver::Nat) {
            &["NAT-8", "NAT-9"]
        } else {
            &["EXT-10"]
        };
        feature("published-port", fs);
    }
    if p.services > 0 {
        feature("swarm-service", &["OVL-5", "LNX-3"]);
    }
    if !p.steps.is_empty() {
        feature("timeline", &["ARCH-1"]);
        if p.steps.iter().any(|s| matches!(s, GenStep::Run(_))) {
            feature("rerun", &["ARCH-1", "IPAM-1"]);
        }
    }
    tags.sort();
    tags.dedup();
    let mut covers: Vec<String> = facts.into_iter().map(String::from).collect();
    covers.sort();
    covers.dedup();
    (tags, covers)
}
