//! Command lines in a scenario: flag forms, quoting, prompts, refused options with
//! their location, and the design/timeline split (OPT-7).

use hnsim_model::import::{at_least, expand, from_commands, HostTemplate, Imported};
use hnsim_model::*;

mod common;
use common::{assert_only, assert_says, container_names, exactly, find};

/// `text` as the commands of file `file`, imported for the host the importer infers.
fn commands(file: &str, text: &str) -> Imported {
    from_commands(file, text, HostTemplate::default()).expect("importable commands")
}

fn scenario(os: &str, commands: &str) -> Imported {
    let text = format!("name: t\nhosts:\n  - name: h1\n    os: {os}\n    commands:\n{commands}");
    let doc = parse_scenario("t.yaml", &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    expand(&doc)
}

/// The commands imported and validated, as `hnsim check` sees them.
fn analysed(os: &str, commands: &str) -> Analysis {
    let text = format!("name: t\nhosts:\n  - name: h1\n    os: {os}\n    commands:\n{commands}");
    let doc = parse_scenario("t.yaml", &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    analyse(&doc)
}

fn found<'a>(a: &'a Analysis, code: &str) -> Vec<&'a Finding> {
    a.findings.iter().filter(|f| f.code == code).collect()
}

#[test]
fn long_short_equals_and_space_forms_agree() {
    let forms = [
        "docker network create --driver nat --subnet 10.1.0.0/24 --gateway 10.1.0.1 --opt com.docker.network.windowsshim.vlanid=7 n",
        "docker network create --driver=nat --subnet=10.1.0.0/24 --gateway=10.1.0.1 --opt=com.docker.network.windowsshim.vlanid=7 n",
        "docker network create -d nat --subnet=10.1.0.0/24 --gateway 10.1.0.1 -o com.docker.network.windowsshim.vlanid=7 n",
        "docker network create -dnat --subnet 10.1.0.0/24 --gateway=10.1.0.1 -ocom.docker.network.windowsshim.vlanid=7 n",
        "docker network create n -d=nat --subnet 10.1.0.0/24 --gateway 10.1.0.1 -o 'com.docker.network.windowsshim.vlanid=7'",
    ];
    let mut nets = Vec::new();
    for f in forms {
        let i = commands("c.sh", f);
        assert_only(&i, "IMP019", f);
        let mut n = i.scenario.networks[0].clone();
        n.origin = Origin::default();
        nets.push(n);
    }
    assert!(nets.windows(2).all(|w| w[0] == w[1]), "{nets:#?}");
    assert_eq!(nets[0].vlan_id(), Some(7));
    assert_eq!(nets[0].driver, Driver::Nat);
}

#[test]
fn run_flag_forms_and_image_stops_flag_parsing() {
    let i = commands("c.sh", "$ docker network create app\n$ docker run -d --name=web --net app --network-alias www -p 8080:80 -p 53:53/udp -P --expose 9000-9001 nginx nginx -p 1\n");
    assert!(!i.scenario.hosts[0].is_windows(), "no Windows hints: linux");
    let n = &i.scenario.networks[0];
    assert_eq!(n.driver, Driver::Bridge, "LNX-1: default driver on Linux");
    let c = &i.scenario.containers[0];
    assert_eq!(c.name, "web");
    assert_eq!(c.networks[0].network, "app");
    assert_eq!(c.networks[0].aliases, ["www"]);
    assert_eq!(
        c.ports.len(),
        2,
        "-p after the image belongs to the container command"
    );
    assert_eq!(c.ports[1].proto, Protocol::Udp);
    assert!(c.publish_all);
    assert_eq!(c.expose.len(), 2);
    // -d is ignored with an info finding.
    let f = &i.findings[0];
    assert_eq!(f.code, "IMP004");
    assert!(f.message.contains("`-d`"));
    assert_eq!(f.severity, Severity::Info);
}

