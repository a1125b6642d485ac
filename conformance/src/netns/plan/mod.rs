//! From a resolved [`Design`] to a [`Plan`]: which namespaces, links, addresses, routes,
//! sysctls and nftables rules realize it on one Linux kernel. Planning is pure (no
//! system calls) so it is unit-tested without root; [`super::apply`] applies a plan.
//!
//! Objects and their namespaces (`<prefix>` is `hns-<6 hex>`, unique per run):
//!
//! | object | namespace | inside |
//! |---|---|---|
//! | physical segment `i` | `<prefix>-s<i>` | Linux bridge `br0`; one port per NIC/client/router leg |
//! | the segments' gateway router | `<prefix>-rt` | leg `s<i>` per segment with a gateway, `wan` to the internet, masquerade |
//! | "the internet" and internet clients | `<prefix>-in` | documentation address 203.0.113.1 on `lo`, `rt` to the router |
//! | container host `k` | `<prefix>-h<k>` | NIC `e<n>` (veth, peer on the segment bridge), driver objects |
//! | container `i` | `<prefix>-c<i>` | `eth<a>` per attachment (host network: the host's namespace) |
//! | client `j` on a segment | `<prefix>-k<j>` | `eth0` on the segment bridge (its VLAN's) |
//! | physical Hyper-V host of VM `k` (l2tunnel) | `<prefix>-p<k>` | bridge `br0`, uplink to the segment ([`l2tunnel`]) |
//! | VLAN `v` of segment `s` | `<prefix>-s<s>`, `<prefix>-r<s>v<v>` | bridge `v<v>`; its router ([`vlan`]) |
//! | sources with nothing to send by | `<prefix>-z` | only `lo` ([`silent`]) |
//!
//! Every veth pair is created inside one of these namespaces with its peer placed in
//! another (`ip -n A link add X type veth peer name Y netns B`), so nothing ever
//! appears in the root namespace, and every address is only configured inside them.
//! Per-driver mappings are documented in the driver modules and in `README.md`.

mod bound;
mod bridge;
mod dns;
mod external;
mod l2tunnel;
mod macvlan;
mod nat;
mod nft;
mod overlay;
mod silent;
mod vlan;

pub use silent::Silent;

use hnsim_model::{Design, Driver, Endpoint, Host};
use ipnet::IpNet;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::{IpAddr, Ipv4Addr};

/// The address "the internet" answers on, from the documentation range (RFC 5737); it
/// only exists on `lo` of the run's internet namespace.
pub const INTERNET_IP: Ipv4Addr = Ipv4Addr::new(203, 0, 113, 1);
/// Transfer network between the router and the internet namespace (RFC 6598 space,
/// only inside the run's namespaces).
const WAN_ROUTER: &str = "100.64.0.1";
const WAN_INTERNET: &str = "100.64.0.2";
/// Docker's `docker_gwbridge` default subnet (Linux overlay egress).
const GWBRIDGE_NET: &str = "172.18.0.0/16";

/// One command of the plan, in the namespace it runs in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// An iproute2 command line without the leading `ip` (batched per namespace).
    Ip { ns: String, line: String },
    /// A `bridge` command line without the leading `bridge` (FDB entries).
    Bridge { ns: String, line: String },
}

/// Where a matrix node's probes are sent from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Placement {
    Ns(String),
    NotEmulated(String),
}

