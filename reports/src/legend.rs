//! The symbols every matrix view shares, and the aggregation of a pair's probes into one
//! symbol. Terminal, Markdown and HTML all use [`Grid`], so one pair reads the same
//! everywhere.

use hnsim_sim::matrix::{
    CellVerdict, Conformance, Disposition, Probe, Report, StateMatrix, Verdict,
};
use std::collections::HashMap;

/// What one (source, destination) pair shows in a matrix view.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Symbol {
    /// Source and destination are the same node.
    SelfPair,
    /// No probe was computed for the pair.
    Empty,
    /// Every probe is delivered.
    All,
    /// At least one probe is delivered and at least one is not.
    Some,
    /// Every probe is denied.
    None,
    /// No probe is delivered and the model could not decide at least one.
    Unknown,
    /// A real dataplane disagreed with the simulation on at least one probe.
    Disagree,
}

impl Symbol {
    pub const LEGEND: [Symbol; 6] = [
        Symbol::All,
        Symbol::Some,
        Symbol::None,
        Symbol::Unknown,
        Symbol::Disagree,
        Symbol::Empty,
    ];

    pub fn char(self) -> char {
        match self {
            Symbol::SelfPair => '╲',
            Symbol::Empty => ' ',
            Symbol::All => '●',
            Symbol::Some => '◐',
            Symbol::None => '·',
            Symbol::Unknown => '?',
            Symbol::Disagree => '✗',
        }
    }

    /// Stable machine name (HTML classes, JSON data).
    pub fn key(self) -> &'static str {
        match self {
            Symbol::SelfPair => "self",
            Symbol::Empty => "empty",
            Symbol::All => "all",
            Symbol::Some => "some",
            Symbol::None => "none",
            Symbol::Unknown => "unknown",
            Symbol::Disagree => "disagree",
        }
    }

    pub fn meaning(self) -> &'static str {
        match self {
            Symbol::SelfPair => "same node",
            Symbol::Empty => "not probed",
            Symbol::All => "every probe delivered",
            Symbol::Some => "some probes delivered, some not",
            Symbol::None => "no probe delivered (denied)",
            Symbol::Unknown => "not delivered, and the model cannot decide at least one probe",
            Symbol::Disagree => "the real dataplane disagrees with the simulation",
        }
    }

    /// ANSI SGR parameters for the terminal.
    pub fn ansi(self) -> &'static str {
        match self {
            Symbol::All => "32",
            Symbol::Some => "33",
            Symbol::None => "2",
            Symbol::Unknown => "35",
            Symbol::Disagree => "1;31",
            Symbol::SelfPair | Symbol::Empty => "2",
        }
    }
}

/// Counts of one pair's probes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PairCounts {
    pub delivered: u32,
    pub denied: u32,
    pub unknown: u32,
    pub disagree: u32,
}

impl PairCounts {
    pub fn total(&self) -> u32 {
        self.delivered + self.denied + self.unknown
    }

    pub fn symbol(&self) -> Symbol {
        if self.disagree > 0 {
            Symbol::Disagree
        } else if self.total() == 0 {
            Symbol::Empty
        } else if self.delivered == self.total() {
            Symbol::All
        } else if self.delivered > 0 {
            Symbol::Some
        } else if self.unknown > 0 {
            Symbol::Unknown
        } else {
            Symbol::None
        }
    }
}

/// A state's matrix indexed by node: rows are sources, columns destinations, both in
/// the state's node order.
pub struct Grid<'a> {
    pub state: &'a StateMatrix,
    pub n: usize,
    counts: Vec<PairCounts>,
    /// Indices into `state.cells`, per pair, in the state's cell order.
    cells: Vec<Vec<u32>>,
    /// Cells naming a node the state does not list; rendered apart so nothing is lost.
    pub stray: Vec<u32>,
    verdicts: HashMap<(&'a str, &'a str, Probe), &'a CellVerdict>,
}

