//! Answers stored once and shared: the simulator decides per pair of endpoint classes,
//! so one answer serves every (source, destination) pair of its classes. Its texts name
//! the two ends by tokens ([`SRC_IP`], [`DST_IP`], [`SRC_NAME`], [`DST_NAME`]) that
//! [`AnswerTable::cell`] replaces with one pair's own addresses and names. Hops, paths,
//! fact sets, answers and the per-probe answer lists of class pairs are each stored
//! once in an [`AnswerTable`] that every state of a report shares, so memory grows with
//! the distinct answers, not with the cells.

use super::{Address, AddressKind, Cell, Disposition, Hop, Node, NodeKind, Probe};
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;
use std::borrow::Cow;
use std::collections::HashMap;
use std::net::IpAddr;

/// Token for the source node's IP (`(no address)` when it has none).
pub const SRC_IP: &str = "{s.ip}";
/// Token for the destination node's IP.
pub const DST_IP: &str = "{d.ip}";
/// Token for the source node's name: its container's for an endpoint, else its label.
pub const SRC_NAME: &str = "{s.name}";
/// Token for the destination node's name.
pub const DST_NAME: &str = "{d.name}";

/// The address a source must use, before it is known which pair it is for.
#[skip_serializing_none]
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "template", rename_all = "kebab-case")]
pub enum AddressTemplate {
    /// The destination endpoint's own IP, with the probe's port when it has one.
    ContainerIp { port: Option<u16> },
    /// The same address for every pair (host IP, host IP and published port, client,
    /// internet).
    Fixed {
        kind: AddressKind,
        value: String,
        ip: Option<IpAddr>,
        port: Option<u16>,
    },
}

impl AddressTemplate {
    pub fn fixed(kind: AddressKind, ip: Option<IpAddr>, port: Option<u16>) -> AddressTemplate {
        let value = match (ip, port) {
            (Some(ip), Some(p)) => format!("{ip}:{p}"),
            (Some(ip), None) => ip.to_string(),
            (None, _) if kind == AddressKind::External => "any public address".to_string(),
            (None, Some(p)) => format!("localhost:{p}"),
            (None, None) => "localhost".to_string(),
        };
        AddressTemplate::Fixed {
            kind,
            value,
            ip,
            port,
        }
    }

    /// The address for one destination node (`dst_ip`: its own IP, for a container-IP
    /// template); `name` is the name that also resolves to it.
    pub fn address(&self, dst_ip: Option<IpAddr>, name: Option<String>) -> Option<Address> {
        Some(match self {
            AddressTemplate::ContainerIp { port } => {
                let ip = dst_ip?;
                Address {
                    kind: AddressKind::ContainerIp,
                    value: with_port(ip, *port),
                    ip: Some(ip),
                    port: *port,
                    name,
                }
            }
            AddressTemplate::Fixed {
                kind,
                value,
                ip,
                port,
            } => Address {
                kind: *kind,
                value: value.clone(),
                ip: *ip,
                port: *port,
                name,
            },
        })
    }
}

/// `10.0.0.5:80`, `[fd00::5]:80`, or the bare IP.
fn with_port(ip: IpAddr, port: Option<u16>) -> String {
    match (ip, port) {
        (IpAddr::V4(v4), Some(p)) => format!("{v4}:{p}"),
        (IpAddr::V6(v6), Some(p)) => format!("[{v6}]:{p}"),
        (ip, None) => ip.to_string(),
    }
}

/// One answer with tokens: what a cell says, minus who the two ends are.
#[skip_serializing_none]
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AnswerTemplate {
    /// The outcome; a denial's or an unknown's `why` may hold tokens.
    pub disposition: Disposition,
    pub address: Option<AddressTemplate>,
    /// The DNS name that also resolves to the destination (may be a token).
    pub name: Option<String>,
    /// Index into [`AnswerTable::paths`].
    pub path: u32,
    /// Index into [`AnswerTable::fact_sets`]: every fact the answer rests on.
    pub facts: u32,
}

/// One probe's answer in a list of answers (see [`AnswerTable::lists`]).
pub type ProbeAnswer = (Probe, u32);

/// The answers of a report, each stored once (see the module documentation).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerTable {
    /// Hops with tokens in `at` and `detail`.
    pub hops: Vec<Hop>,
    /// Paths as hop indices.
    pub paths: Vec<Vec<u32>>,
    pub fact_sets: Vec<Vec<String>>,
    pub answers: Vec<AnswerTemplate>,
    /// Per-probe answers (probe, index into `answers`) of a pair of classes: one list
    /// serves every class pair that is answered alike.
    pub lists: Vec<Vec<ProbeAnswer>>,
}

/// What the tokens stand for, for one node.
pub struct Identity<'a> {
    ip: Cow<'a, str>,
    name: &'a str,
}

