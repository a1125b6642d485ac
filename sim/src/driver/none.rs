//! Linux `none` (LNX-5, EXT-11): loopback only. Nothing goes in or out: the engine
//! answers every cell of a `none` endpoint before asking a driver (no address), so
//! these rules only restate that.

use super::*;

pub struct NoneNet;

impl DriverRules for NoneNet {
    fn same_network(&self, _cx: &Cx, _a: &Ep, _b: &Ep, _probe: Probe) -> Answer {
        Answer::denied(
            None,
            vec![],
            Deny::new(
                DenyReason::NoAddress,
                format!("{SRC_NAME} loopback"),
                "driver none: the container has only a loopback interface",
                &["LNX-5", "EXT-11"],
            ),
        )
    }

    fn exits(&self, _cx: &Cx, _src: &Ep, _dst: Who, _probe: Probe) -> Vec<Exit> {
        vec![]
    }

    fn entries(&self, _cx: &Cx, _dst: &Ep, _probe: Probe) -> Vec<Entry> {
        vec![]
    }
}
