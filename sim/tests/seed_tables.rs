//! MAT-1, MAT-2 and MAT-3 regenerated from the engine.
//!
//! For each Windows driver this builds the design the seed tables assume (one or more
//! hosts, containers on one network, on a second subnet, on another host), simulates it,
//! picks the cells a table cell speaks about, and derives the table's one-line
//! description from those cells' mechanisms, addresses and denials. The result must
//! equal the tables transcribed (in English) from seeds 000 ("단일 노드", "다중 노드") and
//! 001 ("네트워킹 모드/Docker 드라이버"). Where the seeds disagree (overlay outbound), 000
//! describes WS2016 and 001 both versions, so the overlay rows draw on a WS2016 and a
//! WS2019 swarm.

use hnsim_sim::{AddressKind, Cell, DenyReason, Disposition, Mechanism, Probe, StateMatrix};

// ---- the seed tables, transcribed ------------------------------------------------------

/// 000 "단일 노드": driver, container-to-container, container-to-external.
const MAT_1: &[(&str, &str, &str)] = &[
    ("nat", "bridged through the Hyper-V vSwitch", "routed through WinNAT with address translation"),
    ("transparent", "bridged through the Hyper-V vSwitch", "direct access to the physical network"),
    (
        "overlay",
        "VXLAN encapsulation in the VFP forwarding extension; same-host traffic bridged through the Hyper-V vSwitch",
        "routed through WinNAT with address translation",
    ),
    ("l2bridge", "bridged through the Hyper-V vSwitch", "access to the physical network with MAC address translation"),
];

/// 000 "다중 노드".
const MAT_2: &[(&str, &str, &str)] = &[
    (
        "nat",
        "must reference the external container host IP and port; routed through WinNAT with address translation",
        "must reference the external container host; routed through WinNAT with address translation",
    ),
    ("transparent", "must reference the container IP endpoint directly", "direct access to the physical network"),
    (
        "overlay",
        "VXLAN encapsulation in the VFP forwarding extension; cross-host traffic references the IP endpoint directly",
        "routed through WinNAT with address translation",
    ),
    ("l2bridge", "must reference the container IP endpoint directly", "access to the physical network with MAC address translation"),
];

/// 001 "네트워킹 모드/Docker 드라이버": driver, c2c single node, c2external (single +
/// multi node), c2c multi node.
const MAT_3: &[(&str, &str, &str, &str)] = &[
    (
        "nat",
        "same subnet: bridged through the Hyper-V vSwitch; cross subnet: not supported (only one NAT internal prefix)",
        "routed through the management vNIC (bound to WinNAT)",
        "not directly supported: ports must be exposed through the host",
    ),
    (
        "transparent",
        "same subnet: bridged through the Hyper-V vSwitch; cross subnet: routed through the container host",
        "routed through the container host with direct access to the (physical) network adapter",
        "routed through the container host with direct access to the (physical) network adapter",
    ),
    (
        "overlay",
        "same subnet: bridged through the Hyper-V vSwitch; cross subnet: traffic is encapsulated and routed through the management vNIC",
        "not directly supported: a second endpoint on a NAT network (WS2016) or VFP NAT rules (WS2019)",
        "same/cross subnet: encapsulated with VXLAN and routed through the management vNIC",
    ),
    (
        "l2bridge",
        "same subnet: bridged through the Hyper-V vSwitch; cross subnet: container MAC rewritten on ingress and egress and routed",
        "container MAC rewritten on ingress and egress",
        "same subnet: bridged; cross subnet: routed through the management vNIC on WSv1809 and later",
    ),
    (
        "l2tunnel",
        "same/cross subnet: hairpinned to the physical host's Hyper-V vSwitch, where policies apply",
        "traffic must pass the Azure virtual network gateway",
        "same/cross subnet: hairpinned to the physical host's Hyper-V vSwitch, where policies apply",
    ),
];

// ---- the designs the tables assume ----------------------------------------------------

const NAT: &str = r#"
name: seed-nat
segments: [{name: lan, subnet: 10.0.0.0/24, gateway: 10.0.0.1}]
hosts:
  - {name: h1, os: ws2019, nics: [{name: Ethernet, ip: 10.0.0.10/24, segment: lan}]}
  - {name: h2, os: ws2019, nics: [{name: Ethernet, ip: 10.0.0.11/24, segment: lan}]}
