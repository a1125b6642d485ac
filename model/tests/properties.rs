//! Properties over generated scenarios, valid or not: analysis never panics, and a
//! scenario survives parse -> print -> parse unchanged. Arbitrary text never panics the
//! parser.

use hnsim_model::parse::assign_origins;
use hnsim_model::scenario::*;
use hnsim_model::{analyse, parse_scenario, Document, EngineVersion, OsVersion, PortMapping};
use ipnet::IpNet;
use proptest::collection::{btree_map, vec};
use proptest::option;
use proptest::prelude::*;
use std::net::IpAddr;

const HOSTS: &[&str] = &["h1", "h2", "lin", "ghost"];
const NETWORKS: &[&str] = &["nat", "n1", "n2", "bridge", "host", "none", "ovl", "t"];
const CONTAINERS: &[&str] = &["a", "b", "c", "web.1"];
const SEGMENTS: &[&str] = &["lan", "lab", "nowhere"];
/// Every OS name a scenario may use, with a concrete Windows 10 build and one more.
fn os_names() -> Vec<String> {
    OsVersion::ALL_NAMES
        .iter()
        .map(|n| n.replace("<build>", "15063"))
        .chain(["win10-14393".to_string()])
        .collect()
}
/// The built-in drivers, a miscased one and a plugin.
fn driver_names() -> Vec<&'static str> {
    hnsim_model::Driver::BUILTIN
        .iter()
        .copied()
        .chain(["NAT", "Transparent", "weave"])
        .collect()
}
const SUBNETS: &[&str] = &[
    "172.16.0.0/12",
    "172.16.0.0/20",
    "172.17.0.0/16",
    "172.20.0.0/24",
    "172.20.0.0/30",
    "10.0.0.0/24",
    "10.0.0.0/16",
    "10.0.0.10/24",
    "192.168.1.0/24",
    "0.0.0.0/0",
    "10.0.0.1/32",
    "fd00::/64",
    "fd00::/127",
];
const IPS: &[&str] = &[
    "10.0.0.1",
    "10.0.0.10",
    "10.0.0.50",
    "172.16.0.2",
    "172.20.0.1",
    "172.20.0.2",
    "192.168.1.101",
    "0.0.0.0",
    "255.255.255.255",
    "fd00::5",
];
const PORTS: &[&str] = &[
    "80",
    "8080:80",
    "53:53/udp",
    "127.0.0.1:8080:80",
    "0.0.0.0:81:81",
    "127.0.0.1::80",
    "[::1]:8080:80",
    "8000-8001:80-81",
    "9000-9010:90",
    "8000-8002:80-81",
    "3868:3868/sctp",
    "1-65535:1-65535",
    "65535",
];
const OPTIONS: &[&str] = &[
    "com.docker.network.windowsshim.interface",
    "com.docker.network.windowsshim.vlanid",
    "com.docker.network.windowsshim.vsid",
    "com.docker.network.windowsshim.dnsservers",
    "com.docker.network.windowsshim.networkname",
    "com.docker.network.windowsshim.vlan_id",
    "parent",
    "encrypted",
];
const OPTION_VALUES: &[&str] = &["Ethernet", "eth0", "11", "4000", "10.0.0.2,x", "", "99999"];
const COMMANDS: &[&str] = &[
    "docker network create -d nat --subnet 172.30.0.0/24 app",
    "docker run -d --name x --network app -p 8080:80 img",
    "docker network create -d transparent -o com.docker.network.windowsshim.interface=\"Ethernet 2\" t2",
    "docker run --link a --add-host h:1.2.3.4 img",
    "docker swarm init",
    "docker network connect app a",
    "Set-VMNetworkAdapter -MacAddressSpoofing On",
    "docker run -p",
    "\"unterminated",
];

fn pick(pool: &'static [&'static str]) -> impl Strategy<Value = String> {
    proptest::sample::select(pool).prop_map(str::to_string)
}
fn net() -> impl Strategy<Value = IpNet> {
    proptest::sample::select(SUBNETS).prop_map(|s| s.parse().expect("constant subnet"))
}
fn ip() -> impl Strategy<Value = IpAddr> {
    proptest::sample::select(IPS).prop_map(|s| s.parse().expect("constant address"))
}
fn port() -> impl Strategy<Value = PortMapping> {
    proptest::sample::select(PORTS).prop_map(|s| s.parse().expect("constant mapping"))
}
fn port_proto() -> impl Strategy<Value = hnsim_model::PortProto> {
    proptest::sample::select(&["tcp/80", "udp/53", "443", "tcp/65535"][..])
        .prop_map(|s| s.parse().expect("constant port"))
}

