//! Timeline steps: what happens to the design after its initial state.

use super::*;

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

#[skip_serializing_none]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct NetworkRef {
    pub name: String,
    pub host: Option<String>,
}

#[skip_serializing_none]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ConnectStep {
    pub container: String,
    pub network: String,
    pub ip: Option<IpAddr>,
}

/// `- daemon-config: {host: h, fixed-cidr: ..., bridge: ...}`: the new daemon.json
/// network settings (NAT-3); absent keys are removed from the configuration.
#[skip_serializing_none]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct DaemonConfigStep {
    pub host: String,
    pub fixed_cidr: Option<IpNet>,
    pub bridge: Option<String>,
}
