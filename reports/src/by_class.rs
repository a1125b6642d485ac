//! A matrix too large to read node by node, told by class: one line per class of
//! nodes the simulator could not tell apart, one per pair of classes, each saying how
//! many node pairs and cells it stands for. Terminal and Markdown share these lines.

use crate::legend::{pairs_text, Grid, Symbol};
use crate::text::thousands as count_text;
use hnsim_sim::matrix::{NodeKind, StateMatrix};
use std::borrow::Cow;

/// One class as the views list it.
pub struct ClassLine {
    /// `web.1@ingress +4,999 more`
    pub name: String,
    /// `5,000 endpoints · host n1 · network swarm/ingress (overlay)`
    pub about: String,
}

/// The classes of a state, in class order.
pub fn classes(state: &StateMatrix) -> Vec<ClassLine> {
    state
        .classes()
        .iter()
        .map(|class| {
            // Read field by field: a class can have a million members, none of which
            // is made whole (or copied) here.
            let nodes = &state.nodes;
            let members = &class.members;
            let first = members.first().map(|&i| i as usize);
            let id = first.map(|i| nodes.id(i));
            let first_id = id.as_deref().unwrap_or("?");
            let more = members.len().saturating_sub(1);
            let name = if more == 0 {
                first_id.to_string()
            } else {
                format!("{first_id} +{} more", count_text(more))
            };
            let kind = match first.map(|i| nodes.kind(i)) {
                Some(NodeKind::Endpoint) => "endpoint",
                Some(NodeKind::Host) => "host",
                Some(NodeKind::Client) => "client",
                _ => "node",
            };
            let mut about = vec![format!(
                "{} {kind}{}",
                count_text(members.len()),
                if members.len() == 1 { "" } else { "s" }
            )];
            if let Some(h) = common(members, |i| nodes.host(i)).filter(|_| kind == "endpoint") {
                about.push(format!("host {h}"));
            }
            if let Some(net) = common(members, |i| nodes.network(i)) {
                let driver = common(members, |i| nodes.driver(i))
                    .map(|d| format!(" ({d})"))
                    .unwrap_or_default();
                about.push(format!("network {net}{driver}"));
            }
            ClassLine {
                name,
                about: about.join(" · "),
            }
        })
        .collect()
}

/// What every member has alike, if anything.
fn common<'s>(members: &[u32], f: impl Fn(usize) -> Option<Cow<'s, str>>) -> Option<Cow<'s, str>> {
    let first = f(*members.first()? as usize)?;
    members
        .iter()
        // Members alike borrow one text: the pointer answers before the bytes do.
        .all(|&i| f(i as usize).is_some_and(|t| std::ptr::eq(&*t, &*first) || *t == *first))
        .then_some(first)
}

/// One pair of classes: what every node pair of it shows.
pub struct ClassPairLine {
    pub from: usize,
    pub to: usize,
    pub symbol: Symbol,
    /// Node pairs it stands for, and their cells (one per probe).
    pub pairs: usize,
    pub cells: usize,
    /// The first node pair of the two classes, whose cells the line shows.
    pub example: (usize, usize),
}

impl ClassPairLine {
    /// `5,000 × 4,999 pairs, 49,990,000 cells`
    pub fn stands_for(&self) -> String {
        let cells = if self.cells == 1 { "cell" } else { "cells" };
        format!(
            "{}, {} {cells}",
            pairs_text(self.pairs),
            count_text(self.cells)
        )
    }
}

/// Every class pair with cells: mixed and undecided first (they need their probes
/// read), then the rest, each in class order.
pub fn class_pairs(grid: &Grid) -> Vec<ClassPairLine> {
    let state = grid.state;
    let size = |c: usize| state.classes()[c].members.len();
    let mut out: Vec<ClassPairLine> = state
        .class_pairs()
        .filter_map(|(a, b, list)| {
            let pairs = size(a) * size(b) - if a == b { size(a) } else { 0 };
            let example = example(state, a, b)?;
            Some(ClassPairLine {
                from: a,
                to: b,
                symbol: grid.list_counts(list).symbol(),
                pairs,
                cells: pairs * state.table().list(list).len(),
                example,
            })
        })
        .collect();
    out.sort_by_key(|l| {
        let rank = match l.symbol {
            Symbol::Disagree => 0,
            Symbol::Unknown => 1,
            Symbol::Some => 2,
            _ => 3,
        };
        (rank, l.from, l.to)
    });
    out
}

/// The first (source in `a`, destination in `b`) whose answers are the class pair's.
fn example(state: &StateMatrix, a: usize, b: usize) -> Option<(usize, usize)> {
    let list = state.class_pair(a, b)?;
    let classes = state.classes();
    for &s in &classes[a].members {
        for &t in classes[b].members.iter().take(64) {
            let (s, t) = (s as usize, t as usize);
            if state.pair_list(s, t) == Some(list) {
                return Some((s, t));
            }
        }
    }
    None
}
