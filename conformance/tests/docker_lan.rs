//! The Docker backend's LAN clients and internet: namespaces around the engine's
//! machine, reached through the run's own links. What the wire shows between them and
//! the engine's containers is checked cell by cell, and a capture on the machine's
//! default-route interface during the whole run shows that nothing of the run left
//! the machine. Needs root and a Docker engine (skipped only by `HNSIM_SKIP_DOCKER=1`
//! or `HNSIM_SKIP_ROOT=1`).

#[path = "common/mod.rs"]
mod common;

use hnsim_conformance::compare;
use hnsim_conformance::docker;
use hnsim_sim::Verdict;
use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

const LAN: &str = "name: lan-around-docker
segments:
  - {name: lan, subnet: 10.0.0.0/24, gateway: 10.0.0.1}
hosts:
  - {name: lx1, os: linux, nics: [{name: eth0, ip: 10.0.0.20/24, segment: lan}]}
  - {name: lx2, os: linux, nics: [{name: eth0, ip: 10.0.0.21/24, segment: lan}]}
networks:
  - {name: app, host: lx1, driver: bridge}
  - {name: mv, host: lx1, driver: macvlan, subnet: 10.0.0.0/24, gateway: 10.0.0.1, options: {parent: eth0}}
containers:
  - {name: web, host: lx1, networks: [app], ports: ['8080:80']}
  - {name: api, host: lx1, networks: [app], listen: [tcp/81]}
  - {name: cam, host: lx1, networks: [{network: mv, ip: 10.0.0.60}], listen: [tcp/554]}
  - {name: mon, host: lx1, networks: [host], listen: [tcp/9100]}
clients:
  - {name: laptop, segment: lan, ip: 10.0.0.50, listen: [tcp/22]}
  - {name: remote, internet: true}
";

/// The interface of the machine's default route.
fn default_route_dev() -> String {
    let out = std::process::Command::new("ip")
        .args(["-4", "route", "show", "default"])
        .output()
        .expect("ip route");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let words: Vec<&str> = text.split_whitespace().collect();
    let i = words
        .iter()
        .position(|w| *w == "dev")
        .expect("a default route");
    words[i + 1].to_string()
}

/// Every IPv4 address seen on `dev` (sources, destinations, ARP sender and target)
/// until `stop`, from a packet socket bound to it.
fn capture(dev: &str, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<BTreeSet<Ipv4Addr>> {
    let index = {
        let name = std::ffi::CString::new(dev).unwrap();
        // SAFETY: a NUL-terminated name; the call reads it only.
        unsafe { libc::if_nametoindex(name.as_ptr()) }
    };
    assert!(index > 0, "no interface {dev}");
    let proto = (libc::ETH_P_ALL as u16).to_be();
    // SAFETY: plain socket calls on a descriptor this function owns; the address and
    // option structures live on the stack for the duration of each call.
    let fd = unsafe {
        let fd = libc::socket(libc::AF_PACKET, libc::SOCK_RAW, i32::from(proto));
        assert!(
            fd >= 0,
            "packet socket: {}",
            std::io::Error::last_os_error()
        );
        let mut sll: libc::sockaddr_ll = std::mem::zeroed();
        sll.sll_family = libc::AF_PACKET as u16;
        sll.sll_protocol = proto;
        sll.sll_ifindex = index as i32;
        let r = libc::bind(
            fd,
            (&sll as *const libc::sockaddr_ll).cast(),
            std::mem::size_of::<libc::sockaddr_ll>() as u32,
        );
        assert_eq!(r, 0, "bind: {}", std::io::Error::last_os_error());
        let tv = libc::timeval {
            tv_sec: 0,
            tv_usec: 200_000,
        };
        libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_RCVTIMEO,
            (&tv as *const libc::timeval).cast(),
            std::mem::size_of::<libc::timeval>() as u32,
        );
        fd
    };
    std::thread::spawn(move || {
        let mut seen = BTreeSet::new();
        let mut buf = vec![0u8; 65536];
        let ip_at = |b: &[u8], i: usize| Ipv4Addr::new(b[i], b[i + 1], b[i + 2], b[i + 3]);
        while !stop.load(Ordering::Relaxed) {
            // SAFETY: reads into a buffer of the given length this thread owns.
            let n = unsafe { libc::recv(fd, buf.as_mut_ptr().cast(), buf.len(), 0) };
            if n < 14 {
                continue;
            }
            let b = &buf[..n as usize];
            match u16::from_be_bytes([b[12], b[13]]) {
                0x0800 if b.len() >= 34 => {
                    seen.insert(ip_at(b, 26));
                    seen.insert(ip_at(b, 30));
                }
                0x0806 if b.len() >= 42 => {
                    seen.insert(ip_at(b, 28));
                    seen.insert(ip_at(b, 38));
                }
                _ => {}
            }
        }
        // SAFETY: closes the descriptor opened above, once.
        unsafe { libc::close(fd) };
        seen
    })
}