/// Everything needed to build one design on a kernel, and to find the nodes in it.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub prefix: String,
    /// Full namespace names, in creation order.
    pub namespaces: Vec<String>,
    pub steps: Vec<Step>,
    pub sysctls: BTreeMap<String, Vec<(String, String)>>,
    /// nftables script per namespace.
    pub nft: BTreeMap<String, String>,
    /// Ports the agent of each namespace serves: (tcp, udp).
    pub listen: BTreeMap<String, (BTreeSet<u16>, BTreeSet<u16>)>,
    /// The names each container namespace's embedded resolver answers ([`dns`]).
    pub dns: dns::Zones,
    /// Per container index.
    pub containers: Vec<Placement>,
    /// Per (container index, attachment index): why that endpoint is not emulated.
    pub endpoint_not_emulated: HashMap<(usize, usize), String>,
    /// Per host index.
    pub hosts: Vec<Placement>,
    /// Per client index.
    pub clients: Vec<Placement>,
    /// Per client index: its address (internet clients without one get a public
    /// documentation address here).
    pub client_ips: Vec<Option<IpAddr>>,
    pub internet: Placement,
    /// The internet node's address.
    pub internet_ip: IpAddr,
    /// Per (container index, attachment index): known divergences of the emulation.
    pub endpoint_divergence: HashMap<(usize, usize), String>,
    /// Per container index: why its published ports are not emulated.
    pub publish_not_emulated: HashMap<usize, String>,
    /// Sources with nothing to send by, and where they send from ([`silent`]).
    pub silent: Silent,
}

impl Plan {
    pub fn ns(&self, id: &str) -> String {
        format!("{}-{id}", self.prefix)
    }
}

/// Deterministic, locally administered MACs, so nftables rules can name them before
/// the links exist.
pub(crate) fn host_mac(host: usize, nic: usize) -> String {
    format!(
        "02:48:{:02x}:{:02x}:{:02x}:01",
        host >> 8,
        host & 0xff,
        nic & 0xff
    )
}
/// The MAC of network `network`'s bridge on host `host` (the gateway's, on internal
/// bridges), set explicitly so that permanent neighbour entries can name it.
pub(crate) fn bridge_mac(host: usize, network: usize) -> String {
    format!(
        "02:42:{:02x}:{:02x}:{:02x}:{:02x}",
        (host >> 8) & 0xff,
        host & 0xff,
        (network >> 8) & 0xff,
        network & 0xff
    )
}
pub(crate) fn endpoint_mac(container: usize, attachment: usize) -> String {
    format!(
        "02:43:{:02x}:{:02x}:{:02x}:02",
        (container >> 8) & 0xff,
        container & 0xff,
        attachment & 0xff
    )
}

/// Build state shared by the driver modules.
pub(crate) struct Builder<'a> {
    pub d: &'a Design,
    pub plan: Plan,
    /// Host index -> NIC index -> the device carrying the NIC's address (`e<n>`, or
    /// the external bridge `x<n>` that enslaves it).
    pub nic_dev: HashMap<(usize, usize), String>,
    /// Per-host nftables fragments, joined into one script at the end.
    pub host_nat_pre: BTreeMap<usize, Vec<String>>,
    pub host_nat_out: BTreeMap<usize, Vec<String>>,
    pub host_nat_post: BTreeMap<usize, Vec<String>>,
    pub host_forward: BTreeMap<usize, Vec<String>>,
    pub host_input: BTreeMap<usize, Vec<String>>,
    pub host_output: BTreeMap<usize, Vec<String>>,
    pub host_bridge_pre: BTreeMap<usize, Vec<String>>,
    pub host_bridge_post: BTreeMap<usize, Vec<String>>,
    pub seg_bridge_fwd: BTreeMap<usize, Vec<String>>,
    /// Container index -> default route already set.
    pub has_default: BTreeSet<usize>,
    /// Objects created once (`h0/b3`, `h0/masq`), by key.
    pub created: BTreeSet<String>,
    /// (container, interface) -> the subnet its address is on.
    pub on_link: HashMap<(usize, String), IpNet>,
    /// Overlay network index -> hosts with a VTEP for it.
    pub overlay_hosts: BTreeMap<usize, BTreeSet<usize>>,
    /// A host another backend realizes itself (no namespace is made for it).
    pub elsewhere: Option<usize>,
}

