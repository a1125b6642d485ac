//! The matrix: every ordered (source, destination, probe), decided per pair of
//! endpoint classes in parallel (rayon) and instantiated per pair of nodes.
//!
//! [`pair`] answers one (source, destination, probe); [`instantiate`] turns an answer
//! with identity tokens into the cell of one concrete pair.

mod instantiate;
mod pair;

use crate::answer::Answer;
use crate::classes::{classify, Classes, Mode};
use crate::context::Context;
use crate::graph::TopologyGraph;
use crate::matrix::{Cell, Probe, StateMatrix};
use crate::nodes;
use hnsim_model::Design;
use instantiate::Ident;
use rayon::prelude::*;
use std::collections::HashMap;

/// The matrix of one resolved design, asking every destination `extra` probes besides
/// its own (`sim --probe tcp/443,udp/53`; none for the plain matrix).
pub(crate) fn state_matrix_probing(
    design: &Design,
    step: Option<usize>,
    label: &str,
    mode: Mode,
    extra: &[Probe],
) -> StateMatrix {
    let graph = TopologyGraph::new(design);
    let mut parties = nodes::build(&graph);
    if !extra.is_empty() {
        for list in &mut parties.probes {
            for p in extra {
                if !list.contains(p) {
                    list.push(*p);
                }
            }
            // ICMP first, then the ports in order, as `nodes` lists them.
            list.sort_by_key(|p| *p != Probe::Icmp);
            let rest = list
                .iter()
                .position(|p| *p != Probe::Icmp)
                .unwrap_or(list.len());
            list[rest..].sort();
        }
    }
    let ctx = Context::new(&graph, &parties);
    let cells = cells(&ctx, mode);
    StateMatrix {
        step,
        label: label.to_string(),
        nodes: parties.nodes.clone(),
        cells,
    }
}

type Answers = HashMap<(usize, usize), Vec<(Probe, Answer)>>;

/// The decisions alone: one answer per class pair and probe, before they are turned
/// into cells. Returns how many answers were computed (the benchmark times this).
pub(crate) fn decide_only(design: &Design, mode: Mode) -> usize {
    let graph = TopologyGraph::new(design);
    let parties = nodes::build(&graph);
    let ctx = Context::new(&graph, &parties);
    let classes = classify(&ctx, mode);
    decide(&ctx, &classes).values().map(Vec::len).sum()
}

fn decide(ctx: &Context, classes: &Classes) -> Answers {
    // One job per pair of classes that holds at least one pair of distinct nodes.
    let mut jobs: Vec<(usize, usize, usize, usize)> = Vec::new();
    for (ca, ma) in classes.members.iter().enumerate() {
        for (cb, mb) in classes.members.iter().enumerate() {
            let pick = if ca != cb {
                Some((ma[0], mb[0]))
            } else if ma.len() > 1 {
                Some((ma[0], ma[1]))
            } else {
                None
            };
            if let Some((s, t)) = pick {
                jobs.push((ca, cb, s, t));
            }
        }
    }
    jobs.par_iter()
        .map(|&(ca, cb, s, t)| {
            let list = ctx.parties.probes[t]
                .iter()
                .map(|&p| (p, pair::between(ctx, s, t, p)))
                .collect();
            ((ca, cb), list)
        })
        .collect()
}

fn cells(ctx: &Context, mode: Mode) -> Vec<Cell> {
    let classes = classify(ctx, mode);
    let count = ctx.parties.party.len();
    let answers = decide(ctx, &classes);
    // Dense class-pair table: one index per cell instead of hashing a key.
    let k = classes.members.len();
    let mut table: Vec<Option<&Vec<(Probe, Answer)>>> = vec![None; k * k];
    for ((ca, cb), list) in &answers {
        table[ca * k + cb] = Some(list);
    }
    let idents: Vec<Ident> = (0..count).map(|i| Ident::of(ctx, i)).collect();
    (0..count)
        .into_par_iter()
        .flat_map_iter(|s| {
            let mut out = Vec::new();
            for t in 0..count {
                if s == t {
                    continue;
                }
                let cell = |p: Probe, a: &Answer| {
                    instantiate::cell(ctx, &idents[s], &idents[t], s, t, p, a)
                };
                if pair::same_container(ctx, s, t) {
                    for &p in &ctx.parties.probes[t] {
                        out.push(cell(p, &pair::own_address(ctx, s, t, p)));
                    }
                } else if let Some(list) = table[classes.of[s] * k + classes.of[t]] {
                    out.extend(list.iter().map(|(p, a)| cell(*p, a)));
                }
            }
            out
        })
        .collect()
}

/// One cell decided on its own, for any probe (flows the matrix does not list).
pub(crate) fn single_cell(ctx: &Context, s: usize, t: usize, probe: Probe) -> Cell {
    let answer = if pair::same_container(ctx, s, t) {
        pair::own_address(ctx, s, t, probe)
    } else {
        pair::between(ctx, s, t, probe)
    };
    instantiate::cell(
        ctx,
        &Ident::of(ctx, s),
        &Ident::of(ctx, t),
        s,
        t,
        probe,
        &answer,
    )
}

/// How many matrix nodes a design has and how many classes they fall into.
pub(crate) fn class_count(design: &Design, mode: Mode) -> (usize, usize) {
    let graph = TopologyGraph::new(design);
    let parties = nodes::build(&graph);
    let ctx = Context::new(&graph, &parties);
    let c = classify(&ctx, mode);
    (parties.party.len(), c.members.len())
}

#[cfg(test)]
mod tests;
