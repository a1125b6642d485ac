//! What kind of input a text is (a scenario, a compose file, a daemon.json, docker
//! command lines), and which inputs only make sense on Windows, guessed from the
//! content the way a person would.

use super::{docker_cli, shell};
use crate::scenario::shim;

/// What kind of input a text is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    Scenario,
    Compose,
    DaemonJson,
    Commands,
}

const SCENARIO_KEYS: &[&str] = &[
    "hosts",
    "segments",
    "vswitches",
    "containers",
    "services",
    "clients",
    "steps",
    "expect",
    "covers",
    "tags",
    "description",
];

const COMPOSE_KEYS: &[&str] = &[
    "services", "networks", "volumes", "configs", "secrets", "version",
];

const DAEMON_KEYS: &[&str] = &[
    "fixed-cidr",
    "bridge",
    "dns",
    "bip",
    "hosts",
    "data-root",
    "registry-mirrors",
];

/// Guesses the kind of input from its content, the way a person would.
pub fn detect(text: &str) -> InputKind {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('{') {
        return InputKind::DaemonJson;
    }
    classify(text, serde_yaml_ng::from_str(text).ok().as_ref())
}

/// [`detect`] of a text whose YAML value (`None`: not valid YAML) is already parsed.
pub(super) fn classify(text: &str, value: Option<&serde_yaml_ng::Value>) -> InputKind {
    if text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('{')
    {
        return InputKind::DaemonJson;
    }
    match value {
        Some(serde_yaml_ng::Value::Mapping(m)) => {
            let has = |k: &str| m.contains_key(k);
            let is_map = |k: &str| m.get(k).is_some_and(|v| v.is_mapping());
            if is_map("services") || is_map("networks") {
                return InputKind::Compose;
            }
            if has("name") || SCENARIO_KEYS.iter().any(|k| has(k)) {
                return InputKind::Scenario;
            }
            if COMPOSE_KEYS.iter().any(|k| has(k)) {
                return InputKind::Compose;
            }
            if DAEMON_KEYS.iter().any(|k| has(k)) {
                return InputKind::DaemonJson;
            }
            if looks_like_commands(text) {
                InputKind::Commands
            } else {
                InputKind::Scenario
            }
        }
        // Not a YAML mapping: a commands file if it has docker command lines, else a
        // scenario, so that broken YAML is reported as such (exit 2), not imported as
        // an empty set of commands.
        _ if looks_like_commands(text) => InputKind::Commands,
        _ => InputKind::Scenario,
    }
}

fn looks_like_commands(text: &str) -> bool {
    !shell::logical_lines(text).is_empty()
        && text.lines().any(|l| {
            let mut t = shell::strip_prompt(l)
                .map(|x| x.0)
                .unwrap_or(l)
                .trim_start();
            while let Some(rest) = t.strip_prefix("sudo ") {
                t = rest.trim_start();
            }
            [
                "docker ",
                "docker.exe ",
                "docker-compose ",
                "Set-VMNetworkAdapter",
                "New-VMSwitch",
                "Restart-Service",
                "Restart-Computer",
            ]
            .iter()
            .any(|p| t.starts_with(p))
        })
}

/// Images that only run on Windows: Microsoft's Windows base images and the products
/// built on them, and tags naming a Windows release. A file that runs them was written
/// for a Windows host, whatever else it says.
pub fn windows_image(image: &str) -> bool {
    let i = image.to_ascii_lowercase();
    let (name, tag) = match i.rsplit_once(':') {
        Some((n, t)) if !t.contains('/') => (n, t),
        _ => (i.as_str(), ""),
    };
    let windows_name = [
        "mcr.microsoft.com/windows",
        "mcr.microsoft.com/dotnet/framework",
        "mcr.microsoft.com/powershell:nanoserver",
        "microsoft/windowsservercore",
        "microsoft/nanoserver",
        "microsoft/iis",
        "microsoft/aspnet",
        "microsoft/dotnet-framework",
        "microsoft/mssql-server-windows",
    ]
    .iter()
    .any(|p| name.starts_with(p) || i.starts_with(p))
        || matches!(name, "windowsservercore" | "nanoserver" | "servercore");
    let windows_tag = [
        "windowsservercore",
        "nanoserver",
        "ltsc2016",
        "ltsc2019",
        "ltsc2022",
        "ltsc2025",
        "1809",
        "20h2",
    ]
    .iter()
    .any(|t| tag.contains(t));
    windows_name || windows_tag
}

/// Commands that only make sense on Windows.
pub(super) fn windows_hint(cmd: &docker_cli::Command) -> bool {
    use docker_cli::Command as C;
    match cmd {
        C::NetworkCreate(a) => {
            a.value("driver").is_some_and(|d| {
                let d = crate::driver::Driver::parse(&d);
                d.is_windows_driver() && d != crate::driver::Driver::Overlay
            }) || a.values("opt").iter().any(|o| o.starts_with(shim::PREFIX))
        }
        C::Run { args, .. } => {
            args.value("isolation").is_some()
                || args.values("network").iter().any(|n| n == "nat")
                || args.positionals.first().is_some_and(|i| windows_image(i))
        }
        C::MacSpoofing(_)
        | C::NewVmSwitch { .. }
        | C::InstallPrivateCloudPlugin
        | C::ConfigureMcnp => true,
        _ => false,
    }
}