networks:
  - {name: second, host: h1, driver: nat, subnet: 172.16.16.0/24}
containers:
  - {name: a, host: h1, ports: ["8080:80"]}
  - {name: b, host: h1, listen: [tcp/80]}
  - {name: c, host: h1, networks: [second], listen: [tcp/80]}
  - {name: d, host: h2, listen: [tcp/80]}
"#;

const TRANSPARENT: &str = r#"
name: seed-transparent
segments:
  - {name: lan, subnet: 10.0.0.0/24, gateway: 10.0.0.1, dhcp: true}
  - {name: lan2, subnet: 10.0.1.0/24, gateway: 10.0.1.1, dhcp: true}
hosts:
  - name: h1
    os: ws2019
    nics:
      - {name: Ethernet, ip: 10.0.0.10/24, segment: lan}
      - {name: Ethernet 2, ip: 10.0.1.10/24, segment: lan2}
  - {name: h2, os: ws2019, nics: [{name: Ethernet, ip: 10.0.0.11/24, segment: lan}]}
networks:
  - {name: t, host: h1, driver: transparent, options: {com.docker.network.windowsshim.interface: Ethernet}}
  - {name: t2, host: h1, driver: transparent, options: {com.docker.network.windowsshim.interface: Ethernet 2}}
  - {name: t, host: h2, driver: transparent}
containers:
  - {name: a, host: h1, networks: [t], listen: [tcp/80]}
  - {name: b, host: h1, networks: [t], listen: [tcp/80]}
  - {name: c, host: h1, networks: [t2], listen: [tcp/80]}
  - {name: d, host: h2, networks: [t], listen: [tcp/80]}
"#;

const OVERLAY_WS2016: &str = r#"
name: seed-overlay-2016
segments: [{name: lan, subnet: 192.168.20.0/24, gateway: 192.168.20.1}]
hosts:
  - {name: h1, os: ws2016, swarm: manager, updates: [KB4015217], nics: [{name: Ethernet, ip: 192.168.20.10/24, segment: lan}]}
  - {name: h2, os: ws2016, swarm: worker, updates: [KB4015217], nics: [{name: Ethernet, ip: 192.168.20.11/24, segment: lan}]}
networks: [{name: ovl, driver: overlay, attachable: true}]
containers:
  - {name: a, host: h1, networks: [ovl, nat], listen: [tcp/80]}
  - {name: b, host: h1, networks: [ovl], listen: [tcp/80]}
  - {name: c, host: h2, networks: [ovl], listen: [tcp/80]}
"#;

const OVERLAY_WS2019: &str = r#"
name: seed-overlay-2019
segments:
  - {name: lan, subnet: 192.168.10.0/24, gateway: 192.168.10.1}
  - {name: lan2, subnet: 192.168.11.0/24, gateway: 192.168.11.1}
hosts:
  - {name: h1, os: ws2019, swarm: manager, updates: [KB4489899], nics: [{name: Ethernet, ip: 192.168.10.10/24, segment: lan}]}
  - {name: h2, os: ws2019, swarm: worker, updates: [KB4489899], nics: [{name: Ethernet, ip: 192.168.10.11/24, segment: lan}]}
  - {name: h3, os: ws2019, swarm: worker, updates: [KB4489899], nics: [{name: Ethernet, ip: 192.168.11.12/24, segment: lan2}]}
networks: [{name: ovl, driver: overlay, attachable: true, vni: 4096}]
containers:
  - {name: a, host: h1, networks: [ovl], listen: [tcp/80]}
  - {name: b, host: h1, networks: [ovl], listen: [tcp/80]}
  - {name: c, host: h2, networks: [ovl], listen: [tcp/80]}
  - {name: e, host: h3, networks: [ovl], listen: [tcp/80]}
"#;