/// The address part of an observation's `to` (`10.0.0.20:8080`, `10.0.0.50`).
fn address(to: &str) -> Option<Ipv4Addr> {
    to.split(':').next()?.parse().ok()
}

#[test]
fn lan_clients_and_the_internet_are_probed_and_nothing_leaves_the_machine() {
    let test = "lan_clients_and_the_internet_are_probed_and_nothing_leaves_the_machine";
    let Some(_turn) = common::turn(test, common::docker_and_root_or_skip) else {
        return;
    };
    let dev = default_route_dev();
    let stop = Arc::new(AtomicBool::new(false));
    let seen = capture(&dev, stop.clone());
    std::thread::sleep(Duration::from_millis(200));

    let doc = hnsim_model::parse_scenario("lan.yaml", LAN).expect("parses");
    let (analysis, expected, mut dp) = common::docker_realize(&doc);
    let design = &analysis.final_state().design;
    // The host-network workload listens on the run's stand-in, not on every address of
    // the machine (0.0.0.0:9100 would open the port on its real interfaces).
    let tcp = std::fs::read_to_string("/proc/net/tcp").unwrap();
    assert!(
        !tcp.lines().any(|l| l.contains(" 00000000:238C ")),
        "port 9100 is open on every address of the machine"
    );
    let (observed, prefix) = common::docker_probe_and_clean(&mut dp, design, &expected);
    std::thread::sleep(Duration::from_millis(500));
    stop.store(true, Ordering::Relaxed);
    let seen = seen.join().expect("capture");

    // Nothing the run probed, nor any address of its LAN or internet, was seen on the
    // machine's own interface.
    let probed: BTreeSet<Ipv4Addr> = observed
        .iter()
        .filter_map(|o| address(&o.observation.to))
        .filter(|a| !a.is_loopback())
        .collect();
    assert!(probed.len() >= 4, "{probed:?}");
    let leaked: Vec<&Ipv4Addr> = probed.intersection(&seen).collect();
    assert!(leaked.is_empty(), "run addresses seen on {dev}: {leaked:?}");
    let internet_block = "198.18.0.0/15".parse::<ipnet::IpNet>().unwrap();
    assert!(
        !seen
            .iter()
            .any(|a| internet_block.contains(&IpAddr::V4(*a))),
        "the run's internet was seen on {dev}"
    );

    let replied = |from: &str, to: &str, probe: &str| common::replied(&observed, from, to, probe);
    // The LAN reaches the published port on the host's address, not the unpublished
    // one: the containers' addresses are not routed on the LAN (EXT-10).
    assert!(replied("client:laptop", "web@app", "tcp/80"));
    assert!(!replied("client:laptop", "api@app", "tcp/81"));
    assert!(replied("client:laptop", "host:lx1", "icmp"));
    // Containers reach the LAN and the internet through the host's masquerade.
    assert!(replied("web@app", "client:laptop", "tcp/22"));
    assert!(replied("api@app", "internet", "tcp/443"));
    // The internet opens nothing towards the LAN; the LAN reaches the internet.
    assert!(!replied("internet", "web@app", "tcp/80"));
    assert!(!replied("client:remote", "host:lx1", "icmp"));
    assert!(replied("client:laptop", "internet", "icmp"));
    // Another host is a machine on the LAN: it reaches the published port, and
    // containers reach it.
    assert!(replied("host:lx2", "web@app", "tcp/80"));
    assert!(replied("host:lx2", "host:lx1", "icmp"));
    assert!(replied("api@app", "host:lx2", "icmp"));
    // The macvlan container is on the LAN itself (its parent is the host's NIC link):
    // the LAN reaches it, its own host does not (EXT-12).
    assert!(replied("client:laptop", "cam@mv", "tcp/554"));
    assert!(replied("host:lx2", "cam@mv", "icmp"));
    assert!(!replied("host:lx1", "cam@mv", "icmp"));
    assert!(replied("cam@mv", "internet", "tcp/443"));
    assert!(replied("client:laptop", "mon@host", "tcp/9100"));

    let conf = compare(&expected, &observed);
    let bad: Vec<String> = conf
        .cells
        .iter()
        .filter(|c| !matches!(c.verdict, Verdict::Agree))
        .map(|c| format!("{} -> {} {}: {:?}", c.from, c.to, c.probe, c.verdict))
        .collect();
    assert!(bad.is_empty(), "every cell is probed and agrees: {bad:?}");

    // Nothing of the run remains: containers, networks, links, namespaces.
    let left = docker::leftovers(&prefix).unwrap();
    assert!(left.is_empty(), "{left:?}");
    let links = std::process::Command::new("ip")
        .args(["-o", "link", "show"])
        .output()
        .unwrap();
    let hex: String = prefix
        .trim_start_matches("hnsim-")
        .trim_end_matches('-')
        .to_string();
    assert!(
        !String::from_utf8_lossy(&links.stdout).contains(&format!("hnsim{hex}")),
        "links of {prefix} remain"
    );
}
