//! The world outside the engine's machine, for one run: the scenario's LAN segments,
//! their gateway router, LAN clients and the internet, as network namespaces of the
//! netns backend ([`crate::netns::plan::outside`]), on subnets of the machine that
//! nothing else uses. Pure: the machine's subnets come in as `taken`.
//!
//! The realized host joins each segment its NICs are on through a veth pair whose
//! machine end carries the NIC's address (translated like every other address of the
//! run) and whose other end is a port of the segment's bridge: that address stands in
//! for the host's, so published ports, LAN clients and the containers' masqueraded
//! traffic meet on it as they would on the host's NIC.
//!
//! Nothing of the run may reach the machine's real network. The machine's routing
//! table gets, tied to the run's own links (so they go with them): the connected
//! subnet of each joined segment; a route through the segment's gateway (the run's
//! router) for every other subnet of the run and for the run's internet block; and,
//! where the host has no gateway, those routes into a link whose other end is in an
//! empty namespace, which drops what it is given. Every address a cell is probed at is therefore on a run link, never behind
//! the machine's default route.

use super::plan::{link_prefix, pick_subnet, shift};
use hnsim_model::Design;
use ipnet::{IpNet, Ipv4Net};
use std::net::{IpAddr, Ipv4Addr};

/// Where the run's internet blocks are taken from: 198.18.0.0/15, the benchmarking
/// range (RFC 2544), which no real network routes.
const INTERNET_POOL: (Ipv4Addr, u8) = (Ipv4Addr::new(198, 18, 0, 0), 15);
/// One run's internet block: the internet answers on its first address, internet
/// clients on the following ones.
const INTERNET_BLOCK: u8 = 27;

/// One NIC of the realized host on an emulated segment.
#[derive(Clone, Debug, PartialEq)]
pub struct HostNic {
    /// Index into the host's `nics`.
    pub nic: usize,
    /// Index into `scenario.segments`.
    pub segment: usize,
    /// The scenario's address of the NIC.
    pub model: IpAddr,
    /// Its stand-in on this machine, with the segment's prefix length.
    pub real: IpNet,
    /// The machine end of the veth pair (`hnsim1a2b3cs0`).
    pub link: String,
}

/// The outside of one run.
#[derive(Clone, Debug, PartialEq)]
pub struct Lan {
    /// Per scenario segment: (its subnet in the scenario, its subnet here).
    pub segments: Vec<Option<(IpNet, IpNet)>>,
    /// The run's internet block.
    pub internet: IpNet,
    pub host_nics: Vec<HostNic>,
    /// The gateway the host's routes to the rest of the run go through (an address of
    /// the run's router), and the link it is reached on.
    pub gateway: Option<(IpAddr, String)>,
    /// The link into an empty namespace that drops what the host has no route for in
    /// the scenario.
    pub nowhere: String,
}

impl Lan {
    /// The address the internet answers on.
    pub fn internet_ip(&self) -> IpAddr {
        hnsim_model::resolve::nth_host(&self.internet, 0).unwrap_or(self.internet.network())
    }

    /// A scenario address of a LAN segment, as it is here.
    pub fn translate(&self, ip: IpAddr) -> Option<IpAddr> {
        self.segments.iter().flatten().find_map(|(model, real)| {
            model
                .contains(&ip)
                .then(|| shift(ip, model, real))
                .flatten()
        })
    }

    /// True when `ip` belongs to the run's outside (a segment or the internet block).
    pub fn owns(&self, ip: IpAddr) -> bool {
        self.internet.contains(&ip)
            || self
                .segments
                .iter()
                .flatten()
                .any(|(_, real)| real.contains(&ip))
    }

    /// The stand-in of the host's NIC address `model`.
    pub fn host_ip(&self, model: IpAddr) -> Option<IpAddr> {
        self.host_nics
            .iter()
            .find(|n| n.model == model)
            .map(|n| n.real.addr())
    }

    /// Routes the machine needs so that every run subnet it is not on is reached the
    /// scenario's way (through the gateway) or not at all (the link to nowhere):
    /// `ip route add` arguments.
    pub fn routes(&self) -> Vec<Vec<String>> {
        let joined: Vec<usize> = self.host_nics.iter().map(|n| n.segment).collect();
        let mut nets: Vec<IpNet> = self
            .segments
            .iter()
            .enumerate()
            .filter(|(i, _)| !joined.contains(i))
            .filter_map(|(_, s)| s.map(|(_, real)| real))
            .collect();
        nets.push(self.internet);
        nets.into_iter()
            .map(|n| match &self.gateway {
                Some((gw, link)) => vec![
                    n.to_string(),
                    "via".into(),
                    gw.to_string(),
                    "dev".into(),
                    link.clone(),
                ],
                None => vec![n.to_string(), "dev".into(), self.nowhere.clone()],
            })
            .collect()
    }

