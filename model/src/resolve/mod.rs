//! From what the user wrote to what the hosts would actually have: the [`Design`].
//!
//! Docker and HNS fill in a great deal that a scenario leaves out, and both the validator
//! and the simulator must see the same filled-in state. Resolution adds, in this order:
//! - the default networks of each host and the swarm's `ingress` ([`defaults`]);
//! - swarm service replicas as containers, placed round-robin over the swarm nodes, and
//!   the routing mesh's host ports ([`swarm`]);
//! - the attachment to the default network of a container with no `--network`;
//! - a subnet for networks created without `--subnet` and an address for every endpoint,
//!   by the driver's IPAM (IPAM-1), deterministically in file order so that the same file
//!   always gives the same addresses ([`ipam`]);
//! - a host port for every `-p C` and `-P` mapping (NAT-9) ([`ports`]).
//!
//! Nothing here judges the design: a missing network or an exhausted subnet leaves the
//! endpoint without an address and the validator reports it.

mod defaults;
mod ipam;
mod ports;
mod swarm;

pub use crate::design::{Design, Endpoint, IpSource, PortForward, Published};
pub(crate) use defaults::{add_default_networks, add_default_networks_of};
pub use ipam::nth_host;

use crate::scenario::{Origin, Scenario};

/// Resolves a scenario (after import) into a [`Design`]. Never fails: what cannot be
/// resolved is left unassigned for the validator to report.
pub fn resolve(scenario: &Scenario) -> Design {
    resolve_owned(scenario.clone())
}

/// [`resolve`] of a scenario the caller no longer needs (no copy of it is made).
pub fn resolve_owned(mut s: Scenario) -> Design {
    defaults::add_default_networks(&mut s);
    swarm::expand_services(&mut s);
    defaults::attach_default_networks(&mut s);
    ipam::assign_subnets(&mut s);
    ports::default_listen_ports(&mut s);
    let endpoints = ipam::assign_addresses(&s);
    let published = ports::assign_host_ports(&s);
    let service_ports = swarm::mesh_ports(&s);
    debug_assert!(endpoints
        .windows(2)
        .all(|w| w[0].container <= w[1].container));
    debug_assert!(published
        .windows(2)
        .all(|w| w[0].container <= w[1].container));
    Design {
        scenario: s,
        endpoints,
        published,
        service_ports,
        invalid: Vec::new(),
    }
}

