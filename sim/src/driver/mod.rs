//! One module per network driver. Each owns its driver's reachability rules: how two
//! endpoints of one network reach each other, how an endpoint's traffic leaves its
//! network ([`Exit`]s) and how an endpoint is entered from outside its network
//! ([`Entry`]s). Adding a driver means adding a module and one line in [`rules`].

use crate::fabric::{Cx, Entry, Exit};
use crate::matrix::{DenyReason, Hop, Mechanism, Probe};
use crate::nodes::{Ep, Who};
use crate::path::{hop, AddrT, Answer, Deny, DST_IP, DST_NAME, SRC_IP, SRC_NAME};
use hnsim_model::Driver;

pub mod bridge;
pub mod host;
pub mod l2bridge;
pub mod l2tunnel;
pub mod macvlan;
pub mod nat;
pub mod none;
pub mod overlay;
pub mod transparent;
pub mod unmodelled;

pub trait DriverRules: Sync {
    /// `a` and `b` are endpoints of the same network (`a.net == b.net`).
    fn same_network(&self, cx: &Cx, a: &Ep, b: &Ep, probe: Probe) -> Answer;
    /// Ways `src`'s traffic for `dst` leaves its network.
    fn exits(&self, cx: &Cx, src: &Ep, dst: Who, probe: Probe) -> Vec<Exit>;
    /// Ways into `dst` from outside its network.
    fn entries(&self, cx: &Cx, dst: &Ep, probe: Probe) -> Vec<Entry>;
}

pub fn rules(driver: &Driver) -> &'static dyn DriverRules {
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

/// Facts for a container's vNIC and compartment on this platform.
pub fn vnic_facts(cx: &Cx, ep: &Ep) -> &'static [&'static str] {
    if ep.host.is_some_and(|h| cx.host(h).is_windows()) {
        if ep.hyperv {
            &["ARCH-1", "ARCH-2", "ARCH-3"]
        } else {
            &["ARCH-1", "ARCH-2"]
        }
    } else {
        &["LNX-1"]
    }
}

fn nic_word(cx: &Cx, ep: &Ep) -> &'static str {
    match ep.host.map(|h| cx.host(h).is_windows()) {
        Some(true) if ep.hyperv => "VM NIC",
        Some(true) => "vNIC",
        _ => "eth",
    }
}

/// The first hop of every endpoint source.
pub fn src_vnic(cx: &Cx, ep: &Ep) -> Hop {
    hop(
        format!("{SRC_NAME} {}", nic_word(cx, ep)),
        Mechanism::Vnic,
        format!("sent from {SRC_IP} on network {}", cx.net_name(ep)),
        vnic_facts(cx, ep),
    )
}

/// The last hop of a delivered flow to an endpoint.
pub fn dst_deliver(cx: &Cx, ep: &Ep, probe: Probe) -> Hop {
    hop(
        format!("{DST_NAME} {}", nic_word(cx, ep)),
        Mechanism::Deliver,
        format!("{probe} delivered to {DST_IP}"),
        vnic_facts(cx, ep),
    )
}

/// Nothing listens on the probed port (the path reaches the container first).
pub fn not_listening(ep: &Ep, probe: Probe) -> Option<Deny> {
    (probe != Probe::Icmp && !ep.listen.contains(&probe)).then(|| {
        Deny::new(
            DenyReason::NotListening,
            DST_NAME.to_string(),
            format!("nothing in {DST_NAME} listens on {probe}"),
            &["NAT-9"],
        )
    })
}

/// Container IP (and port) as the address.
pub fn container_addr(probe: Probe) -> AddrT {
    AddrT::ContainerIp {
        port: match probe {
            Probe::Icmp => None,
            Probe::Tcp(p) | Probe::Udp(p) => Some(p),
        },
    }
}

/// Two endpoints of one network on one host, bridged at `via`.
pub fn bridged(cx: &Cx, a: &Ep, b: &Ep, probe: Probe, via: Hop) -> Answer {
    let hops = vec![src_vnic(cx, a), via];
    finish(cx, b, probe, container_addr(probe), hops)
}

