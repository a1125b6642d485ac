//! The Docker backend's planning for a Windows engine, against recorded outputs of the
//! engines of GitHub's windows-2022 and windows-2025 runners (`fixtures/docker-windows`,
//! see its SOURCES.md): the host's build and revision, the probe image's base, the
//! objects and arguments of a run, what `docker inspect` gives back, and which cells
//! one Windows host probes and which it says are not emulated. No Windows is needed:
//! the engine's answers are the fixtures, and the wire is a scripted dataplane.

use hnsim_conformance::agent::{Batch, ProbeResult, ProbeSpec};
use hnsim_conformance::dataplane::{
    BatchResult, Dataplane, DataplaneError, Resolved, RunName, Source,
};
use hnsim_conformance::docker::windows::engine::{
    self, BaseImage, EngineFacts, LocalImage, Machine,
};
use hnsim_conformance::docker::windows::locate::{self, Realized};
use hnsim_conformance::docker::windows::{plan, readback};
use hnsim_conformance::target::{Party, Target};
use hnsim_conformance::{probe_state, ProbeOptions};
use hnsim_model::{Design, Protocol, Step};
use hnsim_sim::{Probe, ProbeOutcome};
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(path: &str) -> String {
    std::fs::read_to_string(root().join("tests/fixtures/docker-windows").join(path))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The plan's network `name`, which the test's design has.
fn network<'p>(p: &'p plan::WindowsPlan, name: &str) -> &'p plan::WinNet {
    let found = p.networks.iter().find(|n| n.name == name);
    found.unwrap_or_else(|| panic!("no network {name}"))
}

/// The plan's container `name`, which the test's design has.
fn container<'p>(p: &'p plan::WindowsPlan, name: &str) -> &'p plan::WinContainer {
    let found = p.containers.iter().find(|c| c.name == name);
    found.unwrap_or_else(|| panic!("no container {name}"))
}

/// The word after `flag` in a command's arguments.
fn value_of<'a>(args: &'a [String], flag: &str) -> &'a str {
    let i = args.iter().position(|a| a == flag);
    let i = i.unwrap_or_else(|| panic!("no {flag} in {args:?}"));
    &args[i + 1]
}

fn facts(runner: &str) -> EngineFacts {
    EngineFacts::parse(&fixture(&format!("{runner}/docker-info.json"))).unwrap()
}

fn machine() -> Machine {
    Machine::parse(&fixture("ws2022-runner/machine.json")).unwrap()
}

fn local_images(runner: &str, tag: &str) -> Vec<LocalImage> {
    let refs = engine::nanoserver_references(&fixture(&format!("{runner}/docker-images.jsonl")));
    let inspect: serde_json::Value = serde_json::from_str(&fixture(&format!(
        "{runner}/image-inspect-nanoserver-{tag}.json"
    )))
    .unwrap();
    refs.into_iter()
        .map(|reference| LocalImage {
            reference,
            os_version: inspect[0]["OsVersion"].as_str().unwrap().to_string(),
        })
        .collect()
}

fn runner_design(file: &str) -> Design {
    let text = std::fs::read_to_string(root().join("../scenarios/windows-runner").join(file))
        .expect("bundled runner scenario");
    let doc = hnsim_model::parse_scenario(file, &text).expect("parses");
    hnsim_model::analyse(&doc).final_state().design.clone()
}

const PREFIX: &str = "hnsim-0a1b2c-";

#[test]
fn engines_of_the_runners() {
    let f = facts("ws2022-runner");
    assert_eq!(f.os_type, "windows");
    assert_eq!((f.build, f.revision), (20348, 2849));
    assert_eq!(f.isolation, "process");
    assert!(f.network_drivers.iter().any(|d| d == "nat"));
    let f = facts("ws2025-runner");
    assert_eq!((f.build, f.revision), (26100, 2894));
    assert_eq!(engine::ltsc_tag(f.build), Some("ltsc2025"));
}

