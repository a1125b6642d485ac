//! What the rules look at: the resolved design, its topology graph and the matrix's
//! parties, with the lookups every driver needs (a host, its first NIC, the segment an
//! endpoint's network is bound to).

use crate::fabric::Point;
use crate::graph::TopologyGraph;
use crate::nodes::{Endpoint, Parties};
use hnsim_model::{Design, Host, Network, Nic};
use std::collections::HashSet;
use std::net::IpAddr;

/// One resolved design as the rules see it.
pub(crate) struct Context<'a> {
    pub design: &'a Design,
    pub graph: &'a TopologyGraph<'a>,
    pub parties: &'a Parties<'a>,
    /// The parts of the design its findings invalidate, resolved to indices.
    pub marks: crate::invalid::Marks,
    /// (host, NIC) pairs bound by an external vSwitch (see [`Context::nic_vswitch`]),
    /// gathered once: every exit and entry of a host asks.
    bound_nics: HashSet<(usize, String)>,
}

/// Where an endpoint of an external-vSwitch or macvlan network meets the physical
/// network: the segment (index), its VLAN, the vSwitch id and the NIC it is bound to.
pub(crate) struct SegmentAttachment {
    pub segment: usize,
    pub vlan: Option<u16>,
    pub vswitch: String,
    pub nic: String,
}

impl SegmentAttachment {
    /// `at` label of a hop on the attachment's external vSwitch (`vSwitch win1/ext`): what
    /// the way onto the segment, the way in from it and bridging on it all say.
    pub fn at(&self) -> String {
        format!("vSwitch {}", self.vswitch)
    }

    /// Where on the fabric the attachment's traffic leaves and arrives: its segment, in
    /// its VLAN.
    pub fn point(&self) -> Point {
        Point::Segment {
            seg: self.segment,
            vlan: self.vlan,
        }
    }
}

impl<'a> Context<'a> {
    pub fn new(graph: &'a TopologyGraph<'a>, parties: &'a Parties<'a>) -> Context<'a> {
        let design = graph.design;
        let s = &design.scenario;
        let mut bound_nics = HashSet::new();
        let mut bind = |h: usize, n: &Network| {
            if n.driver.uses_external_vswitch() {
                if let Some(nic) = design.network_nic(n, &s.hosts[h]) {
                    bound_nics.insert((h, nic.name.clone()));
                }
            }
        };
        // Endpoints are looked at only when a network binds a NIC (a million replicas
        // on an overlay need not be read for this).
        if s.networks.iter().any(|n| n.driver.uses_external_vswitch()) {
            for e in &design.endpoints {
                if let (Some(h), Some(n)) = (e.host, e.network) {
                    bind(h, &s.networks[n]);
                }
            }
        }
        for (h, host) in s.hosts.iter().enumerate() {
            for n in &s.networks {
                if n.host.as_deref() == Some(host.name.as_str()) {
                    bind(h, n);
                }
            }
        }
        Context {
            design,
            graph,
            parties,
            marks: crate::invalid::Marks::new(design),
            bound_nics,
        }
    }

    /// The (host, NIC) pairs an external vSwitch is bound to, in order: part of what a
    /// design's answers depend on.
    pub fn bound_nics(&self) -> Vec<(usize, String)> {
        let mut v: Vec<_> = self.bound_nics.iter().cloned().collect();
        v.sort();
        v
    }

    pub fn host(&self, h: usize) -> &'a Host {
        &self.design.scenario.hosts[h]
    }

    pub fn host_name(&self, h: usize) -> &'a str {
        &self.host(h).name
    }

    /// Host `h`'s NICs that are on a segment of the design, with that segment's index.
    pub fn host_nics(&self, h: usize) -> impl Iterator<Item = (&'a Nic, usize)> + '_ {
        self.host(h)
            .nics
            .iter()
            .filter_map(|nic| Some((nic, self.graph.segment_index(&nic.segment)?)))
    }

    /// Host `h`'s first NIC: its address and segment.
    pub fn host_primary(&self, h: usize) -> Option<(IpAddr, Option<usize>, String)> {
        let nic = self.host(h).nics.first()?;
        Some((
            nic.ip.addr(),
            self.graph.segment_index(&nic.segment),
            nic.name.clone(),
        ))
    }

    /// The external vSwitch bound to `nic` of host `h`, when a network binds it (its
    /// management vNIC then carries the host's address on that vSwitch).
    pub fn nic_vswitch(&self, h: usize, nic: &str) -> Option<String> {
        self.bound_nics
            .contains(&(h, nic.to_string()))
            .then(|| format!("{}/{}", self.host(h).name, nic))
    }

    /// The subnet of `ep`'s network that holds its address (its connected route).
    pub fn endpoint_subnet(&self, ep: &Endpoint) -> Option<ipnet::IpNet> {
        let ip = ep.ip?;
        self.network(ep)?
            .subnet
            .0
            .iter()
            .copied()
            .find(|s| s.contains(&ip))
    }

    /// The network an endpoint is attached to, when it exists.
    pub fn network(&self, ep: &Endpoint) -> Option<&'a Network> {
        ep.network.map(|n| &self.design.scenario.networks[n])
    }

    /// Where an endpoint of an external-vSwitch or macvlan network enters the physical
    /// network directly.
    pub fn endpoint_segment(&self, ep: &Endpoint) -> Option<SegmentAttachment> {
        let host = self.host(ep.host?);
        let net = self.network(ep)?;
        let nic = self.design.network_nic(net, host)?;
        Some(SegmentAttachment {
            segment: self.graph.segment_index(&nic.segment)?,
            vlan: net.vlan_id(),
            vswitch: crate::graph::vswitch_id(self.design, net, host)?,
            nic: nic.name.clone(),
        })
    }

    /// The segment of [`Context::endpoint_segment`] alone, without the names that come
    /// with it: every endpoint's class key asks only this (two strings made per
    /// endpoint were a fiftieth of simulating a million replicas). The NIC is there,
    /// so the vSwitch is wherever the driver has one.
    pub fn endpoint_segment_index(&self, ep: &Endpoint) -> Option<usize> {
        let segment = (|| {
            let host = self.host(ep.host?);
            let net = self.network(ep)?;
            let nic = self.design.network_nic(net, host)?;
            if !crate::graph::has_vswitch(&net.driver) {
                return None;
            }
            self.graph.segment_index(&nic.segment)
        })();
        // Every test that simulates holds the shortcut to the full answer.
        debug_assert_eq!(segment, self.endpoint_segment(ep).map(|at| at.segment));
        segment
    }

    pub fn network_name(&self, ep: &Endpoint) -> &'a str {
        self.network(ep).map(|n| n.name.as_str()).unwrap_or("?")
    }

    /// `at` label of an endpoint's host vSwitch for its network.
    pub fn vswitch_at(&self, ep: &Endpoint) -> String {
        format!(
            "{}/vSwitch {}",
            ep.host.map(|h| self.host_name(h)).unwrap_or("?"),
            self.network_name(ep)
        )
    }
}