fn segment() -> impl Strategy<Value = Segment> {
    (
        pick(SEGMENTS),
        net(),
        option::of(ip()),
        any::<bool>(),
        vec(ip(), 0..3),
        vec(0u16..20, 0..3),
        any::<bool>(),
    )
        .prop_map(
            |(name, subnet, gateway, dhcp, used, trunk_vlans, internet)| Segment {
                name,
                subnet,
                gateway,
                dhcp,
                used,
                trunk_vlans,
                internet,
                origin: Origin::default(),
            },
        )
}

fn nic() -> impl Strategy<Value = Nic> {
    (
        pick(&["Ethernet", "Ethernet 2", "eth0"]),
        net(),
        pick(SEGMENTS),
        any::<bool>(),
    )
        .prop_map(|(name, ip, segment, trunk)| Nic {
            name,
            ip,
            segment,
            trunk,
        })
}

fn sdn() -> impl Strategy<Value = SdnAttachment> {
    (
        any::<[bool; 8]>(),
        option::of(pick(&["tenant1"])),
        vec(ip(), 0..3),
    )
        .prop_map(|(b, tenant_vnet, ip_configs)| SdnAttachment {
            network_controller: b[0],
            tenant_vnet,
            ip_configs,
            network_proxy: b[1],
            plugin: b[2],
            hyperv_feature: b[3],
            scvmm_nic: b[4],
            azure: b[5],
            public_cloud: b[6] && b[7],
        })
}

fn host() -> impl Strategy<Value = Host> {
    let basics = (
        pick(HOSTS),
        option::of(prop_oneof![Just(Platform::Windows), Just(Platform::Linux)]),
        proptest::sample::select(os_names())
            .prop_map(|s| s.parse::<OsVersion>().expect("constant os")),
        prop_oneof![
            Just(Machine::Physical),
            Just(Machine::HypervVm),
            Just(Machine::AzureVm)
        ],
        any::<bool>(),
        vec(nic(), 0..3),
    );
    let docker = (
        option::of(net()),
        option::of(pick(&["none", "nat", "docker0"])),
        any::<bool>(),
        prop::bool::weighted(0.1),
        option::of(pick(&["20.10.24", "24.0", "26.1.4"])),
    )
        .prop_map(
            |(fixed_cidr, bridge, enterprise, absent, engine)| DockerDaemon {
                fixed_cidr,
                bridge,
                enterprise,
                absent,
                engine: engine.map(|v| EngineVersion::read(&v).expect("a version")),
            },
        );
    let rest = (
        docker,
        prop_oneof![
            Just(SwarmRole::None),
            Just(SwarmRole::Manager),
            Just(SwarmRole::Worker)
        ],
        any::<bool>(),
        option::of(any::<bool>()),
        option::of(sdn()),
        vec(pick(&["KB4489899", "kb4015217", "4489899"]), 0..2),
        vec(pick(COMMANDS), 0..3),
    );
    (basics, rest).prop_map(
        |(
            (name, platform, os, machine, mac_spoofing, nics),
            (docker, swarm, kubernetes, inbound_icmp, sdn, updates, commands),
        )| Host {
            name,
            platform,
            os,
            machine,
            mac_spoofing,
            nics,
            docker,
            swarm,
            kubernetes,
            firewall: Firewall { inbound_icmp },
            sdn,
            updates,
            commands,
            compose: None,
            daemon_json: None,
            origin: Origin::default(),
        },
    )
}

fn network() -> impl Strategy<Value = Network> {
    let basics = (
        pick(NETWORKS),
        option::of(pick(HOSTS)),
        proptest::sample::select(driver_names())
            .prop_map(|d| serde_yaml_ng::from_str(d).expect("driver name")),
        vec(net(), 0..3).prop_map(Subnets),
        option::of(ip()),
        option::of(0u16..5000),
        option::of(0u32..10000),
        btree_map(pick(OPTIONS), pick(OPTION_VALUES), 0..3),
    );
    let flags = (
        option::of(prop_oneof![Just(Scope::Local), Just(Scope::Swarm)]),
        any::<[bool; 3]>(),
        option::of(net()),
        btree_map(pick(&["r1", "r2"]), ip(), 0..2),
        option::of(pick(&["default", "custom"])),
        btree_map(pick(&["k"]), pick(&["v"]), 0..2),
    );
    (basics, flags).prop_map(
        |(
            (name, host, driver, subnet, gateway, vlan, vni, options),
            (scope, b, ip_range, aux_address, ipam_driver, ipam_opt),
        )| Network {
            name,
            host,
            driver,
            subnet,
            gateway,
            vlan,
            vni,
            options,
            scope,
            attachable: b[0],
            internal: b[1],
            ip_range,
            aux_address,
            ipv6: b[2],
            ipam_driver,
            ipam_opt,
            origin: Origin::default(),
        },
    )
}

