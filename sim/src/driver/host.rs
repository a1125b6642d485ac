//! Linux `host` network (LNX-2, EXT-11): no isolation; the container *is* the host's
//! stack, uses the host's addresses, and `-p` is ignored. Its cells are the host's.

use super::*;
use crate::fabric::{host_entries, host_exits};
use crate::matrix::AddressKind;

pub struct HostNet;

impl DriverRules for HostNet {
    fn same_network(&self, cx: &Cx, a: &Ep, b: &Ep, probe: Probe) -> Answer {
        let hops = vec![hop(
            format!("{} host stack", host_label(cx, a)),
            Mechanism::HostStack,
            "both containers use the host's own network stack",
            &["EXT-11", "LNX-2"],
        )];
        let addr = port_addr(cx, b, probe);
        finish(cx, b, probe, addr, hops)
    }

    fn exits(&self, cx: &Cx, src: &Ep, _dst: Who, _probe: Probe) -> Vec<Exit> {
        let Some(h) = src.host else { return vec![] };
        let mut out = host_exits(cx, h);
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

    fn entries(&self, cx: &Cx, dst: &Ep, probe: Probe) -> Vec<Entry> {
        let Some(h) = dst.host else { return vec![] };
        let mut out = host_entries(cx, h, probe);
        for e in &mut out {
            e.addr = match &e.addr {
                AddrT::Fixed { ip, .. } => AddrT::fixed(AddressKind::HostIp, *ip, port_of(probe)),
                other => other.clone(),
            };
            if let Some(last) = e.hops.last_mut() {
                last.detail = format!("{probe} delivered to {DST_NAME} on the host's stack");
                last.facts = vec!["EXT-11".into(), "LNX-2".into()];
            }
            if e.block.is_none() {
                e.block = not_listening(dst, probe);
            }
        }
        out
    }
}

fn port_of(p: Probe) -> Option<u16> {
    match p {
        Probe::Icmp => None,
        Probe::Tcp(x) | Probe::Udp(x) => Some(x),
    }
}

fn port_addr(cx: &Cx, ep: &Ep, probe: Probe) -> AddrT {
    let ip = ep.host.and_then(|h| cx.host(h).primary_ip());
    AddrT::fixed(AddressKind::HostIp, ip, port_of(probe))
}