impl<'a> Grid<'a> {
    /// `conformance` is used only when it was probed on this state.
    pub fn new(state: &'a StateMatrix, conformance: Option<&'a Conformance>) -> Grid<'a> {
        let n = state.nodes.len();
        let index: HashMap<&str, usize> = state
            .nodes
            .iter()
            .enumerate()
            .map(|(i, node)| (node.id.as_str(), i))
            .collect();
        let verdicts: HashMap<_, _> = conformance
            .map(|c| {
                c.cells
                    .iter()
                    .map(|v| ((v.from.as_str(), v.to.as_str(), v.probe), v))
                    .collect()
            })
            .unwrap_or_default();
        let mut counts = vec![PairCounts::default(); n * n];
        let mut cells = vec![Vec::new(); n * n];
        let mut stray = Vec::new();
        for (ci, cell) in state.cells.iter().enumerate() {
            let (Some(&r), Some(&c)) = (index.get(cell.from.as_str()), index.get(cell.to.as_str()))
            else {
                stray.push(ci as u32);
                continue;
            };
            let k = r * n + c;
            let pc = &mut counts[k];
            match cell.disposition {
                Disposition::Delivered => pc.delivered += 1,
                Disposition::Denied { .. } => pc.denied += 1,
                Disposition::Unknown { .. } => pc.unknown += 1,
            }
            if let Some(v) = verdicts.get(&(cell.from.as_str(), cell.to.as_str(), cell.probe)) {
                if v.verdict == Verdict::Disagree {
                    pc.disagree += 1;
                }
            }
            cells[k].push(ci as u32);
        }
        Grid {
            state,
            n,
            counts,
            cells,
            stray,
            verdicts,
        }
    }

    /// The grid of state `index` of a report, with the conformance verdicts when that
    /// state was probed.
    pub fn for_report(report: &'a Report, index: usize) -> Option<Grid<'a>> {
        let state = report.states.get(index)?;
        let conf = report.conformance_of(index);
        Some(Grid::new(state, conf))
    }

    pub fn counts(&self, row: usize, col: usize) -> PairCounts {
        self.counts[row * self.n + col]
    }

    pub fn symbol(&self, row: usize, col: usize) -> Symbol {
        if row == col {
            Symbol::SelfPair
        } else {
            self.counts(row, col).symbol()
        }
    }

    /// The symbol from the simulation alone, ignoring any conformance verdict: what a
    /// timeline step can change.
    pub fn reach_symbol(&self, row: usize, col: usize) -> Symbol {
        if row == col {
            Symbol::SelfPair
        } else {
            PairCounts {
                disagree: 0,
                ..self.counts(row, col)
            }
            .symbol()
        }
    }

    /// Cell indices (into `state.cells`) of a pair.
    pub fn pair_cells(&self, row: usize, col: usize) -> &[u32] {
        &self.cells[row * self.n + col]
    }

    pub fn verdict(&self, from: &str, to: &str, probe: Probe) -> Option<&'a CellVerdict> {
        self.verdicts.get(&(from, to, probe)).copied()
    }

    /// How many pairs show each symbol, in [`Symbol::LEGEND`] order.
    pub fn symbol_counts(&self) -> Vec<(Symbol, usize)> {
        let mut out: Vec<(Symbol, usize)> = Symbol::LEGEND.iter().map(|s| (*s, 0)).collect();
        for r in 0..self.n {
            for c in 0..self.n {
                let s = self.symbol(r, c);
                if let Some(slot) = out.iter_mut().find(|(k, _)| *k == s) {
                    slot.1 += 1;
                }
            }
        }
        out
    }
}

/// A pair whose symbol differs between two states (matched by node id).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PairChange<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub before: Symbol,
    pub after: Symbol,
}

/// Pairs of `cur` whose symbol differs from `prev`, in `cur`'s order, then the pairs of
/// `prev` that involve a node `cur` no longer has. A node that is new in `cur` (or gone
/// from it) compares against [`Symbol::Empty`].
pub fn changes<'a>(prev: &Grid<'a>, cur: &Grid<'a>) -> Vec<PairChange<'a>> {
    let index: HashMap<&str, usize> = prev
        .state
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    let nodes = &cur.state.nodes;
    let mut out = Vec::new();
    for r in 0..cur.n {
        for c in 0..cur.n {
            if r == c {
                continue;
            }
            let before = match (
                index.get(nodes[r].id.as_str()),
                index.get(nodes[c].id.as_str()),
            ) {
                (Some(&pr), Some(&pc)) => prev.reach_symbol(pr, pc),
                _ => Symbol::Empty,
            };
            let after = cur.reach_symbol(r, c);
            if before != after {
                out.push(PairChange {
                    from: &nodes[r].id,
                    to: &nodes[c].id,
                    before,
                    after,
                });
            }
        }
    }
    let here: std::collections::HashSet<&str> = nodes.iter().map(|n| n.id.as_str()).collect();
    let old = &prev.state.nodes;
    for r in 0..prev.n {
        for c in 0..prev.n {
            if r == c || (here.contains(old[r].id.as_str()) && here.contains(old[c].id.as_str())) {
                continue;
            }
            let before = prev.reach_symbol(r, c);
            if before != Symbol::Empty {
                out.push(PairChange {
                    from: &old[r].id,
                    to: &old[c].id,
                    before,
                    after: Symbol::Empty,
                });
            }
        }
    }
    out
}

/// Short text for a disposition: `delivered`, `denied: not-published`, `unknown`. A
/// flow the network delivers to a port where nothing listens is no network denial, and
/// reads so.
pub fn disposition_text(d: &Disposition) -> String {
    match d {
        Disposition::Delivered => "delivered".to_string(),
        Disposition::Denied {
            reason: hnsim_sim::matrix::DenyReason::NotListening,
            ..
        } => "reached, nothing listens: not-listening".to_string(),
        Disposition::Denied { reason, .. } => format!("denied: {reason}"),
        Disposition::Unknown { .. } => "unknown".to_string(),
    }
}

/// The explanation carried by a disposition, if any.
pub fn disposition_why(d: &Disposition) -> Option<&str> {
    match d {
        Disposition::Delivered => None,
        Disposition::Denied { why, .. } | Disposition::Unknown { why } => Some(why.as_str()),
    }
}

/// Denied cells per reason, most frequent first (ties by reason name).
pub fn deny_reasons(state: &StateMatrix) -> Vec<(String, usize)> {
    let mut map: HashMap<String, usize> = HashMap::new();
    for c in &state.cells {
        if let Disposition::Denied { reason, .. } = &c.disposition {
            *map.entry(reason.to_string()).or_default() += 1;
        }
    }
    let mut v: Vec<_> = map.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

pub fn verdict_text(v: &Verdict) -> &'static str {
    match v {
        Verdict::Agree => "agree",
        Verdict::Disagree => "disagree",
        Verdict::NotEmulated { .. } => "not emulated",
        Verdict::KnownDivergence { .. } => "known divergence",
    }
}
