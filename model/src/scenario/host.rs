//! The machines: hosts, their NICs, the Docker daemon's settings, the firewall, and an
//! SDN tenant VM's attachment (ARCH-5, NAT-3, EXT-5, SDN-2, SDN-3).

use super::*;

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

#[skip_serializing_none]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Host {
    pub name: String,
    /// Inferred from `os` when omitted.
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
    pub compose: Option<serde_yaml_ng::Value>,
    /// The host's `daemon.json` (a mapping, or a JSON string).
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
    /// The NIC an external-vSwitch network binds to (OPT-2): the
    /// `windowsshim.interface` / macvlan `parent` option, else the first NIC (what
    /// Docker picks when no interface is named).
    pub fn network_nic(&self, network: &Network) -> Option<&Nic> {
        match network.interface() {
            Some(name) => self.nic(name),
            None => self.nics.first(),
        }
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

#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct DockerDaemon {
    /// daemon.json `fixed-cidr` (NAT-3).
    pub fixed_cidr: Option<IpNet>,
    /// daemon.json `bridge`; `none` creates no default network (NAT-3).
    pub bridge: Option<String>,
    /// Docker Enterprise Edition: global service discovery on nat/overlay (DNS-2).
    #[serde(default, skip_serializing_if = "is_false")]
    pub enterprise: bool,
    /// Docker is not installed/running on this host.
    #[serde(default, skip_serializing_if = "is_false")]
    pub absent: bool,
    /// The Docker Engine release (Linux), where networking changed between releases
    /// ([`crate::EngineVersion`]); unset: modelled on 20.10-24.
    pub engine: Option<crate::EngineVersion>,
}

impl DockerDaemon {
    pub fn creates_default_network(&self) -> bool {
        !self.absent && self.bridge.as_deref() != Some("none")
    }

    /// Whether an `--internal` network is a container's default gateway when it has no
    /// other network (Engine 20.10-24, and a design that does not say).
    pub fn internal_network_is_gateway(&self) -> bool {
        self.engine
            .is_none_or(|engine| engine.internal_network_is_gateway())
    }
}

#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Firewall {
    /// Inbound ICMPv4 echo allowed (EXT-5). Default: false on Windows, true on Linux.
    pub inbound_icmp: Option<bool>,
}

/// A tenant VM's attachment to the Microsoft SDN fabric (003, SDN-2/3).
#[skip_serializing_none]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct SdnAttachment {
    #[serde(default, skip_serializing_if = "is_false")]
    pub network_controller: bool,
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
