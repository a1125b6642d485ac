//! One network: present, type, HNS name, subnet, gateway, VLAN, VSID, adapter.

use super::{driver_fact, hns_type, show, show_nets, Ctx};
use crate::hns::json::HnsNetwork;
use hnsim_model::{Driver, Network, Step};
use hnsim_sim::CheckStatus as Status;
use ipnet::IpNet;
use std::net::IpAddr;

/// A Docker network ID: 64 lowercase hex digits.
fn is_docker_id(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

impl Ctx<'_> {
    /// Whether the user gave this network's subnet (else Docker/HNS picks it).
    fn user_subnet(&self, net: &Network) -> bool {
        let same = |n: &Network| n.name == net.name && n.host == net.host && !n.subnet.0.is_empty();
        self.analysis.scenario.networks.iter().any(same)
            || self.analysis.scenario.steps.iter().any(|s| match s {
                Step::CreateNetwork(n) => same(n),
                _ => false,
            })
    }

    pub(super) fn network(&mut self, net: &Network, h: &HnsNetwork) {
        let object = format!("network {}", net.name);
        let ty = hns_type(&net.driver).unwrap_or("?");
        let host = self.design.host(self.host).cloned();
        self.push(
            &object,
            "present",
            format!("a {ty} network"),
            format!("`{}` ({})", h.name, h.id),
            Status::Match,
            "every Docker network on Windows is an HNS network",
            &["EXT-9", driver_fact(&net.driver)],
        );
        let status = if h.kind.eq_ignore_ascii_case(ty) {
            Status::Match
        } else {
            Status::Mismatch
        };
        self.push(
            &object,
            "type",
            ty.into(),
            h.kind.clone(),
            status,
            format!("driver {} is HNS type {ty}", net.driver),
            &["EXT-9", "OPT-5"],
        );
        self.hns_name(&object, net, h);
        let model: Vec<IpNet> = net.subnet.0.clone();
        let user = self.user_subnet(net);
        let same_subnets = !model.is_empty()
            && model.len() == h.subnets.len()
            && model.iter().all(|m| h.subnets.contains(m));
        let mut effective: Option<IpNet> = model.first().copied();
        if !model.is_empty() || !h.subnets.is_empty() {
            let (status, why, f): (Status, String, &[&str]) = if same_subnets {
                (Status::Match, "the subnet HNS holds".into(), &["IPAM-1"])
            } else if user {
                (
                    Status::Mismatch,
                    "the scenario gives this subnet explicitly".into(),
                    &["NAT-4", "IPAM-1"],
                )
            } else {
                let observed = h.subnets.first().copied();
                effective = observed;
                match (&net.driver, host.as_ref(), observed) {
                    (
                        Driver::Nat | Driver::Ics | Driver::Internal | Driver::Private,
                        Some(hst),
                        Some(o),
                    ) if hst.nat_prefix().contains(&o) => (
                        Status::Variant,
                        format!(
                            "HNS picks a free subnet inside the NAT prefix {}; the model \
                                 takes the first",
                            hst.nat_prefix()
                        ),
                        &["NAT-1", "NAT-11", "IPAM-1"],
                    ),
                    (Driver::Overlay, _, Some(_)) => (
                        Status::Variant,
                        "swarm's IPAM picks the overlay subnet".into(),
                        &["OVL-5", "IPAM-1"],
                    ),
                    (Driver::Transparent | Driver::L2bridge | Driver::L2tunnel, _, _)
                        if model.is_empty() =>
                    {
                        (
                            Status::Variant,
                            "no subnet in the scenario; HNS reports the one it uses".into(),
                            &["TRANS-2", "IPAM-1"],
                        )
                    }
                    _ => (
                        Status::Mismatch,
                        "outside the range Docker/HNS would pick from".into(),
                        &["NAT-11", "IPAM-1"],
                    ),
                }
            };
            self.push(
                &object,
                "subnet",
                show_nets(&model),
                show_nets(&h.subnets),
                status,
                why,
                f,
            );
        }
        if let (Some(model_gw), Some(subnet)) = (net.gateway, effective) {
            // When HNS chose another subnet, its gateway is that subnet's first address,
            // as the model's is of the subnet it guessed.
            let expected = if model.first() == Some(&subnet) {
                model_gw
            } else {
                hnsim_model::resolve::nth_host(&subnet, 0).unwrap_or(model_gw)
            };
            let status = if h.gateways.contains(&expected) {
                Status::Match
            } else if h.gateways.is_empty() {
                Status::Missing
            } else {
                Status::Mismatch
            };
            self.push(
                &object,
                "gateway",
                expected.to_string(),
                if h.gateways.is_empty() {
                    "none".into()
                } else {
                    h.gateways
                        .iter()
                        .map(IpAddr::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                },
                status,
                "--gateway, else the subnet's first address",
                &["NAT-4", "TRANS-2"],
            );
        }
        self.vlan(&object, net, h);
        let vsid = net.vni();
        if vsid.is_some() || h.vsid.is_some() {
            let status = match (vsid, h.vsid) {
                (a, b) if a == b => Status::Match,
                (None, Some(_)) if net.driver == Driver::Overlay => Status::Variant,
                _ => Status::Mismatch,
            };
            self.push(
                &object,
                "VSID",
                show(vsid),
                show(h.vsid),
                status,
                if status == Status::Variant {
                    "swarm assigns the VNI (>= 4096) when the scenario gives none"
                } else {
                    "windowsshim.vsid / the VNI becomes a VSID policy"
                },
                &["EXT-8", "EXT-4"],
            );
        }
        if let Some(adapter) = net.interface() {
            let status = match &h.adapter {
                Some(a) if a.eq_ignore_ascii_case(adapter) => Status::Match,
                _ => Status::Mismatch,
            };
            self.push(
                &object,
                "adapter",
                adapter.into(),
                show(h.adapter.clone()),
                status,
                "windowsshim.interface binds the vSwitch to that adapter",
                &["OPT-2", "TRANS-5"],
            );
        }
    }

    /// The name HNS shows. moby's Windows driver passes
    /// `com.docker.network.windowsshim.networkname` when given and otherwise names the
    /// HNS network after the Docker network ID (libnetwork/drivers/windows:
    /// `if network.Name == "" { network.Name = id }`); the default `nat` network is
    /// HNS's own, named `nat`, and Docker finds it at start (NAT-1).
    fn hns_name(&mut self, object: &str, net: &Network, h: &HnsNetwork) {
        let docker_id = self.docker_network(net).map(|d| d.id.clone());
        let default_nat = net.origin.implicit && net.driver == Driver::Nat;
        let (expected, status, why, facts): (String, Status, &str, &[&str]) = if let Some(name) =
            net.hns_name()
        {
            (
                name.into(),
                if h.name.eq_ignore_ascii_case(name) {
                    Status::Match
                } else {
                    Status::Mismatch
                },
                "windowsshim.networkname is the name HNS shows",
                &["OPT-1"],
            )
        } else if default_nat {
            (
                net.name.clone(),
                if h.name.eq_ignore_ascii_case(&net.name) {
                    Status::Match
                } else {
                    Status::Mismatch
                },
                "the default nat network is created by HNS under its own name and found by Docker",
                &["NAT-1", "EXT-9"],
            )
        } else if h.name.eq_ignore_ascii_case(&net.name) {
            (
                    "the Docker network ID".into(),
                    Status::Variant,
                    "HNS shows the Docker name: the network was created in HNS first (New-HnsNetwork) and found by Docker",
                    &["OPT-1", "EXT-9"],
                )
        } else {
            let expected = docker_id
                .clone()
                .unwrap_or_else(|| "the Docker network ID".into());
            let same = match &docker_id {
                Some(id) => h.name.eq_ignore_ascii_case(id),
                None => is_docker_id(&h.name),
            };
            (
                    expected,
                    if same { Status::Match } else { Status::Mismatch },
                    "without windowsshim.networkname, moby names the HNS network after the Docker network ID",
                    &["OPT-1", "EXT-9"],
                )
        };
        self.push(
            object,
            "HNS name",
            expected,
            h.name.clone(),
            status,
            why,
            facts,
        );
    }

    /// The VLAN policy. HNS puts `VLAN=1` on the default nat network on some builds
    /// (seen in `Get-HnsNetwork` output in projectcalico/calico#8465 and
    /// microsoft/SDN#582): VLAN 1 is the access VLAN an untagged port is in, so it
    /// isolates nothing and is no mismatch with a network the scenario leaves untagged.
    fn vlan(&mut self, object: &str, net: &Network, h: &HnsNetwork) {
        let vlan = net.vlan_id().map(u32::from);
        if vlan.is_none() && h.vlan.is_none() {
            return;
        }
        let (status, why) = if vlan == h.vlan {
            (
                Status::Match,
                "windowsshim.vlanid becomes a VLAN policy for every endpoint",
            )
        } else if vlan.is_none() && h.vlan == Some(1) && net.driver == Driver::Nat {
            (
                Status::Variant,
                "VLAN 1 on a nat network is the untagged default: HNS adds it on some builds and it isolates nothing",
            )
        } else {
            (
                Status::Mismatch,
                "windowsshim.vlanid becomes a VLAN policy for every endpoint",
            )
        };
        self.push(
            object,
            "VLAN",
            show(vlan),
            show(h.vlan),
            status,
            why,
            &["OPT-3", "EXT-8"],
        );
    }
}
