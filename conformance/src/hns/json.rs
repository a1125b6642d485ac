//! The JSON HNS state comes as, read into one normalized shape.
//!
//! Two dialects exist (EXT-9): the v1 HNS API that `Get-HnsNetwork` /
//! `Get-HnsEndpoint` print (`Type` "nat", `Subnets[].AddressPrefix/GatewayAddress`,
//! `Policies[].Type` "VLAN"/"VSID", `NetworkAdapterName`; endpoints with `IPAddress` and
//! `Policies[].Type` "NAT" port mappings), and the v2 HCN schema of
//! `HostComputeNetwork` / `HostComputeEndpoint` (`Ipams[].Subnets[].IpAddressPrefix`,
//! `Routes[].NextHop`, subnet policies `VLAN`/`VSID` with `Settings.IsolationId`,
//! network policy `NetAdapterName`; endpoints with `IpConfigurations` and
//! `PortMapping` policies whose protocol is a number). Both are accepted, and so are
//! PowerShell's habits: `ConvertTo-Json` of one object is an object, not an array, and
//! of nothing is an empty file.

use hnsim_model::Protocol;
use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::net::IpAddr;

/// An HNS network, either dialect.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct RawNetwork {
    #[serde(alias = "ID", alias = "Id")]
    pub id: String,
    pub name: String,
    #[serde(rename = "Type")]
    pub kind: Value,
    pub network_adapter_name: Option<String>,
    #[serde(rename = "ManagementIP")]
    pub management_ip: Option<String>,
    /// v1: the WinNAT instance behind a NAT network (`Get-NetNat` name).
    pub nat_name: Option<String>,
    pub subnets: Vec<RawSubnet>,
    pub ipams: Vec<RawIpam>,
    pub policies: Vec<Value>,
    pub flags: Value,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct RawSubnet {
    /// v1.
    pub address_prefix: Option<String>,
    /// v1.
    pub gateway_address: Option<String>,
    /// v2.
    pub ip_address_prefix: Option<String>,
    /// v2.
    pub routes: Vec<RawRoute>,
    pub policies: Vec<Value>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct RawRoute {
    pub next_hop: Option<String>,
    pub destination_prefix: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct RawIpam {
    /// `Static`/`Dhcp`, or their numbers.
    #[serde(rename = "Type")]
    pub kind: Value,
    pub subnets: Vec<RawSubnet>,
}

/// An HNS endpoint, either dialect.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct RawEndpoint {
    #[serde(alias = "ID", alias = "Id")]
    pub id: String,
    pub name: String,
    /// v1: the network's id.
    pub virtual_network: Option<String>,
    pub virtual_network_name: Option<String>,
    /// v2: the network's id.
    pub host_compute_network: Option<String>,
    #[serde(rename = "IPAddress")]
    pub ip_address: Option<String>,
    pub prefix_length: Option<u8>,
    pub gateway_address: Option<String>,
    pub mac_address: Option<String>,
    pub ip_configurations: Vec<RawIpConfig>,
    pub policies: Vec<Value>,
    pub is_remote_endpoint: Option<bool>,
    /// v2: bit 0 is `RemoteEndpoint`.
    pub flags: Value,
    pub shared_containers: Vec<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct RawIpConfig {
    pub ip_address: Option<String>,
    pub prefix_length: Option<u8>,
}

/// One `Get-NetNat` object.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct RawNetNat {
    pub name: String,
    #[serde(rename = "InternalIPInterfaceAddressPrefix")]
    pub internal_prefix: Option<String>,
    pub active: Option<bool>,
}

/// One network of `docker network inspect` (to map Docker names to HNS ids).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct RawDockerNetwork {
    pub name: String,
    pub id: String,
    pub driver: String,
    /// `local`, or `swarm` for a network the swarm manages.
    pub scope: String,
    pub options: std::collections::BTreeMap<String, String>,
    pub containers: std::collections::BTreeMap<String, RawDockerAttachment>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct RawDockerAttachment {
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "EndpointID")]
    pub endpoint_id: String,
    #[serde(rename = "IPv4Address")]
    pub ipv4: String,
}