/// IMP024: `docker run -d nginx -p 80:80` runs `nginx -p 80:80` and publishes nothing;
/// the importer does the same and says why. Flags of a command that has a word of its
/// own (`nc -l -p 8080`) are the program's, and flags the model does not read
/// (`-e`, `-d`) are no mistake worth a warning.
#[test]
fn run_flags_written_after_the_image_are_named() {
    let i = commands(
        "c.sh",
        "docker run -d --name db mssql -p 1433:1433 --network=back -e X=1 -p 1434:1434
",
    );
    let c = &i.scenario.containers[0];
    assert!(c.ports.is_empty(), "nothing is published");
    let late = exactly(&i.findings, "IMP024", 1);
    assert_eq!(late[0].severity, Severity::Warning);
    assert_says(late[0], "--publish, --network after the image `mssql`");
    assert_eq!(late[0].location.line, 1);
    let service = commands(
        "c.sh",
        "docker swarm init\ndocker service create --name s nginx --publish 80:80\n",
    );
    assert_says(
        find(&service, "IMP024")[0],
        "--publish after the image `nginx`",
    );

    for fine in [
        "docker run -d --name n alpine nc -l -p 8080
",
        "docker run -d --name r redis --appendonly yes
",
        "docker run -d --name e alpine -e X -d
",
        "docker run -d --name w -p 80:80 nginx
",
    ] {
        let i = commands("c.sh", fine);
        assert!(find(&i, "IMP024").is_empty(), "{fine}: {:#?}", i.findings);
    }
}

#[test]
fn continuations_and_quotes() {
    let text = "C:\\> docker network create -d transparent `\n>>   -o com.docker.network.windowsshim.interface=\"Ethernet 2\" `\n>>   -o \"com.docker.network.windowsshim.dnsservers=10.0.0.2,10.0.0.3\" `\n>>   TN\n$ docker run --name 'a b' --network TN \\\n    img\n";
    let i = commands("c.txt", text);
    assert!(i.scenario.hosts[0].is_windows(), "Windows prompt");
    let n = &i.scenario.networks[0];
    assert_eq!(n.interface(), Some("Ethernet 2"));
    assert_eq!(n.option(shim::DNSSERVERS), Some("10.0.0.2,10.0.0.3"));
    assert_eq!(i.scenario.containers[0].name, "a b");
    assert_eq!(i.scenario.containers[0].origin.path, "hosts[0].commands[1]");
    assert_only(&i, "IMP019", text);
}

#[test]
fn unbalanced_quote_is_a_located_error() {
    let i = commands("c.sh", "docker ps\ndocker network create \"oops\n");
    let f = exactly(&i.findings, "IMP008", 1);
    assert_eq!(f[0].location.line, 2);
    assert_eq!(f[0].location.file, "c.sh");
}

/// OPT-6, EXT-6: refused network options are carried into the model and reported once,
/// by the validator, at the command (with Docker's text where Docker has one).
#[test]
fn opt_6_ext_6_refused_network_options_are_located() {
    let commands = "      - docker swarm init\n      - docker network create -d nat --subnet 172.20.0.0/16 n1\n      - docker network create -d nat --internal --ip-range 172.21.0.0/24 --subnet 172.21.0.0/16 --aux-address r=172.21.0.5 --ipv6 --ipam-driver x --ipam-opt a=b n2\n      - docker network create -d overlay -o encrypted --subnet fd00::/64 n3\n";
    let a = analysed("ws2019", commands);
    let f = exactly(&a.findings, "HNS050", 7);
    let n2: Vec<_> = f
        .iter()
        .filter(|f| f.location.path.starts_with("hosts[0].commands[2]."))
        .collect();
    assert_eq!(n2.len(), 6, "{f:#?}");
    assert!(n2.iter().all(|f| f.location.line == 8), "{n2:#?}");
    let internal = f
        .iter()
        .find(|f| f.location.path == "hosts[0].commands[2].internal")
        .expect("--internal");
    assert!(internal.message.contains("`--internal`"), "{internal}");
    assert_eq!(internal.facts, ["OPT-6", "EXT-6"]);
    assert_eq!(internal.severity, Severity::Error);
    assert!(f
        .iter()
        .any(|f| f.message.contains("`--ip-range 172.21.0.0/24`")));
    assert!(f.iter().any(|f| f.message.contains("`--opt encrypted`")));
    let v6 = exactly(&a.findings, "HNS052", 1);
    assert!(v6[0]
        .message
        .contains("windowsshim driver doesn't support v6 subnets"));
    assert_eq!(v6[0].location.line, 9);
    // Each problem once: the importer does not repeat what the validator says.
    assert!(
        a.findings
            .iter()
            .all(|f| f.severity < Severity::Error || f.code.starts_with("HNS")),
        "{:#?}",
        a.findings
    );
    // Carried into the model fields that exist for them.
    let i = scenario("ws2019", commands);
    let n2 = &i.scenario.networks[1];
    assert!(n2.internal && n2.ipv6);
    assert_eq!(n2.ip_range, Some("172.21.0.0/24".parse().unwrap()));
    assert_eq!(
        n2.aux_address["r"],
        "172.21.0.5".parse::<std::net::IpAddr>().unwrap()
    );
    assert_eq!(n2.ipam_driver.as_deref(), Some("x"));
    assert_eq!(n2.ipam_opt["a"], "b");
    assert!(i.scenario.networks[2].options.contains_key(shim::ENCRYPTED));
    // The same commands on Linux are fine.
    let l = analysed(
        "linux",
        "      - docker network create --internal --ip-range 172.21.0.0/24 --subnet 172.21.0.0/16 n2\n",
    );
    assert!(found(&l, "HNS050").is_empty());
}

