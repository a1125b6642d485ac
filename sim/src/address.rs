//! From an answer's address template to the [`Address`] a user types, for one concrete
//! source/destination pair.

use crate::matrix::{Address, AddressKind};
use crate::path::AddrT;
use std::net::IpAddr;

/// The concrete address: `ip` is the destination endpoint's IP for a container-IP
/// template; `name` is the resolved DNS name, if any.
pub fn instantiate(t: &AddrT, dst_ip: Option<IpAddr>, name: Option<String>) -> Option<Address> {
    match t {
        AddrT::ContainerIp { port } => {
            let ip = dst_ip?;
            Some(Address {
                kind: AddressKind::ContainerIp,
                value: with_port(ip, *port),
                ip: Some(ip),
                port: *port,
                name,
            })
        }
        AddrT::Fixed {
            kind,
            value,
            ip,
            port,
        } => Some(Address {
            kind: *kind,
            value: value.clone(),
            ip: *ip,
            port: *port,
            name,
        }),
    }
}

/// `10.0.0.5:80`, `[fd00::5]:80`, or the bare IP.
pub fn with_port(ip: IpAddr, port: Option<u16>) -> String {
    match (ip, port) {
        (IpAddr::V4(v4), Some(p)) => format!("{v4}:{p}"),
        (IpAddr::V6(v6), Some(p)) => format!("[{v6}]:{p}"),
        (ip, None) => ip.to_string(),
    }
}
