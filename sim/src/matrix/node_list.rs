//! The nodes of a state, kept compact: an endpoint node is a row of indices into a few
//! shared tables (its container's name in one text of all names, the host, network and
//! driver names once each), and the [`Node`] with its id, label and design id is made
//! only when asked for. A service of a million replicas is a million rows of a few
//! dozen bytes, not a million nodes of a dozen strings each; a view that reads every
//! node (JSON, a matrix drawn node by node) makes them all once, through `Deref`.

use super::{DesignId, EndpointId, NetworkId, Node, NodeKind, Probe};
use std::borrow::Cow;
use std::net::IpAddr;
use std::sync::{Arc, OnceLock};

/// The nodes of one state, in node order (endpoints, hosts, clients, the internet).
/// Derefs to `[Node]`, making every node the first time; [`NodeList::len`],
/// [`NodeList::get`] and the per-field accessors make none.
#[derive(Clone, Default)]
pub struct NodeList {
    inner: Inner,
    all: OnceLock<Vec<Node>>,
}

#[derive(Clone)]
enum Inner {
    Whole(Vec<Node>),
    /// Endpoint nodes first, as rows; the other nodes whole, after them.
    Compact {
        endpoints: Arc<EndpointRows>,
        rest: Vec<Node>,
    },
}

impl Default for Inner {
    fn default() -> Self {
        Inner::Whole(Vec::new())
    }
}

/// One endpoint node: indices into [`EndpointRows::strings`] and its own address.
#[derive(Clone, Debug)]
pub(crate) struct EndpointRow {
    /// The network's name as the id and label show it (`?` when it does not exist).
    pub net: u32,
    pub host: Option<u32>,
    pub service: Option<u32>,
    /// The network's id (`win1/mynat`, `swarm/ovl`).
    pub network: Option<u32>,
    pub driver: u32,
    /// The network's name and host for the design id.
    pub design_network: Option<(u32, Option<u32>)>,
    pub ip: Option<IpAddr>,
    /// Index into [`EndpointRows::listens`].
    pub listens: u32,
    pub attachment: u32,
    /// The id names the host (`web@h1/nat`): the same container and network name
    /// appear on more than one host.
    pub qualified: bool,
}

/// The endpoint nodes of a state, compactly (see the module documentation).
#[derive(Clone, Debug, Default)]
pub(crate) struct EndpointRows {
    /// Every container name, one after the other; name `k` ends at `name_ends[k]`.
    pub names: String,
    pub name_ends: Vec<u32>,
    /// Host, service, network and driver names, each once.
    pub strings: Vec<String>,
    pub listens: Vec<Vec<Probe>>,
    pub rows: Vec<EndpointRow>,
}

impl EndpointRows {
    fn name(&self, k: usize) -> &str {
        let start = if k == 0 {
            0
        } else {
            self.name_ends[k - 1] as usize
        };
        &self.names[start..self.name_ends[k] as usize]
    }

    fn text(&self, i: u32) -> &str {
        &self.strings[i as usize]
    }

    fn id(&self, k: usize) -> String {
        let r = &self.rows[k];
        let (name, net) = (self.name(k), self.text(r.net));
        if r.qualified {
            let host = r.host.map_or("?", |h| self.text(h));
            format!("{name}@{host}/{net}")
        } else {
            format!("{name}@{net}")
        }
    }

    fn node(&self, k: usize) -> Node {
        let r = &self.rows[k];
        let name = self.name(k);
        let owned = |i: Option<u32>| i.map(|i| self.text(i).to_string());
        Node {
            id: self.id(k),
            kind: NodeKind::Endpoint,
            label: format!("{name} on {}", self.text(r.net)),
            host: owned(r.host),
            container: Some(name.to_string()),
            service: owned(r.service),
            network: owned(r.network),
            driver: owned(Some(r.driver)),
            ip: r.ip,
            listens: self.listens[r.listens as usize].clone(),
            design_id: Some(DesignId::Endpoint(EndpointId {
                container: name.to_string(),
                attachment: r.attachment as usize,
                network: r.design_network.map(|(n, h)| NetworkId {
                    name: self.text(n).to_string(),
                    host: owned(h),
                }),
            })),
        }
    }
}

