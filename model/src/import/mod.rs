//! Importing topologies written as docker commands, compose files and daemon.json.
//!
//! People already have their design as `docker network create` / `docker run` lines,
//! compose files and a `daemon.json`. The importer translates them into the scenario's
//! own objects exactly as Docker would (default driver per platform, option parsing,
//! swarm scoping), so the validator and the simulator never see the difference:
//!
//! - [`expand`]: a parsed scenario whose hosts carry `commands`, `compose` and
//!   `daemon-json` -> the same scenario with those consumed into networks, containers,
//!   services and steps;
//! - [`from_commands`], [`from_compose`], [`from_daemon_json`]: a plain file of commands,
//!   a compose file or a daemon.json -> a one-host scenario.
//!
//! Per host, the daemon.json applies first, then the commands in order, then the compose
//! file (`docker compose up` after the networks it may name as `external`).
//!
//! What is left for later: implicit default networks, dynamic IPs and ephemeral host
//! ports are filled in by the resolver, so a container without `--network` keeps an
//! empty `networks` list and `-p 80` keeps `host_port: None`.
//!
//! Every import finding has an `IMP` code (see [`CODES`]) and points at the input: file,
//! line and the field path of the command (`hosts[0].commands[3]`) or compose key.

pub mod compose;
pub mod daemon;
pub mod docker_cli;
pub mod shell;
pub mod translate;
pub mod uplink;

use crate::finding::{Finding, Location, Severity};
use crate::os::OsVersion;
use crate::parse::Document;
use crate::scenario::*;
use crate::source_map::SourceMap;
use translate::Translator;

/// The result of an import: a scenario with no `commands`/`compose`/`daemon-json` left,
/// and what the importer noticed on the way.
#[derive(Clone, Debug)]
pub struct Imported {
    pub scenario: Scenario,
    pub findings: Vec<Finding>,
    /// Positions of the field paths objects and findings carry (`hosts[0].commands[3]`,
    /// `services.web.ports[0]`) in the input text, for a [`Document`] built from it.
    pub source_map: SourceMap,
}

/// The host a plain commands / compose / daemon.json file describes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostTemplate {
    pub name: String,
    /// `None`: guessed from the input (Windows drivers, `windowsshim` options, Windows
    /// prompts and PowerShell give ws2019; anything else linux).
    pub os: Option<OsVersion>,
}

impl Default for HostTemplate {
    fn default() -> Self {
        HostTemplate {
            name: "host1".to_string(),
            os: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("{file}:{line}:{column}: not valid YAML: {message}")]
    Yaml {
        file: String,
        line: u32,
        column: u32,
        message: String,
    },
    #[error("{file}:{line}:{column}: not valid JSON: {message}")]
    Json {
        file: String,
        line: u32,
        column: u32,
        message: String,
    },
    #[error("{file}: {message}")]
    Shape { file: String, message: String },
    #[error("{0}")]
    Scenario(#[from] crate::parse::ParseError),
}

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
    match serde_yaml_ng::from_str::<serde_yaml_ng::Value>(text) {
        Ok(serde_yaml_ng::Value::Mapping(m)) => {
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
            ]
            .iter()
            .any(|p| t.starts_with(p))
        })
}

/// Where a finding or object comes from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Src {
    pub path: String,
    pub location: Location,
}

/// The import rule codes, in the validator's [`crate::rules::Rule`] shape so that
/// `hnsim explain IMP008` and scenario `expect:` lists treat them like any other rule.
pub mod code {
    use super::Src;
    use crate::finding::{Finding, Severity};
    use crate::rules::Rule;

