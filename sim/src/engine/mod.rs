//! The matrix of every state of a design, kept by class: one list of per-probe answers
//! per pair of endpoint classes, decided in parallel (rayon), plus the node pairs that
//! differ from their classes' (two endpoints of one container). No cell is made here:
//! [`crate::matrix::StateMatrix`] makes one when it is asked for.
//!
//! Along a timeline, a state whose fabric (segments, hosts, networks, clients, services,
//! bound NICs) equals the previous state's keeps the lists of every class pair whose
//! classes it still has: a step that stops one container decides only the pairs of the
//! classes it changed. [`pair`] answers one (source, destination, probe).

mod pair;
#[cfg(test)]
mod tests;

use crate::answer::{Answer, Outcome};
use crate::classes::{classify, ClassKey, Classes, Mode};
use crate::context::Context;
use crate::graph::TopologyGraph;
use crate::matrix::{
    AnswerTemplate, ByClass, Cell, Class, Disposition, PairAnswers, Probe, ProbeAnswer,
    StateMatrix, TableBuilder, Topology,
};
use crate::nodes::{self, Parties};
use hnsim_model::{Analysis, Design};
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::Arc;

/// The matrices of every state of an analysis, sharing one answer table, and the
/// final state's topology (drawn from the nodes already built); every destination is
/// also asked the `extra` probes (`sim --probe tcp/443,udp/53`).
pub(crate) fn states(
    analysis: &Analysis,
    mode: Mode,
    extra: &[Probe],
    (draw, max_class_pairs): (bool, u64),
) -> Result<(Vec<StateMatrix>, Topology), TooManyClassPairs> {
    let mut sim = Simulation::new(mode, extra);
    let mut topology = Topology::default();
    let last = analysis.states.len().saturating_sub(1);
    let mut class_pairs: u64 = 0;
    let mut parts: Vec<ByClass> = Vec::with_capacity(analysis.states.len());
    for (i, s) in analysis.states.iter().enumerate() {
        let budget = max_class_pairs.saturating_sub(class_pairs);
        let (part, top) = sim
            .state(&s.design, (s.step, &s.label), draw && i == last, budget)
            .map_err(|more| TooManyClassPairs {
                states: i + 1,
                class_pairs: class_pairs.saturating_add(more),
                limit: max_class_pairs,
            })?;
        let k = part.classes.len() as u64;
        class_pairs = class_pairs.saturating_add(k * k);
        topology = top.unwrap_or(std::mem::take(&mut topology));
        parts.push(part);
    }
    let table = Arc::new(sim.builder.finish());
    let states = parts
        .into_iter()
        .map(|b| StateMatrix::by_class(b, table.clone()))
        .collect();
    Ok((states, topology))
}

/// A design whose states hold more pairs of endpoint classes than the caller allows:
/// the matrix is decided, kept and written per class pair, so this is what bounds the
/// work of a design whose endpoints all differ. Found before the state that crosses
/// the limit is decided.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the first {states} states hold {class_pairs} pairs of endpoint classes, more than the limit of {limit}")]
pub struct TooManyClassPairs {
    /// States classified, the one that crossed the limit included.
    pub states: usize,
    pub class_pairs: u64,
    pub limit: u64,
}

/// One pair's answer per probe of its destination, before it is stored.
type Answers = Vec<(Probe, Answer)>;

/// Class pairs decided in parallel before their answers are stored: large enough to
/// keep both cores busy, small enough that the answers waiting (a few KB each: paths,
/// texts, facts) stay a few MB.
const DECIDE_CHUNK: usize = 4096;

/// How many class pairs each state of `analysis` decided (the others came from the
/// previous state's answers).
#[cfg(test)]
pub(crate) fn decided_per_state(analysis: &Analysis) -> Vec<usize> {
    let mut sim = Simulation::new(Mode::Classes, &[]);
    for s in &analysis.states {
        let _ = sim.state(&s.design, (s.step, &s.label), false, u64::MAX);
    }
    sim.decided
}

/// The matrix of one design alone (a state without a timeline around it).
#[cfg(test)]
pub(crate) fn state_matrix(
    design: &Design,
    (step, label): (Option<usize>, &str),
    mode: Mode,
    extra: &[Probe],
) -> StateMatrix {
    let mut sim = Simulation::new(mode, extra);
    let (part, _) = sim
        .state(design, (step, label), false, u64::MAX)
        .expect("no limit");
    StateMatrix::by_class(part, Arc::new(sim.builder.finish()))
}

