//! Windows `l2tunnel` (L2T-1, SDN-1) on Microsoft's cloud stack: every frame of an
//! endpoint, to another endpoint of the same VM or not, hairpins through the physical
//! Hyper-V host, whose vSwitch puts it on the tenant's virtual network.
//!
//! The physical host of VM `k` is a namespace of its own (`p<k>`) with a bridge `br0`
//! joined to the segment (the virtual network) by an uplink. Each l2tunnel endpoint is
//! a port of that bridge, not of any bridge of the VM: two endpoints of one VM meet
//! only there, and the VM's own NIC (with its TRANS-4 MAC filter) is not on their path.
//! The network controller's policies are not part of a scenario, so the physical host
//! forwards everything. Outside the cloud stack nothing is forwarded, which is left
//! not emulated.

use super::{prefix_len, Builder};
use hnsim_model::Endpoint;

pub(super) fn endpoint(b: &mut Builder, e: &Endpoint, ni: usize, k: usize) {
    let d = b.d;
    let net = &d.scenario.networks[ni];
    let host = &d.scenario.hosts[k];
    let (ci, a) = (e.container, e.attachment);
    if !host.sdn.as_ref().is_some_and(|s| s.azure) {
        b.not_emulated(
            ci,
            a,
            "l2tunnel outside Microsoft's cloud stack: its physical host forwards nothing \
             (L2T-1), which is not emulated",
        );
        return;
    }
    let Some((_, si, ip)) = b.bound_segment(e, ni, k) else {
        return;
    };
    let seg = &d.scenario.segments[si];
    let pns = b.add_ns(&format!("p{k}"));
    if b.once(format!("p{k}/uplink")) {
        let sns = b.plan.ns(&format!("s{si}"));
        b.ip(&pns, "link add br0 type bridge");
        b.ip(&pns, "link set br0 up");
        b.veth(&pns, "uplink", &sns, &format!("p{k}"));
        b.ip(&pns, "link set uplink master br0");
        b.ip(&sns, format!("link set p{k} master br0"));
    }
    let len = prefix_len(net, Some(&seg.subnet));
    b.attach_to_bridge(ci, a, &pns, "br0", Some((ip, len)));
    if let Some(gw) = net.gateway.or(seg.gateway) {
        b.default_route(ci, gw, &format!("eth{a}"));
    }
}
