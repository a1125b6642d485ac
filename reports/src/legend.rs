//! The symbols every matrix view shares, and the aggregation of a pair's probes into one
//! symbol. Terminal, Markdown and HTML all use [`Grid`], so one pair reads the same
//! everywhere.

use hnsim_sim::matrix::{
    Cell, CellVerdict, Conformance, Disposition, Probe, Report, StateMatrix, Verdict,
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
    /// The symbol as a change list shows it: blank reads `(not probed)`.
    pub fn shown(self) -> String {
        match self {
            Symbol::Empty => "(not probed)".to_string(),
            s => s.char().to_string(),
        }
    }

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

/// Above this many nodes a matrix is shown by class: one row per class instead of one
/// per node, and every line says how many node pairs it stands for.
pub const MAX_NODES: usize = 250;

/// Node pairs (class pairs, for a state shown by class) the views draw in full over a
/// timeline. Past it, a state between the first and the last is shown as what its step
/// changed: a hundred containers over two hundred steps would otherwise be two hundred
/// full matrices (24 s as Markdown, 3.7 GB as JUnit), which nobody reads either.
pub const FULL_PAIRS: usize = 100_000;

/// Which states of `report` the views show in full: the first, the last and every
/// state a real dataplane probed, then the others in order while the pairs shown stay
/// within [`FULL_PAIRS`]; a state not shown in full is shown as its changes, with how
/// to see it whole ([`state_hint`]).
pub fn shown_in_full(report: &Report) -> Vec<bool> {
    let last = report.states.len().saturating_sub(1);
    let pairs = |s: &StateMatrix| {
        if s.nodes.len() > MAX_NODES {
            s.classes().len().pow(2)
        } else {
            s.nodes.len().pow(2)
        }
    };
    let always = |i: usize| i == 0 || i == last || report.conformance_of(i).is_some();
    let mut spent: usize = (0..report.states.len())
        .filter(|&i| always(i))
        .map(|i| pairs(&report.states[i]))
        .sum();
    (0..report.states.len())
        .map(|i| {
            if always(i) {
                return true;
            }
            spent = spent.saturating_add(pairs(&report.states[i]));
            spent <= FULL_PAIRS
        })
        .collect()
}

/// What a view says of a state it shows as its changes only.
pub fn state_hint(index: usize) -> String {
    format!(
        "Shown as what its step changed, to keep a long timeline readable: `hnsim sim --step {index} FILE` shows this state in full"
    )
}

/// How many node pairs a line stands for (`1 pair`, `2,500 pairs`).
pub fn pairs_text(n: usize) -> String {
    let grouped = crate::text::thousands(n);
    if n == 1 {
        format!("{grouped} pair")
    } else {
        format!("{grouped} pairs")
    }
}

/// Counts of the answers of each list of a state's table.
fn list_counts(state: &StateMatrix, list: u32) -> PairCounts {
    let t = state.table();
    let mut c = PairCounts::default();
    for &(_, id) in t.list(list) {
        match t.answer(id).disposition {
            Disposition::Delivered => c.delivered += 1,
            Disposition::Denied { .. } => c.denied += 1,
            Disposition::Unknown { .. } => c.unknown += 1,
        }
    }
    c
}

/// A state's matrix indexed by node: rows are sources, columns destinations, both in
/// the state's node order. Nothing is made per cell: a pair's symbol comes from its
/// list of answers, shared by its classes.
pub struct Grid<'a> {
    pub state: &'a StateMatrix,
    pub n: usize,
    counts: HashMap<u32, PairCounts>,
    /// Pairs with probes a real dataplane disagreed on, and how many.
    disagree: HashMap<(usize, usize), u32>,
    verdicts: HashMap<(&'a str, &'a str, Probe), &'a CellVerdict>,
}

