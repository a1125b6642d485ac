//! Limits on untrusted input: scenario files come from pull requests, pasted forum posts
//! and generators, and CI runs hnsim on them. Every limit bounds the time and memory one
//! input can cost, is checked before the work it bounds, and is refused with a located
//! error that names the limit and, where raising it makes sense, how.
//!
//! The model does no I/O: it takes a [`Limits`] value (the defaults, or what the CLI read
//! from the `HNSIM_MAX_*` environment variables) and never reads the environment itself.

use crate::parse::ParseError;

/// One limit: what it counts, its default, and the variable that raises it (`None`: it
/// protects the process itself and cannot be raised).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    /// What is counted, in the plural: "bytes per input file".
    pub what: &'static str,
    pub default: u64,
    pub env: Option<&'static str>,
}

const fn limit(what: &'static str, default: u64, env: Option<&'static str>) -> Limit {
    Limit { what, default, env }
}

/// The size of one input file (a scenario, a compose file, a daemon.json, docker
/// commands), read from disk or stdin.
pub const FILE_BYTES: Limit = limit(
    "bytes per input file",
    1 << 20,
    Some("HNSIM_MAX_FILE_BYTES"),
);

/// How deep YAML or JSON may nest (sequences and mappings, block or flow), checked on
/// the raw text before any parser runs: the parsers recurse, and a deep enough input
/// overflows the stack. No scenario needs more than a dozen levels.
pub const NESTING: Limit = limit("levels of nesting", 64, None);

/// Replicas of one swarm service or containers of one compose service (`replicas:`,
/// compose `scale` / `deploy.replicas`, `docker service create --replicas`, `docker
/// service scale web=N`). As large as [`ENDPOINTS`]: one service may take the design.
pub const REPLICAS: Limit = limit("replicas per service", 50_000, Some("HNSIM_MAX_REPLICAS"));

/// Endpoints of one design (every container's attachments, service replicas included).
/// The default keeps every input within 2 s and 512 MB in every command and format:
/// at 200,000 endpoints `import` took 3.2 s, and 60,000 replicas over 10 timeline
/// states took 846 MB in `sim`; at 50,000 the slowest took 1.06 s (`import`). Designs
/// that large are real, and raise it.
pub const ENDPOINTS: Limit = limit("endpoints per design", 50_000, Some("HNSIM_MAX_ENDPOINTS"));

/// How many designs' worth of endpoints a timeline may analyse in all: every state is
/// simulated and kept for the report (25,000 replicas with a published port over ten
/// states took 4.3 s and 1.5 GB for the HTML page; twice the endpoints limit stays
/// within 2 s and 512 MB).
pub const TIMELINE_FACTOR: u64 = 2;

/// States of a timeline (the initial design and one per step). Each state is resolved
/// and validated on its own, so the work is states times endpoints: the design's
/// endpoints also count once per state against [`ENDPOINTS`] times [`TIMELINE_FACTOR`].
pub const STATES: Limit = limit("states in a timeline", 1_000, Some("HNSIM_MAX_STATES"));

/// Pairs of endpoint classes decided over a timeline (the sum over its states of the
/// classes squared). Endpoints the rules cannot tell apart share a class, so a service's
/// thousand replicas cost one class; but containers that each publish or listen on a
/// port of their own are a class each, and the matrix is kept, written and drawn per
/// class pair. A thousand such containers (a million class pairs) take 0.5 s in `sim`,
/// 1.2 s and 325 MB as HTML; a hundred of them over a thousand timeline states (ten
/// million) took 4.6 s as JSON and 3.7 GB as HTML.
pub const CLASS_PAIRS: Limit = limit(
    "class pairs over a timeline",
    2_000_000,
    Some("HNSIM_MAX_CLASS_PAIRS"),
);

/// The length of a shell or PowerShell variable's value in an imported script (`A=$A$A`
/// doubled forty times would be a terabyte).
pub const VARIABLE_BYTES: Limit = limit(
    "bytes per script variable",
    64 << 10,
    Some("HNSIM_MAX_VARIABLE_BYTES"),
);