    /// The design as the outside namespaces realize it: segments, gateways and clients
    /// on their subnets here, internet clients in the run's internet block. Clients
    /// whose address lies outside their segment keep none (they are not emulated).
    pub fn outside_design(&self, d: &Design) -> Design {
        let mut out = d.clone();
        let s = &mut out.scenario;
        for (seg, t) in s.segments.iter_mut().zip(&self.segments) {
            if let Some((model, real)) = t {
                seg.gateway = seg.gateway.and_then(|g| shift(g, model, real));
                seg.subnet = *real;
                seg.used.clear();
            }
        }
        // Other hosts are machines on their segments; their NICs move with them.
        for h in &mut s.hosts {
            for nic in &mut h.nics {
                let moved = d
                    .scenario
                    .segments
                    .iter()
                    .position(|x| x.name == nic.segment)
                    .and_then(|si| self.segments.get(si).copied().flatten())
                    .filter(|(model, _)| model.contains(&nic.ip.addr()))
                    .and_then(|(model, real)| {
                        let ip = shift(nic.ip.addr(), &model, &real)?;
                        IpNet::new(ip, nic.ip.prefix_len()).ok()
                    });
                if let Some(ip) = moved {
                    nic.ip = ip;
                }
            }
        }
        let mut next = 1;
        for c in &mut s.clients {
            let on_segment = c
                .segment
                .as_ref()
                .and_then(|n| d.scenario.segments.iter().position(|x| &x.name == n));
            c.ip = match (c.internet, on_segment) {
                (false, Some(si)) => match self.segments.get(si).copied().flatten() {
                    Some((model, real)) => {
                        c.ip.filter(|ip| model.contains(ip))
                            .and_then(|ip| shift(ip, &model, &real))
                    }
                    None => None,
                },
                _ => {
                    next += 1;
                    hnsim_model::resolve::nth_host(&self.internet, next - 1)
                }
            };
        }
        out
    }
}

/// True when a source key names a namespace of the outside (the netns backend's
/// `hns-` names; the engine's containers are `hnsim-...`).
pub fn is_outside_source(src: &str) -> bool {
    src.starts_with("hns-")
}

/// Where the outside's parties send from and answer on, once built: what
/// [`super::locate`] needs of it.
#[derive(Clone, Debug, PartialEq)]
pub struct Parties {
    /// Per client: its namespace, or why it has none.
    pub clients: Vec<Result<String, String>>,
    /// Per client: its address here.
    pub client_ips: Vec<Option<IpAddr>>,
    /// Per scenario host other than the realized one: its namespace, or why it has
    /// none.
    pub hosts: Vec<Result<String, String>>,
    /// The internet's namespace, or why there is none.
    pub internet: Result<String, String>,
    pub internet_ip: Option<IpAddr>,
}

/// The run's internet block: a free /27 of [`INTERNET_POOL`], starting at a place the
/// run's hex digits pick, so that runs side by side take different ones.
fn internet_block(hex: &str, taken: &[IpNet]) -> Option<IpNet> {
    let pool = Ipv4Net::new(INTERNET_POOL.0, INTERNET_POOL.1).ok()?;
    let blocks: Vec<Ipv4Net> = pool.subnets(INTERNET_BLOCK).ok()?.collect();
    let start = u32::from_str_radix(hex, 16).unwrap_or(0) as usize % blocks.len();
    (0..blocks.len())
        .map(|i| IpNet::V4(blocks[(start + i) % blocks.len()]))
        .find(|b| {
            !taken
                .iter()
                .any(|t| t.contains(&b.network()) || b.contains(&t.network()))
        })
}