impl<'a> Grid<'a> {
    /// `conformance` is used only when it was probed on this state.
    pub fn new(state: &'a StateMatrix, conformance: Option<&'a Conformance>) -> Grid<'a> {
        let n = state.nodes.len();
        let verdicts: HashMap<_, _> = conformance
            .map(|c| {
                c.cells
                    .iter()
                    .map(|v| ((v.from.as_str(), v.to.as_str(), v.probe), v))
                    .collect()
            })
            .unwrap_or_default();
        let mut disagree: HashMap<(usize, usize), u32> = HashMap::new();
        if !verdicts.is_empty() {
            let index = node_index(state);
            for ((from, to, probe), v) in &verdicts {
                let (Some(&r), Some(&c)) = (index.get(from), index.get(to)) else {
                    continue;
                };
                let probed = state.pair(r, c).iter().any(|(p, _)| p == probe);
                if probed && v.verdict == Verdict::Disagree {
                    *disagree.entry((r, c)).or_default() += 1;
                }
            }
        }
        let mut counts = HashMap::new();
        let lists = state
            .class_pairs()
            .map(|(_, _, l)| l)
            .chain(state.own_pairs().iter().map(|p| p.list));
        for l in lists {
            counts.entry(l).or_insert_with(|| list_counts(state, l));
        }
        Grid {
            state,
            n,
            counts,
            disagree,
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

    /// Too many nodes to show one row per node: renderers show classes.
    pub fn by_class(&self) -> bool {
        self.n > MAX_NODES
    }

    /// Counts of a list of answers.
    pub fn list_counts(&self, list: u32) -> PairCounts {
        self.counts
            .get(&list)
            .copied()
            .unwrap_or_else(|| list_counts(self.state, list))
    }

    pub fn counts(&self, row: usize, col: usize) -> PairCounts {
        let mut c = self
            .state
            .pair_list(row, col)
            .map(|l| self.list_counts(l))
            .unwrap_or_default();
        c.disagree = self.disagree.get(&(row, col)).copied().unwrap_or(0);
        c
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

    /// The symbol of every pair of a node of class `a` with a node of class `b` (other
    /// than pairs answered on their own).
    pub fn class_symbol(&self, a: usize, b: usize) -> Symbol {
        self.state
            .class_pair(a, b)
            .map_or(Symbol::Empty, |l| self.list_counts(l).symbol())
    }

    /// The cells of a pair, made now.
    pub fn pair_cells(&self, row: usize, col: usize) -> impl Iterator<Item = Cell> + 'a {
        self.state.pair_cells(row, col)
    }

    /// Cells naming a node the state does not list.
    pub fn stray(&self) -> &'a [Cell] {
        self.state.stray_cells()
    }

    pub fn verdict(&self, from: &str, to: &str, probe: Probe) -> Option<&'a CellVerdict> {
        self.verdicts.get(&(from, to, probe)).copied()
    }

    /// Every verdict of the comparison on this state.
    pub fn verdicts(&self) -> impl Iterator<Item = &'a CellVerdict> + '_ {
        self.verdicts.values().copied()
    }

    /// `✗ observed timeout` when a real dataplane disagreed on this cell.
    pub fn disagreement(&self, cell: &Cell) -> Option<String> {
        let v = self.verdict(&cell.from, &cell.to, cell.probe)?;
        (v.verdict == Verdict::Disagree).then(|| {
            format!(
                "✗ observed {}",
                crate::text::outcome(&v.observation.outcome)
            )
        })
    }

    /// Pairs shown with a symbol that hides something (mixed, undecided, disputed), in
    /// node order; at most `max`, and how many there are in all.
    pub fn notable_pairs(&self, max: usize) -> (Vec<(usize, usize)>, usize) {
        let notable = |s: Symbol| matches!(s, Symbol::Some | Symbol::Unknown | Symbol::Disagree);
        let mut list = Vec::new();
        let mut total = 0;
        for (sym, k) in self.symbol_counts() {
            if notable(sym) {
                total += k;
            }
        }
        if total == 0 {
            return (list, 0);
        }
        'rows: for r in 0..self.n {
            for c in 0..self.n {
                if notable(self.symbol(r, c)) {
                    list.push((r, c));
                    if list.len() >= max {
                        break 'rows;
                    }
                }
            }
        }
        (list, total)
    }

    /// How many pairs show each symbol, in [`Symbol::LEGEND`] order, counted by class.
    pub fn symbol_counts(&self) -> Vec<(Symbol, usize)> {
        let mut count: HashMap<Symbol, i64> = HashMap::new();
        let state = self.state;
        let size = |c: usize| state.classes()[c].members.len() as i64;
        for (a, b, l) in state.class_pairs() {
            let pairs = size(a) * size(b) - if a == b { size(a) } else { 0 };
            *count.entry(self.list_counts(l).symbol()).or_default() += pairs;
        }
        for p in state.own_pairs() {
            let (f, t) = (p.from as usize, p.to as usize);
            let class = state.class_pair(state.class_of(f), state.class_of(t));
            let before = class.map_or(Symbol::Empty, |l| self.list_counts(l).symbol());
            if class.is_some() {
                *count.entry(before).or_default() -= 1;
            }
            *count.entry(self.list_counts(p.list).symbol()).or_default() += 1;
        }
        for &(r, c) in self.disagree.keys() {
            *count.entry(self.reach_symbol(r, c)).or_default() -= 1;
            *count.entry(Symbol::Disagree).or_default() += 1;
        }
        let n = self.n as i64;
        let shown: i64 = count.values().sum();
        *count.entry(Symbol::Empty).or_default() += n * (n - 1).max(0) - shown;
        Symbol::LEGEND
            .iter()
            .map(|s| (*s, count.get(s).copied().unwrap_or(0).max(0) as usize))
            .collect()
    }
}

