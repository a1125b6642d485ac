//! What is sent: ICMP echo, or a TCP/UDP packet to a port.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What is sent: an ICMP echo, or a TCP/UDP packet to a destination port.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Probe {
    Icmp,
    Tcp(u16),
    Udp(u16),
}

impl Probe {
    /// The destination port of a TCP or UDP probe.
    pub fn port(self) -> Option<u16> {
        match self {
            Probe::Icmp => None,
            Probe::Tcp(p) | Probe::Udp(p) => Some(p),
        }
    }
}

impl fmt::Display for Probe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Probe::Icmp => f.write_str("icmp"),
            Probe::Tcp(p) => write!(f, "tcp/{p}"),
            Probe::Udp(p) => write!(f, "udp/{p}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a probe; write icmp, tcp/PORT or udp/PORT")]
pub struct BadProbe(pub String);

impl FromStr for Probe {
    type Err = BadProbe;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadProbe(s.to_string());
        let lower = s.trim().to_ascii_lowercase();
        if lower == "icmp" || lower == "ping" {
            return Ok(Probe::Icmp);
        }
        let (proto, port) = lower.split_once('/').ok_or_else(bad)?;
        // Accept both tcp/80 and 80/tcp.
        let (proto, port) = if proto.parse::<u16>().is_ok() {
            (port, proto)
        } else {
            (proto, port)
        };
        let port: u16 = port.parse().ok().filter(|p| *p != 0).ok_or_else(bad)?;
        match proto {
            "tcp" => Ok(Probe::Tcp(port)),
            "udp" => Ok(Probe::Udp(port)),
            _ => Err(bad()),
        }
    }
}

impl Serialize for Probe {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Probe {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}
