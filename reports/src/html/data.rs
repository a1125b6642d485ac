//! The matrix as the HTML page embeds it: compact JSON the page's script draws and
//! explains. Kept by class, as the simulator keeps it: the answers once (hops, paths,
//! answers with tokens, per-probe lists), per state the nodes, classes and the list of
//! each class pair and of each node pair answered on its own. The script makes a cell's
//! path when it is asked for, so the page stays small however many nodes there are.
//! Strings are interned: the answers repeat them a lot.
//!
//! Layout (indices into `strings` are `s`, -1 is "none"):
//! - `hops[i] = [at s, mechanism s, detail s, facts s]` (at and detail may hold tokens);
//! - `paths[i] = [hop, …]`;
//! - `answers[i] = [outcome 0|1|2, reason s, why s, address, name s, path, facts s]`,
//!   `address = -1 | [kind text s, value s (-1: the destination's IP), port (-1: none)]`;
//! - `lists[i] = [[probe s, answer], …]`;
//! - per state: `nodes[i] = [id, kind, label, host, network, driver, ip, listens, name]`,
//!   `classes[c] = [node, …]`, `pairs = [[class, class, list], …]`,
//!   `own = [[node, node, list], …]`, `obs = [[node, node, probe s, observation, verdict s], …]`,
//!   `sym` the node grid's symbols (empty when drawn by class), `csym` the class grid's,
//!   `order` the classes in drawing order (by network), `before` what a step changed.

use crate::legend::{self, Grid, Symbol, MAX_NODES};
use crate::text::{self, serde_name};
use hnsim_sim::matrix::{AddressTemplate, Disposition, Report, StateMatrix};
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::HashMap;

#[derive(Default)]
struct Strings {
    list: Vec<String>,
    index: HashMap<String, i64>,
}

impl Strings {
    fn s(&mut self, s: &str) -> i64 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        self.list.push(s.to_string());
        let i = self.list.len() as i64 - 1;
        self.index.insert(s.to_string(), i);
        i
    }
}

pub(super) fn symbol_code(s: Symbol) -> char {
    match s {
        Symbol::SelfPair => 'd',
        Symbol::Empty => 'e',
        Symbol::All => 'a',
        Symbol::Some => 's',
        Symbol::None => 'n',
        Symbol::Unknown => 'u',
        Symbol::Disagree => 'x',
    }
}

#[derive(Serialize)]
struct Legend {
    code: char,
    symbol: char,
    key: &'static str,
    meaning: &'static str,
}

/// The answers of a state's table, each table written once; `offsets` says where a
/// table's lists start.
#[derive(Default)]
struct Answers {
    hops: Vec<Value>,
    paths: Vec<Value>,
    answers: Vec<Value>,
    lists: Vec<Value>,
    /// Tables already written (by address), and where their lists start.
    written: Vec<(*const hnsim_sim::matrix::AnswerTable, usize)>,
}

impl Answers {
    /// Where `state`'s lists start, writing its table first if it is new.
    fn of(&mut self, st: &mut Strings, state: &StateMatrix) -> usize {
        let t = state.table();
        let key = t as *const _;
        if let Some(&(_, at)) = self.written.iter().find(|(k, _)| *k == key) {
            return at;
        }
        let (hops, paths, answers, lists) = (
            self.hops.len(),
            self.paths.len(),
            self.answers.len(),
            self.lists.len(),
        );
        for h in &t.hops {
            self.hops.push(json!([
                st.s(&h.at),
                st.s(&serde_name(&h.mechanism)),
                st.s(&h.detail),
                st.s(&h.facts.join(", "))
            ]));
        }
        for p in &t.paths {
            self.paths.push(json!(p
                .iter()
                .map(|h| *h as usize + hops)
                .collect::<Vec<_>>()));
        }
        for a in &t.answers {
            let (code, reason, why) = match &a.disposition {
                Disposition::Delivered => (0, -1, -1),
                Disposition::Denied { reason, why } => (1, st.s(&reason.to_string()), st.s(why)),
                Disposition::Unknown { why } => (2, -1, st.s(why)),
            };
            let address = match &a.address {
                None => json!(-1),
                Some(AddressTemplate::ContainerIp { port }) => json!([
                    st.s(text::address_kind(hnsim_sim::AddressKind::ContainerIp)),
                    -1,
                    port.map_or(-1, i64::from)
                ]),
                Some(AddressTemplate::Fixed { kind, value, .. }) => {
                    json!([st.s(text::address_kind(*kind)), st.s(value), -1])
                }
            };
            let name = a.name.as_deref().map_or(-1, |n| st.s(n));
            self.answers.push(json!([
                code,
                reason,
                why,
                address,
                name,
                a.path as usize + paths,
                st.s(&t.facts(a.facts).join(", "))
            ]));
        }
        for l in &t.lists {
            let items: Vec<Value> = l
                .iter()
                .map(|(p, id)| json!([st.s(&p.to_string()), *id as usize + answers]))
                .collect();
            self.lists.push(Value::Array(items));
        }
        self.written.push((key, lists));
        lists
    }
}

