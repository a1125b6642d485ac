//! The connectivity matrix of one state, kept by class: the nodes, the classes they
//! fall into, one list of per-probe answers per pair of classes, and the few node pairs
//! that differ from their classes' answers (two endpoints of one container). A cell is
//! made only when asked for ([`StateMatrix::cells`], [`StateMatrix::cell`]), so the
//! matrix of a 10,000-endpoint design takes as much memory as its classes need.

use super::template::{AnswerTable, ProbeAnswer, TableBuilder};
use super::{Cell, Disposition, Node, NodeList, Observation, Probe, Summary};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Nodes the rules cannot tell apart: every pair of them with a node of another class
/// is answered alike (up to the nodes' own addresses and names).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Class {
    /// Node indices, in node order.
    pub members: Vec<u32>,
}

/// A node pair answered on its own (two endpoints of one container, or a cell of a
/// matrix built cell by cell).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PairAnswers {
    pub from: u32,
    pub to: u32,
    /// Index into [`AnswerTable::lists`].
    pub list: u32,
}

/// The list of answers of each class pair: dense while the square of the class count is
/// small, a map beyond.
#[derive(Clone, Debug)]
enum ClassPairs {
    Dense { classes: usize, lists: Vec<u32> },
    Sparse(HashMap<(u32, u32), u32>),
}

const NO_LIST: u32 = u32::MAX;
/// Above this many classes the class-pair table is a map (4 bytes x classes^2 would
/// outgrow the answers themselves).
const DENSE_CLASSES: usize = 2048;

impl Default for ClassPairs {
    fn default() -> Self {
        ClassPairs::Sparse(HashMap::new())
    }
}

impl ClassPairs {
    fn new(classes: usize) -> ClassPairs {
        if classes <= DENSE_CLASSES {
            ClassPairs::Dense {
                classes,
                lists: vec![NO_LIST; classes * classes],
            }
        } else {
            ClassPairs::Sparse(HashMap::new())
        }
    }

    fn get(&self, a: u32, b: u32) -> Option<u32> {
        match self {
            ClassPairs::Dense { classes, lists } => {
                let l = lists[a as usize * classes + b as usize];
                (l != NO_LIST).then_some(l)
            }
            ClassPairs::Sparse(m) => m.get(&(a, b)).copied(),
        }
    }

    fn set(&mut self, a: u32, b: u32, list: u32) {
        match self {
            ClassPairs::Dense { classes, lists } => {
                lists[a as usize * *classes + b as usize] = list
            }
            ClassPairs::Sparse(m) => {
                m.insert((a, b), list);
            }
        }
    }

    fn iter(&self) -> Box<dyn Iterator<Item = (u32, u32, u32)> + '_> {
        match self {
            ClassPairs::Dense { classes, lists } => {
                let k = *classes;
                Box::new(lists.iter().enumerate().filter_map(move |(i, &l)| {
                    (l != NO_LIST).then_some(((i / k) as u32, (i % k) as u32, l))
                }))
            }
            ClassPairs::Sparse(m) => {
                let mut v: Vec<_> = m.iter().map(|(&(a, b), &l)| (a, b, l)).collect();
                v.sort_unstable();
                Box::new(v.into_iter())
            }
        }
    }
}

/// The connectivity matrix of one state of the design.
#[derive(Clone, Debug, Default)]
pub struct StateMatrix {
    /// Index of the timeline step after which this state holds; `None`: initial design.
    pub step: Option<usize>,
    /// Human label: "initial design", "after step 3: reboot win1".
    pub label: String,
    /// Sources and destinations, in a stable order (endpoints, hosts, clients, internet),
    /// each made only when read (see [`NodeList`]).
    pub nodes: NodeList,
    classes: Vec<Class>,
    class_of: Vec<u32>,
    pairs: ClassPairs,
    /// Sorted by (from, to).
    own: Vec<PairAnswers>,
    /// Cells naming a node the state does not list (a hand-edited report): kept as they
    /// are, after every other cell, so nothing is lost.
    stray: Vec<Cell>,
    observations: BTreeMap<(u32, u32, Probe), Observation>,
    table: Arc<AnswerTable>,
}