impl<'a> Builder<'a> {
    pub fn ip(&mut self, ns: &str, line: impl Into<String>) {
        self.plan.steps.push(Step::Ip {
            ns: ns.to_string(),
            line: line.into(),
        });
    }
    pub fn bridge(&mut self, ns: &str, line: impl Into<String>) {
        self.plan.steps.push(Step::Bridge {
            ns: ns.to_string(),
            line: line.into(),
        });
    }
    pub fn add_ns(&mut self, id: &str) -> String {
        let ns = self.plan.ns(id);
        if !self.plan.namespaces.contains(&ns) {
            self.plan.namespaces.push(ns.clone());
            self.ip(&ns, "link set lo up");
            self.plan.sysctls.entry(ns.clone()).or_default().extend([
                ("net.ipv4.ping_group_range".into(), "0 2147483647".into()),
                ("net.ipv4.conf.all.rp_filter".into(), "0".into()),
                ("net.ipv4.conf.default.rp_filter".into(), "0".into()),
                // Bridged frames never traverse the IP hooks, whether or not the host
                // has br_netfilter loaded: the rules see routed traffic only.
                ("net.bridge.bridge-nf-call-iptables".into(), "0".into()),
                ("net.bridge.bridge-nf-call-arptables".into(), "0".into()),
            ]);
        }
        ns
    }
    pub fn sysctl(&mut self, ns: &str, k: &str, v: &str) {
        self.plan
            .sysctls
            .entry(ns.to_string())
            .or_default()
            .push((k.into(), v.into()));
    }
    pub fn host_ns(&self, k: usize) -> String {
        self.plan.ns(&format!("h{k}"))
    }
    pub fn container_ns(&self, ci: usize) -> String {
        self.plan.ns(&format!("c{ci}"))
    }
    /// veth pair: `a_name` in `a_ns`, `b_name` in `b_ns`, both up.
    pub fn veth(&mut self, a_ns: &str, a_name: &str, b_ns: &str, b_name: &str) {
        self.ip(
            a_ns,
            format!("link add {a_name} type veth peer name {b_name} netns {b_ns}"),
        );
        self.ip(a_ns, format!("link set {a_name} up"));
        self.ip(b_ns, format!("link set {b_name} up"));
    }
    /// A container interface on a bridge of the host: `eth<a>` in the container,
    /// `p<ci>a<a>` on `bridge` in `host_ns`. The pair is created from the host's side
    /// (its peer straight into the container), so that every container of a host is
    /// created by one `ip -batch` of the host's namespace.
    pub fn attach_to_bridge(
        &mut self,
        ci: usize,
        a: usize,
        host_ns: &str,
        bridge: &str,
        ip: Option<(IpAddr, u8)>,
    ) -> String {
        let cns = self.container_ns(ci);
        let port = format!("p{ci}a{a}");
        self.ip(
            host_ns,
            format!(
                "link add {port} type veth peer name eth{a} address {} netns {cns}",
                endpoint_mac(ci, a)
            ),
        );
        self.ip(host_ns, format!("link set {port} master {bridge} up"));
        self.ip(&cns, format!("link set eth{a} up"));
        if let Some((ip, len)) = ip {
            self.ip(&cns, format!("addr add {ip}/{len} dev eth{a}"));
            if let Ok(net) = IpNet::new(ip, len) {
                self.on_link.insert((ci, format!("eth{a}")), net.trunc());
            }
        }
        port
    }
    /// A default route via `via`, unless the gateway is off the interface's subnet (a
    /// static address outside the network's subnet): then the kernel has no next hop
    /// and neither would the container.
    pub fn default_route(&mut self, ci: usize, via: IpAddr, dev: &str) {
        let on_link = self
            .on_link
            .get(&(ci, dev.to_string()))
            .is_none_or(|net| net.contains(&via));
        if on_link && self.has_default.insert(ci) {
            let cns = self.container_ns(ci);
            self.ip(&cns, format!("route add default via {via} dev {dev}"));
        }
    }
    /// The host's address on the NIC a network binds to (OPT-2), and its device.
    pub fn host_nic(&self, k: usize, nic: usize) -> Option<(IpNet, String)> {
        let h = self.d.scenario.hosts.get(k)?;
        let n = h.nics.get(nic)?;
        Some((n.ip, self.nic_dev.get(&(k, nic))?.clone()))
    }
    pub fn listen(&mut self, ns: &str, ci: usize) {
        let c = &self.d.scenario.containers[ci];
        let entry = self.plan.listen.entry(ns.to_string()).or_default();
        for p in &c.listen {
            match p.proto {
                hnsim_model::Protocol::Tcp => {
                    entry.0.insert(p.port);
                }
                hnsim_model::Protocol::Udp => {
                    entry.1.insert(p.port);
                }
                hnsim_model::Protocol::Sctp => {}
            }
        }
    }
    /// True the first time `key` is seen.
    pub fn once(&mut self, key: String) -> bool {
        self.created.insert(key)
    }
    pub fn not_emulated(&mut self, ci: usize, a: usize, why: impl Into<String>) {
        self.plan.endpoint_not_emulated.insert((ci, a), why.into());
    }
    /// The index of the NIC of host `k` that network `ni` binds, for endpoint `e`; `None`,
    /// with `e` not emulated for `why`, when the host has no such NIC.
    pub fn bound_nic(&mut self, e: &Endpoint, ni: usize, k: usize, why: &str) -> Option<usize> {
        let d = self.d;
        let n = nic_index_for(d, &d.scenario.networks[ni], &d.scenario.hosts[k]);
        if n.is_none() {
            self.not_emulated(e.container, e.attachment, why);
        }
        n
    }
    /// Makes link `dev` in namespace `from` with `add` (its `link add` command) and moves
    /// it into `to`, where the caller sets it up: for links made of something only `from`
    /// has (a macvlan of the host's NIC, a VXLAN on the host's underlay address).
    pub fn add_link_into(&mut self, from: &str, add: String, dev: &str, to: &str) {
        self.ip(from, add);
        self.ip(from, format!("link set {dev} netns {to}"));
    }
}

