//! Host operating systems, ordered by Windows build number.
//!
//! Behaviour in HNS changes with the build (one NAT prefix on 14393, NAT networks that no
//! longer survive a reboot from 17763, VFP outbound NAT for overlay from 17763, ...), so
//! every version-dependent rule asks the [`OsVersion`] a question instead of comparing
//! names. The questions live here so the version boundaries are written down once.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Windows 10 Creators Update: first client build with several NAT networks (NAT-11, EXT-1)
/// and with l2bridge (L2B-5).
pub const WIN10_CREATORS_UPDATE: u32 = 15063;
/// Windows Server 2016 / 1607.
pub const WS2016_BUILD: u32 = 14393;
/// Windows Server 1803: WinNAT loopback to published ports via localhost (EXT-2).
pub const WS1803_BUILD: u32 = 17134;
/// Windows Server 2019 / 1809.
pub const WS2019_BUILD: u32 = 17763;

/// The host OS a scenario names. Written in scenarios as `ws2016`, `ws1709`, `ws1803`,
/// `ws2019` (or `ws1809`), `ws2022`, `ws2025`, `win10-<build>` and `linux`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OsVersion {
    Ws2016,
    Ws1709,
    Ws1803,
    Ws2019,
    Ws2022,
    Ws2025,
    /// Windows 10 (client) with its build number, e.g. 15063 for the Creators Update.
    Win10 {
        build: u32,
    },
    Linux,
}

impl OsVersion {
    pub const ALL_NAMES: &'static [&'static str] = &[
        "ws2016",
        "ws1709",
        "ws1803",
        "ws2019",
        "ws1809",
        "ws2022",
        "ws2025",
        "win10-<build>",
        "linux",
    ];

    pub fn is_windows(self) -> bool {
        !matches!(self, OsVersion::Linux)
    }

    pub fn is_windows_server(self) -> bool {
        self.is_windows() && !matches!(self, OsVersion::Win10 { .. })
    }

    /// Windows build number; `None` for Linux.
    pub fn build(self) -> Option<u32> {
        match self {
            OsVersion::Ws2016 => Some(WS2016_BUILD),
            OsVersion::Ws1709 => Some(16299),
            OsVersion::Ws1803 => Some(WS1803_BUILD),
            OsVersion::Ws2019 => Some(WS2019_BUILD),
            OsVersion::Ws2022 => Some(20348),
            OsVersion::Ws2025 => Some(26100),
            OsVersion::Win10 { build } => Some(build),
            OsVersion::Linux => None,
        }
    }

    fn build_at_least(self, min: u32) -> bool {
        self.build().is_some_and(|b| b >= min)
    }

    /// NAT-11, EXT-1: WS2016 has one internal NAT prefix; from Windows 10 Creators Update
    /// (and so every later server release) several NAT networks can coexist.
    pub fn supports_multiple_nat_networks(self) -> bool {
        self.build_at_least(WIN10_CREATORS_UPDATE)
    }

    /// NAT-13: NAT networks created on Windows Server 2019 and later are not persisted by
    /// HNS; after a reboot only the default `nat` network is recreated by Docker.
    pub fn nat_networks_survive_reboot(self) -> bool {
        !(self.is_windows_server() && self.build_at_least(WS2019_BUILD))
    }

    /// EXT-2: `localhost:<published port>` from the container host works from 1803 on.
    pub fn supports_nat_localhost_loopback(self) -> bool {
        self.build_at_least(WS1803_BUILD)
    }

    /// OVL-3: overlay endpoints get outbound connectivity from VFP NAT rules from WS2019
    /// on; WS2016 needs a second endpoint on a NAT network.
    pub fn overlay_has_vfp_outbound_nat(self) -> bool {
        self.build_at_least(WS2019_BUILD)
    }

    /// L2B-3: multi-node cross-subnet l2bridge traffic is routed via the management vNIC
    /// from Windows Server 1809 on.
    pub fn l2bridge_routes_cross_subnet_between_nodes(self) -> bool {
        self.build_at_least(WS2019_BUILD)
    }

    /// L2B-5: l2bridge needs WS2016 or Windows 10 Creators Update or later.
    pub fn supports_l2bridge(self) -> bool {
        match self {
            OsVersion::Win10 { build } => build >= WIN10_CREATORS_UPDATE,
            OsVersion::Linux => false,
            _ => true,
        }
    }

    /// NAT-10: from WS2016 TP5 (build 14300) each port mapping adds a host-wide firewall rule.
    pub fn port_mapping_creates_firewall_rule(self) -> bool {
        self.build_at_least(14300)
    }
}

