//! `hnsim gen`: writes a valid design from parameters — hosts, their operating systems,
//! network drivers, networks per host, containers, swarm services and replicas — for
//! benchmarks, tests and anyone who wants to try the tool at scale.
//!
//! The same parameters and seed always write the same file. The seed decides what the
//! parameters leave open (which port each container listens on); a later `--random`
//! mode for fidelity testing draws the parameters themselves from it too: [`Params`] is
//! what is generated, [`write`] turns it into YAML, and neither reads anything else.
//!
//! What it writes validates without errors: one LAN (192.168.0.0/16, DHCP, a gateway to
//! the internet) with a client; host addresses from 192.168.1.10; the default network
//! of each host (`nat`, `bridge`) sized for the containers on it; further nat networks
//! in the NAT prefix, bridges, macvlan and l2bridge on 100.64.0.0/10 (one /16 each, never
//! on the LAN); a NIC per transparent or l2bridge network; overlays on 10.0.0.0/8; a port published
//! by the first `--publish` containers of each nat or bridge network (host ports from
//! 8000, one per container of the host), the others listening only.
//!
//! Exit codes: 0 written, 2 the parameters cannot make a valid design (the message says
//! which and how to fix it).

use anyhow::bail;
use std::fmt::Write as _;
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
    /// Scenario name (default: from the parameters).
    #[arg(long)]
    pub name: Option<String>,
    /// Write to FILE instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// What a design is made of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Params {
    pub name: String,
    pub hosts: usize,
    pub os: Vec<Os>,
    pub drivers: Vec<Driver>,
    pub networks: usize,
    pub endpoints: usize,
    pub services: usize,
    pub replicas: usize,
    pub publish: usize,
    pub seed: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Os {
    Ws2016,
    Ws2019,
    Ws2022,
    Ws2025,
    Linux,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Driver {
    Nat,
    Transparent,
    L2bridge,
    Bridge,
    Macvlan,
    Overlay,
}

impl Os {
    fn parse(s: &str) -> Option<Os> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "ws2016" => Os::Ws2016,
            "ws2019" => Os::Ws2019,
            "ws2022" => Os::Ws2022,
            "ws2025" => Os::Ws2025,
            "linux" => Os::Linux,
            _ => return None,
        })
    }
    fn name(self) -> &'static str {
        match self {
            Os::Ws2016 => "ws2016",
            Os::Ws2019 => "ws2019",
            Os::Ws2022 => "ws2022",
            Os::Ws2025 => "ws2025",
            Os::Linux => "linux",
        }
    }
    fn windows(self) -> bool {
        self != Os::Linux
    }
    /// The update overlay networking needs (OVL-4), where there is one.
    fn overlay_update(self) -> Option<&'static str> {
        match self {
            Os::Ws2016 => Some("KB4015217"),
            Os::Ws2019 => Some("KB4489899"),
            _ => None,
        }
    }
}

impl Driver {
    fn parse(s: &str) -> Option<Driver> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "nat" => Driver::Nat,
            "transparent" => Driver::Transparent,
            "l2bridge" => Driver::L2bridge,
            "bridge" => Driver::Bridge,
            "macvlan" => Driver::Macvlan,
            "overlay" => Driver::Overlay,
            _ => return None,
        })
    }
    fn name(self) -> &'static str {
        match self {
            Driver::Nat => "nat",
            Driver::Transparent => "transparent",
            Driver::L2bridge => "l2bridge",
            Driver::Bridge => "bridge",
            Driver::Macvlan => "macvlan",
            Driver::Overlay => "overlay",
        }
    }
    /// Whether a host of `os` has this driver (overlay is not per host).
    fn on(self, os: Os) -> bool {
        match self {
            Driver::Nat | Driver::Transparent | Driver::L2bridge => os.windows(),
            Driver::Bridge | Driver::Macvlan => !os.windows(),
            Driver::Overlay => false,
        }
    }
    /// Whether containers on it publish ports (WinNAT, DNAT).
    fn publishes(self) -> bool {
        matches!(self, Driver::Nat | Driver::Bridge)
    }
}

