//! Reading a compose file's untyped YAML values: scalars as text, lists and maps of
//! strings in either of Compose's spellings, and Compose's variable interpolation.

use serde_yaml_ng::{Mapping, Value};
use std::collections::BTreeMap;

pub(super) fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

pub(super) fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Sequence(s)) => s.iter().filter_map(scalar).collect(),
        Some(Value::Mapping(m)) => m
            .iter()
            .filter_map(|(k, v)| Some(format!("{}:{}", scalar(k)?, scalar(v).unwrap_or_default())))
            .collect(),
        Some(v) => scalar(v).into_iter().collect(),
        None => vec![],
    }
}

pub(super) fn str_map(v: Option<&Value>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    match v {
        Some(Value::Mapping(m)) => {
            for (k, v) in m {
                if let Some(k) = scalar(k) {
                    out.insert(k, scalar(v).unwrap_or_default());
                }
            }
        }
        Some(Value::Sequence(s)) => {
            for item in s.iter().filter_map(scalar) {
                let (k, v) = item.split_once('=').unwrap_or((item.as_str(), ""));
                out.insert(k.to_string(), v.to_string());
            }
        }
        _ => {}
    }
    out
}

fn empty() -> &'static Mapping {
    static EMPTY: std::sync::OnceLock<Mapping> = std::sync::OnceLock::new();
    EMPTY.get_or_init(Mapping::new)
}

pub(super) fn as_map(v: &Value) -> Option<&Mapping> {
    match v {
        Value::Mapping(m) => Some(m),
        Value::Null => Some(empty()),
        _ => None,
    }
}

/// Compose's variable interpolation, for what a file alone can say: `${VAR:-default}` and
/// `${VAR-default}` become their default (the variable is not set here), `$$` is a
/// literal `$`. `${VAR}` without a default stays as written, so that a field that needs
/// a value reports it where it matters.
pub(super) fn interpolate(value: &mut Value) {
    match value {
        Value::String(s) if s.contains('$') => *s = interpolate_str(s),
        Value::Sequence(items) => items.iter_mut().for_each(interpolate),
        Value::Mapping(m) => m.values_mut().for_each(interpolate),
        _ => {}
    }
}

fn interpolate_str(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(r) = after.strip_prefix('$') {
            out.push('$');
            rest = r;
            continue;
        }
        let braced = after
            .strip_prefix('{')
            .and_then(|b| b.find('}').map(|end| (&b[..end], &b[end + 1..])));
        match braced {
            Some((inner, tail)) => {
                let name_end = inner
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(inner.len());
                let op = &inner[name_end..];
                let default = op.strip_prefix(":-").or_else(|| op.strip_prefix('-'));
                match default {
                    Some(d) => out.push_str(d),
                    None => {
                        out.push_str("${");
                        out.push_str(inner);
                        out.push('}');
                    }
                }
                rest = tail;
            }
            None => {
                out.push('$');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}
