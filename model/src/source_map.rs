//! Maps field paths (`networks[2].subnet`) to line and column in the scenario text.
//!
//! serde forgets positions once a value is deserialized, but every finding must point at
//! the text. The map is built from the YAML event stream (yaml-rust2 gives a marker per
//! event), so it costs one extra pass over the text and no change to the types.
//!
//! A design of 100,000 containers writes over a million field paths, and the map is
//! asked for a few of them (the findings'). It therefore keeps each path's 64-bit hash,
//! not the path: the builder hashes the path string it already holds, so no path is
//! allocated, and the map is a third of the size. Two paths of one file share a hash
//! with a probability of about n²/2⁶⁵ (10⁻⁸ for a million paths); were they to, a
//! finding would point at the other's line, nothing else.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::Arc;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// Where a field path is written: its first mark (the key, or the value of a sequence
/// element) and, when the field has a value, where that value starts.
#[derive(Clone, Copy, Debug)]
struct Marks {
    first: (u32, u32),
    value: Option<(u32, u32)>,
}

/// The positions read from one YAML text, keyed by the hash of each path relative to
/// `prefix` (empty unless the text stands for one field of a scenario, a compose file).
/// The hasher is seeded at random, so a text cannot be written to make paths collide.
#[derive(Clone, Debug, Default)]
struct Parsed {
    prefix: String,
    hasher: foldhash::quality::RandomState,
    positions: crate::hash::HashMap<u64, Marks>,
}

impl Parsed {
    fn key(&self, relative_path: &str) -> u64 {
        self.hasher.hash_one(relative_path)
    }

    /// The marks of `path`, when it is under the prefix and was written in the text.
    fn get(&self, path: &str) -> Option<&Marks> {
        let relative = if self.prefix.is_empty() {
            path
        } else {
            let rest = path.strip_prefix(self.prefix.as_str())?;
            match rest.as_bytes().first() {
                None => "",
                Some(b'.') => &rest[1..],
                Some(b'[') => rest,
                Some(_) => return None,
            }
        };
        self.positions.get(&self.key(relative))
    }
}

#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    /// Shared between the copies a document's analysis makes.
    parsed: Arc<Parsed>,
    /// Positions recorded by hand ([`SourceMap::insert`]): a few, for inputs that are
    /// not YAML. They take precedence over the parsed ones.
    inserted: HashMap<String, (u32, u32)>,
    /// Model field paths written under another name in the input: an object the
    /// importer made from a compose file carries model paths (`...services.web.link`)
    /// whose text is a compose key (`...services.web.links`). See [`SourceMap::rename`].
    renames: HashMap<String, String>,
}

impl SourceMap {
    /// Builds the map. Where this parser stops at an error, the positions read before it
    /// are kept: the YAML the importers read is parsed by another parser, which accepts
    /// some texts this one refuses, and a finding about them still needs its line.
    pub fn build(text: &str) -> SourceMap {
        let mut builder = Builder::default();
        let mut parser = Parser::new_from_str(text);
        // An error leaves the positions read so far; the rest fall back to ancestors.
        let _ = parser.load(&mut builder, false);
        SourceMap {
            parsed: Arc::new(builder.parsed),
            inserted: HashMap::new(),
            renames: HashMap::new(),
        }
    }

    /// 1-based (line, column) of the value at `path`, or of its nearest ancestor that
    /// is in the text.
    pub fn position(&self, path: &str) -> Option<(u32, u32)> {
        let mut p = path;
        loop {
            if let Some(first) = self.exact(p) {
                return Some(first);
            }
            let cut = p.rfind(['.', '['])?;
            p = &p[..cut];
        }
    }

    /// Records where `path` is, for inputs that are not YAML (a file of docker commands
    /// imported into `hosts[0].commands[k]`).
    pub fn insert(&mut self, path: impl Into<String>, line: u32, column: u32) {
        self.inserted.insert(path.into(), (line, column));
    }

    /// The same positions below `prefix` (`services.web` -> `hosts[0].compose.services.web`),
    /// for a file that stands for one field of a scenario (a compose file). Positions
    /// inserted by hand are not carried over: they were not read from the text.
    pub fn prefixed(self, prefix: &str) -> SourceMap {
        let mut parsed = Arc::unwrap_or_clone(self.parsed);
        parsed.prefix = prefix.to_string();
        SourceMap {
            parsed: Arc::new(parsed),
            inserted: HashMap::new(),
            renames: HashMap::new(),
        }
    }

    /// Records that the model field `model_path` (and everything below it) was written
    /// at `input_path`, so that a finding about the model field points at the input's
    /// own key and says its name.
    pub fn rename(&mut self, model_path: impl Into<String>, input_path: impl Into<String>) {
        self.renames.insert(model_path.into(), input_path.into());
    }

    /// The path as the input spells it: the longest renamed ancestor of `path` (itself
    /// included) replaced by its input path; `path` itself when nothing was renamed.
    pub fn input_path(&self, path: &str) -> String {
        if self.renames.is_empty() {
            return path.to_string();
        }
        let mut cut = path.len();
        loop {
            if let Some(to) = self.renames.get(&path[..cut]) {
                return format!("{to}{}", &path[cut..]);
            }
            match path[..cut].rfind(['.', '[']) {
                Some(c) => cut = c,
                None => return path.to_string(),
            }
        }
    }

    /// Where the value of the field at `path` starts (after `key: `), if written.
    pub fn value_position(&self, path: &str) -> Option<(u32, u32)> {
        self.parsed.get(path).and_then(|m| m.value)
    }

