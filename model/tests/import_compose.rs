//! Compose files: networks, default network, OPT-9, ports, replicas, stacks.

use hnsim_model::import::{at_least, expand, from_compose, HostTemplate, Imported};
use hnsim_model::*;

mod common;
use common::{assert_reports, assert_says, container_names};

fn compose(text: &str, os: Option<OsVersion>) -> Imported {
    from_compose(
        "shop/docker-compose.yml",
        text,
        HostTemplate {
            name: "h".into(),
            os,
            project: None,
        },
    )
    .expect("valid compose")
}

fn warnings(i: &Imported) -> Vec<&Finding> {
    at_least(&i.findings, Severity::Warning).collect()
}

/// [`compose`] of a file the importer takes as it is: nothing at warning or above.
#[track_caller]
fn compose_clean(text: &str, os: Option<OsVersion>) -> Imported {
    let i = compose(text, os);
    assert!(warnings(&i).is_empty(), "{:#?}", i.findings);
    i
}

/// OPT-9: `networks: default: external: name: nat` (000) uses the existing nat network.
#[test]
fn opt_9_default_external_nat() {
    let i = compose_clean(
        "services:\n  web:\n    image: iis\n    ports:\n      - \"8080:80\"\nnetworks:\n default:\n  external:\n   name: \"nat\"\n",
        None,
    );
    assert!(i.scenario.hosts[0].is_windows(), "nat means Windows");
    assert!(i.scenario.networks.is_empty());
    let c = &i.scenario.containers[0];
    assert_eq!(c.name, "shop-web-1");
    assert_eq!(c.networks[0].network, "nat");
    assert_eq!(c.ports[0].to_string(), "8080:80");
}

/// OPT-9: a custom nat default network with an IPAM subnet (000).
#[test]
fn opt_9_custom_nat_default_network() {
    let i = compose_clean(
        "services:\n  web:\n    image: iis\nnetworks:\n  default:\n    driver: nat\n    ipam:\n      driver: default\n      config:\n      - subnet: 172.17.0.0/16\n",
        None,
    );
    let n = &i.scenario.networks[0];
    assert_eq!(n.name, "shop_default");
    assert_eq!(n.driver, Driver::Nat);
    assert_eq!(n.ipam_driver, None);
    assert_eq!(n.subnet.0, vec!["172.17.0.0/16".parse().unwrap()]);
    assert_eq!(i.scenario.containers[0].networks[0].network, "shop_default");
}

/// LNX-1, EXT-10: two user-defined bridges; a service on both; long port syntax,
/// aliases, static address; the implicit `<project>_default` network.
#[test]
fn linux_two_bridges() {
    let text = r#"
name: Store
services:
  proxy:
    image: nginx
    ports:
      - target: 80
        published: 8080
        protocol: tcp
      - "443:443"
      - 9000
    networks: [front]
  api:
    image: api
    expose: ["3000", 3001]
    networks:
      front:
        aliases: [backend-api]
      back:
        ipv4_address: 10.20.0.10
    deploy:
      replicas: 2
  db:
    image: postgres
    networks:
      - back
  tools:
    image: busybox
    environment: [A=b]
networks:
  front:
    driver: bridge
  back:
    internal: true
    ipam:
      config:
        - subnet: 10.20.0.0/24
          gateway: 10.20.0.1
"#;
    let i = compose_clean(text, None);
    assert!(!i.scenario.hosts[0].is_windows());
    let names: Vec<_> = i
        .scenario
        .networks
        .iter()
        .map(|n| n.name.as_str())
        .collect();
    assert_eq!(names, ["store_front", "store_back", "store_default"]);
    assert!(i
        .scenario
        .networks
        .iter()
        .all(|n| n.driver == Driver::Bridge));
    assert!(i.scenario.networks[1].internal);
    let c = container_names(&i);
    assert_eq!(
        c,
        [
            "store-proxy-1",
            "store-api-1",
            "store-api-2",
            "store-db-1",
            "store-tools-1"
        ]
    );
    let proxy = &i.scenario.containers[0];
    assert_eq!(proxy.ports.len(), 3);
    assert_eq!(proxy.ports[0].to_string(), "8080:80");
    assert_eq!(proxy.ports[2].host_port, None);
    let api = &i.scenario.containers[1];
    assert_eq!(api.networks[0].aliases, ["backend-api"]);
    assert_eq!(api.networks[1].ip, Some("10.20.0.10".parse().unwrap()));
    assert_eq!(api.expose.len(), 2);
    assert_eq!(
        i.scenario.containers[4].networks[0].network,
        "store_default"
    );
    // `environment` is not networking: info.
    assert_reports(&i, "IMP004");
}

