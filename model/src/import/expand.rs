//! Translating every host's `commands`, `compose` and `daemon-json` of a parsed
//! scenario: per host the daemon.json first, then the commands in order, then the
//! compose file.

use super::script::{entries, LocatedCommand, ScriptVariables};
use super::translate::Translator;
use super::{codes, compose, daemon, docker_cli, shell, uplink, Imported};
use crate::parse::Document;

fn run_entries(t: &mut Translator, host_index: usize, entries: Vec<LocatedCommand>) {
    for e in entries {
        let h = t.target_host(host_index);
        let cmd = docker_cli::parse(&e.words);
        t.apply(&h, cmd, &e.src);
    }
}

/// Translates every host's `commands`, `compose` and `daemon-json` of a parsed scenario.
/// Never panics; problems are findings.
pub fn expand(doc: &Document) -> Imported {
    let mut t = Translator::new(doc.scenario.clone(), doc.limits);
    for i in 0..t.scenario.hosts.len() {
        let host = &mut t.scenario.hosts[i];
        let commands = std::mem::take(&mut host.commands);
        let compose_value = host.compose.take();
        let daemon_value = host.daemon_json.take();
        let project = host.name.clone();
        if let Some(d) = daemon_value {
            let path = format!("hosts[{i}].daemon-json");
            let src = doc.locate(&path);
            daemon::apply(&mut t, i, &d, &src);
        }
        let mut vars = ScriptVariables::new(&doc.limits);
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
                location.path = path;
                location
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
            let src = doc.locate(&path);
            let msg = format!(
                "external network `{}` is not defined by this file: assumed to exist on host `{}` with driver {} (created with `docker network create`)",
                n.name,
                n.host.as_deref().unwrap_or("the swarm"),
                n.driver
            );
            t.findings.push(codes::finding("IMP021", &src, msg));
        }
    }
    if let Some(text) = uplink::describe(&doc.scenario) {
        let path = "hosts[0].nics".to_string();
        let src = doc.locate(&path);
        t.findings.push(codes::finding("IMP019", &src, text));
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
        if src.line > 0 {
            imported.source_map.insert(src.path, src.line, src.column);
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
