//! Design validation: every caveat, prerequisite and limit of the fact catalogue
//! (`facts.yaml`) as a rule with a stable code.
//!
//! Codes: `HNS0xx` for Windows/HNS behaviour, `DKR0xx` for Docker on Linux, `SCN0xx` for
//! the consistency of the scenario itself (references, duplicates, addressing). A code
//! never changes meaning once published; a retired rule keeps its number unused.
//!
//! One module per area of the catalogue. Each module declares its rules (`rules!`) and
//! a `check` over the resolved [`Design`]; [`timeline`] turns the events of a step into
//! findings. [`every_rule`] is the registry the tests read.

use crate::design::{Design, Endpoint};
use crate::finding::{Finding, Severity, Subject};
use crate::hash::{HashMap, HashSet};
use crate::parse::Document;
use crate::scenario::{Container, Host, Network};
use crate::timeline::StepEvent;

/// Declares an area's rules: a [`Rule`] constant for each, named for what it finds,
/// with its code, and `AREA`, the list of them that [`every_rule`] reads.
macro_rules! rules {
    ($($name:ident: $code:literal,)+) => {
        $(pub const $name: $crate::rules::Rule = $crate::rules::Rule::new($code);)+
        /// This area's rules, in the order they are declared.
        pub(super) const AREA: &[$crate::rules::Rule] = &[$($name),+];
    };
}

mod addressing;
pub mod catalogue;
pub use catalogue::RuleText;
mod host;
mod l2bridge;
mod l2tunnel;
mod linux;
mod nat;
mod options;
pub(crate) use options::CONTAINER_OPTION;
mod overlay;
mod ports;
mod references;
mod sdn;
mod timeline;
mod transparent;

/// A validation rule, by its code: the check that emits it is code in this module's
/// areas, what it says is the code's entry of the catalogue ([`catalogue`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    pub code: &'static str,
}

impl Rule {
    pub const fn new(code: &'static str) -> Rule {
        Rule { code }
    }

    /// The catalogue's entry. Every code the checks use has one (tested), so a missing
    /// entry is a defect of the build, never of the input.
    pub fn text(self) -> &'static RuleText {
        catalogue::exact(self.code)
            .unwrap_or_else(|| panic!("rule {} has no entry in rules.yaml", self.code))
    }

    pub fn severity(self) -> Severity {
        self.text().severity
    }

    /// SPEC fact IDs the rule rests on.
    pub fn facts(self) -> &'static [String] {
        &self.text().facts
    }

    /// One line: what is wrong.
    pub fn title(self) -> &'static str {
        &self.text().title
    }

    /// The long form: why it is wrong, what Docker/HNS do, where the fact comes from.
    pub fn explanation(self) -> &'static str {
        &self.text().explanation
    }

    /// How to fix it.
    pub fn help(self) -> &'static str {
        &self.text().help
    }
}

/// Every rule, area by area (`hnsim explain` lists them sorted by code).
pub fn every_rule() -> impl Iterator<Item = Rule> {
    let areas: [&[Rule]; 13] = [
        references::AREA,
        addressing::AREA,
        nat::AREA,
        transparent::AREA,
        overlay::AREA,
        l2bridge::AREA,
        l2tunnel::AREA,
        sdn::AREA,
        options::AREA,
        ports::AREA,
        host::AREA,
        linux::AREA,
        timeline::AREA,
    ];
    areas.into_iter().flatten().copied()
}

/// The rule with this code (case-insensitive), the importer's `IMP` codes included.
pub fn rule(code: &str) -> Option<Rule> {
    let wanted = code.trim();
    catalogue::all()
        .iter()
        .find(|r| r.code.eq_ignore_ascii_case(wanted))
        .map(|r| Rule::new(&r.code))
}

/// Every code of the catalogue: the validator's rules and the importer's codes.
pub fn all_codes() -> impl Iterator<Item = Rule> {
    catalogue::all().iter().map(|r| Rule::new(&r.code))
}

/// Codes closest to `code`, best first, for "did you mean" on an unknown code: the same
/// prefix and the nearest number first (`HNS99` -> HNS082, HNS081, ...), then by spelling.
pub fn nearest(code: &str, max: usize) -> Vec<&'static str> {
    let wanted = code.trim().to_ascii_uppercase();
    let split = |c: &str| -> Option<(String, u32)> {
        let cut = c.find(|ch: char| ch.is_ascii_digit())?;
        Some((c[..cut].to_string(), c[cut..].parse().ok()?))
    };
    let target = split(&wanted);
    let mut scored: Vec<((u8, u32), f64, &'static str)> = all_codes()
        .map(|r| {
            let rank = match (&target, split(r.code)) {
                (Some((tp, tn)), Some((p, n))) if *tp == p => (0, tn.abs_diff(n)),
                _ => (1, 0),
            };
            (rank, crate::similarity(&wanted, r.code), r.code)
        })
        .collect();
    scored.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)).then(a.2.cmp(b.2)));
    scored.into_iter().take(max).map(|(_, _, c)| c).collect()
}

