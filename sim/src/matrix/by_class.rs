//! The report by class (JSON schema version 2): the answers stored once (hops, paths,
//! fact sets, answers with tokens, per-probe lists), and per state the nodes, their
//! classes, the list of each class pair and of each node pair answered on its own. A
//! reader makes any cell from these: the pair's list gives one answer per probe, whose
//! tokens are the two nodes' own address and name (see [`super::template`]).
//!
//! Version 1 is the derived serde of [`Report`]: every cell written out.

use super::state::{ByClass, Class, PairAnswers};
use super::template::{AnswerTable, ProbeAnswer};
use super::{
    Cell, Conformance, Node, Observation, Probe, Report, ScenarioInfo, StateMatrix, Topology,
};
use hnsim_model::Finding;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;
use std::borrow::Cow;
use std::sync::Arc;

/// The schema version of [`ReportByClass`].
pub const BY_CLASS_SCHEMA_VERSION: u32 = 2;

/// A report as schema version 2 writes it. Built from a [`Report`] without copying its
/// cells (there are none to copy): serializing it streams.
#[skip_serializing_none]
#[derive(Serialize)]
pub struct ReportByClass<'a> {
    pub schema_version: u32,
    pub scenario: &'a ScenarioInfo,
    pub findings: &'a [Finding],
    pub topology: &'a Topology,
    #[serde(flatten)]
    pub table: Cow<'a, AnswerTable>,
    pub states: Vec<StateByClass<'a>>,
    pub conformance: Option<&'a Conformance>,
    #[serde(skip_serializing_if = "<[Conformance]>::is_empty")]
    pub earlier_conformance: &'a [Conformance],
}

/// One state of a [`ReportByClass`].
#[derive(Serialize)]
pub struct StateByClass<'a> {
    pub step: Option<usize>,
    pub label: &'a str,
    pub nodes: &'a [Node],
    /// The members (node indices) of each class.
    pub classes: Vec<&'a [u32]>,
    /// `[from class, to class, list]`: every pair of a node of the first class with a
    /// node of the second (other than `pairs`) is answered by the list.
    pub class_pairs: Vec<[u32; 3]>,
    /// `[from node, to node, list]`: node pairs answered on their own.
    pub pairs: Vec<[u32; 3]>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub observations: Vec<(u32, u32, Probe, &'a Observation)>,
    /// Cells naming a node the state does not list, as they were given.
    #[serde(skip_serializing_if = "<[Cell]>::is_empty")]
    pub stray_cells: &'a [Cell],
}