/// Refused options in compose on Windows are reported once, by the validator, at the
/// compose key that carries them and under its name (OPT-6, EXT-6, EXT-7).
#[test]
fn refused_options_in_compose_are_located() {
    let text = "services:\n  web:\n    image: iis\n    isolation: process\n    extra_hosts:\n      - \"db:10.0.0.5\"\n    ports:\n      - \"bad\"\n      - \"127.0.0.1:8080:80\"\n    networks:\n      back:\n        ipv4_address: 172.30.0.300\nnetworks:\n  back:\n    driver: nat\n    internal: true\n    ipam:\n      config:\n        - subnet: 172.30.0.0/24\n          ip_range: 172.30.0.0/25\n";
    let doc = hnsim_model::import::document(
        "shop/docker-compose.yml",
        text,
        HostTemplate {
            name: "h".into(),
            os: None,
            project: None,
        },
    )
    .expect("valid compose");
    let a = analyse(&doc);
    let at = |code: &str, what: &str| -> Location {
        a.findings
            .iter()
            .find(|f| f.code == code && f.message.contains(what))
            .unwrap_or_else(|| panic!("no {code} about {what}: {:#?}", a.findings))
            .location
            .clone()
    };
    let l = at("HNS051", "--add-host");
    assert_eq!(l.path, "hosts[0].compose.services.web.extra_hosts");
    assert_eq!(l.line, 5);
    // The second entry of `ports:` is the container's first mapping.
    let l = at(
        "HNS061",
        "Windows does not support host IP addresses in NAT settings",
    );
    assert_eq!(l.path, "hosts[0].compose.services.web.ports[1]");
    assert_eq!(l.line, 9);
    let l = at("HNS050", "--internal");
    assert_eq!(l.path, "hosts[0].compose.networks.back.internal");
    assert_eq!(l.line, 16);
    let l = at("HNS050", "--ip-range");
    assert_eq!(
        l.path,
        "hosts[0].compose.networks.back.ipam.config[0].ip_range"
    );
    assert_eq!(l.line, 20);
    // Nothing twice: no importer finding repeats the validator's.
    let mut errors: Vec<&str> = a
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.code.as_str())
        .collect();
    errors.sort();
    assert_eq!(
        errors,
        ["HNS050", "HNS050", "HNS051", "HNS061", "IMP008", "IMP008"],
        "{:#?}",
        a.findings
    );
    // Carried into the model for the validator.
    let i = compose(text, None);
    assert!(i.scenario.networks[0].internal);
    assert_eq!(i.scenario.containers[0].add_host, ["db:10.0.0.5"]);
}

/// DNS-1, OVL-1: on a swarm manager, services with `deploy` are a stack.
#[test]
fn dns_1_stack_on_swarm_manager() {
    let text = "name: shop\nhosts:\n  - name: m1\n    os: ws2019\n    swarm: manager\n    compose:\n      services:\n        web:\n          image: iis\n          deploy:\n            replicas: 3\n          ports: [\"80:80\"]\n          networks: [app]\n      networks:\n        app: {}\n";
    let doc = parse_scenario("s.yaml", text).unwrap();
    let i = expand(&doc);
    assert!(warnings(&i).is_empty(), "{:#?}", i.findings);
    let s = &i.scenario.services[0];
    assert_eq!(s.name, "m1_web");
    assert_eq!(s.replicas, 3);
    assert_eq!(s.networks[0].network, "m1_app");
    let n = &i.scenario.networks[0];
    assert_eq!(n.driver, Driver::Overlay);
    assert_eq!(n.host, None);
    assert!(i.scenario.containers.is_empty());
    assert!(i.scenario.hosts[0].compose.is_none());
}

/// An undefined network reference is Compose's own error.
#[test]
fn undefined_network_is_reported() {
    let i = compose(
        "services:\n  a:\n    image: x\n    networks: [nope]\n",
        None,
    );
    let f = i
        .findings
        .iter()
        .find(|f| f.code == "IMP013")
        .expect("undefined");
    assert!(
        f.message.contains("refers to undefined network nope"),
        "{f}"
    );
}