/// Every limit, in the order the README lists them.
pub const ALL: &[Limit] = &[
    FILE_BYTES,
    NESTING,
    REPLICAS,
    ENDPOINTS,
    STATES,
    CLASS_PAIRS,
    VARIABLE_BYTES,
];

/// The values in force for one run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub file_bytes: u64,
    pub nesting: u64,
    pub replicas: u64,
    pub endpoints: u64,
    pub states: u64,
    pub class_pairs: u64,
    pub variable_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            file_bytes: FILE_BYTES.default,
            nesting: NESTING.default,
            replicas: REPLICAS.default,
            endpoints: ENDPOINTS.default,
            states: STATES.default,
            class_pairs: CLASS_PAIRS.default,
            variable_bytes: VARIABLE_BYTES.default,
        }
    }
}

impl Limits {
    /// The defaults, with each raisable limit replaced by `lookup(variable)` where that
    /// gives a number (the CLI passes the environment). A value that is not a number is
    /// an error naming the variable.
    pub fn with_overrides(lookup: impl Fn(&str) -> Option<String>) -> Result<Limits, String> {
        let mut limits = Limits::default();
        for limit in ALL {
            let Some(env) = limit.env else { continue };
            let Some(text) = lookup(env) else { continue };
            let value: u64 = text
                .trim()
                .parse()
                .map_err(|_| format!("{env}={text}: not a number of {}", limit.what))?;
            *limits.slot(limit) = value;
        }
        Ok(limits)
    }

    /// The value in force for `limit`.
    pub fn get(&self, limit: &Limit) -> u64 {
        let mut copy = *self;
        *copy.slot(limit)
    }

    fn slot(&mut self, limit: &Limit) -> &mut u64 {
        match limit.what {
            w if w == FILE_BYTES.what => &mut self.file_bytes,
            w if w == NESTING.what => &mut self.nesting,
            w if w == REPLICAS.what => &mut self.replicas,
            w if w == ENDPOINTS.what => &mut self.endpoints,
            w if w == STATES.what => &mut self.states,
            w if w == CLASS_PAIRS.what => &mut self.class_pairs,
            _ => &mut self.variable_bytes,
        }
    }

    /// `the limit of 10000 replicas`: how a refusal's message names `limit`.
    pub fn the_limit(&self, limit: &Limit) -> String {
        format!("the limit of {} {}", self.get(limit), limit.what)
    }

    /// How the user raises `limit`, for an error's help line.
    pub fn how_to_raise(&self, limit: &Limit) -> String {
        match limit.env {
            Some(env) => format!(
                "the limit is {} {}; set {env} to raise it",
                self.get(limit),
                limit.what
            ),
            None => format!(
                "the limit is {} {} and cannot be raised: it keeps the parser's stack safe",
                self.get(limit),
                limit.what
            ),
        }
    }

    /// A located error for input that goes over `limit`.
    pub fn refuse(
        &self,
        limit: &Limit,
        at: (&str, u32, u32, &str),
        message: impl Into<String>,
    ) -> ParseError {
        let (file, line, column, field) = at;
        ParseError::at(file, (line, column), field, message).with_help(self.how_to_raise(limit))
    }
}

/// The scenario's own replicas, endpoints and states against `doc.limits`, each refused
/// at the field that crosses its limit. Endpoints are counted as resolution will make
/// them: one per attachment of a container (one for a container without networks), and
/// per service replica one per network plus the routing mesh's `ingress`.
pub fn check_scenario(doc: &crate::parse::Document) -> Result<(), ParseError> {
    check_design_size(doc, &doc.scenario)
}