/// Findings for one resolved state of the design.
pub fn check(doc: &Document, design: &Design) -> Vec<Finding> {
    let mut checker = Checker::new(doc, design);
    // One family of rules a module; findings come out in this order.
    let families: [fn(&mut Checker); 12] = [
        references::check,
        addressing::check,
        nat::check,
        transparent::check,
        overlay::check,
        l2bridge::check,
        l2tunnel::check,
        sdn::check,
        options::check,
        ports::check,
        host::check,
        linux::check,
    ];
    for family in families {
        family(&mut checker);
    }
    checker.out
}

/// Findings for what a timeline step caused.
pub fn check_events(doc: &Document, step: usize, events: &[StepEvent]) -> Vec<Finding> {
    timeline::check(doc, step, events)
}

/// Builds a finding of `rule` at `path` with the rule's own help.
pub(crate) fn finding(rule: &Rule, doc: &Document, path: &str, message: String) -> Finding {
    Finding {
        code: rule.code.to_string(),
        severity: rule.severity(),
        facts: rule.facts().to_vec(),
        location: doc.locate(path),
        message,
        help: rule.help().to_string(),
        step: None,
        invalidates: Vec::new(),
    }
}

/// What every rule module works with: the document (for locations), the resolved design
/// and the findings so far; rules report through it.
pub(crate) struct Checker<'a> {
    pub doc: &'a Document,
    pub design: &'a Design,
    pub out: Vec<Finding>,
    /// Hosts by name (the first of a repeated name), and the endpoints of each network:
    /// rules ask for them per container and per network, which must not cost a scan of
    /// the whole design each time.
    hosts_by_name: HashMap<&'a str, usize>,
    endpoints_by_network: Vec<Vec<usize>>,
    /// Each container's host, looked up once: five rule families ask it of every
    /// container, and each name lookup reads the container's own host string (a cache
    /// miss per container of a million-replica service).
    container_hosts: Vec<Option<u32>>,
}

impl<'a> Checker<'a> {
    fn new(doc: &'a Document, design: &'a Design) -> Self {
        let s = &design.scenario;
        let hosts_by_name: HashMap<&str, usize> = s.host_indices().into_iter().collect();
        let mut endpoints_by_network = vec![Vec::new(); s.networks.len()];
        for (i, ep) in design.endpoints.iter().enumerate() {
            if let Some(list) = ep.network.and_then(|n| endpoints_by_network.get_mut(n)) {
                list.push(i);
            }
        }
        // A container's endpoints carry its host as resolution looked it up (by the
        // same first-of-a-name index); only a container without one is looked up here.
        let mut eps = design.endpoints.iter().peekable();
        let container_hosts = s
            .containers
            .iter()
            .enumerate()
            .map(|(ci, c)| {
                while eps.next_if(|e| e.container < ci).is_some() {}
                let host = match eps.peek() {
                    Some(e) if e.container == ci => e.host,
                    _ => hosts_by_name.get(c.host.as_str()).copied(),
                };
                host.map(|i| i as u32)
            })
            .collect();
        Checker {
            doc,
            design,
            out: Vec::new(),
            hosts_by_name,
            endpoints_by_network,
            container_hosts,
        }
    }

    pub fn emit(&mut self, rule: &Rule, path: &str, message: String) {
        self.out.push(finding(rule, self.doc, path, message));
    }

    /// Like [`Checker::emit`] for a finding that says `subjects` do not work as
    /// written (the simulator answers no cell across them as delivered).
    pub fn emit_on(
        &mut self,
        rule: &Rule,
        path: &str,
        message: String,
        subjects: impl IntoIterator<Item = Subject>,
    ) {
        let mut f = finding(rule, self.doc, path, message);
        f.invalidates.extend(subjects);
        self.out.push(f);
    }

    /// The subjects "every attachment of container `ci`": what a container Docker
    /// refuses to create (an option or a port mapping the platform refuses) takes out.
    pub fn container_subjects(&self, ci: usize) -> Vec<Subject> {
        let name = &self.design.scenario.containers[ci].name;
        self.design
            .endpoints_of(ci)
            .filter_map(|e| e.network)
            .map(|n| Subject::Endpoint {
                container: name.clone(),
                network: self.design.scenario.networks[n].name.clone(),
            })
            .collect()
    }

    /// The subjects of a network Docker or HNS refuses to create: traffic off it, and
    /// every attachment to it (flows between its own members do not work either).
    pub fn refused_network(&self, net: &Network) -> Vec<Subject> {
        let ni = self
            .design
            .scenario
            .networks
            .iter()
            .position(|n| std::ptr::eq(n, net));
        let mut out = vec![Self::network_subject(net)];
        if let Some(ni) = ni {
            out.extend(self.endpoints_on(ni).map(|e| Subject::Endpoint {
                container: self.design.scenario.containers[e.container].name.clone(),
                network: net.name.clone(),
            }));
        }
        out
    }

    /// The subject "traffic off network `net`", scoped to its host when it has one.
    pub fn network_subject(net: &Network) -> Subject {
        Subject::Network {
            network: net.name.clone(),
            host: net.host.clone(),
            within: None,
        }
    }

