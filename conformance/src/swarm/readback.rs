//! What the daemons gave, read back after a deployment: each endpoint's address (by
//! network name, from `docker inspect` of the container or task), each port a
//! container published, each port the routing mesh published, with a note where the
//! engine chose otherwise than the model (IPAM-1, NAT-9).

use super::deploy::{Deployed, Run};
use super::SwarmError;
use crate::docker::cli::docker_at;
use hnsim_model::{Design, Protocol};
use std::net::IpAddr;

fn inspect(r: &Run, host: usize, id: &str) -> Result<serde_json::Value, SwarmError> {
    let engine = &r.engines[&host];
    let text = docker_at(engine, &["inspect", id], None)?;
    let v: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| SwarmError::Daemon(format!("unexpected `docker inspect` output: {e}")))?;
    Ok(v.get(0).cloned().unwrap_or_default())
}

fn proto_name(p: Protocol) -> &'static str {
    match p {
        Protocol::Udp => "udp",
        _ => "tcp",
    }
}

pub fn read_back(design: &Design, r: &Run, out: &mut Deployed) -> Result<(), SwarmError> {
    let s = &design.scenario;
    let placed: Vec<(usize, super::deploy::Placed)> = out
        .containers
        .iter()
        .map(|(k, v)| (*k, v.clone()))
        .collect();
    for (ci, p) in placed {
        let info = inspect(r, p.host, &p.id)?;
        let nets = &info["NetworkSettings"]["Networks"];
        for e in design.endpoints_of(ci) {
            let Some(net) = e.network.map(|n| &s.networks[n]) else {
                continue;
            };
            let real = nets[net.name.as_str()]["IPAddress"]
                .as_str()
                .and_then(|x| x.parse::<IpAddr>().ok());
            match (real, e.ip) {
                (Some(real), model) => {
                    out.ips.insert((ci, e.attachment), real);
                    if model.is_some_and(|m| m != real) {
                        out.notes.push(format!(
                            "`{}` on `{}`: the model gives {}, the engine gave {real} (IPAM-1)",
                            s.containers[ci].name,
                            net.name,
                            model.map(|m| m.to_string()).unwrap_or_default()
                        ));
                    }
                }
                // A stopped container has no address; its cells are probed at the
                // model's.
                (None, Some(model)) => {
                    out.ips.insert((ci, e.attachment), model);
                }
                (None, None) => {}
            }
        }
        let ports = &info["NetworkSettings"]["Ports"];
        for m in design.published_of(ci) {
            let f = &m.forward;
            for cport in f.container_ports.start..=f.container_ports.end {
                let Some(model_host) = m.host_port_for(cport) else {
                    continue;
                };
                let key = format!("{cport}/{}", proto_name(f.proto));
                let real = ports[key.as_str()].as_array().and_then(|b| {
                    b.iter()
                        .find_map(|b| b["HostPort"].as_str()?.parse::<u16>().ok())
                });
                if let Some(real) = real {
                    if real != model_host {
                        out.notes.push(format!(
                            "`{}`: the model publishes {key} on host port {model_host}, the \
                             engine picked {real} (NAT-9)",
                            s.containers[ci].name
                        ));
                    }
                    out.ports.insert((p.host, f.proto, model_host), real);
                }
            }
        }
    }
    let Some(manager) = r.manager else {
        return Ok(());
    };
    for (si, svc) in s.services.iter().enumerate() {
        let Ok(text) = docker_at(
            manager,
            &[
                "service",
                "inspect",
                &svc.name,
                "--format",
                "{{json .Endpoint.Ports}}",
            ],
            None,
        ) else {
            continue;
        };
        let ports: serde_json::Value = serde_json::from_str(text.trim()).unwrap_or_default();
        for (pi, f) in design
            .service_ports
            .get(si)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let real = ports.as_array().into_iter().flatten().find_map(|p| {
                (p["TargetPort"].as_u64() == Some(u64::from(f.container_ports.start))
                    && p["Protocol"].as_str() == Some(proto_name(f.proto)))
                .then(|| p["PublishedPort"].as_u64())
                .flatten()
                .and_then(|x| u16::try_from(x).ok())
            });
            if let Some(real) = real {
                if real != f.host_ports.start {
                    out.notes.push(format!(
                        "service `{}`: the model publishes {}/{} on mesh port {}, swarm picked {real}",
                        svc.name,
                        f.container_ports.start,
                        proto_name(f.proto),
                        f.host_ports.start
                    ));
                }
                out.mesh.insert((si, pi), real);
            }
        }
    }
    Ok(())
}