/// [`check_scenario`] of `s`, the document's scenario after import (its objects' origins
/// point into the document, so the error is located at the command or compose key that
/// made the object crossing the limit).
pub fn check_design_size(
    doc: &crate::parse::Document,
    s: &crate::scenario::Scenario,
) -> Result<(), ParseError> {
    let limits = &doc.limits;
    let refuse = |limit: &Limit, path: &str, message: String| {
        let (line, column) = refusal_position(doc, path);
        limits.refuse(limit, (&doc.file, line, column, path), message)
    };
    // `what` goes over `limit`: the message names the limit after it.
    let over = |limit: &Limit, path: &str, what: String| {
        refuse(limit, path, format!("{what} {}", limits.the_limit(limit)))
    };
    let mut endpoints: u64 = 0;
    for c in &s.containers {
        endpoints += c.networks.len().max(1) as u64;
        if endpoints > limits.endpoints {
            let what = format!("container `{}` brings the design over", c.name);
            return Err(over(&ENDPOINTS, &c.origin.path, what));
        }
    }
    for svc in &s.services {
        let replicas = u64::from(svc.replicas);
        let replicas_path = format!("{}.replicas", svc.origin.path);
        if replicas > limits.replicas {
            let what = format!(
                "service `{}` asks for {replicas} replicas, more than",
                svc.name
            );
            return Err(over(&REPLICAS, &replicas_path, what));
        }
        endpoints = endpoints.saturating_add(replicas * (svc.networks.len() as u64 + 1));
        if endpoints > limits.endpoints {
            let what = format!(
                "the {replicas} replicas of service `{}` bring the design over",
                svc.name
            );
            return Err(over(&ENDPOINTS, &replicas_path, what));
        }
    }
    let states = s.steps.len() as u64 + 1;
    if states > limits.states {
        let what = format!(
            "the timeline has {states} states (the initial design and {} steps), more than",
            s.steps.len()
        );
        let last = format!("steps[{}]", limits.states.saturating_sub(1));
        return Err(over(&STATES, &last, what));
    }
    let work = endpoints.saturating_mul(states);
    if work > limits.endpoints.saturating_mul(TIMELINE_FACTOR) {
        return Err(refuse(
            &ENDPOINTS,
            "steps",
            format!(
                "{states} states of {endpoints} endpoints each are {work} endpoints to analyse, more than the limit of {} (twice the {} {})",
                limits.endpoints.saturating_mul(TIMELINE_FACTOR),
                limits.endpoints,
                ENDPOINTS.what
            ),
        ));
    }
    Ok(())
}

/// Where a refusal of the value at `path` points: the value itself where the source map
/// has it, else its key; a path it does not know (an empty design) is the file's start.
fn refusal_position(doc: &crate::parse::Document, path: &str) -> (u32, u32) {
    let l = doc.locate(path);
    match doc.source_map.value_position(path) {
        Some(position) => position,
        None if l.line == 0 => (1, 1),
        None => (l.line, l.column),
    }
}

/// The located error for a design whose states hold more class pairs than
/// [`CLASS_PAIRS`] allows (the simulator counts them as it classifies each state):
/// at `steps` for a timeline, else at the first container or service, whose classes
/// the count is made of.
pub fn refuse_class_pairs(
    doc: &crate::parse::Document,
    states: usize,
    class_pairs: u64,
) -> ParseError {
    let s = &doc.scenario;
    let path = if !s.steps.is_empty() {
        "steps".to_string()
    } else if let Some(c) = s.containers.first() {
        c.origin.path.clone()
    } else if let Some(svc) = s.services.first() {
        svc.origin.path.clone()
    } else {
        String::new()
    };
    let (line, column) = refusal_position(doc, &path);
    let over = if states > 1 {
        format!("its first {states} states hold {class_pairs} pairs of endpoint classes")
    } else {
        format!("it holds {class_pairs} pairs of endpoint classes")
    };
    doc.limits.refuse(
        &CLASS_PAIRS,
        (&doc.file, line, column, &path),
        format!(
            "the design is too varied to decide: {over}, more than {}; endpoints that differ in their ports, service or networks are a class each",
            doc.limits.the_limit(&CLASS_PAIRS)
        ),
    )
}

