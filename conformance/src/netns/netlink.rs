//! The few rtnetlink requests most of a namespace's configuration consists of — a link
//! up or into a bridge, an IPv4 address, a default route, a permanent neighbour — sent
//! from a thread
//! inside the namespace instead of an `ip -batch` process per namespace, many requests
//! per datagram. A hundred containers with their hundred permanent neighbours each are
//! then configured in a fraction of a second. Every request is acknowledged by the
//! kernel, so an error carries the line it came from, as `ip` would report it.
//!
//! Only these plan lines are understood ([`Request::parse`]); the others go to
//! `ip -batch`, in their order.

use std::io;
use std::net::Ipv4Addr;

const NLMSG_ERROR: u16 = 2;
const RTM_NEWLINK: u16 = 16;
const RTM_NEWADDR: u16 = 20;
const RTM_NEWROUTE: u16 = 24;
const RTM_NEWNEIGH: u16 = 28;
const NLM_F_REQUEST: u16 = 0x1;
const NLM_F_ACK: u16 = 0x4;
const NLM_F_REPLACE: u16 = 0x100;
const NLM_F_EXCL: u16 = 0x200;
const NLM_F_CREATE: u16 = 0x400;
const IFLA_MASTER: u16 = 10;
const IFA_ADDRESS: u16 = 1;
const IFA_LOCAL: u16 = 2;
const RTA_OIF: u16 = 4;
const RTA_GATEWAY: u16 = 5;
const NDA_DST: u16 = 1;
const NDA_LLADDR: u16 = 2;
const NUD_PERMANENT: u16 = 0x80;
const RT_TABLE_MAIN: u8 = 254;
const RTPROT_BOOT: u8 = 3;
const RTN_UNICAST: u8 = 1;
const AF_INET: u8 = libc::AF_INET as u8;

/// One understood plan line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    /// `link set DEV up`
    LinkUp(String),
    /// `link set DEV master BRIDGE [up]`
    Master {
        dev: String,
        master: String,
        up: bool,
    },
    /// `addr add IP/LEN dev DEV`
    Addr { ip: Ipv4Addr, len: u8, dev: String },
    /// `route add default via GW dev DEV`
    DefaultRoute { via: Ipv4Addr, dev: String },
    /// `neigh replace IP lladdr MAC dev DEV nud permanent`
    Neighbour {
        ip: Ipv4Addr,
        mac: [u8; 6],
        dev: String,
    },
}

fn mac(s: &str) -> Option<[u8; 6]> {
    let mut out = [0u8; 6];
    let mut parts = s.split(':');
    for b in &mut out {
        *b = u8::from_str_radix(parts.next()?, 16).ok()?;
    }
    parts.next().is_none().then_some(out)
}

impl Request {
    /// The request a plan line stands for, when it is one of the four.
    pub fn parse(line: &str) -> Option<Request> {
        let w: Vec<&str> = line.split_whitespace().collect();
        match w.as_slice() {
            ["link", "set", dev, "up"] => Some(Request::LinkUp(dev.to_string())),
            ["link", "set", dev, "master", master, rest @ ..] if rest.len() <= 1 => {
                Some(Request::Master {
                    dev: dev.to_string(),
                    master: master.to_string(),
                    up: match rest {
                        [] => false,
                        ["up"] => true,
                        _ => return None,
                    },
                })
            }
            ["addr", "add", cidr, "dev", dev] => {
                let (ip, len) = cidr.split_once('/')?;
                let len: u8 = len.parse().ok().filter(|l| *l <= 32)?;
                Some(Request::Addr {
                    ip: ip.parse().ok()?,
                    len,
                    dev: dev.to_string(),
                })
            }
            ["route", "add", "default", "via", via, "dev", dev] => Some(Request::DefaultRoute {
                via: via.parse().ok()?,
                dev: dev.to_string(),
            }),
            ["neigh", "replace", ip, "lladdr", m, "dev", dev, "nud", "permanent"] => {
                Some(Request::Neighbour {
                    ip: ip.parse().ok()?,
                    mac: mac(m)?,
                    dev: dev.to_string(),
                })
            }
            _ => None,
        }
    }
}

/// A netlink message under construction.
struct Message(Vec<u8>);

impl Message {
    fn new(kind: u16, flags: u16, seq: u32) -> Self {
        let mut b = Vec::with_capacity(64);
        b.extend_from_slice(&0u32.to_ne_bytes()); // length, set in `finish`
        b.extend_from_slice(&kind.to_ne_bytes());
        b.extend_from_slice(&(flags | NLM_F_REQUEST | NLM_F_ACK).to_ne_bytes());
        b.extend_from_slice(&seq.to_ne_bytes());
        b.extend_from_slice(&0u32.to_ne_bytes());
        Message(b)
    }
    fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.0.extend_from_slice(b);
        self
    }
    fn attr(&mut self, kind: u16, payload: &[u8]) -> &mut Self {
        let len = (4 + payload.len()) as u16;
        self.0.extend_from_slice(&len.to_ne_bytes());
        self.0.extend_from_slice(&kind.to_ne_bytes());
        self.0.extend_from_slice(payload);
        while !self.0.len().is_multiple_of(4) {
            self.0.push(0);
        }
        self
    }
    fn finish(mut self) -> Vec<u8> {
        let len = self.0.len() as u32;
        self.0[..4].copy_from_slice(&len.to_ne_bytes());
        self.0
    }
}