/// Normalized network.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct HnsNetwork {
    pub id: String,
    pub name: String,
    /// As HNS spells it ("nat", "NAT", "L2Bridge", ...).
    pub kind: String,
    pub subnets: Vec<IpNet>,
    pub gateways: Vec<IpAddr>,
    pub vlan: Option<u32>,
    pub vsid: Option<u32>,
    pub adapter: Option<String>,
    pub management_ip: Option<IpAddr>,
    pub nat_name: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct PortMap {
    pub proto: Protocol,
    pub internal: u16,
    pub external: u16,
}

/// Normalized endpoint.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct HnsEndpoint {
    pub id: String,
    pub name: String,
    pub network_id: String,
    pub network_name: Option<String>,
    pub ip: Option<IpAddr>,
    pub gateway: Option<IpAddr>,
    pub port_maps: Vec<PortMap>,
    /// Every policy type present (`NAT`, `PortMapping`, `ACL`, `OutBoundNAT`, ...).
    pub policy_types: Vec<String>,
    pub remote: bool,
    /// IDs of the containers sharing the endpoint (Docker's full container IDs).
    pub containers: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct NetNat {
    pub name: String,
    pub prefix: Option<IpNet>,
    pub active: bool,
}

/// What a container attachment looks like to Docker.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct DockerAttachment {
    pub network: String,
    pub hns_id: Option<String>,
    /// The container's name.
    pub container: String,
    /// The container's full ID: HNS lists it in the endpoint's `SharedContainers`.
    pub container_id: String,
    pub ip: Option<IpAddr>,
    /// The prefix length Docker prints after the address. For an address HNS chose,
    /// moby's Windows driver has no mask from HNS and fills in the address's classful
    /// default mask (`IPAddress.DefaultMask()`, libnetwork/drivers/windows): `/16` for
    /// 172.16.0.0/12, whatever the subnet.
    pub prefix_len: Option<u8>,
}

/// One network as Docker lists it.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct DockerNetwork {
    pub name: String,
    /// Docker's network ID (64 hex digits). moby's Windows driver names the HNS network
    /// after it when no `com.docker.network.windowsshim.networkname` is given.
    pub id: String,
    /// `com.docker.network.windowsshim.hnsid`: the HNS network's ID.
    pub hns_id: Option<String>,
    pub scope: String,
}

/// Everything captured on one host.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Dump {
    pub networks: Vec<HnsNetwork>,
    pub endpoints: Vec<HnsEndpoint>,
    /// `None`: `Get-NetNat` was not captured.
    pub netnat: Option<Vec<NetNat>>,
    /// `docker network inspect` of every network, when it was captured.
    pub docker_networks: Vec<DockerNetwork>,
    pub docker_attachments: Vec<DockerAttachment>,
}

#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct DumpError {
    pub file: String,
    pub message: String,
}

/// `ConvertTo-Json` output: an array, one object, `null`, or nothing.
pub fn list<T: serde::de::DeserializeOwned>(file: &str, text: &str) -> Result<Vec<T>, DumpError> {
    let text = text.trim_start_matches('\u{feff}').trim();
    if text.is_empty() || text == "null" {
        return Ok(Vec::new());
    }
    let err = |e: serde_json::Error| DumpError {
        file: file.to_string(),
        message: format!("not the expected JSON: {e}"),
    };
    let v: Value = serde_json::from_str(text).map_err(err)?;
    match v {
        Value::Array(items) => items
            .into_iter()
            .filter(|i| !i.is_null())
            .map(|i| serde_json::from_value(i).map_err(err))
            .collect(),
        Value::Object(_) => Ok(vec![serde_json::from_value(v).map_err(err)?]),
        other => Err(DumpError {
            file: file.to_string(),
            message: format!("expected an object or an array, found {other}"),
        }),
    }
}