/// TRANS-4: a Hyper-V host drops frames from MACs other than the VM's own unless MAC
/// spoofing is on; Azure never allows it.
pub(crate) fn blocks_spoofing(host: &Host) -> bool {
    match host.machine {
        hnsim_model::Machine::HypervVm => !host.mac_spoofing,
        hnsim_model::Machine::AzureVm => true,
        hnsim_model::Machine::Physical => false,
    }
}

pub(crate) fn nic_index_for(d: &Design, net: &hnsim_model::Network, host: &Host) -> Option<usize> {
    let nic = d.network_nic(net, host)?;
    host.nics.iter().position(|n| n.name == nic.name)
}

/// Does any network bind NIC `n` of host `k` to an external bridge (transparent,
/// l2bridge)? Then the host's address lives on that bridge.
fn nic_is_bridged(d: &Design, k: usize, n: usize) -> bool {
    let host = &d.scenario.hosts[k];
    d.endpoints.iter().any(|e| {
        e.host == Some(k)
            && e.network.is_some_and(|ni| {
                let net = &d.scenario.networks[ni];
                matches!(net.driver, Driver::Transparent | Driver::L2bridge)
                    && host.is_windows()
                    && nic_index_for(d, net, host) == Some(n)
            })
    })
}

/// Plans the realization of `design` under `prefix` (`hns-<hex>`). `internet_listens`:
/// the ports "the internet" serves (the matrix's internet node says which).
pub fn plan(design: &Design, prefix: &str, internet_listens: &[hnsim_sim::Probe]) -> Plan {
    let mut b = builder(design, prefix, IpAddr::V4(INTERNET_IP));
    physical(&mut b);
    internet_serves(&mut b, internet_listens);
    hosts(&mut b);
    containers(&mut b);
    dns::zones(&mut b);
    clients(&mut b);
    nft::finish_nft(&mut b);
    b.plan
}

