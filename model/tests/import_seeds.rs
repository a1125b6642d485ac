//! Every docker command example of the documentation, translated into the model the
//! documentation describes (driver, subnet, gateway, options, IP, ports).

use hnsim_model::import::{at_least, from_commands, HostTemplate, Imported};
use hnsim_model::*;

fn win(text: &str) -> Imported {
    from_commands(
        "seed.txt",
        text,
        HostTemplate {
            name: "host1".into(),
            os: Some(OsVersion::Ws2019),
            project: None,
        },
    )
    .expect("commands always import")
}

fn net<'a>(i: &'a Imported, name: &str) -> &'a Network {
    i.scenario
        .networks
        .iter()
        .find(|n| n.name == name)
        .unwrap_or_else(|| panic!("no network {name}: {:#?}", i.scenario.networks))
}

fn codes(i: &Imported) -> Vec<&str> {
    i.findings.iter().map(|f| f.code.as_str()).collect()
}

fn no_errors(i: &Imported) {
    let bad: Vec<_> = at_least(&i.findings, Severity::Warning).collect();
    assert!(bad.is_empty(), "{bad:#?}");
}

/// NAT-4: user-defined NAT network, and a container on it (000).
#[test]
fn nat_4_user_defined_nat_network() {
    let i = win(
        "# Create a user-defined NAT network\n\
         C:\\> docker network create -d nat --subnet=192.168.1.0/24 --gateway=192.168.1.1 MyNatNetwork\n\
         # Connect new container to the MyNatNetwork\n\
         C:\\> docker run -it --network=MyNatNetwork <image> <cmd>\n",
    );
    no_errors(&i);
    let n = net(&i, "MyNatNetwork");
    assert_eq!(n.driver, Driver::Nat);
    assert_eq!(n.host.as_deref(), Some("host1"));
    assert_eq!(n.subnet.0, vec!["192.168.1.0/24".parse().unwrap()]);
    assert_eq!(n.gateway, Some("192.168.1.1".parse().unwrap()));
    let c = &i.scenario.containers[0];
    assert_eq!(c.networks[0].network, "MyNatNetwork");
    assert_eq!(c.host, "host1");
    assert!(c.is_running());
}

/// NAT-9: static and ephemeral port mappings; `-p C` keeps host_port None (000).
#[test]
fn nat_9_port_mappings() {
    let i = win(
        "C:\\> docker run -it -p 80:80 <image> <cmd>\n\
         C:\\> docker run -it -p 8082:80 windowsservercore cmd\n\
         C:\\> docker run -itd -p 80 windowsservercore cmd\n\
         C:\\> docker ps\n\
         CONTAINER ID        IMAGE               COMMAND             CREATED             STATUS              PORTS                   NAMES\n\
         bbf72109b1fc        windowsservercore   \"cmd\"               6 seconds ago       Up 2 seconds        *0.0.0.0:14824->80/tcp*   drunk_stonebraker\n\
         C:\\> docker network\n",
    );
    no_errors(&i);
    let c = &i.scenario.containers;
    assert_eq!(c.len(), 3, "{c:#?}");
    // No --network: the default nat network, filled in by the resolver (NAT-1).
    assert!(c.iter().all(|c| c.networks.is_empty()));
    assert_eq!(c[0].ports[0].to_string(), "80:80");
    assert_eq!(c[1].ports[0].host_port, Some(PortRange::single(8082)));
    assert_eq!(c[1].ports[0].container_port, PortRange::single(80));
    assert_eq!(c[1].image.as_deref(), Some("windowsservercore"));
    assert_eq!(c[2].ports[0].host_port, None);
    assert_eq!(c[2].ports[0].container_port, PortRange::single(80));
    assert_eq!(c[1].name, "windowsservercore-1");
    assert_eq!(c[2].name, "windowsservercore-2");
    // `docker ps` and bare `docker network` only read state; the output lines are skipped.
    assert_eq!(codes(&i).iter().filter(|c| **c == "IMP006").count(), 2);
}

