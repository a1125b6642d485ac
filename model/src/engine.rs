//! The Docker Engine release a Linux host runs, for the networking that changed between
//! releases. A design that does not say is modelled on Engine 20.10-24, whose behaviour
//! the Docker conformance backend checked; [`EngineVersion::internal_network_is_gateway`]
//! is what a later release changes.

use serde::{Deserialize, Serialize};
use std::fmt;

/// `docker version --format '{{.Server.Version}}'`, to its minor release.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EngineVersion {
    pub major: u32,
    pub minor: u32,
}

impl EngineVersion {
    /// Up to Engine 24, a container whose only networks are `--internal` still gets its
    /// default route through the bridge's gateway, so every address of the host answers
    /// it. From 25.0 on (moby/moby#46603, in the 25.0 release notes) an internal network
    /// is never the default gateway: the container has only its subnet's route, and of
    /// the host's addresses only the bridge's gateway address answers.
    pub fn internal_network_is_gateway(self) -> bool {
        self.major < 25
    }
}

impl fmt::Display for EngineVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl EngineVersion {
    /// `26`, `26.1`, `26.1.4`, `v26.1.4`, `20.10.24+dfsg1`, `27.0.0-rc.1`: the numbers
    /// before any suffix. Releases run from 1.x through 17.03-20.10 to 23 and later.
    pub fn read(text: &str) -> Option<EngineVersion> {
        let text = text.trim();
        let text = text.strip_prefix(['v', 'V']).unwrap_or(text);
        let end = text
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(text.len());
        let numbers = &text[..end];
        if numbers.ends_with('.') {
            return None;
        }
        let mut parts = numbers.split('.');
        let major: u32 = parts.next()?.parse().ok()?;
        let minor: u32 = match parts.next() {
            None => 0,
            Some(p) => p.parse().ok()?,
        };
        (1..100)
            .contains(&major)
            .then_some(EngineVersion { major, minor })
    }
}

/// What a refused version is told to look like.
const EXPECTED: &str = "a Docker Engine version as `docker version` prints it, e.g. \"26.1.4\" or \"20.10.24\" (quoted, so YAML keeps it a string)";

impl Serialize for EngineVersion {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for EngineVersion {
    /// A string, or a whole number (`engine: 26`); a YAML float is refused, since
    /// `20.10` would read as 20.1.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = EngineVersion;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(EXPECTED)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<EngineVersion, E> {
                EngineVersion::read(v).ok_or_else(|| E::custom(format!("`{v}` is not {EXPECTED}")))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<EngineVersion, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<EngineVersion, E> {
                Err(E::custom(format!("`{v}` is not {EXPECTED}")))
            }
        }
        d.deserialize_any(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_read_as_docker_prints_them() {
        for (text, (major, minor)) in [
            ("26.1.4", (26, 1)),
            ("20.10.24+dfsg1", (20, 10)),
            ("v27.0.0-rc.1", (27, 0)),
            ("25", (25, 0)),
            ("24.0", (24, 0)),
        ] {
            assert_eq!(
                EngineVersion::read(text),
                Some(EngineVersion { major, minor }),
                "{text}"
            );
        }
        for bad in ["", "latest", "0.9", "20.x", "123.0"] {
            assert!(EngineVersion::read(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn internal_networks_stop_being_gateways_at_25() {
        let v = |s: &str| EngineVersion::read(s).unwrap();
        assert!(v("20.10.24").internal_network_is_gateway());
        assert!(v("24.0.9").internal_network_is_gateway());
        assert!(!v("25.0.0").internal_network_is_gateway());
        assert!(!v("28.2.2").internal_network_is_gateway());
    }

    #[test]
    fn a_yaml_float_is_refused_and_an_integer_read() {
        #[derive(Deserialize)]
        struct H {
            engine: EngineVersion,
        }
        let h: H = serde_yaml_ng::from_str("engine: 26").unwrap();
        assert_eq!(h.engine.to_string(), "26.0");
        let h: H = serde_yaml_ng::from_str("engine: \"20.10\"").unwrap();
        assert_eq!(h.engine.to_string(), "20.10");
        let err = serde_yaml_ng::from_str::<H>("engine: 20.10").err().unwrap();
        assert!(err.to_string().contains("quoted"), "{err}");
    }
}
