//! The scenario file: one design, as the user wrote it.
//!
//! Field names are kebab-case, as in `daemon.json` (`fixed-cidr`) and Docker's own flags.
//! Every struct refuses unknown fields so that a typo is an error with a suggestion, not
//! a silently ignored setting. Defaults are what Docker/HNS do when a flag is omitted;
//! implicit objects (the default `nat`/`bridge` network, swarm service replicas, dynamic
//! IPs, ephemeral host ports) are filled in by [`crate::resolve`], not here, so that a
//! scenario serialises back to what the user wrote.

use crate::driver::Driver;
use crate::os::OsVersion;
use crate::port::{PortMapping, PortProto};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::IpAddr;

fn is_false(b: &bool) -> bool {
    !*b
}
fn is_default<T: Default + PartialEq>(t: &T) -> bool {
    *t == T::default()
}

/// Where an object came from in the scenario text: its field path (`networks[2]`).
/// Filled in by the parser; not part of the file format.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Origin {
    pub path: String,
    /// True for objects [`crate::resolve`] added (default networks, replicas).
    pub implicit: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// SPEC fact IDs this scenario exercises (NAT-8, OVL-3, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub covers: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub segments: Vec<Segment>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<Host>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vswitches: Vec<VSwitch>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub networks: Vec<Network>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub containers: Vec<Container>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<Service>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clients: Vec<Client>,
    /// Optional timeline; checks and the matrix apply to the state after each step.
    /// Each step is a one-key map (`- reboot: win1`), not a YAML tag.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        with = "serde_yaml_ng::with::singleton_map_recursive"
    )]
    pub steps: Vec<Step>,
    /// What the test suite expects of this scenario.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect: Option<Expectations>,
    /// Set by the timeline once Docker's own networks (default `nat`/`bridge`, `ingress`)
    /// are explicit objects, so that resolution does not add back one a step removed.
    #[serde(skip)]
    pub defaults_materialized: bool,
}

/// A physical (or virtual) L2 segment: the LAN the hosts' NICs plug into.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Segment {
    pub name: String,
    pub subnet: IpNet,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<IpAddr>,
    /// A DHCP server answers on this segment (TRANS-2 dynamic addressing).
    #[serde(default, skip_serializing_if = "is_false")]
    pub dhcp: bool,
    /// Addresses other devices on the segment already use (TRANS-3).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub used: Vec<IpAddr>,
    /// VLANs the switch ports carry tagged (OPT-3). Empty: access ports only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trunk_vlans: Vec<u16>,
    /// The gateway routes to the internet. Default true.
    #[serde(default = "yes", skip_serializing_if = "Clone::clone")]
    pub internet: bool,
    #[serde(skip)]
    pub origin: Origin,
}