fn l2bridge(os: &str) -> String {
    format!(
        r#"
name: seed-l2bridge
segments:
  - {{name: lan, subnet: 10.0.0.0/24, gateway: 10.0.0.1}}
  - {{name: lan2, subnet: 10.0.1.0/24, gateway: 10.0.1.1}}
hosts:
  - {{name: h1, os: {os}, nics: [{{name: Ethernet, ip: 10.0.0.10/24, segment: lan}}]}}
  - {{name: h2, os: {os}, nics: [{{name: Ethernet, ip: 10.0.0.11/24, segment: lan}}]}}
  - {{name: h3, os: {os}, nics: [{{name: Ethernet, ip: 10.0.1.12/24, segment: lan2}}]}}
networks:
  - {{name: l2, host: h1, driver: l2bridge, subnet: [10.0.0.0/24, 10.0.5.0/24], gateway: 10.0.0.1}}
  - {{name: l2, host: h2, driver: l2bridge, subnet: 10.0.0.0/24, gateway: 10.0.0.1}}
  - {{name: l2, host: h3, driver: l2bridge, subnet: 10.0.1.0/24, gateway: 10.0.1.1}}
containers:
  - {{name: a, host: h1, networks: [{{network: l2, ip: 10.0.0.101}}], listen: [tcp/80]}}
  - {{name: b, host: h1, networks: [{{network: l2, ip: 10.0.0.102}}], listen: [tcp/80]}}
  - {{name: c, host: h1, networks: [{{network: l2, ip: 10.0.5.101}}], listen: [tcp/80]}}
  - {{name: d, host: h2, networks: [{{network: l2, ip: 10.0.0.103}}], listen: [tcp/80]}}
  - {{name: e, host: h3, networks: [{{network: l2, ip: 10.0.1.101}}], listen: [tcp/80]}}
"#
    )
}

const L2TUNNEL: &str = r#"
name: seed-l2tunnel
segments: [{name: vnet, subnet: 192.168.1.0/24, gateway: 192.168.1.1}]
hosts:
  - name: vm1
    os: ws2019
    machine: hyperv-vm
    nics: [{name: Ethernet, ip: 192.168.1.9/24, segment: vnet}]
    sdn: {network-controller: true, hyperv-feature: true, network-proxy: true, plugin: true, azure: true, ip-configs: [192.168.1.101, 192.168.1.102]}
  - name: vm2
    os: ws2019
    machine: hyperv-vm
    nics: [{name: Ethernet, ip: 192.168.1.10/24, segment: vnet}]
    sdn: {network-controller: true, hyperv-feature: true, network-proxy: true, plugin: true, azure: true, ip-configs: [192.168.1.111]}
networks:
  - {name: tun, host: vm1, driver: l2tunnel, subnet: 192.168.1.0/24, gateway: 192.168.1.1}
  - {name: tun, host: vm2, driver: l2tunnel, subnet: 192.168.1.0/24, gateway: 192.168.1.1}
containers:
  - {name: a, host: vm1, networks: [tun], listen: [tcp/80]}
  - {name: b, host: vm1, networks: [tun], listen: [tcp/80]}
  - {name: c, host: vm2, networks: [tun], listen: [tcp/80]}
"#;

fn matrix(text: &str) -> StateMatrix {
    let doc = hnsim_model::parse_scenario("seed.yaml", text).expect("seed design parses");
    let report = hnsim_sim::simulate(&doc);
    report.final_state().expect("a state").clone()
}

fn cell(m: &StateMatrix, from: &str, to: &str, probe: Probe) -> Cell {
    m.cell(from, to, probe)
        .unwrap_or_else(|| panic!("no cell {from} -> {to} {probe}"))
}

// ---- descriptions derived from cells --------------------------------------------------

fn has(c: &Cell, m: Mechanism) -> bool {
    c.path.iter().any(|h| h.mechanism == m)
}

fn delivered(c: &Cell) -> bool {
    c.disposition.is_delivered()
}

fn denied(c: &Cell, reason: DenyReason) -> bool {
    matches!(&c.disposition, Disposition::Denied { reason: r, .. } if *r == reason)
}

fn address_kind(c: &Cell) -> Option<AddressKind> {
    c.address.as_ref().map(|a| a.kind)
}

/// Only bridging in one vSwitch between the two vNICs (and name resolution).
fn bridged_only(c: &Cell) -> bool {
    delivered(c)
        && has(c, Mechanism::VswitchBridge)
        && c.path.iter().all(|h| {
            matches!(
                h.mechanism,
                Mechanism::Vnic | Mechanism::VswitchBridge | Mechanism::Deliver | Mechanism::Dns
            )
        })
}

