//! Linux `host` network (LNX-2, EXT-11): no isolation; the container *is* the host's
//! stack, uses the host's addresses, and `-p` is ignored. Its cells are the host's.

use super::hops::{finish, host_label, not_listening};
use super::{DriverRules, Facts};
use crate::answer::{hop, AddressTemplate, Answer, DST_NAME, SRC_NAME};
use crate::context::Context;
use crate::fabric::{hosts, Entry, Exit};
use crate::matrix::{AddressKind, Mechanism, Probe};
use crate::nodes::{Endpoint, Party};

#[derive(Debug)]
pub(super) struct HostNet;

impl DriverRules for HostNet {
    /// The container uses the host's addresses (LNX-2).
    fn address_facts(&self) -> Option<Facts> {
        None
    }

    fn same_network(&self, ctx: &Context, a: &Endpoint, b: &Endpoint, probe: Probe) -> Answer {
        let hops = vec![hop(
            format!("{} host stack", host_label(ctx, a)),
            Mechanism::HostStack,
            "both containers use the host's own network stack",
            &["EXT-11", "LNX-2"],
        )];
        let addr = port_addr(ctx, b, probe);
        finish(ctx, b, probe, addr, hops)
    }

    fn exits(&self, ctx: &Context, src: &Endpoint, _dst: Party, _probe: Probe) -> Vec<Exit> {
        let Some(h) = src.host else { return vec![] };
        let mut out = hosts::exits(ctx, h);
        for e in &mut out {
            e.hops.insert(
                0,
                hop(
                    format!("{SRC_NAME} (host network)"),
                    Mechanism::HostStack,
                    "the container uses the host's network stack: no isolation",
                    &["EXT-11", "LNX-2"],
                ),
            );
        }
        out
    }

    fn entries(&self, ctx: &Context, dst: &Endpoint, probe: Probe) -> Vec<Entry> {
        let Some(h) = dst.host else { return vec![] };
        let mut out = hosts::entries(ctx, h, probe);
        for e in &mut out {
            e.addr = match &e.addr {
                AddressTemplate::Fixed { ip, .. } => {
                    AddressTemplate::fixed(AddressKind::HostIp, *ip, probe.port())
                }
                other => other.clone(),
            };
            if let Some(last) = e.hops.last_mut() {
                last.detail = format!("{probe} delivered to {DST_NAME} on the host's stack");
                last.facts = vec!["EXT-11".into(), "LNX-2".into()];
            }
            // The host's own stack declares no service; the container on it does.
            let host_closed = e
                .block
                .as_ref()
                .is_none_or(|b| b.reason == crate::matrix::DenyReason::NotListening);
            if host_closed {
                e.block = not_listening(dst, probe);
            }
        }
        out
    }
}

fn port_addr(ctx: &Context, ep: &Endpoint, probe: Probe) -> AddressTemplate {
    let ip = ep.host.and_then(|h| ctx.host(h).primary_ip());
    AddressTemplate::fixed(AddressKind::HostIp, ip, probe.port())
}
