//! Port mappings in `docker run -p` syntax and listening ports.
//!
//! The text is kept as Docker accepts it (`8080:80`, `80`, `8080:80/udp`,
//! `127.0.0.1:8080:80`, `8000-8001:80-81`) so that the validator can point at what
//! Windows refuses (EXT-7: host IPs, several host ports per mapping, protocols other than
//! TCP/UDP) instead of the parser rejecting it.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    Tcp,
    Udp,
    Sctp,
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
            Protocol::Sctp => "sctp",
        })
    }
}

impl FromStr for Protocol {
    type Err = PortError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "tcp" => Ok(Protocol::Tcp),
            "udp" => Ok(Protocol::Udp),
            "sctp" => Ok(Protocol::Sctp),
            _ => Err(PortError::Protocol(s.to_string())),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PortError {
    #[error("unknown protocol `{0}`; use tcp, udp or sctp")]
    Protocol(String),
    #[error("`{0}` is not a port number (1-65535)")]
    Number(String),
    #[error("`{0}` is not a port range: the end is below the start")]
    Range(String),
    #[error("`{0}` is not a port mapping; write [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTO], e.g. 8080:80 or 53:53/udp")]
    Shape(String),
}

/// Inclusive port range; a single port has `start == end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PortRange {
    pub start: u16,
    pub end: u16,
}

impl PortRange {
    pub fn single(port: u16) -> Self {
        PortRange {
            start: port,
            end: port,
        }
    }
    /// Number of ports in the range (never zero).
    pub fn count(&self) -> u32 {
        u32::from(self.end) - u32::from(self.start) + 1
    }
    pub fn is_single(&self) -> bool {
        self.start == self.end
    }
    pub fn contains(&self, port: u16) -> bool {
        (self.start..=self.end).contains(&port)
    }
}

impl fmt::Display for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_single() {
            write!(f, "{}", self.start)
        } else {
            write!(f, "{}-{}", self.start, self.end)
        }
    }
}

impl FromStr for PortRange {
    type Err = PortError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let number = |t: &str| -> Result<u16, PortError> {
            t.trim()
                .parse::<u16>()
                .ok()
                .filter(|p| *p != 0)
                .ok_or_else(|| PortError::Number(t.to_string()))
        };
        match s.split_once('-') {
            Some((a, b)) => {
                let (start, end) = (number(a)?, number(b)?);
                if end < start {
                    return Err(PortError::Range(s.to_string()));
                }
                Ok(PortRange { start, end })
            }
            None => Ok(PortRange::single(number(s)?)),
        }
    }
}

/// A port and protocol a container listens on or exposes: `80`, `tcp/80`, `80/tcp`, `udp/53`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PortProto {
    pub proto: Protocol,
    pub port: u16,
}

impl fmt::Display for PortProto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.proto, self.port)
    }
}

impl FromStr for PortProto {
    type Err = PortError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let (proto, port) = match s.split_once('/') {
            Some((a, b)) if a.parse::<u16>().is_ok() => (b.parse()?, a),
            Some((a, b)) => (a.parse()?, b),
            None => (Protocol::Tcp, s),
        };
        let port = port
            .parse::<u16>()
            .ok()
            .filter(|p| *p != 0)
            .ok_or_else(|| PortError::Number(port.to_string()))?;
        Ok(PortProto { proto, port })
    }
}

/// One `-p` argument.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PortMapping {
    pub host_ip: Option<IpAddr>,
    /// `None` for `-p C`: Docker picks an ephemeral host port (NAT-9).
    pub host_port: Option<PortRange>,
    pub container_port: PortRange,
    pub proto: Protocol,
}

impl fmt::Display for PortMapping {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(ip) = self.host_ip {
            match ip {
                IpAddr::V6(v6) => write!(f, "[{v6}]:")?,
                IpAddr::V4(v4) => write!(f, "{v4}:")?,
            }
            if self.host_port.is_none() {
                f.write_str(":")?;
            }
        }
        if let Some(h) = self.host_port {
            write!(f, "{h}:")?;
        }
        write!(f, "{}", self.container_port)?;
        if self.proto != Protocol::Tcp {
            write!(f, "/{}", self.proto)?;
        }
        Ok(())
    }
}