impl fmt::Display for OsVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OsVersion::Ws2016 => f.write_str("ws2016"),
            OsVersion::Ws1709 => f.write_str("ws1709"),
            OsVersion::Ws1803 => f.write_str("ws1803"),
            OsVersion::Ws2019 => f.write_str("ws2019"),
            OsVersion::Ws2022 => f.write_str("ws2022"),
            OsVersion::Ws2025 => f.write_str("ws2025"),
            OsVersion::Win10 { build } => write!(f, "win10-{build}"),
            OsVersion::Linux => f.write_str("linux"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown OS version `{0}`; expected one of ws2016, ws1709, ws1803, ws2019 (= ws1809), ws2022, ws2025 (also written `Windows Server 2022` or `ltsc2022`), win10-<build> (e.g. win10-15063) or linux")]
pub struct UnknownOs(pub String);

impl FromStr for OsVersion {
    type Err = UnknownOs;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        if let Some(build) = lower
            .strip_prefix("win10-")
            .or_else(|| lower.strip_prefix("win10/"))
        {
            let build = build.parse::<u32>().map_err(|_| UnknownOs(s.to_string()))?;
            return Ok(OsVersion::Win10 { build });
        }
        named_release(&lower).ok_or_else(|| UnknownOs(s.to_string()))
    }
}

/// The spellings people write for a release, besides the canonical `ws2022`: the
/// product name (`Windows Server 2022`, `windows-server-2022`), the container image tag
/// (`ltsc2022`), the release id (`1809`) or the year alone; and for Linux, the name of a
/// distribution (Docker's Linux networking does not depend on which).
fn named_release(lower: &str) -> Option<OsVersion> {
    let squashed: String = lower
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_' | '.'))
        .collect();
    const LINUX: &[&str] = &[
        "linux",
        "ubuntu",
        "debian",
        "centos",
        "rhel",
        "redhat",
        "fedora",
        "rocky",
        "alma",
        "alpine",
        "amazonlinux",
        "suse",
        "opensuse",
        "sles",
        "arch",
    ];
    if LINUX.iter().any(|d| squashed.starts_with(d)) {
        return Some(OsVersion::Linux);
    }
    let release = [
        "windowsserver",
        "winserver",
        "server",
        "ws",
        "ltsc",
        "windows",
    ]
    .iter()
    .find_map(|prefix| squashed.strip_prefix(prefix))
    .unwrap_or(&squashed);
    let release = release.strip_prefix("ltsc").unwrap_or(release);
    Some(match release {
        "2016" | "1607" => OsVersion::Ws2016,
        "1709" => OsVersion::Ws1709,
        "1803" => OsVersion::Ws1803,
        "2019" | "1809" => OsVersion::Ws2019,
        "2022" => OsVersion::Ws2022,
        "2025" => OsVersion::Ws2025,
        _ => return None,
    })
}

impl Serialize for OsVersion {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for OsVersion {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        let names = OsVersion::ALL_NAMES
            .iter()
            .filter(|n| **n != "ws1809")
            .map(|n| n.replace("<build>", "15063"));
        for name in names {
            let os: OsVersion = name.parse().unwrap();
            assert_eq!(os.to_string(), name);
        }
        assert_eq!("ws1809".parse::<OsVersion>().unwrap(), OsVersion::Ws2019);
        assert!("ws2012".parse::<OsVersion>().is_err());
    }

    #[test]
    fn product_names_image_tags_and_distributions_are_understood() {
        for (written, os) in [
            ("Windows Server 2022", OsVersion::Ws2022),
            ("windows-server-2019", OsVersion::Ws2019),
            ("WindowsServer2016", OsVersion::Ws2016),
            ("ltsc2022", OsVersion::Ws2022),
            ("Server 2025", OsVersion::Ws2025),
            ("windows server 1809", OsVersion::Ws2019),
            ("2019", OsVersion::Ws2019),
            ("WS-2022", OsVersion::Ws2022),
            ("Ubuntu 22.04", OsVersion::Linux),
            ("debian", OsVersion::Linux),
            ("win10-17763", OsVersion::Win10 { build: 17763 }),
        ] {
            assert_eq!(written.parse::<OsVersion>(), Ok(os), "{written}");
        }
        for unknown in [
            "windows",
            "Windows Server 2012 R2",
            "win10-latest",
            "server",
            "2023",
            "",
        ] {
            assert!(unknown.parse::<OsVersion>().is_err(), "{unknown}");
        }
    }

    #[test]
    fn version_boundaries_follow_the_facts() {
        assert!(!OsVersion::Ws2016.supports_multiple_nat_networks());
        assert!(OsVersion::Win10 { build: 15063 }.supports_multiple_nat_networks());
        assert!(!OsVersion::Win10 { build: 14393 }.supports_multiple_nat_networks());
        assert!(OsVersion::Ws2016.nat_networks_survive_reboot());
        assert!(!OsVersion::Ws2019.nat_networks_survive_reboot());
        assert!(!OsVersion::Ws2016.overlay_has_vfp_outbound_nat());
        assert!(OsVersion::Ws2022.overlay_has_vfp_outbound_nat());
        assert!(!OsVersion::Ws2016.supports_nat_localhost_loopback());
        assert!(OsVersion::Ws1803.supports_nat_localhost_loopback());
        assert!(!OsVersion::Win10 { build: 14393 }.supports_l2bridge());
    }
}
