//! Sources with nothing to send by: a container that is not running (Docker and HNS
//! tear its endpoints down: the model's `endpoint-down`), and an endpoint that has no
//! interface (its network does not exist) or no address (no free address, no DHCP,
//! no IP configuration left: the model's `no-address`).
//!
//! On a real engine such a source has no stack, or no interface on the network, to
//! put a packet on. Its cells are still a question with an answer — nothing it sends
//! arrives — and the emulation asks it from one namespace that has only `lo`, the
//! stack of a party attached to nothing: every probe from there fails with "network
//! unreachable". So a model that says such a source reaches anything disagrees with
//! the wire, and one that denies it agrees, without the emulation inventing an
//! interface the engine would not have created. As destinations these parties stay
//! not emulated: there is no address to send to.

use super::Builder;
use std::collections::BTreeSet;

/// The sources that send from the namespace standing in for "attached to nothing".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Silent {
    /// `<prefix>-z`, with only `lo`; made when a party needs it.
    pub ns: Option<String>,
    /// Containers that are not running (indices into `scenario.containers`).
    pub containers: BTreeSet<usize>,
    /// (container, attachment) of endpoints without an interface or an address.
    pub endpoints: BTreeSet<(usize, usize)>,
}

impl Silent {
    /// The namespace endpoint `a` of container `ci` sends from, when it has nothing
    /// to send by.
    pub fn source(&self, ci: usize, a: usize) -> Option<&str> {
        let silent = self.containers.contains(&ci) || self.endpoints.contains(&(ci, a));
        self.ns.as_deref().filter(|_| silent)
    }
}

impl Builder<'_> {
    fn silent_ns(&mut self) {
        if self.plan.silent.ns.is_none() {
            self.plan.silent.ns = Some(self.add_ns("z"));
        }
    }

    /// Container `ci` is not running: its endpoints send from the silent namespace.
    pub fn silent_container(&mut self, ci: usize) {
        self.silent_ns();
        self.plan.silent.containers.insert(ci);
    }

    /// Endpoint `a` of container `ci` has no interface or no address (`why`): not
    /// emulated as a destination, silent as a source.
    pub fn silent_endpoint(&mut self, ci: usize, a: usize, why: &str) {
        self.not_emulated(ci, a, why);
        self.silent_ns();
        self.plan.silent.endpoints.insert((ci, a));
    }
}
