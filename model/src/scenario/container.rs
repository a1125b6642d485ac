//! Containers, their attachments to networks, swarm services, and the clients on a
//! segment that are not containers.

use super::*;

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

#[skip_serializing_none]
#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct AttachmentFull {
    network: String,
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

#[skip_serializing_none]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Container {
    pub name: String,
    pub host: String,
    pub image: Option<String>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub isolation: Isolation,
    /// Networks in attach order. Empty: the host's default network (NAT-1, LNX-1).
    /// `network: NAME` (one, as `docker run --network` takes it) is accepted too.
    #[serde(
        default,
        alias = "network",
        deserialize_with = "one_or_many_attachments",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub networks: Vec<Attachment>,
    /// `docker run --ip`: the address on the container's first network. Reading the
    /// scenario moves it onto that attachment ([`Container::fold_ip`]), so the rest of
    /// the model finds a static address in one place.
    pub ip: Option<IpAddr>,
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

    /// Moves a container-level `ip` onto its first attachment, where Docker applies
    /// `--ip` (the network `--network` names). Refused, with the reason, when there is
    /// no network to put it on (Docker: "user specified IP address is supported on user
    /// defined networks only") or the attachment already has another address.
    pub fn fold_ip(&mut self) -> Result<(), String> {
        let Some(ip) = self.ip else {
            return Ok(());
        };
        let Some(first) = self.networks.first_mut() else {
            return Err(format!(
                "container `{}` has `ip: {ip}` but no network to put it on; name the network: \
                 `networks: [{{network: NAME, ip: {ip}}}]`",
                self.name
            ));
        };
        match first.ip {
            Some(other) if other != ip => Err(format!(
                "container `{}` has `ip: {ip}` and `{other}` on its attachment to `{}`; keep one",
                self.name, first.network
            )),
            _ => {
                first.ip = Some(ip);
                self.ip = None;
                Ok(())
            }
        }
    }
}

/// `networks:` as a list, or one network as `docker run --network` names it (a name or
/// one `{network, ip, aliases}` map). Each element is read by [`Attachment`]'s own
/// deserializer, so a bad field keeps its path (`networks[1].ip`) in the error.
fn one_or_many_attachments<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Vec<Attachment>, D::Error> {
    struct Visitor;
    impl<'de> serde::de::Visitor<'de> for Visitor {
        type Value = Vec<Attachment>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a network name, a {network, ip, aliases} map, or a list of them")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(vec![Attachment {
                network: v.to_string(),
                ip: None,
                aliases: vec![],
            }])
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(a) = seq.next_element::<Attachment>()? {
                out.push(a);
            }
            Ok(out)
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            Attachment::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                .map(|a| vec![a])
        }
    }
    d.deserialize_any(Visitor)
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
    #[serde(
        default,
        alias = "network",
        deserialize_with = "one_or_many_attachments",
        skip_serializing_if = "Vec::is_empty"
    )]
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

impl Service {
    /// A service of `replicas` tasks that says nothing else: placed on every swarm
    /// node, with no networks, ports or listen list of its own, process isolation.
    pub fn new(name: String, replicas: u32) -> Service {
        Service {
            name,
            replicas,
            hosts: Vec::new(),
            networks: Vec::new(),
            ports: Vec::new(),
            listen: Vec::new(),
            isolation: Isolation::default(),
            origin: Origin::default(),
        }
    }
}

/// A machine outside the container hosts: a laptop on the LAN, or the internet.
#[skip_serializing_none]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Client {
    pub name: String,
    pub segment: Option<String>,
    pub ip: Option<IpAddr>,
    /// VLAN the client's port is an access port of.
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