    /// The subject "traffic between network `net` and addresses in `range`": what a
    /// network whose subnet overlaps `range` breaks. Its members route every address of
    /// the overlap onto their own network, so their flows with the rest of `range` go
    /// astray; their flows with addresses outside it are routed as before.
    pub fn network_subject_toward(net: &Network, range: ipnet::IpNet) -> Subject {
        Subject::Network {
            network: net.name.clone(),
            host: net.host.clone(),
            within: Some(range),
        }
    }

    /// The subject "every flow of this attachment".
    pub fn endpoint_subject(a: &Attached) -> Subject {
        Subject::Endpoint {
            container: a.container.name.clone(),
            network: a.network.name.clone(),
        }
    }

    /// Like [`Checker::emit`] with a help line specific to this finding.
    pub fn emit_help(&mut self, rule: &Rule, path: &str, message: String, help: String) {
        let mut f = finding(rule, self.doc, path, message);
        f.help = help;
        self.out.push(f);
    }

    pub fn hosts(&self) -> &'a [Host] {
        &self.design.scenario.hosts
    }
    pub fn networks(&self) -> &'a [Network] {
        &self.design.scenario.networks
    }
    pub fn containers(&self) -> &'a [Container] {
        &self.design.scenario.containers
    }
    pub fn host(&self, name: &str) -> Option<&'a Host> {
        let i = *self.hosts_by_name.get(name)?;
        self.design.scenario.hosts.get(i)
    }
    /// The host of container `index` ([`Checker::host`] of its `host`).
    pub fn container_host(&self, index: usize) -> Option<&'a Host> {
        let i = (*self.container_hosts.get(index)?)?;
        self.design.scenario.hosts.get(i as usize)
    }
    /// The endpoints attached to network `index`.
    pub fn endpoints_on(&self, index: usize) -> impl Iterator<Item = &'a Endpoint> + '_ {
        let design = self.design;
        self.endpoints_by_network
            .get(index)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(move |i| &design.endpoints[*i])
    }
    /// The host a host-scoped network lives on.
    pub fn network_host(&self, net: &Network) -> Option<&'a Host> {
        net.host.as_deref().and_then(|h| self.host(h))
    }

    /// Endpoints with their container, network and host resolved.
    pub fn attached(&self) -> impl Iterator<Item = Attached<'a>> + 'a {
        let s = &self.design.scenario;
        self.design.endpoints.iter().filter_map(move |ep| {
            Some(Attached {
                ep,
                container: s.containers.get(ep.container)?,
                network: s.networks.get(ep.network?)?,
                host: s.hosts.get(ep.host?)?,
            })
        })
    }

    /// Hosts a network is present on: its own host, or for a swarm-scoped network every
    /// host with an endpoint on it.
    pub fn hosts_of_network(&self, index: usize) -> Vec<&'a Host> {
        let net = &self.design.scenario.networks[index];
        if let Some(h) = self.network_host(net) {
            return vec![h];
        }
        let mut seen = HashSet::default();
        let mut out: Vec<&Host> = Vec::new();
        for ep in self.endpoints_on(index) {
            if let Some(h) = ep.host.and_then(|i| self.design.scenario.hosts.get(i)) {
                if seen.insert(h.name.as_str()) {
                    out.push(h);
                }
            }
        }
        out
    }

    /// Each network of `driver` with each Windows host it is on (and the network's
    /// index): what the rules of a Windows-only driver look at.
    pub fn on_windows(&self, driver: crate::Driver) -> Vec<(usize, &'a Network, &'a Host)> {
        let mut out = Vec::new();
        for (ni, net) in self.networks().iter().enumerate() {
            if net.driver != driver {
                continue;
            }
            let hosts = self.hosts_of_network(ni).into_iter();
            out.extend(hosts.filter(|h| h.is_windows()).map(|h| (ni, net, h)));
        }
        out
    }
}

/// An endpoint with everything it points at.
#[derive(Clone, Copy)]
pub(crate) struct Attached<'a> {
    pub ep: &'a Endpoint,
    pub container: &'a Container,
    pub network: &'a Network,
    pub host: &'a Host,
}

impl Attached<'_> {
    /// Field path of the attachment (`containers[0].networks[1]`); for a default
    /// attachment that is not written in the file, the container's own path.
    pub fn path(&self) -> String {
        format!(
            "{}.networks[{}]",
            self.container.origin.path, self.ep.attachment
        )
    }
    /// Path of field `field` of the attachment (`containers[0].networks[1].ip`).
    pub fn at(&self, field: &str) -> String {
        format!("{}.{field}", self.path())
    }
}

/// A KB number compared loosely: `KB4489899`, `kb4489899` and `4489899` are the same.
pub(crate) fn has_update(host: &Host, kb: &str) -> bool {
    let norm = |s: &str| {
        s.trim()
            .trim_start_matches(['K', 'k', 'B', 'b'])
            .to_string()
    };
    host.updates.iter().any(|u| norm(u) == norm(kb))
}

#[cfg(test)]
mod tests;