/// Leaves the host onto the physical network with the container's own address.
fn direct_on_network(c: &Cell) -> bool {
    delivered(c)
        && !has(c, Mechanism::WinNat)
        && !has(c, Mechanism::VfpNat)
        && !has(c, Mechanism::MacRewrite)
        && !has(c, Mechanism::PhysicalHostHairpin)
        && (has(c, Mechanism::PhysicalSegment) || has(c, Mechanism::Routed))
}

fn hairpin_with_policies(c: &Cell) -> bool {
    delivered(c) && has(c, Mechanism::PhysicalHostHairpin) && has(c, Mechanism::SdnPolicy)
}

/// 000's wording for one cell.
fn seed000(c: &Cell) -> String {
    let mut parts: Vec<&str> = Vec::new();
    if !delivered(c) {
        return format!("not delivered ({:?})", c.disposition);
    }
    if has(c, Mechanism::VxlanEncap) {
        parts.push("VXLAN encapsulation in the VFP forwarding extension");
    } else if has(c, Mechanism::WinNat) {
        parts.push("routed through WinNAT with address translation");
    } else if has(c, Mechanism::MacRewrite) {
        parts.push("access to the physical network with MAC address translation");
    } else if bridged_only(c) {
        parts.push("bridged through the Hyper-V vSwitch");
    } else if direct_on_network(c) {
        parts.push("direct access to the physical network");
    }
    parts.join("; ")
}

fn mat1(c2c: &[&Cell], c2ext: &Cell) -> (String, String) {
    let mut first = seed000(c2c[0]);
    if let Some(same_host) = c2c.get(1) {
        if bridged_only(same_host) {
            first.push_str("; same-host traffic bridged through the Hyper-V vSwitch");
        }
    }
    (first, seed000(c2ext))
}

fn mat2(c2c: &Cell, c2ext: &Cell, source_is_nat: bool) -> (String, String) {
    let a = match address_kind(c2c) {
        Some(AddressKind::HostPort) => format!(
            "must reference the external container host IP and port; {}",
            seed000(c2c)
        ),
        Some(AddressKind::ContainerIp) if has(c2c, Mechanism::VxlanEncap) => {
            format!(
                "{}; cross-host traffic references the IP endpoint directly",
                seed000(c2c)
            )
        }
        Some(AddressKind::ContainerIp) => {
            "must reference the container IP endpoint directly".to_string()
        }
        _ => seed000(c2c),
    };
    let b = if source_is_nat && has(c2ext, Mechanism::WinNat) {
        format!(
            "must reference the external container host; {}",
            seed000(c2ext)
        )
    } else {
        seed000(c2ext)
    };
    (a, b)
}

/// 001's wording for a single-node container-to-container cell.
fn seed001_c2c(c: &Cell) -> String {
    if denied(c, DenyReason::IsolatedNetwork) && c.facts.iter().any(|f| f == "NAT-6") {
        "not supported (only one NAT internal prefix)".into()
    } else if hairpin_with_policies(c) {
        "hairpinned to the physical host's Hyper-V vSwitch, where policies apply".into()
    } else if delivered(c) && has(c, Mechanism::VxlanEncap) && has(c, Mechanism::ManagementVnic) {
        "traffic is encapsulated and routed through the management vNIC".into()
    } else if delivered(c) && has(c, Mechanism::MacRewrite) && has(c, Mechanism::Routed) {
        "container MAC rewritten on ingress and egress and routed".into()
    } else if delivered(c)
        && c.path
            .iter()
            .any(|h| h.mechanism == Mechanism::Routed && h.at.contains("container host"))
    {
        "routed through the container host".into()
    } else if bridged_only(c) {
        "bridged through the Hyper-V vSwitch".into()
    } else {
        format!(
            "unexpected: {:?}",
            c.path.iter().map(|h| h.mechanism).collect::<Vec<_>>()
        )
    }
}