    const fn c(
        code: &'static str,
        severity: Severity,
        facts: &'static [&'static str],
        title: &'static str,
        explanation: &'static str,
        help: &'static str,
    ) -> Rule {
        Rule {
            code,
            severity,
            facts,
            title,
            explanation,
            help,
        }
    }

    use Severity::{Error, Info, Warning};

    /// IMP001-IMP003 and IMP017 are retired (never reused): what Windows refuses in a
    /// network, a container or a port mapping, and unknown windowsshim options, are the
    /// validator's HNS050-HNS053 and HNS061-HNS063, reported once at the option.
    pub const CODES: &[Rule] = &[
        c("IMP004", Info, &[], "flags with no effect on networking were ignored",
          "Flags such as -i, -t, -d, --rm, -v, -e, --restart, --memory or --entrypoint change nothing about connectivity; the importer accepts and ignores them.",
          "nothing to do: the flags do not change connectivity"),
        c("IMP005", Warning, &[], "a flag or key that may affect networking is not modelled",
          "The flag or key is understood by Docker and changes networking (DNS servers, MAC address, hostname, sysctls, host-mode publishing, global services...) or is unknown to Docker altogether; the model has no place for it, so the simulation behaves as if it were absent.",
          "check its effect by hand, or remove it"),
        c("IMP006", Info, &[], "command ignored: it changes nothing the model represents",
          "Commands that only read state (docker ps, docker network ls/inspect, Get-NetAdapter, Get-NetNat) or change things outside networking (docker pull, docker exec) are skipped.",
          "nothing to do"),
        c("IMP007", Warning, &[], "command not recognised",
          "The importer translates docker network create/rm/connect/disconnect, docker run/create/start/stop/rm, docker swarm init/join/leave, docker service create/scale, Set-VMNetworkAdapter -MacAddressSpoofing, New-VMSwitch, Restart-Service hns|docker and the SDN scripts of seed 003. Anything else is skipped with this warning.",
          "check that the command does not matter for networking, or describe its effect in the scenario"),
        c("IMP008", Error, &[], "malformed command or value (Docker refuses it)",
          "The command cannot be split into words, misses an argument, or carries a value Docker rejects (an address that is not an IP, a CIDR that is not a prefix, a port outside 1-65535).",
          "fix the command so that Docker accepts it"),
        c("IMP009", Error, &[], "reference to a container, network or service that does not exist",
          "Docker answers \"No such container\" or \"network ... not found\": the object is named before it is created, or the name is misspelled.",
          "create it before it is used, or fix the name"),
        c("IMP010", Info, &["OPT-7"], "change after the initial design recorded as a timeline step",
          "Commands that change a running container (network connect/disconnect, stop, rm -f) or restart hns/docker end the initial design of their host; they and every later command of the host become timeline steps. On Windows a network adapter cannot be hot-added to a running container (OPT-7).",
          "on Windows, connect networks and set static IPs while the container is created or stopped (OPT-7)"),
        c("IMP011", Info, &[], "object named by the importer",
          "Docker names a container started without --name randomly (adjective_surname); the importer uses <image>-<n> so that the name is stable.",
          "add --name to choose the name"),
        c("IMP012", Info, &["NAT-3"], "daemon.json key ignored",
          "Only `fixed-cidr` (the default nat network's prefix) and `bridge` (\"none\": no default network) change the modelled network (NAT-3).",
          "nothing to do"),
        c("IMP013", Warning, &["OPT-9"], "compose content not understood",
          "A compose key has the wrong type, is unknown, or a service names a network the file does not define (Compose refuses the project).",
          "check the compose file against the Compose specification"),
        c("IMP014", Error, &["OPT-8"], "network removed while containers use it",
          "`docker network rm` fails with \"network ... has active endpoints\" while running containers are attached.",
          "stop or disconnect the containers first"),
        c("IMP015", Error, &[], "name already in use",
          "Docker refuses a second network, container or service with the same name on the same host (or swarm).",
          "choose another name or remove the first object"),
        c("IMP016", Error, &["OVL-1"], "swarm object created on a node that is not a swarm manager",
          "Overlay networks and services are created on a swarm manager (OVL-1): Docker answers \"This node is not a swarm manager\".",
          "run `docker swarm init` on this host first, or create the object on a manager"),
        c("IMP018", Info, &["TRANS-4", "TRANS-7", "ARCH-5", "SDN-3"], "host setting taken from a PowerShell command",
          "Set-VMNetworkAdapter -MacAddressSpoofing sets the host's MAC spoofing (and marks it a Hyper-V VM), New-VMSwitch records an out-of-band vSwitch Docker does not see until hns and docker restart (TRANS-7), and the SDN scripts record the network proxy and the private cloud plug-in (SDN-3).",
          "nothing to do"),
        c("IMP019", Info, &["NAT-8", "TRANS-2", "ARCH-6"], "host network assumed",
          "A file of docker commands, a compose file or a daemon.json says nothing about the machine Docker runs on, yet every Docker host has a NIC on a LAN with a router to the internet. The importer gives the host one: on the subnet and gateway of a transparent, l2bridge, macvlan or ipvlan network created with --subnet/--gateway (those sit on the physical network), with a DHCP server when a transparent network has no subnet, else on 192.168.1.0/24 (or another private /24 no network uses); and a LAN client, so that published ports show in the matrix.",
          "describe the real LAN in a scenario (`segments:`, the host's `nics:`, `clients:`) and keep the commands under the host's `commands:`; a commands file can name its host's OS with a first line `# hnsim: os=ws2019 host=NAME`"),
        c("IMP021", Info, &["OPT-9"], "external network of a compose file assumed to exist",
          "A compose file's `external: true` network is created outside the file (`docker network create`, or another project). Given the compose file alone, the importer assumes it exists on the host with the platform's default driver (bridge on Linux, nat on Windows, overlay for a stack on a swarm manager); in a scenario, define it under `networks:` or in the host's `commands:`.",
          "describe the network in a scenario (its driver and subnet) if it is not the default kind"),
        c("IMP020", Info, &[], "documentation placeholder used as a name",
          "Commands copied from the documentation carry placeholders such as `<image> <cmd>` or `<network name>`. A shell would read `<` and `>` as redirections; the importer keeps each placeholder as one literal word (`<network-name>`), so an image placeholder changes nothing, but a network or container placeholder names nothing that exists.",
          "replace the placeholder with a real value"),
    ];

    pub fn get(code: &str) -> Option<&'static Rule> {
        CODES
            .iter()
            .find(|c| c.code.eq_ignore_ascii_case(code.trim()))
    }

    /// A finding of `code`: an IMP code, or a validator code for what the model has no
    /// field to carry (so the validator cannot see it).
    pub(crate) fn finding(code: &str, src: &Src, message: String) -> Finding {
        let meta = crate::rules::rule(code);
        Finding {
            code: code.to_string(),
            severity: meta.map(|m| m.severity).unwrap_or(Severity::Warning),
            facts: meta
                .map(|m| m.facts.iter().map(|f| f.to_string()).collect())
                .unwrap_or_default(),
            location: src.location.clone(),
            message,
            help: meta.map(|m| m.help.to_string()).unwrap_or_default(),
            step: None,
        }
    }
}