fn ip(s: &Option<String>) -> Option<IpAddr> {
    s.as_deref()?.trim().split('/').next()?.parse().ok()
}

fn net(s: &Option<String>) -> Option<IpNet> {
    s.as_deref()?.trim().parse().ok()
}

/// A JSON number or numeric string.
fn number(v: &Value) -> Option<u64> {
    v.as_u64().or_else(|| v.as_str()?.trim().parse().ok())
}

/// A policy's `Type`, by name; `names` reads a numeric one.
fn policy_type_in(p: &Value, names: &[&str]) -> String {
    p.get("Type")
        .map(|t| enum_name(t, names))
        .unwrap_or_default()
}

/// A policy's field, in v1 (flat) or v2 (`Settings`) form.
fn field<'a>(p: &'a Value, name: &str) -> Option<&'a Value> {
    p.get(name)
        .or_else(|| p.get("Settings").and_then(|s| s.get(name)))
}

/// HCN's `NetworkMode` in the order of the HCN schema (the "HCN JSON document schemas"
/// page gives NAT (0), ICS (1), Transparent (2); the full list is the schema's
/// `NetworkMode` enum). PowerShell's `ConvertTo-Json` writes an enum-typed property as
/// its number, so a capture through a typed cmdlet shows `"Type": 0` for nat.
pub const NETWORK_MODES: [&str; 11] = [
    "NAT",
    "ICS",
    "Transparent",
    "L2Bridge",
    "L2Tunnel",
    "Overlay",
    "Private",
    "Internal",
    "Mirrored",
    "Infiniband",
    "ConstrainedICS",
];

/// HCN's `NetworkPolicyType`, `SubnetPolicyType` and `EndpointPolicyType`, in schema
/// order (the documented values: NetAdapterName (1), InterfaceConstraint (2); VLAN (0);
/// PortMapping (0), ACL (1)).
pub const NETWORK_POLICY_TYPES: [&str; 14] = [
    "SourceMacAddress",
    "NetAdapterName",
    "InterfaceConstraint",
    "VSwitchExtension",
    "ProviderAddress",
    "DrMacAddress",
    "AutomaticDNS",
    "RemoteSubnetRoute",
    "VxlanPort",
    "HostRoute",
    "SetPolicy",
    "L4Proxy",
    "LayerConstraint",
    "NetworkACL",
];
pub const SUBNET_POLICY_TYPES: [&str; 2] = ["VLAN", "VSID"];
pub const ENDPOINT_POLICY_TYPES: [&str; 17] = [
    "PortMapping",
    "ACL",
    "QOS",
    "L2Driver",
    "OutBoundNAT",
    "SDNRoute",
    "L4Proxy",
    "L4WFPPROXY",
    "ProviderAddress",
    "PortName",
    "EncapOverhead",
    "InterfaceConstraint",
    "Encryption",
    "VLAN",
    "InterfaceParameters",
    "Iov",
    "TierAcl",
];

/// An enum-typed field as its name: a string as it is, a number through `names`.
fn enum_name(v: &Value, names: &[&str]) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(_) => number(v)
            .and_then(|n| names.get(usize::try_from(n).ok()?))
            .map(|n| n.to_string())
            .unwrap_or_else(|| format!("unknown ({v})")),
        _ => String::new(),
    }
}

/// `Type` of a network: a string, or a number of HCN's `NetworkMode`.
fn kind(v: &Value) -> String {
    enum_name(v, &NETWORK_MODES)
}

/// The isolation ID of the first `name` (VLAN, VSID) policy among `policies`, given
/// with their type names.
fn isolation(policies: &[(String, &Value)], name: &str) -> Option<u32> {
    policies.iter().find_map(|(t, p)| {
        if !t.eq_ignore_ascii_case(name) {
            return None;
        }
        // v1: {"Type":"VLAN","VLAN":11}; v2: {"Type":"VLAN","Settings":{"IsolationId":11}}.
        field(p, name)
            .or_else(|| field(p, "IsolationId"))
            .and_then(number)
            .and_then(|n| u32::try_from(n).ok())
    })
}

