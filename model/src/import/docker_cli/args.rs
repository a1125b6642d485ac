//! Parsing a command's words into flags and positionals the way Docker's CLI
//! (spf13/pflag) does.

use super::flags::{Arity, Effect, FlagSpec};
use Arity::{Bool, Value};

/// A flag as written, with its canonical name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlagUse {
    /// Canonical long name (`publish` for `-p`).
    pub name: String,
    /// As written (`-p`, `--publish`, `--net`).
    pub spelled: String,
    pub value: Option<String>,
    pub effect: Effect,
}

impl FlagUse {
    /// `spec` as written `spelled`, with its value.
    fn of(spec: &FlagSpec, spelled: String, value: Option<String>) -> FlagUse {
        FlagUse {
            name: spec.names[0].to_string(),
            spelled,
            value,
            effect: spec.effect,
        }
    }
}

/// The word after a flag, consumed as its value (`--network app`, `-p 80:80`); `None`
/// when the command ends there, which Docker refuses ("flag needs an argument").
fn next_word(words: &[String], i: &mut usize) -> Option<String> {
    let w = words.get(*i)?.clone();
    *i += 1;
    Some(w)
}

/// A flag Docker does not know, or one that is not about networking.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub spelled: String,
    pub effect: Effect,
    /// The flag is not one Docker has (Docker would refuse the command).
    pub unknown: bool,
}

#[derive(Clone, Debug, Default)]
pub struct Args {
    pub flags: Vec<FlagUse>,
    pub positionals: Vec<String>,
    pub notes: Vec<Note>,
    pub errors: Vec<String>,
}

impl Args {
    pub fn values(&self, name: &str) -> Vec<String> {
        self.flags
            .iter()
            .filter(|f| f.name == name)
            .filter_map(|f| f.value.clone())
            .collect()
    }
    pub fn value(&self, name: &str) -> Option<String> {
        self.values(name).pop()
    }
    /// A boolean flag: present, and not `--flag=false`.
    pub fn is_set(&self, name: &str) -> bool {
        self.flags.iter().any(|f| {
            f.name == name
                && !f
                    .value
                    .as_deref()
                    .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "false" | "0"))
        })
    }
}

pub(super) fn find_long<'a>(specs: &'a [FlagSpec], name: &str) -> Option<&'a FlagSpec> {
    specs.iter().find(|s| s.names.contains(&name))
}

pub(super) fn find_short(specs: &[FlagSpec], c: char) -> Option<&FlagSpec> {
    specs.iter().find(|s| s.short == Some(c))
}

/// Parses flags and positionals. `interspersed: false` stops at the first positional.
/// Returns the args and the index of the first word not consumed (only for
/// `stop_after` positionals; otherwise `words.len()`).
pub(super) fn parse_args(words: &[String], specs: &[FlagSpec], interspersed: bool) -> Args {
    let mut args = Args::default();
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        i += 1;
        if w == "--" {
            args.positionals.extend(words[i..].iter().cloned());
            break;
        }
        if let Some(long) = w.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            match find_long(specs, name) {
                Some(spec) => {
                    let value = match (spec.arity, inline) {
                        (_, Some(v)) => Some(v),
                        (Bool, None) => None,
                        (Value, None) => {
                            let Some(v) = next_word(words, &mut i) else {
                                args.errors
                                    .push(format!("flag needs an argument: --{name}"));
                                continue;
                            };
                            Some(v)
                        }
                    };
                    args.flags
                        .push(FlagUse::of(spec, format!("--{name}"), value));
                }
                None => {
                    // Most Docker flags take a value: an unknown `--flag word more...`
                    // consumes `word`, as long as something is left for the positionals.
                    if inline.is_none() && i + 1 < words.len() && !words[i].starts_with('-') {
                        i += 1;
                    }
                    args.notes.push(Note {
                        spelled: format!("--{name}"),
                        effect: Effect::NotModelled,
                        unknown: true,
                    });
                }
            }
            continue;
        }
        if w.len() > 1 && w.starts_with('-') {
            let chars: Vec<char> = w[1..].chars().collect();
            let mut k = 0;
            while k < chars.len() {
                let c = chars[k];
                k += 1;
                let Some(spec) = find_short(specs, c) else {
                    args.notes.push(Note {
                        spelled: format!("-{c}"),
                        effect: Effect::NotModelled,
                        unknown: true,
                    });
                    continue;
                };
                let value = match spec.arity {
                    Bool => {
                        if chars.get(k) == Some(&'=') {
                            let v: String = chars[k + 1..].iter().collect();
                            k = chars.len();
                            Some(v)
                        } else {
                            None
                        }
                    }
                    Value => {
                        let rest: String = chars[k..].iter().collect();
                        k = chars.len();
                        if !rest.is_empty() {
                            Some(rest.strip_prefix('=').unwrap_or(&rest).to_string())
                        } else if let Some(v) = next_word(words, &mut i) {
                            Some(v)
                        } else {
                            args.errors
                                .push(format!("flag needs an argument: '{c}' in -{c}"));
                            continue;
                        }
                    }
                };
                args.flags.push(FlagUse::of(spec, format!("-{c}"), value));
            }
            continue;
        }
        args.positionals.push(w.clone());
        if !interspersed {
            args.positionals.extend(words[i..].iter().cloned());
            break;
        }
    }
    for f in &args.flags {
        if f.effect != Effect::Modelled {
            args.notes.push(Note {
                spelled: f.spelled.clone(),
                effect: f.effect,
                unknown: false,
            });
        }
    }
    args
}