/// TRANS-1, TRANS-4: transparent network; MAC spoofing on the container host VM (000).
#[test]
fn trans_1_and_trans_4_mac_spoofing() {
    let i = win(
        "C:\\> docker network create -d transparent MyTransparentNetwork\n\
         PS C:\\> Get-VMNetworkAdapter -VMName ContainerHostVM | Set-VMNetworkAdapter -MacAddressSpoofing On\n",
    );
    no_errors(&i);
    assert_eq!(net(&i, "MyTransparentNetwork").driver, Driver::Transparent);
    let h = &i.scenario.hosts[0];
    assert!(h.mac_spoofing);
    assert_eq!(h.machine, Machine::HypervVm);
    assert!(codes(&i).contains(&"IMP018"));
}

/// TRANS-2: static addressing with --subnet/--gateway and --ip (000).
#[test]
fn trans_2_static_ip() {
    let i = win(
        "C:\\> docker network create -d transparent --subnet=10.123.174.0/23 --gateway=10.123.174.1 TransparentNet3\n\
         C:\\> docker run -it --network=TransparentNet3 --ip 10.123.174.105 <image> <cmd>\n",
    );
    no_errors(&i);
    let n = net(&i, "TransparentNet3");
    assert_eq!(n.subnet.0, vec!["10.123.174.0/23".parse().unwrap()]);
    assert_eq!(n.gateway, Some("10.123.174.1".parse().unwrap()));
    let a = &i.scenario.containers[0].networks[0];
    assert_eq!(a.network, "TransparentNet3");
    assert_eq!(a.ip, Some("10.123.174.105".parse().unwrap()));
}

/// The later example with `--ip=` and a named image (000).
#[test]
fn trans_2_ip_equals_form() {
    let i = win(
        "C:\\> docker network create -d transparent MyTransparentNet\n\
         C:\\> docker run -it --network=MyTransparentNet windowsservercore cmd\n\
         C:\\> docker run -it --network=MyTransparentNet --ip=10.80.123.32 windowsservercore cmd\n",
    );
    no_errors(&i);
    let c = &i.scenario.containers;
    assert_eq!(c[0].networks[0].ip, None);
    assert_eq!(c[1].networks[0].ip, Some("10.80.123.32".parse().unwrap()));
}

/// OVL-1: overlay needs a swarm manager; the network is swarm-scoped (host None).
#[test]
fn ovl_1_overlay_is_swarm_scoped() {
    let i = win("C:\\> docker swarm init --advertise-addr 10.0.0.10\n\
         C:\\> docker network create --driver=overlay myOverlayNet\n");
    no_errors(&i);
    let n = net(&i, "myOverlayNet");
    assert_eq!(n.driver, Driver::Overlay);
    assert_eq!(n.host, None);
    assert_eq!(n.scope(), Scope::Swarm);
    assert_eq!(i.scenario.hosts[0].swarm, SwarmRole::Manager);
    // Without `docker swarm init` Docker refuses it (OVL-1).
    let i = win("C:\\> docker network create --driver=overlay myOverlayNet\n");
    assert!(codes(&i).contains(&"IMP016"), "{:#?}", i.findings);
    assert_eq!(i.scenario.networks.len(), 1, "carried for the validator");
}

/// L2B-1: l2bridge with subnet and gateway (000, and 003 with quoted values).
#[test]
fn l2b_1_l2bridge() {
    let i = win(
        "C:\\> docker network create -d l2bridge --subnet=192.168.1.0/24 --gateway=192.168.1.1 MyBridgeNetwork\n",
    );
    no_errors(&i);
    let n = net(&i, "MyBridgeNetwork");
    assert_eq!(n.driver, Driver::L2bridge);
    assert_eq!(n.gateway, Some("192.168.1.1".parse().unwrap()));
    let i = win(
        "```powershell\n\
         # Create the container network\n\
         C:\\> docker network create -d l2bridge --subnet=\"192.168.1.0/24\" --gateway=\"192.168.1.1\" MyContainerOverlayNetwork\n\n\
         # Attach a container to the MyContainerOverlayNetwork \n\
         C:\\> docker run -it --network=MyContainerOverlayNetwork <image> <cmd>\n\
         ```\n\
         PS C:\\> ConfigureMCNP.ps1\n\
         PS C:\\> InstallPrivateCloudPlugin.ps1\n",
    );
    no_errors(&i);
    let n = net(&i, "MyContainerOverlayNetwork");
    assert_eq!(n.driver, Driver::L2bridge);
    assert_eq!(n.subnet.0, vec!["192.168.1.0/24".parse().unwrap()]);
    assert_eq!(i.scenario.containers[0].networks[0].network, n.name);
    let sdn = i.scenario.hosts[0]
        .sdn
        .as_ref()
        .expect("SDN-3 prerequisites");
    assert!(sdn.plugin && sdn.network_proxy);
}