pub use code::CODES;

/// Builds a host with only a name and an OS.
pub fn bare_host(name: &str, os: OsVersion) -> Host {
    Host {
        name: name.to_string(),
        platform: None,
        os,
        machine: Machine::default(),
        mac_spoofing: false,
        nics: vec![],
        docker: DockerDaemon::default(),
        swarm: SwarmRole::default(),
        kubernetes: false,
        firewall: Firewall::default(),
        sdn: None,
        updates: vec![],
        commands: vec![],
        compose: None,
        daemon_json: None,
        origin: Origin::default(),
    }
}

/// One command with where it was written.
struct Entry {
    words: Vec<String>,
    src: Src,
}

/// Splits a host's command text into commands; `locate(k, first_line)` gives the
/// source of the k-th logical line.
/// Shell and PowerShell variables a script sets (`NET=app`, `$net = "app"`) and uses
/// later (`$NET`, `${NET}`, `$net`), so that scripted commands import with their values.
#[derive(Default)]
struct Vars(Vec<(String, String)>);

impl Vars {
    /// Records `line` if it is only a variable assignment.
    fn assign(&mut self, line: &str) -> bool {
        let t = line.trim();
        let t = t
            .strip_prefix("export ")
            .or_else(|| t.strip_prefix("set "))
            .map(str::trim_start)
            .unwrap_or(t);
        let (name, value) = match t.strip_prefix('$') {
            Some(rest) => match rest.split_once('=') {
                Some((n, v)) => (n.trim(), v.trim()),
                None => return false,
            },
            None => match t.split_once('=') {
                Some((n, v)) if !n.contains(char::is_whitespace) => (n, v),
                _ => return false,
            },
        };
        let ident = !name.is_empty()
            && name
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ident {
            return false;
        }
        let unquoted = ["\"", "'"]
            .iter()
            .find_map(|q| value.strip_prefix(q).and_then(|v| v.strip_suffix(q)));
        let value = match unquoted {
            Some(v) => v,
            None if value.contains(char::is_whitespace) => return false,
            None => value,
        };
        let value = self.substitute(value);
        self.0.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.0.push((name.to_string(), value));
        true
    }

