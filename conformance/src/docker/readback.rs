//! What Docker gave, read back after a build: each endpoint's address and each
//! published port, with a note wherever the engine chose differently from the model
//! (IPAM-1, NAT-9).

use super::build::{docker_owned, Realized};
use super::plan::NetMode;
use super::DockerError;
use hnsim_model::{Design, Protocol};
use std::net::IpAddr;

/// `docker inspect` of the named containers: one JSON object each, in order.
pub(super) fn inspect(
    names: impl IntoIterator<Item = String>,
) -> Result<Vec<serde_json::Value>, DockerError> {
    let mut args = vec!["inspect".to_string()];
    args.extend(names);
    let text = docker_owned(&args)?;
    serde_json::from_str(&text)
        .map_err(|e| DockerError::Scenario(format!("unexpected `docker inspect` output: {e}")))
}

/// The address Docker gave container `ci` on network `net` (from its `docker inspect`
/// `NetworkSettings`), and the static one the model gives that endpoint, if any.
pub(super) fn addresses(
    design: &Design,
    settings: &serde_json::Value,
    net: &str,
    ci: usize,
    attachment: usize,
) -> (Option<IpAddr>, Option<IpAddr>) {
    let given = settings["Networks"][net]["IPAddress"]
        .as_str()
        .and_then(|s| s.parse::<IpAddr>().ok());
    let model = design
        .endpoints_of(ci)
        .find(|e| e.attachment == attachment)
        .and_then(|e| e.ip);
    (given, model)
}

/// Addresses and published ports as Docker gave them, compared with the model's.
pub(super) fn read_back(design: &Design, r: &mut Realized) -> Result<(), DockerError> {
    if r.plan.containers.is_empty() {
        return Ok(());
    }
    let all = inspect(r.plan.containers.iter().map(|c| c.name.clone()))?;
    for (c, info) in r.plan.containers.clone().iter().zip(&all) {
        let settings = &info["NetworkSettings"];
        if let NetMode::Bridges(att) = &c.mode {
            for at in att {
                let net = &r.plan.networks[at.net];
                let (ip, model) = addresses(design, settings, &net.name, c.index, at.attachment);
                let expected = model.and_then(|m| r.plan.translate(m));
                match ip {
                    Some(ip) => {
                        r.ips.insert((c.index, at.attachment), ip);
                        if expected.is_some_and(|e| e != ip) {
                            r.notes.push(format!(
                                "`{}` on `{}`: the model gives {} (here {}), Docker gave {ip} \
                                 (IPAM-1)",
                                design.scenario.containers[c.index].name,
                                net.name.trim_start_matches(&r.plan.prefix),
                                model.map(|m| m.to_string()).unwrap_or_default(),
                                expected.map(|m| m.to_string()).unwrap_or_default(),
                            ));
                        }
                    }
                    None => {
                        if let Some(e) = expected {
                            // A container that is not running has no address; its
                            // cells are probed at the address the model gives.
                            r.ips.insert((c.index, at.attachment), e);
                        }
                    }
                }
            }
        }
        for pp in &c.publish {
            let count = pp.container_ports.1.saturating_sub(pp.container_ports.0);
            for i in 0..=count {
                let model_host = pp.model_host_ports.0.saturating_add(i);
                let real = match pp.host_ports {
                    Some((h, _)) => Some(h.saturating_add(i)),
                    None => {
                        let proto = if pp.proto == Protocol::Udp {
                            "udp"
                        } else {
                            "tcp"
                        };
                        let key = format!("{}/{proto}", pp.container_ports.0 + i);
                        settings["Ports"][key.as_str()]
                            .as_array()
                            .and_then(|b| {
                                b.iter().find(|b| {
                                    b["HostIp"].as_str() == Some(pp.host_ip.to_string().as_str())
                                })
                            })
                            .and_then(|b| b["HostPort"].as_str())
                            .and_then(|p| p.parse::<u16>().ok())
                    }
                };
                if let Some(real) = real {
                    if real != model_host {
                        r.notes.push(format!(
                            "`{}`: the model publishes {}/{} on host port {model_host}, \
                             Docker picked {real} (NAT-9)",
                            design.scenario.containers[c.index].name,
                            pp.container_ports.0 + i,
                            pp.proto,
                        ));
                    }
                    r.ports.insert((pp.proto, model_host), real);
                }
            }
        }
    }
    Ok(())
}
