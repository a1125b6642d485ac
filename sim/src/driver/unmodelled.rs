//! Drivers whose forwarding the seeds do not describe: ics, private, internal, ipvlan
//! and third-party plugins (LNX-6). Cells involving them are `unknown`, not guessed.

use super::*;

pub struct Unmodelled;

impl DriverRules for Unmodelled {
    fn same_network(&self, cx: &Cx, a: &Ep, _b: &Ep, probe: Probe) -> Answer {
        Answer::unknown(
            Some(container_addr(probe)),
            vec![src_vnic(cx, a)],
            &format!("network {}", cx.net_name(a)),
            format!("driver {} is not modelled", a.driver),
            &["LNX-6", "EXT-9"],
        )
    }
    fn exits(&self, _cx: &Cx, _src: &Ep, _dst: Who, _probe: Probe) -> Vec<Exit> {
        vec![]
    }
    fn entries(&self, _cx: &Cx, _dst: &Ep, _probe: Probe) -> Vec<Entry> {
        vec![]
    }
}