fn seed001_ext(cells: &[&Cell]) -> String {
    let c = cells[0];
    if cells.len() == 2 {
        // overlay: WS2016 and WS2019.
        let ws2016 =
            has(cells[0], Mechanism::WinNat) && cells[0].facts.iter().any(|f| f == "OVL-3");
        let ws2019 = has(cells[1], Mechanism::VfpNat);
        if delivered(cells[0]) && delivered(cells[1]) && ws2016 && ws2019 {
            return "not directly supported: a second endpoint on a NAT network (WS2016) or VFP NAT rules (WS2019)".into();
        }
    }
    if !delivered(c) {
        return format!("not delivered ({:?})", c.disposition);
    }
    if has(c, Mechanism::PhysicalHostHairpin)
        && c.path
            .iter()
            .any(|h| h.detail.contains("virtual network gateway"))
    {
        "traffic must pass the Azure virtual network gateway".into()
    } else if has(c, Mechanism::WinNat) && has(c, Mechanism::ManagementVnic) {
        "routed through the management vNIC (bound to WinNAT)".into()
    } else if has(c, Mechanism::MacRewrite) {
        "container MAC rewritten on ingress and egress".into()
    } else if direct_on_network(c) {
        "routed through the container host with direct access to the (physical) network adapter"
            .into()
    } else {
        format!(
            "unexpected: {:?}",
            c.path.iter().map(|h| h.mechanism).collect::<Vec<_>>()
        )
    }
}

fn seed001_multi(same: &Cell, cross: Option<&Cell>) -> String {
    if address_kind(same) == Some(AddressKind::HostPort) {
        return "not directly supported: ports must be exposed through the host".into();
    }
    let enc = |c: &Cell| {
        delivered(c) && has(c, Mechanism::VxlanEncap) && has(c, Mechanism::ManagementVnic)
    };
    if let Some(cross) = cross {
        if enc(same) && enc(cross) {
            return "same/cross subnet: encapsulated with VXLAN and routed through the management vNIC".into();
        }
        if hairpin_with_policies(same) && hairpin_with_policies(cross) {
            return "same/cross subnet: hairpinned to the physical host's Hyper-V vSwitch, where policies apply".into();
        }
        if has(same, Mechanism::MacRewrite)
            && delivered(same)
            && !has(same, Mechanism::ManagementVnic)
        {
            let cross_text = if delivered(cross) && has(cross, Mechanism::ManagementVnic) {
                "routed through the management vNIC on WSv1809 and later"
            } else {
                "not routed"
            };
            return format!("same subnet: bridged; cross subnet: {cross_text}");
        }
    }
    if direct_on_network(same) && address_kind(same) == Some(AddressKind::ContainerIp) {
        return "routed through the container host with direct access to the (physical) network adapter".into();
    }
    format!(
        "unexpected: {:?}",
        same.path.iter().map(|h| h.mechanism).collect::<Vec<_>>()
    )
}

fn single(same: &Cell, cross: Option<&Cell>) -> String {
    match cross {
        Some(cross) => format!(
            "same subnet: {}; cross subnet: {}",
            seed001_c2c(same),
            seed001_c2c(cross)
        ),
        None => format!("same/cross subnet: {}", seed001_c2c(same)),
    }
}

const T80: Probe = Probe::Tcp(80);
const WEB: Probe = Probe::Tcp(443);

struct Row {
    mat1: (String, String),
    mat2: (String, String),
    mat3: (String, String, String),
}

fn nat_row() -> Row {
    let m = matrix(NAT);
    let same = &cell(&m, "b@nat", "a@nat", T80);
    let cross = &cell(&m, "c@second", "b@nat", T80);
    let ext = &cell(&m, "a@nat", "internet", WEB);
    let multi = &cell(&m, "d@nat", "a@nat", T80);
    let ext2 = &cell(&m, "d@nat", "internet", WEB);
    Row {
        mat1: mat1(&[same], ext),
        mat2: mat2(multi, ext2, true),
        mat3: (
            single(same, Some(cross)),
            seed001_ext(&[ext]),
            seed001_multi(multi, None),
        ),
    }
}

fn transparent_row() -> Row {
    let m = matrix(TRANSPARENT);
    let same = &cell(&m, "a@t", "b@t", T80);
    let cross = &cell(&m, "a@t", "c@t2", T80);
    let ext = &cell(&m, "a@t", "internet", WEB);
    let multi = &cell(&m, "d@t", "a@t", T80);
    Row {
        mat1: mat1(&[same], ext),
        mat2: mat2(multi, ext, false),
        mat3: (
            single(same, Some(cross)),
            seed001_ext(&[ext]),
            seed001_multi(multi, None),
        ),
    }
}

