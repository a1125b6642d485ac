//! External clients and the internet as sources and destinations.

use super::{probe_port, Entry, Exit, Point};
use crate::answer::{hop, AddressTemplate, Denial};
use crate::context::Context;
use crate::graph::is_public;
use crate::matrix::{AddressKind, DenyReason, Mechanism, Probe};

pub(crate) fn exits(ctx: &Context, c: usize) -> Vec<Exit> {
    let cl = &ctx.design.scenario.clients[c];
    let at_name = format!("client {}", cl.name);
    if cl.internet {
        return vec![Exit::new(
            Point::Internet,
            vec![hop(
                at_name,
                Mechanism::Routed,
                "sent from the internet",
                &["MAT-2"],
            )],
        )];
    }
    let Some(seg) = cl.segment.as_ref().and_then(|s| ctx.graph.segment_index(s)) else {
        let mut e = Exit::new(Point::Internet, vec![]);
        e.block = Some(Denial::new(
            DenyReason::NoRoute,
            at_name,
            "the client is on no known segment",
            &["MAT-2"],
        ));
        return vec![e];
    };
    vec![Exit::new(
        Point::Segment { seg, vlan: cl.vlan },
        vec![hop(
            at_name,
            Mechanism::HostStack,
            format!(
                "sent from {} on segment {}",
                cl.ip
                    .map(|i| i.to_string())
                    .unwrap_or_else(|| "its address".into()),
                ctx.graph.segment_name(seg)
            ),
            &["MAT-2"],
        )],
    )]
}

pub(crate) fn entries(ctx: &Context, c: usize, probe: Probe) -> Vec<Entry> {
    let cl = &ctx.design.scenario.clients[c];
    let at_name = format!("client {}", cl.name);
    let listening = match probe {
        Probe::Icmp => true,
        Probe::Tcp(p) => cl
            .listen
            .iter()
            .any(|x| x.port == p && x.proto == hnsim_model::Protocol::Tcp),
        Probe::Udp(p) => cl
            .listen
            .iter()
            .any(|x| x.port == p && x.proto == hnsim_model::Protocol::Udp),
    };
    let deliver = vec![hop(
        &at_name,
        Mechanism::Deliver,
        "received by the client",
        &["MAT-2"],
    )];
    let at = if cl.internet {
        Point::Internet
    } else {
        match cl.segment.as_ref().and_then(|s| ctx.graph.segment_index(s)) {
            Some(seg) => Point::Segment { seg, vlan: cl.vlan },
            None => return vec![],
        }
    };
    let mut e = Entry::new(
        at,
        AddressTemplate::fixed(AddressKind::External, cl.ip, probe_port(probe)),
        deliver,
    );
    e.public = cl.internet || cl.ip.is_some_and(is_public);
    if !listening {
        e.block = Some(Denial::new(
            DenyReason::NotListening,
            at_name,
            format!("nothing listens on {probe}"),
            &["MAT-2"],
        ));
    }
    vec![e]
}

pub(crate) fn internet_exits() -> Vec<Exit> {
    vec![Exit::new(
        Point::Internet,
        vec![hop(
            "internet",
            Mechanism::Routed,
            "sent from an internet address",
            &["MAT-2"],
        )],
    )]
}

pub(crate) fn internet_entries(probe: Probe) -> Vec<Entry> {
    let mut e = Entry::new(
        Point::Internet,
        AddressTemplate::fixed(AddressKind::External, None, probe_port(probe)),
        vec![hop(
            "internet",
            Mechanism::Deliver,
            "received by the internet server",
            &["MAT-1", "MAT-2"],
        )],
    );
    e.public = true;
    vec![e]
}