/// OPT-6, EXT-6, EXT-7: refused container options and port mappings, reported once by
/// the validator at the command, port mappings with Docker's error.
#[test]
fn opt_6_ext_7_refused_run_options_are_located() {
    let commands = "      - docker run --name a --link b:b --add-host x:1.2.3.4 --dns-opt ndots:2 --dns-option timeout:1 --dns-search corp --ip6 fd00::5 img\n      - docker run --name b -p 127.0.0.1:8080:80 -p 8000-8001:80 -p 5000:5000/sctp -p 0.0.0.0:9090:90 img\n";
    let a = analysed("ws2022", commands);
    let f = exactly(&a.findings, "HNS051", 5);
    assert!(f
        .iter()
        .all(|f| f.location.path.starts_with("hosts[0].commands[0].") && f.location.line == 6));
    let messages =
        |code: &str| -> Vec<String> { found(&a, code).iter().map(|f| f.message.clone()).collect() };
    assert!(messages("HNS061")[0]
        .contains("Windows does not support host IP addresses in NAT settings"));
    assert!(messages("HNS062")[0]
        .contains("Windows does not support more than one host port in NAT settings"));
    assert!(messages("HNS063")[0].contains("invalid protocol sctp"));
    for code in ["HNS061", "HNS062", "HNS063"] {
        let f = exactly(&a.findings, code, 1);
        assert_eq!(f[0].location.line, 7, "{code}");
    }
    let i = scenario("ws2022", commands);
    let c = &i.scenario.containers[0];
    assert_eq!(c.link, ["b:b"]);
    assert_eq!(c.add_host, ["x:1.2.3.4"]);
    assert_eq!(c.dns_opt, ["ndots:2", "timeout:1"]);
    assert_eq!(c.dns_search, ["corp"]);
    assert!(c.ip6.is_some());
    let b = &i.scenario.containers[1];
    assert_eq!(b.ports[0].host_ip, Some("127.0.0.1".parse().unwrap()));
    assert_eq!(b.ports.len(), 4);
}

/// `--link` / `--ip6` on `docker network connect` to a running Windows container: a
/// timeline step cannot carry them, so the importer reports them under HNS051 itself.
#[test]
fn connect_options_a_step_cannot_carry_are_reported_under_the_validators_code() {
    let a = analysed(
        "ws2019",
        "      - docker network create -d nat --subnet 172.20.0.0/16 b\n      - docker run -d --name a img\n      - docker network connect --link x:x b a\n",
    );
    let f = exactly(&a.findings, "HNS051", 1);
    assert_eq!(f[0].location.line, 8);
    assert!(f[0].message.contains("`--link`"), "{}", f[0]);
}

