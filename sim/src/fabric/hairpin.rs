//! A container reaching a port its own host publishes, through the host's address
//! (hairpin). The destination's driver decides which way it goes
//! ([`crate::driver::DriverRules::hairpin`]); the ways are here.

use super::join::finish_entry;
use super::{Entry, Exit};
use crate::answer::{AddressTemplate, Answer};
use crate::context::Context;
use crate::matrix::Mechanism;

/// Through the host: WinNAT's hairpin is unreliable (EXT-2): undecided. On Linux the
/// packet is DNATed inside the host and masqueraded so replies return (the routing
/// mesh's DOCKER-INGRESS ports), or, with `proxied`, served by docker-proxy on the
/// host's stack (a bridge's published port, see the bridge driver).
pub(crate) fn through_host(ctx: &Context, exit: &Exit, entry: &Entry, proxied: bool) -> Answer {
    let addr = Some(entry.addr.clone());
    let h = entry.owner_host.unwrap_or(0);
    let mut hops = exit.hops.clone();
    if ctx.host(h).is_windows() {
        return Answer::unknown(
            addr,
            hops,
            &format!("{} WinNAT", ctx.host_name(h)),
            "hairpin from a container to its own host's IP and published port is unreliable with WinNAT".into(),
            &["EXT-2"],
        );
    }
    if hops
        .last()
        .is_some_and(|x| x.mechanism == Mechanism::Masquerade)
    {
        hops.pop();
    }
    let mut rest = entry.hops.clone();
    if rest
        .first()
        .is_some_and(|x| x.mechanism == Mechanism::HostStack)
    {
        rest.remove(0);
    }
    if let Some(d) = rest.iter_mut().find(|x| x.mechanism == Mechanism::Dnat) {
        if proxied {
            let target = d
                .detail
                .split_once(" -> ")
                .map(|x| x.1)
                .unwrap_or("the container");
            let listen = match &entry.addr {
                AddressTemplate::Fixed { value, .. } => value.clone(),
                AddressTemplate::ContainerIp { .. } => "the published port".into(),
            };
            d.mechanism = Mechanism::HostStack;
            d.at = d.at.replace("iptables", "docker-proxy");
            d.detail = format!(
                "not DNATed (the nat DOCKER chain returns packets from Docker bridges): docker-proxy listening on {listen} connects to {target} from the bridge's gateway address, so no DOCKER-ISOLATION rule applies"
            );
        } else {
            d.detail
                .push_str(" (hairpin inside the host, source masqueraded so replies return)");
        }
    }
    hops.extend(rest);
    finish_entry(addr, hops, entry)
}