    fn substitute(&self, text: &str) -> String {
        if self.0.is_empty() || !text.contains('$') {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(at) = rest.find('$') {
            out.push_str(&rest[..at]);
            let after = &rest[at + 1..];
            let (name, len) = match after.strip_prefix('{') {
                Some(b) => match b.find('}') {
                    Some(end) => (&b[..end], end + 2),
                    None => ("", 0),
                },
                None => {
                    let end = after
                        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .unwrap_or(after.len());
                    (&after[..end], end)
                }
            };
            match self
                .0
                .iter()
                .rev()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
            {
                Some((_, value)) if !name.is_empty() => {
                    out.push_str(value);
                    rest = &after[len..];
                }
                _ => {
                    out.push('$');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }
}

fn entries(
    text: &str,
    locate: &dyn Fn(usize, usize) -> Src,
    vars: &mut Vars,
    findings: &mut Vec<Finding>,
) -> Vec<Entry> {
    let mut out = Vec::new();
    for (k, line) in shell::logical_lines(text).iter().enumerate() {
        let src = locate(k, line.first_line);
        if vars.assign(&line.text) {
            continue;
        }
        let (text, holders) = placeholders(&vars.substitute(&line.text));
        if !holders.is_empty() {
            findings.push(code::finding(
                "IMP020",
                &src,
                if holders.len() == 1 {
                    format!(
                        "{} is a placeholder from the documentation, used here as a literal name: replace it with a real value",
                        holders[0]
                    )
                } else {
                    format!(
                        "{} are placeholders from the documentation, used here as literal names: replace them with real values",
                        holders.join(", ")
                    )
                },
            ));
        }
        let line = &shell::LogicalLine {
            text,
            ..line.clone()
        };
        match shell::split_commands(line) {
            Ok(cmds) => out.extend(cmds.into_iter().map(|words| Entry {
                words,
                src: src.clone(),
            })),
            Err(e) => findings.push(code::finding("IMP008", &src, e)),
        }
    }
    out
}

/// Documentation placeholders such as `<image>` or `<network name>`: a shell would read
/// them as redirections. They are kept as one literal word (`<network-name>`) so that
/// the command still describes the design, and reported.
fn placeholders(text: &str) -> (String, Vec<String>) {
    let mut out = String::with_capacity(text.len());
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        let end = after.find('>');
        let inner = end.map(|e| &after[..e]);
        let is_placeholder = inner.is_some_and(|i| {
            !i.is_empty()
                && i.len() <= 40
                && i.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && i.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.'))
        });
        match (is_placeholder, inner, end) {
            (true, Some(i), Some(e)) => {
                out.push_str(&rest[..start]);
                out.push('<');
                out.push_str(&i.replace(' ', "-"));
                out.push('>');
                found.push(format!("`<{i}>`"));
                rest = &after[e + 1..];
            }
            _ => {
                out.push_str(&rest[..=start]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    (out, found)
}

fn run_entries(t: &mut Translator, host_index: usize, entries: Vec<Entry>) {
    for e in entries {
        let h = t.host_ctx(host_index);
        let cmd = docker_cli::parse(&e.words);
        t.apply(&h, cmd, &e.src);
    }
}

/// Translates every host's `commands`, `compose` and `daemon-json` of a parsed scenario.
/// Never panics; problems are findings.
pub fn expand(doc: &Document) -> Imported {
    let mut t = Translator::new(doc.scenario.clone());
    for i in 0..t.scenario.hosts.len() {
        let host = &mut t.scenario.hosts[i];
        let commands = std::mem::take(&mut host.commands);
        let compose_value = host.compose.take();
        let daemon_value = host.daemon_json.take();
        let project = host.name.clone();
        if let Some(d) = daemon_value {
            let path = format!("hosts[{i}].daemon-json");
            let src = Src {
                location: doc.locate(&path),
                path,
            };
            daemon::apply(&mut t, i, &d, &src);
        }
        let mut vars = Vars::default();
        for (j, entry) in commands.iter().enumerate() {
            let path = format!("hosts[{i}].commands[{j}]");
            let base = doc.locate(&path);
            let multi = entry.contains('\n');
            let several = multi && shell::logical_lines(entry).len() > 1;
            let locate = |k: usize, first: usize| {
                let mut location = base.clone();
                // A block scalar (`- |`) is located at its first content line; each of
                // its lines has a path of its own, so that what a line creates is
                // located at that line.
                if multi && location.line > 0 {
                    location.line += first as u32;
                }
                let path = if several {
                    format!("{path}.lines[{k}]")
                } else {
                    path.clone()
                };
                location.path = path.clone();
                Src { path, location }
            };
            let list = entries(entry, &locate, &mut vars, &mut t.findings);
            if several {
                t.written_at.extend(list.iter().map(|e| e.src.clone()));
            }
            run_entries(&mut t, i, list);
        }
        if let Some(c) = compose_value {
            let base = format!("hosts[{i}].compose");
            let locate = |p: &str| doc.locate(p);
            compose::apply(&mut t, i, &c, &base, &project, &locate);
        }
    }
    for (i, n) in doc.scenario.networks.iter().enumerate() {
        if n.origin.implicit {
            let path = format!("networks[{i}]");
            let src = Src {
                location: doc.locate(&path),
                path,
            };
            let msg = format!(
                "external network `{}` is not defined by this file: assumed to exist on host `{}` with driver {} (created with `docker network create`)",
                n.name,
                n.host.as_deref().unwrap_or("the swarm"),
                n.driver
            );
            t.findings.push(code::finding("IMP021", &src, msg));
        }
    }
    if let Some(text) = uplink::describe(&doc.scenario) {
        let path = "hosts[0].nics".to_string();
        let src = Src {
            location: doc.locate(&path),
            path,
        };
        t.findings.push(code::finding("IMP019", &src, text));
    }
    let written_at = std::mem::take(&mut t.written_at);
    let spellings = std::mem::take(&mut t.spellings);
    let mut imported = t.finish();
    // The input's positions, and those of the steps the commands became.
    imported.source_map = doc.source_map.clone();
    for (model_path, input_path) in spellings {
        imported.source_map.rename(model_path, input_path);
    }
    for src in written_at {
        if src.location.line > 0 {
            imported
                .source_map
                .insert(src.path, src.location.line, src.location.column);
        }
    }
    // Said once (IMP019); from here on the assumed LAN is part of the design, as it is
    // once the scenario is printed and read back.
    for seg in &mut imported.scenario.segments {
        seg.origin.implicit = false;
    }
    for client in &mut imported.scenario.clients {
        client.origin.implicit = false;
    }
    for network in &mut imported.scenario.networks {
        network.origin.implicit = false;
    }
    imported
}

fn file_stem(file: &str) -> String {
    std::path::Path::new(file)
        .file_stem()
        .and_then(|s| s.to_str())
        .filter(|s| !s.is_empty())
        .unwrap_or("imported")
        .to_string()
}

fn one_host_scenario(file: &str, host: Host, what: &str) -> Scenario {
    Scenario {
        name: file_stem(file),
        description: format!("Imported from {what} {file}"),
        hosts: vec![host],
        ..Scenario::default()
    }
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
fn windows_hint(cmd: &docker_cli::Command) -> bool {
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

/// A plain file of commands (shell, PowerShell, a pasted terminal session) -> a one-host
/// scenario.
pub fn from_commands(file: &str, text: &str, host: HostTemplate) -> Result<Imported, ImportError> {
    Ok(expand(&commands_document(file, text, host)))
}

/// A commands file as a one-host scenario whose host carries the commands, one entry per
/// command line (prompts kept so that Windows quoting stays Windows quoting), with each
/// entry located at its line in the file.
/// `# hnsim: os=ws2022 host=web01` in a commands file: the host the file describes, for
/// a file whose commands do not show their platform (a command-line `--os`/`--host`
/// wins).
fn directive(text: &str, mut host: HostTemplate) -> HostTemplate {
    let explicit_name = host.name != HostTemplate::default().name;
    for line in text.lines() {
        let t = line.trim_start();
        let Some(rest) = t
            .strip_prefix('#')
            .map(str::trim_start)
            .and_then(|r| r.strip_prefix("hnsim:"))
        else {
            continue;
        };
        for word in rest.split_whitespace() {
            match word.split_once('=') {
                Some(("os", v)) if host.os.is_none() => host.os = v.parse().ok(),
                Some(("host", v)) if !explicit_name && !v.is_empty() => host.name = v.to_string(),
                _ => {}
            }
        }
    }
    host
}

fn commands_document(file: &str, text: &str, host: HostTemplate) -> Document {
    let host = directive(text, host);
    let lines = shell::logical_lines(text);
    let os = host.os.unwrap_or_else(|| {
        let windows = lines.iter().any(|l| {
            l.windows
                || shell::split_commands(l).is_ok_and(|cmds| {
                    cmds.iter().any(|w| {
                        windows_hint(&docker_cli::parse(w))
                            // `Restart-Service`, not `systemctl restart docker`.
                            || w.first().is_some_and(|p| p.eq_ignore_ascii_case("restart-service"))
                    })
                })
        });
        if windows {
            OsVersion::Ws2019
        } else {
            OsVersion::Linux
        }
    });
    let mut h = bare_host(&host.name, os);
    let mut source_map = SourceMap::default();
    for (k, line) in lines.iter().enumerate() {
        let entry = if line.windows {
            format!("C:\\> {}", line.text)
        } else {
            line.text.clone()
        };
        h.commands.push(entry);
        source_map.insert(
            format!("hosts[0].commands[{k}]"),
            line.first_line as u32 + 1,
            1,
        );
    }
    let mut scenario = one_host_scenario(file, h, "commands in");
    crate::parse::assign_origins(&mut scenario);
    with_uplink(Document {
        file: file.to_string(),
        scenario,
        source_map,
    })
}

/// [`uplink::assume`]: a one-host import gets the LAN its file leaves out.
fn with_uplink(mut doc: Document) -> Document {
    let expanded = expand(&doc).scenario;
    uplink::assume(&mut doc.scenario, &expanded);
    crate::parse::assign_origins(&mut doc.scenario);
    doc
}

fn yaml_error(file: &str, e: &serde_yaml_ng::Error) -> ImportError {
    let (line, column) = e
        .location()
        .map(|l| (l.line() as u32, l.column() as u32))
        .unwrap_or((1, 1));
    let message = e.to_string();
    let message = match message.find(" at line ") {
        Some(cut) => message[..cut].to_string(),
        None => message,
    };
    ImportError::Yaml {
        file: file.to_string(),
        line,
        column,
        message,
    }
}

/// A compose file -> a one-host scenario. The project name is the file's `name:`, else
/// the directory the file is in (what `docker compose` uses), else the file's stem.
pub fn from_compose(file: &str, text: &str, host: HostTemplate) -> Result<Imported, ImportError> {
    Ok(expand(&compose_document(file, text, host)?))
}

fn compose_document(file: &str, text: &str, host: HostTemplate) -> Result<Document, ImportError> {
    let host = directive(text, host);
    let mut value: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(text).map_err(|e| yaml_error(file, &e))?;
    let Some(map) = value.as_mapping_mut() else {
        return Err(ImportError::Shape {
            file: file.to_string(),
            message: "a compose file is a mapping with `services:` (and `networks:`)".into(),
        });
    };
    let os = host.os.unwrap_or_else(|| {
        if compose::uses_windows(&serde_yaml_ng::Value::Mapping(map.clone())) {
            OsVersion::Ws2019
        } else {
            OsVersion::Linux
        }
    });
    if !map.contains_key("name") {
        let project = std::path::Path::new(file)
            .parent()
            .and_then(|p| p.file_name())
            .and_then(|s| s.to_str())
            .map(str::to_string)
            .unwrap_or_else(|| file_stem(file));
        map.insert("name".into(), project.into());
    }
    let mut h = bare_host(&host.name, os);
    // A stack file: the host it is deployed from is a swarm manager (OVL-1).
    if compose::declares_overlay(&value) {
        h.swarm = SwarmRole::Manager;
    }
    let external = external_networks(&value, &h);
    h.compose = Some(value);
    let mut scenario = one_host_scenario(file, h, "compose file");
    scenario.networks = external;
    crate::parse::assign_origins(&mut scenario);
    for n in &mut scenario.networks {
        n.origin.implicit = true;
    }
    Ok(with_uplink(Document {
        file: file.to_string(),
        scenario,
        source_map: SourceMap::build(text).prefixed("hosts[0].compose"),
    }))
}

/// The `external: true` networks of a compose file on its own: they were created outside
/// the file (`docker network create`), and the file is all the user has, so they are
/// assumed to exist with the platform's default driver (overlay for a stack on a
/// manager). Docker's built-in networks need nothing.
fn external_networks(value: &serde_yaml_ng::Value, host: &Host) -> Vec<Network> {
    use serde_yaml_ng::Value;
    let Some(nets) = value.get("networks").and_then(Value::as_mapping) else {
        return vec![];
    };
    let mut out: Vec<Network> = Vec::new();
    for (key, def) in nets {
        let external = def.get("external");
        if !external.is_some_and(|e| e.as_bool() == Some(true) || e.is_mapping()) {
            continue;
        }
        let name = external
            .and_then(|e| e.get("name"))
            .or_else(|| def.get("name"))
            .and_then(Value::as_str)
            .or_else(|| key.as_str())
            .unwrap_or_default()
            .to_string();
        let builtin = ["nat", "bridge", "host", "none", "ingress"].contains(&name.as_str());
        if name.is_empty() || builtin || out.iter().any(|n| n.name == name) {
            continue;
        }
        let driver = if host.swarm == SwarmRole::Manager {
            crate::driver::Driver::Overlay
        } else if host.is_windows() {
            crate::driver::Driver::Nat
        } else {
            crate::driver::Driver::Bridge
        };
        let swarm = driver == crate::driver::Driver::Overlay;
        out.push(Network {
            name,
            host: (!swarm).then(|| host.name.clone()),
            driver,
            subnet: Subnets::default(),
            gateway: None,
            vlan: None,
            vni: None,
            options: Default::default(),
            scope: None,
            attachable: swarm,
            internal: false,
            ip_range: None,
            aux_address: Default::default(),
            ipv6: false,
            ipam_driver: None,
            ipam_opt: Default::default(),
            origin: Origin::default(),
        });
    }
    out
}

/// A `daemon.json` -> a one-host scenario. Without an OS the host is ws2019: `fixed-cidr`
/// and `"bridge": "none"` are how the Windows documentation sets up the nat network
/// (NAT-3).
pub fn from_daemon_json(
    file: &str,
    text: &str,
    host: HostTemplate,
) -> Result<Imported, ImportError> {
    Ok(expand(&daemon_document(file, text, host)?))
}

fn daemon_document(file: &str, text: &str, host: HostTemplate) -> Result<Document, ImportError> {
    let json: serde_json::Value = serde_json::from_str(text).map_err(|e| ImportError::Json {
        file: file.to_string(),
        line: e.line() as u32,
        column: e.column() as u32,
        message: e.to_string(),
    })?;
    let value = serde_yaml_ng::to_value(&json).map_err(|e| ImportError::Shape {
        file: file.to_string(),
        message: e.to_string(),
    })?;
    // Keys only Docker on Linux reads make it a Linux host's daemon.json.
    let linux = json
        .as_object()
        .is_some_and(|m| m.keys().any(|k| daemon::LINUX_ONLY.contains(&k.as_str())));
    let default_os = if linux {
        OsVersion::Linux
    } else {
        OsVersion::Ws2019
    };
    let mut h = bare_host(&host.name, host.os.unwrap_or(default_os));
    h.daemon_json = Some(value);
    let mut scenario = one_host_scenario(file, h, "daemon.json");
    crate::parse::assign_origins(&mut scenario);
    let mut source_map = SourceMap::default();
    source_map.insert("hosts[0].daemon-json", 1, 1);
    Ok(with_uplink(Document {
        file: file.to_string(),
        scenario,
        source_map,
    }))
}

/// Any supported text as a [`Document`] whose hosts still carry their `commands`,
/// `compose` and `daemon-json`, for [`crate::analyse`] (which runs [`expand`] and so
/// reports the import findings with the rest). A commands, compose or daemon.json file
/// becomes a one-host scenario; positions point into `text`.
pub fn document(file: &str, text: &str, host: HostTemplate) -> Result<Document, ImportError> {
    // Windows editors start UTF-8 files with a byte order mark.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match detect(text) {
        InputKind::Scenario => {
            if let Ok(value) = serde_yaml_ng::from_str::<serde_yaml_ng::Value>(text) {
                if !value.is_mapping() && !value.is_null() {
                    return Err(ImportError::Shape {
                        file: format!("{file}:1:1"),
                        message: "this is not a scenario (a YAML mapping with `name:` and `hosts:`), a compose file, a daemon.json, nor docker command lines (`docker network create ...`, `docker run ...`)\n  help: see docs/scenario-format.md; command lines must start with `docker` (prompts such as `$`, `C:\\>` and `PS C:\\>` are fine)".into(),
                    });
                }
            }
            Ok(crate::parse::parse_scenario(file, text)?)
        }
        InputKind::Compose => compose_document(file, text, host),
        InputKind::DaemonJson => daemon_document(file, text, host),
        InputKind::Commands => Ok(commands_document(file, text, host)),
    }
}

/// Imports any supported text: a scenario (expanded), a compose file, a daemon.json or
/// commands, by [`detect`].
pub fn import_text(file: &str, text: &str, host: HostTemplate) -> Result<Imported, ImportError> {
    Ok(expand(&document(file, text, host)?))
}

/// The scenario as YAML, as `hnsim import` prints it; [`crate::parse_scenario`] reads it
/// back to the same scenario.
pub fn to_yaml(scenario: &Scenario) -> Result<String, ImportError> {
    serde_yaml_ng::to_string(scenario).map_err(|e| ImportError::Shape {
        file: scenario.name.clone(),
        message: e.to_string(),
    })
}

/// Compose text -> the value a host's `compose` field holds (for inlining a compose file
/// a scenario names by path).
pub fn compose_value(file: &str, text: &str) -> Result<serde_yaml_ng::Value, ImportError> {
    serde_yaml_ng::from_str(text).map_err(|e| yaml_error(file, &e))
}

/// Findings at or above `min`.
pub fn at_least(findings: &[Finding], min: Severity) -> impl Iterator<Item = &Finding> {
    findings.iter().filter(move |f| f.severity >= min)
}