impl NodeList {
    /// Endpoint rows followed by the other nodes.
    pub(crate) fn compact(endpoints: EndpointRows, rest: Vec<Node>) -> NodeList {
        NodeList {
            inner: Inner::Compact {
                endpoints: Arc::new(endpoints),
                rest,
            },
            all: OnceLock::new(),
        }
    }

    /// How many nodes (none is made).
    pub fn len(&self) -> usize {
        match &self.inner {
            Inner::Whole(v) => v.len(),
            Inner::Compact { endpoints, rest } => endpoints.rows.len() + rest.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Node `i`, made now unless it is kept whole; `None` past the end.
    pub fn get(&self, i: usize) -> Option<Cow<'_, Node>> {
        if let Some(all) = self.all.get() {
            return all.get(i).map(Cow::Borrowed);
        }
        match &self.inner {
            Inner::Whole(v) => v.get(i).map(Cow::Borrowed),
            Inner::Compact { endpoints, rest } => match i.checked_sub(endpoints.rows.len()) {
                None => Some(Cow::Owned(endpoints.node(i))),
                Some(j) => rest.get(j).map(Cow::Borrowed),
            },
        }
    }

    /// Node `i`'s id (made, for an endpoint row). Panics past the end, as indexing does.
    pub fn id(&self, i: usize) -> Cow<'_, str> {
        self.field(i, |n| Some(n.id.as_str()), |e, k| Some(e.id(k).into()))
            .expect("node index in range")
    }

    /// Node `i`'s kind.
    pub fn kind(&self, i: usize) -> NodeKind {
        match self.endpoint_row(i) {
            Some(_) => NodeKind::Endpoint,
            None => self.kept(i).kind,
        }
    }

    /// Node `i`'s host name, without making the node.
    pub fn host(&self, i: usize) -> Option<Cow<'_, str>> {
        self.field(
            i,
            |n| n.host.as_deref(),
            |e, k| e.rows[k].host.map(|h| e.text(h).into()),
        )
    }

    /// Node `i`'s network id, without making the node.
    pub fn network(&self, i: usize) -> Option<Cow<'_, str>> {
        self.field(
            i,
            |n| n.network.as_deref(),
            |e, k| e.rows[k].network.map(|h| e.text(h).into()),
        )
    }

    /// Node `i`'s driver, without making the node.
    pub fn driver(&self, i: usize) -> Option<Cow<'_, str>> {
        self.field(
            i,
            |n| n.driver.as_deref(),
            |e, k| Some(e.text(e.rows[k].driver).into()),
        )
    }

    /// Node `i`'s container name, without making the node.
    pub fn container(&self, i: usize) -> Option<Cow<'_, str>> {
        self.field(i, |n| n.container.as_deref(), |e, k| Some(e.name(k).into()))
    }

    /// Every node, each made as it is reached (none is kept).
    pub fn iter_made(&self) -> impl Iterator<Item = Cow<'_, Node>> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }

    /// Node `i` when it is kept whole (made already, or not an endpoint row).
    /// Panics past the end, as indexing does.
    fn kept(&self, i: usize) -> &Node {
        if let Some(all) = self.all.get() {
            return &all[i];
        }
        match &self.inner {
            Inner::Whole(v) => &v[i],
            Inner::Compact { endpoints, rest } => &rest[i - endpoints.rows.len()],
        }
    }

    /// The endpoint row of node `i` when it is kept as one and not yet made.
    fn endpoint_row(&self, i: usize) -> Option<(&EndpointRows, usize)> {
        match &self.inner {
            Inner::Compact { endpoints, .. }
                if i < endpoints.rows.len() && self.all.get().is_none() =>
            {
                Some((endpoints, i))
            }
            _ => None,
        }
    }

    fn field<'s>(
        &'s self,
        i: usize,
        whole: impl Fn(&'s Node) -> Option<&'s str>,
        row: impl Fn(&'s EndpointRows, usize) -> Option<Cow<'s, str>>,
    ) -> Option<Cow<'s, str>> {
        if let Some(all) = self.all.get() {
            return whole(&all[i]).map(Cow::Borrowed);
        }
        match self.endpoint_row(i) {
            Some((e, k)) => row(e, k),
            None => whole(self.kept(i)).map(Cow::Borrowed),
        }
    }
}

impl From<Vec<Node>> for NodeList {
    fn from(v: Vec<Node>) -> Self {
        NodeList {
            inner: Inner::Whole(v),
            all: OnceLock::new(),
        }
    }
}