pub(super) fn data(report: &Report) -> Value {
    let mut st = Strings::default();
    let mut answers = Answers::default();
    let mut observations = Vec::new();
    let mut states = Vec::new();
    let full = legend::shown_in_full(report);
    let mut prev: Option<Grid> = None;
    for (i, state) in report.states.iter().enumerate() {
        let Some(grid) = Grid::for_report(report, i) else {
            continue;
        };
        states.push(match &prev {
            Some(p) if !full[i] => changes_json(i, (p, &grid)),
            _ => {
                let lists = answers.of(&mut st, state);
                state_json(&mut st, &grid, prev.as_ref(), lists, &mut observations)
            }
        });
        prev = Some(grid);
    }
    let legend: Vec<Legend> = Symbol::LEGEND
        .iter()
        .chain([Symbol::SelfPair].iter())
        .map(|s| Legend {
            code: symbol_code(*s),
            symbol: s.char(),
            key: s.key(),
            meaning: s.meaning(),
        })
        .collect();
    json!({
        "scenario": report.scenario.name,
        "states": states,
        "final": report.states.len().saturating_sub(1),
        "conformanceState": report.conformance.as_ref().map(|c| c.state),
        "conformanceStates": report.conformances().map(|c| c.state).collect::<Vec<_>>(),
        "strings": st.list,
        "hops": answers.hops,
        "paths": answers.paths,
        "answers": answers.answers,
        "lists": answers.lists,
        "observations": observations,
        "legend": legend,
        "facts": super::fact_texts(),
        "maxNodes": MAX_NODES,
    })
}

