//! The `docker` commands that build a scenario's Windows host for real, one per line,
//! for PowerShell (the GitHub Actions workflow runs them on windows-2022, EXT-13).
//!
//! Containers are created, connected to their other networks, then started: Windows
//! has no hot add of a network adapter to a running container (OPT-7). Networks whose
//! subnet the scenario leaves to HNS are created without `--subnet`, so the comparison
//! sees what HNS picks; the default `nat` network exists already (NAT-1).

use hnsim_model::{Design, Driver, Protocol, RunState};

/// PowerShell quoting: single quotes, doubled inside.
fn q(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '/' | '='))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "''"))
    }
}

/// `image` runs `command` (split on spaces) to stay up.
pub fn commands(
    design: &Design,
    analysis_networks: &[hnsim_model::Network],
    host: &str,
    image: &str,
    command: &str,
) -> Result<Vec<String>, String> {
    let h = design
        .host(host)
        .ok_or_else(|| format!("host `{host}` is not in the scenario"))?;
    if !h.is_windows() {
        return Err(format!("host `{host}` is not a Windows host"));
    }
    let mut out = Vec::new();
    for net in &design.scenario.networks {
        if net.host.as_deref() != Some(host) || net.origin.implicit {
            continue;
        }
        let driver = net.driver.to_string();
        if matches!(net.driver, Driver::Overlay) {
            return Err(format!(
                "network `{}` is an overlay network: it needs swarm mode (OVL-1)",
                net.name
            ));
        }
        let user = analysis_networks
            .iter()
            .any(|n| n.name == net.name && n.host == net.host && !n.subnet.0.is_empty());
        let mut line = format!("docker network create -d {}", q(&driver));
        if user {
            for s in &net.subnet.0 {
                line.push_str(&format!(" --subnet={s}"));
            }
            if let Some(g) = net.gateway {
                line.push_str(&format!(" --gateway={g}"));
            }
        }
        for (k, v) in &net.options {
            line.push_str(&format!(" -o {}", q(&format!("{k}={v}"))));
        }
        if let Some(v) = net.vlan {
            if net.option(hnsim_model::shim::VLANID).is_none() {
                line.push_str(&format!(" -o com.docker.network.windowsshim.vlanid={v}"));
            }
        }
        line.push(' ');
        line.push_str(&q(&net.name));
        out.push(line);
    }
    for (ci, c) in design.scenario.containers.iter().enumerate() {
        if c.host != host {
            continue;
        }
        let mut line = format!("docker create --name {}", q(&c.name));
        let first = c.networks.first();
        if let Some(a) = first {
            line.push_str(&format!(" --network {}", q(&a.network)));
            if let Some(ip) = a.ip {
                line.push_str(&format!(" --ip {ip}"));
            }
        }
        for p in design.published_of(ci) {
            if p.forward.proto == Protocol::Sctp || p.mapping.is_none() {
                continue;
            }
            let proto = crate::docker::planning::publish_proto(p.forward.proto);
            // A range prints as Docker's `-p` takes it (`8000-8010`).
            let cport = p.forward.container_ports;
            if p.ephemeral {
                line.push_str(&format!(" -p {cport}{proto}"));
            } else {
                let hport = p.forward.host_ports;
                line.push_str(&format!(" -p {hport}:{cport}{proto}"));
            }
        }
        if c.publish_all {
            for e in &c.expose {
                line.push_str(&format!(" --expose {}", e.port));
            }
            line.push_str(" -P");
        }
        line.push(' ');
        line.push_str(&q(image));
        for w in command.split_whitespace() {
            line.push(' ');
            line.push_str(&q(w));
        }
        out.push(line);
        for a in c.networks.iter().skip(1) {
            let mut l = "docker network connect".to_string();
            if let Some(ip) = a.ip {
                l.push_str(&format!(" --ip {ip}"));
            }
            l.push_str(&format!(" {} {}", q(&a.network), q(&c.name)));
            out.push(l);
        }
        match c.state {
            RunState::Running => out.push(format!("docker start {}", q(&c.name))),
            RunState::Stopped => {
                out.push(format!("docker start {}", q(&c.name)));
                out.push(format!("docker stop {}", q(&c.name)));
            }
            RunState::Created => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::q;

    #[test]
    fn powershell_quoting() {
        for (word, quoted) in [
            ("n1", "n1"),
            ("Ethernet 2", "'Ethernet 2'"),
            ("it's", "'it''s'"),
            ("$env:X", "'$env:X'"),
            ("", "''"),
        ] {
            assert_eq!(q(word), quoted);
        }
    }
}