impl std::ops::Deref for NodeList {
    type Target = [Node];
    /// Every node, made the first time (a view that reads them all).
    fn deref(&self) -> &[Node] {
        match &self.inner {
            Inner::Whole(v) => v,
            Inner::Compact { endpoints, rest } => self.all.get_or_init(|| {
                let mut v = Vec::with_capacity(endpoints.rows.len() + rest.len());
                v.extend((0..endpoints.rows.len()).map(|k| endpoints.node(k)));
                v.extend(rest.iter().cloned());
                v
            }),
        }
    }
}

impl PartialEq for NodeList {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter_made().eq(other.iter_made())
    }
}

impl std::fmt::Debug for NodeList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter_made()).finish()
    }
}

impl FromIterator<Node> for NodeList {
    fn from_iter<I: IntoIterator<Item = Node>>(iter: I) -> Self {
        NodeList::from(iter.into_iter().collect::<Vec<_>>())
    }
}

/// Every node, made the first time (as [`NodeList`]'s `Deref`).
impl<'a> IntoIterator for &'a NodeList {
    type Item = &'a Node;
    type IntoIter = std::slice::Iter<'a, Node>;
    fn into_iter(self) -> Self::IntoIter {
        self[..].iter()
    }
}

/// Every node, made and kept whole from then on, to be changed in place.
impl std::ops::DerefMut for NodeList {
    fn deref_mut(&mut self) -> &mut [Node] {
        if let Inner::Compact { .. } = self.inner {
            let all = self[..].to_vec();
            self.inner = Inner::Whole(all);
            self.all = OnceLock::new();
        }
        match &mut self.inner {
            Inner::Whole(v) => v,
            Inner::Compact { .. } => unreachable!("made whole above"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nodes(text: &str) -> NodeList {
        let doc = hnsim_model::parse_scenario("t.yaml", text).expect("parses");
        let report = crate::simulate(&doc);
        report.final_state().expect("state").nodes.clone()
    }

    /// Every field read from a compact row is the field of the node made from it.
    #[test]
    fn compact_rows_read_as_the_nodes_made_from_them() {
        let list = nodes(
            "name: t\nhosts:\n  - {name: m, os: linux, swarm: manager}\n  - {name: w, os: linux, swarm: worker}\nnetworks:\n  - {name: ovl, driver: overlay}\nservices:\n  - {name: web, replicas: 3, networks: [ovl], ports: ['80:80']}\ncontainers:\n  - {name: a, host: m, listen: [tcp/81]}\n  - {name: a, host: w}\n",
        );
        assert!(matches!(list.inner, Inner::Compact { .. }), "kept compact");
        let made: Vec<Node> = list.iter_made().map(Cow::into_owned).collect();
        assert!(list.all.get().is_none(), "reading one by one keeps nothing");
        assert_eq!(made.len(), list.len());
        for (i, n) in made.iter().enumerate() {
            assert_eq!(list.id(i), n.id.as_str());
            assert_eq!(list.kind(i), n.kind);
            assert_eq!(list.host(i).as_deref(), n.host.as_deref());
            assert_eq!(list.network(i).as_deref(), n.network.as_deref());
            assert_eq!(list.driver(i).as_deref(), n.driver.as_deref());
            assert_eq!(list.container(i).as_deref(), n.container.as_deref());
        }
        assert_eq!(&list[..], made.as_slice(), "made all at once alike");
        // `a` is on `bridge` of both hosts: its ids name the host.
        let ids: Vec<&str> = made.iter().map(|n| n.id.as_str()).collect();
        assert!(
            ids.contains(&"a@m/bridge") && ids.contains(&"a@w/bridge"),
            "{ids:?}"
        );
        assert!(ids.contains(&"web.2@ingress"), "{ids:?}");
    }

    /// Two containers of one name on one host (an invalid design) still get distinct
    /// ids: the list is made whole and the second renamed.
    #[test]
    fn repeated_ids_are_made_and_renamed() {
        let list = nodes(
            "name: t\nhosts:\n  - {name: h, os: ws2019}\ncontainers:\n  - {name: x, host: h}\n  - {name: x, host: h}\n",
        );
        assert!(matches!(list.inner, Inner::Whole(_)));
        assert_eq!(list.id(0), "x@h/nat");
        assert_eq!(list.id(1), "x@h/nat#2");
    }
}