/// The origin of an object resolution adds: not written in the file, located at `path`
/// (the object that implies it).
fn implicit(path: String) -> Origin {
    Origin {
        path,
        implicit: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::driver::Driver;
    use crate::parse::parse_scenario;
    use crate::port::PortRange;

    fn design(text: &str) -> Design {
        resolve(&parse_scenario("t.yaml", text).unwrap().scenario)
    }

    #[test]
    fn windows_host_gets_default_nat_and_container_attaches_to_it() {
        let d = design(
            "name: t\nhosts:\n  - name: h\n    os: ws2019\ncontainers:\n  - name: web\n    host: h\n    ports: ['80']\n",
        );
        let nat = d
            .network_on("h", "nat")
            .expect("default nat network (NAT-1)");
        assert_eq!(d.scenario.networks[nat].driver, Driver::Nat);
        assert!(d.scenario.networks[nat].origin.implicit);
        let ep = &d.endpoints[0];
        assert_eq!(ep.network, Some(nat));
        assert_eq!(ep.ip, Some("172.16.0.2".parse().unwrap()));
        assert_eq!(ep.ip_source, IpSource::HnsDynamic);
        // NAT-9: -p 80 gets an ephemeral host port from Docker's Windows range.
        assert_eq!(d.published[0].forward.host_ports, PortRange::single(49153));
        assert!(d.published[0].ephemeral);
    }

    #[test]
    fn each_hosts_nat_network_numbers_its_own_addresses() {
        let d = design(
            "name: t\nhosts:\n  - {name: a, os: ws2019}\n  - {name: b, os: ws2019}\ncontainers:\n  - {name: x, host: a}\n  - {name: y, host: b}\n  - {name: z, host: b}\n",
        );
        let ips: Vec<_> = d
            .endpoints
            .iter()
            .map(|e| e.ip.unwrap().to_string())
            .collect();
        assert_eq!(
            ips,
            ["172.16.0.2", "172.16.0.2", "172.16.0.3"],
            "IPAM-1: one pool per network"
        );
    }

    #[test]
    fn swarm_has_ingress_and_user_overlays_start_after_it() {
        let d = design(
            "name: t\nhosts:\n  - {name: m, os: linux, swarm: manager}\nnetworks:\n  - {name: ovl, driver: overlay}\nservices:\n  - {name: web, networks: [ovl], ports: ['80:80']}\n  - {name: job}\n",
        );
        let ingress = d.network_on("m", "ingress").expect("ingress");
        assert_eq!(
            d.scenario.networks[ingress].subnet.0[0].to_string(),
            "10.0.0.0/24"
        );
        let ovl = d.network_on("m", "ovl").unwrap();
        assert_eq!(
            d.scenario.networks[ovl].subnet.0[0].to_string(),
            "10.0.1.0/24"
        );
        let web = d.container_index("web.1").unwrap();
        let nets: Vec<_> = d.scenario.containers[web]
            .networks
            .iter()
            .map(|a| a.network.as_str())
            .collect();
        assert_eq!(nets, ["ingress", "ovl"]);
        let job = d.container_index("job.1").unwrap();
        assert_eq!(d.scenario.containers[job].networks[0].network, "bridge");
    }

    #[test]
    fn bridge_none_creates_no_default_network() {
        let d =
            design("name: t\nhosts:\n  - name: h\n    os: ws2019\n    docker: {bridge: none}\n");
        assert!(d.network_on("h", "nat").is_none());
    }

    #[test]
    fn fixed_cidr_sets_default_nat_prefix() {
        let d = design(
            "name: t\nhosts:\n  - name: h\n    os: ws2016\n    docker: {fixed-cidr: 10.99.0.0/16}\n",
        );
        let nat = d.network_on("h", "nat").unwrap();
        assert_eq!(
            d.scenario.networks[nat].subnet.0[0].to_string(),
            "10.99.0.0/16"
        );
    }

    #[test]
    fn linux_gets_bridge_host_none_and_ephemeral_from_32768() {
        let d = design(
            "name: t\nhosts:\n  - name: l\n    os: linux\ncontainers:\n  - name: a\n    host: l\n    ports: ['80', '8080:81']\n",
        );
        for n in ["bridge", "host", "none"] {
            assert!(d.network_on("l", n).is_some(), "{n}");
        }
        assert_eq!(d.endpoints[0].ip, Some("172.17.0.2".parse().unwrap()));
        assert_eq!(d.published[0].forward.host_ports.start, 32768);
        assert_eq!(d.published[1].forward.host_ports.start, 8080);
        assert_eq!(d.scenario.containers[0].listen.len(), 2);
    }

    #[test]
    fn services_expand_round_robin_over_swarm_nodes() {
        let d = design(
            "name: t\nhosts:\n  - {name: m, os: ws2019, swarm: manager}\n  - {name: w, os: ws2019, swarm: worker}\nnetworks:\n  - {name: ovl, driver: overlay}\nservices:\n  - {name: web, replicas: 3, networks: [ovl]}\n",
        );
        // ingress holds 10.0.0.0/24, so the first user overlay gets the next /24.
        assert_eq!(
            d.scenario.networks[0].subnet.0[0].to_string(),
            "10.0.1.0/24"
        );
        // Task by task: its node, round-robin, and its address on the overlay.
        let tasks = [("m", "10.0.1.2"), ("w", "10.0.1.3"), ("m", "10.0.1.4")];
        assert_eq!(d.scenario.containers.len(), tasks.len());
        assert_eq!(d.endpoints.len(), tasks.len());
        for (t, (host, ip)) in tasks.into_iter().enumerate() {
            assert_eq!(d.scenario.containers[t].host, host, "task {t}");
            assert_eq!(d.endpoints[t].ip, Some(ip.parse().unwrap()), "task {t}");
        }
    }

    #[test]
    fn transparent_without_dhcp_or_static_ip_is_unassigned() {
        let d = design(
            "name: t\nsegments:\n  - {name: lan, subnet: 10.0.0.0/24}\nhosts:\n  - name: h\n    os: ws2019\n    nics: [{name: Ethernet, ip: 10.0.0.10/24, segment: lan}]\nnetworks:\n  - {name: t, host: h, driver: transparent}\ncontainers:\n  - {name: a, host: h, networks: [t]}\n",
        );
        assert!(matches!(d.endpoints[0].ip_source, IpSource::Unassigned(_)));
    }

    #[test]
    fn dhcp_skips_used_addresses() {
        let d = design(
            "name: t\nsegments:\n  - {name: lan, subnet: 10.0.0.0/29, gateway: 10.0.0.1, dhcp: true, used: [10.0.0.2]}\nhosts:\n  - name: h\n    os: ws2019\n    nics: [{name: Ethernet, ip: 10.0.0.3/29, segment: lan}]\nnetworks:\n  - {name: t, host: h, driver: transparent}\ncontainers:\n  - {name: a, host: h, networks: [t]}\n",
        );
        assert_eq!(d.endpoints[0].ip, Some("10.0.0.4".parse().unwrap()));
        assert_eq!(d.endpoints[0].ip_source, IpSource::Dhcp);
    }
}
