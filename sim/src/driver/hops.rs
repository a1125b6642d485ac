//! The hops and answers every driver builds: a container's vNIC on the way out and on
//! the way in, the end of a path at a listening (or not) destination.

use crate::answer::{hop, AddressTemplate, Answer, Denial, DST_IP, DST_NAME, SRC_IP, SRC_NAME};
use crate::context::Context;
use crate::fabric::probe_port;
use crate::matrix::{DenyReason, Hop, Mechanism, Probe};
use crate::nodes::Endpoint;

/// Facts for a container's vNIC and compartment on this platform.
pub(crate) fn vnic_facts(ctx: &Context, ep: &Endpoint) -> &'static [&'static str] {
    if ep.host.is_some_and(|h| ctx.host(h).is_windows()) {
        if ep.hyperv {
            &["ARCH-1", "ARCH-2", "ARCH-3"]
        } else {
            &["ARCH-1", "ARCH-2"]
        }
    } else {
        &["LNX-1"]
    }
}

fn nic_word(ctx: &Context, ep: &Endpoint) -> &'static str {
    match ep.host.map(|h| ctx.host(h).is_windows()) {
        Some(true) if ep.hyperv => "VM NIC",
        Some(true) => "vNIC",
        _ => "eth",
    }
}

/// The first hop of every endpoint source.
pub(crate) fn src_vnic(ctx: &Context, ep: &Endpoint) -> Hop {
    hop(
        format!("{SRC_NAME} {}", nic_word(ctx, ep)),
        Mechanism::Vnic,
        format!("sent from {SRC_IP} on network {}", ctx.network_name(ep)),
        vnic_facts(ctx, ep),
    )
}

/// The last hop of a delivered flow to an endpoint.
pub(crate) fn dst_deliver(ctx: &Context, ep: &Endpoint, probe: Probe) -> Hop {
    hop(
        format!("{DST_NAME} {}", nic_word(ctx, ep)),
        Mechanism::Deliver,
        format!("{probe} delivered to {DST_IP}"),
        vnic_facts(ctx, ep),
    )
}

/// Nothing listens on the probed port (the path reaches the container first).
pub(crate) fn not_listening(ep: &Endpoint, probe: Probe) -> Option<Denial> {
    (probe != Probe::Icmp && !ep.listen.contains(&probe)).then(|| {
        Denial::new(
            DenyReason::NotListening,
            DST_NAME.to_string(),
            format!("the network delivers it, but nothing in {DST_NAME} listens on {probe}"),
            &["ARCH-2"],
        )
    })
}

/// Container IP (and port) as the address.
pub(crate) fn container_addr(probe: Probe) -> AddressTemplate {
    AddressTemplate::ContainerIp {
        port: probe_port(probe),
    }
}

/// Two endpoints of one network on one host, bridged at `via`.
pub(crate) fn bridged(ctx: &Context, a: &Endpoint, b: &Endpoint, probe: Probe, via: Hop) -> Answer {
    let hops = vec![src_vnic(ctx, a), via];
    finish(ctx, b, probe, container_addr(probe), hops)
}

/// Ends a path at `dst`: delivered, or not listening.
pub(crate) fn finish(
    ctx: &Context,
    dst: &Endpoint,
    probe: Probe,
    addr: AddressTemplate,
    mut hops: Vec<Hop>,
) -> Answer {
    if let Some(d) = not_listening(dst, probe) {
        return Answer::denied(Some(addr), hops, d);
    }
    hops.push(dst_deliver(ctx, dst, probe));
    Answer::delivered(Some(addr), hops)
}

/// An endpoint's host, by name, for `at` labels.
pub(crate) fn host_label(ctx: &Context, ep: &Endpoint) -> String {
    ep.host
        .map(|h| ctx.host_name(h).to_string())
        .unwrap_or_else(|| "?".into())
}

/// A denial right after the source's vNIC, for drivers that cannot express a flow.
pub(crate) fn denied_at_src(
    ctx: &Context,
    src: &Endpoint,
    addr: Option<AddressTemplate>,
    denial: Denial,
) -> Answer {
    Answer::denied(addr, vec![src_vnic(ctx, src)], denial)
}
