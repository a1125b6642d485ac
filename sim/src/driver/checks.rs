//! Checks several drivers share: inter-container communication switched off, frames
//! from extra MACs dropped by the virtualisation host, VLANs on an access port, the
//! host firewall on ICMP to its own containers.

use super::hops::{container_addr, src_vnic};
use crate::answer::{Answer, Denial};
use crate::context::Context;
use crate::matrix::{DenyReason, Probe};
use crate::nodes::Endpoint;

/// EXT-8 `disableicc` / Linux `enable_icc=false`.
pub(super) fn icc_disabled(
    ctx: &Context,
    a: &Endpoint,
    b: &Endpoint,
    probe: Probe,
) -> Option<Answer> {
    let net = ctx.network(a)?;
    net.icc_disabled()
        .then(|| {
            Answer::denied(
                Some(container_addr(probe)),
                vec![src_vnic(ctx, a)],
                Denial::new(
                    DenyReason::IccDisabled,
                    format!("network {}", net.name),
                    format!("inter-container communication is disabled on {}", net.name),
                    &["EXT-8"],
                ),
            )
        })
        .filter(|_| b.network == a.network)
}

/// TRANS-4 / ARCH-5: frames from extra MACs of a VM are dropped by the Hyper-V host
/// unless MAC spoofing is on; Azure does not allow it at all.
pub(super) fn mac_spoofing_block(ctx: &Context, ep: &Endpoint, facts: &[&str]) -> Option<Denial> {
    use hnsim_model::Machine;
    let h = ep.host?;
    let host = ctx.host(h);
    match host.machine {
        Machine::HypervVm if !host.mac_spoofing => Some(Denial::new(
            DenyReason::MacSpoofingBlocked,
            format!("Hyper-V host of {}", host.name),
            format!(
                "{} is a VM without MAC address spoofing: the Hyper-V host drops frames from the containers' MACs",
                host.name
            ),
            facts,
        )),
        Machine::AzureVm => Some(Denial::new(
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
pub(super) fn vlan_trunk_block(ctx: &Context, ep: &Endpoint) -> Option<Denial> {
    let h = ep.host?;
    let net = ctx.network(ep)?;
    let vlan = net.vlan_id()?;
    let host = ctx.host(h);
    let nic = ctx.design.network_nic(net, host)?;
    (!nic.trunk).then(|| {
        Denial::new(
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
pub(super) fn host_icmp_block(ctx: &Context, ep: &Endpoint, probe: Probe) -> Option<Denial> {
    let h = ep.host?;
    let host = ctx.host(h);
    (probe == Probe::Icmp && !host.allows_inbound_icmp()).then(|| {
        Denial::new(
            DenyReason::FirewallBlocked,
            format!("{} firewall", host.name),
            "Windows Firewall on the host drops the ICMPv4 echo exchange with its containers unless an inbound ICMPv4 rule allows it",
            &["EXT-5"],
        )
    })
}