/// Plans what lies around host `own`, which another backend realizes and attaches to
/// a segment's bridge itself (the Docker backend: the engine's machine): the segments,
/// their router, the internet (answering on `internet_ip`), the clients, and the other
/// hosts as machines on their segments, without their containers.
pub fn outside(
    design: &Design,
    prefix: &str,
    own: usize,
    internet_ip: IpAddr,
    internet_listens: &[hnsim_sim::Probe],
) -> Plan {
    let mut b = builder(design, prefix, internet_ip);
    b.elsewhere = Some(own);
    physical(&mut b);
    internet_serves(&mut b, internet_listens);
    hosts(&mut b);
    clients(&mut b);
    nft::finish_nft(&mut b);
    // No host namespace is made here: their (empty) rulesets go.
    let made = b.plan.namespaces.clone();
    b.plan.nft.retain(|ns, _| made.contains(ns));
    b.plan
}

fn internet_serves(b: &mut Builder, internet_listens: &[hnsim_sim::Probe]) {
    let inet = b.plan.ns("in");
    let entry = b.plan.listen.entry(inet).or_default();
    for p in internet_listens {
        match p {
            hnsim_sim::Probe::Tcp(port) => entry.0.insert(*port),
            hnsim_sim::Probe::Udp(port) => entry.1.insert(*port),
            hnsim_sim::Probe::Icmp => false,
        };
    }
}

fn builder<'a>(d: &'a Design, prefix: &str, internet_ip: IpAddr) -> Builder<'a> {
    Builder {
        d,
        plan: Plan {
            prefix: prefix.to_string(),
            namespaces: Vec::new(),
            steps: Vec::new(),
            sysctls: BTreeMap::new(),
            nft: BTreeMap::new(),
            listen: BTreeMap::new(),
            dns: BTreeMap::new(),
            containers: Vec::new(),
            endpoint_not_emulated: HashMap::new(),
            hosts: Vec::new(),
            clients: Vec::new(),
            client_ips: Vec::new(),
            internet: Placement::NotEmulated("no internet namespace".into()),
            internet_ip,
            endpoint_divergence: HashMap::new(),
            publish_not_emulated: HashMap::new(),
            silent: Silent::default(),
        },
        nic_dev: HashMap::new(),
        host_nat_pre: BTreeMap::new(),
        host_nat_out: BTreeMap::new(),
        host_nat_post: BTreeMap::new(),
        host_forward: BTreeMap::new(),
        host_input: BTreeMap::new(),
        host_output: BTreeMap::new(),
        host_bridge_pre: BTreeMap::new(),
        host_bridge_post: BTreeMap::new(),
        seg_bridge_fwd: BTreeMap::new(),
        has_default: BTreeSet::new(),
        created: BTreeSet::new(),
        overlay_hosts: BTreeMap::new(),
        elsewhere: None,
        on_link: HashMap::new(),
    }
}

/// Segments, the router and the internet.
fn physical(b: &mut Builder) {
    let s = &b.d.scenario;
    let internet = b.add_ns("in");
    let internet_ip = b.plan.internet_ip;
    b.ip(&internet, format!("addr add {internet_ip}/32 dev lo"));
    b.plan.internet = Placement::Ns(internet.clone());
    let router = b.add_ns("rt");
    b.sysctl(&router, "net.ipv4.ip_forward", "1");
    b.veth(&router, "wan", &internet, "rt");
    b.ip(&router, format!("addr add {WAN_ROUTER}/30 dev wan"));
    b.ip(&internet, format!("addr add {WAN_INTERNET}/30 dev rt"));
    b.ip(&router, format!("route add default via {WAN_INTERNET}"));
    let mut rt_nft = String::from("table ip hnsim {\n");
    let mut masq = Vec::new();
    let mut fwd = Vec::new();
    for (i, seg) in s.segments.iter().enumerate() {
        let sns = b.add_ns(&format!("s{i}"));
        b.ip(&sns, "link add br0 type bridge");
        b.ip(&sns, "link set br0 up");
        if let Some(gw) = seg.gateway {
            let leg = format!("s{i}");
            b.veth(&router, &leg, &sns, "rt");
            b.ip(&sns, "link set rt master br0");
            b.ip(
                &router,
                format!("addr add {gw}/{} dev {leg}", seg.subnet.prefix_len()),
            );
            if seg.internet {
                masq.push(format!(
                    "    iifname \"{leg}\" oifname \"wan\" masquerade\n"
                ));
            } else {
                fwd.push(format!("    iifname \"{leg}\" oifname \"wan\" drop\n"));
            }
        }
    }
    rt_nft.push_str("  chain post {\n    type nat hook postrouting priority 100;\n");
    rt_nft.extend(masq);
    rt_nft.push_str("  }\n  chain filt {\n    type filter hook forward priority 0;\n");
    // The internet never opens connections into the segments' private subnets.
    rt_nft.push_str("    iifname \"wan\" ct state established,related accept\n");
    rt_nft.push_str("    iifname \"wan\" drop\n");
    rt_nft.extend(fwd);
    rt_nft.push_str("  }\n}\n");
    b.plan.nft.insert(router, rt_nft);
}

