//! From an answer with identity tokens to the cell of one concrete (source,
//! destination) pair.

use crate::answer::{AddressTemplate, Answer, Outcome, DST_IP, DST_NAME, SRC_IP, SRC_NAME};
use crate::context::Context;
use crate::matrix::{Address, AddressKind, Cell, Disposition, Hop, Probe};
use crate::nodes::Party;
use std::net::IpAddr;

/// What the tokens of one node stand for.
pub(super) struct Ident {
    ip: String,
    name: String,
}

impl Ident {
    /// Node `i`'s address (or `(no address)`) and name (its container's, else its
    /// label).
    pub fn of(ctx: &Context, i: usize) -> Ident {
        let node = &ctx.parties.nodes[i];
        let name = match ctx.parties.party[i] {
            Party::Endpoint(k) => ctx.parties.endpoints[k].name.clone(),
            _ => node.label.clone(),
        };
        Ident {
            ip: node
                .ip
                .map(|x| x.to_string())
                .unwrap_or_else(|| "(no address)".into()),
            name,
        }
    }
}

/// Replaces the identity tokens in one pass. This runs for every hop of every cell
/// (millions for a large service), so it allocates once and scans once instead of
/// chaining `str::replace` per token.
fn subst(text: &str, s: &Ident, t: &Ident) -> String {
    let Some(first) = text.find('{') else {
        return text.to_string();
    };
    let mut out = String::with_capacity(text.len() + 16);
    out.push_str(&text[..first]);
    let mut rest = &text[first..];
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let tokens = [
            (SRC_IP, s.ip.as_str()),
            (DST_IP, t.ip.as_str()),
            (SRC_NAME, s.name.as_str()),
            (DST_NAME, t.name.as_str()),
        ];
        match tokens.iter().find(|(tok, _)| rest.starts_with(tok)) {
            Some((tok, val)) => {
                out.push_str(val);
                rest = &rest[tok.len()..];
            }
            None => {
                out.push('{');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Adds `more` to `facts`, each once, keeping the order.
fn union(facts: &mut Vec<String>, more: &[String]) {
    for f in more {
        if !facts.contains(f) {
            facts.push(f.clone());
        }
    }
}

/// The cell of nodes `s` to `t` with `probe`, from an answer computed for their
/// classes.
pub(super) fn cell(
    ctx: &Context,
    si: &Ident,
    ti: &Ident,
    s: usize,
    t: usize,
    probe: Probe,
    a: &Answer,
) -> Cell {
    let path: Vec<Hop> = a
        .hops
        .iter()
        .map(|h| Hop {
            at: subst(&h.at, si, ti),
            mechanism: h.mechanism,
            detail: subst(&h.detail, si, ti),
            facts: h.facts.clone(),
        })
        .collect();
    let mut facts: Vec<String> = Vec::new();
    for h in &path {
        union(&mut facts, &h.facts);
    }
    let disposition = match &a.outcome {
        Outcome::Delivered => Disposition::Delivered,
        Outcome::Denied(d) => {
            union(&mut facts, &d.facts);
            Disposition::Denied {
                reason: d.reason,
                why: subst(&d.why, si, ti),
            }
        }
        Outcome::Unknown { why, facts: fs, .. } => {
            union(&mut facts, fs);
            Disposition::Unknown {
                why: subst(why, si, ti),
            }
        }
    };
    let dst_ip = match ctx.parties.party[t] {
        Party::Endpoint(k) => ctx.parties.endpoints[k].ip,
        _ => None,
    };
    let name = a.name.as_ref().map(|n| subst(n, si, ti));
    Cell {
        from: ctx.parties.nodes[s].id.clone(),
        to: ctx.parties.nodes[t].id.clone(),
        probe,
        disposition,
        address: a.address.as_ref().and_then(|x| address(x, dst_ip, name)),
        path,
        facts,
        observation: None,
    }
}

/// The concrete address: `dst_ip` is the destination endpoint's IP for a container-IP
/// template; `name` is the resolved DNS name, if any.
fn address(t: &AddressTemplate, dst_ip: Option<IpAddr>, name: Option<String>) -> Option<Address> {
    match t {
        AddressTemplate::ContainerIp { port } => {
            let ip = dst_ip?;
            Some(Address {
                kind: AddressKind::ContainerIp,
                value: with_port(ip, *port),
                ip: Some(ip),
                port: *port,
                name,
            })
        }
        AddressTemplate::Fixed {
            kind,
            value,
            ip,
            port,
        } => Some(Address {
            kind: *kind,
            value: value.clone(),
            ip: *ip,
            port: *port,
            name,
        }),
    }
}

/// `10.0.0.5:80`, `[fd00::5]:80`, or the bare IP.
fn with_port(ip: IpAddr, port: Option<u16>) -> String {
    match (ip, port) {
        (IpAddr::V4(v4), Some(p)) => format!("{v4}:{p}"),
        (IpAddr::V6(v6), Some(p)) => format!("[{v6}]:{p}"),
        (ip, None) => ip.to_string(),
    }
}
