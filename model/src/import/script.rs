//! A host's command text as a script: logical lines (continuations, prompts), shell and
//! PowerShell variables set and used on the way, documentation placeholders, and the
//! commands each line holds, each with where it was written.

use super::{codes, shell};
use crate::finding::{Finding, Location};
use crate::limits::{self, Limits};
use std::collections::HashMap;

/// One command with where it was written.
pub(super) struct LocatedCommand {
    pub words: Vec<String>,
    pub src: Location,
}

/// Shell and PowerShell variables a script sets (`NET=app`, `$net = "app"`) and uses
/// later (`$NET`, `${NET}`, `$net`), so that scripted commands import with their values.
/// Names are case-insensitive (PowerShell's are); a value may not grow beyond
/// `max_bytes` (`A=$A$A` doubled forty times would be a terabyte, [`limits::VARIABLE_BYTES`]).
pub(super) struct ScriptVariables {
    values: HashMap<String, String>,
    max_bytes: usize,
    how_to_raise: String,
}

/// What a line was, for [`ScriptVariables::assign`].
enum Assignment {
    /// Not an assignment: a command line.
    No,
    Done,
    /// The value would be this many bytes, over the limit.
    TooLong(String, usize),
}

impl ScriptVariables {
    pub fn new(limits: &Limits) -> Self {
        ScriptVariables {
            values: HashMap::new(),
            max_bytes: usize::try_from(limits.variable_bytes).unwrap_or(usize::MAX),
            how_to_raise: limits.how_to_raise(&limits::VARIABLE_BYTES),
        }
    }

    /// Records `line` if it is only a variable assignment.
    fn assign(&mut self, line: &str) -> Assignment {
        let t = line.trim();
        let t = t
            .strip_prefix("export ")
            .or_else(|| t.strip_prefix("set "))
            .map(str::trim_start)
            .unwrap_or(t);
        let (name, value) = match t.strip_prefix('$') {
            Some(rest) => match rest.split_once('=') {
                Some((n, v)) => (n.trim(), v.trim()),
                None => return Assignment::No,
            },
            None => match t.split_once('=') {
                Some((n, v)) if !n.contains(char::is_whitespace) => (n, v),
                _ => return Assignment::No,
            },
        };
        let ident = !name.is_empty()
            && name
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ident {
            return Assignment::No;
        }
        let unquoted = ["\"", "'"]
            .iter()
            .find_map(|q| value.strip_prefix(q).and_then(|v| v.strip_suffix(q)));
        let value = match unquoted {
            Some(v) => v,
            None if value.contains(char::is_whitespace) => return Assignment::No,
            None => value,
        };
        match self.substitute(value, self.max_bytes) {
            Ok(value) => {
                self.values.insert(name.to_ascii_lowercase(), value);
                Assignment::Done
            }
            Err(len) => Assignment::TooLong(name.to_string(), len),
        }
    }

    /// `text` with the variables' values in, or the length it would have when that is
    /// more than `max` bytes.
    fn substitute(&self, text: &str, max: usize) -> Result<String, usize> {
        if self.values.is_empty() || !text.contains('$') {
            return Ok(text.to_string());
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(at) = rest.find('$') {
            out.push_str(&rest[..at]);
            let after = &rest[at + 1..];
            let (name, len) = match after.strip_prefix('{') {
                Some(b) => match b.find('}') {
                    Some(end) => (&b[..end], end + 2),
                    None => ("", 0),
                },
                None => {
                    let end = after
                        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .unwrap_or(after.len());
                    (&after[..end], end)
                }
            };
            match self.values.get(&name.to_ascii_lowercase()) {
                Some(value) if !name.is_empty() => {
                    if out.len() + value.len() > max {
                        return Err(out.len() + value.len() + after.len() - len);
                    }
                    out.push_str(value);
                    rest = &after[len..];
                }
                _ => {
                    out.push('$');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        Ok(out)
    }
}

/// Splits a host's command text into commands; `locate(k, first_line)` gives the
/// location of the k-th logical line.
pub(super) fn entries(
    text: &str,
    locate: &dyn Fn(usize, usize) -> Location,
    vars: &mut ScriptVariables,
    findings: &mut Vec<Finding>,
) -> Vec<LocatedCommand> {
    let mut out = Vec::new();
    for (k, line) in shell::logical_lines(text).iter().enumerate() {
        let src = locate(k, line.first_line);
        let how = vars.how_to_raise.clone();
        let too_long = |name: &str, len: usize, max: usize| {
            codes::finding(
                "IMP022",
                &src,
                format!(
                    "{name} would be {len} bytes long, more than {max} ({})",
                    how
                ),
            )
        };
        match vars.assign(&line.text) {
            Assignment::Done => continue,
            Assignment::TooLong(name, len) => {
                findings.push(too_long(&format!("variable `{name}`"), len, vars.max_bytes));
                continue;
            }
            Assignment::No => {}
        }
        // A command line may hold several values: up to the limit on top of its own text.
        let max = vars.max_bytes.saturating_add(line.text.len());
        let substituted = match vars.substitute(&line.text, max) {
            Ok(text) => text,
            Err(len) => {
                findings.push(too_long(
                    "this line with its variables",
                    len,
                    vars.max_bytes,
                ));
                continue;
            }
        };
        let (text, holders) = placeholders(&substituted);
        if !holders.is_empty() {
            findings.push(codes::finding(
                "IMP020",
                &src,
                if holders.len() == 1 {
                    format!(
                        "{} is a placeholder from the documentation, used here as a literal name: replace it with a real value",
                        holders[0]
                    )
                } else {
                    format!(
                        "{} are placeholders from the documentation, used here as literal names: replace them with real values",
                        holders.join(", ")
                    )
                },
            ));
        }
        let line = &shell::LogicalLine {
            text,
            ..line.clone()
        };
        match shell::split_commands(line) {
            Ok(cmds) => out.extend(cmds.into_iter().map(|words| LocatedCommand {
                words,
                src: src.clone(),
            })),
            Err(e) => findings.push(codes::finding("IMP008", &src, e)),
        }
    }
    out
}

/// Documentation placeholders such as `<image>` or `<network name>`: a shell would read
/// them as redirections. They are kept as one literal word (`<network-name>`) so that
/// the command still describes the design, and reported.
fn placeholders(text: &str) -> (String, Vec<String>) {
    let mut out = String::with_capacity(text.len());
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        let end = after.find('>');
        let inner = end.map(|e| &after[..e]);
        let is_placeholder = inner.is_some_and(|i| {
            !i.is_empty()
                && i.len() <= 40
                && i.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && i.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.'))
        });
        match (is_placeholder, inner, end) {
            (true, Some(i), Some(e)) => {
                out.push_str(&rest[..start]);
                out.push('<');
                out.push_str(&i.replace(' ', "-"));
                out.push('>');
                found.push(format!("`<{i}>`"));
                rest = &after[e + 1..];
            }
            _ => {
                out.push_str(&rest[..=start]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    (out, found)
}