#[test]
fn the_base_image_matches_the_host_build_and_revision() {
    // windows-2022: the cached ltsc2022 is a newer revision than the host (3091 >
    // 2849): it would fail with 0xc0370106, so the host's exact revision is pulled.
    let f = facts("ws2022-runner");
    let local = local_images("ws2022-runner", "ltsc2022");
    assert_eq!(local[0].os_version, "10.0.20348.3091");
    assert!(engine::revision_fits(&f, &local[0].os_version)
        .unwrap_err()
        .contains("0xc0370106"));
    assert_eq!(
        engine::choose_base(&f, &local, None),
        Ok(BaseImage::Pull(vec![
            "mcr.microsoft.com/windows/nanoserver:10.0.20348.2849".into(),
            "mcr.microsoft.com/windows/nanoserver:ltsc2022".into(),
        ]))
    );
    // windows-2025: the cached image is the host's revision: used as it is.
    let f = facts("ws2025-runner");
    let local = local_images("ws2025-runner", "ltsc2025");
    assert_eq!(
        engine::choose_base(&f, &local, None),
        Ok(BaseImage::Local(
            "mcr.microsoft.com/windows/nanoserver:ltsc2025".into()
        ))
    );
}

#[test]
fn objects_and_arguments_of_a_run() {
    let d = runner_design("nat-two-networks.yaml");
    let host = plan::choose_host(&d, None).unwrap();
    let p = plan::plan(&d, PREFIX, host, &machine());
    assert_eq!(p.host_ip, Some("10.1.0.4".parse().unwrap()));
    let names: Vec<&str> = p.networks.iter().map(|n| n.name.as_str()).collect();
    assert!(names.contains(&"hnsim-0a1b2c-n1") && names.contains(&"hnsim-0a1b2c-n2"));
    let n1 = network(&p, "hnsim-0a1b2c-n1");
    assert_eq!(
        n1.create,
        [
            "network",
            "create",
            "-d",
            "nat",
            "--label",
            "io.hnsim.run=hnsim-0a1b2c-",
            "--subnet=172.20.0.0/24",
            "--gateway=172.20.0.1",
            "hnsim-0a1b2c-n1"
        ]
    );
    // The engine's own nat network (NAT-1) is used, never created.
    if let Some(nat) = p.networks.iter().find(|n| n.name == "nat") {
        assert!(nat.existing && nat.create.is_empty());
    }
    let web = container(&p, "hnsim-0a1b2c-web");
    let args = plan::create_args(&p, web);
    assert!(
        !args.iter().any(|a| a == "--sysctl"),
        "Windows has no sysctl: {args:?}"
    );
    assert_eq!(
        value_of(&args, "-p"),
        "8080:80",
        "no host address in a Windows mapping (EXT-7)"
    );
    assert!(args.ends_with(&[
        "hnsim-0a1b2c-probe:latest".to_string(),
        "C:\\hnsim\\hnsim.exe".into(),
        "probe".into(),
        "serve".into(),
        "--tcp".into(),
        "80".into()
    ]));
    // EXT-5: the scenario's host allows inbound ICMP, so the run adds the rule.
    let rule = p.firewall.as_ref().expect("an ICMP rule");
    assert_eq!(rule.name, "hnsim-0a1b2c-icmp");
    assert!(rule.add_script().contains("-Protocol ICMPv4 -IcmpType 8"));
    assert!(rule
        .remove_script()
        .contains("Get-NetFirewallRule -Name 'hnsim-0a1b2c-icmp*'"));
    let mut closed = d.clone();
    closed.scenario.hosts[host].firewall.inbound_icmp = Some(false);
    assert!(plan::plan(&closed, PREFIX, host, &machine())
        .firewall
        .is_none());
}