/// What a design's answers depend on besides the classes of the two ends.
#[derive(PartialEq)]
struct Fabric {
    segments: Vec<hnsim_model::Segment>,
    hosts: Vec<hnsim_model::Host>,
    networks: Vec<hnsim_model::Network>,
    clients: Vec<hnsim_model::Client>,
    services: Vec<hnsim_model::Service>,
    bound_nics: Vec<(usize, String)>,
    invalid: Vec<hnsim_model::Invalid>,
}

impl Fabric {
    fn of(ctx: &Context) -> Fabric {
        let s = &ctx.design.scenario;
        Fabric {
            segments: s.segments.clone(),
            hosts: s.hosts.clone(),
            networks: s.networks.clone(),
            clients: s.clients.clone(),
            services: s.services.clone(),
            bound_nics: ctx.bound_nics(),
            invalid: ctx.design.invalid.clone(),
        }
    }
}

/// Decisions already made, valid while the fabric stays the same.
#[derive(Default)]
struct Memo {
    fabric: Option<Fabric>,
    keys: HashMap<ClassKey, u32>,
    /// (source-role key, destination key) -> list, for pairs of different containers.
    between: HashMap<(u32, u32), u32>,
    /// The same, for two endpoints of one container.
    own: HashMap<(u32, u32), u32>,
}

struct Simulation<'e> {
    mode: Mode,
    extra: &'e [Probe],
    builder: TableBuilder,
    memo: Memo,
    /// Class pairs decided (not found in the memo), per state.
    decided: Vec<usize>,
}