impl RawNetwork {
    pub fn normalize(&self) -> HnsNetwork {
        let mut subnets = Vec::new();
        let mut gateways = Vec::new();
        // Each policy with its type name: network and subnet policies number their
        // types in lists of their own (a subnet's VLAN is 0, a network's 0 is
        // SourceMacAddress).
        let mut policies: Vec<(String, &Value)> = self
            .policies
            .iter()
            .map(|p| (policy_type_in(p, &NETWORK_POLICY_TYPES), p))
            .collect();
        let all = self
            .subnets
            .iter()
            .chain(self.ipams.iter().flat_map(|i| i.subnets.iter()));
        for s in all {
            if let Some(n) = net(&s.address_prefix).or_else(|| net(&s.ip_address_prefix)) {
                subnets.push(n);
            }
            if let Some(g) = ip(&s.gateway_address) {
                gateways.push(g);
            }
            for r in &s.routes {
                let default = r
                    .destination_prefix
                    .as_deref()
                    .is_none_or(|d| d == "0.0.0.0/0");
                if default {
                    gateways.extend(ip(&r.next_hop));
                }
            }
            policies.extend(
                s.policies
                    .iter()
                    .map(|p| (policy_type_in(p, &SUBNET_POLICY_TYPES), p)),
            );
        }
        let adapter = self
            .network_adapter_name
            .clone()
            .filter(|a| !a.is_empty())
            .or_else(|| {
                policies.iter().find_map(|(t, p)| {
                    if !t.eq_ignore_ascii_case("NetAdapterName") {
                        return None;
                    }
                    field(p, "NetworkAdapterName")?.as_str().map(str::to_string)
                })
            });
        HnsNetwork {
            id: self.id.clone(),
            name: self.name.clone(),
            kind: kind(&self.kind),
            subnets,
            gateways,
            vlan: isolation(&policies, "VLAN"),
            vsid: isolation(&policies, "VSID"),
            adapter,
            management_ip: ip(&self.management_ip),
            nat_name: self.nat_name.clone().filter(|n| !n.is_empty()),
        }
    }
}

/// IANA protocol numbers (hcn) or names (v1).
fn protocol(v: &Value) -> Option<Protocol> {
    match v {
        Value::Number(_) => match number(v)? {
            6 => Some(Protocol::Tcp),
            17 => Some(Protocol::Udp),
            _ => None,
        },
        Value::String(s) => match s.to_ascii_lowercase().as_str() {
            "tcp" | "6" => Some(Protocol::Tcp),
            "udp" | "17" => Some(Protocol::Udp),
            _ => None,
        },
        _ => None,
    }
}

