//! Swarm services: replicas as containers placed over the swarm nodes, and the host
//! ports of the routing mesh.

use super::implicit;
use super::ports::ports_of;
use crate::design::PortForward;
use crate::port::PortRange;
use crate::scenario::*;

pub(super) fn expand_services(s: &mut Scenario) {
    let nodes: Vec<String> = s.swarm_nodes().into_iter().map(str::to_string).collect();
    let has_ingress = s
        .networks
        .iter()
        .any(|n| n.name == "ingress" && n.host.is_none());
    // Replicas go straight into the containers, room made once: a million of them
    // built apart and then moved over were two copies at the peak.
    let Scenario {
        services,
        containers,
        ..
    } = s;
    let replicas: usize = services.iter().map(|svc| svc.replicas as usize).sum();
    containers.reserve(replicas);
    for svc in services.iter() {
        let placement = if svc.hosts.is_empty() {
            &nodes
        } else {
            &svc.hosts
        };
        if placement.is_empty() {
            continue; // validator: a service needs swarm nodes
        }
        // What every task of the service shares, worked out once: a task differs from
        // the next only by its number and its node.
        let listen = if svc.listen.is_empty() {
            svc.ports.iter().flat_map(ports_of).collect()
        } else {
            svc.listen.clone()
        };
        // A task publishing ports is on `ingress` (the routing mesh) besides its
        // networks; one that names no network and publishes nothing gets the host's
        // default network, as a standalone container would.
        let mut networks = svc.networks.clone();
        let on_ingress = !svc.ports.is_empty() && has_ingress;
        if on_ingress && !networks.iter().any(|a| a.network == "ingress") {
            networks.insert(
                0,
                Attachment {
                    network: "ingress".into(),
                    ip: None,
                    aliases: vec![],
                },
            );
        }
        let task = Container {
            name: String::new(),
            host: String::new(),
            image: None,
            isolation: svc.isolation,
            networks,
            ip: None,
            ports: vec![],
            publish_all: false,
            expose: vec![],
            listen,
            state: RunState::Running,
            untrusted: false,
            link: vec![],
            add_host: vec![],
            dns_opt: vec![],
            dns_search: vec![],
            ip6: None,
            service: Some(svc.name.clone()),
            origin: implicit(svc.origin.path.clone()),
        };
        for i in 0..svc.replicas {
            containers.push(Container {
                name: task_name(&svc.name, u64::from(i) + 1),
                host: placement[i as usize % placement.len()].clone(),
                ..task.clone()
            });
        }
    }
}

/// `NAME.N`, the name of a service's task N, written without the formatting machinery
/// (a tenth of expanding a million replicas).
fn task_name(service: &str, n: u64) -> String {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let mut name = String::with_capacity(service.len() + 1 + digits.len() - at);
    name.push_str(service);
    name.push('.');
    name.extend(digits[at..].iter().map(|&d| char::from(d)));
    name
}

/// The routing mesh's forwards of each service, in service order: `--publish 8080:80`
/// as written; `--publish 80`, for which swarm picks host ports from 30000-32767, in
/// service order here.
pub(super) fn mesh_ports(s: &Scenario) -> Vec<Vec<PortForward>> {
    let mut next: u16 = 30000;
    let mut out = Vec::with_capacity(s.services.len());
    for svc in &s.services {
        let mut list = Vec::new();
        for m in &svc.ports {
            let host_ports = match m.host_port {
                Some(h) => h,
                None => {
                    let count = m.container_port.end.saturating_sub(m.container_port.start);
                    let start = next;
                    next = next.saturating_add(count).saturating_add(1);
                    PortRange {
                        start,
                        end: start.saturating_add(count),
                    }
                }
            };
            list.push(PortForward {
                host_ip: None,
                proto: m.proto,
                container_ports: m.container_port,
                host_ports,
            });
        }
        out.push(list);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn task_names_are_service_dot_number() {
        for n in [1, 9, 10, 99, 1_000_000, u64::MAX] {
            assert_eq!(super::task_name("web", n), format!("web.{n}"));
        }
    }
}
