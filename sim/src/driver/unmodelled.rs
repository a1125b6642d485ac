//! Drivers whose forwarding the seeds do not describe: ics, private, internal, ipvlan
//! and third-party plugins (LNX-6). Cells involving them are `unknown`, not guessed.

use super::hops::{container_addr, src_vnic};
use super::DriverRules;
use crate::answer::Answer;
use crate::context::Context;
use crate::fabric::{Entry, Exit};
use crate::matrix::Probe;
use crate::nodes::{Endpoint, Party};

#[derive(Debug)]
pub(super) struct Unmodelled;

impl DriverRules for Unmodelled {
    fn modelled(&self) -> bool {
        false
    }

    fn same_network(&self, ctx: &Context, a: &Endpoint, _b: &Endpoint, probe: Probe) -> Answer {
        Answer::unknown(
            Some(container_addr(probe)),
            vec![src_vnic(ctx, a)],
            &format!("network {}", ctx.network_name(a)),
            format!("driver {} is not modelled", a.driver),
            &["LNX-6", "EXT-9"],
        )
    }
    fn exits(&self, _cx: &Context, _src: &Endpoint, _dst: Party, _probe: Probe) -> Vec<Exit> {
        vec![]
    }
    fn entries(&self, _cx: &Context, _dst: &Endpoint, _probe: Probe) -> Vec<Entry> {
        vec![]
    }
}