/// The located error for YAML whose aliases expand beyond the parser's repetition limit
/// (an "alias bomb": ten aliases of ten aliases of ... a billion nodes from a few
/// hundred bytes); `None` for any other YAML error.
pub fn alias_bomb(file: &str, text: &str, e: &serde_yaml_ng::Error) -> Option<ParseError> {
    let message = e.to_string();
    if !message.contains("repetition limit exceeded") {
        return None;
    }
    // Where the aliases are: the first `*name` of the text.
    let offset = text.find('*').unwrap_or(0);
    let position = crate::parse::yaml_position(e).unwrap_or_else(|| line_column(text, offset));
    let message = "YAML aliases here expand to more nodes than the parser's limit (an alias bomb): the file would take unbounded memory to read";
    let help = "write the repeated part out, or use fewer levels of aliases of aliases; the parser's limit cannot be raised";
    Some(ParseError::at(file, position, "", message).with_help(help))
}

/// (line, column), 1-based, of byte `offset` of `text`.
pub fn line_column(text: &str, offset: usize) -> (u32, u32) {
    let before = &text[..text.floor_char_boundary_compat(offset)];
    let line = before.bytes().filter(|b| *b == b'\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line as u32, column as u32)
}

/// `str::floor_char_boundary` for the toolchain this crate supports.
trait FloorCharBoundary {
    fn floor_char_boundary_compat(&self, index: usize) -> usize;
}

impl FloorCharBoundary for str {
    fn floor_char_boundary_compat(&self, index: usize) -> usize {
        let mut i = index.min(self.len());
        while !self.is_char_boundary(i) {
            i -= 1;
        }
        i
    }
}

/// Checks a text before any parser sees it: its size and how deep it nests. The depth
/// is estimated in one pass over the text, the way a YAML or JSON parser would count
/// it: open flow brackets (`[`, `{` outside quotes and comments), the indentation levels
/// of block collections, and `- ` entries that open a sequence on the same line. The
/// estimate never undercounts what the parsers recurse on, so nothing deeper than the
/// limit reaches them.
pub fn check_text(file: &str, text: &str, limits: &Limits) -> Result<(), ParseError> {
    if text.len() as u64 > limits.file_bytes {
        let (line, column) = line_column(text, limits.file_bytes as usize);
        return Err(limits.refuse(
            &FILE_BYTES,
            (file, line, column, ""),
            format!(
                "the input is {} bytes, more than {}",
                text.len(),
                limits.the_limit(&FILE_BYTES)
            ),
        ));
    }
    match deepest(text, limits.nesting) {
        Some((offset, depth)) => {
            let (line, column) = line_column(text, offset);
            Err(limits.refuse(
                &NESTING,
                (file, line, column, ""),
                format!(
                    "the input nests {depth} levels deep here, more than {}",
                    limits.the_limit(&NESTING)
                ),
            ))
        }
        None => Ok(()),
    }
}

/// The byte offset where the estimated nesting first exceeds `max`, and that depth.
fn deepest(text: &str, max: u64) -> Option<(usize, u64)> {
    // Indentation of the open block collections, innermost last.
    let mut indents: Vec<usize> = Vec::new();
    let mut flow: u64 = 0;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let content = body.trim_start_matches([' ', '\t']);
        if flow == 0 {
            if content.is_empty() || content.starts_with('#') {
                continue;
            }
            let indent = body.len() - content.len();
            while indents.last().is_some_and(|i| *i >= indent) {
                indents.pop();
            }
            indents.push(indent);
        }
        // `- - - x`: each dash opens one more sequence on this line.
        let mut dashes = 0u64;
        let mut rest = content;
        while let Some(r) = rest.strip_prefix('-') {
            if !(r.is_empty() || r.starts_with([' ', '\t'])) {
                break;
            }
            dashes += 1;
            rest = r.trim_start_matches([' ', '\t']);
        }
        let block = indents.len() as u64 + dashes;
        if block + flow > max {
            return Some((start + (body.len() - content.len()), block + flow));
        }
        let mut quote: Option<char> = None;
        let mut previous = ' ';
        // Where the last quoted scalar of this line closed: `"a":"b"` opens a quote
        // right after the colon (a JSON-like key), `a:'b` does not (one plain scalar).
        let mut closed_at = None;
        for (i, c) in body.char_indices() {
            match (quote, c) {
                (Some(q), c) if c == q => {
                    quote = None;
                    closed_at = Some(i);
                }
                (Some(_), _) => {}
                (None, '"' | '\'')
                    if matches!(previous, ' ' | '\t' | '[' | '{' | ',')
                        || (previous == ':' && i >= 2 && closed_at == Some(i - 2)) =>
                {
                    quote = Some(c)
                }
                (None, '#') if matches!(previous, ' ' | '\t') || i == 0 => break,
                (None, '[' | '{') => {
                    flow += 1;
                    if block + flow > max {
                        return Some((start + i, block + flow));
                    }
                }
                (None, ']' | '}') => flow = flow.saturating_sub(1),
                _ => {}
            }
            previous = c;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_is_counted_in_every_spelling() {
        let limits = Limits {
            nesting: 8,
            ..Limits::default()
        };
        let ok = "name: t\nhosts:\n  - name: h\n    nics: [{name: e, ip: 10.0.0.1/24}]\n";
        assert!(check_text("t.yaml", ok, &limits).is_ok());
        let flow = format!("a: {}1{}\n", "[".repeat(20), "]".repeat(20));
        let e = check_text("t.yaml", &flow, &limits).unwrap_err();
        assert_eq!((e.line, e.column), (1, 11), "{e}");
        assert!(e.message.contains("levels of nesting"), "{e}");
        assert!(e.help.as_deref().unwrap().contains("cannot be raised"));
        let dashes = format!("a:\n  {}x\n", "- ".repeat(20));
        assert_eq!(check_text("t.yaml", &dashes, &limits).unwrap_err().line, 2);
        let mut indented = String::new();
        for i in 0..20 {
            indented.push_str(&format!("{}k{i}:\n", " ".repeat(i)));
        }
        let e = check_text("t.yaml", &indented, &limits).unwrap_err();
        assert_eq!(e.line, 9, "{e}");
        let json = format!("{}{}", "{\"a\":".repeat(20), "}".repeat(20));
        assert!(check_text("d.json", &json, &limits).is_err());
        // Brackets in quotes and comments do not count.
        let quoted = format!("a: '{}'\nb: 1 # {}\n", "[".repeat(20), "{".repeat(20));
        assert!(check_text("t.yaml", &quoted, &limits).is_ok());
        let json_quoted = format!("{{\"a\":\"{}\"}}\n", "[".repeat(20));
        assert!(check_text("d.json", &json_quoted, &limits).is_ok());
        // `a:'` is one plain scalar, not the start of a quoted one: what follows nests.
        let plain = format!("x: [a:',{}1{}]\n", "[".repeat(20), "]".repeat(20));
        let e = check_text("t.yaml", &plain, &limits).unwrap_err();
        assert!(e.message.contains("levels of nesting"), "{e}");
    }

    #[test]
    fn size_is_refused_where_it_crosses_the_limit() {
        let limits = Limits {
            file_bytes: 10,
            ..Limits::default()
        };
        let e = check_text("t.yaml", "name: t\nhosts: []\n", &limits).unwrap_err();
        assert_eq!((e.line, e.column), (2, 3), "{e}");
        assert!(e.help.as_deref().unwrap().contains("HNSIM_MAX_FILE_BYTES"));
    }

    #[test]
    fn overrides_come_from_the_lookup() {
        let l = Limits::with_overrides(|v| (v == "HNSIM_MAX_REPLICAS").then(|| "7".into()));
        assert_eq!(l.unwrap().replicas, 7);
        let bad = Limits::with_overrides(|v| (v == "HNSIM_MAX_STATES").then(|| "x".into()));
        assert!(bad.unwrap_err().contains("HNSIM_MAX_STATES"));
        assert_eq!(Limits::default().get(&NESTING), 64);
    }

    #[test]
    fn line_column_counts_characters() {
        assert_eq!(line_column("ab\ncé\nd", 6), (2, 3));
        assert_eq!(line_column("ab", 99), (1, 3));
    }
}
