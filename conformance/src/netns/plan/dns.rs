//! Docker's embedded resolver (DNS-1): every container namespace whose container is on
//! a network that serves names gets a [`Zone`] ([`crate::names::zone`]), answered at
//! 127.0.0.11:53 by the namespace's agent, as the engine answers in each container.

use super::{Builder, Placement};
use crate::agent::dns::Zone;

/// Plans the zone of every container with its own namespace (one sharing its host's
/// stack asks the host's resolvers, as on Docker's `host` network).
pub(super) fn zones(b: &mut Builder) {
    for ci in 0..b.plan.containers.len() {
        let own = b.container_ns(ci);
        if b.plan.containers[ci] != Placement::Ns(own.clone()) {
            continue;
        }
        if let Some(zone) = crate::names::zone(b.d, ci) {
            b.plan.dns.insert(own, zone);
        }
    }
}

/// The zones of a plan, for tests and for the agents.
pub type Zones = std::collections::BTreeMap<String, Zone>;
