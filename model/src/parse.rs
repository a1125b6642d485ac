//! Reading a scenario file: YAML text -> [`Scenario`], with errors that point at the text.

use crate::limits::Limits;
use crate::scenario::Scenario;
use crate::source_map::SourceMap;
use std::fmt;

/// A parsed scenario together with what is needed to point findings at its text.
#[derive(Clone, Debug)]
pub struct Document {
    pub file: String,
    pub scenario: Scenario,
    pub source_map: SourceMap,
    /// The limits the document was read under; analysis keeps to them too.
    pub limits: Limits,
}

impl Document {
    /// A [`crate::finding::Location`] for a field path, falling back to the nearest
    /// ancestor that is written in the file. A model field the input spells otherwise
    /// (a compose key) is located, and named, as the input spells it.
    pub fn locate(&self, path: &str) -> crate::finding::Location {
        let path = self.source_map.input_path(path);
        let (line, column) = self.source_map.position(&path).unwrap_or((0, 0));
        crate::finding::Location {
            file: self.file.clone(),
            line,
            column,
            path,
        }
    }
}

/// Why a scenario could not be read. Names file, line, column and field, and says how
/// to fix it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ParseError {
    pub file: String,
    pub line: u32,
    pub column: u32,
    /// Field path, e.g. `networks[1].subnet`; empty for syntax errors.
    pub field: String,
    pub message: String,
    pub help: Option<String>,
}