impl FromStr for PortMapping {
    type Err = PortError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let shape = || PortError::Shape(text.to_string());
        let s = text.trim();
        let (spec, proto) = match s.rsplit_once('/') {
            Some((spec, proto)) => (spec, proto.parse()?),
            None => (s, Protocol::Tcp),
        };
        // An IPv6 host address is written in brackets: [::1]:8080:80
        let (host_ip, rest) = if let Some(after) = spec.strip_prefix('[') {
            let (ip, rest) = after.split_once("]:").ok_or_else(shape)?;
            (Some(ip.parse::<IpAddr>().map_err(|_| shape())?), rest)
        } else {
            let parts: Vec<&str> = spec.split(':').collect();
            match parts.len() {
                1 | 2 => (None, spec),
                3 => {
                    let ip = parts[0].parse::<IpAddr>().map_err(|_| shape())?;
                    (Some(ip), &spec[parts[0].len() + 1..])
                }
                _ => return Err(shape()),
            }
        };
        let (host_port, container) = match rest.split_once(':') {
            Some(("", c)) => (None, c),
            Some((h, c)) => (Some(h.parse::<PortRange>()?), c),
            None => (None, rest),
        };
        if container.is_empty() {
            return Err(shape());
        }
        Ok(PortMapping {
            host_ip,
            host_port,
            container_port: container.parse()?,
            proto,
        })
    }
}

impl PortMapping {
    /// Each container port of the mapping with its protocol: what the container
    /// listens on for it.
    pub fn container_ports(&self) -> impl Iterator<Item = PortProto> {
        let proto = self.proto;
        (self.container_port.start..=self.container_port.end)
            .map(move |port| PortProto { proto, port })
    }
}

macro_rules! serde_via_str {
    ($t:ty) => {
        impl Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                #[derive(Deserialize)]
                #[serde(untagged)]
                enum Text {
                    S(String),
                    N(u64),
                }
                let text = match Text::deserialize(d)? {
                    Text::S(s) => s,
                    Text::N(n) => n.to_string(),
                };
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}
serde_via_str!(PortMapping);
serde_via_str!(PortProto);
serde_via_str!(PortRange);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_forms_parse() {
        let m: PortMapping = "8080:80".parse().unwrap();
        assert_eq!(m.host_port, Some(PortRange::single(8080)));
        assert_eq!(m.container_port, PortRange::single(80));
        assert_eq!(m.proto, Protocol::Tcp);
        let m: PortMapping = "80".parse().unwrap();
        assert_eq!(m.host_port, None);
        let m: PortMapping = "53:53/udp".parse().unwrap();
        assert_eq!(m.proto, Protocol::Udp);
        let m: PortMapping = "127.0.0.1:8080:80".parse().unwrap();
        assert_eq!(m.host_ip, Some("127.0.0.1".parse().unwrap()));
        let m: PortMapping = "127.0.0.1::80".parse().unwrap();
        assert_eq!(m.host_port, None);
        let m: PortMapping = "[::1]:8080:80".parse().unwrap();
        assert!(m.host_ip.unwrap().is_ipv6());
        let m: PortMapping = "8000-8001:80-81".parse().unwrap();
        assert_eq!(m.host_port.unwrap().count(), 2);
        assert!("a:b".parse::<PortMapping>().is_err());
        assert!("80/icmp".parse::<PortMapping>().is_err());
        assert!("0".parse::<PortMapping>().is_err());
    }

    #[test]
    fn display_round_trips() {
        for t in [
            "8080:80",
            "80",
            "53:53/udp",
            "127.0.0.1:8080:80",
            "127.0.0.1::80",
            "[::1]:8080:80",
            "8000-8001:80-81",
        ] {
            let m: PortMapping = t.parse().unwrap();
            assert_eq!(m.to_string(), t);
        }
    }

    #[test]
    fn port_proto_accepts_both_orders() {
        assert_eq!(
            "tcp/80".parse::<PortProto>().unwrap(),
            "80/tcp".parse().unwrap()
        );
        assert_eq!("80".parse::<PortProto>().unwrap().proto, Protocol::Tcp);
        assert_eq!("udp/53".parse::<PortProto>().unwrap().proto, Protocol::Udp);
    }
}