fn hosts(b: &mut Builder) {
    let d = b.d;
    for (k, host) in d.scenario.hosts.iter().enumerate() {
        if b.elsewhere == Some(k) {
            b.plan.hosts.push(Placement::NotEmulated(
                "the host is realized by another backend".into(),
            ));
            continue;
        }
        let hns = b.add_ns(&format!("h{k}"));
        b.plan.hosts.push(Placement::Ns(hns.clone()));
        // Docker and HNS both route between the host's networks.
        b.sysctl(&hns, "net.ipv4.ip_forward", "1");
        // Published ports reached as localhost:PORT (EXT-2) need DNAT from loopback.
        b.sysctl(&hns, "net.ipv4.conf.all.route_localnet", "1");
        let mut default_set = false;
        for (n, nic) in host.nics.iter().enumerate() {
            let Some(si) = d
                .scenario
                .segments
                .iter()
                .position(|s| s.name == nic.segment)
            else {
                continue;
            };
            let sns = b.plan.ns(&format!("s{si}"));
            let port = format!("h{k}e{n}");
            let dev = format!("e{n}");
            b.ip(
                &hns,
                format!(
                    "link add {dev} address {} type veth peer name {port} netns {sns}",
                    host_mac(k, n)
                ),
            );
            b.ip(&sns, format!("link set {port} master br0 up"));
            b.ip(&hns, format!("link set {dev} up"));
            let addr_dev = if nic_is_bridged(d, k, n) {
                let x = format!("x{n}");
                b.ip(
                    &hns,
                    format!("link add {x} address {} type bridge", host_mac(k, n)),
                );
                b.ip(&hns, format!("link set {dev} master {x}"));
                b.ip(&hns, format!("link set {x} up"));
                x
            } else {
                dev.clone()
            };
            b.ip(&hns, format!("addr add {} dev {addr_dev}", nic.ip));
            b.nic_dev.insert((k, n), addr_dev.clone());
            let seg = &d.scenario.segments[si];
            if let Some(gw) = seg.gateway {
                if !default_set && nic.ip.contains(&gw) {
                    b.ip(&hns, format!("route add default via {gw} dev {addr_dev}"));
                    default_set = true;
                }
            }
            if blocks_spoofing(host) {
                b.seg_bridge_fwd.entry(si).or_default().push(format!(
                    "iifname \"{port}\" ether saddr != {} drop",
                    host_mac(k, n)
                ));
            }
        }
        // EXT-5: Windows answers no inbound ICMPv4 echo unless a firewall rule allows it.
        // The host's own pings to its containers need that inbound rule too: the echo
        // reply from a container is inbound ICMPv4 to the host (HNS082).
        if !host.allows_inbound_icmp() {
            let mut rules = vec!["icmp type echo-request drop".to_string()];
            // Only behind the internal vSwitch (nat), where host-to-container traffic
            // passes the host vNIC and its inbound rules; on an external vSwitch the
            // container is a peer on the wire whose replies the stateful firewall lets
            // in like any other machine's.
            for e in d.endpoints.iter().filter(|e| e.host == Some(k)) {
                let behind_nat = e
                    .network
                    .is_some_and(|ni| d.scenario.networks[ni].driver == Driver::Nat);
                if let (Some(ip), true) = (e.ip, behind_nat) {
                    rules.push(format!("ip saddr {ip} icmp type echo-reply drop"));
                }
            }
            b.host_input.entry(k).or_default().extend(rules);
        }
    }
}