/// OPT-7: connect before start folds into the design; connect to a running container
/// becomes a timeline step, and so does everything after it.
#[test]
fn opt_7_connect_running_container_is_a_step() {
    let i = scenario(
        "ws2019",
        "      - docker network create -d nat --subnet 172.20.0.0/16 a\n      - docker network create -d nat --subnet 172.21.0.0/16 b\n      - docker create --name c1 img\n      - docker network connect a c1\n      - docker start c1\n      - docker run -d --name c2 --network a img\n      - docker network connect --ip 172.21.0.9 b c2\n      - docker run --name c3 img\n",
    );
    let c1 = &i.scenario.containers[0];
    assert_eq!(c1.name, "c1");
    assert!(c1.is_running());
    let nets: Vec<_> = c1.networks.iter().map(|a| a.network.as_str()).collect();
    assert_eq!(
        nets,
        ["nat", "a"],
        "the default network stays when another is connected"
    );
    assert_eq!(i.scenario.containers.len(), 2);
    assert_eq!(i.scenario.steps.len(), 2, "{:#?}", i.scenario.steps);
    match &i.scenario.steps[0] {
        Step::Connect(s) => {
            assert_eq!((s.container.as_str(), s.network.as_str()), ("c2", "b"));
            assert_eq!(s.ip, Some("172.21.0.9".parse().unwrap()));
        }
        s => panic!("{s:?}"),
    }
    assert!(matches!(&i.scenario.steps[1], Step::Run(c) if c.name == "c3"));
    let f = find(&i, "IMP010");
    assert!(f[0].message.contains("OPT-7"));
    assert_eq!(f[0].location.path, "hosts[0].commands[6]");
}

#[test]
fn stop_rm_and_network_rm_semantics() {
    let i = scenario(
        "linux",
        "      - docker network create app\n      - docker run -d --name a --network app img\n      - docker network rm app\n      - docker rm a\n      - docker stop a\n      - docker rm a\n      - docker network rm app\n",
    );
    assert_eq!(find(&i, "IMP014").len(), 1, "active endpoints");
    assert_eq!(
        find(&i, "IMP008").len(),
        1,
        "cannot remove a running container"
    );
    assert_eq!(i.scenario.networks.len(), 1);
    assert_eq!(i.scenario.containers.len(), 1);
    let kinds: Vec<_> = i
        .scenario
        .steps
        .iter()
        .map(|s| match s {
            Step::Stop(_) => "stop",
            Step::Remove(_) => "rm",
            Step::RemoveNetwork(_) => "netrm",
            _ => "other",
        })
        .collect();
    assert_eq!(kinds, ["stop", "rm", "netrm"]);
}

#[test]
fn swarm_service_create() {
    let i = scenario(
        "ws2019",
        "      - docker swarm init\n      - docker network create -d overlay --attachable ovl\n      - docker service create --name web --replicas 3 --network ovl -p 8080:80 --publish published=53,target=53,protocol=udp iis\n      - docker service scale web=5\n",
    );
    assert!(
        i.findings.iter().all(|f| f.severity < Severity::Warning),
        "{:#?}",
        i.findings
    );
    let s = &i.scenario.services[0];
    assert_eq!(s.name, "web");
    assert_eq!(s.replicas, 5);
    assert_eq!(s.networks[0].network, "ovl");
    assert_eq!(s.ports[1].proto, Protocol::Udp);
    assert!(i.scenario.networks[0].attachable);
    assert!(i.scenario.hosts[0].commands.is_empty());
}

#[test]
fn block_scalar_commands_have_their_own_lines() {
    let a = analysed(
        "ws2019",
        "      - |\n        docker network create -d nat --subnet 172.20.0.0/16 a\n        docker run --name x --link y img\n",
    );
    let f = exactly(&a.findings, "HNS051", 1);
    assert_eq!(f[0].location.line, 8, "{f:#?}");
    assert_eq!(f[0].location.path, "hosts[0].commands[0].lines[1].link");
}

#[test]
fn unknown_and_informational_commands() {
    let i = commands("c.sh", "docker ps\ndocker pull nginx\nfrobnicate --now\ndocker run --frob x --dns 8.8.8.8 img\ndocker network connect nowhere ghost\ndocker run --network missing img\n");
    let codes: Vec<_> = i
        .findings
        .iter()
        .map(|f| (f.code.as_str(), f.severity))
        .collect();
    assert!(codes.contains(&("IMP006", Severity::Info)));
    assert!(codes.contains(&("IMP007", Severity::Warning)));
    assert_eq!(
        find(&i, "IMP005").len(),
        2,
        "unknown --frob and --dns: warnings"
    );
    assert_eq!(
        find(&i, "IMP009").len(),
        2,
        "no such container, network not found"
    );
}

