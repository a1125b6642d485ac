//! A file that is not a scenario (a file of docker commands, a compose file, a
//! daemon.json) as a one-host scenario whose host carries it, with the LAN the file
//! leaves out assumed (IMP019) and positions that point into the file.

use super::detect::windows_hint;
use super::{compose, daemon, docker_cli, expand, shell, uplink, HostTemplate, ImportError};
use crate::limits::Limits;
use crate::os::OsVersion;
use crate::parse::{without_place, yaml_position, Document};
use crate::scenario::*;
use crate::source_map::SourceMap;

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

/// The last directory in `file`'s own name (`stack/app.yml`: `stack`), if it has one.
fn directory_of(file: &str) -> Option<String> {
    std::path::Path::new(file)
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|s| s.to_str())
        .map(str::to_string)
}

/// The scenario name an imported file gets: its file name without extension (`stdin`
/// for standard input, which the CLI names `<stdin>`).
fn file_stem(file: &str) -> String {
    std::path::Path::new(file)
        .file_stem()
        .and_then(|s| s.to_str())
        .map(|s| s.trim_start_matches('<').trim_end_matches('>'))
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

pub(super) fn commands_document(
    file: &str,
    text: &str,
    host: HostTemplate,
    limits: &Limits,
) -> Document {
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
        limits: *limits,
    })
}

/// [`uplink::assume`]: a one-host import gets the LAN its file leaves out.
fn with_uplink(mut doc: Document) -> Document {
    let expanded = expand(&doc).scenario;
    uplink::assume(&mut doc.scenario, &expanded);
    crate::parse::assign_origins(&mut doc.scenario);
    doc
}

pub(super) fn yaml_error(file: &str, e: &serde_yaml_ng::Error) -> ImportError {
    let (line, column) = yaml_position(e).unwrap_or((1, 1));
    ImportError::Yaml {
        file: file.to_string(),
        line,
        column,
        message: without_place(e.to_string()),
    }
}

pub(super) fn compose_document(
    file: &str,
    text: &str,
    host: HostTemplate,
    limits: &Limits,
) -> Result<Document, ImportError> {
    let host = directive(text, host);
    let mut value: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(text).map_err(|e| yaml_error(file, &e))?;
    let Some(map) = value.as_mapping_mut() else {
        return Err(ImportError::Shape {
            file: format!("{file}:1:1"),
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
        let project = host
            .project
            .clone()
            .filter(|p| !p.is_empty())
            .or_else(|| directory_of(file))
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
        limits: *limits,
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
            host: (!swarm).then(|| host.name.clone()),
            attachable: swarm,
            ..Network::named(&name, driver)
        });
    }
    out
}

pub(super) fn daemon_document(
    file: &str,
    text: &str,
    host: HostTemplate,
    limits: &Limits,
) -> Result<Document, ImportError> {
    let json: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        // serde_json counts the column of an error at the end of a line as 0 and
        // repeats the place in its message; the location is said once, 1-based.
        ImportError::Json {
            file: file.to_string(),
            line: (e.line() as u32).max(1),
            column: (e.column() as u32).max(1),
            message: without_place(e.to_string()),
        }
    })?;
    let value = serde_yaml_ng::to_value(&json).map_err(|e| ImportError::Shape {
        file: format!("{file}:1:1"),
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
        limits: *limits,
    }))
}