/// A pair whose symbol differs between two states (matched by node id); by class, one
/// line stands for `pairs` node pairs alike.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PairChange<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub before: Symbol,
    pub after: Symbol,
    /// Node pairs this change stands for (1 unless the matrix is shown by class).
    pub pairs: usize,
}

impl PairChange<'_> {
    /// ` (and every pair of their classes: 2,500 pairs)` when the change stands for more
    /// than one node pair.
    pub fn alike(&self) -> String {
        if self.pairs > 1 {
            format!(
                " (and every pair of their classes: {})",
                pairs_text(self.pairs)
            )
        } else {
            String::new()
        }
    }
}

/// Pairs of `cur` whose symbol differs from `prev`, in `cur`'s order, then the pairs of
/// `prev` that involve a node `cur` no longer has. A node that is new in `cur` (or gone
/// from it) compares against [`Symbol::Empty`]. Past [`MAX_NODES`] nodes the pairs are
/// grouped: nodes in the same class in both states change alike.
pub fn changes<'a>(prev: &Grid<'a>, cur: &Grid<'a>) -> Vec<PairChange<'a>> {
    if prev.by_class() || cur.by_class() {
        return class_changes(prev, cur);
    }
    let index = node_index(prev.state);
    let nodes = &cur.state.nodes;
    // Each node's index in `prev`, looked up once per node, not once per pair: a long
    // timeline compares every pair of every state.
    let was: Vec<Option<usize>> = nodes
        .iter()
        .map(|n| index.get(n.id.as_str()).copied())
        .collect();
    let mut out = Vec::new();
    for r in 0..cur.n {
        for c in 0..cur.n {
            if r == c {
                continue;
            }
            let before = match (was[r], was[c]) {
                (Some(pr), Some(pc)) => prev.reach_symbol(pr, pc),
                _ => Symbol::Empty,
            };
            let after = cur.reach_symbol(r, c);
            if before != after {
                out.push(PairChange {
                    from: &nodes[r].id,
                    to: &nodes[c].id,
                    before,
                    after,
                    pairs: 1,
                });
            }
        }
    }
    let here: std::collections::HashSet<&str> = nodes.iter().map(|n| n.id.as_str()).collect();
    let old = &prev.state.nodes;
    let kept: Vec<bool> = old.iter().map(|n| here.contains(n.id.as_str())).collect();
    for r in 0..prev.n {
        for c in 0..prev.n {
            if r == c || (kept[r] && kept[c]) {
                continue;
            }
            let before = prev.reach_symbol(r, c);
            if before != Symbol::Empty {
                out.push(PairChange {
                    from: &old[r].id,
                    to: &old[c].id,
                    before,
                    after: Symbol::Empty,
                    pairs: 1,
                });
            }
        }
    }
    out
}

/// Each node's index in `state` by its id, for looking up many cells of another state
/// (or of a comparison) without a scan each.
fn node_index(state: &StateMatrix) -> HashMap<&str, usize> {
    let ids = state.nodes.iter().map(|n| n.id.as_str());
    ids.enumerate().map(|(i, id)| (id, i)).collect()
}