/// Compose text that is not a compose file is an error, not a panic.
#[test]
fn bad_compose_is_an_error() {
    assert!(from_compose("c.yml", "services: [1, 2", HostTemplate::default()).is_err());
    assert!(from_compose("c.yml", "- a\n- b\n", HostTemplate::default()).is_err());
    let i = compose("services:\n  a: 5\nnetworks: 3\nbogus: 1\n", None);
    assert!(i.findings.iter().filter(|f| f.code == "IMP013").count() >= 3);
}

/// OVL-1: an overlay network in a plain compose file is fine on a manager, refused elsewhere.
#[test]
fn ovl_1_overlay_in_compose_needs_a_manager() {
    let text = |role: &str| {
        format!("name: s\nhosts:\n  - name: m\n    os: linux\n    swarm: {role}\n    compose:\n      services:\n        a:\n          image: x\n          networks: [o]\n      networks:\n        o:\n          driver: overlay\n          attachable: true\n")
    };
    let on = |role: &str| {
        let doc = parse_scenario("s.yaml", &text(role)).unwrap();
        expand(&doc)
    };
    let m = on("manager");
    assert!(
        m.findings.iter().all(|f| f.code != "IMP016"),
        "{:#?}",
        m.findings
    );
    assert_eq!(m.scenario.networks[0].host, None);
    assert_eq!(m.scenario.containers[0].networks[0].network, "m_o");
    let w = on("none");
    assert!(w.findings.iter().any(|f| f.code == "IMP016"));
}

/// Anchors and `<<` merge keys, as real compose files use them.
#[test]
fn merge_keys_are_applied() {
    let text = "x-web: &web\n  image: iis\n  ports: [\"80\"]\nservices:\n  a:\n    <<: *web\n    container_name: a\n  b:\n    <<: *web\n";
    let i = compose_clean(text, Some(OsVersion::Ws2019));
    assert_eq!(i.scenario.containers.len(), 2);
    assert!(i
        .scenario
        .containers
        .iter()
        .all(|c| c.ports.len() == 1 && c.image.as_deref() == Some("iis")));
}

/// A misspelled service key is a warning with a suggestion (Compose refuses the file),
/// not an ignored flag; valid keys without effect on networking stay info.
#[test]
fn misspelled_service_key_is_a_warning_with_a_suggestion() {
    let i = compose(
        "services:\n  web:\n    image: nginx\n    netwroks: [front]\n    healthcheck: {test: [\"CMD\", \"true\"]}\n    x-note: 1\nnetworks:\n  front: {}\n",
        Some(OsVersion::Linux),
    );
    let w = warnings(&i);
    assert_eq!(w.len(), 1, "{:#?}", i.findings);
    assert_eq!(w[0].code, "IMP013");
    assert_says(w[0], "did you mean `networks`");
}

/// A compose file on its own: its external networks were created outside it, so they are
/// assumed to exist (IMP021) rather than reported missing; in a scenario they must exist.
#[test]
fn external_networks_of_a_lone_compose_file_are_assumed() {
    let text = "services:\n  web:\n    image: nginx\n    networks: [corp]\nnetworks:\n  corp:\n    name: corp_net\n    external: true\n";
    let i = hnsim_model::import::from_compose("app/compose.yml", text, HostTemplate::default())
        .unwrap();
    assert!(warnings(&i).is_empty(), "{:#?}", i.findings);
    assert_reports(&i, "IMP021");
    let n = &i.scenario.networks[0];
    assert_eq!((n.name.as_str(), &n.driver), ("corp_net", &Driver::Bridge));
    assert_eq!(i.scenario.containers[0].networks[0].network, "corp_net");
    // In a scenario the network must be defined.
    let text = "name: s\nhosts:\n  - name: h\n    os: linux\n    compose:\n      services:\n        web: {image: nginx, networks: [corp]}\n      networks:\n        corp: {name: corp_net, external: true}\n";
    let doc = parse_scenario("s.yaml", text).unwrap();
    let i = expand(&doc);
    assert_reports(&i, "IMP009");
}

/// Compose interpolation: `${VAR:-default}` takes its default, `$$` is `$`, and a
/// variable without a default stays visible where it is used.
#[test]
fn variables_take_their_defaults() {
    let i = compose(
        "services:\n  web:\n    image: \"nginx:${TAG:-1.25}\"\n    ports: [\"${PORT:-8080}:80\", \"${OTHER-9090}:90\"]\n    networks: [front]\nnetworks:\n  front:\n    name: ${NET:?must-be-set}\n",
        Some(OsVersion::Linux),
    );
    let c = &i.scenario.containers[0];
    assert_eq!(c.image.as_deref(), Some("nginx:1.25"));
    let ports: Vec<String> = c.ports.iter().map(|p| p.to_string()).collect();
    assert_eq!(ports, ["8080:80", "9090:90"]);
    assert_eq!(i.scenario.networks[0].name, "${NET:?must-be-set}");
}

