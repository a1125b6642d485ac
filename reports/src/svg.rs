//! The topology drawn as SVG, laid out deterministically: segments as horizontal bars at
//! the bottom; hosts as boxes in one row above them, each holding its vSwitches, the
//! networks on each vSwitch and the endpoints on each network, with its NICs at the
//! bottom wired down to their segments; clients beside the hosts; swarm-scoped networks
//! as dashed VXLAN lines across the top, joined to every host that carries them.
//!
//! Elements that stand for matrix nodes carry `data-node` so the HTML page can highlight
//! the source and destination of the selected cell.

use crate::text::{clip, xml_escape as esc};
use hnsim_sim::matrix::{TopoEndpoint, TopoHost, TopoNetwork, Topology};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Endpoints listed per network before "+N more"; the matrix lists all of them.
const MAX_ENDPOINTS: usize = 8;
const HOST_W: f64 = 300.0;
const CLIENT_W: f64 = 170.0;
const GAP: f64 = 28.0;
const MARGIN: f64 = 16.0;
const LINE: f64 = 15.0;
/// Approximate advance of the 11px sans-serif font, for clipping labels to their boxes.
const CHAR_W: f64 = 6.2;

fn fits(w: f64) -> usize {
    (w / CHAR_W).max(4.0) as usize
}

pub fn driver_colour(driver: &str) -> (&'static str, &'static str) {
    match driver {
        "nat" => ("#fef3c7", "#d97706"),
        "overlay" => ("#ede9fe", "#7c3aed"),
        "transparent" => ("#dbeafe", "#2563eb"),
        "l2bridge" => ("#ccfbf1", "#0d9488"),
        "l2tunnel" => ("#cffafe", "#0891b2"),
        "bridge" => ("#dcfce7", "#16a34a"),
        "macvlan" | "ipvlan" => ("#fce7f3", "#db2777"),
        _ => ("#f1f5f9", "#64748b"),
    }
}

struct NetBlock<'a> {
    net: Option<&'a TopoNetwork>,
    id: &'a str,
    endpoints: Vec<&'a TopoEndpoint>,
}

impl NetBlock<'_> {
    fn height(&self) -> f64 {
        let shown = self.endpoints.len().clamp(1, MAX_ENDPOINTS);
        let more = usize::from(self.endpoints.len() > MAX_ENDPOINTS);
        2.0 * LINE + 8.0 + (shown + more) as f64 * LINE + 4.0
    }
}

struct SwitchBlock<'a> {
    title: String,
    nets: Vec<NetBlock<'a>>,
}

impl SwitchBlock<'_> {
    fn height(&self) -> f64 {
        LINE + 10.0 + self.nets.iter().map(|n| n.height() + 6.0).sum::<f64>()
    }
}

struct HostLayout<'a> {
    host: &'a TopoHost,
    switches: Vec<SwitchBlock<'a>>,
    x: f64,
    height: f64,
}

fn blocks<'a>(t: &'a Topology, host: &'a TopoHost) -> Vec<SwitchBlock<'a>> {
    let eps = |net: &str| -> Vec<&TopoEndpoint> {
        t.endpoints
            .iter()
            .filter(|e| e.host == host.name && e.network == net)
            .collect()
    };
    let find = |id: &str| t.networks.iter().find(|n| n.id == id);
    let mut placed: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for v in t.vswitches.iter().filter(|v| v.host == host.name) {
        let mut title = format!("vSwitch {} · {}", v.id, v.kind);
        if let Some(nic) = &v.nic {
            let _ = write!(title, " · {nic}");
        }
        let nets = v
            .networks
            .iter()
            .map(|id| {
                placed.push(id);
                NetBlock {
                    net: find(id),
                    id,
                    endpoints: eps(id),
                }
            })
            .collect();
        out.push(SwitchBlock { title, nets });
    }
    // Networks of this host that no vSwitch lists (Linux drivers without one, `none`),
    // and swarm networks whose endpoints sit here without a listed vSwitch.
    let mut rest: Vec<NetBlock> = Vec::new();
    for n in &t.networks {
        if placed.contains(&n.id.as_str()) {
            continue;
        }
        let here = eps(&n.id);
        if n.host.as_deref() == Some(host.name.as_str()) || !here.is_empty() {
            rest.push(NetBlock {
                net: Some(n),
                id: &n.id,
                endpoints: here,
            });
        }
    }
    if !rest.is_empty() {
        out.push(SwitchBlock {
            title: "networks without a vSwitch".into(),
            nets: rest,
        });
    }
    out
}