/// [`changes`] by groups of nodes that share their class in both states (pairs two
/// endpoints of one container form are answered on their own and left out here).
fn class_changes<'a>(prev: &Grid<'a>, cur: &Grid<'a>) -> Vec<PairChange<'a>> {
    let (p, c) = (prev.state, cur.state);
    let index = node_index(p);
    // A group: (class now or none, class before or none), its first node and size.
    let mut groups: Vec<(Option<usize>, Option<usize>, &'a str, usize)> = Vec::new();
    let mut seen: HashMap<(Option<usize>, Option<usize>), usize> = HashMap::new();
    let mut add = |now: Option<usize>, before: Option<usize>, id: &'a str| {
        let g = *seen.entry((now, before)).or_insert_with(|| {
            groups.push((now, before, id, 0));
            groups.len() - 1
        });
        groups[g].3 += 1;
    };
    let mut here = std::collections::HashSet::new();
    for (i, node) in c.nodes.iter().enumerate() {
        let before = index.get(node.id.as_str()).map(|&j| p.class_of(j));
        add(Some(c.class_of(i)), before, &node.id);
        here.insert(node.id.as_str());
    }
    for (j, node) in p.nodes.iter().enumerate() {
        if !here.contains(node.id.as_str()) {
            add(None, Some(p.class_of(j)), &node.id);
        }
    }
    let symbol = |g: &Grid, a: Option<usize>, b: Option<usize>| match (a, b) {
        (Some(a), Some(b)) => g.class_symbol(a, b),
        _ => Symbol::Empty,
    };
    let mut out = Vec::new();
    for (ga, &(na, ba, from, sa)) in groups.iter().enumerate() {
        for (gb, &(nb, bb, to, sb)) in groups.iter().enumerate() {
            let pairs = if ga == gb {
                sa * sa.saturating_sub(1)
            } else {
                sa * sb
            };
            let (before, after) = (symbol(prev, ba, bb), symbol(cur, na, nb));
            if pairs > 0 && before != after {
                out.push(PairChange {
                    from,
                    to,
                    before,
                    after,
                    pairs,
                });
            }
        }
    }
    out
}

/// The label of the state a comparison probed, or `(missing state)`.
pub fn probed_label<'a>(report: &'a Report, conf: &Conformance) -> &'a str {
    report
        .states
        .get(conf.state)
        .map(|s| s.label.as_str())
        .unwrap_or("(missing state)")
}

/// What a timeline step changed, written as every text view lists it: `none` when
/// nothing did; else `heading` (its `{total}` replaced by the number of node pairs),
/// one `line` per change up to `max`, and `more` with how many were left out.
pub fn write_changes(
    out: &mut String,
    (prev, cur): (&Grid, &Grid),
    max: usize,
    (none, heading, more): (&str, &str, &str),
    line: impl Fn(&PairChange) -> String,
) {
    use std::fmt::Write;
    let list = changes(prev, cur);
    if list.is_empty() {
        let _ = writeln!(out, "{none}");
        return;
    }
    let total: usize = list.iter().map(|ch| ch.pairs).sum();
    let _ = writeln!(out, "{}", heading.replace("{total}", &total.to_string()));
    for ch in list.iter().take(max) {
        let _ = writeln!(out, "{}{}", line(ch), ch.alike());
    }
    if list.len() > max {
        let _ = writeln!(out, "{more}{} more", list.len() - max);
    }
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

/// Denied cells per reason, most frequent first (ties by reason name), counted by
/// class.
pub fn deny_reasons(state: &StateMatrix) -> Vec<(String, usize)> {
    let mut map: HashMap<String, usize> = HashMap::new();
    let table = state.table();
    state.tally(|id, n| {
        if let Disposition::Denied { reason, .. } = &table.answer(id).disposition {
            if n > 0 {
                *map.entry(reason.to_string()).or_default() += n;
            }
        }
    });
    for c in state.stray_cells() {
        if let Disposition::Denied { reason, .. } = &c.disposition {
            *map.entry(reason.to_string()).or_default() += 1;
        }
    }
    let mut v: Vec<_> = map.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

/// An undecided cell in words: what the wire showed where the model could not say.
pub fn undecided_text(why: &str, delivered: bool) -> String {
    format!(
        "model undecided ({why}); the wire {}",
        if delivered {
            "delivered"
        } else {
            "did not deliver"
        }
    )
}

pub fn verdict_text(v: &Verdict) -> &'static str {
    match v {
        Verdict::Agree => "agree",
        Verdict::Disagree => "disagree",
        Verdict::NotEmulated { .. } => "not emulated",
        Verdict::KnownDivergence { .. } => "known divergence",
        Verdict::Undecided { .. } => "undecided",
    }
}
