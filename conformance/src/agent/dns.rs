//! Names over DNS, both sides of Docker's embedded resolver (DNS-1).
//!
//! The answering side ([`answer`], served by `hnsim probe serve --dns -`) stands in for
//! the resolver Docker runs in every container of a user-defined network at
//! 127.0.0.11:53: it knows the [`Zone`] the backend built from the design (the names of
//! the containers the namespace shares a network with) and answers an A question with
//! their addresses, NXDOMAIN for any other name — a run has no upstream resolver to
//! forward to. The asking side ([`lookup`]) is what a probe that names its destination
//! does first, from inside the source's own network stack: on the netns backend it asks
//! 127.0.0.11 directly; in a Docker container it asks the resolver `/etc/resolv.conf`
//! names, and only when that is the engine's embedded one ([`embedded_resolver`]): a
//! container on the default bridge gets the machine's resolvers copied in, and a
//! question sent there would leave the run.
//!
//! Messages are encoded and parsed with `simple-dns` (no dependencies of its own): the
//! answering side parses whatever arrives on its port, and a bounds-checked parser of
//! labels and compression pointers is the part worth not writing again.

use serde::{Deserialize, Serialize};
use simple_dns::rdata::{RData, A};
use simple_dns::{Name, Packet, PacketFlag, Question, ResourceRecord, CLASS, QCLASS, QTYPE, TYPE};
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::time::Duration;

/// Where Docker's embedded resolver answers inside a container.
pub const EMBEDDED: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 11)), 53);

/// Docker's embedded resolver answers with a TTL of 600 s.
const TTL: u32 = 600;

/// The names one resolver answers, lowercase without a trailing dot, with their
/// addresses in answer order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Zone {
    pub names: BTreeMap<String, Vec<Ipv4Addr>>,
}

impl Zone {
    /// The addresses of `name`, case-insensitively (DNS names are, RFC 4343).
    pub fn get(&self, name: &str) -> Option<&[Ipv4Addr]> {
        let key = name.trim_end_matches('.').to_ascii_lowercase();
        self.names.get(&key).map(Vec::as_slice)
    }
}

/// The reply to `query`, or `None` when it is not a query this resolver can parse (it
/// is dropped, as a resolver drops garbage). A question for a name of the zone gets its
/// A records (a question of another type for it: no error and no records); a name
/// outside the zone gets NXDOMAIN.
pub fn answer(zone: &Zone, query: &[u8]) -> Option<Vec<u8>> {
    let q = Packet::parse(query).ok()?;
    if q.has_flags(PacketFlag::RESPONSE) {
        return None;
    }
    let mut reply = Packet::new_reply(q.id());
    reply.set_flags(PacketFlag::RECURSION_AVAILABLE);
    if q.has_flags(PacketFlag::RECURSION_DESIRED) {
        reply.set_flags(PacketFlag::RECURSION_DESIRED);
    }
    let mut known = true;
    for question in &q.questions {
        reply.questions.push(question.clone());
        let in_class = matches!(question.qclass, QCLASS::CLASS(CLASS::IN) | QCLASS::ANY);
        let Some(ips) = zone.get(&question.qname.to_string()) else {
            known = false;
            continue;
        };
        if !in_class || !matches!(question.qtype, QTYPE::TYPE(TYPE::A) | QTYPE::ANY) {
            continue;
        }
        for ip in ips {
            reply.answers.push(ResourceRecord::new(
                question.qname.clone(),
                CLASS::IN,
                TTL,
                RData::A(A::from(*ip)),
            ));
        }
    }
    if !known {
        *reply.rcode_mut() = simple_dns::RCODE::NameError;
    }
    reply.build_bytes_vec().ok()
}

/// Serves `zone` on `socket` (bound to [`EMBEDDED`]) until the process ends.
pub fn serve(socket: UdpSocket, zone: Zone) {
    let mut buf = [0u8; 1500];
    loop {
        if let Ok((n, from)) = socket.recv_from(&mut buf) {
            if let Some(reply) = answer(&zone, &buf[..n]) {
                let _ = socket.send_to(&reply, from);
            }
        }
    }
}

/// What asking for a name gave.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "kebab-case")]
pub enum Answer {
    /// The A records of the reply.
    Addresses { ips: Vec<IpAddr> },
    /// NXDOMAIN: the resolver knows no such name.
    NxDomain,
    /// Another response code, or no A record in a successful reply.
    NoAddress { rcode: String },
    /// No reply within the probe's timeout and retries.
    Timeout,
    /// There is no resolver to ask (no embedded resolver in the container), or the
    /// question could not be sent.
    NoResolver { why: String },
}