fn containers(b: &mut Builder) {
    let d = b.d;
    // Containers sharing the host's stack run in the host namespace; the rest get one.
    for (ci, c) in d.scenario.containers.iter().enumerate() {
        let Some(k) = d.host_index(&c.host) else {
            b.plan.containers.push(Placement::NotEmulated(format!(
                "host `{}` does not exist",
                c.host
            )));
            continue;
        };
        if !c.is_running() {
            b.plan.containers.push(Placement::NotEmulated(format!(
                "container `{}` is not running: it has no network stack to send from",
                c.name
            )));
            b.silent_container(ci);
            continue;
        }
        let on_host_stack = d.endpoints_of(ci).any(|e| {
            e.network
                .is_some_and(|ni| d.scenario.networks[ni].driver == Driver::Host)
        });
        if on_host_stack && !d.scenario.hosts[k].is_windows() {
            let hns = b.host_ns(k);
            b.listen(&hns, ci);
            b.plan.containers.push(Placement::Ns(hns));
            continue;
        }
        let cns = b.add_ns(&format!("c{ci}"));
        b.listen(&cns, ci);
        b.plan.containers.push(Placement::Ns(cns));
    }
    let eps: Vec<_> = d.endpoints.clone();
    let mut held = std::collections::HashSet::new();
    for e in &eps {
        let ci = e.container;
        if !matches!(b.plan.containers.get(ci), Some(Placement::Ns(_))) {
            continue;
        }
        let (Some(ni), Some(k)) = (e.network, e.host) else {
            b.silent_endpoint(ci, e.attachment, "the endpoint's network does not exist");
            continue;
        };
        let net = &d.scenario.networks[ni];
        let host = &d.scenario.hosts[k];
        let shares_host_stack = b.plan.containers.get(ci) == Some(&Placement::Ns(b.host_ns(k)));
        if shares_host_stack && net.driver != Driver::Host {
            b.not_emulated(
                ci,
                e.attachment,
                "a container on the host network cannot also join another network (LNX-2)",
            );
            continue;
        }
        // Docker and HNS refuse an address already in use on the network (SCN014): the
        // first endpoint holds it, as the model has it, and the second is not built
        // (two namespaces with one address would leave the answer to an ARP race).
        if let Some(ip) = e.ip.filter(|ip| !held.insert((ni, *ip))) {
            b.not_emulated(
                ci,
                e.attachment,
                format!(
                    "{ip} is already held on network `{}`, which Docker and HNS refuse (SCN014)",
                    net.name
                ),
            );
            continue;
        }
        if let Some(vid) = net.vlan_id() {
            match (&net.driver, host.is_windows()) {
                (Driver::Transparent, true) => vlan::endpoint(b, e, ni, k, vid),
                _ => b.not_emulated(ci, e.attachment, "a VLAN on this driver is not emulated"),
            }
            continue;
        }
        match (&net.driver, host.is_windows()) {
            (Driver::Host, false) => {}
            (Driver::None, _) => {}
            (Driver::Bridge, false) => bridge::endpoint(b, e, ni, k),
            (Driver::Macvlan, false) => macvlan::endpoint(b, e, ni, k),
            (Driver::Overlay, false) => overlay::linux_endpoint(b, e, ni, k),
            (Driver::Nat, true) => nat::endpoint(b, e, ni, k),
            (Driver::Transparent, true) => external::endpoint(b, e, ni, k, false),
            (Driver::L2bridge, true) => external::endpoint(b, e, ni, k, true),
            (Driver::Overlay, true) => overlay::windows_endpoint(b, e, ni, k),
            (Driver::L2tunnel, true) => l2tunnel::endpoint(b, e, ni, k),
            (other, windows) => b.not_emulated(
                ci,
                e.attachment,
                format!(
                    "driver `{other}` on a {} host is not emulated",
                    if windows { "Windows" } else { "Linux" }
                ),
            ),
        }
    }
    overlay::finish(b);
}