/// OPT-1: the HNS name of a network.
#[test]
fn opt_1_networkname() {
    let i = win("C:\\> docker network create -d transparent -o com.docker.network.windowsshim.networkname=MyTransparentNetwork MyTransparentNetwork\n");
    no_errors(&i);
    let n = net(&i, "MyTransparentNetwork");
    assert_eq!(n.hns_name(), Some("MyTransparentNetwork"));
}

/// OPT-2: a quoted interface name with a space.
#[test]
fn opt_2_interface_with_space() {
    let i = win("C:\\> docker network create -d transparent -o com.docker.network.windowsshim.interface=\"Ethernet 2\" TransparentNet2\nPS C:\\> Get-NetAdapter\n");
    no_errors(&i);
    assert_eq!(net(&i, "TransparentNet2").interface(), Some("Ethernet 2"));
}

/// OPT-3: VLAN ID option.
#[test]
fn opt_3_vlanid() {
    let i = win("C:\\> docker network create -d transparent -o com.docker.network.windowsshim.vlanid=11 MyTransparentNetwork\n");
    no_errors(&i);
    assert_eq!(net(&i, "MyTransparentNetwork").vlan_id(), Some(11));
}

/// OPT-4: DNS suffix and servers, two -o flags.
#[test]
fn opt_4_dns_options() {
    let i = win("C:\\> docker network create -d transparent -o com.docker.network.windowsshim.dnssuffix=abc.com -o com.docker.network.windowsshim.dnsservers=4.4.4.4,8.8.8.8 MyTransparentNetwork\n");
    no_errors(&i);
    let n = net(&i, "MyTransparentNetwork");
    assert_eq!(n.option(shim::DNSSUFFIX), Some("abc.com"));
    assert_eq!(n.option(shim::DNSSERVERS), Some("4.4.4.4,8.8.8.8"));
}

/// NAT-11: two NAT networks partitioning 172.16.0.0/12 (000 "여러 NAT 네트워크").
#[test]
fn nat_11_two_nat_partitions() {
    let i = win(
        "PS C:\\> Get-NetNAT\n\
         C:\\> docker network create -d nat --subnet=172.16.0.0/16 --gateway=172.16.0.1 CustomNat1\n\
         C:\\> docker network create -d nat --subnet=172.17.0.0/16 --gateway=172.17.0.1 CustomNat2\n\
         C:\\> docker network ls\n\
         NETWORK ID          NAME                DRIVER              SCOPE\n\
         3f3ea1a1f07a        CustomNat1          nat                 local\n",
    );
    no_errors(&i);
    assert_eq!(
        net(&i, "CustomNat1").subnet.0,
        vec!["172.16.0.0/16".parse().unwrap()]
    );
    assert_eq!(
        net(&i, "CustomNat2").gateway,
        Some("172.17.0.1".parse().unwrap())
    );
}

/// OPT-8: `docker network rm` removes an earlier network; `inspect` only reads.
#[test]
fn opt_8_network_rm() {
    let i = win("C:\\> docker network create -d transparent Net1\n\
         C:\\> docker network inspect Net1\n\
         C:\\> docker network rm Net1\n");
    no_errors(&i);
    assert!(i.scenario.networks.is_empty());
    // The seed's placeholder `<network name>` names no network: Docker says so.
    let i = win("C:\\> docker network rm <network name>\n");
    assert!(codes(&i).contains(&"IMP009"));
}

