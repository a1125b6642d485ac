//! Service discovery (DNS-1, DNS-2, EXT-10): when the destination's name resolves from
//! the source, the cell's address carries the name.
//!
//! Docker's embedded DNS answers for containers (and service names, round-robin over
//! replicas, DNS-1) on the networks the asking container shares with them. Whether a
//! driver's network resolves names, and where, is the driver's rule
//! ([`crate::driver::DriverRules::name_resolution`]); what holds for every driver is
//! here: the network's `disable_dns` option, and the swarm's `ingress` network, which
//! carries routing-mesh traffic only.
//!
//! A name is only given where it resolves to the address the cell uses (the container
//! IP): a NAT container on another host is reached by host IP and port, which no
//! container name resolves to, so that cell carries no name.

use crate::answer::{hop, DST_NAME, SRC_NAME};
use crate::context::Context;
use crate::driver;
use crate::matrix::{Hop, Mechanism};
use crate::nodes::Endpoint;

/// The name `src` can use for `dst`, and the DNS hop explaining it.
pub(crate) fn name(ctx: &Context, src: &Endpoint, dst: &Endpoint) -> Option<(String, Hop)> {
    if src.host.is_none() || dst.host.is_none() {
        return None;
    }
    let net = ctx.network(dst)?;
    let disabled = net
        .option(hnsim_model::shim::DISABLE_DNS)
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    if disabled || (net.name == "ingress" && net.host.is_none()) {
        return None;
    }
    let facts = driver::rules(&net.driver).name_resolution(ctx, src, dst)?;
    let (name, detail) = match &dst.service {
        Some(svc) => (
            svc.to_string(),
            format!(
                "{SRC_NAME} resolves service name `{svc}` with Docker's embedded DNS (round-robin over its replicas)"
            ),
        ),
        None => (
            DST_NAME.to_string(),
            format!("{SRC_NAME} resolves `{DST_NAME}` with Docker's embedded DNS"),
        ),
    };
    Some((
        name,
        hop(format!("{SRC_NAME} DNS"), Mechanism::Dns, detail, facts),
    ))
}