fn clients(b: &mut Builder) {
    let d = b.d;
    let internet = b.plan.ns("in");
    let mut next_public = 10u8;
    for (j, cl) in d.scenario.clients.iter().enumerate() {
        let seg = cl
            .segment
            .as_ref()
            .and_then(|name| d.scenario.segments.iter().position(|s| &s.name == name));
        let mut client_ip = cl.ip;
        let placement = match (seg, cl.internet) {
            (Some(si), false) => match cl.ip {
                Some(ip) => {
                    let seg = &d.scenario.segments[si];
                    let kns = b.add_ns(&format!("k{j}"));
                    let sns = b.plan.ns(&format!("s{si}"));
                    // An access port of its VLAN (OPT-3), else of the untagged domain.
                    let bridge = match cl.vlan {
                        Some(vid) => vlan::domain(b, si, vid),
                        None => "br0".to_string(),
                    };
                    b.veth(&kns, "eth0", &sns, &format!("k{j}"));
                    b.ip(&sns, format!("link set k{j} master {bridge}"));
                    b.ip(
                        &kns,
                        format!("addr add {ip}/{} dev eth0", seg.subnet.prefix_len()),
                    );
                    if let Some(gw) = seg.gateway {
                        b.ip(&kns, format!("route add default via {gw}"));
                    }
                    Placement::Ns(kns)
                }
                None => Placement::NotEmulated(format!("client `{}` has no address", cl.name)),
            },
            (_, true) | (None, false) => {
                // Internet clients share the internet namespace, each with its address.
                let ip = cl.ip.unwrap_or_else(|| {
                    next_public += 1;
                    IpAddr::V4(Ipv4Addr::new(203, 0, 113, next_public))
                });
                b.ip(&internet, format!("addr add {ip}/32 dev lo"));
                client_ip = Some(ip);
                Placement::Ns(internet.clone())
            }
        };
        if let Placement::Ns(ns) = &placement {
            let entry = b.plan.listen.entry(ns.clone()).or_default();
            for p in &cl.listen {
                match p.proto {
                    hnsim_model::Protocol::Tcp => entry.0.insert(p.port),
                    hnsim_model::Protocol::Udp => entry.1.insert(p.port),
                    hnsim_model::Protocol::Sctp => false,
                };
            }
        }
        b.plan.clients.push(placement);
        b.plan.client_ips.push(client_ip);
    }
}

/// Prefix length of a network's first subnet, or of the segment it binds to.
pub(crate) fn prefix_len(net: &hnsim_model::Network, fallback: Option<&IpNet>) -> u8 {
    net.subnet
        .0
        .first()
        .or(fallback)
        .map(|s| s.prefix_len())
        .unwrap_or(24)
}

/// Docker picks `docker_gwbridge`'s subnet from its default pools, skipping subnets in
/// use: 172.18.0.0/16 unless a network already has it.
pub(crate) fn gwbridge_net(d: &Design) -> IpNet {
    let used: Vec<IpNet> = d
        .scenario
        .networks
        .iter()
        .flat_map(|n| n.subnet.0.iter().copied())
        .collect();
    (18u8..=31)
        .filter_map(|b| IpNet::new(IpAddr::V4(Ipv4Addr::new(172, b, 0, 0)), 16).ok())
        .find(|c| {
            !used
                .iter()
                .any(|u| u.contains(&c.network()) || c.contains(&u.network()))
        })
        .unwrap_or_else(|| GWBRIDGE_NET.parse().expect("constant prefix"))
}

#[cfg(test)]
mod tests;