fn state_json(
    st: &mut Strings,
    grid: &Grid,
    prev: Option<&Grid>,
    lists: usize,
    observations: &mut Vec<Value>,
) -> Value {
    let state = grid.state;
    let nodes: Vec<Value> = state
        .nodes
        .iter()
        .map(|n| {
            json!([
                n.id,
                serde_name(&n.kind),
                n.label,
                n.host.clone().unwrap_or_default(),
                n.network.clone().unwrap_or_default(),
                n.driver.clone().unwrap_or_default(),
                n.ip.map(|ip| ip.to_string()).unwrap_or_default(),
                n.listens
                    .iter()
                    .map(|p| p.to_string())
                    .collect::<Vec<_>>()
                    .join(" "),
                n.container.as_deref().unwrap_or(&n.label)
            ])
        })
        .collect();
    let classes: Vec<&[u32]> = state
        .classes()
        .iter()
        .map(|c| c.members.as_slice())
        .collect();
    let pairs: Vec<[usize; 3]> = state
        .class_pairs()
        .map(|(a, b, l)| [a, b, l as usize + lists])
        .collect();
    let own: Vec<[usize; 3]> = state
        .own_pairs()
        .iter()
        .map(|p| [p.from as usize, p.to as usize, p.list as usize + lists])
        .collect();
    // Observations and verdicts per cell: (from, to, probe) -> (observation, verdict).
    let mut probed: std::collections::BTreeMap<(usize, usize, String), (i64, i64)> =
        Default::default();
    for ((s, t, p), o) in state.observations() {
        observations.push(json!({
            "text": text::observation(o),
            "repro": o.repro,
            "attempts": o.attempts,
        }));
        probed.insert((s, t, p.to_string()), (observations.len() as i64 - 1, -1));
    }
    for v in grid.verdicts() {
        let (Some(s), Some(t)) = (state.node_index(&v.from), state.node_index(&v.to)) else {
            continue;
        };
        let entry = probed
            .entry((s, t, v.probe.to_string()))
            .or_insert((-1, -1));
        entry.1 = st.s(legend::verdict_text(&v.verdict));
    }
    let obs: Vec<Value> = probed
        .into_iter()
        .map(|((s, t, p), (o, v))| json!([s, t, st.s(&p), o, v]))
        .collect();
    let (n, k) = (grid.n, classes.len());
    let mut sym = String::new();
    let mut before = String::new();
    if !grid.by_class() {
        sym.reserve(n * n);
        for r in 0..n {
            for c in 0..n {
                sym.push(symbol_code(grid.symbol(r, c)));
            }
        }
        before = changed(grid, prev);
    }
    let mut csym = String::with_capacity(k * k);
    for a in 0..k {
        for b in 0..k {
            csym.push(symbol_code(grid.class_symbol(a, b)));
        }
    }
    // Classes in drawing order: grouped by network, then as the state lists them.
    let mut order: Vec<usize> = (0..k).collect();
    let network = |c: usize| {
        classes[c]
            .first()
            .and_then(|&m| state.nodes[m as usize].network.clone())
    };
    order.sort_by_key(|&c| (network(c).is_none(), network(c), c));
    let summary = state.summary();
    json!({
        "label": state.label,
        "step": state.step,
        "nodes": nodes,
        "classes": classes,
        "pairs": pairs,
        "own": own,
        "obs": obs,
        "sym": sym,
        "csym": csym,
        "order": order,
        "before": before,
        "total": summary.delivered + summary.denied + summary.unknown,
        "summary": [summary.delivered, summary.denied, summary.unknown],
        "reasons": legend::deny_reasons(state),
    })
}

/// A state of a long timeline shown as what its step changed (see
/// [`legend::shown_in_full`]): no matrix, the changed pairs as lines of text.
fn changes_json(index: usize, (prev, cur): (&Grid, &Grid)) -> Value {
    let state = cur.state;
    let changes: Vec<String> = legend::changes(prev, cur)
        .iter()
        .map(|ch| {
            format!(
                "{} → {}: {} → {}{}",
                ch.from,
                ch.to,
                ch.before.shown(),
                ch.after.shown(),
                ch.alike()
            )
        })
        .collect();
    let summary = state.summary();
    json!({
        "label": state.label,
        "step": state.step,
        "nodes": [],
        "classes": [],
        "pairs": [],
        "own": [],
        "obs": [],
        "sym": "",
        "csym": "",
        "order": [],
        "before": "",
        "total": summary.delivered + summary.denied + summary.unknown,
        "summary": [summary.delivered, summary.denied, summary.unknown],
        "reasons": legend::deny_reasons(state),
        "hint": legend::state_hint(index),
        "changes": changes,
    })
}

/// Before-symbols of the pairs a timeline step changed ('.' where unchanged); empty
/// when nothing did.
fn changed(cur: &Grid, prev: Option<&Grid>) -> String {
    let Some(prev) = prev else {
        return String::new();
    };
    let changed: HashMap<(&str, &str), Symbol> = legend::changes(prev, cur)
        .into_iter()
        .map(|c| ((c.from, c.to), c.before))
        .collect();
    if changed.is_empty() {
        return String::new();
    }
    let nodes = &cur.state.nodes;
    let mut out = String::with_capacity(cur.n * cur.n);
    for r in 0..cur.n {
        for c in 0..cur.n {
            let key = (nodes[r].id.as_str(), nodes[c].id.as_str());
            out.push(changed.get(&key).map_or('.', |s| symbol_code(*s)));
        }
    }
    out
}
