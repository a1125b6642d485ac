//! Properties of the importer: it never panics on any input, and what `hnsim import`
//! prints parses back to the same scenario.

use hnsim_model::import::{expand, from_commands, from_compose, from_daemon_json, HostTemplate};
use hnsim_model::parse::assign_origins;
use hnsim_model::*;
use proptest::prelude::*;
use serde_yaml_ng::{Mapping, Value};

const WORDS: &[&str] = &[
    "docker",
    "network",
    "create",
    "run",
    "create",
    "connect",
    "disconnect",
    "rm",
    "start",
    "stop",
    "swarm",
    "init",
    "join",
    "service",
    "scale",
    "-d",
    "--driver",
    "nat",
    "transparent",
    "overlay",
    "l2bridge",
    "bridge",
    "--subnet",
    "10.0.0.0/24",
    "fd00::/64",
    "--gateway",
    "10.0.0.1",
    "--ip",
    "10.0.0.5",
    "-p",
    "80:80",
    "127.0.0.1:1:2",
    "80",
    "8000-8001:80-81",
    "-P",
    "--name",
    "a",
    "b",
    "web",
    "--network",
    "--net=a",
    "--replicas",
    "3",
    "-o",
    "encrypted",
    "com.docker.network.windowsshim.vlanid=11",
    "-f",
    "--internal",
    "--",
    "-itp",
    "-itd",
    "\"",
    "'",
    "`",
    "\\",
    "|",
    "&&",
    ";",
    "=",
    "--ip-range",
    "--aux-address",
    "r=1.2.3.4",
    "--link",
    "--add-host",
    "--ip6",
    "::1",
    "C:\\>",
    "PS",
    "$",
    "#",
    "Set-VMNetworkAdapter",
    "-MacAddressSpoofing",
    "On",
    "New-VMSwitch",
    "-Name",
    "Restart-Service",
    "hns",
    "--publish",
    "published=1,target=2",
    "--alias",
    "x",
    "--expose",
    "1-65535",
    "--isolation",
    "hyperv",
    "scale",
    "web=2",
    "--scope",
    "local",
    "-o=",
    "--opt",
    "--ipv6",
    "--attachable",
    "ps",
    "ls",
];

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(WORDS).prop_map(str::to_string),
        1 => "[ -~]{0,12}",
        1 => any::<String>(),
    ]
}

fn line() -> impl Strategy<Value = String> {
    prop::collection::vec(word(), 0..14).prop_map(|w| w.join(" "))
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(line(), 0..8).prop_map(|l| l.join("\n"))
}

const KEYS: &[&str] = &[
    "services",
    "networks",
    "name",
    "image",
    "ports",
    "expose",
    "driver",
    "driver_opts",
    "ipam",
    "config",
    "subnet",
    "gateway",
    "ip_range",
    "aux_addresses",
    "external",
    "default",
    "web",
    "db",
    "deploy",
    "replicas",
    "mode",
    "global",
    "ipv4_address",
    "ipv6_address",
    "aliases",
    "network_mode",
    "links",
    "extra_hosts",
    "dns_search",
    "dns_opt",
    "isolation",
    "target",
    "published",
    "protocol",
    "host_ip",
    "internal",
    "enable_ipv6",
    "container_name",
    "scale",
    "fixed-cidr",
    "bridge",
    "version",
    "x-any",
];
const LEAVES: &[&str] = &[
    "nat",
    "bridge",
    "overlay",
    "host",
    "none",
    "8080:80",
    "80",
    "10.0.0.0/24",
    "10.0.0.1",
    "fd00::/64",
    "1-65535",
    "udp",
    "sctp",
    "127.0.0.1",
    "true",
    "web",
    "default",
    "a:b",
    "service:web",
    "hyperv",
    "0",
    "99999999999",
];

fn yaml() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        proptest::sample::select(LEAVES).prop_map(|s| Value::String(s.to_string())),
        any::<u32>().prop_map(|n| Value::Number(n.into())),
        any::<bool>().prop_map(Value::Bool),
        Just(Value::Null),
        "[ -~]{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 96, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Sequence),
            prop::collection::vec((proptest::sample::select(KEYS), inner), 0..6).prop_map(|kv| {
                let mut m = Mapping::new();
                for (k, v) in kv {
                    m.insert(Value::String(k.to_string()), v);
                }
                Value::Mapping(m)
            }),
        ]
    })
}

fn round_trips(imported: &Scenario) {
    let text = serde_yaml_ng::to_string(imported).expect("a scenario serialises");
    let doc = parse_scenario("out.yaml", &text)
        .unwrap_or_else(|e| panic!("import output does not parse: {e}\n{text}"));
    let mut expected = imported.clone();
    assign_origins(&mut expected);
    assert_eq!(doc.scenario, expected, "\n{text}");
}

fn template(windows: bool) -> HostTemplate {
    HostTemplate {
        name: "h".into(),
        os: Some(if windows {
            OsVersion::Ws2019
        } else {
            OsVersion::Linux
        }),
        project: None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn commands_never_panic_and_round_trip(t in text(), windows in any::<bool>()) {
        let i = from_commands("c.sh", &t, template(windows)).expect("commands always import");
        round_trips(&i.scenario);
    }

    #[test]
    fn arbitrary_text_never_panics(t in any::<String>()) {
        let _ = from_commands("c.sh", &t, HostTemplate::default());
        let _ = from_compose("c.yml", &t, HostTemplate::default());
        let _ = from_daemon_json("d.json", &t, HostTemplate::default());
        let _ = hnsim_model::import::import_text("x", &t, HostTemplate::default());
    }

    #[test]
    fn compose_never_panics_and_round_trips(v in yaml(), windows in any::<bool>(), manager in any::<bool>()) {
        let text = serde_yaml_ng::to_string(&v).unwrap_or_default();
        if let Ok(i) = from_compose("p/c.yml", &text, template(windows)) {
            round_trips(&i.scenario);
        }
        // The same value inline in a scenario, with a daemon.json and commands.
        let mut s = Scenario { name: "s".into(), ..Scenario::default() };
        let mut h = hnsim_model::import::bare_host("h", if windows { OsVersion::Ws2019 } else { OsVersion::Linux });
        if manager { h.swarm = SwarmRole::Manager; }
        h.compose = Some(v.clone());
        h.daemon_json = Some(v);
        h.commands = vec!["docker network create -d overlay o".into(), "docker run --name r --network o img".into()];
        s.hosts.push(h);
        let text = serde_yaml_ng::to_string(&s).unwrap();
        let doc = parse_scenario("s.yaml", &text).unwrap();
        let i = expand(&doc);
        prop_assert!(i.scenario.hosts[0].compose.is_none());
        round_trips(&i.scenario);
    }
}