/// A stack on a Windows swarm: the service's mappings are judged like a container's
/// (EXT-7), and what a service has no field for is reported by the importer under the
/// validator's code (OPT-6), each at its compose key.
#[test]
fn windows_stack_service_options_are_judged_once() {
    let text = "name: s\nhosts:\n  - name: m1\n    os: ws2019\n    swarm: manager\n    compose:\n      services:\n        web:\n          image: iis\n          deploy:\n            replicas: 2\n          extra_hosts: [\"db:10.0.0.5\"]\n          ports: [\"8000-8010:80\"]\n";
    let a = analyse(&parse_scenario("s.yaml", text).unwrap());
    let one = |code: &str| -> &Finding {
        let f: Vec<&Finding> = a.findings.iter().filter(|f| f.code == code).collect();
        assert_eq!(f.len(), 1, "{code}: {:#?}", a.findings);
        f[0]
    };
    let f = one("HNS051");
    assert_eq!(f.location.path, "hosts[0].compose.services.web.extra_hosts");
    assert_eq!(f.location.line, 12);
    let f = one("HNS062");
    assert!(f.message.starts_with("service `m1_web`"), "{f}");
    assert_eq!(f.location.path, "hosts[0].compose.services.web.ports[0]");
    assert_eq!(f.location.line, 13);
}

/// `network_mode: service:vpn` (the VPN sidecar pattern) joins vpn's stack, whatever
/// order the services are written in: one node, the joining service's ports on it.
#[test]
fn a_service_in_another_services_stack_is_one_node() {
    let i = compose(
        "services:\n  torrent:\n    image: qbittorrent\n    network_mode: \"service:vpn\"\n    expose: [\"8080\"]\n  vpn:\n    image: gluetun\n    container_name: gateway\n  tool:\n    image: alpine\n    network_mode: \"container:nothere\"\n",
        None,
    );
    let names = container_names(&i);
    assert_eq!(names, ["gateway"], "{:#?}", i.findings);
    assert_eq!(i.scenario.containers[0].expose[0].to_string(), "tcp/8080");
    let codes: Vec<&str> = i.findings.iter().map(|f| f.code.as_str()).collect();
    assert!(
        codes.contains(&"IMP023") && codes.contains(&"IMP009"),
        "{codes:?}"
    );
    assert!(!codes.contains(&"IMP005"), "{codes:?}");
}

/// LNX-2: a stack service on the host network whose port says `mode: host` listens on
/// the node's port; it gets no routing-mesh port and so no `ingress` endpoint beside the
/// host network (DKR002). Its other, ingress-mode port stays in the mesh.
#[test]
fn stack_host_mode_port_is_a_port_the_tasks_listen_on() {
    let text = "name: s\nhosts:\n  - name: m1\n    os: linux\n    swarm: manager\n    compose:\n      services:\n        edge:\n          image: nginx\n          deploy:\n            replicas: 1\n          network_mode: host\n          ports:\n            - {target: 9000, published: 9000, mode: host}\n        web:\n          image: nginx\n          deploy:\n            replicas: 1\n          ports:\n            - {target: 80, published: 8080, mode: ingress}\n            - {target: 9100, published: 9100, protocol: udp, mode: host}\n";
    let doc = parse_scenario("s.yaml", text).unwrap();
    let i = expand(&doc);
    let edge = &i.scenario.services[0];
    assert!(edge.ports.is_empty(), "{:?}", edge.ports);
    let listen: Vec<String> = edge.listen.iter().map(ToString::to_string).collect();
    assert_eq!(listen, ["tcp/9000"]);
    let web = &i.scenario.services[1];
    assert_eq!(web.ports.len(), 1, "{:?}", web.ports);
    let listen: Vec<String> = web.listen.iter().map(ToString::to_string).collect();
    assert_eq!(listen, ["tcp/80", "udp/9100"]);
    let a = analyse(&doc);
    assert!(
        a.findings.iter().all(|f| f.code != "DKR002"),
        "{:#?}",
        a.findings
    );
}
