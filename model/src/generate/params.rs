//! What a generated design is made of ([`Params`]), the OS versions and drivers it
//! writes, and the limits that keep what it writes valid.

use super::GenerateError;

/// What a design is made of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Params {
    pub name: String,
    pub hosts: usize,
    /// Given to the hosts in turn.
    pub os: Vec<Os>,
    pub drivers: Vec<Driver>,
    /// Networks of each driver per host (overlay: in all).
    pub networks: usize,
    /// Containers, spread over every host's networks in turn.
    pub endpoints: usize,
    pub services: usize,
    pub replicas: usize,
    /// Containers per nat or bridge network that publish a port.
    pub publish: usize,
    pub seed: u64,
    /// Timeline steps, applied in order after the initial design.
    pub steps: Vec<GenStep>,
}

/// A timeline step of a generated design, on container `c<i>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GenStep {
    Stop(usize),
    Start(usize),
    Remove(usize),
    /// `docker run` again of a container removed before, as it was.
    Run(usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Os {
    Ws2016,
    Ws2019,
    Ws2022,
    Ws2025,
    Linux,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Driver {
    Nat,
    Transparent,
    L2bridge,
    Bridge,
    Macvlan,
    Overlay,
}

impl Os {
    pub const ALL: [Os; 5] = [Os::Ws2016, Os::Ws2019, Os::Ws2022, Os::Ws2025, Os::Linux];

    pub fn parse(s: &str) -> Option<Os> {
        Os::ALL
            .into_iter()
            .find(|o| o.name().eq_ignore_ascii_case(s.trim()))
    }
    pub fn name(self) -> &'static str {
        match self {
            Os::Ws2016 => "ws2016",
            Os::Ws2019 => "ws2019",
            Os::Ws2022 => "ws2022",
            Os::Ws2025 => "ws2025",
            Os::Linux => "linux",
        }
    }
    pub fn windows(self) -> bool {
        self != Os::Linux
    }
    /// The update overlay networking needs (OVL-4), where there is one.
    pub(super) fn overlay_update(self) -> Option<&'static str> {
        match self {
            Os::Ws2016 => Some("KB4015217"),
            Os::Ws2019 => Some("KB4489899"),
            _ => None,
        }
    }
}

impl Driver {
    pub const ALL: [Driver; 6] = [
        Driver::Nat,
        Driver::Transparent,
        Driver::L2bridge,
        Driver::Bridge,
        Driver::Macvlan,
        Driver::Overlay,
    ];

    pub fn parse(s: &str) -> Option<Driver> {
        Driver::ALL
            .into_iter()
            .find(|d| d.name().eq_ignore_ascii_case(s.trim()))
    }
    pub fn name(self) -> &'static str {
        match self {
            Driver::Nat => "nat",
            Driver::Transparent => "transparent",
            Driver::L2bridge => "l2bridge",
            Driver::Bridge => "bridge",
            Driver::Macvlan => "macvlan",
            Driver::Overlay => "overlay",
        }
    }
    /// Whether a host of `os` has this driver (overlay is not per host).
    pub fn on(self, os: Os) -> bool {
        match self {
            Driver::Nat | Driver::Transparent | Driver::L2bridge => os.windows(),
            Driver::Bridge | Driver::Macvlan => !os.windows(),
            Driver::Overlay => false,
        }
    }
    /// Whether containers on it publish ports (WinNAT, DNAT).
    pub(super) fn publishes(self) -> bool {
        matches!(self, Driver::Nat | Driver::Bridge)
    }
}

impl Params {
    /// `Ok` when the parameters make a valid design; else what is wrong and how to fix
    /// it.
    pub fn check(&self) -> Result<(), GenerateError> {
        let bad = |why: String| Err(GenerateError(why));
        if self.hosts == 0 || self.os.is_empty() {
            return bad("--hosts 0: a design needs at least one host".into());
        }
        if self.endpoints > 0 && self.slots().is_empty() {
            return bad(format!(
                "--endpoints {}: no host has a network to put them on (--drivers {} on {}); give drivers the hosts' OS has, or --networks 1 or more",
                self.endpoints,
                self.drivers.iter().map(|d| d.name()).collect::<Vec<_>>().join(","),
                self.os.iter().map(|o| o.name()).collect::<Vec<_>>().join(",")
            ));
        }
        if self.drivers.contains(&Driver::Nat) && self.networks > 8 {
            return bad(format!("--networks {}: at most 8 nat networks per host (WinNAT's share its 172.16.0.0/12 prefix, one /16 each)", self.networks));
        }
        if self.networks > 32 {
            return bad(format!("--networks {}: at most 32 networks of a driver per host (one /16 each in 100.64.0.0/10)", self.networks));
        }
        if self.hosts > 50_000 {
            return bad(format!(
                "--hosts {}: at most 50000 hosts (one LAN /16)",
                self.hosts
            ));
        }
        Ok(())
    }

    pub(super) fn os_of(&self, h: usize) -> Os {
        self.os[h % self.os.len()]
    }

    /// The (host, driver, network index) every container is put on in turn.
    pub(super) fn slots(&self) -> Vec<(usize, Driver, usize)> {
        let mut out = Vec::new();
        for h in 0..self.hosts {
            let os = self.os_of(h);
            for &d in &self.drivers {
                if d.on(os) {
                    out.extend((0..self.count(d, os)).map(|k| (h, d, k)));
                }
            }
        }
        if self.drivers.contains(&Driver::Overlay) {
            for k in 0..self.networks {
                for h in 0..self.hosts {
                    out.push((h, Driver::Overlay, k));
                }
            }
        }
        out
    }

    /// How many networks of driver `d` a host of `os` gets: WS2016 has one NAT prefix
    /// and so one nat network (NAT-11).
    pub(super) fn count(&self, d: Driver, os: Os) -> usize {
        if d == Driver::Nat && os == Os::Ws2016 {
            self.networks.min(1)
        } else {
            self.networks
        }
    }

    /// Host `h`'s networks bound to an external vSwitch, in NIC order.
    pub(super) fn external(&self, h: usize) -> Vec<(Driver, usize)> {
        let os = self.os_of(h);
        self.drivers
            .iter()
            .filter(|d| matches!(d, Driver::Transparent | Driver::L2bridge) && d.on(os))
            .flat_map(|&d| (0..self.networks).map(move |k| (d, k)))
            .collect()
    }

    pub(super) fn swarm(&self) -> bool {
        self.services > 0 || self.drivers.contains(&Driver::Overlay)
    }
}
