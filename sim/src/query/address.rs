//! Flows named by address, as people paste them: `10.0.0.10:8080`, `172.16.0.2`,
//! `[fd00::5]:80`. An address is whichever node owns it; a host address and port is
//! the container a port mapping there forwards to; an address on a segment that no
//! node owns is a machine there (the query adds it as a client); any other public
//! address is the internet.

use hnsim_model::{Design, PortProto, Protocol};
use std::net::{IpAddr, SocketAddr};

/// `IP` or `IP:PORT` (`[v6]:PORT`); `None` when the text is no address (a name).
pub fn parse(text: &str) -> Option<(IpAddr, Option<u16>)> {
    let t = text.trim();
    if let Ok(ip) = t.parse::<IpAddr>() {
        return Some((ip, None));
    }
    t.parse::<SocketAddr>()
        .ok()
        .map(|s| (s.ip(), Some(s.port())))
}

/// A port mapping on host `h` that `ip:port` (`proto`) arrives at: the container it
/// forwards to and the container port.
pub struct Mapped {
    pub container: usize,
    pub port: PortProto,
}

/// The mapping of `proto`/`port` on host `h` at address `ip`, with its container port.
pub fn mapping(d: &Design, h: usize, ip: IpAddr, proto: Protocol, port: u16) -> Option<Mapped> {
    d.published.iter().find_map(|p| {
        let f = &p.forward;
        let bound = p.host == Some(h) && f.binds(ip);
        let container_port = container_port(f, proto, port).filter(|_| bound)?;
        Some(Mapped {
            container: p.container,
            port: PortProto {
                proto,
                port: container_port,
            },
        })
    })
}

/// The container port a forward maps host port `port` to, if it covers it.
fn container_port(f: &hnsim_model::PortForward, proto: Protocol, port: u16) -> Option<u16> {
    let covers = f.proto == proto && port >= f.host_ports.start && port <= f.host_ports.end;
    covers.then(|| {
        if f.container_ports.start == f.container_ports.end {
            f.container_ports.start
        } else {
            f.container_ports.start + (port - f.host_ports.start)
        }
    })
}

/// A swarm routing-mesh port: published by a service on every swarm node, received by
/// one of its replicas (the first found; the engine decides whether it gets there).
pub fn mesh_port<'a>(
    forwards: impl Iterator<Item = (usize, &'a [hnsim_model::PortForward])>,
    proto: Protocol,
    port: u16,
) -> Option<(usize, PortProto)> {
    for (node, list) in forwards {
        if let Some(p) = list.iter().find_map(|f| container_port(f, proto, port)) {
            return Some((node, PortProto { proto, port: p }));
        }
    }
    None
}

/// The host whose NIC has address `ip`.
pub fn host_with(d: &Design, ip: IpAddr) -> Option<usize> {
    d.scenario
        .hosts
        .iter()
        .position(|h| h.nics.iter().any(|n| n.ip.addr() == ip))
}

/// The segment whose subnet holds `ip`.
pub fn segment_with(d: &Design, ip: IpAddr) -> Option<String> {
    d.scenario
        .segments
        .iter()
        .find(|s| s.subnet.contains(&ip))
        .map(|s| s.name.clone())
}

/// An address of the public internet: not private, loopback, link-local or the like.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.octets()[0] == 100 && (v4.octets()[1] & 0xC0) == 64)
        }
        IpAddr::V6(v6) => {
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (v6.segments()[0] & 0xfe00) == 0xfc00
                || (v6.segments()[0] & 0xffc0) == 0xfe80)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_parse_with_and_without_port() {
        assert_eq!(
            parse("10.0.0.10:8080"),
            Some(("10.0.0.10".parse().unwrap(), Some(8080)))
        );
        assert_eq!(
            parse("172.16.0.2"),
            Some(("172.16.0.2".parse().unwrap(), None))
        );
        assert_eq!(
            parse("[fd00::5]:80"),
            Some(("fd00::5".parse().unwrap(), Some(80)))
        );
        assert_eq!(parse("web@nat"), None);
        assert!(is_public("8.8.8.8".parse().unwrap()));
        assert!(!is_public("100.64.1.1".parse().unwrap()));
        assert!(!is_public("192.168.1.5".parse().unwrap()));
    }
}