impl Answer {
    /// True when the name resolved to `ip`.
    pub fn resolves_to(&self, ip: IpAddr) -> bool {
        matches!(self, Answer::Addresses { ips } if ips.contains(&ip))
    }
    /// In words, for the report: `172.18.0.3`, `NXDOMAIN`.
    pub fn words(&self) -> String {
        match self {
            Answer::Addresses { ips } => ips
                .iter()
                .map(IpAddr::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            Answer::NxDomain => "NXDOMAIN".into(),
            Answer::NoAddress { rcode } => format!("no address ({rcode})"),
            Answer::Timeout => "no reply".into(),
            Answer::NoResolver { why } => why.clone(),
        }
    }
}

/// A name asked for before a probe, and what came back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameLookup {
    pub name: String,
    /// The resolver asked (`127.0.0.11:53`), empty when none was.
    pub server: String,
    pub answer: Answer,
}

impl NameLookup {
    /// `` `web` resolved by 127.0.0.11:53 to 172.18.0.3 ``, `` `web` not resolved ... ``.
    pub fn words(&self) -> String {
        match &self.answer {
            Answer::Addresses { .. } => format!(
                "`{}` resolved by {} to {}",
                self.name,
                self.server,
                self.answer.words()
            ),
            Answer::NoResolver { why } => format!("`{}` not resolved: {why}", self.name),
            a => format!(
                "`{}` not resolved by {}: {}",
                self.name,
                self.server,
                a.words()
            ),
        }
    }
}

/// The embedded resolver of a container whose `/etc/resolv.conf` reads `resolv_conf`:
/// its first `nameserver`, when that is 127.0.0.11 (Docker writes it for every
/// user-defined network). Any other resolver is the machine's, not the engine's.
pub fn embedded_resolver(resolv_conf: &str) -> Result<SocketAddr, String> {
    let first = resolv_conf
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#') && !l.starts_with(';'))
        .find_map(|l| l.strip_prefix("nameserver"))
        .map(str::trim);
    match first.map(str::parse::<IpAddr>) {
        Some(Ok(ip)) if ip == EMBEDDED.ip() => Ok(EMBEDDED),
        Some(Ok(ip)) => Err(format!(
            "no embedded resolver: /etc/resolv.conf names {ip}, not 127.0.0.11"
        )),
        _ => Err("no embedded resolver: /etc/resolv.conf names no nameserver".into()),
    }
}

/// The question for `name`'s A record, with message id `id`.
pub fn query(name: &str, id: u16) -> Result<Vec<u8>, String> {
    let qname = Name::new(name).map_err(|e| format!("`{name}` is not a DNS name: {e}"))?;
    let mut q = Packet::new_query(id);
    q.set_flags(PacketFlag::RECURSION_DESIRED);
    q.questions.push(Question::new(
        qname,
        TYPE::A.into(),
        CLASS::IN.into(),
        false,
    ));
    q.build_bytes_vec().map_err(|e| e.to_string())
}

/// What reply `bytes` says about question `id`; `None` when it is not that reply.
pub fn read_reply(bytes: &[u8], id: u16) -> Option<Answer> {
    let r = Packet::parse(bytes).ok()?;
    if r.id() != id || !r.has_flags(PacketFlag::RESPONSE) {
        return None;
    }
    let ips: Vec<IpAddr> = r
        .answers
        .iter()
        .filter_map(|rr| match &rr.rdata {
            RData::A(a) => Some(IpAddr::V4(Ipv4Addr::from(a.clone()))),
            _ => None,
        })
        .collect();
    Some(match r.rcode() {
        simple_dns::RCODE::NameError => Answer::NxDomain,
        simple_dns::RCODE::NoError if !ips.is_empty() => Answer::Addresses { ips },
        rcode => Answer::NoAddress {
            rcode: format!("{rcode:?}"),
        },
    })
}