/// NAT-3: the daemon.json flow of the seed, with the service commands around it.
#[test]
fn nat_3_daemon_json_and_service_commands() {
    let i = win("PS C:\\> Stop-Service docker\n\
         PS C:\\> Get-ContainerNetwork | Remove-ContainerNetwork\n\n\
         ...Edit the daemon.json file...\n\n\
         PS C:\\> Start-Service docker\n");
    no_errors(&i);
    assert!(i.scenario.networks.is_empty() && i.scenario.steps.is_empty());
    let d = hnsim_model::import::from_daemon_json(
        "daemon.json",
        r#"{ "fixed-cidr": "172.30.0.0/16", "bridge": "none", "debug": true }"#,
        HostTemplate::default(),
    )
    .unwrap();
    let h = &d.scenario.hosts[0];
    assert_eq!(h.docker.fixed_cidr, Some("172.30.0.0/16".parse().unwrap()));
    assert_eq!(h.docker.bridge.as_deref(), Some("none"));
    assert!(!h.docker.creates_default_network());
    assert!(h.is_windows());
    assert_eq!(codes(&d), ["IMP012", "IMP019"]);
}

/// TRANS-7: restarting hns/docker is a timeline step.
#[test]
fn trans_7_restart_services_are_steps() {
    let i = win(
        "PS C:\\> New-VMSwitch -Name ext -NetAdapterName \"Ethernet 2\"\n\
         PS C:\\> restart-service hns\n\
         PS C:\\> restart-service docker\n\
         C:\\> docker network create -d transparent T\n",
    );
    no_errors(&i);
    assert_eq!(i.scenario.vswitches[0].nic.as_deref(), Some("Ethernet 2"));
    assert!(!i.scenario.vswitches[0].visible_to_docker);
    assert!(matches!(i.scenario.steps[0], Step::RestartHns(_)));
    assert!(matches!(i.scenario.steps[1], Step::RestartDocker(_)));
    assert!(matches!(i.scenario.steps[2], Step::CreateNetwork(_)));
}

/// Every prompted command line of the documentation (kept as a fixture) imports without
/// an unrecognised-command or malformed-command finding.
#[test]
fn every_documented_command_line_is_understood() {
    let text = include_str!("fixtures/seed-commands.txt");
    let mut seen = 0;
    for line in text.lines() {
        let t = line.trim();
        if !(t.starts_with("C:\\> docker") || t.starts_with("PS C:\\> ")) {
            continue;
        }
        seen += 1;
        let i = win(t);
        let bad: Vec<_> = i
            .findings
            .iter()
            .filter(|f| f.code == "IMP007" || f.code == "IMP008")
            .collect();
        assert!(bad.is_empty(), "{t}: {bad:#?}");
    }
    assert_eq!(seen, 36, "the fixture holds 36 prompted command lines");
}

/// A Linux daemon.json: `bip` and other Linux-only keys make a Linux host, and `bip`
/// is docker0's subnet.
#[test]
fn linux_daemon_json_bip() {
    let d = hnsim_model::import::from_daemon_json(
        "daemon.json",
        r#"{ "bip": "10.200.0.1/24", "log-driver": "json-file" }"#,
        HostTemplate::default(),
    )
    .unwrap();
    let h = &d.scenario.hosts[0];
    assert!(!h.is_windows());
    assert_eq!(h.docker.fixed_cidr, Some("10.200.0.0/24".parse().unwrap()));
    let d = hnsim_model::import::from_daemon_json(
        "daemon.json",
        r#"{ "bip": "10.200.0.1/24", "fixed-cidr": "10.200.0.128/25" }"#,
        HostTemplate::default(),
    )
    .unwrap();
    assert_eq!(
        d.scenario.hosts[0].docker.fixed_cidr,
        Some("10.200.0.128/25".parse().unwrap())
    );
}