impl<'e> Simulation<'e> {
    fn new(mode: Mode, extra: &'e [Probe]) -> Simulation<'e> {
        Simulation {
            mode,
            extra,
            builder: TableBuilder::default(),
            memo: Memo::default(),
            decided: Vec::new(),
        }
    }

    /// One state's matrix by class, and with `draw` its topology; `Err(class pairs)`
    /// before deciding anything when its class pairs are more than `budget`.
    fn state(
        &mut self,
        design: &Design,
        (step, label): (Option<usize>, &str),
        draw: bool,
        budget: u64,
    ) -> Result<(ByClass, Option<Topology>), u64> {
        let graph = TopologyGraph::new(design);
        let mut parties = nodes::build(&graph);
        ask_also(&mut parties, self.extra);
        let ctx = Context::new(&graph, &parties);
        let classes = classify(&ctx, self.mode);
        let k = classes.members.len() as u64;
        if k.saturating_mul(k) > budget {
            return Err(k.saturating_mul(k));
        }
        let fabric = Fabric::of(&ctx);
        // Node indices mean nothing across states: only class keys carry over, and
        // only while the fabric is the same.
        if self.mode != Mode::Classes || self.memo.fabric.as_ref() != Some(&fabric) {
            self.memo = Memo {
                fabric: Some(fabric),
                ..Memo::default()
            };
        }
        let ids: Vec<u32> = classes.keys.iter().map(|k| self.key_id(k)).collect();
        let pairs = self.class_pairs(&ctx, &classes, &ids);
        let own = self.own_pairs(&ctx, &classes, &ids);
        let topology = draw.then(|| graph.topology_of(&parties));
        let part = ByClass {
            step,
            label: label.to_string(),
            nodes: parties.nodes,
            classes: classes
                .members
                .into_iter()
                .map(|members| Class { members })
                .collect(),
            pairs,
            own,
        };
        Ok((part, topology))
    }

    fn key_id(&mut self, key: &ClassKey) -> u32 {
        let next = self.memo.keys.len() as u32;
        *self.memo.keys.entry(key.clone()).or_insert(next)
    }

    /// The list of every class pair that holds a pair of nodes of different
    /// containers. A list is decided once per (source role, destination class): the
    /// answers do not depend on what only a destination is asked about the source
    /// ([`ClassKey::as_source`]), so class pairs that differ only there share it. Lists
    /// come from the memo or are decided now, in parallel, a chunk at a time: a chunk's
    /// answers (paths, texts) are stored in the table before the next is decided, so
    /// memory holds the table, not every answer at once.
    fn class_pairs(
        &mut self,
        ctx: &Context,
        classes: &Classes,
        ids: &[u32],
    ) -> Vec<(u32, u32, u32)> {
        let senders: Vec<u32> = classes
            .keys
            .iter()
            .map(|key| self.key_id(&key.as_source()))
            .collect();
        // Class pairs with a pair of nodes to answer, and the (source role,
        // destination) each is decided by.
        let mut wanted: Vec<(u32, u32, (u32, u32))> = Vec::new();
        let mut todo: Vec<((u32, u32), (usize, usize))> = Vec::new();
        let mut asked: foldhash::HashSet<(u32, u32)> = Default::default();
        for (a, &sender) in senders.iter().enumerate() {
            for (b, &receiver) in ids.iter().enumerate() {
                let Some(rep) = representative(ctx, &classes.members[a], &classes.members[b])
                else {
                    continue;
                };
                let key = (sender, receiver);
                if !self.memo.between.contains_key(&key) && asked.insert(key) {
                    todo.push((key, rep));
                }
                wanted.push((a as u32, b as u32, key));
            }
        }
        self.decided.push(todo.len());
        for chunk in todo.chunks(DECIDE_CHUNK) {
            let decided: Vec<Answers> = chunk
                .par_iter()
                .map(|&(_, (s, t))| decide(ctx, s, t, pair::between))
                .collect();
            for (&(key, _), answers) in chunk.iter().zip(decided) {
                let list = self.list(answers);
                self.memo.between.insert(key, list);
            }
        }
        wanted
            .into_iter()
            .map(|(a, b, key)| (a, b, self.memo.between[&key]))
            .collect()
    }

    /// Every ordered pair of two endpoints of one container, answered on its own.
    fn own_pairs(&mut self, ctx: &Context, classes: &Classes, ids: &[u32]) -> Vec<PairAnswers> {
        let pairs = same_container_pairs(ctx.parties);
        let mut todo: Vec<(u32, u32, usize, usize)> = Vec::new();
        for &(s, t) in &pairs {
            let key = (ids[classes.of[s] as usize], ids[classes.of[t] as usize]);
            if !self.memo.own.contains_key(&key) && !todo.iter().any(|x| (x.0, x.1) == key) {
                todo.push((key.0, key.1, s, t));
            }
        }
        let decided: Vec<((u32, u32), Answers)> = todo
            .par_iter()
            .map(|&(ka, kb, s, t)| ((ka, kb), decide(ctx, s, t, pair::own_address)))
            .collect();
        for (key, answers) in decided {
            let list = self.list(answers);
            self.memo.own.insert(key, list);
        }
        pairs
            .into_iter()
            .map(|(s, t)| PairAnswers {
                from: s as u32,
                to: t as u32,
                list: self.memo.own[&(ids[classes.of[s] as usize], ids[classes.of[t] as usize])],
            })
            .collect()
    }

    /// Stores a pair's per-probe answers in the table.
    fn list(&mut self, answers: Answers) -> u32 {
        let list: Vec<ProbeAnswer> = answers
            .into_iter()
            .map(|(p, a)| (p, template(&mut self.builder, a)))
            .collect();
        self.builder.list(list)
    }
}

/// Every destination is asked `extra` too: ICMP first, then the ports in order, as
/// [`nodes`] lists them.
fn ask_also(parties: &mut Parties, extra: &[Probe]) {
    if extra.is_empty() {
        return;
    }
    // Destinations asked alike share one list (a service's replicas): so do the lists
    // made from them.
    type Shared = Arc<[Probe]>;
    let mut last: Option<(Shared, Shared)> = None;
    for shared in &mut parties.probes {
        if let Some((was, now)) = &last {
            if Arc::ptr_eq(was, shared) {
                *shared = now.clone();
                continue;
            }
        }
        let mut list = shared.to_vec();
        for p in extra {
            if !list.contains(p) {
                list.push(*p);
            }
        }
        list.sort_by_key(|p| *p != Probe::Icmp);
        let rest = list
            .iter()
            .position(|p| *p != Probe::Icmp)
            .unwrap_or(list.len());
        list[rest..].sort();
        let now: Shared = list.into();
        last = Some((std::mem::replace(shared, now.clone()), now));
    }
}

/// Answers nodes `s` to `t` for every probe of `t`.
fn decide(
    ctx: &Context,
    s: usize,
    t: usize,
    rule: fn(&Context, usize, usize, Probe) -> Answer,
) -> Answers {
    ctx.parties.probes[t]
        .iter()
        .map(|&p| (p, rule(ctx, s, t, p)))
        .collect()
}

/// A pair (source in `a`, destination in `b`) of distinct nodes of different
/// containers, to decide the class pair with; `None` when there is none.
fn representative(ctx: &Context, a: &[u32], b: &[u32]) -> Option<(usize, usize)> {
    for s in a.iter().map(|&s| s as usize) {
        // Of any `own + 2` members of `b`, one is neither `s` nor in `s`'s container.
        let own = match ctx.parties.party[s] {
            crate::nodes::Party::Endpoint(k) => ctx
                .parties
                .nodes_of_container(ctx.parties.endpoints[k].container)
                .count(),
            _ => 0,
        };
        if let Some(t) = b
            .iter()
            .map(|&t| t as usize)
            .take(own + 2)
            .find(|&t| t != s && !pair::same_container(ctx, s, t))
        {
            return Some((s, t));
        }
    }
    None
}

/// (s, t) for every two distinct endpoints of one container.
fn same_container_pairs(parties: &Parties) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for nodes in parties.multi_homed() {
        for s in nodes.clone() {
            for t in nodes.clone() {
                if s != t {
                    out.push((s, t));
                }
            }
        }
    }
    out.sort_unstable();
    out
}

