//! Windows `nat` (NAT-1..12, EXT-1..3), emulated with the parts Linux expresses exactly:
//! - the internal vSwitch is a Linux bridge `b<net>`; the host vNIC holds the gateway
//!   (NAT-5: containers on one NAT network are bridged);
//! - WinNAT is one masquerade rule for the host's whole internal NAT prefix (NAT-7,
//!   NAT-11: one prefix per host), plus one per user-defined subnet outside it;
//! - port mappings are DNAT rules for the host's addresses (NAT-8/9), host-wide as the
//!   firewall rule NAT-10 describes; `localhost:PORT` from the host only from 1803 on
//!   (EXT-2);
//! - two NAT networks on one host cannot reach each other by container IP (NAT-6,
//!   EXT-3): forwarding between their bridges is dropped;
//! - container IPs are not reachable from other hosts (NAT-12): nothing routes to them
//!   and inbound to them from the host NICs is dropped;
//! - `disableicc` isolates the bridge ports.

use super::Builder;
use hnsim_model::Endpoint;

pub(super) fn endpoint(b: &mut Builder, e: &Endpoint, ni: usize, k: usize) {
    let host = &b.d.scenario.hosts[k];
    let net = &b.d.scenario.networks[ni];
    let prefix = host.nat_prefix();
    if b.once(format!("h{k}/winnat")) {
        masquerade(b, k, prefix);
    }
    for subnet in &net.subnet.0 {
        if !prefix.contains(subnet) && b.once(format!("h{k}/winnat/{subnet}")) {
            masquerade(b, k, *subnet);
        }
    }
    super::bridge::internal_bridge(b, e, ni, k, true);
}

/// Masquerades `from` leaving host `k` by a NIC (`e*`), or by the external vSwitch
/// bridge (`x*`) that a transparent or l2bridge network on the same NIC made of it
/// (the host's address moves there, and so does the route out).
fn masquerade(b: &mut Builder, k: usize, from: ipnet::IpNet) {
    let post = b.host_nat_post.entry(k).or_default();
    for nic in ["e*", "x*"] {
        post.push(format!("ip saddr {from} oifname \"{nic}\" masquerade"));
    }
}