fn yes() -> bool {
    true
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Platform {
    #[default]
    Windows,
    Linux,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Machine {
    #[default]
    Physical,
    /// A VM on a Hyper-V host (ARCH-5): its NIC's MAC spoofing setting matters (TRANS-4).
    HypervVm,
    /// An Azure VM: MAC spoofing is not available, transparent does not work (TRANS-4).
    AzureVm,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SwarmRole {
    #[default]
    None,
    Manager,
    Worker,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Host {
    pub name: String,
    /// Inferred from `os` when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    pub os: OsVersion,
    #[serde(default, skip_serializing_if = "is_default")]
    pub machine: Machine,
    /// MAC address spoofing on the VM's NIC (only meaningful for `hyperv-vm`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub mac_spoofing: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nics: Vec<Nic>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub docker: DockerDaemon,
    #[serde(default, skip_serializing_if = "is_default")]
    pub swarm: SwarmRole,
    /// Kubernetes runs on this host (DNS-2 global discovery for l2bridge, OVL-4 Flannel).
    #[serde(default, skip_serializing_if = "is_false")]
    pub kubernetes: bool,
    #[serde(default, skip_serializing_if = "is_default")]
    pub firewall: Firewall,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sdn: Option<SdnAttachment>,
    /// Installed updates (KB numbers), for prerequisites such as OVL-4.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub updates: Vec<String>,
    /// `docker ...` command lines run on this host, in order; translated into networks
    /// and containers by [`crate::import`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub commands: Vec<String>,
    /// A compose file for this host: inline (a YAML mapping) or a path relative to the
    /// scenario file (a string; the CLI reads it and inlines it before import).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compose: Option<serde_yaml_ng::Value>,
    /// The host's `daemon.json` (a mapping, or a JSON string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daemon_json: Option<serde_yaml_ng::Value>,
    #[serde(skip)]
    pub origin: Origin,
}

impl Host {
    pub fn platform(&self) -> Platform {
        self.platform.unwrap_or(if self.os.is_windows() {
            Platform::Windows
        } else {
            Platform::Linux
        })
    }
    pub fn is_windows(&self) -> bool {
        self.platform() == Platform::Windows
    }
    pub fn nic(&self, name: &str) -> Option<&Nic> {
        self.nics.iter().find(|n| n.name == name)
    }
    /// The host's primary address: its first NIC's.
    pub fn primary_ip(&self) -> Option<IpAddr> {
        self.nics.first().map(|n| n.ip.addr())
    }
    /// The WinNAT internal prefix (NAT-1, NAT-3): `fixed-cidr` or 172.16.0.0/12.
    pub fn nat_prefix(&self) -> IpNet {
        self.docker
            .fixed_cidr
            .unwrap_or_else(|| "172.16.0.0/12".parse().expect("constant prefix"))
    }
    /// EXT-5: Windows blocks inbound ICMPv4 echo unless a rule allows it; Linux answers.
    pub fn allows_inbound_icmp(&self) -> bool {
        self.firewall.inbound_icmp.unwrap_or(!self.is_windows())
    }
    /// The network Docker attaches a container to when none is named.
    pub fn default_network_name(&self) -> &'static str {
        default_network_name(self.is_windows())
    }
}

/// The network Docker attaches a container to when none is named: `nat` on Windows
/// (NAT-1), `bridge` on Linux (LNX-1).
pub fn default_network_name(windows: bool) -> &'static str {
    if windows {
        "nat"
    } else {
        "bridge"
    }
}

/// A host NIC, named as `Get-NetAdapter` shows it on Windows (OPT-2).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Nic {
    pub name: String,
    /// Address with prefix length, e.g. 10.0.0.10/24.
    pub ip: IpNet,
    pub segment: String,
    /// The switch port is in trunk mode (OPT-3).
    #[serde(default, skip_serializing_if = "is_false")]
    pub trunk: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct DockerDaemon {
    /// daemon.json `fixed-cidr` (NAT-3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_cidr: Option<IpNet>,
    /// daemon.json `bridge`; `none` creates no default network (NAT-3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bridge: Option<String>,
    /// Docker Enterprise Edition: global service discovery on nat/overlay (DNS-2).
    #[serde(default, skip_serializing_if = "is_false")]
    pub enterprise: bool,
    /// Docker is not installed/running on this host.
    #[serde(default, skip_serializing_if = "is_false")]
    pub absent: bool,
}

impl DockerDaemon {
    pub fn creates_default_network(&self) -> bool {
        !self.absent && self.bridge.as_deref() != Some("none")
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Firewall {
    /// Inbound ICMPv4 echo allowed (EXT-5). Default: false on Windows, true on Linux.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inbound_icmp: Option<bool>,
}

/// A tenant VM's attachment to the Microsoft SDN fabric (003, SDN-2/3).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct SdnAttachment {
    #[serde(default, skip_serializing_if = "is_false")]
    pub network_controller: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_vnet: Option<String>,
    /// Extra IP configurations on the VM NIC, handed to endpoints (SDN-2).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ip_configs: Vec<IpAddr>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub network_proxy: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub plugin: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub hyperv_feature: bool,
    /// The VM NIC was created through SCVMM (multiple IP configurations unsupported).
    #[serde(default, skip_serializing_if = "is_false")]
    pub scvmm_nic: bool,
    /// Microsoft's cloud stack (Azure / Azure Stack), where l2tunnel is supported (L2T-1).
    #[serde(default, skip_serializing_if = "is_false")]
    pub azure: bool,
    /// Azure public cloud, where SDN tenant attachment is not available (SDN-3).
    #[serde(default, skip_serializing_if = "is_false")]
    pub public_cloud: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VSwitchKind {
    Internal,
    External,
    Private,
}

/// A Hyper-V vSwitch created out of band (Hyper-V Manager / PowerShell), TRANS-7.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct VSwitch {
    pub name: String,
    pub host: String,
    pub kind: VSwitchKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Network {
    pub name: String,
    /// Host the network lives on. Omitted for swarm-scoped networks (overlay), which
    /// exist on every swarm node that runs a task attached to them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    pub driver: Driver,
    #[serde(default, skip_serializing_if = "is_default")]
    pub subnet: Subnets,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<IpAddr>,
    /// VLAN ID (OPT-3); same as option `com.docker.network.windowsshim.vlanid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vlan: Option<u16>,
    /// VXLAN VNI / VSID (EXT-4, EXT-8); same as option `...windowsshim.vsid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vni: Option<u32>,
    /// Driver options (`-o key=value`), with Docker's exact keys.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub options: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    /// `--attachable` (swarm overlay usable by standalone containers).
    #[serde(default, skip_serializing_if = "is_false")]
    pub attachable: bool,
    // Flags Docker accepts on Linux but Windows refuses (OPT-6, EXT-6); kept so the
    // validator can point at them.
    #[serde(default, skip_serializing_if = "is_false")]
    pub internal: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_range: Option<IpNet>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub aux_address: BTreeMap<String, IpAddr>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub ipv6: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
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

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Isolation {
    #[default]
    Process,
    Hyperv,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RunState {
    #[default]
    Running,
    Stopped,
    /// Created but never started.
    Created,
}

/// A container's attachment to one network: `web` or `{network: web, ip: 10.0.0.5}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Attachment {
    pub network: String,
    pub ip: Option<IpAddr>,
    pub aliases: Vec<String>,
}

impl Serialize for Attachment {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.ip.is_none() && self.aliases.is_empty() {
            return s.serialize_str(&self.network);
        }
        AttachmentFull {
            network: self.network.clone(),
            ip: self.ip,
            aliases: self.aliases.clone(),
        }
        .serialize(s)
    }
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct AttachmentFull {
    network: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ip: Option<IpAddr>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    aliases: Vec<String>,
}

/// [`AttachmentFull`] with the address still as text, to name a bad one in the error.
#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct AttachmentText {
    network: String,
    #[serde(default)]
    ip: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
}

impl<'de> Deserialize<'de> for Attachment {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        // Through a Value rather than an untagged enum, so that a bad field inside the
        // map (an invalid IP) is reported as itself, not as "neither form matched".
        let value = serde_yaml_ng::Value::deserialize(d)?;
        match value {
            serde_yaml_ng::Value::String(network) => Ok(Attachment {
                network,
                ip: None,
                aliases: vec![],
            }),
            serde_yaml_ng::Value::Mapping(_) => {
                let f: AttachmentText = serde_yaml_ng::from_value(value).map_err(|e| {
                    D::Error::custom(format!("{e}; write a network name or {{network: NAME, ip: ADDRESS, aliases: [..]}}"))
                })?;
                let ip = match f.ip {
                    None => None,
                    Some(text) => Some(text.trim().parse::<IpAddr>().map_err(|_| {
                        D::Error::custom(format!(
                            "`{text}` is not an IP address (field `ip` of the attachment to `{}`)",
                            f.network
                        ))
                    })?),
                };
                Ok(Attachment {
                    network: f.network,
                    ip,
                    aliases: f.aliases,
                })
            }
            _ => Err(D::Error::custom(
                "expected a network name or a map with `network`, optional `ip` and `aliases`",
            )),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Container {
    pub name: String,
    pub host: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub isolation: Isolation,
    /// Networks in attach order. Empty: the host's default network (NAT-1, LNX-1).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub networks: Vec<Attachment>,
    /// `-p` mappings (NAT-9).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<PortMapping>,
    /// `-P`: publish every exposed port on an ephemeral host port.
    #[serde(default, skip_serializing_if = "is_false")]
    pub publish_all: bool,
    /// Ports the image EXPOSEs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expose: Vec<PortProto>,
    /// Ports a service inside listens on. Default: the container ports of `ports` and
    /// `expose`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub listen: Vec<PortProto>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub state: RunState,
    /// The workload is untrusted (ARCH-4).
    #[serde(default, skip_serializing_if = "is_false")]
    pub untrusted: bool,
    // Flags Windows refuses (OPT-6, EXT-6); kept so the validator can point at them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub link: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub add_host: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dns_opt: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dns_search: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip6: Option<IpAddr>,
    /// Set by [`crate::resolve`] for the replicas of a swarm service.
    #[serde(skip)]
    pub service: Option<String>,
    #[serde(skip)]
    pub origin: Origin,
}

impl Container {
    pub fn is_running(&self) -> bool {
        self.state == RunState::Running
    }
}

/// A swarm service (DNS-1): `replicas` tasks spread over the swarm nodes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Service {
    pub name: String,
    #[serde(default = "one")]
    pub replicas: u32,
    /// Nodes the tasks are placed on, round-robin. Default: every swarm node.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub networks: Vec<Attachment>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<PortMapping>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub listen: Vec<PortProto>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub isolation: Isolation,
    #[serde(skip)]
    pub origin: Origin,
}

fn one() -> u32 {
    1
}

/// A machine outside the container hosts: a laptop on the LAN, or the internet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Client {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<IpAddr>,
    /// VLAN the client's port is an access port of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vlan: Option<u16>,
    /// The client is somewhere on the internet (reached through a segment gateway).
    #[serde(default, skip_serializing_if = "is_false")]
    pub internet: bool,
    /// Ports the client listens on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub listen: Vec<PortProto>,
    #[serde(skip)]
    pub origin: Origin,
}

/// One change in the timeline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum Step {
    CreateNetwork(Network),
    RemoveNetwork(NetworkRef),
    Run(Container),
    Stop(String),
    Start(String),
    Remove(String),
    Connect(ConnectStep),
    Disconnect(ConnectStep),
    DaemonConfig(DaemonConfigStep),
    Reboot(String),
    RestartHns(String),
    RestartDocker(String),
    CreateVswitch(VSwitch),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct NetworkRef {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ConnectStep {
    pub container: String,
    pub network: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<IpAddr>,
}

/// `- daemon-config: {host: h, fixed-cidr: ..., bridge: ...}`: the new daemon.json
/// network settings (NAT-3); absent keys are removed from the configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct DaemonConfigStep {
    pub host: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_cidr: Option<IpNet>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bridge: Option<String>,
}

/// What the test suite checks a scenario against.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Expectations {
    /// Exactly these finding codes (each once or more), and no other at warning or above.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<String>,
    /// Spot checks of matrix cells.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cells: Vec<ExpectedCell>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ExpectedCell {
    pub from: String,
    pub to: String,
    /// `icmp`, `tcp/80`, `udp/53`.
    pub probe: String,
    /// `delivered`, `denied` or a denial reason such as `not-published`.
    pub disposition: String,
    /// Optional address the source must use, e.g. `10.0.0.10:8080`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}