fn index(dev: &str) -> io::Result<i32> {
    let name = std::ffi::CString::new(dev).map_err(|_| io::ErrorKind::InvalidInput)?;
    // SAFETY: if_nametoindex reads the NUL-terminated name; it looks the device up in
    // the calling thread's network namespace.
    let i = unsafe { libc::if_nametoindex(name.as_ptr()) };
    if i == 0 {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("Cannot find device \"{dev}\""),
        ));
    }
    Ok(i as i32)
}

fn encode(r: &Request, seq: u32) -> io::Result<Vec<u8>> {
    Ok(match r {
        Request::LinkUp(dev) => {
            let mut m = Message::new(RTM_NEWLINK, 0, seq);
            m.bytes(&[0, 0, 0, 0]) // family, pad, type
                .bytes(&index(dev)?.to_ne_bytes())
                .bytes(&(libc::IFF_UP as u32).to_ne_bytes())
                .bytes(&(libc::IFF_UP as u32).to_ne_bytes());
            m.finish()
        }
        Request::Master { dev, master, up } => {
            let flag = if *up { libc::IFF_UP as u32 } else { 0 };
            let mut m = Message::new(RTM_NEWLINK, 0, seq);
            m.bytes(&[0, 0, 0, 0])
                .bytes(&index(dev)?.to_ne_bytes())
                .bytes(&flag.to_ne_bytes())
                .bytes(&flag.to_ne_bytes())
                .attr(IFLA_MASTER, &(index(master)? as u32).to_ne_bytes());
            m.finish()
        }
        Request::Addr { ip, len, dev } => {
            let mut m = Message::new(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, seq);
            m.bytes(&[AF_INET, *len, 0, 0])
                .bytes(&(index(dev)? as u32).to_ne_bytes())
                .attr(IFA_LOCAL, &ip.octets())
                .attr(IFA_ADDRESS, &ip.octets());
            m.finish()
        }
        Request::DefaultRoute { via, dev } => {
            let mut m = Message::new(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, seq);
            // family, dst_len, src_len, tos, table, protocol, scope, type, flags
            m.bytes(&[AF_INET, 0, 0, 0, RT_TABLE_MAIN, RTPROT_BOOT, 0, RTN_UNICAST])
                .bytes(&0u32.to_ne_bytes())
                .attr(RTA_GATEWAY, &via.octets())
                .attr(RTA_OIF, &index(dev)?.to_ne_bytes());
            m.finish()
        }
        Request::Neighbour { ip, mac, dev } => {
            let mut m = Message::new(RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE, seq);
            m.bytes(&[AF_INET, 0, 0, 0])
                .bytes(&index(dev)?.to_ne_bytes())
                .bytes(&NUD_PERMANENT.to_ne_bytes())
                .bytes(&[0, 0]) // flags, type
                .attr(NDA_DST, &ip.octets())
                .attr(NDA_LLADDR, mac);
            m.finish()
        }
    })
}

/// A NETLINK_ROUTE socket of the calling thread's network namespace.
pub struct Netlink {
    fd: std::os::fd::OwnedFd,
    seq: u32,
}

impl Netlink {
    pub fn open() -> io::Result<Self> {
        use std::os::fd::FromRawFd;
        // SAFETY: plain socket(2); the descriptor is owned from here on.
        let fd = unsafe {
            libc::socket(
                libc::AF_NETLINK,
                libc::SOCK_RAW | libc::SOCK_CLOEXEC,
                libc::NETLINK_ROUTE,
            )
        };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(Netlink {
            // SAFETY: `fd` was just returned by socket(2) and is owned by nothing else.
            fd: unsafe { std::os::fd::OwnedFd::from_raw_fd(fd) },
            seq: 0,
        })
    }

    /// Sends `requests` in as few datagrams as fit, then waits for the kernel's answer
    /// to each; the first refusal is returned with the index of its request.
    pub fn send_all(&mut self, requests: &[Request]) -> Result<(), (usize, io::Error)> {
        let first = self.seq + 1;
        let mut buf = Vec::new();
        for (i, r) in requests.iter().enumerate() {
            self.seq += 1;
            let msg = encode(r, self.seq).map_err(|e| (i, e))?;
            if !buf.is_empty() && buf.len() + msg.len() > 16 * 1024 {
                self.write(&buf).map_err(|e| (i, e))?;
                buf.clear();
            }
            buf.extend_from_slice(&msg);
        }
        if !buf.is_empty() {
            self.write(&buf).map_err(|e| (requests.len() - 1, e))?;
        }
        self.acks(first, requests.len())
    }