/// Ends a path at `dst`: delivered, or not listening.
pub fn finish(cx: &Cx, dst: &Ep, probe: Probe, addr: AddrT, mut hops: Vec<Hop>) -> Answer {
    if let Some(d) = not_listening(dst, probe) {
        return Answer::denied(Some(addr), hops, d);
    }
    hops.push(dst_deliver(cx, dst, probe));
    Answer::delivered(Some(addr), hops)
}

/// EXT-8 `disableicc` / Linux `enable_icc=false`.
pub fn icc_disabled(cx: &Cx, a: &Ep, b: &Ep, probe: Probe) -> Option<Answer> {
    let net = &cx.d().scenario.networks[a.net?];
    net.icc_disabled()
        .then(|| {
            Answer::denied(
                Some(container_addr(probe)),
                vec![src_vnic(cx, a)],
                Deny::new(
                    DenyReason::IccDisabled,
                    format!("network {}", net.name),
                    format!("inter-container communication is disabled on {}", net.name),
                    &["EXT-8"],
                ),
            )
        })
        .filter(|_| b.net == a.net)
}

/// TRANS-4 / ARCH-5: frames from extra MACs of a VM are dropped by the Hyper-V host
/// unless MAC spoofing is on; Azure does not allow it at all.
pub fn mac_spoofing_block(cx: &Cx, ep: &Ep, facts: &[&str]) -> Option<Deny> {
    use hnsim_model::Machine;
    let h = ep.host?;
    let host = cx.host(h);
    match host.machine {
        Machine::HypervVm if !host.mac_spoofing => Some(Deny::new(
            DenyReason::MacSpoofingBlocked,
            format!("Hyper-V host of {}", host.name),
            format!(
                "{} is a VM without MAC address spoofing: the Hyper-V host drops frames from the containers' MACs",
                host.name
            ),
            facts,
        )),
        Machine::AzureVm => Some(Deny::new(
            DenyReason::MacSpoofingBlocked,
            format!("Azure host of {}", host.name),
            format!(
                "{} is an Azure VM: Azure drops frames from MACs it did not assign (transparent networks do not work on Azure)",
                host.name
            ),
            facts,
        )),
        _ => None,
    }
}

/// OPT-3: a VLAN needs the bound NIC in trunk mode.
pub fn vlan_trunk_block(cx: &Cx, ep: &Ep) -> Option<Deny> {
    let h = ep.host?;
    let net = &cx.d().scenario.networks[ep.net?];
    let vlan = net.vlan_id()?;
    let host = cx.host(h);
    let nic = cx.d().network_nic(net, host)?;
    (!nic.trunk).then(|| {
        Deny::new(
            DenyReason::VlanMismatch,
            format!("{}/{}", host.name, nic.name),
            format!(
                "VLAN {vlan} needs NIC {} in trunk mode; the switch drops the tagged frames",
                nic.name
            ),
            &["OPT-3"],
        )
    })
}

/// The ICMP echo to a container on the host's own stack path (EXT-5): Windows drops
/// the exchange unless the host firewall allows inbound ICMPv4. Applied where the host
/// routes to the container itself (NAT), which is where the CI needed the rule.
pub fn host_icmp_block(cx: &Cx, ep: &Ep, probe: Probe) -> Option<Deny> {
    let h = ep.host?;
    let host = cx.host(h);
    (probe == Probe::Icmp && !host.allows_inbound_icmp()).then(|| {
        Deny::new(
            DenyReason::FirewallBlocked,
            format!("{} firewall", host.name),
            "Windows Firewall on the host drops the ICMPv4 echo exchange with its containers unless an inbound ICMPv4 rule allows it",
            &["EXT-5"],
        )
    })
}

/// Exits and entries of a NAT-like endpoint's own host.
pub fn host_label(cx: &Cx, ep: &Ep) -> String {
    ep.host
        .map(|h| cx.host_name(h).to_string())
        .unwrap_or_else(|| "?".into())
}

/// Denial used by drivers that cannot express a flow.
pub fn denied_at_src(cx: &Cx, src: &Ep, addr: Option<AddrT>, deny: Deny) -> Answer {
    Answer::denied(addr, vec![src_vnic(cx, src)], deny)
}