impl<'a> ReportByClass<'a> {
    pub fn new(report: &'a Report) -> ReportByClass<'a> {
        // The states of a simulated report share one table; matrices built apart
        // (observed, hand-built) have one each, written one after the other.
        let mut tables: Vec<&'a Arc<AnswerTable>> = Vec::new();
        for s in &report.states {
            if !tables.iter().any(|t| Arc::ptr_eq(t, s.table_arc())) {
                tables.push(s.table_arc());
            }
        }
        let (table, offsets) = match tables.as_slice() {
            [one] => (Cow::Borrowed(&***one), vec![0]),
            _ => {
                let (t, o) = merge(&tables);
                (Cow::Owned(t), o)
            }
        };
        let states = report
            .states
            .iter()
            .map(|s| {
                let at = tables
                    .iter()
                    .position(|t| Arc::ptr_eq(t, s.table_arc()))
                    .unwrap_or(0);
                StateByClass::new(s, offsets[at])
            })
            .collect();
        ReportByClass {
            schema_version: BY_CLASS_SCHEMA_VERSION,
            scenario: &report.scenario,
            findings: &report.findings,
            topology: &report.topology,
            table,
            states,
            conformance: report.conformance.as_ref(),
            earlier_conformance: &report.earlier_conformance,
        }
    }
}

impl<'a> StateByClass<'a> {
    fn new(s: &'a StateMatrix, lists: u32) -> StateByClass<'a> {
        StateByClass {
            step: s.step,
            label: &s.label,
            nodes: &s.nodes,
            classes: s.classes().iter().map(|c| c.members.as_slice()).collect(),
            class_pairs: s
                .class_pairs()
                .map(|(a, b, l)| [a as u32, b as u32, l + lists])
                .collect(),
            pairs: s
                .own_pairs()
                .iter()
                .map(|p| [p.from, p.to, p.list + lists])
                .collect(),
            observations: s
                .observations()
                .map(|((f, t, p), o)| (f as u32, t as u32, p, o))
                .collect(),
            stray_cells: s.stray_cells(),
        }
    }
}

/// The tables one after the other, every index shifted; returns where each table's
/// lists start.
fn merge(tables: &[&Arc<AnswerTable>]) -> (AnswerTable, Vec<u32>) {
    let mut out = AnswerTable::default();
    let mut offsets = Vec::new();
    for t in tables {
        let len = |n: usize| n as u32;
        let (hops, paths, facts, answers) = (
            len(out.hops.len()),
            len(out.paths.len()),
            len(out.fact_sets.len()),
            len(out.answers.len()),
        );
        offsets.push(len(out.lists.len()));
        out.hops.extend(t.hops.iter().cloned());
        out.paths
            .extend(t.paths.iter().map(|p| p.iter().map(|h| h + hops).collect()));
        out.fact_sets.extend(t.fact_sets.iter().cloned());
        out.answers.extend(t.answers.iter().map(|a| {
            let mut a = a.clone();
            a.path += paths;
            a.facts += facts;
            a
        }));
        out.lists.extend(
            t.lists
                .iter()
                .map(|l| l.iter().map(|&(p, id)| (p, id + answers)).collect()),
        );
    }
    (out, offsets)
}

#[derive(Deserialize)]
struct ReportIn {
    scenario: ScenarioInfo,
    findings: Vec<Finding>,
    topology: Topology,
    #[serde(flatten)]
    table: AnswerTable,
    states: Vec<StateIn>,
    #[serde(default)]
    conformance: Option<Conformance>,
    #[serde(default)]
    earlier_conformance: Vec<Conformance>,
}

#[derive(Deserialize)]
struct StateIn {
    step: Option<usize>,
    label: String,
    nodes: Vec<Node>,
    classes: Vec<Vec<u32>>,
    class_pairs: Vec<[u32; 3]>,
    #[serde(default)]
    pairs: Vec<[u32; 3]>,
    #[serde(default)]
    observations: Vec<(u32, u32, Probe, Observation)>,
    #[serde(default)]
    stray_cells: Vec<Cell>,
}

/// Why a report could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("not a JSON report: {0}")]
    Json(#[from] serde_json::Error),
    #[error("schema version {0} is not one this hnsim reads (1 or 2)")]
    Version(u64),
    #[error("the report refers to something it does not contain: {0}")]
    Dangling(String),
}

impl Report {
    /// Reads a report written by `hnsim sim --format json`, schema version 1 (cell by
    /// cell) or 2 (by class).
    pub fn from_json(text: &str) -> Result<Report, ReadError> {
        #[derive(Deserialize)]
        struct Version {
            schema_version: u64,
        }
        match serde_json::from_str::<Version>(text)?.schema_version {
            1 => Ok(serde_json::from_str(text)?),
            2 => from_by_class(serde_json::from_str(text)?),
            v => Err(ReadError::Version(v)),
        }
    }
}

fn from_by_class(r: ReportIn) -> Result<Report, ReadError> {
    check_table(&r.table)?;
    let lists = r.table.lists.len() as u32;
    let table = Arc::new(r.table);
    let mut states = Vec::new();
    for (i, s) in r.states.into_iter().enumerate() {
        let bad = |what: &str| ReadError::Dangling(format!("state {i}: {what}"));
        let n = s.nodes.len() as u32;
        let k = s.classes.len() as u32;
        if s.classes.iter().flatten().any(|&m| m >= n) {
            return Err(bad("a class member is not a node"));
        }
        if s.class_pairs
            .iter()
            .any(|&[a, b, l]| a >= k || b >= k || l >= lists)
        {
            return Err(bad(
                "a class pair names a class or list that does not exist",
            ));
        }
        if s.pairs
            .iter()
            .any(|&[f, t, l]| f >= n || t >= n || l >= lists)
        {
            return Err(bad("a pair names a node or list that does not exist"));
        }
        let mut covered = vec![false; n as usize];
        for &m in s.classes.iter().flatten() {
            covered[m as usize] = true;
        }
        if covered.contains(&false) {
            return Err(bad("a node is in no class"));
        }
        let mut m = StateMatrix::by_class(
            ByClass {
                step: s.step,
                label: s.label,
                nodes: s.nodes.into(),
                classes: s
                    .classes
                    .into_iter()
                    .map(|members| Class { members })
                    .collect(),
                pairs: s.class_pairs.iter().map(|&[a, b, l]| (a, b, l)).collect(),
                own: s
                    .pairs
                    .iter()
                    .map(|&[from, to, list]| PairAnswers { from, to, list })
                    .collect(),
            },
            table.clone(),
        );
        m.set_extras(s.stray_cells, s.observations);
        states.push(m);
    }
    // In memory a report is what its serde form (version 1) says, whichever document
    // it was read from.
    Ok(Report {
        schema_version: super::SCHEMA_VERSION,
        scenario: r.scenario,
        findings: r.findings,
        topology: r.topology,
        states,
        conformance: r.conformance,
        earlier_conformance: r.earlier_conformance,
    })
}

/// Every index of the table points into it.
fn check_table(t: &AnswerTable) -> Result<(), ReadError> {
    let bad = |what: &str| Err(ReadError::Dangling(what.to_string()));
    let (hops, paths, facts, answers) = (
        t.hops.len() as u32,
        t.paths.len() as u32,
        t.fact_sets.len() as u32,
        t.answers.len() as u32,
    );
    if t.paths.iter().flatten().any(|&h| h >= hops) {
        return bad("a path names a hop that does not exist");
    }
    if t.answers
        .iter()
        .any(|a| a.path >= paths || a.facts >= facts)
    {
        return bad("an answer names a path or fact set that does not exist");
    }
    let ids = t.lists.iter().flat_map(|l: &Vec<ProbeAnswer>| l.iter());
    if ids.clone().any(|&(_, id)| id >= answers) {
        return bad("a list names an answer that does not exist");
    }
    Ok(())
}