impl Params {
    /// The parameters of `hnsim gen`'s arguments, or why they cannot make a design.
    pub fn from_args(a: &GenArgs) -> anyhow::Result<Params> {
        let mut os = Vec::new();
        for s in &a.os {
            match Os::parse(s) {
                Some(o) => os.push(o),
                None => bail!("--os {s}: not an OS hnsim gen writes; use ws2016, ws2019, ws2022, ws2025 or linux"),
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
        if a.hosts == 0 || os.is_empty() {
            bail!("--hosts 0: a design needs at least one host");
        }
        let p = Params {
            name: a.name.clone().unwrap_or_else(|| {
                format!("generated-{}h-{}e-{}s", a.hosts, a.endpoints, a.services)
            }),
            hosts: a.hosts,
            os,
            drivers,
            networks: a.networks,
            endpoints: a.endpoints,
            services: a.services,
            replicas: a.replicas,
            publish: a.publish,
            seed: a.seed,
        };
        if p.endpoints > 0 && p.slots().is_empty() {
            bail!(
                "--endpoints {}: no host has a network to put them on (--drivers {} on {}); give drivers the hosts' OS has, or --networks 1 or more",
                p.endpoints,
                a.drivers.join(","),
                a.os.join(",")
            );
        }
        if p.drivers.contains(&Driver::Nat) && p.networks > 8 {
            bail!("--networks {}: at most 8 nat networks per host (WinNAT's share its 172.16.0.0/12 prefix, one /16 each)", p.networks);
        }
        if p.networks > 32 {
            bail!("--networks {}: at most 32 networks of a driver per host (one /16 each in 100.64.0.0/10)", p.networks);
        }
        if p.hosts > 50_000 {
            bail!("--hosts {}: at most 50000 hosts (one LAN /16)", p.hosts);
        }
        Ok(p)
    }

    fn os_of(&self, h: usize) -> Os {
        self.os[h % self.os.len()]
    }

    /// The (host, driver, network index) every container is put on in turn.
    fn slots(&self) -> Vec<(usize, Driver, usize)> {
        let mut out = Vec::new();
        for h in 0..self.hosts {
            let os = self.os_of(h);
            for &d in &self.drivers {
                if d.on(os) {
                    out.extend((0..self.count(d, os)).map(|k| (h, d, k)));
                }
            }
        }
        if self.drivers.contains(&Driver::Overlay) {
            for k in 0..self.networks {
                for h in 0..self.hosts {
                    out.push((h, Driver::Overlay, k));
                }
            }
        }
        out
    }

    /// How many networks of driver `d` a host of `os` gets: WS2016 has one NAT prefix
    /// and so one nat network (NAT-11).
    fn count(&self, d: Driver, os: Os) -> usize {
        if d == Driver::Nat && os == Os::Ws2016 {
            self.networks.min(1)
        } else {
            self.networks
        }
    }

    /// Host `h`'s networks bound to an external vSwitch, in NIC order.
    fn external(&self, h: usize) -> Vec<(Driver, usize)> {
        let os = self.os_of(h);
        self.drivers
            .iter()
            .filter(|d| matches!(d, Driver::Transparent | Driver::L2bridge) && d.on(os))
            .flat_map(|&d| (0..self.networks).map(move |k| (d, k)))
            .collect()
    }

    fn swarm(&self) -> bool {
        self.services > 0 || self.drivers.contains(&Driver::Overlay)
    }
}

/// splitmix64: small, fast, and the same sequence on every machine for a seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// The smallest prefix length whose subnet holds `n` addresses besides the network,
/// gateway and broadcast, never longer than `longest`.
fn prefix_for(n: usize, longest: u8) -> u8 {
    let mut p = longest;
    while p > 8 && (1usize << (32 - p)) < n + 3 {
        p -= 1;
    }
    p
}

/// The name of a host's `j`-th NIC.
fn nic_name(os: Os, j: usize) -> String {
    match (os.windows(), j) {
        (true, 0) => "Ethernet".into(),
        (true, j) => format!("Ethernet{}", j + 1),
        (false, j) => format!("eth{j}"),
    }
}

/// The network name of slot `(driver, k)`: the host's default network for the first
/// nat or bridge network, else `<driver><k>`.
fn network_name(d: Driver, k: usize) -> String {
    match (d, k) {
        (Driver::Nat, 0) => "nat".into(),
        (Driver::Bridge, 0) => "bridge".into(),
        _ => format!("{}{k}", d.name()),
    }
}

/// The design as scenario YAML.
pub fn write(p: &Params) -> String {
    let mut rng = Rng(p.seed);
    let slots = p.slots();
    // Containers per slot, to size each network's subnet.
    let mut per_slot = vec![0usize; slots.len()];
    for i in 0..p.endpoints {
        per_slot[i % slots.len().max(1)] += 1;
    }
    let on = |h: usize, d: Driver, k: usize| -> usize {
        slots
            .iter()
            .zip(&per_slot)
            .filter(|((sh, sd, sk), _)| (*sh == h || d == Driver::Overlay) && *sd == d && *sk == k)
            .map(|(_, n)| n)
            .sum()
    };
    let mut y = String::new();
    let _ = writeln!(y, "name: {}", p.name);
    let _ = writeln!(
        y,
        "description: 'written by hnsim gen, seed {}: {} hosts ({}), drivers {}, {} network(s) of each per host, {} containers, {} service(s) of {} replicas'",
        p.seed,
        p.hosts,
        p.os.iter().map(|o| o.name()).collect::<Vec<_>>().join(", "),
        p.drivers.iter().map(|d| d.name()).collect::<Vec<_>>().join(", "),
        p.networks,
        p.endpoints,
        p.services,
        p.replicas
    );
    y.push_str("segments:\n  - {name: lan, subnet: 192.168.0.0/16, gateway: 192.168.0.1, dhcp: true, internet: true}\n");
    y.push_str("hosts:\n");
    let mut nics_so_far = 0;
    for h in 0..p.hosts {
        let os = p.os_of(h);
        let mut extra = String::new();
        if p.swarm() {
            let _ = write!(
                extra,
                ", swarm: {}",
                if h == 0 { "manager" } else { "worker" }
            );
            if let Some(kb) = os.overlay_update() {
                let _ = write!(extra, ", updates: [{kb}]");
            }
        }
        // The default network sized for its containers (nat: a /20 unless more fit).
        let default = if os.windows() {
            Driver::Nat
        } else {
            Driver::Bridge
        };
        let n = if p.drivers.contains(&default) {
            on(h, default, 0)
        } else {
            0
        };
        if n > 4000 {
            let (base, longest) = if os.windows() {
                ("172.16.0.0", 20)
            } else {
                ("172.17.0.0", 16)
            };
            let _ = write!(
                extra,
                ", docker: {{fixed-cidr: {base}/{}}}",
                prefix_for(n, longest)
            );
        }
        // One NIC per network bound to an external vSwitch (one vSwitch per NIC,
        // ARCH-6), at least one.
        let nics: Vec<String> = (0..p.external(h).len().max(1))
            .map(|j| {
                let name = nic_name(os, j);
                let at = nics_so_far + j;
                format!(
                    "{{name: {name}, ip: 192.168.{}.{}/16, segment: lan}}",
                    1 + at / 200,
                    10 + at % 200
                )
            })
            .collect();
        nics_so_far += nics.len();
        let _ = writeln!(
            y,
            "  - {{name: h{h}, os: {}{extra}, nics: [{}]}}",
            os.name(),
            nics.join(", ")
        );
    }
    // Networks other than the hosts' defaults: WinNAT's further networks inside the
    // NAT prefix (172.16.0.0/12, from the top), Linux bridges and macvlan on a /16 of
    // 100.64.0.0/10 each, transparent and l2bridge each on a NIC of their own.
    let mut nets = String::new();
    for h in 0..p.hosts {
        let os = p.os_of(h);
        let external = p.external(h);
        for &d in &p.drivers {
            if !d.on(os) {
                continue;
            }
            for k in 0..p.count(d, os) {
                let name = network_name(d, k);
                if name == "nat" || name == "bridge" {
                    continue;
                }
                let net = match d {
                    Driver::Nat => format!(", subnet: 172.{}.0.0/16", 32 - k),
                    Driver::Bridge => format!(", subnet: 100.{}.0.0/16", 64 + k),
                    Driver::Macvlan => format!(
                        ", subnet: 100.{}.0.0/16, options: {{parent: eth0}}",
                        64 + p.networks + k
                    ),
                    Driver::Transparent | Driver::L2bridge => {
                        let j = external.iter().position(|x| *x == (d, k)).unwrap_or(0);
                        let sub = if d == Driver::L2bridge {
                            format!(", subnet: 100.{0}.0.0/16, gateway: 100.{0}.0.1", 64 + k)
                        } else {
                            String::new()
                        };
                        format!(
                            "{sub}, options: {{com.docker.network.windowsshim.interface: {}}}",
                            nic_name(os, j)
                        )
                    }
                    Driver::Overlay => String::new(),
                };
                let _ = writeln!(
                    nets,
                    "  - {{name: {name}, host: h{h}, driver: {}{net}}}",
                    d.name()
                );
            }
        }
    }
    if p.drivers.contains(&Driver::Overlay) {
        for k in 0..p.networks {
            let len = prefix_for(on(0, Driver::Overlay, k), 24);
            let _ = writeln!(
                nets,
                "  - {{name: overlay{k}, driver: overlay, attachable: true, subnet: 10.{}.0.0/{len}}}",
                128 + k
            );
        }
    }
    if p.services > 0 {
        // The routing mesh's network, sized for every replica.
        let len = prefix_for(p.services * p.replicas, 24);
        let _ = writeln!(
            nets,
            "  - {{name: ingress, driver: overlay, subnet: 10.0.0.0/{len}}}"
        );
    }
    if !nets.is_empty() {
        y.push_str("networks:\n");
        y.push_str(&nets);
    }
    if p.endpoints > 0 {
        y.push_str("containers:\n");
        let mut published = vec![0usize; slots.len()];
        let mut host_port = vec![8000u32; p.hosts];
        for i in 0..p.endpoints {
            let s = i % slots.len();
            let (h, d, k) = slots[s];
            let listen = ["tcp/80", "tcp/8080", "udp/53"][rng.below(3)];
            let mut extra = String::new();
            if d.publishes() && published[s] < p.publish && host_port[h] < 65000 {
                let port = listen.trim_start_matches(|c: char| !c.is_ascii_digit());
                let proto = if listen.starts_with("udp") {
                    "/udp"
                } else {
                    ""
                };
                let _ = write!(extra, ", ports: ['{}:{port}{proto}']", host_port[h]);
                host_port[h] += 1;
                published[s] += 1;
            }
            let _ = writeln!(
                y,
                "  - {{name: c{i}, host: h{h}, networks: [{}], listen: [{listen}]{extra}}}",
                network_name(d, k)
            );
        }
    }
    if p.services > 0 {
        y.push_str("services:\n");
        for j in 0..p.services {
            let _ = writeln!(
                y,
                "  - {{name: svc{j}, replicas: {}, ports: ['{}:80'], listen: [tcp/80]}}",
                p.replicas,
                30000 + j
            );
        }
    }
    y.push_str("clients:\n  - {name: laptop, segment: lan, ip: 192.168.0.50, listen: [tcp/443]}\n");
    y
}

pub fn run_gen(a: GenArgs) -> anyhow::Result<ExitCode> {
    let params = Params::from_args(&a)?;
    let text = write(&params);
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

    fn params(args: &[&str]) -> Params {
        #[derive(Parser)]
        struct Cli {
            #[command(flatten)]
            gen: GenArgs,
        }
        let cli = Cli::parse_from(std::iter::once("gen").chain(args.iter().copied()));
        Params::from_args(&cli.gen).expect("valid parameters")
    }

    /// Errors of `check` on the written design.
    fn errors(text: &str) -> Vec<String> {
        let doc = hnsim_model::parse_scenario("gen.yaml", text)
            .unwrap_or_else(|e| panic!("the design does not parse: {e}\n{text}"));
        hnsim_model::analyse(&doc)
            .findings
            .into_iter()
            .filter(|f| f.severity == hnsim_model::Severity::Error)
            .map(|f| f.to_string())
            .collect()
    }

    #[test]
    fn the_same_seed_writes_the_same_design_and_another_one_another() {
        let a = write(&params(&["--endpoints", "30", "--seed", "7"]));
        assert_eq!(a, write(&params(&["--endpoints", "30", "--seed", "7"])));
        assert_ne!(a, write(&params(&["--endpoints", "30", "--seed", "8"])));
    }

    /// Every driver and OS it writes, and the shapes the benchmark uses, validate
    /// without errors and hold what was asked for.
    #[test]
    fn what_it_writes_validates() {
        let cases = [
            "--endpoints 40",
            "--hosts 4 --os ws2016,ws2019,ws2022,ws2025 --drivers nat,transparent,l2bridge --networks 2 --endpoints 60",
            "--hosts 2 --os linux --drivers bridge,macvlan --networks 3 --endpoints 50",
            "--hosts 3 --os ws2019,linux --drivers nat,bridge,overlay --endpoints 30",
            "--hosts 3 --os linux --drivers overlay --endpoints 0 --services 2 --replicas 5",
            "--endpoints 5000",
            "--hosts 1 --os linux --drivers bridge --networks 20 --endpoints 400",
        ];
        for args in cases {
            let p = params(&args.split_whitespace().collect::<Vec<_>>());
            let text = write(&p);
            let errors = errors(&text);
            assert!(errors.is_empty(), "{args:?}:\n{}", errors.join("\n"));
            let doc = hnsim_model::parse_scenario("gen.yaml", &text).unwrap();
            let s = &doc.scenario;
            assert_eq!(s.hosts.len(), p.hosts, "{args:?}");
            assert_eq!(s.containers.len(), p.endpoints, "{args:?}");
            assert_eq!(s.services.len(), p.services, "{args:?}");
        }
    }

    #[test]
    fn impossible_parameters_say_why() {
        #[derive(Parser)]
        struct Cli {
            #[command(flatten)]
            gen: GenArgs,
        }
        for (args, said) in [
            (&["--os", "dos"][..], "not an OS"),
            (&["--drivers", "ipvlan"][..], "not a driver"),
            (&["--hosts", "0"][..], "at least one host"),
            (
                &["--os", "linux", "--drivers", "nat"][..],
                "no host has a network",
            ),
        ] {
            let cli = Cli::parse_from(std::iter::once("gen").chain(args.iter().copied()));
            let e = Params::from_args(&cli.gen).expect_err("refused");
            assert!(e.to_string().contains(said), "{args:?}: {e}");
        }
    }
}