/// Validator findings on imported objects carry paths below the command
/// (`hosts[0].commands[1].networks[0]`); the source map points them at its line.
#[test]
fn source_map_locates_paths_below_a_command() {
    let i = commands(
        "c.sh",
        "# setup\ndocker network create app\n\ndocker run --name a --network app img\n",
    );
    assert_eq!(
        i.source_map.position("hosts[0].commands[1].networks[0]"),
        Some((4, 1))
    );
    assert_eq!(i.source_map.position("hosts[0].commands[0]"), Some((2, 1)));
}

/// A commands file says nothing about the host's LAN: the importer assumes one (IMP019),
/// on the physical subnet a transparent network names (TRANS-2), with the NIC the
/// network binds to (OPT-2), and a client so that published ports show (NAT-8).
#[test]
fn commands_file_gets_an_assumed_uplink() {
    let text = "C:\\> docker network create -d transparent --subnet=10.123.174.0/23 --gateway=10.123.174.1 -o com.docker.network.windowsshim.interface=\"Ethernet 2\" TN\nC:\\> docker run -d --name s --network TN --ip 10.123.174.10 iis\n";
    let i = commands("c.ps1", text);
    let s = &i.scenario;
    assert_eq!(s.segments.len(), 1, "{:#?}", s.segments);
    assert_eq!(s.segments[0].subnet.to_string(), "10.123.174.0/23");
    assert_eq!(s.segments[0].gateway, Some("10.123.174.1".parse().unwrap()));
    let names: Vec<&str> = s.hosts[0].nics.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names, ["Ethernet", "Ethernet 2"]);
    // .10 is the container's static address: the host takes the next free one.
    assert_eq!(s.hosts[0].nics[0].ip.to_string(), "10.123.174.11/23");
    assert!(s.hosts[0].nics.iter().all(|n| n.segment == "lan"));
    assert_eq!(s.clients[0].name, "lan-client");
    let f = exactly(&i.findings, "IMP019", 1);
    assert_says(f[0], "10.123.174.0/23");

    // DHCP transparent network: the LAN has a DHCP server; NAT only: 192.168.1.0/24.
    let i = commands(
        "d.ps1",
        "docker network create -d transparent T\ndocker run -d --name a --network T iis\n",
    );
    assert!(i.scenario.segments[0].dhcp);
    // The seed's walkthrough: a transparent network with the LAN's subnet, one
    // container with `--ip` and one without, which asks the LAN's DHCP server (TRANS-2).
    let static_only = "docker network create -d transparent --subnet=10.123.174.0/23 --gateway=10.123.174.1 T\ndocker run -d --name a --network T --ip 10.123.174.105 iis\n";
    assert!(!commands("s.ps1", static_only).scenario.segments[0].dhcp);
    let both = format!("{static_only}docker run -d --name b --network T iis\n");
    let i = commands("b.ps1", &both);
    assert!(i.scenario.segments[0].dhcp);
    let doc = hnsim_model::import::document("b.ps1", &both, HostTemplate::default());
    let a = analyse(&doc.expect("a commands file"));
    assert!(
        a.findings.iter().all(|f| f.code != "HNS013"),
        "{:#?}",
        a.findings
    );
    let i = commands("n.sh", "docker network create --subnet 192.168.1.0/24 app\ndocker run -d --name a --network app -p 80:80 nginx\n");
    assert_eq!(i.scenario.segments[0].subnet.to_string(), "10.0.0.0/24");
    assert_eq!(i.scenario.hosts[0].nics[0].name, "eth0");

    // A scenario describes its own hosts: nothing is assumed.
    let i = scenario("ws2019", "      - docker run -d --name a -p 80:80 iis\n");
    assert!(i.scenario.segments.is_empty());
    assert!(find(&i, "IMP019").is_empty());
}

