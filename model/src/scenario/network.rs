//! vSwitches and networks, with the Windows shim options (ARCH-6, OPT-1..4, EXT-8).

use super::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VSwitchKind {
    Internal,
    External,
    Private,
}

/// A Hyper-V vSwitch created out of band (Hyper-V Manager / PowerShell), TRANS-7.
#[skip_serializing_none]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct VSwitch {
    pub name: String,
    pub host: String,
    pub kind: VSwitchKind,
    pub nic: Option<String>,
    /// False when created while Docker was running and neither hns nor docker was
    /// restarted since (TRANS-7).
    #[serde(default = "yes", skip_serializing_if = "Clone::clone")]
    pub visible_to_docker: bool,
    #[serde(skip)]
    pub origin: Origin,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    #[default]
    Local,
    Swarm,
}

/// Accepts `subnet: X` or `subnet: [X, Y]`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Subnets(pub Vec<IpNet>);

impl Serialize for Subnets {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0.as_slice() {
            [one] => one.serialize(s),
            many => many.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Subnets {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum OneOrMany {
            One(IpNet),
            Many(Vec<IpNet>),
        }
        Ok(
            match OneOrMany::deserialize(d).map_err(|_| {
                serde::de::Error::custom("expected a CIDR such as 172.16.1.0/24 or a list of them")
            })? {
                OneOrMany::One(n) => Subnets(vec![n]),
                OneOrMany::Many(v) => Subnets(v),
            },
        )
    }
}

/// Option keys of the Windows shim driver (OPT-1..4, EXT-8).
pub mod shim {
    pub const PREFIX: &str = "com.docker.network.windowsshim.";
    pub const NETWORKNAME: &str = "com.docker.network.windowsshim.networkname";
    pub const INTERFACE: &str = "com.docker.network.windowsshim.interface";
    pub const VLANID: &str = "com.docker.network.windowsshim.vlanid";
    pub const VSID: &str = "com.docker.network.windowsshim.vsid";
    pub const DNSSUFFIX: &str = "com.docker.network.windowsshim.dnssuffix";
    pub const DNSSERVERS: &str = "com.docker.network.windowsshim.dnsservers";
    pub const HNSID: &str = "com.docker.network.windowsshim.hnsid";
    pub const MACPOOL: &str = "com.docker.network.windowsshim.macpool";
    pub const SOURCEMAC: &str = "com.docker.network.windowsshim.sourcemac";
    pub const DISABLE_ICC: &str = "com.docker.network.windowsshim.disableicc";
    pub const DISABLE_DNS: &str = "com.docker.network.windowsshim.disable_dns";
    pub const DISABLE_GATEWAY_DNS: &str = "com.docker.network.windowsshim.disable_gatewaydns";
    pub const ENABLE_OUTBOUNDNAT: &str = "com.docker.network.windowsshim.enable_outboundnat";
    pub const OUTBOUNDNAT_EXCEPTIONS: &str =
        "com.docker.network.windowsshim.outboundnat_exceptions";
    /// Every key the Windows driver knows.
    pub const KNOWN: &[&str] = &[
        NETWORKNAME,
        INTERFACE,
        VLANID,
        VSID,
        DNSSUFFIX,
        DNSSERVERS,
        HNSID,
        MACPOOL,
        SOURCEMAC,
        DISABLE_ICC,
        DISABLE_DNS,
        DISABLE_GATEWAY_DNS,
        ENABLE_OUTBOUNDNAT,
        OUTBOUNDNAT_EXCEPTIONS,
    ];
    /// Linux macvlan/ipvlan parent interface.
    pub const PARENT: &str = "parent";
    /// `--opt encrypted` (overlay IPsec), refused on Windows (EXT-6).
    pub const ENCRYPTED: &str = "encrypted";
}

#[skip_serializing_none]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Network {
    pub name: String,
    /// Host the network lives on. Omitted for swarm-scoped networks (overlay), which
    /// exist on every swarm node that runs a task attached to them.
    pub host: Option<String>,
    pub driver: Driver,
    #[serde(default, skip_serializing_if = "is_default")]
    pub subnet: Subnets,
    pub gateway: Option<IpAddr>,
    /// VLAN ID (OPT-3); same as option `com.docker.network.windowsshim.vlanid`.
    pub vlan: Option<u16>,
    /// VXLAN VNI / VSID (EXT-4, EXT-8); same as option `...windowsshim.vsid`.
    pub vni: Option<u32>,
    /// Driver options (`-o key=value`), with Docker's exact keys.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub options: BTreeMap<String, String>,
    pub scope: Option<Scope>,
    /// `--attachable` (swarm overlay usable by standalone containers).
    #[serde(default, skip_serializing_if = "is_false")]
    pub attachable: bool,
    // Flags Docker accepts on Linux but Windows refuses (OPT-6, EXT-6); kept so the
    // validator can point at them.
    #[serde(default, skip_serializing_if = "is_false")]
    pub internal: bool,
    pub ip_range: Option<IpNet>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub aux_address: BTreeMap<String, IpAddr>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub ipv6: bool,
    pub ipam_driver: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub ipam_opt: BTreeMap<String, String>,
    #[serde(skip)]
    pub origin: Origin,
}

impl Network {
    /// A network with a name and a driver and everything else as Docker leaves it when
    /// not told (no host: swarm-scoped until a host is set); the importer and the
    /// resolver fill in the rest.
    pub fn named(name: &str, driver: Driver) -> Network {
        Network {
            name: name.to_string(),
            host: None,
            driver,
            subnet: Subnets::default(),
            gateway: None,
            vlan: None,
            vni: None,
            options: BTreeMap::new(),
            scope: None,
            attachable: false,
            internal: false,
            ip_range: None,
            aux_address: BTreeMap::new(),
            ipv6: false,
            ipam_driver: None,
            ipam_opt: BTreeMap::new(),
            origin: Origin::default(),
        }
    }
    pub fn option(&self, key: &str) -> Option<&str> {
        self.options.get(key).map(String::as_str)
    }
    pub fn scope(&self) -> Scope {
        self.scope.unwrap_or(if self.host.is_none() {
            Scope::Swarm
        } else {
            Scope::Local
        })
    }
    /// OPT-3: the `vlan` field or the shim option.
    pub fn vlan_id(&self) -> Option<u16> {
        self.vlan
            .or_else(|| self.option(shim::VLANID)?.trim().parse().ok())
    }
    /// EXT-4/EXT-8: the `vni` field or the shim `vsid` option.
    pub fn vni(&self) -> Option<u32> {
        self.vni
            .or_else(|| self.option(shim::VSID)?.trim().parse().ok())
    }
    /// OPT-2: NIC the network's external vSwitch binds to (Windows), or macvlan parent.
    pub fn interface(&self) -> Option<&str> {
        self.option(shim::INTERFACE)
            .or_else(|| self.option(shim::PARENT))
    }
    /// OPT-1: the name HNS shows for the network (else HNS generates an id).
    pub fn hns_name(&self) -> Option<&str> {
        self.option(shim::NETWORKNAME)
    }
    /// EXT-8 `disableicc`: containers on the network cannot talk to each other.
    pub fn icc_disabled(&self) -> bool {
        self.option(shim::DISABLE_ICC)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
            || self
                .option("com.docker.network.bridge.enable_icc")
                .is_some_and(|v| v.eq_ignore_ascii_case("false"))
    }
}