/// Asks `server` for `name` over UDP from the calling thread's network stack: one
/// question per attempt, `1 + retries` attempts of `timeout` each.
pub fn lookup(server: SocketAddr, name: &str, id: u16, timeout: Duration, retries: u32) -> Answer {
    let no = |why: String| Answer::NoResolver { why };
    let q = match query(name, id) {
        Ok(q) => q,
        Err(e) => return no(e),
    };
    let bind = SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0);
    let sock = match UdpSocket::bind(bind).and_then(|s| s.connect(server).map(|_| s)) {
        Ok(s) => s,
        Err(e) => return no(format!("cannot reach {server}: {e}")),
    };
    if sock.set_read_timeout(Some(timeout)).is_err() {
        return no("cannot set a timeout".into());
    }
    let mut buf = [0u8; 1500];
    for _ in 0..=retries {
        if let Err(e) = sock.send(&q) {
            return no(format!("cannot send to {server}: {e}"));
        }
        let deadline = std::time::Instant::now() + timeout;
        while std::time::Instant::now() < deadline {
            match sock.recv(&mut buf) {
                Ok(n) => {
                    if let Some(a) = read_reply(&buf[..n], id) {
                        return a;
                    }
                }
                // A port nobody serves answers with ICMP port unreachable.
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                    return no(format!("nothing answers on {server}"));
                }
                Err(_) => break,
            }
        }
    }
    Answer::Timeout
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone() -> Zone {
        let mut z = Zone::default();
        z.names
            .insert("web".into(), vec![Ipv4Addr::new(172, 18, 0, 2)]);
        z.names.insert(
            "tasks.api".into(),
            vec![Ipv4Addr::new(10, 0, 1, 3), Ipv4Addr::new(10, 0, 1, 4)],
        );
        z
    }

    #[test]
    fn a_name_of_the_zone_gets_its_addresses_in_order() {
        let reply = answer(&zone(), &query("tasks.api", 7).unwrap()).expect("a reply");
        assert_eq!(
            read_reply(&reply, 7),
            Some(Answer::Addresses {
                ips: vec!["10.0.1.3".parse().unwrap(), "10.0.1.4".parse().unwrap()]
            })
        );
        // Case and a trailing dot do not matter.
        let reply = answer(&zone(), &query("WEB.", 8).unwrap()).unwrap();
        assert!(read_reply(&reply, 8)
            .unwrap()
            .resolves_to("172.18.0.2".parse().unwrap()));
    }

    #[test]
    fn any_other_name_is_nxdomain() {
        let reply = answer(&zone(), &query("db", 9).unwrap()).unwrap();
        assert_eq!(read_reply(&reply, 9), Some(Answer::NxDomain));
        // A reply to another question id is not this question's.
        assert_eq!(read_reply(&reply, 10), None);
    }

    #[test]
    fn another_type_for_a_known_name_has_no_records_and_no_error() {
        let mut q = Packet::new_query(3);
        q.questions.push(Question::new(
            Name::new("web").unwrap(),
            TYPE::AAAA.into(),
            CLASS::IN.into(),
            false,
        ));
        let reply = answer(&zone(), &q.build_bytes_vec().unwrap()).unwrap();
        assert!(matches!(
            read_reply(&reply, 3),
            Some(Answer::NoAddress { .. })
        ));
    }

    #[test]
    fn garbage_and_replies_are_not_answered() {
        assert_eq!(answer(&zone(), b"\x00\x01garbage"), None);
        let reply = answer(&zone(), &query("web", 1).unwrap()).unwrap();
        assert_eq!(answer(&zone(), &reply), None);
    }

    #[test]
    fn only_the_engines_resolver_is_asked() {
        let docker = "search lan\nnameserver 127.0.0.11\noptions ndots:0\n";
        assert_eq!(embedded_resolver(docker), Ok(EMBEDDED));
        let bridge = "# Generated\nnameserver 192.168.1.1\nnameserver 127.0.0.11\n";
        assert!(embedded_resolver(bridge)
            .unwrap_err()
            .contains("192.168.1.1"));
        assert!(embedded_resolver("").is_err());
    }

    #[test]
    fn a_lookup_over_loopback_meets_the_responder() {
        let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
        let server = sock.local_addr().unwrap();
        std::thread::spawn(move || serve(sock, zone()));
        let t = Duration::from_millis(500);
        let a = lookup(server, "web", 42, t, 1);
        assert!(a.resolves_to("172.18.0.2".parse().unwrap()), "{a:?}");
        assert_eq!(lookup(server, "nope", 43, t, 1), Answer::NxDomain);
        // Nobody on the port: said at once, not waited for.
        let idle = UdpSocket::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        assert!(matches!(
            lookup(idle, "web", 44, t, 0),
            Answer::NoResolver { .. }
        ));
    }
}