/// What the simulator hands over to build a [`StateMatrix`] by class.
pub(crate) struct ByClass {
    pub step: Option<usize>,
    pub label: String,
    pub nodes: NodeList,
    pub classes: Vec<Class>,
    /// (from class, to class, list)
    pub pairs: Vec<(u32, u32, u32)>,
    pub own: Vec<PairAnswers>,
}

impl StateMatrix {
    /// A matrix kept by class, its lists in `table` (shared by a report's states).
    pub(crate) fn by_class(b: ByClass, table: Arc<AnswerTable>) -> StateMatrix {
        let mut class_of = vec![0u32; b.nodes.len()];
        for (c, class) in b.classes.iter().enumerate() {
            for &m in &class.members {
                class_of[m as usize] = c as u32;
            }
        }
        let mut pairs = ClassPairs::new(b.classes.len());
        for (x, y, l) in b.pairs {
            pairs.set(x, y, l);
        }
        let mut own = b.own;
        own.sort_by_key(|p| (p.from, p.to));
        StateMatrix {
            step: b.step,
            label: b.label,
            nodes: b.nodes,
            classes: b.classes,
            class_of,
            pairs,
            own,
            stray: vec![],
            observations: BTreeMap::new(),
            table,
        }
    }

    /// A matrix given cell by cell (observed, hand-built or read back from JSON). Cells
    /// naming a node that `nodes` does not list are kept apart, after the others.
    pub fn from_cells(
        step: Option<usize>,
        label: impl Into<String>,
        nodes: impl Into<NodeList>,
        cells: Vec<Cell>,
    ) -> StateMatrix {
        let nodes: NodeList = nodes.into();
        let index: HashMap<&str, u32> = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.id.as_str(), i as u32))
            .collect();
        let mut builder = TableBuilder::default();
        let mut lists: BTreeMap<(u32, u32), Vec<ProbeAnswer>> = BTreeMap::new();
        let mut observations = BTreeMap::new();
        let mut stray = Vec::new();
        for cell in cells {
            let (Some(&f), Some(&t)) = (index.get(cell.from.as_str()), index.get(cell.to.as_str()))
            else {
                stray.push(cell);
                continue;
            };
            let id = builder.literal(&cell);
            lists.entry((f, t)).or_default().push((cell.probe, id));
            if let Some(o) = cell.observation {
                observations.insert((f, t, cell.probe), o);
            }
        }
        let own: Vec<PairAnswers> = lists
            .into_iter()
            .map(|((from, to), l)| PairAnswers {
                from,
                to,
                list: builder.list(l),
            })
            .collect();
        let classes: Vec<Class> = (0..nodes.len() as u32)
            .map(|i| Class { members: vec![i] })
            .collect();
        let mut m = StateMatrix::by_class(
            ByClass {
                step,
                label: label.into(),
                nodes,
                classes,
                pairs: vec![],
                own,
            },
            Arc::new(builder.finish()),
        );
        m.stray = stray;
        m.observations = observations;
        m
    }

    /// Keeps only the cells `keep` accepts. The matrix is rebuilt cell by cell (a
    /// narrowed expectation for a probe run, not a simulator's matrix).
    pub fn retain(&mut self, mut keep: impl FnMut(&Cell) -> bool) {
        let cells = self.cells().filter(|c| keep(c)).collect();
        *self = StateMatrix::from_cells(self.step, self.label.clone(), self.nodes.clone(), cells);
    }

    /// Adds a cell (rebuilding the matrix cell by cell, as [`Self::retain`]).
    pub fn push(&mut self, cell: Cell) {
        let mut cells: Vec<Cell> = self.cells().collect();
        cells.push(cell);
        *self = StateMatrix::from_cells(self.step, self.label.clone(), self.nodes.clone(), cells);
    }

    /// The answers (shared with the report's other states).
    pub fn table(&self) -> &AnswerTable {
        &self.table
    }

    pub(crate) fn table_arc(&self) -> &Arc<AnswerTable> {
        &self.table
    }

    /// Stray cells and observations read back from a report.
    pub(crate) fn set_extras(
        &mut self,
        stray: Vec<Cell>,
        observations: Vec<(u32, u32, Probe, Observation)>,
    ) {
        self.stray = stray;
        self.observations = observations
            .into_iter()
            .map(|(s, t, p, o)| ((s, t, p), o))
            .collect();
    }

    pub fn classes(&self) -> &[Class] {
        &self.classes
    }

    /// The class of node `i`.
    pub fn class_of(&self, i: usize) -> usize {
        self.class_of[i] as usize
    }

    /// The answers of every pair of a node of class `a` with a node of class `b`
    /// (other than the pairs in [`Self::own_pairs`]), as an index into the table's
    /// lists; `None`: no such pair has cells.
    pub fn class_pair(&self, a: usize, b: usize) -> Option<u32> {
        self.pairs.get(a as u32, b as u32)
    }

    /// Every class pair with answers: (from class, to class, list).
    pub fn class_pairs(&self) -> impl Iterator<Item = (usize, usize, u32)> + '_ {
        self.pairs
            .iter()
            .map(|(a, b, l)| (a as usize, b as usize, l))
    }

    /// Node pairs answered on their own, sorted by (from, to).
    pub fn own_pairs(&self) -> &[PairAnswers] {
        &self.own
    }

    /// Cells naming a node this state does not list.
    pub fn stray_cells(&self) -> &[Cell] {
        &self.stray
    }

    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id == id)
    }

    pub fn node_index(&self, id: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.id == id)
    }

    /// The list of answers of node `s` to node `t` (an index into the table's lists):
    /// its own, or its classes'.
    pub fn pair_list(&self, s: usize, t: usize) -> Option<u32> {
        if s == t || s >= self.nodes.len() || t >= self.nodes.len() {
            return None;
        }
        match self
            .own
            .binary_search_by_key(&(s as u32, t as u32), |p| (p.from, p.to))
        {
            Ok(i) => Some(self.own[i].list),
            Err(_) => self.pairs.get(self.class_of[s], self.class_of[t]),
        }
    }

    /// The per-probe answers of node `s` to node `t`.
    pub fn pair(&self, s: usize, t: usize) -> &[ProbeAnswer] {
        self.pair_list(s, t)
            .map(|l| self.table.list(l))
            .unwrap_or(&[])
    }

    /// The observed cells: (from node, to node, probe) and what was seen.
    pub fn observations(&self) -> impl Iterator<Item = ((usize, usize, Probe), &Observation)> {
        self.observations
            .iter()
            .map(|(&(s, t, p), o)| ((s as usize, t as usize, p), o))
    }

    /// The observation attached to a cell, if it was probed.
    pub fn observation(&self, s: usize, t: usize, probe: Probe) -> Option<&Observation> {
        self.observations.get(&(s as u32, t as u32, probe))
    }

    /// Attaches what a real probe saw to the cell `from` -> `to` with `probe`; false
    /// when the matrix has no such cell.
    pub fn observe(&mut self, from: &str, to: &str, probe: Probe, o: Observation) -> bool {
        let (Some(s), Some(t)) = (self.node_index(from), self.node_index(to)) else {
            return false;
        };
        if !self.pair(s, t).iter().any(|(p, _)| *p == probe) {
            return false;
        }
        self.observations.insert((s as u32, t as u32, probe), o);
        true
    }

    /// The cell of nodes `s` to `t` for answer `id` of `probe`, with its observation.
    pub fn make_cell(&self, s: usize, t: usize, probe: Probe, id: u32) -> Cell {
        let (from, to) = (self.nodes.get(s), self.nodes.get(t));
        let (from, to) = (from.expect("node in range"), to.expect("node in range"));
        let mut c = self.table.cell(id, &from, &to, probe);
        c.observation = self.observation(s, t, probe).cloned();
        c
    }

    /// The cells of node `s` to node `t`, one per probe.
    pub fn pair_cells(&self, s: usize, t: usize) -> impl Iterator<Item = Cell> + '_ {
        self.pair(s, t)
            .iter()
            .map(move |&(p, id)| self.make_cell(s, t, p, id))
    }

    pub fn cell(&self, from: &str, to: &str, probe: Probe) -> Option<Cell> {
        let (Some(s), Some(t)) = (self.node_index(from), self.node_index(to)) else {
            return self
                .stray
                .iter()
                .find(|c| c.from == from && c.to == to && c.probe == probe)
                .cloned();
        };
        let &(p, id) = self.pair(s, t).iter().find(|(p, _)| *p == probe)?;
        Some(self.make_cell(s, t, p, id))
    }

    /// Every ordered (source, destination, probe) with source != destination, made on
    /// the way: by source, then destination, in node order, then the stray cells.
    pub fn cells(&self) -> impl Iterator<Item = Cell> + '_ {
        // Every node is read, many times: made once, here.
        let n = self.nodes[..].len();
        (0..n)
            .flat_map(move |s| (0..n).map(move |t| (s, t)))
            .flat_map(move |(s, t)| self.pair_cells(s, t))
            .chain(self.stray.iter().cloned())
    }

    /// (from, to, probe, disposition, address) of every cell, in [`Self::cells`]'s
    /// order, without making the paths.
    pub fn outcomes(
        &self,
    ) -> impl Iterator<Item = (&str, &str, Probe, Disposition, Option<super::Address>)> + '_ {
        let n = self.nodes[..].len();
        let made = (0..n)
            .flat_map(move |s| (0..n).map(move |t| (s, t)))
            .flat_map(move |(s, t)| {
                self.pair(s, t).iter().map(move |&(p, id)| {
                    let (from, to) = (&self.nodes[s], &self.nodes[t]);
                    let (d, a) = self.table.outcome(id, from, to);
                    (from.id.as_str(), to.id.as_str(), p, d, a)
                })
            });
        let stray = self.stray.iter().map(|c| {
            (
                c.from.as_str(),
                c.to.as_str(),
                c.probe,
                c.disposition.clone(),
                c.address.clone(),
            )
        });
        made.chain(stray)
    }

    /// How many cells [`Self::cells`] yields, counted by class.
    pub fn cell_count(&self) -> usize {
        let mut n = 0;
        self.tally(|_, k| n += k);
        n + self.stray.len()
    }

    /// Calls `add(answer, cells)` for every answer of the matrix with the number of
    /// cells it stands for, by class pair and own pair, without making a cell.
    pub fn tally(&self, mut add: impl FnMut(u32, usize)) {
        let mut own_in: HashMap<(u32, u32), usize> = HashMap::new();
        for p in &self.own {
            let key = (self.class_of[p.from as usize], self.class_of[p.to as usize]);
            *own_in.entry(key).or_default() += 1;
        }
        let size = |c: usize| self.classes[c].members.len();
        for (a, b, l) in self.class_pairs() {
            let mut pairs = size(a) * size(b);
            if a == b {
                pairs -= size(a);
            }
            pairs -= own_in.get(&(a as u32, b as u32)).copied().unwrap_or(0);
            for &(_, id) in self.table.list(l) {
                add(id, pairs);
            }
        }
        for p in &self.own {
            for &(_, id) in self.table.list(p.list) {
                add(id, 1);
            }
        }
    }

    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        let table = &self.table;
        self.tally(|id, n| match table.answer(id).disposition {
            Disposition::Delivered => s.delivered += n,
            Disposition::Denied { .. } => s.denied += n,
            Disposition::Unknown { .. } => s.unknown += n,
        });
        for c in &self.stray {
            match c.disposition {
                Disposition::Delivered => s.delivered += 1,
                Disposition::Denied { .. } => s.denied += 1,
                Disposition::Unknown { .. } => s.unknown += 1,
            }
        }
        s
    }
}

/// Two matrices are equal when they say the same: the same nodes and the same cells,
/// however each is kept.
impl PartialEq for StateMatrix {
    fn eq(&self, other: &Self) -> bool {
        self.step == other.step
            && self.label == other.label
            && self.nodes == other.nodes
            && self.cells().eq(other.cells())
    }
}

/// Serialized cell by cell (the report schema's version 1 shape), streamed: the cells
/// are made one at a time as the serializer asks for them.
impl Serialize for StateMatrix {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Cells<'a>(&'a StateMatrix);
        impl Serialize for Cells<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(self.0.cells())
            }
        }
        #[derive(Serialize)]
        struct V1<'a> {
            step: Option<usize>,
            label: &'a str,
            nodes: &'a [Node],
            cells: Cells<'a>,
        }
        V1 {
            step: self.step,
            label: &self.label,
            nodes: &self.nodes[..],
            cells: Cells(self),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for StateMatrix {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct V1 {
            step: Option<usize>,
            label: String,
            #[serde(default)]
            nodes: Vec<Node>,
            #[serde(default)]
            cells: Vec<Cell>,
        }
        let v = V1::deserialize(d)?;
        Ok(StateMatrix::from_cells(v.step, v.label, v.nodes, v.cells))
    }
}