pub fn topology(t: &Topology) -> String {
    let mut hosts: Vec<HostLayout> = Vec::new();
    let mut x = MARGIN;
    for h in &t.hosts {
        let switches = blocks(t, h);
        let body: f64 = switches.iter().map(|s| s.height() + 8.0).sum();
        let nic_rows = h.nics.len().max(1) as f64;
        let height = 2.0 * LINE + 14.0 + body + nic_rows * (LINE + 6.0) + 10.0;
        hosts.push(HostLayout {
            host: h,
            switches,
            x,
            height,
        });
        x += HOST_W + GAP;
    }
    let clients_x = x;
    x += t.clients.len() as f64 * (CLIENT_W + GAP);
    let width = (x - GAP + MARGIN).max(400.0);

    // Swarm-scoped networks: one dashed line each across the top.
    let mut swarm: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for n in t.networks.iter().filter(|n| n.host.is_none()) {
        let on: Vec<usize> = hosts
            .iter()
            .enumerate()
            .filter(|(_, h)| {
                h.switches
                    .iter()
                    .any(|s| s.nets.iter().any(|b| b.id == n.id))
            })
            .map(|(i, _)| i)
            .collect();
        if !on.is_empty() {
            swarm.insert(n.id.as_str(), on);
        }
    }
    let top = MARGIN + swarm.len() as f64 * 26.0 + if swarm.is_empty() { 0.0 } else { 8.0 };
    let host_bottom = top
        + hosts.iter().map(|h| h.height).fold(
            if t.clients.is_empty() {
                0.0
            } else {
                2.0 * LINE + 12.0
            },
            f64::max,
        );
    let seg_top = host_bottom + 40.0;
    let seg_names: Vec<&str> = {
        let mut v: Vec<&str> = t.segments.iter().map(|s| s.name.as_str()).collect();
        for h in &t.hosts {
            for nic in &h.nics {
                if !v.contains(&nic.segment.as_str()) {
                    v.push(&nic.segment);
                }
            }
        }
        for c in &t.clients {
            if let Some(s) = &c.segment {
                if !v.contains(&s.as_str()) {
                    v.push(s);
                }
            }
        }
        v
    };
    let seg_y = |name: &str| -> Option<f64> {
        seg_names
            .iter()
            .position(|s| *s == name)
            .map(|i| seg_top + i as f64 * 40.0)
    };
    let height = seg_top + seg_names.len() as f64 * 40.0 + MARGIN;

    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"topology\" viewBox=\"0 0 {width:.0} {height:.0}\" width=\"{width:.0}\" height=\"{height:.0}\" role=\"img\" aria-label=\"topology\">"
    );
    s.push_str("<style>text{font:11px system-ui,-apple-system,'Segoe UI',Roboto,'Liberation Sans',sans-serif;fill:#0f172a}.b{font-weight:600}.m{fill:#475569}.w{fill:#fff}</style>\n");

    // Wires first, so boxes sit on top of them.
    for h in &hosts {
        for (k, nic) in h.host.nics.iter().enumerate() {
            if let Some(y) = seg_y(&nic.segment) {
                let cx = h.x + 24.0 + k as f64 * 14.0;
                let _ = writeln!(
                    s,
                    "<line x1=\"{cx:.1}\" y1=\"{:.1}\" x2=\"{cx:.1}\" y2=\"{y:.1}\" stroke=\"#334155\" stroke-width=\"2\"/><circle cx=\"{cx:.1}\" cy=\"{y:.1}\" r=\"4\" fill=\"#334155\"/>",
                    top + h.height - 10.0 - (h.host.nics.len() - k) as f64 * (LINE + 6.0) + LINE
                );
            }
        }
    }
    for (i, c) in t.clients.iter().enumerate() {
        if let Some(y) = c.segment.as_deref().and_then(seg_y) {
            let cx = clients_x + i as f64 * (CLIENT_W + GAP) + CLIENT_W / 2.0;
            let _ = writeln!(
                s,
                "<line x1=\"{cx:.1}\" y1=\"{:.1}\" x2=\"{cx:.1}\" y2=\"{y:.1}\" stroke=\"#334155\" stroke-width=\"2\"/><circle cx=\"{cx:.1}\" cy=\"{y:.1}\" r=\"4\" fill=\"#334155\"/>",
                top + 2.0 * LINE + 12.0
            );
        }
    }
    for (k, (id, on)) in swarm.iter().enumerate() {
        let y = MARGIN + k as f64 * 26.0 + 8.0;
        let x1 = hosts[on[0]].x + 10.0;
        let x2 = hosts[on[on.len() - 1]].x + HOST_W - 10.0;
        let net = t.networks.iter().find(|n| n.id == *id);
        let (_, stroke) = driver_colour(net.map(|n| n.driver.as_str()).unwrap_or(""));
        let _ = writeln!(
            s,
            "<line x1=\"{x1:.1}\" y1=\"{y:.1}\" x2=\"{x2:.1}\" y2=\"{y:.1}\" stroke=\"{stroke}\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>"
        );
        for &hi in on {
            let hx = hosts[hi].x + HOST_W - 40.0;
            let _ = writeln!(
                s,
                "<line x1=\"{hx:.1}\" y1=\"{y:.1}\" x2=\"{hx:.1}\" y2=\"{top:.1}\" stroke=\"{stroke}\" stroke-width=\"1.5\" stroke-dasharray=\"3 3\"/>"
            );
        }
        let mut label = format!("VXLAN · {}", net.map(|n| n.name.as_str()).unwrap_or(id));
        if let Some(vni) = net.and_then(|n| n.vni) {
            let _ = write!(label, " · VNI {vni}");
        }
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" class=\"b\" fill=\"{stroke}\">{}</text>",
            x1 + 4.0,
            y - 4.0,
            esc(&label)
        );
    }

    for h in &hosts {
        host_box(&mut s, h, top);
    }
    for (i, c) in t.clients.iter().enumerate() {
        let cx = clients_x + i as f64 * (CLIENT_W + GAP);
        let _ = writeln!(
            s,
            "<g class=\"node\" data-node=\"{}\"><rect x=\"{cx:.1}\" y=\"{top:.1}\" width=\"{CLIENT_W}\" height=\"{:.1}\" rx=\"8\" fill=\"#fae8ff\" stroke=\"#a21caf\"/><text x=\"{:.1}\" y=\"{:.1}\" class=\"b\">client {}</text><text x=\"{:.1}\" y=\"{:.1}\" class=\"m\">{}</text></g>",
            esc(&c.node),
            2.0 * LINE + 12.0,
            cx + 8.0,
            top + LINE + 2.0,
            esc(&clip(&c.name, fits(CLIENT_W - 60.0))),
            cx + 8.0,
            top + 2.0 * LINE + 4.0,
            esc(&c.ip.map(|ip| ip.to_string()).unwrap_or_default())
        );
    }
    for name in &seg_names {
        let Some(y) = seg_y(name) else { continue };
        let seg = t.segments.iter().find(|g| g.name == *name);
        let mut label = format!("segment {name}");
        if let Some(seg) = seg {
            let _ = write!(label, " · {}", seg.subnet);
            if let Some(gw) = seg.gateway {
                let _ = write!(label, " · gateway {gw}");
            }
        }
        let _ = writeln!(
            s,
            "<rect x=\"{MARGIN}\" y=\"{:.1}\" width=\"{:.1}\" height=\"16\" rx=\"3\" fill=\"#334155\"/><text x=\"{:.1}\" y=\"{:.1}\" class=\"w b\" style=\"fill:#fff\">{}</text>",
            y - 8.0,
            width - 2.0 * MARGIN,
            MARGIN + 8.0,
            y + 4.0,
            esc(&label)
        );
    }
    s.push_str("</svg>\n");
    s
}

