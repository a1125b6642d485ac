//! One module per network driver. Each owns its driver's rules: how two endpoints of
//! one network reach each other, how an endpoint's traffic leaves its network
//! ([`Exit`]s) and how an endpoint is entered from outside it ([`Entry`]s), whether
//! Docker's DNS names its endpoints, and what only it knows when an exit meets an entry
//! (a macvlan parent, a published port reached from its own host). Adding a driver
//! means adding a module and one line in [`rules`].

use crate::answer::{Answer, Denial};
use crate::context::Context;
use crate::fabric::{Entry, Exit};
use crate::matrix::Probe;
use crate::nodes::{Endpoint, Party};
use hnsim_model::Driver;

mod bridge;
mod checks;
mod hops;
mod host;
mod l2bridge;
mod l2tunnel;
mod macvlan;
mod nat;
mod none;
mod on_segment;
mod overlay;
mod through_host;
mod transparent;
mod unmodelled;

pub(crate) use hops::{container_addr, finish};

/// SPEC fact IDs a rule rests on.
pub(crate) type Facts = &'static [&'static str];

pub(crate) trait DriverRules: Sync + std::fmt::Debug {
    /// `a` and `b` are endpoints of the same network (`a.network == b.network`).
    fn same_network(&self, ctx: &Context, a: &Endpoint, b: &Endpoint, probe: Probe) -> Answer;

    /// Ways `src`'s traffic for `dst` leaves its network.
    fn exits(&self, ctx: &Context, src: &Endpoint, dst: Party, probe: Probe) -> Vec<Exit>;

    /// Ways into `dst` from outside its network.
    fn entries(&self, ctx: &Context, dst: &Endpoint, probe: Probe) -> Vec<Entry>;

    /// Whether Docker's embedded DNS gives `src` the name of `dst`, an endpoint of this
    /// driver's network, and the facts that say so (DNS-2's table on Windows, EXT-10 and
    /// DNS-1 on Linux). `None`: no name.
    fn name_resolution(&self, _ctx: &Context, _src: &Endpoint, _dst: &Endpoint) -> Option<Facts> {
        None
    }

    /// An endpoint of this driver that takes part in nothing, before any path is looked
    /// at (driver `none`: loopback only). `who` names it in the denial.
    fn isolated(&self, _ep: &Endpoint, _who: &str) -> Option<Denial> {
        None
    }

    /// Whether an endpoint needs an address of its own to take part (not so on `host`
    /// and `none`), and the facts behind it having none.
    fn address_facts(&self) -> Option<Facts> {
        Some(&["IPAM-1"])
    }

    /// Whether the seeds describe this driver's forwarding; a path through a driver
    /// they do not describe is undecided, not guessed.
    fn modelled(&self) -> bool {
        true
    }

    /// This driver's endpoint, leaving by `exit`, can never reach `entry`, whatever lies
    /// between (macvlan and its own parent host, EXT-12).
    fn refuses_towards(&self, _ctx: &Context, _exit: &Exit, _entry: &Entry) -> Option<Denial> {
        None
    }

    /// This driver's endpoint, entered by `entry`, can never be reached from `exit`.
    fn refuses_from(&self, _ctx: &Context, _exit: &Exit, _entry: &Entry) -> Option<Denial> {
        None
    }

    /// A container on the same host reaching a port this driver publishes for `entry`'s
    /// endpoint, through the host's address.
    fn hairpin(&self, ctx: &Context, exit: &Exit, entry: &Entry) -> Answer {
        crate::fabric::hairpin::through_host(ctx, exit, entry, false)
    }
}

pub(crate) fn rules(driver: &Driver) -> &'static dyn DriverRules {
    match driver {
        Driver::Nat => &nat::Nat,
        Driver::Transparent => &transparent::Transparent,
        Driver::Overlay => &overlay::Overlay,
        Driver::L2bridge => &l2bridge::L2bridge,
        Driver::L2tunnel => &l2tunnel::L2tunnel,
        Driver::Bridge => &bridge::Bridge,
        Driver::Host => &host::HostNet,
        Driver::Macvlan => &macvlan::Macvlan,
        Driver::None => &none::NoneNet,
        Driver::Ics | Driver::Private | Driver::Internal | Driver::Ipvlan | Driver::Plugin(_) => {
            &unmodelled::Unmodelled
        }
    }
}