/// Scripts and pasted sessions carry shell plumbing and a byte order mark: neither is a
/// warning, `systemctl restart docker` is Linux's restart step, and a file with a BOM is
/// still a commands file.
#[test]
fn shell_plumbing_bom_and_systemctl() {
    let text = "\u{feff}#!/bin/bash\nset -e\ncd /srv\n$net = \"x\"\nsudo docker run -d --name a -p 80:80 nginx\nsudo systemctl restart docker\n";
    let doc = hnsim_model::import::document("s.sh", text, HostTemplate::default()).unwrap();
    let i = expand(&doc);
    assert!(!i.scenario.hosts[0].is_windows(), "systemctl is Linux");
    assert!(
        at_least(&i.findings, Severity::Warning).next().is_none(),
        "{:#?}",
        i.findings
    );
    assert_eq!(i.scenario.containers[0].name, "a");
    assert!(matches!(i.scenario.steps[0], Step::RestartDocker(_)));
}

/// Text that is none of the inputs says what the inputs are.
#[test]
fn text_that_is_no_input_says_what_would_be() {
    for text in ["hello world\n", "- a\n- b\n", "kubectl apply -f x.yaml\n"] {
        let err = hnsim_model::import::document("x.txt", text, HostTemplate::default())
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("x.txt:1:1: "), "{err}");
        assert!(
            err.contains("docker command lines") && err.contains("help:"),
            "{err}"
        );
    }
}

/// A file that runs Windows images was written for a Windows host (default nat network,
/// ephemeral ports from 49153), even without Windows prompts or drivers.
#[test]
fn windows_images_make_a_windows_host() {
    for image in [
        "mcr.microsoft.com/windows/servercore/iis",
        "mcr.microsoft.com/windows/nanoserver:ltsc2022",
        "mcr.microsoft.com/dotnet/framework/aspnet:4.8-windowsservercore-ltsc2019",
        "microsoft/iis",
        "contoso/app:1.0-ltsc2019",
    ] {
        let i = commands(
            "c.sh",
            &format!("docker run -d --name a -p 80:80 {image}\n"),
        );
        assert!(i.scenario.hosts[0].is_windows(), "{image}");
    }
    for image in [
        "nginx",
        "mcr.microsoft.com/dotnet/aspnet:8.0",
        "postgres:16",
    ] {
        let i = commands("c.sh", &format!("docker run -d --name a {image}\n"));
        assert!(!i.scenario.hosts[0].is_windows(), "{image}");
    }
}

/// A misspelled flag says which flag was meant.
#[test]
fn misspelled_flag_suggests_the_known_one() {
    let i = commands(
        "c.sh",
        "docker run -d --name a --netwrok app nginx\ndocker network create --drvier overlay o\n",
    );
    let f = exactly(&i.findings, "IMP005", 2);
    assert_says(f[0], "did you mean `--network`");
    assert_says(f[1], "did you mean `--driver`");
}

/// Commands pasted from the docs keep their `<image>` / `<network name>` placeholders:
/// an info finding says so, and the placeholder stays one word.
#[test]
fn documentation_placeholders_are_reported() {
    let i = commands("docs.txt", "C:\\> docker network create -d nat MyNat\nC:\\> docker run -it --network=MyNat <image> <cmd>\nC:\\> docker network rm <network name>\n");
    let f = exactly(&i.findings, "IMP020", 2);
    assert_eq!(f[0].severity, Severity::Info);
    assert_says(f[0], "`<image>`, `<cmd>`");
    assert_eq!(f[1].location.line, 3);
    assert_eq!(i.scenario.containers.len(), 1);
    let e = find(&i, "IMP009");
    assert!(
        e.iter().all(|f| f.message.contains("<network-name>")),
        "{e:#?}"
    );
}

/// `# hnsim: os=... host=...` names the host of a file whose commands do not show it.
#[test]
fn directive_comment_names_the_host() {
    let i = commands(
        "c.sh",
        "# hnsim: os=ws2022 host=web01\ndocker run -d --name web -p 80:80 myorg/site\n",
    );
    assert_eq!(i.scenario.hosts[0].name, "web01");
    assert_eq!(i.scenario.hosts[0].os, OsVersion::Ws2022);
    let i = hnsim_model::import::from_compose(
        "c.yml",
        "# hnsim: os=ws2019\nservices:\n  web:\n    image: myorg/site\n",
        HostTemplate::default(),
    )
    .unwrap();
    assert!(i.scenario.hosts[0].is_windows());
    // The command line wins.
    let i = from_commands(
        "c.sh",
        "# hnsim: os=ws2022\ndocker run -d --name web nginx\n",
        HostTemplate {
            name: "h".into(),
            os: Some(OsVersion::Linux),
            project: None,
        },
    )
    .unwrap();
    assert!(!i.scenario.hosts[0].is_windows());
}

