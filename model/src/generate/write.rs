//! A design's parameters as scenario YAML: one LAN (192.168.0.0/16, DHCP, a gateway to
//! the internet) with a client; host addresses from 192.168.1.10; the default network
//! of each host (`nat`, `bridge`) sized for the containers on it; further nat networks
//! in the NAT prefix, bridges, macvlan and l2bridge on 100.64.0.0/10 (one /16 each,
//! never on the LAN); a NIC per transparent or l2bridge network; overlays on
//! 10.128.0.0/9 and the routing mesh's ingress on 10.0.0.0/24; a port published by the
//! first `publish` containers of each nat or bridge network, the others listening only;
//! the timeline's steps last. The seed decides what the parameters leave open (which
//! port each container listens on).

use super::params::{Driver, GenStep, Os, Params};
use std::fmt::Write as _;

/// splitmix64: small, fast, and the same sequence on every machine for a seed.
pub(super) struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
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
    let (tags, covers) = super::tags::of(p);
    let _ = writeln!(y, "tags: [{}]", tags.join(", "));
    let _ = writeln!(y, "covers: [{}]", covers.join(", "));
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
    let containers = containers(p, &slots, &mut rng);
    if !containers.is_empty() {
        y.push_str("containers:\n");
        for c in &containers {
            let _ = writeln!(y, "  - {c}");
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
    if !p.steps.is_empty() {
        y.push_str("steps:\n");
        for s in &p.steps {
            let _ = match *s {
                GenStep::Stop(i) => writeln!(y, "  - stop: c{i}"),
                GenStep::Start(i) => writeln!(y, "  - start: c{i}"),
                GenStep::Remove(i) => writeln!(y, "  - remove: c{i}"),
                GenStep::Run(i) => match containers.get(i) {
                    Some(c) => writeln!(y, "  - run: {c}"),
                    None => Ok(()),
                },
            };
        }
    }
    y
}

/// Each container's entry (`{name: c0, host: h0, …}`), in order: on the slots in turn,
/// listening on a port the seed picks, the first `--publish` of each nat or bridge
/// network publishing it (host ports from 8000, one per container of the host).
fn containers(p: &Params, slots: &[(usize, Driver, usize)], rng: &mut Rng) -> Vec<String> {
    let mut out = Vec::new();
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
        out.push(format!(
            "{{name: c{i}, host: h{h}, networks: [{}], listen: [{listen}]{extra}}}",
            network_name(d, k)
        ));
    }
    out
}
