//! Network drivers, Windows (HNS) and Linux (Docker) in one enum.
//!
//! `overlay` exists on both platforms; the behaviour is chosen by the host's OS, not by
//! the driver value. Names are parsed exactly as Docker does: lowercase only (OPT-5). A
//! name Docker does not know is kept as [`Driver::Plugin`] so that third-party plugins
//! (LNX-6) and mistyped names such as `NAT` can both be reported by the validator with
//! the location of the text, instead of failing the whole parse.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Driver {
    // Windows (HNS network types, EXT-9)
    Nat,
    Transparent,
    Overlay,
    L2bridge,
    L2tunnel,
    Ics,
    Private,
    Internal,
    // Linux (Docker)
    Bridge,
    Host,
    Macvlan,
    Ipvlan,
    None,
    /// Anything else: a third-party plugin (LNX-6), or a misspelled/miscased built-in.
    Plugin(String),
}

impl Driver {
    pub const BUILTIN: &'static [&'static str] = &[
        "nat",
        "transparent",
        "overlay",
        "l2bridge",
        "l2tunnel",
        "ics",
        "private",
        "internal",
        "bridge",
        "host",
        "macvlan",
        "ipvlan",
        "none",
    ];

    pub fn name(&self) -> &str {
        match self {
            Driver::Nat => "nat",
            Driver::Transparent => "transparent",
            Driver::Overlay => "overlay",
            Driver::L2bridge => "l2bridge",
            Driver::L2tunnel => "l2tunnel",
            Driver::Ics => "ics",
            Driver::Private => "private",
            Driver::Internal => "internal",
            Driver::Bridge => "bridge",
            Driver::Host => "host",
            Driver::Macvlan => "macvlan",
            Driver::Ipvlan => "ipvlan",
            Driver::None => "none",
            Driver::Plugin(name) => name,
        }
    }

    pub fn parse(name: &str) -> Driver {
        match name {
            "nat" => Driver::Nat,
            "transparent" => Driver::Transparent,
            "overlay" => Driver::Overlay,
            "l2bridge" => Driver::L2bridge,
            "l2tunnel" => Driver::L2tunnel,
            "ics" => Driver::Ics,
            "private" => Driver::Private,
            "internal" => Driver::Internal,
            "bridge" => Driver::Bridge,
            "host" => Driver::Host,
            "macvlan" => Driver::Macvlan,
            "ipvlan" => Driver::Ipvlan,
            "null" | "none" => Driver::None,
            other => Driver::Plugin(other.to_string()),
        }
    }

    /// Drivers HNS implements (EXT-9); they only exist on Windows hosts.
    pub fn is_windows_driver(&self) -> bool {
        matches!(
            self,
            Driver::Nat
                | Driver::Transparent
                | Driver::Overlay
                | Driver::L2bridge
                | Driver::L2tunnel
                | Driver::Ics
                | Driver::Private
                | Driver::Internal
        )
    }

    /// Drivers Docker on Linux ships.
    pub fn is_linux_driver(&self) -> bool {
        matches!(
            self,
            Driver::Bridge
                | Driver::Host
                | Driver::Overlay
                | Driver::Macvlan
                | Driver::Ipvlan
                | Driver::None
        )
    }

    /// ARCH-6: drivers whose vSwitch is external, bound to one NIC of the host.
    pub fn uses_external_vswitch(&self) -> bool {
        matches!(
            self,
            Driver::Transparent | Driver::L2bridge | Driver::L2tunnel | Driver::Overlay
        )
    }

    /// Drivers whose gateway address is the host itself: the host vNIC of a NAT or ICS
    /// network (`vEthernet (nat)`), the bridge device of a Linux bridge (`docker0`). A
    /// container reaches its host at that address; on the other drivers the gateway
    /// is a router of the LAN or of the overlay, not the host.
    pub fn gateway_is_the_host(&self) -> bool {
        matches!(self, Driver::Nat | Driver::Ics | Driver::Bridge)
    }

    /// For a [`Driver::Plugin`] whose name is a built-in in the wrong case (OPT-5),
    /// the built-in it was meant to be.
    pub fn miscased_builtin(&self) -> Option<Driver> {
        match self {
            Driver::Plugin(name) => {
                let lower = name.to_ascii_lowercase();
                (lower != *name && Self::BUILTIN.contains(&lower.as_str()))
                    .then(|| Driver::parse(&lower))
            }
            _ => None,
        }
    }
}

impl fmt::Display for Driver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Driver {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Driver {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Driver::parse(&String::deserialize(d)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn miscased_driver_is_kept_and_recognised() {
        let d = Driver::parse("NAT");
        assert_eq!(d, Driver::Plugin("NAT".into()));
        assert_eq!(d.miscased_builtin(), Some(Driver::Nat));
        assert_eq!(Driver::parse("weave").miscased_builtin(), None);
    }
}