/// Plans the outside of run `prefix` for realized host `host`; `taken` grows by what
/// the run takes. `None` when the machine has no room for it.
pub fn plan(design: &Design, prefix: &str, host: usize, taken: &mut Vec<IpNet>) -> Option<Lan> {
    let links = link_prefix(prefix);
    let hex = links.trim_start_matches(super::plan::LINK_PREFIX);
    let mut segments = Vec::new();
    for seg in &design.scenario.segments {
        let real = match seg.subnet {
            IpNet::V4(_) => pick_subnet(&seg.subnet, taken),
            IpNet::V6(_) => None,
        };
        if let Some(r) = real {
            taken.push(r);
        }
        segments.push(real.map(|r| (seg.subnet, r)));
    }
    let internet = internet_block(hex, taken)?;
    taken.push(internet);
    let mut host_nics = Vec::new();
    let mut gateway = None;
    if let Some(h) = design.scenario.hosts.get(host) {
        for (n, nic) in h.nics.iter().enumerate() {
            let Some(si) = design.scenario.segment_index(&nic.segment) else {
                continue;
            };
            let Some((model, real)) = segments[si] else {
                continue;
            };
            if !model.contains(&nic.ip.addr()) {
                continue;
            }
            let Some(addr) = shift(nic.ip.addr(), &model, &real) else {
                continue;
            };
            let Ok(real_ip) = IpNet::new(addr, real.prefix_len()) else {
                continue;
            };
            let link = format!("{links}s{n}");
            let seg = &design.scenario.segments[si];
            if gateway.is_none() {
                if let Some(gw) = seg.gateway.filter(|g| model.contains(g)) {
                    gateway = shift(gw, &model, &real).map(|g| (g, link.clone()));
                }
            }
            host_nics.push(HostNic {
                nic: n,
                segment: si,
                model: nic.ip.addr(),
                real: real_ip,
                link,
            });
        }
    }
    Some(Lan {
        segments,
        internet,
        host_nics,
        gateway,
        nowhere: format!("{links}z"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::docker::plan::tests::design;

    const LAN: &str = "name: t
segments:
  - {name: lan, subnet: 192.0.2.0/24, gateway: 192.0.2.1}
  - {name: dmz, subnet: 10.9.0.0/24, gateway: 10.9.0.1}
hosts:
  - {name: lx1, os: linux, nics: [{name: eth0, ip: 192.0.2.10/24, segment: lan}]}
clients:
  - {name: laptop, segment: lan, ip: 192.0.2.50}
  - {name: far, segment: dmz, ip: 10.9.0.7}
  - {name: web, internet: true, ip: 8.8.8.8}
";

    #[test]
    fn a_taken_lan_moves_and_the_host_routes_the_rest_through_its_gateway() {
        let d = design(LAN);
        // The machine itself sits on 192.0.2.0/24: the scenario's LAN must move.
        let mut taken: Vec<IpNet> = vec!["192.0.2.0/24".parse().unwrap()];
        let lan = plan(&d, "hnsim-abc123-", 0, &mut taken).expect("room");
        let (_, real) = lan.segments[0].unwrap();
        assert_ne!(real, "192.0.2.0/24".parse::<IpNet>().unwrap());
        let host = lan.host_ip("192.0.2.10".parse().unwrap()).unwrap();
        assert!(real.contains(&host));
        assert_eq!(lan.host_nics[0].link, "hnsimabc123s0");
        let (gw, link) = lan.gateway.clone().unwrap();
        assert_eq!(lan.translate("192.0.2.1".parse().unwrap()), Some(gw));
        assert_eq!(link, "hnsimabc123s0");
        // The other segment and the internet block go through the gateway; nothing of
        // the run is left to the machine's default route.
        let routes = lan.routes();
        let (_, dmz) = lan.segments[1].unwrap();
        assert_eq!(routes.len(), 2);
        assert_eq!(routes[0][0], dmz.to_string());
        assert_eq!(routes[1][0], lan.internet.to_string());
        assert!(routes.iter().all(|r| r[2] == gw.to_string()));
        assert!(lan.internet.contains(&lan.internet_ip()));
        assert!(taken.contains(&lan.internet) && taken.contains(&real));
    }

    #[test]
    fn without_a_gateway_the_rest_of_the_run_goes_nowhere() {
        let d = design(&LAN.replace(", gateway: 192.0.2.1", ""));
        let lan = plan(&d, "hnsim-abc123-", 0, &mut Vec::new()).unwrap();
        assert!(lan.gateway.is_none());
        assert!(lan
            .routes()
            .iter()
            .all(|r| r[1] == "dev" && r[2] == "hnsimabc123z"));
    }

    #[test]
    fn clients_move_with_their_segment_and_internet_clients_into_the_block() {
        let d = design(LAN);
        let mut taken: Vec<IpNet> = vec!["192.0.2.0/24".parse().unwrap()];
        let lan = plan(&d, "hnsim-abc123-", 0, &mut taken).unwrap();
        let out = lan.outside_design(&d);
        let c = &out.scenario.clients;
        assert_eq!(c[0].ip, lan.translate("192.0.2.50".parse().unwrap()));
        assert_eq!(c[1].ip, lan.translate("10.9.0.7".parse().unwrap()));
        let web = c[2].ip.unwrap();
        assert!(lan.internet.contains(&web) && web != lan.internet_ip());
        assert_eq!(out.scenario.segments[0].subnet, lan.segments[0].unwrap().1);
        let nic = out.scenario.hosts[0].nics[0].ip;
        assert_eq!(Some(nic.addr()), lan.host_ip("192.0.2.10".parse().unwrap()));
        assert_eq!(nic.prefix_len(), 24);
        assert!(lan.owns(web) && lan.owns(c[0].ip.unwrap()));
        assert!(!lan.owns("8.8.8.8".parse().unwrap()));
    }

    #[test]
    fn side_by_side_runs_take_different_internet_blocks() {
        let a = internet_block("abc123", &[]).unwrap();
        let b = internet_block("abc124", &[]).unwrap();
        assert_ne!(a, b);
        let c = internet_block("abc123", &[a]).unwrap();
        assert_ne!(a, c);
    }
}
