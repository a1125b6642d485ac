//! Mermaid flowchart of the topology, for docs and READMEs that render Mermaid.

use crate::dot::{Graph, Kind};
use hnsim_sim::matrix::Topology;
use std::fmt::Write;

/// Mermaid labels are quoted; quotes and angle brackets become entities, newlines `<br>`.
fn label(s: &str) -> String {
    crate::text::quoted(s, |c| match c {
        '"' => Some("#quot;"),
        '<' => Some("#lt;"),
        '>' => Some("#gt;"),
        '#' => Some("#35;"),
        '\n' => Some("<br>"),
        _ => None,
    })
}

fn shape(kind: Kind, id: &str, text: &str) -> String {
    let l = label(text);
    match kind {
        Kind::Segment => format!("{id}[{l}]:::segment"),
        Kind::Nic => format!("{id}>{l}]:::nic"),
        Kind::Vswitch => format!("{id}({l}):::vswitch"),
        Kind::Network => format!("{id}[{l}]:::network"),
        Kind::Endpoint => format!("{id}([{l}]):::endpoint"),
        Kind::Client => format!("{id}({l}):::client"),
    }
}

pub fn topology(t: &Topology) -> String {
    let g = Graph::new(t);
    // Generated ids: Mermaid ids cannot carry `@`, `/` or `:`.
    let id = |i: usize| format!("n{i}");
    let mut out = String::from("flowchart TB\n");
    for (k, (host, text)) in g.hosts.iter().enumerate() {
        let _ = writeln!(out, "  subgraph h{k}[{}]", label(text));
        out.push_str("    direction TB\n");
        for (i, n) in g.nodes.iter().enumerate() {
            if n.host.as_deref() == Some(host) {
                let _ = writeln!(out, "    {}", shape(n.kind, &id(i), &n.label));
            }
        }
        out.push_str("  end\n");
    }
    let known: std::collections::HashSet<&str> = g.hosts.iter().map(|h| h.0.as_str()).collect();
    for (i, n) in g.nodes.iter().enumerate() {
        if !matches!(n.host.as_deref(), Some(h) if known.contains(h)) {
            let _ = writeln!(out, "  {}", shape(n.kind, &id(i), &n.label));
        }
    }
    for &(a, b) in &g.edges {
        let _ = writeln!(out, "  {} --- {}", id(a), id(b));
    }
    for (i, n) in g.nodes.iter().enumerate() {
        if n.kind == Kind::Network && !n.driver.is_empty() {
            let (fill, stroke) = crate::svg::driver_colour(&n.driver);
            let _ = writeln!(out, "  style {} fill:{fill},stroke:{stroke}", id(i));
        }
    }
    out.push_str("  classDef segment fill:#334155,color:#fff,stroke:#0f172a\n");
    out.push_str("  classDef nic fill:#e2e8f0,stroke:#64748b\n");
    out.push_str("  classDef vswitch fill:#dbeafe,stroke:#2563eb\n");
    out.push_str("  classDef network fill:#fef3c7,stroke:#d97706\n");
    out.push_str("  classDef endpoint fill:#dcfce7,stroke:#16a34a\n");
    out.push_str("  classDef client fill:#fae8ff,stroke:#a21caf\n");
    out
}
