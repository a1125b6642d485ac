//! VLANs (OPT-3) without 802.1Q in the kernel: a VLAN of a segment is a layer-2 domain
//! of its own, which is what a VLAN-aware switch makes of the frames it carries.
//!
//! - In the segment namespace, VLAN `v` is the bridge `v<v>`, apart from `br0` (the
//!   untagged domain). The segment's router has a leg on it too, with the segment's
//!   gateway address, in a router namespace of its own (`r<s>v<v>`: the same address
//!   on two legs of one router would leave replies to the first), with its own transfer
//!   network to the internet and the segment's masquerade or drop.
//! - A host NIC in trunk mode carries the VLANs its segment's trunk lists: the host
//!   namespace has a bridge `x<n>v<v>` per tagged network's VLAN, joined to `v<v>` by a
//!   veth pair when the switch port carries `v`. A VLAN the port does not carry reaches
//!   only the containers of that host on the same VLAN (the vSwitch), nothing on the
//!   wire.
//! - A client on an access port of VLAN `v` is a port of `v<v>`.
//!
//! The host's own (untagged) address stays on `x<n>`/`e<n>`: it shares no domain with
//! tagged endpoints.

use super::{host_mac, prefix_len, Builder};
use hnsim_model::Endpoint;

/// The bridge of VLAN `vid` on segment `si`, with its router leg; made once.
pub(super) fn domain(b: &mut Builder, si: usize, vid: u16) -> String {
    let bridge = format!("v{vid}");
    if !b.once(format!("s{si}/vlan/{vid}")) {
        return bridge;
    }
    let sns = b.plan.ns(&format!("s{si}"));
    b.ip(&sns, format!("link add {bridge} type bridge"));
    b.ip(&sns, format!("link set {bridge} up"));
    let seg = &b.d.scenario.segments[si];
    let Some(gw) = seg.gateway else {
        return bridge;
    };
    let (len, masq) = (seg.subnet.prefix_len(), seg.internet);
    let rns = b.add_ns(&format!("r{si}v{vid}"));
    b.sysctl(&rns, "net.ipv4.ip_forward", "1");
    b.veth(&rns, "lan", &sns, &format!("r{vid}"));
    b.ip(&sns, format!("link set r{vid} master {bridge}"));
    b.ip(&rns, format!("addr add {gw}/{len} dev lan"));
    // A transfer network of its own towards the internet (RFC 6598 space, inside the
    // run's namespaces only).
    let index = b.created.iter().filter(|k| k.contains("/vlan/")).count();
    let inet = b.plan.ns("in");
    let (r, i) = (
        format!("100.64.{}.1", index.min(250)),
        format!("100.64.{}.2", index.min(250)),
    );
    let wan = format!("w{si}v{vid}");
    b.veth(&rns, "wan", &inet, &wan);
    b.ip(&rns, format!("addr add {r}/30 dev wan"));
    b.ip(&inet, format!("addr add {i}/30 dev {wan}"));
    b.ip(&rns, format!("route add default via {i}"));
    let out = if masq {
        "iifname \"lan\" oifname \"wan\" masquerade"
    } else {
        "iifname \"lan\" oifname \"wan\" drop"
    };
    let (post, filt) = if masq { (out, "") } else { ("", out) };
    b.plan.nft.insert(
        rns,
        format!(
            "table ip hnsim {{\n  chain post {{\n    type nat hook postrouting priority 100;\n    {post}\n  }}\n  chain filt {{\n    type filter hook forward priority 0;\n    iifname \"wan\" ct state established,related accept\n    iifname \"wan\" drop\n    {filt}\n  }}\n}}\n"
        ),
    );
    bridge
}

/// A transparent endpoint tagged with VLAN `vid` (OPT-3, TRANS-1).
pub(super) fn endpoint(b: &mut Builder, e: &Endpoint, ni: usize, k: usize, vid: u16) {
    let d = b.d;
    let net = &d.scenario.networks[ni];
    let host = &d.scenario.hosts[k];
    let (ci, a) = (e.container, e.attachment);
    let Some((n, si, ip)) = b.bound_segment(e, ni, k) else {
        return;
    };
    let nic = &host.nics[n];
    let seg = &d.scenario.segments[si];
    let len = prefix_len(net, Some(&seg.subnet));
    let hns = b.host_ns(k);
    let x = format!("x{n}v{vid}");
    if b.once(format!("h{k}/{x}")) {
        b.ip(&hns, format!("link add {x} type bridge"));
        b.ip(&hns, format!("link set {x} up"));
        // The switch port forwards the VLAN only when it is a trunk carrying it.
        if nic.trunk && seg.trunk_vlans.contains(&vid) {
            let bridge = domain(b, si, vid);
            let sns = b.plan.ns(&format!("s{si}"));
            let port = format!("h{k}e{n}v{vid}");
            b.veth(&hns, &format!("e{n}v{vid}"), &sns, &port);
            b.ip(&hns, format!("link set e{n}v{vid} master {x}"));
            b.ip(&sns, format!("link set {port} master {bridge}"));
            // TRANS-4 on the tagged port as on the untagged one.
            if super::blocks_spoofing(host) {
                b.seg_bridge_fwd.entry(si).or_default().push(format!(
                    "iifname \"{port}\" ether saddr != {} drop",
                    host_mac(k, n)
                ));
            }
        }
    }
    b.attach_to_bridge(ci, a, &hns, &x, Some((ip, len)));
    let gw = net.gateway.or_else(|| {
        (e.ip_source == hnsim_model::IpSource::Dhcp)
            .then_some(seg.gateway)
            .flatten()
    });
    if let Some(gw) = gw {
        b.default_route(ci, gw, &format!("eth{a}"));
    }
}