fn attachment() -> impl Strategy<Value = Attachment> {
    (
        pick(NETWORKS),
        option::of(ip()),
        vec(pick(&["db", "api"]), 0..2),
    )
        .prop_map(|(network, ip, aliases)| Attachment {
            network,
            ip,
            aliases,
        })
}

fn container() -> impl Strategy<Value = Container> {
    let basics = (
        pick(CONTAINERS),
        pick(HOSTS),
        option::of(pick(&[
            "nginx",
            "mcr.microsoft.com/windows/servercore:ltsc2019",
        ])),
        prop_oneof![Just(Isolation::Process), Just(Isolation::Hyperv)],
        vec(attachment(), 0..3),
        vec(port(), 0..3),
        any::<bool>(),
        vec(port_proto(), 0..2),
    );
    let rest = (
        vec(port_proto(), 0..2),
        prop_oneof![
            Just(RunState::Running),
            Just(RunState::Stopped),
            Just(RunState::Created)
        ],
        any::<bool>(),
        vec(pick(CONTAINERS), 0..2),
        vec(pick(&["api:10.0.0.20"]), 0..2),
        vec(pick(&["ndots:2"]), 0..2),
        vec(pick(&["corp.example"]), 0..2),
        option::of(ip()),
    );
    (basics, rest).prop_map(
        |(
            (name, host, image, isolation, networks, ports, publish_all, expose),
            (listen, state, untrusted, link, add_host, dns_opt, dns_search, ip6),
        )| Container {
            name,
            host,
            image,
            isolation,
            networks,
            ip: None,
            ports,
            publish_all,
            expose,
            listen,
            state,
            untrusted,
            link,
            add_host,
            dns_opt,
            dns_search,
            ip6,
            service: None,
            origin: Origin::default(),
        },
    )
}

fn service() -> impl Strategy<Value = Service> {
    (
        pick(&["web", "api"]),
        0u32..5,
        vec(pick(HOSTS), 0..3),
        vec(attachment(), 0..2),
        vec(port(), 0..2),
        vec(port_proto(), 0..2),
        prop_oneof![Just(Isolation::Process), Just(Isolation::Hyperv)],
    )
        .prop_map(
            |(name, replicas, hosts, networks, ports, listen, isolation)| Service {
                hosts,
                networks,
                ports,
                listen,
                isolation,
                ..Service::new(name, replicas)
            },
        )
}

fn client() -> impl Strategy<Value = Client> {
    (
        pick(&["laptop", "pc"]),
        option::of(pick(SEGMENTS)),
        option::of(ip()),
        option::of(0u16..20),
        any::<bool>(),
        vec(port_proto(), 0..2),
    )
        .prop_map(|(name, segment, ip, vlan, internet, listen)| Client {
            name,
            segment,
            ip,
            vlan,
            internet,
            listen,
            origin: Origin::default(),
        })
}

fn vswitch() -> impl Strategy<Value = VSwitch> {
    (
        pick(&["ext", "int"]),
        pick(HOSTS),
        prop_oneof![
            Just(VSwitchKind::Internal),
            Just(VSwitchKind::External),
            Just(VSwitchKind::Private)
        ],
        option::of(pick(&["Ethernet", "eth9"])),
        any::<bool>(),
    )
        .prop_map(|(name, host, kind, nic, visible_to_docker)| VSwitch {
            name,
            host,
            kind,
            nic,
            visible_to_docker,
            origin: Origin::default(),
        })
}

