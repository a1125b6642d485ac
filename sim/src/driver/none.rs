//! Linux `none` (LNX-5, EXT-11): loopback only. Nothing goes in or out: the engine
//! answers every cell of a `none` endpoint before asking a driver (no address), so
//! these rules only restate that.

use super::{DriverRules, Facts};
use crate::answer::{Answer, Denial, SRC_NAME};
use crate::context::Context;
use crate::fabric::{Entry, Exit};
use crate::matrix::{DenyReason, Probe};
use crate::nodes::{Endpoint, Party};

#[derive(Debug)]
pub(super) struct NoneNet;

impl DriverRules for NoneNet {
    /// LNX-5: only a loopback interface, so nothing else to look at.
    fn isolated(&self, ep: &Endpoint, who: &str) -> Option<Denial> {
        ep.network.is_some().then(|| {
            Denial::new(
                DenyReason::NoAddress,
                who,
                format!("{who} is on network none: it has only a loopback interface"),
                &["LNX-5", "EXT-11"],
            )
        })
    }

    fn address_facts(&self) -> Option<Facts> {
        None
    }

    fn same_network(&self, _cx: &Context, _a: &Endpoint, _b: &Endpoint, _probe: Probe) -> Answer {
        Answer::denied(
            None,
            vec![],
            Denial::new(
                DenyReason::NoAddress,
                format!("{SRC_NAME} loopback"),
                "driver none: the container has only a loopback interface",
                &["LNX-5", "EXT-11"],
            ),
        )
    }

    fn exits(&self, _cx: &Context, _src: &Endpoint, _dst: Party, _probe: Probe) -> Vec<Exit> {
        vec![]
    }

    fn entries(&self, _cx: &Context, _dst: &Endpoint, _probe: Probe) -> Vec<Entry> {
        vec![]
    }
}
