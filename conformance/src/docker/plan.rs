//! From a resolved [`Design`] to the Docker objects of one run. Pure: the engine's
//! existing subnets come in as `taken`, so the plan is testable without Docker.
//!
//! One host is realized (the engine on this machine is one Docker host); containers of
//! other hosts and endpoints on drivers this engine cannot give faithfully are
//! recorded with the reason, and their cells become `not-emulated`.
//!
//! Addresses: every scenario network keeps its subnet when the engine and the machine's
//! routes leave it free, else it moves to a free subnet of the same length and every
//! address on it is translated by its offset (`172.17.0.3` -> `10.201.0.3`). The
//! container host's own address (the scenario's NIC IP) is stood in for by the gateway
//! of a run-owned bridge: a local address of the Docker host that exists only for the
//! run, so nothing is ever sent to, or published on, the machine's real interfaces.

use super::planning::{self, Realizes};
use hnsim_model::{Design, Driver, PortRange, Protocol, RunState};
use ipnet::{IpNet, Ipv4Net};
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};

/// A bridge network of the run.
#[derive(Clone, Debug, PartialEq)]
pub struct NetPlan {
    /// Index into `design.scenario.networks`; `None` for the host stand-in network.
    pub network: Option<usize>,
    pub name: String,
    /// The scenario's subnet (what addresses are translated from).
    pub model_subnet: Option<IpNet>,
    pub subnet: IpNet,
    pub gateway: IpAddr,
    pub ip_range: Option<IpNet>,
    pub internal: bool,
    /// `-o` options passed through (`com.docker.network.bridge.*`).
    pub options: Vec<(String, String)>,
    /// macvlan: the run's dummy parent link (LNX-4).
    pub macvlan_parent: Option<String>,
    /// macvlan: the parent is the host's NIC link on the run's LAN ([`super::lan`]),
    /// not a wire of its own.
    pub parent_on_lan: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Attach {
    /// Index into [`Plan::networks`].
    pub net: usize,
    /// Position of the attachment in the container's `networks`.
    pub attachment: usize,
    /// A static address (`--ip`), translated.
    pub ip: Option<IpAddr>,
    pub aliases: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum NetMode {
    Bridges(Vec<Attach>),
    /// `--network host` (LNX-2, EXT-11).
    Host,
    /// `--network none` (LNX-5).
    None,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PublishPlan {
    pub host_ip: IpAddr,
    /// `None`: let the engine pick (`-p C`, `-P`; NAT-9's ephemeral port).
    pub host_ports: Option<(u16, u16)>,
    pub container_ports: (u16, u16),
    pub proto: Protocol,
    /// The host ports the model decided, for translating cell addresses.
    pub model_host_ports: (u16, u16),
}

impl PublishPlan {
    /// The `-p` argument.
    pub fn arg(&self) -> String {
        let range = |(start, end): (u16, u16)| PortRange { start, end }.to_string();
        let proto = planning::publish_proto(self.proto);
        format!(
            "{}:{}:{}{proto}",
            self.host_ip,
            self.host_ports.map(range).unwrap_or_default(),
            range(self.container_ports)
        )
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ContainerPlan {
    /// Index into `design.scenario.containers`.
    pub index: usize,
    pub name: String,
    pub mode: NetMode,
    pub publish: Vec<PublishPlan>,
    pub tcp: Vec<u16>,
    pub udp: Vec<u16>,
    /// The addresses the agent serves on (empty: all of its stack's). A host-network
    /// container serves on the host's LAN stand-ins only, never on the machine's own
    /// interfaces.
    pub bind: Vec<IpAddr>,
    pub state: RunState,
}

impl ContainerPlan {
    pub fn has_static_ip(&self) -> bool {
        matches!(&self.mode, NetMode::Bridges(a) if a.iter().any(|a| a.ip.is_some()))
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Plan {
    pub prefix: String,
    pub image: String,
    /// The realized host (index into `design.scenario.hosts`).
    pub host: Option<usize>,
    pub networks: Vec<NetPlan>,
    /// Index into `networks` of the host stand-in network.
    pub host_net: usize,
    pub containers: Vec<ContainerPlan>,
    /// Containers not realized, with the reason.
    pub container_not_emulated: BTreeMap<usize, String>,
    /// (container, attachment) not realized, with the reason.
    pub endpoint_not_emulated: BTreeMap<(usize, usize), String>,
    /// The realized host's NIC addresses in the scenario.
    pub host_ips: Vec<IpAddr>,
    /// Deliberate differences from the scenario, for the report.
    pub notes: Vec<String>,
    /// The LAN segments, clients and internet around the host ([`super::lan`]), when
    /// the run builds them.
    pub lan: Option<super::lan::Lan>,
}

impl Plan {
    /// The address standing in for the container host's own IP.
    /// With a LAN: the stand-in of the host's first NIC on it; else the gateway of a
    /// run-owned bridge.
    pub fn host_addr(&self) -> Option<IpAddr> {
        self.lan
            .as_ref()
            .and_then(|l| l.host_nics.first())
            .map(|n| n.real.addr())
            .or_else(|| self.networks.get(self.host_net).map(|n| n.gateway))
    }

    /// A scenario address on the realized host, translated to the run: the host's NIC
    /// addresses become the stand-in, addresses of a realized network move with it.
    pub fn translate(&self, ip: IpAddr) -> Option<IpAddr> {
        if self.host_ips.contains(&ip) {
            return self
                .lan
                .as_ref()
                .and_then(|l| l.host_ip(ip))
                .or_else(|| self.host_addr());
        }
        self.networks.iter().find_map(|n| {
            let model = n.model_subnet?;
            model.contains(&ip).then(|| shift(ip, &model, &n.subnet))?
        })
    }

    /// True when `ip` is an address of one of the run's own networks (probes go
    /// nowhere else).
    pub fn owns(&self, ip: IpAddr) -> bool {
        self.networks.iter().any(|n| n.subnet.contains(&ip))
            || self.lan.as_ref().is_some_and(|l| l.owns(ip))
    }

    pub fn container(&self, index: usize) -> Option<&ContainerPlan> {
        self.realized(index)
    }
}

planning::impl_realizes!(Plan, ContainerPlan);

/// `ip` at the same offset in `to` as it has in `from`.
pub fn shift(ip: IpAddr, from: &IpNet, to: &IpNet) -> Option<IpAddr> {
    match (ip, from.network(), to.network()) {
        (IpAddr::V4(ip), IpAddr::V4(f), IpAddr::V4(t)) => {
            let offset = u32::from(ip).checked_sub(u32::from(f))?;
            Some(IpAddr::V4(Ipv4Addr::from(
                u32::from(t).checked_add(offset)?,
            )))
        }
        _ => None,
    }
}

fn overlaps(a: &IpNet, b: &IpNet) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}

/// The scenario's subnet when free, else the first free subnet of the same length in
/// the private ranges.
pub fn pick_subnet(model: &IpNet, taken: &[IpNet]) -> Option<IpNet> {
    let free = |n: &IpNet| !taken.iter().any(|t| overlaps(t, n));
    if let IpNet::V4(_) = model {
        if free(model) && !model.network().is_loopback() {
            return Some(*model);
        }
    } else {
        return None;
    }
    let len = model.prefix_len().max(8);
    let pools: [(Ipv4Addr, u8); 3] = [
        (Ipv4Addr::new(10, 200, 0, 0), 13),
        (Ipv4Addr::new(172, 16, 0, 0), 12),
        (Ipv4Addr::new(192, 168, 0, 0), 16),
    ];
    pools
        .iter()
        .filter_map(|(a, l)| Ipv4Net::new(*a, *l).ok())
        .filter(|p| p.prefix_len() <= len)
        .filter_map(|p| p.subnets(len).ok())
        .flat_map(|s| s.take(1 << 12))
        .map(IpNet::V4)
        .find(|n| free(n))
}

/// The run's links in the machine's namespace (macvlan parents) start with this and the
/// run's 6 hex digits; link names have at most 15 bytes.
pub const LINK_PREFIX: &str = "hnsim";

/// `hnsim1a2b3cm0`: the dummy parent of the run's `i`-th network.
pub fn parent_link(prefix: &str, i: usize) -> String {
    format!("{}m{i}", link_prefix(prefix))
}

/// `hnsim-1a2b3c-` -> `hnsim1a2b3c`; `hnsim-` -> `hnsim`.
pub fn link_prefix(prefix: &str) -> String {
    let hex: String = prefix
        .trim_start_matches(super::cli::PREFIX)
        .chars()
        .filter(char::is_ascii_hexdigit)
        .take(6)
        .collect();
    format!("{LINK_PREFIX}{hex}")
}

/// Docker names: `[a-zA-Z0-9][a-zA-Z0-9_.-]*`.
pub fn docker_name(prefix: &str, name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("{prefix}{clean}")
}

/// The host this run realizes: `wanted`, else the first Linux host with a container,
/// else the first Linux host.
pub fn choose_host(design: &Design, wanted: Option<&str>) -> Result<usize, String> {
    super::planning::choose_host(
        design,
        wanted,
        |h| {
            h.is_windows().then(|| {
                format!(
                    "host `{}` is a Windows host; the docker backend drives a Linux engine \
                     (use --backend hns on Windows)",
                    h.name
                )
            })
        },
        |h| !h.is_windows() && !h.docker.absent,
        "the scenario has no Linux host with Docker; the docker backend drives a Linux engine",
    )
}

/// The LAN link a macvlan network's parent NIC stands in for, and the network's subnet
/// moved with that segment; `None` when the NIC is not on the run's LAN or the subnet
/// is not inside the segment's.
fn lan_parent(
    p: &Plan,
    design: &Design,
    net: &hnsim_model::Network,
    host: usize,
    model: &IpNet,
) -> Option<(String, IpNet)> {
    let lan = p.lan.as_ref()?;
    let h = design.scenario.hosts.get(host)?;
    let nic = design.network_nic(net, h)?;
    let n = h.nics.iter().position(|x| x.name == nic.name)?;
    let hn = lan.host_nics.iter().find(|x| x.nic == n)?;
    let (seg_model, seg_real) = lan.segments.get(hn.segment).copied().flatten()?;
    if !seg_model.contains(&model.network()) || model.prefix_len() < seg_model.prefix_len() {
        return None;
    }
    let start = shift(model.network(), &seg_model, &seg_real)?;
    Some((hn.link.clone(), IpNet::new(start, model.prefix_len()).ok()?))
}

fn not_emulated_driver(driver: &Driver) -> Option<String> {
    match driver {
        Driver::Bridge | Driver::Host | Driver::None => None,
        Driver::Macvlan => None,
        Driver::Ipvlan => Some(format!(
            "{driver} needs a parent NIC on the segment; the run sends nothing onto the \
             machine's LAN"
        )),
        Driver::Overlay => Some(
            "overlay needs swarm mode on several daemons (OVL-1, LNX-3); the run does not \
             change the engine's swarm state"
                .into(),
        ),
        Driver::Plugin(name) => Some(format!("driver `{name}` is not installed (LNX-6)")),
        other => Some(format!(
            "{other} is a Windows driver; this is a Linux engine (use --backend hns)"
        )),
    }
}

/// Plans the run. `taken`: subnets already used by the engine's other networks and
/// the machine's routes.
pub fn plan(design: &Design, prefix: &str, host: usize, taken: &[IpNet]) -> Plan {
    plan_with(design, prefix, host, taken, Around::Nothing)
}

/// What a plan puts around the host ([`super::lan`]).
#[derive(Clone, Debug)]
pub enum Around {
    /// Nothing: the host's address is the gateway of a run-owned bridge.
    Nothing,
    /// A new LAN, clients and internet; the host's address is its stand-in on the LAN.
    New,
    /// The live run's (a timeline step keeps it).
    Kept(super::lan::Lan),
}

/// [`plan`], with `around` the host.
pub fn plan_with(
    design: &Design,
    prefix: &str,
    host: usize,
    taken: &[IpNet],
    around: Around,
) -> Plan {
    let s = &design.scenario;
    let host_name = planning::host_name(design, host).unwrap_or_default();
    let mut p = Plan {
        prefix: prefix.to_string(),
        image: format!("{prefix}probe:latest"),
        host: Some(host),
        host_ips: s
            .hosts
            .get(host)
            .map(|h| h.nics.iter().map(|n| n.ip.addr()).collect())
            .unwrap_or_default(),
        ..Plan::default()
    };
    let mut taken: Vec<IpNet> = taken.to_vec();
    p.lan = match around {
        Around::Nothing => None,
        Around::New => super::lan::plan(design, prefix, host, &mut taken),
        Around::Kept(lan) => Some(lan),
    };
    let mut net_of: BTreeMap<usize, usize> = BTreeMap::new();
    for (ni, net) in s.networks.iter().enumerate() {
        let macvlan = net.driver == Driver::Macvlan;
        if net.host.as_deref() != Some(host_name) || !(net.driver == Driver::Bridge || macvlan) {
            continue;
        }
        let Some(model) = net.subnet.0.first().copied() else {
            continue;
        };
        // A macvlan network on a NIC of the run's LAN takes its parent there, with the
        // segment's addresses (EXT-12 then holds as on the host's real NIC).
        let lan_parent = macvlan
            .then(|| lan_parent(&p, design, net, host, &model))
            .flatten();
        let real = match &lan_parent {
            Some((_, real)) => Some(*real),
            None => pick_subnet(&model, &taken),
        };
        let Some(real) = real else {
            p.notes.push(format!(
                "network `{}`: no free subnet like {model} on this machine",
                net.name
            ));
            continue;
        };
        taken.push(real);
        if real != model {
            p.notes.push(format!(
                "network `{}`: {model} is taken on this machine; realized as {real} \
                 (addresses keep their offset)",
                net.name
            ));
        }
        let gateway = net
            .gateway
            .and_then(|g| shift(g, &model, &real))
            .or_else(|| hnsim_model::resolve::nth_host(&real, 0))
            .unwrap_or(real.network());
        if net.origin.implicit && net.name == "bridge" {
            p.notes.push(format!(
                "the default bridge is realized as the user-defined bridge `{}` (same \
                 subnet, ICC and masquerade); its lack of name resolution (EXT-10) is not \
                 probed",
                docker_name(prefix, &net.name)
            ));
        }
        let options = net
            .options
            .iter()
            .filter(|(k, _)| {
                k.starts_with("com.docker.network.bridge.")
                    && k.as_str() != "com.docker.network.bridge.name"
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        net_of.insert(ni, p.networks.len());
        p.networks.push(NetPlan {
            network: Some(ni),
            name: docker_name(prefix, &net.name),
            model_subnet: Some(model),
            subnet: real,
            gateway,
            ip_range: net.ip_range.and_then(|r| {
                let start = shift(r.network(), &model, &real)?;
                IpNet::new(start, r.prefix_len()).ok()
            }),
            internal: net.internal,
            options,
            parent_on_lan: lan_parent.is_some(),
            macvlan_parent: match lan_parent {
                Some((link, _)) => Some(link),
                None => macvlan.then(|| parent_link(prefix, p.networks.len())),
            },
        });
    }
    // The host stand-in: a /24 of its own, used by no container.
    let stand_in: IpNet = "10.200.0.0/24".parse().expect("constant subnet");
    if let Some(real) = pick_subnet(&stand_in, &taken) {
        taken.push(real);
        p.host_net = p.networks.len();
        p.networks.push(NetPlan {
            network: None,
            name: format!("{prefix}host"),
            model_subnet: None,
            subnet: real,
            gateway: hnsim_model::resolve::nth_host(&real, 0).unwrap_or(real.network()),
            ip_range: None,
            internal: false,
            options: vec![],
            macvlan_parent: None,
            parent_on_lan: false,
        });
    } else {
        p.host_net = usize::MAX;
    }
    let one_host = "the docker backend realizes one host";
    for (ci, c) in
        planning::containers_on(design, host_name, one_host, &mut p.container_not_emulated)
    {
        let mut attaches = Vec::new();
        let mut special = Vec::new();
        for ep in design.endpoints_of(ci) {
            let Some(net) = ep.network.and_then(|n| s.networks.get(n)) else {
                p.endpoint_not_emulated
                    .insert((ci, ep.attachment), "the network does not exist".into());
                continue;
            };
            if let Some(why) = not_emulated_driver(&net.driver) {
                p.endpoint_not_emulated.insert((ci, ep.attachment), why);
                continue;
            }
            match net.driver {
                Driver::Host => special.push(NetMode::Host),
                Driver::None => special.push(NetMode::None),
                _ => match ep.network.and_then(|n| net_of.get(&n)) {
                    Some(&pi) => {
                        let static_ip = c.networks.get(ep.attachment).and_then(|a| a.ip);
                        attaches.push(Attach {
                            net: pi,
                            attachment: ep.attachment,
                            ip: static_ip.and_then(|ip| p.translate(ip)),
                            // The design's name, which the run's prefix hides.
                            aliases: [&[c.name.clone()][..], &ep.aliases].concat(),
                        });
                    }
                    None => {
                        p.endpoint_not_emulated.insert(
                            (ci, ep.attachment),
                            format!("network `{}` could not be realized", net.name),
                        );
                    }
                },
            }
        }
        let mode = match (special.len(), attaches.is_empty()) {
            (0, false) => NetMode::Bridges(attaches),
            (1, true) => special.remove(0),
            (0, true) => {
                p.container_not_emulated.insert(
                    ci,
                    format!("container `{}` has no network this engine realizes", c.name),
                );
                continue;
            }
            _ => {
                p.container_not_emulated.insert(
                    ci,
                    format!(
                        "container `{}` mixes host/none with other networks, which Docker \
                         refuses",
                        c.name
                    ),
                );
                continue;
            }
        };
        // On the host's stack, the workload listens on the LAN stand-ins only; without
        // a LAN it would listen on the machine's real interfaces, so it does not.
        let bind: Vec<IpAddr> = match (&mode, &p.lan) {
            (NetMode::Host, Some(lan)) => lan.host_nics.iter().map(|n| n.real.addr()).collect(),
            _ => Vec::new(),
        };
        let (tcp, udp) = if mode != NetMode::Host || !bind.is_empty() {
            planning::listen_ports(c)
        } else {
            (Vec::new(), Vec::new())
        };
        let mut publish = Vec::new();
        // Port publishing does not apply to macvlan endpoints (EXT-12).
        let bridged = matches!(&mode, NetMode::Bridges(a) if a.iter().any(|a| p.networks[a.net].macvlan_parent.is_none()));
        if bridged {
            for m in design.published_of(ci) {
                if m.forward.proto == Protocol::Sctp {
                    continue;
                }
                let host_ip = match m.forward.host_ip {
                    Some(ip) if ip.is_loopback() => ip,
                    _ => match p.host_addr() {
                        Some(a) => a,
                        None => continue,
                    },
                };
                publish.push(PublishPlan {
                    host_ip,
                    host_ports: (!m.ephemeral)
                        .then_some((m.forward.host_ports.start, m.forward.host_ports.end)),
                    container_ports: (
                        m.forward.container_ports.start,
                        m.forward.container_ports.end,
                    ),
                    proto: m.forward.proto,
                    model_host_ports: (m.forward.host_ports.start, m.forward.host_ports.end),
                });
            }
        }
        p.containers.push(ContainerPlan {
            index: ci,
            name: docker_name(prefix, &c.name),
            mode,
            publish,
            tcp,
            udp,
            bind,
            state: c.state,
        });
    }
    if !p.containers.iter().all(|c| c.publish.is_empty()) {
        if let Some(a) = p.host_addr() {
            p.notes.push(format!(
                "published ports are bound to {a}, the run's stand-in for the host's \
                 address, so no port opens on the machine's real interfaces"
            ));
        }
    }
    if p.containers.iter().any(|c| c.mode == NetMode::Host) {
        p.notes.push(
            "host-network containers serve no ports: listening in the machine's own \
             namespace would open them on its real interfaces"
                .into(),
        );
    }
    p
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The resolved design of a scenario given as text.
    pub(crate) fn design(text: &str) -> Design {
        hnsim_model::resolve(
            &hnsim_model::parse_scenario("t.yaml", text)
                .expect("parses")
                .scenario,
        )
    }

    const BRIDGES: &str = "name: t\nhosts:\n  - {name: lx1, os: linux, nics: [{name: eth0, ip: 10.0.0.20/24, segment: lan}]}\n  - {name: lx2, os: linux}\nsegments:\n  - {name: lan, subnet: 10.0.0.0/24}\nnetworks:\n  - {name: appnet, host: lx1, driver: bridge}\n  - {name: mv, host: lx1, driver: macvlan, subnet: 10.0.0.0/24, options: {parent: eth0}}\ncontainers:\n  - {name: a, host: lx1, ports: ['8080:80', '81']}\n  - {name: b, host: lx1, networks: [appnet, {network: bridge, ip: 172.17.0.9}]}\n  - {name: c, host: lx2}\n  - {name: d, host: lx1, networks: [mv]}\n  - {name: e, host: lx1, networks: [host], listen: [tcp/443]}\n  - {name: f, host: lx1, networks: [none]}\n";

    #[test]
    fn taken_default_bridge_moves_and_addresses_keep_their_offset() {
        let d = design(BRIDGES);
        let taken: Vec<IpNet> = vec!["172.17.0.0/16".parse().unwrap()];
        let p = plan(&d, "hnsim-abc123-", 0, &taken);
        let bridge = p
            .networks
            .iter()
            .find(|n| n.name == "hnsim-abc123-bridge")
            .unwrap();
        assert_eq!(bridge.model_subnet, Some("172.17.0.0/16".parse().unwrap()));
        assert!(!overlaps(&bridge.subnet, &taken[0]));
        assert_eq!(bridge.subnet.prefix_len(), 16);
        let moved = p.translate("172.17.0.9".parse().unwrap()).unwrap();
        assert_eq!(
            shift(moved, &bridge.subnet, &"172.17.0.0/16".parse().unwrap()),
            Some("172.17.0.9".parse().unwrap())
        );
        // appnet's 172.18.0.0/16 is free and kept.
        let app = p
            .networks
            .iter()
            .find(|n| n.name == "hnsim-abc123-appnet")
            .unwrap();
        assert_eq!(app.subnet, "172.18.0.0/16".parse::<IpNet>().unwrap());
        assert_eq!(app.gateway, "172.18.0.1".parse::<IpAddr>().unwrap());
        // The host's NIC address is the stand-in, which is a run network's gateway.
        let stand_in = p.host_addr().unwrap();
        assert_eq!(p.translate("10.0.0.20".parse().unwrap()), Some(stand_in));
        assert!(p.owns(stand_in));
        assert!(!p.owns("192.0.2.2".parse().unwrap()));
        assert!(!p.owns("8.8.8.8".parse().unwrap()));
        assert!(p.notes.iter().any(|n| n.contains("default bridge")));
    }

    #[test]
    fn containers_modes_ports_and_not_emulated() {
        let d = design(BRIDGES);
        let p = plan(&d, "hnsim-abc123-", 0, &[]);
        let a = p.container(0).unwrap();
        assert_eq!(a.name, "hnsim-abc123-a");
        let stand_in = p.host_addr().unwrap();
        let args: Vec<String> = a.publish.iter().map(PublishPlan::arg).collect();
        assert_eq!(
            args,
            [format!("{stand_in}:8080:80"), format!("{stand_in}::81")]
        );
        assert_eq!(a.tcp, [80, 81]);
        let b = p.container(1).unwrap();
        assert!(b.has_static_ip());
        let NetMode::Bridges(att) = &b.mode else {
            panic!("bridges")
        };
        assert_eq!(att.len(), 2);
        assert_eq!(att[1].ip, Some("172.17.0.9".parse().unwrap()));
        assert!(p.container_not_emulated[&2].contains("lx2"));
        // macvlan gets a dummy parent of the run; its subnet overlaps the host's LAN
        // address, which stays the stand-in's.
        let d_plan = p.container(3).unwrap();
        let NetMode::Bridges(att) = &d_plan.mode else {
            panic!("macvlan attachment")
        };
        let mv = &p.networks[att[0].net];
        assert_eq!(mv.macvlan_parent.as_deref(), Some("hnsimabc123m1"));
        assert!(d_plan.publish.is_empty());
        assert_eq!(p.translate("10.0.0.20".parse().unwrap()), p.host_addr());
        assert_eq!(
            p.translate("10.0.0.7".parse().unwrap()),
            Some("10.0.0.7".parse().unwrap())
        );
        let e = p.container(4).unwrap();
        assert_eq!(e.mode, NetMode::Host);
        assert!(
            e.tcp.is_empty(),
            "host-network containers listen on nothing"
        );
        assert_eq!(p.container(5).unwrap().mode, NetMode::None);
    }

    #[test]
    fn on_the_lan_macvlan_takes_the_nics_link_and_host_network_serves_the_stand_in() {
        let d = design(BRIDGES);
        // The machine uses the scenario's LAN subnet itself: the segment moves, and the
        // macvlan network with it, onto the host NIC's link of the run (EXT-12 holds
        // there as on the real NIC).
        let taken: Vec<IpNet> = vec!["10.0.0.0/24".parse().unwrap()];
        let p = plan_with(&d, "hnsim-abc123-", 0, &taken, Around::New);
        let lan = p.lan.as_ref().expect("a LAN");
        let (_, seg) = lan.segments[0].unwrap();
        assert_ne!(seg, taken[0]);
        let NetMode::Bridges(att) = &p.container(3).unwrap().mode else {
            panic!("macvlan attachment")
        };
        let mv = &p.networks[att[0].net];
        assert!(mv.parent_on_lan);
        assert_eq!(mv.macvlan_parent.as_deref(), Some("hnsimabc123s0"));
        assert_eq!(mv.subnet, seg);
        let host = p.host_addr().unwrap();
        assert!(seg.contains(&host));
        assert_eq!(p.translate("10.0.0.20".parse().unwrap()), Some(host));
        assert_eq!(
            p.translate("10.0.0.7".parse().unwrap()),
            lan.translate("10.0.0.7".parse().unwrap())
        );
        // The host-network container serves its port on the host's LAN stand-in only.
        let e = p.container(4).unwrap();
        assert_eq!(
            (e.tcp.as_slice(), e.bind.as_slice()),
            (&[443][..], &[host][..])
        );
        // Without a LAN the parent is a wire of the run, and the host-network container
        // serves nothing.
        let p = plan_with(&d, "hnsim-abc123-", 0, &taken, Around::Nothing);
        assert!(p.networks.iter().all(|n| !n.parent_on_lan));
        assert!(p.container(4).unwrap().tcp.is_empty());
    }

    #[test]
    fn windows_hosts_and_missing_hosts_are_refused() {
        let d = design("name: t\nhosts:\n  - {name: w, os: ws2019}\n");
        assert!(choose_host(&d, None).is_err());
        assert!(choose_host(&d, Some("w")).unwrap_err().contains("Windows"));
        assert!(choose_host(&d, Some("nope")).is_err());
        let d = design(BRIDGES);
        assert_eq!(choose_host(&d, None), Ok(0));
        assert_eq!(choose_host(&d, Some("lx2")), Ok(1));
    }

    #[test]
    fn subnets_and_names() {
        let taken: Vec<IpNet> = vec!["10.200.0.0/16".parse().unwrap()];
        let got = pick_subnet(&"10.200.5.0/24".parse().unwrap(), &taken).unwrap();
        assert_eq!(got.prefix_len(), 24);
        assert!(!overlaps(&got, &taken[0]));
        assert!(pick_subnet(&"fd00::/64".parse().unwrap(), &[]).is_none());
        assert_eq!(docker_name("hnsim-1-", "web.1 x"), "hnsim-1-web.1-x");
        assert_eq!(link_prefix("hnsim-1a2b3c-"), "hnsim1a2b3c");
        assert_eq!(link_prefix("hnsim-"), "hnsim");
        assert!(parent_link("hnsim-1a2b3c-", 12).len() <= 15);
        assert_eq!(
            shift(
                "172.17.0.3".parse().unwrap(),
                &"172.17.0.0/16".parse().unwrap(),
                &"10.201.0.0/16".parse().unwrap()
            ),
            Some("10.201.0.3".parse().unwrap())
        );
    }
}
