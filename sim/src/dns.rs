//! Service discovery (DNS-1, DNS-2, EXT-10): when the destination's name resolves from
//! the source, the cell's address carries the name.
//!
//! Docker's embedded DNS answers for containers (and service names, round-robin over
//! replicas, DNS-1) on the networks the asking container shares with them. Per driver
//! (DNS-2, 001's table): nat local yes / global with Docker EE; overlay local yes /
//! global with Docker EE or Kubernetes; transparent no / no; l2bridge no / with
//! Kubernetes DNS; l2tunnel is not in the table and gets none. On Linux, user-defined
//! bridges, overlay and macvlan resolve names; the default bridge does not (EXT-10).
//!
//! A name is only given where it resolves to the address the cell uses (the container
//! IP): a NAT container on another host is reached by host IP and port, which no
//! container name resolves to, so that cell carries no name.

use crate::fabric::Cx;
use crate::matrix::{Hop, Mechanism};
use crate::nodes::Ep;
use crate::path::{hop, DST_NAME, SRC_NAME};
use hnsim_model::Driver;

/// The name `src` can use for `dst`, and the DNS hop explaining it.
pub fn name(cx: &Cx, src: &Ep, dst: &Ep) -> Option<(String, Hop)> {
    let (sh, dh) = (src.host?, dst.host?);
    let dnet = &cx.d().scenario.networks[dst.net?];
    let same_net = src.net == dst.net;
    let local = sh == dh;
    let shost = cx.host(sh);
    let dhost = cx.host(dh);
    let opt_off = |k: &str| {
        dnet.option(k)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    };
    // The swarm's `ingress` network carries routing-mesh traffic only: Docker's
    // embedded DNS answers for no one on it.
    if opt_off(hnsim_model::shim::DISABLE_DNS) || (dnet.name == "ingress" && dnet.host.is_none()) {
        return None;
    }
    let (works, facts): (bool, &[&str]) = if dhost.is_windows() {
        match dnet.driver {
            Driver::Nat => (same_net && local, &["DNS-1", "DNS-2"]),
            Driver::Overlay => (
                same_net
                    && (local
                        || (shost.docker.enterprise && dhost.docker.enterprise)
                        || (shost.kubernetes && dhost.kubernetes)),
                &["DNS-1", "DNS-2"],
            ),
            Driver::L2bridge => (
                !local && src.driver == Driver::L2bridge && shost.kubernetes && dhost.kubernetes,
                &["DNS-2"],
            ),
            _ => (false, &["DNS-2"]),
        }
    } else {
        match dnet.driver {
            Driver::Bridge => (same_net && dnet.name != "bridge", &["EXT-10", "DNS-1"]),
            Driver::Overlay => (same_net, &["LNX-3", "DNS-1"]),
            Driver::Macvlan => (same_net, &["DNS-1"]),
            _ => (false, &["DNS-1"]),
        }
    };
    if !works {
        return None;
    }
    let name = match &dst.service {
        Some(svc) => svc.clone(),
        None => DST_NAME.to_string(),
    };
    let detail = match &dst.service {
        Some(svc) => format!(
            "{SRC_NAME} resolves service name `{svc}` with Docker's embedded DNS (round-robin over its replicas)"
        ),
        None => format!("{SRC_NAME} resolves `{DST_NAME}` with Docker's embedded DNS"),
    };
    Some((
        name,
        hop(format!("{SRC_NAME} DNS"), Mechanism::Dns, detail, facts),
    ))
}