impl<'a> Identity<'a> {
    pub fn of(node: &'a Node) -> Identity<'a> {
        Identity {
            ip: node
                .ip
                .map(|ip| Cow::Owned(ip.to_string()))
                .unwrap_or(Cow::Borrowed("(no address)")),
            name: node.container.as_deref().unwrap_or(&node.label),
        }
    }
}

/// `text` with the tokens replaced by `s`'s and `t`'s values. It runs for every hop of
/// every cell a renderer shows, so it scans once and allocates only when there are
/// tokens.
pub fn substitute<'t>(text: &'t str, s: &Identity, t: &Identity) -> Cow<'t, str> {
    let Some(first) = text.find('{') else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 16);
    out.push_str(&text[..first]);
    let mut rest = &text[first..];
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let tokens = [
            (SRC_IP, &*s.ip),
            (DST_IP, &*t.ip),
            (SRC_NAME, s.name),
            (DST_NAME, t.name),
        ];
        match tokens.iter().find(|(tok, _)| rest.starts_with(tok)) {
            Some((tok, val)) => {
                out.push_str(val);
                rest = &rest[tok.len()..];
            }
            None => {
                out.push('{');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

impl AnswerTable {
    pub fn answer(&self, id: u32) -> &AnswerTemplate {
        &self.answers[id as usize]
    }

    pub fn list(&self, id: u32) -> &[ProbeAnswer] {
        &self.lists[id as usize]
    }

    pub fn path(&self, id: u32) -> impl Iterator<Item = &Hop> {
        self.paths[id as usize]
            .iter()
            .map(|h| &self.hops[*h as usize])
    }

    pub fn facts(&self, id: u32) -> &[String] {
        &self.fact_sets[id as usize]
    }

    /// Answer `id`'s disposition and address for `from` to `to`, without its path.
    pub fn outcome(&self, id: u32, from: &Node, to: &Node) -> (Disposition, Option<Address>) {
        let a = self.answer(id);
        let (s, t) = (Identity::of(from), Identity::of(to));
        let text = |x: &str| substitute(x, &s, &t).into_owned();
        let disposition = match &a.disposition {
            Disposition::Delivered => Disposition::Delivered,
            Disposition::Denied { reason, why } => Disposition::Denied {
                reason: *reason,
                why: text(why),
            },
            Disposition::Unknown { why } => Disposition::Unknown { why: text(why) },
        };
        let dst_ip = (to.kind == NodeKind::Endpoint).then_some(to.ip).flatten();
        let address = a
            .address
            .as_ref()
            .and_then(|x| x.address(dst_ip, a.name.as_deref().map(text)));
        (disposition, address)
    }

    /// Answer `id` as the cell of `from` to `to` with `probe`.
    pub fn cell(&self, id: u32, from: &Node, to: &Node, probe: Probe) -> Cell {
        let a = self.answer(id);
        let (s, t) = (Identity::of(from), Identity::of(to));
        let text = |x: &str| substitute(x, &s, &t).into_owned();
        let (disposition, address) = self.outcome(id, from, to);
        Cell {
            from: from.id.clone(),
            to: to.id.clone(),
            probe,
            disposition,
            address,
            path: self
                .path(a.path)
                .map(|h| Hop {
                    at: text(&h.at),
                    mechanism: h.mechanism,
                    detail: text(&h.detail),
                    facts: h.facts.clone(),
                })
                .collect(),
            facts: self.facts(a.facts).to_vec(),
            observation: None,
        }
    }
}

/// Fills an [`AnswerTable`], storing each hop, path, fact set, answer and list once.
#[derive(Default)]
pub(crate) struct TableBuilder {
    table: AnswerTable,
    hops: HashMap<Hop, u32>,
    paths: HashMap<Vec<u32>, u32>,
    fact_sets: HashMap<Vec<String>, u32>,
    answers: HashMap<AnswerTemplate, u32>,
    lists: HashMap<Vec<ProbeAnswer>, u32>,
}

fn intern<K: std::hash::Hash + Eq + Clone>(
    index: &mut HashMap<K, u32>,
    store: &mut Vec<K>,
    key: K,
) -> u32 {
    if let Some(&i) = index.get(&key) {
        return i;
    }
    let i = store.len() as u32;
    store.push(key.clone());
    index.insert(key, i);
    i
}

impl TableBuilder {
    pub fn path(&mut self, hops: &[Hop]) -> u32 {
        let ids: Vec<u32> = hops
            .iter()
            .map(|h| intern(&mut self.hops, &mut self.table.hops, h.clone()))
            .collect();
        intern(&mut self.paths, &mut self.table.paths, ids)
    }

    pub fn facts(&mut self, facts: Vec<String>) -> u32 {
        intern(&mut self.fact_sets, &mut self.table.fact_sets, facts)
    }

    pub fn answer(&mut self, answer: AnswerTemplate) -> u32 {
        intern(&mut self.answers, &mut self.table.answers, answer)
    }

    pub fn list(&mut self, list: Vec<ProbeAnswer>) -> u32 {
        intern(&mut self.lists, &mut self.table.lists, list)
    }

    /// A concrete cell kept as it is (a hand-built or deserialized matrix): an answer
    /// without tokens.
    pub fn literal(&mut self, cell: &Cell) -> u32 {
        let address = cell.address.as_ref().map(|a| AddressTemplate::Fixed {
            kind: a.kind,
            value: a.value.clone(),
            ip: a.ip,
            port: a.port,
        });
        let answer = AnswerTemplate {
            disposition: cell.disposition.clone(),
            address,
            name: cell.address.as_ref().and_then(|a| a.name.clone()),
            path: self.path(&cell.path),
            facts: self.facts(cell.facts.clone()),
        };
        self.answer(answer)
    }

    pub fn finish(self) -> AnswerTable {
        self.table
    }
}