impl RawEndpoint {
    pub fn normalize(&self, networks: &[HnsNetwork]) -> HnsEndpoint {
        let network_id = self
            .virtual_network
            .clone()
            .or_else(|| self.host_compute_network.clone())
            .unwrap_or_default();
        let address = ip(&self.ip_address).or_else(|| {
            self.ip_configurations
                .iter()
                .find_map(|c| ip(&c.ip_address))
        });
        let mut port_maps = Vec::new();
        let mut policy_types = Vec::new();
        for p in &self.policies {
            let t = policy_type_in(p, &ENDPOINT_POLICY_TYPES);
            // v1 port mappings are `NAT` policies; v2 ones `PortMapping`.
            if t.eq_ignore_ascii_case("NAT") || t.eq_ignore_ascii_case("PortMapping") {
                let proto = field(p, "Protocol")
                    .and_then(protocol)
                    .unwrap_or(Protocol::Tcp);
                let internal = field(p, "InternalPort").and_then(number);
                let external = field(p, "ExternalPort").and_then(number);
                if let (Some(i), Some(e)) = (internal, external) {
                    if let (Ok(i), Ok(e)) = (u16::try_from(i), u16::try_from(e)) {
                        port_maps.push(PortMap {
                            proto,
                            internal: i,
                            external: e,
                        });
                    }
                }
            }
            if !t.is_empty() && !policy_types.contains(&t) {
                policy_types.push(t);
            }
        }
        let network_name = self.virtual_network_name.clone().or_else(|| {
            networks
                .iter()
                .find(|n| n.id.eq_ignore_ascii_case(&network_id))
                .map(|n| n.name.clone())
        });
        HnsEndpoint {
            id: self.id.clone(),
            name: self.name.clone(),
            network_id,
            network_name,
            ip: address,
            gateway: ip(&self.gateway_address),
            port_maps,
            policy_types,
            remote: self.is_remote_endpoint.unwrap_or(false)
                || number(&self.flags).is_some_and(|f| f & 1 == 1),
            containers: self.shared_containers.clone(),
        }
    }
}

/// The file names of a dump directory, as the workflow writes them.
pub const NETWORKS: &str = "networks.json";
pub const ENDPOINTS: &str = "endpoints.json";
pub const NETNAT: &str = "netnat.json";
pub const DOCKER_NETWORKS: &str = "docker-networks.json";

/// Reads a dump from its files' texts (`None`: the file was not captured).
pub fn parse(
    networks: &str,
    endpoints: Option<&str>,
    netnat: Option<&str>,
    docker: Option<&str>,
) -> Result<Dump, DumpError> {
    let nets: Vec<HnsNetwork> = list::<RawNetwork>(NETWORKS, networks)?
        .iter()
        .map(RawNetwork::normalize)
        .collect();
    let eps = match endpoints {
        Some(t) => list::<RawEndpoint>(ENDPOINTS, t)?
            .iter()
            .map(|e| e.normalize(&nets))
            .collect(),
        None => Vec::new(),
    };
    let netnat = match netnat {
        Some(t) => Some(
            list::<RawNetNat>(NETNAT, t)?
                .into_iter()
                .map(|n| NetNat {
                    name: n.name,
                    prefix: net(&n.internal_prefix),
                    active: n.active.unwrap_or(true),
                })
                .collect(),
        ),
        None => None,
    };
    let mut docker_networks = Vec::new();
    let mut docker_attachments = Vec::new();
    if let Some(t) = docker {
        for n in list::<RawDockerNetwork>(DOCKER_NETWORKS, t)? {
            let hns_id = n
                .options
                .get("com.docker.network.windowsshim.hnsid")
                .cloned();
            for (container_id, a) in &n.containers {
                docker_attachments.push(DockerAttachment {
                    network: n.name.clone(),
                    hns_id: hns_id.clone(),
                    container: a.name.clone(),
                    container_id: container_id.clone(),
                    ip: ip(&Some(a.ipv4.clone())),
                    prefix_len: a
                        .ipv4
                        .split_once('/')
                        .and_then(|(_, l)| l.trim().parse().ok()),
                });
            }
            docker_networks.push(DockerNetwork {
                name: n.name,
                id: n.id,
                hns_id,
                scope: n.scope,
            });
        }
    }
    Ok(Dump {
        networks: nets,
        endpoints: eps,
        netnat,
        docker_networks,
        docker_attachments,
    })
}