    fn write(&self, msg: &[u8]) -> io::Result<()> {
        use std::os::fd::AsRawFd;
        // SAFETY: a zeroed sockaddr_nl addresses the kernel (pid 0).
        let mut to: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
        to.nl_family = libc::AF_NETLINK as u16;
        // SAFETY: `msg` and `to` outlive the call; lengths are theirs.
        let sent = unsafe {
            libc::sendto(
                self.fd.as_raw_fd(),
                msg.as_ptr().cast(),
                msg.len(),
                0,
                (&to as *const libc::sockaddr_nl).cast(),
                std::mem::size_of::<libc::sockaddr_nl>() as u32,
            )
        };
        if sent < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Reads the acknowledgements of the `count` requests numbered from `first`.
    fn acks(&self, first: u32, count: usize) -> Result<(), (usize, io::Error)> {
        use std::os::fd::AsRawFd;
        let mut pending = count;
        let mut failed: Option<(usize, io::Error)> = None;
        let mut buf = vec![0u8; 64 * 1024];
        while pending > 0 {
            // SAFETY: receiving into a buffer we own, of its length.
            let n =
                unsafe { libc::recv(self.fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), 0) };
            if n < 0 {
                return Err((count - pending, io::Error::last_os_error()));
            }
            let n = n as usize;
            let word = |o: usize| u32::from_ne_bytes([buf[o], buf[o + 1], buf[o + 2], buf[o + 3]]);
            let mut at = 0;
            while at + 16 <= n {
                let len = word(at) as usize;
                let kind = u16::from_ne_bytes([buf[at + 4], buf[at + 5]]);
                let seq = word(at + 8);
                if kind == NLMSG_ERROR && at + 20 <= n && seq >= first {
                    pending = pending.saturating_sub(1);
                    let code = word(at + 16) as i32;
                    if code != 0 && failed.is_none() {
                        failed =
                            Some(((seq - first) as usize, io::Error::from_raw_os_error(-code)));
                    }
                }
                if len < 16 {
                    break;
                }
                at += (len + 3) & !3;
            }
        }
        match failed {
            Some(f) => Err(f),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_understood_lines_parse_and_others_do_not() {
        assert_eq!(
            Request::parse("link set eth0 up"),
            Some(Request::LinkUp("eth0".into()))
        );
        assert_eq!(
            Request::parse("link set p0a0 master b0 up"),
            Some(Request::Master {
                dev: "p0a0".into(),
                master: "b0".into(),
                up: true
            })
        );
        assert_eq!(
            Request::parse("addr add 10.0.0.2/24 dev eth0"),
            Some(Request::Addr {
                ip: "10.0.0.2".parse().unwrap(),
                len: 24,
                dev: "eth0".into()
            })
        );
        assert_eq!(
            Request::parse("route add default via 10.0.0.1 dev eth0"),
            Some(Request::DefaultRoute {
                via: "10.0.0.1".parse().unwrap(),
                dev: "eth0".into()
            })
        );
        assert_eq!(
            Request::parse(
                "neigh replace 10.0.0.3 lladdr 02:43:00:01:00:02 dev eth0 nud permanent"
            ),
            Some(Request::Neighbour {
                ip: "10.0.0.3".parse().unwrap(),
                mac: [2, 0x43, 0, 1, 0, 2],
                dev: "eth0".into()
            })
        );
        for other in [
            "link set eth0 master br0 up now",
            "link set p0a0 type bridge_slave isolated on",
            "addr add fd00::2/64 dev eth0",
            "route add 10.1.0.0/16 via 10.0.0.1",
            "link add b0 type bridge",
            "neigh replace 10.0.0.3 lladdr 02:43:00 dev eth0 nud permanent",
        ] {
            assert_eq!(Request::parse(other), None, "{other}");
        }
    }

    #[test]
    fn messages_are_aligned_and_sized() {
        let mut m = Message::new(RTM_NEWADDR, 0, 7);
        m.bytes(&[AF_INET, 24, 0, 0])
            .bytes(&1u32.to_ne_bytes())
            .attr(IFA_LOCAL, &[10, 0, 0, 2])
            .attr(NDA_LLADDR, &[1, 2, 3, 4, 5, 6]);
        let b = m.finish();
        assert!(b.len().is_multiple_of(4));
        assert_eq!(
            u32::from_ne_bytes([b[0], b[1], b[2], b[3]]) as usize,
            b.len()
        );
        // header 16, ifaddrmsg 8, a 4-byte attribute 8, a 6-byte attribute padded to 12.
        assert_eq!(b.len(), 16 + 8 + 8 + 12);
    }
}