/// Docker refuses a subnet with host bits set, and says which prefix was meant.
#[test]
fn subnet_with_host_bits_is_refused() {
    let i = commands("c.sh", "docker network create --subnet 172.20.0.5/16 x\n");
    let f = exactly(&i.findings, "IMP008", 1);
    assert_says(f[0], "it should be 172.20.0.0/16");
}

/// `docker swarm init --advertise-addr` says the host's own address: the assumed LAN is
/// built around it.
#[test]
fn advertise_addr_is_the_assumed_host_address() {
    let i = commands("c.sh", "docker swarm init --advertise-addr=10.0.1.11\ndocker network create -d overlay --attachable ov\n");
    assert_eq!(i.scenario.hosts[0].nics[0].ip.to_string(), "10.0.1.11/24");
    assert_eq!(i.scenario.segments[0].subnet.to_string(), "10.0.1.0/24");
}

/// Scripts set variables and use them: bash `NET=app`, `export`, `${NET}`; PowerShell
/// `$net = "app"`.
#[test]
fn script_variables_are_substituted() {
    let i = commands("s.sh", "set -e\nNET=app-net\nexport SUBNET=10.30.0.0/24\ndocker network create --subnet $SUBNET $NET\ndocker run -d --name web --network ${NET} -e A=B nginx\n");
    assert!(
        at_least(&i.findings, Severity::Warning).next().is_none(),
        "{:#?}",
        i.findings
    );
    assert_eq!(i.scenario.networks[0].name, "app-net");
    assert_eq!(
        i.scenario.networks[0].subnet.0[0].to_string(),
        "10.30.0.0/24"
    );
    assert_eq!(i.scenario.containers[0].networks[0].network, "app-net");
    let i = commands("s.ps1", "$net = \"MyNat\"\n$subnet = '172.20.0.0/16'\ndocker network create -d nat --subnet=$subnet $Net\n");
    assert_eq!(i.scenario.networks[0].name, "MyNat");
    assert_eq!(
        i.scenario.networks[0].subnet.0[0].to_string(),
        "172.20.0.0/16"
    );
}

/// `--network container:NAME`: one stack, one node. The joining container's ports are
/// NAME's; Docker refuses `-p` with the mode and an unknown NAME.
#[test]
fn a_container_joining_another_ones_stack_adds_its_ports_there() {
    let cmds = "docker network create backend\ndocker run -d --name api --network backend --expose 8000 api\ndocker run -d --name envoy --network container:api --expose 15000 envoy\n";
    let i = commands("c.sh", cmds);
    let names = container_names(&i);
    assert_eq!(names, ["api"], "no node of its own");
    let api = &i.scenario.containers[0];
    let ports: Vec<String> = api.expose.iter().map(ToString::to_string).collect();
    assert_eq!(ports, ["tcp/8000", "tcp/15000"]);
    let shared = exactly(&i.findings, "IMP023", 1);
    assert_says(shared[0], "tcp/15000");
    assert!(find(&i, "IMP005").is_empty(), "{:#?}", i.findings);

    let refused = commands("c.sh", "docker run -d --name api api\ndocker run -d --name envoy --network container:api -p 80:80 envoy\ndocker run -d --name ghost --network container:nobody x\n");
    assert_eq!(find(&refused, "IMP008").len(), 1, "{:#?}", refused.findings);
    assert!(find(&refused, "IMP009")[0]
        .message
        .contains("No such container: nobody"));
    assert_eq!(refused.scenario.containers.len(), 1);
}

