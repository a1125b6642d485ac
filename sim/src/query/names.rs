//! The names people type for a node: its id (`web@nat`, `host:win1`), a container,
//! compose service or swarm service name without `@network` when it is unique, a host
//! or client name, node kinds in any case (`Internet`, `Host:win1`). An ambiguous name
//! lists its choices; a wrong one gets the nearest names.

use crate::matrix::{Node, NodeKind};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("no node matches `{name}`{}; nodes are: {}", did_you_mean(near), known.join(", "))]
    NotFound {
        name: String,
        near: Vec<String>,
        known: Vec<String>,
    },
    #[error("`{name}` is ambiguous; it matches {}: use one of these ids", candidates.join(", "))]
    Ambiguous {
        name: String,
        candidates: Vec<String>,
    },
}

fn did_you_mean(near: &[String]) -> String {
    if near.is_empty() {
        String::new()
    } else {
        format!("; did you mean {}?", near.join(" or "))
    }
}

/// The compose services a container name may stand for: `project-web-1` (Compose v2)
/// or `project_web_1` (v1) is service `web`. A project name takes its directory's name,
/// hyphens included (`my-app-web-1`), and a service name may hold them too
/// (`shop-api-gateway-1`), so every tail after a separator is a candidate: `app-web`
/// and `web` for `my-app-web-1`.
fn compose_services(container: &str) -> Vec<&str> {
    for sep in ['-', '_'] {
        let Some((rest, n)) = container.rsplit_once(sep) else {
            continue;
        };
        if n.is_empty() || !n.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let tails: Vec<&str> = rest
            .match_indices(sep)
            .map(|(i, _)| &rest[i + 1..])
            .filter(|t| !t.is_empty())
            .collect();
        if !tails.is_empty() {
            return tails;
        }
    }
    Vec::new()
}

/// How a node can be named, from the most to the least specific: the first tier with
/// any match decides.
fn tiers(n: &Node) -> [Vec<String>; 3] {
    let mut exact = Vec::new();
    let mut service = Vec::new();
    match n.kind {
        NodeKind::Endpoint => {
            exact.extend(n.container.clone());
            service.extend(n.service.clone());
            if let Some(c) = n.container.as_deref() {
                service.extend(compose_services(c).into_iter().map(str::to_string));
            }
        }
        NodeKind::Host => exact.extend(n.host.clone()),
        NodeKind::Client => exact.extend(n.id.strip_prefix("client:").map(str::to_string)),
        NodeKind::Internet => {}
    }
    let folded = exact
        .iter()
        .chain(&service)
        .chain(std::iter::once(&n.id))
        .map(|s| s.to_lowercase())
        .collect();
    [exact, service, folded]
}

/// The index in `nodes` of the node `name` stands for.
pub fn resolve(nodes: &[Node], name: &str) -> Result<usize, NameError> {
    let name = name.trim();
    if let Some(i) = nodes.iter().position(|n| n.id == name) {
        return Ok(i);
    }
    let named: Vec<[Vec<String>; 3]> = nodes.iter().map(tiers).collect();
    let lower = name.to_lowercase();
    for (tier, wanted) in [name, name, lower.as_str()].into_iter().enumerate() {
        let hits: Vec<usize> = (0..nodes.len())
            .filter(|&i| named[i][tier].iter().any(|x| x == wanted))
            .collect();
        match hits.as_slice() {
            [] => continue,
            [one] => return Ok(*one),
            many => {
                return Err(NameError::Ambiguous {
                    name: name.to_string(),
                    candidates: many.iter().map(|&i| nodes[i].id.clone()).collect(),
                })
            }
        }
    }
    Err(NameError::NotFound {
        name: name.to_string(),
        near: nearest(nodes, &named, &lower),
        known: nodes.iter().map(|n| n.id.clone()).collect(),
    })
}

/// Up to three names close in spelling to `lower`.
fn nearest(nodes: &[Node], named: &[[Vec<String>; 3]], lower: &str) -> Vec<String> {
    let mut scored: Vec<(f64, String)> = Vec::new();
    for (i, n) in nodes.iter().enumerate() {
        let words = named[i][0]
            .iter()
            .chain(&named[i][1])
            .chain(std::iter::once(&n.id));
        for w in words {
            let w_lower = w.to_lowercase();
            // Jaro-Winkler favours shared prefixes; the edit distance (with swaps)
            // catches typos in short names (`wbe` for `web`).
            let edits = strsim::osa_distance(lower, &w_lower) as f64;
            let longest = lower.chars().count().max(w_lower.chars().count()).max(1) as f64;
            let score = strsim::jaro_winkler(lower, &w_lower).max(1.0 - edits / longest);
            if score >= 0.6 {
                scored.push((score, w.clone()));
            }
        }
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let mut out: Vec<String> = Vec::new();
    for (_, w) in scored {
        if !out.contains(&w) && out.len() < 3 {
            out.push(w);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: &str, kind: NodeKind, container: Option<&str>, service: Option<&str>) -> Node {
        Node {
            id: id.into(),
            kind,
            label: id.into(),
            host: (kind == NodeKind::Host).then(|| id.trim_start_matches("host:").to_string()),
            container: container.map(str::to_string),
            service: service.map(str::to_string),
            network: None,
            driver: None,
            ip: None,
            listens: vec![],
            design_id: None,
        }
    }

    fn nodes() -> Vec<Node> {
        vec![
            node(
                "shop-web-1@front",
                NodeKind::Endpoint,
                Some("shop-web-1"),
                None,
            ),
            node(
                "shop-api-1@front",
                NodeKind::Endpoint,
                Some("shop-api-1"),
                None,
            ),
            node(
                "shop-api-1@back",
                NodeKind::Endpoint,
                Some("shop-api-1"),
                None,
            ),
            node(
                "web.1@ingress",
                NodeKind::Endpoint,
                Some("web.1"),
                Some("svc"),
            ),
            node(
                "web.2@ingress",
                NodeKind::Endpoint,
                Some("web.2"),
                Some("svc"),
            ),
            node("host:win1", NodeKind::Host, None, None),
            node("internet", NodeKind::Internet, None, None),
            node(
                "my-app-db-1@my-app_back",
                NodeKind::Endpoint,
                Some("my-app-db-1"),
                None,
            ),
        ]
    }

    #[test]
    fn names_people_type() {
        let n = nodes();
        assert_eq!(resolve(&n, "shop-web-1"), Ok(0), "container name");
        assert_eq!(resolve(&n, "web"), Ok(0), "compose service name");
        assert_eq!(resolve(&n, "db"), Ok(7), "in a project with a hyphen");
        assert_eq!(resolve(&n, "Internet"), Ok(6), "kinds in any case");
        assert_eq!(resolve(&n, "HOST:WIN1"), Ok(5));
        assert_eq!(resolve(&n, "win1"), Ok(5));
        assert!(
            matches!(resolve(&n, "api"), Err(NameError::Ambiguous { candidates, .. }) if candidates.len() == 2)
        );
        assert!(
            matches!(resolve(&n, "svc"), Err(NameError::Ambiguous { .. })),
            "two replicas"
        );
        match resolve(&n, "shop-wbe-1") {
            Err(e @ NameError::NotFound { .. }) => {
                assert!(e.to_string().contains("did you mean shop-web-1"), "{e}")
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(compose_services("proj_db_2"), ["db"]);
        assert_eq!(compose_services("my-app-db-1"), ["app-db", "db"]);
        assert!(compose_services("web").is_empty());
    }
}