/// Reads `DIR/networks.json` (required) and the optional other files.
pub fn read_dir(dir: &std::path::Path) -> Result<Dump, DumpError> {
    let read = |name: &str| std::fs::read_to_string(dir.join(name));
    let networks = read(NETWORKS).map_err(|e| DumpError {
        file: dir.join(NETWORKS).display().to_string(),
        message: format!("cannot read: {e}"),
    })?;
    let endpoints = read(ENDPOINTS).ok();
    let netnat = read(NETNAT).ok();
    let docker = read(DOCKER_NETWORKS).ok();
    parse(
        &networks,
        endpoints.as_deref(),
        netnat.as_deref(),
        docker.as_deref(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_object_null_and_empty_are_lists() {
        assert_eq!(list::<RawNetNat>("x", "").unwrap().len(), 0);
        assert_eq!(list::<RawNetNat>("x", "null").unwrap().len(), 0);
        assert_eq!(
            list::<RawNetNat>("x", "\u{feff}{\"Name\":\"a\"}")
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            list::<RawNetNat>("x", "[{\"Name\":\"a\"},{\"Name\":\"b\"}]")
                .unwrap()
                .len(),
            2
        );
        assert!(list::<RawNetNat>("x", "[1]").is_err());
        assert!(list::<RawNetNat>("x", "42").is_err());
        assert!(list::<RawNetNat>("x", "{").is_err());
    }

    #[test]
    fn v1_network_with_vlan_and_adapter() {
        let text = r#"{"ID":"A1","Name":"t","Type":"transparent","NetworkAdapterName":"Ethernet 2",
            "Policies":[{"Type":"VLAN","VLAN":11}],
            "Subnets":[{"AddressPrefix":"10.0.0.0/24","GatewayAddress":"10.0.0.1","Policies":[]}]}"#;
        let n = list::<RawNetwork>("n", text).unwrap()[0].normalize();
        assert_eq!(n.kind, "transparent");
        assert_eq!(n.subnets, ["10.0.0.0/24".parse::<IpNet>().unwrap()]);
        assert_eq!(n.gateways, ["10.0.0.1".parse::<IpAddr>().unwrap()]);
        assert_eq!(n.vlan, Some(11));
        assert_eq!(n.vsid, None);
        assert_eq!(n.adapter.as_deref(), Some("Ethernet 2"));
    }

    #[test]
    fn v2_network_and_endpoint() {
        let text = r#"{"ID":"B2","Name":"ovl","Type":"Overlay",
            "Policies":[{"Type":"NetAdapterName","Settings":{"NetworkAdapterName":"Ethernet"}}],
            "Ipams":[{"Type":"Static","Subnets":[{"IpAddressPrefix":"10.0.0.0/24",
              "Policies":[{"Type":"VSID","Settings":{"IsolationId":4096}}],
              "Routes":[{"NextHop":"10.0.0.1","DestinationPrefix":"0.0.0.0/0"}]}]}]}"#;
        let nets: Vec<HnsNetwork> = list::<RawNetwork>("n", text)
            .unwrap()
            .iter()
            .map(RawNetwork::normalize)
            .collect();
        assert_eq!(nets[0].vsid, Some(4096));
        assert_eq!(nets[0].gateways, ["10.0.0.1".parse::<IpAddr>().unwrap()]);
        assert_eq!(nets[0].adapter.as_deref(), Some("Ethernet"));
        let ep = r#"[{"ID":"E1","Name":"e","HostComputeNetwork":"b2",
            "IpConfigurations":[{"IpAddress":"10.0.0.5","PrefixLength":24}],
            "Policies":[{"Type":"PortMapping","Settings":{"Protocol":17,"InternalPort":53,"ExternalPort":5353}},
                        {"Type":"OutBoundNAT","Settings":{"Exceptions":["10.0.0.0/8"]}}]}]"#;
        let e = list::<RawEndpoint>("e", ep).unwrap()[0].normalize(&nets);
        assert_eq!(e.ip, Some("10.0.0.5".parse().unwrap()));
        assert_eq!(
            e.network_name.as_deref(),
            Some("ovl"),
            "ids compare case-insensitively"
        );
        assert_eq!(
            e.port_maps,
            [PortMap {
                proto: Protocol::Udp,
                internal: 53,
                external: 5353
            }]
        );
        assert_eq!(e.policy_types, ["PortMapping", "OutBoundNAT"]);
    }
}