fn overlay_row() -> Row {
    let old = matrix(OVERLAY_WS2016);
    let new = matrix(OVERLAY_WS2019);
    let cross_host_2016 = &cell(&old, "a@ovl", "c@ovl", T80);
    let same_host_2016 = &cell(&old, "a@ovl", "b@ovl", T80);
    let ext_2016 = &cell(&old, "a@ovl", "internet", WEB);
    let same = &cell(&new, "a@ovl", "b@ovl", T80);
    let cross_subnet = &cell(&new, "a@ovl", "e@ovl", T80);
    let multi_same = &cell(&new, "a@ovl", "c@ovl", T80);
    let ext_2019 = &cell(&new, "a@ovl", "internet", WEB);
    Row {
        mat1: mat1(&[cross_host_2016, same_host_2016], ext_2016),
        mat2: mat2(cross_host_2016, ext_2016, false),
        mat3: (
            single(same, Some(cross_subnet)),
            seed001_ext(&[ext_2016, ext_2019]),
            seed001_multi(multi_same, Some(cross_subnet)),
        ),
    }
}

fn l2bridge_row() -> Row {
    let m = matrix(&l2bridge("ws2019"));
    let same = &cell(&m, "a@l2", "b@l2", T80);
    let cross = &cell(&m, "a@l2", "c@l2", T80);
    let ext = &cell(&m, "a@l2", "internet", WEB);
    let multi_same = &cell(&m, "a@l2", "d@l2", T80);
    let multi_cross = &cell(&m, "a@l2", "e@l2", T80);
    Row {
        mat1: mat1(&[same], ext),
        mat2: mat2(multi_same, ext, false),
        mat3: (
            single(same, Some(cross)),
            seed001_ext(&[ext]),
            seed001_multi(multi_same, Some(multi_cross)),
        ),
    }
}

fn l2tunnel_mat3() -> (String, String, String) {
    let m = matrix(L2TUNNEL);
    let same = &cell(&m, "a@tun", "b@tun", T80);
    let other = &cell(&m, "a@tun", "c@tun", T80);
    let ext = &cell(&m, "a@tun", "internet", WEB);
    (
        single(same, None),
        seed001_ext(&[ext]),
        seed001_multi(same, Some(other)),
    )
}

fn rows() -> Vec<(&'static str, Row)> {
    vec![
        ("nat", nat_row()),
        ("transparent", transparent_row()),
        ("overlay", overlay_row()),
        ("l2bridge", l2bridge_row()),
    ]
}

#[test]
fn mat1_single_node_table_is_regenerated() {
    for ((driver, row), (d, c2c, c2ext)) in rows().into_iter().zip(MAT_1) {
        assert_eq!(driver, *d);
        assert_eq!(row.mat1.0, *c2c, "MAT-1 {driver} container-to-container");
        assert_eq!(row.mat1.1, *c2ext, "MAT-1 {driver} container-to-external");
    }
}

#[test]
fn mat2_multi_node_table_is_regenerated() {
    for ((driver, row), (d, c2c, c2ext)) in rows().into_iter().zip(MAT_2) {
        assert_eq!(driver, *d);
        assert_eq!(row.mat2.0, *c2c, "MAT-2 {driver} container-to-container");
        assert_eq!(row.mat2.1, *c2ext, "MAT-2 {driver} container-to-external");
    }
}

#[test]
fn mat3_driver_table_is_regenerated() {
    let mut got: Vec<(&str, (String, String, String))> =
        rows().into_iter().map(|(d, r)| (d, r.mat3)).collect();
    got.push(("l2tunnel", l2tunnel_mat3()));
    assert_eq!(got.len(), MAT_3.len());
    for ((driver, (single, ext, multi)), (d, s, e, m)) in got.into_iter().zip(MAT_3) {
        assert_eq!(driver, *d);
        assert_eq!(single, *s, "MAT-3 {driver} single node");
        assert_eq!(ext, *e, "MAT-3 {driver} container-to-external");
        assert_eq!(multi, *m, "MAT-3 {driver} multi node");
    }
}

/// L2B-3's version boundary: before 1809, multi-node cross-subnet l2bridge traffic is
/// not routed, so the MAT-3 cell's "on WSv1809 and later" is the engine's answer too.
#[test]
fn l2bridge_cross_subnet_multi_node_needs_1809() {
    let m = matrix(&l2bridge("ws1803"));
    let c = &cell(&m, "a@l2", "e@l2", T80);
    assert!(denied(c, DenyReason::Unsupported), "{:?}", c.disposition);
    assert!(c.facts.iter().any(|f| f == "L2B-3"));
}