/// An answer as stored: its path, facts and texts with tokens.
fn template(builder: &mut TableBuilder, a: Answer) -> u32 {
    let mut facts: Vec<String> = Vec::new();
    let mut union = |more: &[String]| {
        for f in more {
            if !facts.contains(f) {
                facts.push(f.clone());
            }
        }
    };
    for h in &a.hops {
        union(&h.facts);
    }
    let disposition = match a.outcome {
        Outcome::Delivered => Disposition::Delivered,
        Outcome::Denied(d) => {
            union(&d.facts);
            Disposition::Denied {
                reason: d.reason,
                why: d.why,
            }
        }
        Outcome::Unknown { why, facts: f, .. } => {
            union(&f);
            Disposition::Unknown { why }
        }
    };
    let answer = AnswerTemplate {
        disposition,
        address: a.address,
        name: a.name,
        path: builder.path(&a.hops),
        facts: builder.facts(facts),
    };
    builder.answer(answer)
}

/// One cell decided on its own, for any probe (`trace`, flows the matrix does not
/// list): nothing else of the design is decided.
pub(crate) fn single_cell(ctx: &Context, s: usize, t: usize, probe: Probe) -> Cell {
    let mut builder = TableBuilder::default();
    let id = template(&mut builder, pair::answer(ctx, s, t, probe));
    let nodes = &ctx.parties.nodes;
    let (from, to) = (nodes.get(s), nodes.get(t));
    let (from, to) = (from.expect("node in range"), to.expect("node in range"));
    builder.finish().cell(id, &from, &to, probe)
}

/// Every-pair evaluation of the given node pairs (in parallel), as the reference the
/// class engine is measured against: each pair decided on its own for every probe of
/// its destination. Returns how many answers were decided.
pub(crate) fn decide_pairs(design: &Design, pairs: &[(usize, usize)]) -> usize {
    let graph = TopologyGraph::new(design);
    let parties = nodes::build(&graph);
    let ctx = Context::new(&graph, &parties);
    let n = parties.party.len();
    pairs
        .par_iter()
        .filter(|&&(s, t)| s < n && t < n && s != t)
        .map(|&(s, t)| decide(&ctx, s, t, pair::answer).len())
        .sum()
}

/// How many matrix nodes a design has and how many classes they fall into.
pub(crate) fn class_count(design: &Design, mode: Mode) -> (usize, usize) {
    let graph = TopologyGraph::new(design);
    let parties = nodes::build(&graph);
    let ctx = Context::new(&graph, &parties);
    let c = classify(&ctx, mode);
    (parties.party.len(), c.members.len())
}

/// The decisions alone, without a table: one answer per class pair and probe. Returns
/// how many answers were decided (the benchmark times this).
pub(crate) fn decide_only(design: &Design, mode: Mode) -> usize {
    let graph = TopologyGraph::new(design);
    let parties = nodes::build(&graph);
    let ctx = Context::new(&graph, &parties);
    let classes = classify(&ctx, mode);
    let k = classes.members.len();
    (0..k * k)
        .into_par_iter()
        .map(|i| {
            representative(&ctx, &classes.members[i / k], &classes.members[i % k])
                .map_or(0, |(s, t)| decide(&ctx, s, t, pair::between).len())
        })
        .sum()
}