#[test]
fn every_network_is_attached_before_the_container_starts() {
    let d = runner_design("nat-default-static-multihomed.yaml");
    let p = plan::plan(&d, PREFIX, 0, &machine());
    let nat = network(&p, "nat");
    assert!(nat.existing, "the engine's nat network is used as it is");
    let api = container(&p, "hnsim-0a1b2c-api");
    let create = plan::create_args(&p, api);
    let connect = plan::connect_args(&p, api);
    assert_eq!(value_of(&create, "--network"), "nat");
    assert_eq!(
        connect,
        [vec![
            "network".to_string(),
            "connect".into(),
            "hnsim-0a1b2c-back".into(),
            "hnsim-0a1b2c-api".into()
        ]]
    );
    let db = container(&p, "hnsim-0a1b2c-db");
    let create = plan::create_args(&p, db);
    assert_eq!(value_of(&create, "--ip"), "172.24.0.10");
}

#[test]
fn drivers_one_runner_cannot_show_say_why() {
    let text = "name: t\nsegments: [{name: lan, subnet: 10.1.0.0/16}]\nhosts:\n  - {name: w, os: ws2022, nics: [{name: Ethernet, ip: 10.1.0.4/16, segment: lan}], swarm: manager}\nnetworks:\n  - {name: t1, host: w, driver: transparent}\n  - {name: t2, host: w, driver: transparent, options: {com.docker.network.windowsshim.interface: Ethernet}}\n  - {name: o, driver: overlay}\ncontainers:\n  - {name: a, host: w, networks: [t1]}\n  - {name: b, host: w, networks: [t2]}\n  - {name: c, host: w, networks: [o]}\n  - {name: d, host: other}\n";
    let doc = hnsim_model::parse_scenario("t.yaml", text).unwrap();
    let d = hnsim_model::analyse(&doc).final_state().design.clone();
    let p = plan::plan(&d, PREFIX, 0, &machine());
    let why = |ci: usize| {
        p.endpoint_not_emulated
            .get(&(ci, 0))
            .cloned()
            .unwrap_or_default()
    };
    assert!(why(0).contains("windowsshim.interface"), "{}", why(0));
    assert!(why(1).contains("default route"), "{}", why(1));
    assert!(why(2).contains("swarm"), "{}", why(2));
    assert!(p.container_not_emulated[&3].contains("one Windows engine is one host"));
    assert!(p.containers.is_empty());
}

#[test]
fn inspect_gives_addresses_hns_chose() {
    let d = runner_design("nat-two-networks.yaml");
    let p = plan::plan(&d, PREFIX, 0, &machine());
    let inspect: Vec<serde_json::Value> =
        serde_json::from_str(&fixture("ws2022-runner/inspect-nat-two-networks.json")).unwrap();
    let (ips, ports, notes) = readback(&d, &p, &inspect);
    let web = d.container_index("web").unwrap();
    assert_eq!(
        ips[&(web, 0)],
        "172.20.0.74".parse::<std::net::IpAddr>().unwrap()
    );
    assert_eq!(ports[&(Protocol::Tcp, 8080)], 8080);
    assert!(
        notes.iter().any(|n| n.contains("HNS gave 172.20.0.74")),
        "the model's guess and HNS's choice differ: {notes:?}"
    );
}

/// The run's objects as the fixtures say, and a wire that answers every probe.
struct Scripted {
    r: Realized,
}

impl Dataplane for Scripted {
    fn run_name(&self) -> RunName<'_> {
        RunName::new("docker", PREFIX)
    }
    fn realize(&mut self, _: &Design, _: Option<&Step>) -> Result<(), DataplaneError> {
        Ok(())
    }
    fn observe(&mut self, _: &Design) -> Result<Vec<String>, DataplaneError> {
        Ok(vec![])
    }
    fn source(&self, design: &Design, party: &Party) -> Result<Source, String> {
        locate::source(&self.r, design, party)
    }
    fn resolve(&self, design: &Design, from: &Source, t: &Target) -> Result<Resolved, String> {
        locate::resolve(&self.r, design, from, t)
    }
    fn probe(&self, _: &Source, batch: &Batch) -> Result<BatchResult, DataplaneError> {
        Ok(BatchResult {
            results: batch
                .probes
                .iter()
                .map(|s| ProbeResult::of(s.id, ProbeOutcome::Reply, Some(1.0), 1))
                .collect(),
            tainted: false,
        })
    }
    fn repro(&self, _: &Source, spec: &ProbeSpec) -> String {
        spec.cli_args().join(" ")
    }
    fn parallel_sources(&self, _: usize) -> usize {
        2
    }
    fn clean(&mut self) -> Result<Vec<String>, DataplaneError> {
        Ok(vec![])
    }
}

