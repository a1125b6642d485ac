//! Linux `macvlan` (LNX-4, EXT-12): a macvlan sub-interface of the host NIC (`parent`
//! option, else the first NIC) in bridge mode, moved into the container's namespace.
//! The container has its own MAC on the segment; the kernel's macvlan rule that a
//! sub-interface cannot talk to its own parent (so not to its own host) holds as is.
//! No port publishing applies.

use super::{endpoint_mac, prefix_len, Builder};
use hnsim_model::Endpoint;

pub(super) fn endpoint(b: &mut Builder, e: &Endpoint, ni: usize, k: usize) {
    let Some(n) = b.bound_nic(
        e,
        ni,
        k,
        "the macvlan parent NIC does not exist on the host",
    ) else {
        return;
    };
    let d = b.d;
    let net = &d.scenario.networks[ni];
    let host = &d.scenario.hosts[k];
    let (ci, a) = (e.container, e.attachment);
    let Some(ip) = e.ip else {
        b.silent_endpoint(ci, a, "the endpoint has no address");
        return;
    };
    let seg = d.segment(&host.nics[n].segment).map(|s| s.subnet);
    let len = prefix_len(net, seg.as_ref());
    let hns = b.host_ns(k);
    let cns = b.container_ns(ci);
    let tmp = format!("m{ci}a{a}");
    let mac = endpoint_mac(ci, a);
    let add = format!("link add {tmp} link e{n} address {mac} type macvlan mode bridge");
    b.add_link_into(&hns, add, &tmp, &cns);
    b.ip(&cns, format!("link set {tmp} name eth{a}"));
    b.ip(&cns, format!("link set eth{a} up"));
    b.ip(&cns, format!("addr add {ip}/{len} dev eth{a}"));
    if let Ok(net) = ipnet::IpNet::new(ip, len) {
        b.on_link.insert((ci, format!("eth{a}")), net.trunc());
    }
    let gw = net
        .gateway
        .or_else(|| d.segment(&host.nics[n].segment).and_then(|s| s.gateway));
    if let Some(gw) = gw {
        b.default_route(ci, gw, &format!("eth{a}"));
    }
}
