//! Linux `none` (LNX-5, EXT-11): loopback only. Nothing goes in or out.

use super::*;
use crate::fabric::At;

pub struct NoneNet;

fn deny(at: String) -> Deny {
    Deny::new(
        DenyReason::NoAddress,
        at,
        "driver none: the container has only a loopback interface",
        &["LNX-5", "EXT-11"],
    )
}

impl DriverRules for NoneNet {
    fn same_network(&self, _cx: &Cx, _a: &Ep, _b: &Ep, _probe: Probe) -> Answer {
        Answer::denied(None, vec![], deny(format!("{SRC_NAME} loopback")))
    }

    fn exits(&self, _cx: &Cx, src: &Ep, _dst: Who, _probe: Probe) -> Vec<Exit> {
        let mut e = Exit::new(At::Internet, vec![]);
        e.block = Some(deny(format!("{SRC_NAME} loopback")));
        e.host = src.host;
        vec![e]
    }

    fn entries(&self, _cx: &Cx, dst: &Ep, probe: Probe) -> Vec<Entry> {
        let mut e = Entry::new(At::Internet, container_addr(probe), vec![]);
        e.block = Some(deny(format!("{DST_NAME} loopback")));
        e.host = dst.host;
        vec![e]
    }
}