#[test]
fn the_cells_one_windows_host_probes() {
    let file = "nat-two-networks.yaml";
    let text =
        std::fs::read_to_string(root().join("../scenarios/windows-runner").join(file)).unwrap();
    let doc = hnsim_model::parse_scenario(file, &text).unwrap();
    let report = hnsim_sim::simulate(&doc);
    let d = hnsim_model::analyse(&doc).final_state().design.clone();
    let p = plan::plan(&d, PREFIX, 0, &machine());
    let inspect: Vec<serde_json::Value> =
        serde_json::from_str(&fixture("ws2022-runner/inspect-nat-two-networks.json")).unwrap();
    let (ips, ports, _) = readback(&d, &p, &inspect);
    let dp = Scripted {
        r: Realized {
            plan: p,
            ips,
            ports,
            notes: vec![],
        },
    };
    let opts = ProbeOptions {
        progress: false,
        ..ProbeOptions::default()
    };
    let observed = probe_state(&dp, &d, report.final_state().unwrap(), &opts).unwrap();
    let cell = |from: &str, to: &str, probe: Probe| {
        observed
            .iter()
            .find(|o| o.from == from && o.to == to && o.probe == probe)
            .unwrap_or_else(|| panic!("no cell {from} -> {to} {probe}"))
    };
    let sent = |from: &str, to: &str, probe| cell(from, to, probe).observation.to.clone();
    let why = |from: &str, to: &str, probe| match &cell(from, to, probe).observation.outcome {
        ProbeOutcome::NotEmulated { why } => why.clone(),
        other => panic!("{from} -> {to} {probe} was probed: {other:?}"),
    };
    // ICC and across NAT networks, by the addresses HNS gave.
    assert_eq!(sent("app@n1", "web@n1", Probe::Tcp(80)), "172.20.0.74:80");
    assert_eq!(sent("other@n2", "app@n1", Probe::Icmp), "172.20.0.181");
    // The host to a container by address, to the published port by its own address.
    assert_eq!(sent("host:win1", "web@n1", Probe::Icmp), "172.20.0.74");
    let web80 = &cell("host:win1", "web@n1", Probe::Tcp(80)).observation;
    assert_eq!(web80.to, "172.20.0.74:80");
    assert!(web80.sent.contains("also 10.1.0.4:8080"), "{}", web80.sent);
    // A container to the host: the machine's own address stands for 10.1.0.4.
    assert_eq!(sent("web@n1", "host:win1", Probe::Icmp), "10.1.0.4");
    // Machines the run does not control.
    assert!(why("client:laptop", "web@n1", Probe::Tcp(80)).contains("LAN clients"));
    assert!(why("web@n1", "internet", Probe::Icmp).contains("outside this machine"));
    // Nothing is probed outside the run's containers, the machine and loopback.
    for o in &observed {
        if o.observation.attempts > 0 {
            let ip = o
                .observation
                .to
                .rsplit_once(':')
                .map(|x| x.0)
                .unwrap_or(&o.observation.to);
            assert!(
                ip.starts_with("172.2") || ip == "10.1.0.4" || ip == "127.0.0.1",
                "{} -> {} sent to {}",
                o.from,
                o.to,
                o.observation.to
            );
        }
    }
}