/// `-d` on every line of a script is one note at its first line, counting the lines,
/// not one note per line; a different set of ignored flags is its own note.
#[test]
fn the_same_ignored_flags_are_noted_once() {
    let text = "docker run -d --name a nginx\ndocker run -d --name b nginx\ndocker run -d --name c nginx\ndocker run -it --name d alpine\n";
    let i = commands("c.sh", text);
    let notes = exactly(&i.findings, "IMP004", 2);
    assert_eq!(notes[0].location.line, 1, "{:?}", notes[0].location);
    assert!(
        notes[0].message.contains("`-d`") && notes[0].message.contains("in 3 commands"),
        "{}",
        notes[0].message
    );
    assert_says(notes[1], "`-i`, `-t`");
    assert!(
        !notes[1].message.contains("commands;"),
        "{}",
        notes[1].message
    );
}

/// NAT-1, NAT-4: the seed's walkthrough creates `CustomNat1` on 172.16.0.0/16 beside the
/// default `nat` network, whose /20 HNS picks where no network of the host is: the two
/// do not overlap (no SCN010), and a container on `nat` gets an address outside it.
#[test]
fn default_nat_network_leaves_a_user_nat_subnet_alone() {
    let a = analysed(
        "ws2019",
        "      - docker network create -d nat --subnet=172.16.0.0/16 --gateway=172.16.0.1 CustomNat1\n      - docker run -d --name web --network CustomNat1 -p 8082:80 iis\n      - docker run -d --name plain iis\n",
    );
    assert!(found(&a, "SCN010").is_empty(), "{:#?}", a.findings);
    let custom: ipnet::IpNet = "172.16.0.0/16".parse().unwrap();
    let design = &a.final_state().design;
    let plain = design
        .endpoints
        .iter()
        .find(|e| design.scenario.containers[e.container].name == "plain")
        .and_then(|e| e.ip)
        .expect("an address on nat");
    assert!(!custom.contains(&plain), "{plain}");
}

/// NAT-13: a reboot typed as PowerShell (`Restart-Computer`), cmd (`shutdown /r`) or a
/// Linux shell (`sudo reboot`) is the timeline's reboot step, after which a NAT
/// network of WS2019+ is gone (HNS071).
#[test]
fn a_reboot_is_a_timeline_step() {
    for line in ["Restart-Computer -Force", "shutdown /r /t 0", "sudo reboot"] {
        let text = format!("# hnsim: os=ws2019 host=w\ndocker network create -d nat --subnet=10.99.0.0/24 n\ndocker run -d --name web --network n iis\n{line}\n");
        let i = commands("r.ps1", &text);
        assert_eq!(i.scenario.steps, [Step::Reboot("w".into())], "{line}");
        assert!(find(&i, "IMP007").is_empty(), "{line}: {:#?}", i.findings);
    }
    let doc = hnsim_model::import::document(
        "r.ps1",
        "docker network create -d nat --subnet=10.99.0.0/24 n\nRestart-Computer\n",
        HostTemplate::default(),
    );
    let a = analyse(&doc.expect("a commands file"));
    assert_eq!(found(&a, "HNS071").len(), 1, "{:#?}", a.findings);
    // Not a reboot: shutting down without /r, restarting another service.
    let i = commands("s.ps1", "docker run -d --name a iis\nshutdown /s\n");
    assert!(i.scenario.steps.is_empty());
}

/// LNX-2: a swarm service on the host network publishing in host mode listens on the
/// node's port; it gets no routing-mesh port, hence no `ingress` endpoint beside the host
/// network, which Docker would refuse (DKR002).
#[test]
fn host_mode_publishing_is_a_port_the_tasks_listen_on() {
    let cmds = "      - docker swarm init --advertise-addr 10.10.0.5\n      - docker service create --name edge --network host --publish mode=host,target=9000,published=9000 nginx\n";
    let i = scenario("linux", cmds);
    let s = &i.scenario.services[0];
    assert!(s.ports.is_empty(), "{:?}", s.ports);
    let listen: Vec<String> = s.listen.iter().map(ToString::to_string).collect();
    assert_eq!(listen, ["tcp/9000"]);
    assert_eq!(find(&i, "IMP005").len(), 1, "{:#?}", i.findings);
    let a = analysed("linux", cmds);
    assert!(found(&a, "DKR002").is_empty(), "{:#?}", a.findings);
}