impl ParseError {
    /// An error at `line`:`column` of `file`, in `field` (empty: none).
    pub fn at(
        file: &str,
        (line, column): (u32, u32),
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> ParseError {
        ParseError {
            file: file.to_string(),
            line,
            column,
            field: field.into(),
            message: message.into(),
            help: None,
        }
    }

    /// The error with a help line.
    pub fn with_help(self, help: impl Into<String>) -> ParseError {
        ParseError {
            help: Some(help.into()),
            ..self
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        if !self.field.is_empty() {
            write!(f, "field `{}`: ", self.field)?;
        }
        f.write_str(&self.message)?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// From this size on (about 1,000 containers written out), a scenario's two parsers run
/// on two threads.
const PARALLEL_PARSE_BYTES: usize = 64 * 1024;

/// Parses scenario text under the default [`Limits`]. `file` is only used in messages.
pub fn parse_scenario(file: &str, text: &str) -> Result<Document, ParseError> {
    parse_scenario_with(file, text, &Limits::default())
}

/// Parses scenario text under `limits`: the text's size and nesting are checked before
/// the YAML parsers run, the scenario's replicas, endpoints and steps after.
pub fn parse_scenario_with(
    file: &str,
    text: &str,
    limits: &Limits,
) -> Result<Document, ParseError> {
    crate::limits::check_text(file, text, limits)?;
    let has_content = text
        .lines()
        .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#') && l.trim() != "---");
    if !has_content {
        return Err(ParseError::at(file, (1, 1), "", "the file is empty").with_help(
            "write a scenario (see docs/scenario-format.md), docker command lines, a compose file or a daemon.json",
        ));
    }
    let deserialize = || {
        let de = serde_yaml_ng::Deserializer::from_str(text);
        serde_path_to_error::deserialize::<_, Scenario>(de)
    };
    // The two parsers read the same text and need nothing of each other: on a large
    // design each is half of the parse, so the map is built on a second thread; a
    // small one is read in less time than a thread takes to start.
    let (source_map, deserialized) = if text.len() < PARALLEL_PARSE_BYTES {
        (SourceMap::build(text), deserialize())
    } else {
        std::thread::scope(|scope| {
            let map = scope.spawn(|| SourceMap::build(text));
            let deserialized = deserialize();
            let map = map
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (map, deserialized)
        })
    };
    let mut scenario: Scenario = match deserialized {
        Ok(s) => s,
        Err(err) => {
            let field = err.path().to_string();
            let field = if field == "." { String::new() } else { field };
            let inner = err.into_inner();
            if let Some(bomb) = crate::limits::alias_bomb(file, text, &inner) {
                return Err(bomb);
            }
            // The deserializer stops at the first value of the wrong type, which in a
            // text that is not YAML at all (a compose file with a bad indent) can come
            // before the syntax error: the syntax is what to fix, and where.
            if let Err(syntax) = serde_yaml_ng::from_str::<serde::de::IgnoredAny>(text) {
                return Err(syntax_error(file, &syntax));
            }
            // serde_yaml points at the value it was reading, which for a custom
            // deserializer (OS names, ports, ...) can be the enclosing map; the source map
            // knows the field itself. The later of the two is the more precise.
            let serde_pos = yaml_position(&inner);
            // An unknown key is pointed at by its key; a bad value by its value.
            let unknown_key = inner.to_string().contains("unknown field `");
            let field_pos = if unknown_key {
                source_map.exact(&field)
            } else {
                source_map
                    .value_position(&field)
                    .or_else(|| source_map.exact(&field))
            };
            let (line, column) = match (serde_pos, field_pos) {
                (_, Some(key)) if unknown_key => key,
                (Some(a), Some(b)) => a.max(b),
                (a, b) => a
                    .or(b)
                    .or_else(|| source_map.position(&field))
                    .unwrap_or((1, 1)),
            };
            let message = without_place(inner.to_string());
            // ... and prefixes the path it knows; we print the field ourselves.
            let message = match message.split_once(": ") {
                Some((prefix, rest)) if !prefix.contains(' ') && !prefix.is_empty() => {
                    rest.to_string()
                }
                _ => message,
            };
            let help = suggest(&message);
            return Err(ParseError {
                help,
                ..ParseError::at(file, (line, column), field, message)
            });
        }
    };
    fold_container_ips(file, &mut scenario, &source_map)?;
    assign_origins(&mut scenario);
    let doc = Document {
        file: file.to_string(),
        scenario,
        source_map,
        limits: *limits,
    };
    crate::limits::check_scenario(&doc)?;
    Ok(doc)
}

/// A container's `ip:` onto its first attachment ([`Container::fold_ip`]), for the
/// containers of the design and of `run` steps; a refusal is located at the `ip` field.
fn fold_container_ips(
    file: &str,
    s: &mut Scenario,
    source_map: &SourceMap,
) -> Result<(), ParseError> {
    let containers = s
        .containers
        .iter_mut()
        .enumerate()
        .map(|(i, c)| (format!("containers[{i}]"), c));
    let steps = s
        .steps
        .iter_mut()
        .enumerate()
        .filter_map(|(i, step)| match step {
            crate::scenario::Step::Run(c) => Some((format!("steps[{i}].run"), c)),
            _ => None,
        });
    for (path, c) in containers.chain(steps) {
        if let Err(message) = c.fold_ip() {
            let field = format!("{path}.ip");
            let position = source_map.position(&field).unwrap_or((1, 1));
            return Err(ParseError::at(file, position, field, message).with_help(
                "`ip:` on a container is `docker run --ip`: the address on its first network",
            ));
        }
    }
    Ok(())
}

/// Fills in each object's field path so rules can locate it.
pub fn assign_origins(s: &mut Scenario) {
    macro_rules! origins {
        ($field:ident, $name:literal) => {
            for (i, o) in s.$field.iter_mut().enumerate() {
                o.origin.path = format!(concat!($name, "[{}]"), i);
            }
        };
    }
    origins!(segments, "segments");
    origins!(hosts, "hosts");
    origins!(vswitches, "vswitches");
    origins!(networks, "networks");
    origins!(containers, "containers");
    origins!(services, "services");
    origins!(clients, "clients");
    for (i, step) in s.steps.iter_mut().enumerate() {
        match step {
            crate::scenario::Step::CreateNetwork(n) => {
                n.origin.path = format!("steps[{i}].create-network")
            }
            crate::scenario::Step::Run(c) => c.origin.path = format!("steps[{i}].run"),
            crate::scenario::Step::CreateVswitch(v) => {
                v.origin.path = format!("steps[{i}].create-vswitch")
            }
            _ => {}
        }
    }
}

/// Where the YAML parser places an error: (line, column), 1-based.
pub(crate) fn yaml_position(e: &serde_yaml_ng::Error) -> Option<(u32, u32)> {
    e.location().map(|l| (l.line() as u32, l.column() as u32))
}

/// A parser's message without the place it appends (" at line 3 column 5"): the error
/// says the place once, as `file:line:column`.
pub(crate) fn without_place(mut message: String) -> String {
    if let Some(cut) = message.find(" at line ") {
        message.truncate(cut);
    }
    message
}

/// A text that is not YAML, at the parser's position.
fn syntax_error(file: &str, e: &serde_yaml_ng::Error) -> ParseError {
    let position = yaml_position(e).unwrap_or((1, 1));
    let message = without_place(e.to_string());
    ParseError::at(file, position, "", format!("not valid YAML: {message}")).with_help(
        "check the indentation of this line and the one before (spaces only, the same depth for keys of one mapping), and that every `key: value` has its space after the colon",
    )
}

/// For serde's "unknown field `x`, expected one of `a`, `b`" and "unknown variant"
/// messages, the closest expected name.
fn suggest(message: &str) -> Option<String> {
    let kind = if message.starts_with("unknown field") {
        "field"
    } else if message.starts_with("unknown variant") {
        "value"
    } else {
        return hint_for(message);
    };
    let mut quoted = message.split('`').skip(1).step_by(2);
    let given = quoted.next()?;
    let expected: Vec<&str> = quoted.collect();
    let best = expected
        .iter()
        .map(|e| (crate::similarity(given, e), *e))
        .filter(|(score, _)| *score > 0.75)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    Some(match best {
        Some((_, name)) => format!("did you mean `{name}`?"),
        None => format!(
            "this {kind} is not part of the scenario format; expected one of: {}",
            expected.join(", ")
        ),
    })
}

fn hint_for(message: &str) -> Option<String> {
    if message.contains("invalid IP address syntax") {
        Some("write an address such as 10.0.0.10, or a subnet with its prefix length such as 10.0.0.0/24".into())
    } else if message.starts_with("missing field") {
        let name = message.split('`').nth(1)?;
        Some(format!("add `{name}:` to this object"))
    } else if message.starts_with("invalid type") {
        Some("check the value's type against docs/scenario-format.md".into())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The error that refuses `text`.
    fn refused(text: &str) -> ParseError {
        parse_scenario("t.yaml", text).unwrap_err()
    }

    #[test]
    fn misspelled_key_gets_suggestion_and_location() {
        let text = "name: t\nnetworks:\n  - name: a\n    driver: nat\n    subnte: 10.0.0.0/24\n";
        let err = refused(text);
        assert_eq!((err.line, err.column), (5, 5), "{err}");
        assert_eq!(err.field, "networks[0].subnte");
        assert_eq!(err.help.as_deref(), Some("did you mean `subnet`?"));
    }

    #[test]
    fn text_that_is_not_yaml_gets_its_syntax_error_not_a_type_error() {
        // A compose file with a bad indent: the first type error (services is a map)
        // comes before the syntax error, which is what the author must fix.
        let text = "services:\n  web:\n    image: nginx\n     ports:\n      - \"80:80\"\n";
        let err = parse_scenario("compose.yaml", text).unwrap_err();
        assert_eq!(err.line, 4, "{err}");
        assert!(err.message.starts_with("not valid YAML"), "{err}");
        assert!(err.field.is_empty(), "{err}");
    }

    #[test]
    fn bad_cidr_names_the_field() {
        let text = "name: t\nsegments:\n  - name: lan\n    subnet: 10.0.0.300/24\n";
        let err = refused(text);
        assert_eq!(err.field, "segments[0].subnet");
        assert_eq!(err.line, 4, "{err}");
    }

    #[test]
    fn empty_file_is_an_error() {
        for text in ["", "\n", "# only a comment\n", "---\n"] {
            let err = refused(text);
            assert_eq!(err.message, "the file is empty");
        }
    }

    #[test]
    fn unknown_os_points_at_the_os_field() {
        let text = "name: t\nhosts:\n  - name: h\n    os: ws2012\n";
        let err = refused(text);
        assert_eq!(
            (err.line, err.column, err.field.as_str()),
            (4, 9, "hosts[0].os"),
            "{err}"
        );
    }

    #[test]
    fn bad_ip_in_attachment_says_so() {
        let text = "name: t\ncontainers:\n  - name: c\n    host: h\n    networks:\n      - {network: nat, ip: 172.16.0.300}\n";
        let err = refused(text);
        assert!(err.message.contains("172.16.0.300"), "{err}");
        assert_eq!(err.line, 6, "{err}");
    }

    #[test]
    fn bad_yaml_is_an_error_not_a_panic() {
        let err = refused("name: [unclosed\n");
        assert!(err.line >= 1);
    }

    #[test]
    fn origins_are_assigned() {
        let doc =
            parse_scenario("t.yaml", "name: t\nhosts:\n  - name: h\n    os: ws2019\n").unwrap();
        assert_eq!(doc.scenario.hosts[0].origin.path, "hosts[0]");
        assert_eq!(doc.locate("hosts[0].os").line, 4);
    }
}