fn host_box(s: &mut String, h: &HostLayout, top: f64) {
    let x = h.x;
    let _ = writeln!(
        s,
        "<g class=\"node\" data-node=\"host:{}\"><rect x=\"{x:.1}\" y=\"{top:.1}\" width=\"{HOST_W}\" height=\"{:.1}\" rx=\"10\" fill=\"#f8fafc\" stroke=\"#475569\" stroke-width=\"1.5\"/><text x=\"{:.1}\" y=\"{:.1}\" class=\"b\" style=\"font-size:13px\">{}</text><text x=\"{:.1}\" y=\"{:.1}\" class=\"m\">{}</text></g>",
        esc(&h.host.name),
        h.height,
        x + 10.0,
        top + LINE + 2.0,
        esc(&clip(&h.host.name, fits(HOST_W - 20.0) * 11 / 13)),
        x + 10.0,
        top + 2.0 * LINE + 2.0,
        esc(&clip(&format!("{} · {}", h.host.os, h.host.machine), fits(HOST_W - 20.0)))
    );
    let mut y = top + 2.0 * LINE + 14.0;
    let sx = x + 8.0;
    let sw = HOST_W - 16.0;
    for sw_block in &h.switches {
        let sh = sw_block.height();
        let _ = writeln!(
            s,
            "<rect x=\"{sx:.1}\" y=\"{y:.1}\" width=\"{sw:.1}\" height=\"{sh:.1}\" rx=\"6\" fill=\"#eff6ff\" stroke=\"#93c5fd\"/><text x=\"{:.1}\" y=\"{:.1}\" class=\"m\">{}</text>",
            sx + 8.0,
            y + LINE,
            esc(&clip(&sw_block.title, fits(sw - 16.0)))
        );
        let mut ny = y + LINE + 8.0;
        let nx = sx + 8.0;
        let nw = sw - 16.0;
        for nb in &sw_block.nets {
            let nh = nb.height();
            let driver = nb.net.map(|n| n.driver.as_str()).unwrap_or("");
            let (fill, stroke) = driver_colour(driver);
            let name = nb.net.map(|n| n.name.as_str()).unwrap_or(nb.id);
            let mut sub = nb.net.map(|n| n.subnets.join(", ")).unwrap_or_default();
            if let Some(v) = nb.net.and_then(|n| n.vlan) {
                let _ = write!(sub, " · VLAN {v}");
            }
            if let Some(v) = nb.net.and_then(|n| n.vni) {
                let _ = write!(sub, " · VNI {v}");
            }
            let _ = writeln!(
                s,
                "<rect x=\"{nx:.1}\" y=\"{ny:.1}\" width=\"{nw:.1}\" height=\"{nh:.1}\" rx=\"5\" fill=\"{fill}\" stroke=\"{stroke}\"/><text x=\"{:.1}\" y=\"{:.1}\" class=\"b\">{}</text><text x=\"{:.1}\" y=\"{:.1}\" style=\"fill:{stroke}\" text-anchor=\"end\" class=\"b\">{}</text><text x=\"{:.1}\" y=\"{:.1}\" class=\"m\">{}</text>",
                nx + 8.0,
                ny + LINE,
                esc(&clip(name, fits(nw - 100.0))),
                nx + nw - 8.0,
                ny + LINE,
                esc(driver),
                nx + 8.0,
                ny + 2.0 * LINE,
                esc(&clip(&sub, fits(nw - 16.0)))
            );
            let mut ey = ny + 2.0 * LINE + 6.0;
            for ep in nb.endpoints.iter().take(MAX_ENDPOINTS) {
                let ip = ep.ip.map(|ip| ip.to_string()).unwrap_or_default();
                let _ = writeln!(
                    s,
                    "<g class=\"node ep\" data-node=\"{}\"><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"3\" fill=\"#ffffff\" fill-opacity=\"0.7\"/><circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\" fill=\"{stroke}\"/><text x=\"{:.1}\" y=\"{:.1}\">{}</text><text x=\"{:.1}\" y=\"{:.1}\" class=\"m\" text-anchor=\"end\">{}</text></g>",
                    esc(&ep.node),
                    nx + 6.0,
                    ey,
                    nw - 12.0,
                    LINE - 1.0,
                    nx + 14.0,
                    ey + LINE / 2.0,
                    nx + 22.0,
                    ey + LINE - 4.0,
                    esc(&clip(&ep.container, fits(nw - 130.0))),
                    nx + nw - 10.0,
                    ey + LINE - 4.0,
                    esc(&ip)
                );
                ey += LINE;
            }
            if nb.endpoints.is_empty() {
                let _ = writeln!(
                    s,
                    "<text x=\"{:.1}\" y=\"{:.1}\" class=\"m\">no endpoints</text>",
                    nx + 22.0,
                    ey + LINE - 4.0
                );
            }
            if nb.endpoints.len() > MAX_ENDPOINTS {
                let _ = writeln!(
                    s,
                    "<text x=\"{:.1}\" y=\"{:.1}\" class=\"m\">+ {} more endpoints</text>",
                    nx + 22.0,
                    ey + LINE - 4.0,
                    nb.endpoints.len() - MAX_ENDPOINTS
                );
            }
            ny += nh + 6.0;
        }
        y += sh + 8.0;
    }
    // NICs, bottom of the box; the wires drawn earlier end at their left edge.
    let n = h.host.nics.len();
    for (k, nic) in h.host.nics.iter().enumerate() {
        let ny = top + h.height - 10.0 - (n - k) as f64 * (LINE + 6.0);
        let cx = x + 24.0 + k as f64 * 14.0;
        let _ = writeln!(
            s,
            "<rect x=\"{:.1}\" y=\"{ny:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"9\" fill=\"#e2e8f0\" stroke=\"#64748b\"/><circle cx=\"{cx:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"#334155\"/><text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            x + 10.0,
            HOST_W - 20.0,
            LINE + 2.0,
            ny + LINE,
            x + 24.0 + n as f64 * 14.0,
            ny + LINE - 3.0,
            esc(&clip(&format!("{} · {} → {}", nic.name, nic.ip, nic.segment), fits(HOST_W - 60.0)))
        );
    }
}