    /// Like [`SourceMap::position`], but only an exact match.
    pub fn exact(&self, path: &str) -> Option<(u32, u32)> {
        self.inserted
            .get(path)
            .copied()
            .or_else(|| self.parsed.get(path).map(|m| m.first))
    }
}

/// One open collection while walking the events; `base` is the length of the current
/// path where the collection's own segments start.
enum Frame {
    Map { base: usize, expecting_key: bool },
    Seq { base: usize, index: usize },
}

/// Walks the YAML events keeping the current field path as one string that grows and
/// shrinks with the nesting (building it afresh for every event made large files slow).
#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    path: String,
    parsed: Parsed,
}

impl Builder {
    /// A value (scalar or collection start) appeared: record it and advance the parent.
    fn value_at(&mut self, mark: Marker) {
        if let Some(Frame::Seq { base, index }) = self.stack.last() {
            let (base, index) = (*base, *index);
            self.path.truncate(base);
            use std::fmt::Write;
            let _ = write!(self.path, "[{index}]");
        }
        let pos = (mark.line() as u32, mark.col() as u32 + 1);
        let key = self.parsed.key(&self.path);
        self.parsed
            .positions
            .entry(key)
            .and_modify(|m| m.value = Some(pos))
            .or_insert(Marks {
                first: pos,
                value: Some(pos),
            });
    }

    fn after_value(&mut self) {
        match self.stack.last_mut() {
            Some(Frame::Map { expecting_key, .. }) => *expecting_key = true,
            Some(Frame::Seq { index, .. }) => *index += 1,
            None => {}
        }
    }

    /// Returns true if the event was a mapping key (consumed).
    fn take_key(&mut self, value: &str, mark: Marker) -> bool {
        if let Some(Frame::Map {
            base,
            expecting_key,
        }) = self.stack.last_mut()
        {
            if *expecting_key {
                *expecting_key = false;
                let base = *base;
                self.path.truncate(base);
                if base > 0 {
                    self.path.push('.');
                }
                self.path.push_str(value);
                let key = self.parsed.key(&self.path);
                self.parsed.positions.entry(key).or_insert(Marks {
                    first: (mark.line() as u32, mark.col() as u32 + 1),
                    value: None,
                });
                return true;
            }
        }
        false
    }

    fn open(&mut self, frame: impl FnOnce(usize) -> Frame, mark: Marker) {
        self.value_at(mark);
        let base = self.path.len();
        self.stack.push(frame(base));
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        match ev {
            Event::Scalar(value, ..) if !self.take_key(&value, mark) => {
                self.value_at(mark);
                self.after_value();
            }
            Event::MappingStart(..) => self.open(
                |base| Frame::Map {
                    base,
                    expecting_key: true,
                },
                mark,
            ),
            Event::SequenceStart(..) => self.open(|base| Frame::Seq { base, index: 0 }, mark),
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
                self.after_value();
            }
            Event::Alias(_) => {
                self.value_at(mark);
                self.after_value();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A path is at its key; one not written falls back to the nearest ancestor, and
    /// so does one after a syntax error: what was read before the error keeps its place.
    #[test]
    fn paths_point_at_keys() {
        let text = "name: x\nnetworks:\n  - name: a\n    subnet: 10.0.0.0/24\n  - name: b\n    driver: nat\n";
        let broken = "services:\n  web:\n    scale: 9\n  db: [\n";
        for (text, path, at) in [
            (text, "name", (1, 1)),
            (text, "networks[0].subnet", (4, 5)),
            (text, "networks[1].driver", (6, 5)),
            (broken, "services.web.scale", (3, 5)),
            (broken, "services.web.image", (2, 3)),
        ] {
            assert_eq!(SourceMap::build(text).position(path), Some(at), "{path}");
        }
        let map = SourceMap::build(text);
        assert_eq!(
            map.position("networks[1].gateway"),
            map.position("networks[1]")
        );
        assert!(map.exact("networks[1].gateway").is_none());
        assert_eq!(map.value_position("networks[0].subnet"), Some((4, 13)));
    }

    /// A compose file's map answers for the scenario field it stands for, and only
    /// there; a position inserted by hand wins over the parsed one.
    #[test]
    fn prefixed_map_answers_below_its_prefix() {
        let text = "services:\n  web:\n    image: nginx\n    ports: ['80:80']\n";
        let mut map = SourceMap::build(text).prefixed("hosts[0].compose");
        for (path, at) in [
            ("hosts[0].compose.services.web.image", Some((3, 5))),
            ("hosts[0].compose.services.web.ports[0]", Some((4, 13))),
            ("hosts[0].composed.services", None),
            ("services.web.image", None),
        ] {
            assert_eq!(map.exact(path), at, "{path}");
        }
        assert_eq!(
            map.position("hosts[0].compose.services.web.user"),
            Some((2, 3))
        );
        map.insert("hosts[0].compose.services.web.image", 9, 1);
        assert_eq!(
            map.exact("hosts[0].compose.services.web.image"),
            Some((9, 1))
        );
        assert_eq!(
            map.value_position("hosts[0].compose.services.web.image"),
            Some((3, 12))
        );
    }

    #[test]
    fn renamed_fields_use_the_input_path() {
        let mut map = SourceMap::default();
        map.rename("c.services.web.link", "c.services.web.links");
        map.rename("c.services.web.networks[1]", "c.services.web.networks.back");
        for (model, input) in [
            ("c.services.web.link", "c.services.web.links"),
            (
                "c.services.web.networks[1].ip",
                "c.services.web.networks.back.ip",
            ),
            ("c.services.web.ports[0]", "c.services.web.ports[0]"),
            ("x", "x"),
        ] {
            assert_eq!(map.input_path(model), input);
        }
    }
}