fn connect() -> impl Strategy<Value = ConnectStep> {
    (pick(CONTAINERS), pick(NETWORKS), option::of(ip())).prop_map(|(container, network, ip)| {
        ConnectStep {
            container,
            network,
            ip,
        }
    })
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        network().prop_map(Step::CreateNetwork),
        (pick(NETWORKS), option::of(pick(HOSTS)))
            .prop_map(|(name, host)| Step::RemoveNetwork(NetworkRef { name, host })),
        container().prop_map(Step::Run),
        pick(CONTAINERS).prop_map(Step::Stop),
        pick(CONTAINERS).prop_map(Step::Start),
        pick(CONTAINERS).prop_map(Step::Remove),
        connect().prop_map(Step::Connect),
        connect().prop_map(Step::Disconnect),
        (pick(HOSTS), option::of(net()), option::of(pick(&["none"]))).prop_map(
            |(host, fixed_cidr, bridge)| Step::DaemonConfig(DaemonConfigStep {
                host,
                fixed_cidr,
                bridge
            })
        ),
        pick(HOSTS).prop_map(Step::Reboot),
        pick(HOSTS).prop_map(Step::RestartHns),
        pick(HOSTS).prop_map(Step::RestartDocker),
        vswitch().prop_map(Step::CreateVswitch),
    ]
}

fn scenario() -> impl Strategy<Value = Scenario> {
    (
        (
            pick(&["t", "a scenario"]),
            pick(&["", "one line"]),
            vec(pick(&["NAT-1", "OVL-3"]), 0..2),
            vec(segment(), 0..3),
            vec(host(), 0..4),
            vec(vswitch(), 0..2),
        ),
        (
            vec(network(), 0..5),
            vec(container(), 0..5),
            vec(service(), 0..2),
            vec(client(), 0..2),
            vec(step(), 0..5),
            option::of(vec(pick(&["HNS001", "SCN010"]), 0..2)),
        ),
    )
        .prop_map(
            |(
                (name, description, covers, segments, hosts, vswitches),
                (networks, containers, services, clients, steps, expect),
            )| Scenario {
                name,
                description,
                covers,
                tags: vec![],
                segments,
                hosts,
                vswitches,
                networks,
                containers,
                services,
                clients,
                steps,
                expect: expect.map(|findings| Expectations {
                    findings,
                    cells: vec![],
                }),
                defaults_materialized: false,
            },
        )
}

fn document(scenario: Scenario) -> Document {
    let mut scenario = scenario;
    assign_origins(&mut scenario);
    Document {
        file: "generated.yaml".into(),
        scenario,
        source_map: Default::default(),
        limits: Default::default(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 150, ..ProptestConfig::default() })]

    #[test]
    fn analyse_never_panics(s in scenario()) {
        let analysis = analyse(&document(s));
        prop_assert!(!analysis.states.is_empty());
        for f in &analysis.findings {
            prop_assert!(!f.code.is_empty() && !f.message.is_empty() && !f.help.is_empty());
            if hnsim_model::rules::every_rule().any(|r| r.code == f.code) {
                prop_assert!(!f.facts.is_empty(), "{} names no fact", f.code);
            }
        }
    }

    #[test]
    fn parse_print_parse_round_trips(s in scenario()) {
        let text = serde_yaml_ng::to_string(&s).expect("a scenario serialises");
        let doc = parse_scenario("rt.yaml", &text)
            .map_err(|e| TestCaseError::fail(format!("{e}\n--- text ---\n{text}")))?;
        let mut expected = s.clone();
        assign_origins(&mut expected);
        prop_assert_eq!(&doc.scenario, &expected, "text:\n{}", text);
        let again = serde_yaml_ng::to_string(&doc.scenario).expect("serialises again");
        prop_assert_eq!(&again, &text);
        // And the parsed document, with its source map, analyses without panicking.
        let _ = analyse(&doc);
    }

    #[test]
    fn arbitrary_text_never_panics_the_parser(text in any::<String>()) {
        if let Ok(doc) = parse_scenario("fuzz.yaml", &text) {
            let _ = analyse(&doc);
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_parser(bytes in vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        if let Ok(doc) = parse_scenario("fuzz.yaml", &text) {
            let _ = analyse(&doc);
        }
    }

    #[test]
    fn yaml_like_text_never_panics(text in "(name: t\n)?([a-z\\-]{1,8}: ?(\\[|\\{|[a-z0-9./:]{0,12})[\\]}]?\n  ?-? ?){0,12}") {
        if let Ok(doc) = parse_scenario("fuzz.yaml", &text) {
            let _ = analyse(&doc);
        }
    }
}
