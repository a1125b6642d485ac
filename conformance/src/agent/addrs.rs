//! The IPv4 addresses of the stack the agent runs in, asked of the OS directly:
//! `getifaddrs` on Linux, `GetAdaptersAddresses` on Windows. No `ip` binary is needed,
//! so the agent works in a `FROM scratch` image and in nanoserver alike.

use std::net::{IpAddr, Ipv4Addr};

/// Every IPv4 address of this stack, sorted; the wildcard address when none can be
/// listed (the caller then binds once, on all of them).
pub fn local_ipv4() -> Vec<IpAddr> {
    let mut addrs: Vec<IpAddr> = list().into_iter().map(IpAddr::V4).collect();
    addrs.sort();
    addrs.dedup();
    if addrs.is_empty() {
        addrs.push(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    }
    addrs
}

#[cfg(unix)]
fn list() -> Vec<Ipv4Addr> {
    let mut out = Vec::new();
    let mut head: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs fills `head` with a list the C library owns until
    // freeifaddrs; every node and address is read only while that list lives, and an
    // address is read as sockaddr_in only when its family says AF_INET.
    unsafe {
        if libc::getifaddrs(&mut head) != 0 {
            return out;
        }
        let mut node = head;
        while !node.is_null() {
            let addr = (*node).ifa_addr;
            if !addr.is_null() && i32::from((*addr).sa_family) == libc::AF_INET {
                let sin = addr.cast::<libc::sockaddr_in>();
                out.push(Ipv4Addr::from(u32::from_be((*sin).sin_addr.s_addr)));
            }
            node = (*node).ifa_next;
        }
        libc::freeifaddrs(head);
    }
    out
}

#[cfg(windows)]
fn list() -> Vec<Ipv4Addr> {
    use windows_sys::Win32::Foundation::{ERROR_BUFFER_OVERFLOW, NO_ERROR};
    use windows_sys::Win32::NetworkManagement::IpHelper::{
        GetAdaptersAddresses, GAA_FLAG_SKIP_ANYCAST, GAA_FLAG_SKIP_DNS_SERVER,
        GAA_FLAG_SKIP_MULTICAST, IP_ADAPTER_ADDRESSES_LH,
    };
    use windows_sys::Win32::Networking::WinSock::{AF_INET, SOCKADDR_IN};
    let flags = GAA_FLAG_SKIP_ANYCAST | GAA_FLAG_SKIP_MULTICAST | GAA_FLAG_SKIP_DNS_SERVER;
    let mut size: u32 = 16 * 1024;
    let mut out = Vec::new();
    // The list grows between the size query and the call when an adapter appears; a
    // few attempts with the size Windows asks for settle it.
    for _ in 0..4 {
        let mut buf = vec![0u64; (size as usize).div_ceil(8)];
        let head = buf.as_mut_ptr().cast::<IP_ADAPTER_ADDRESSES_LH>();
        // SAFETY: `buf` is `size` bytes, 8-aligned, and outlives every pointer into it;
        // addresses are read as SOCKADDR_IN only when their family is AF_INET.
        unsafe {
            let rc =
                GetAdaptersAddresses(u32::from(AF_INET), flags, std::ptr::null(), head, &mut size);
            if rc == ERROR_BUFFER_OVERFLOW {
                continue;
            }
            if rc != NO_ERROR {
                return out;
            }
            let mut adapter = head;
            while !adapter.is_null() {
                let mut unicast = (*adapter).FirstUnicastAddress;
                while !unicast.is_null() {
                    let sa = (*unicast).Address.lpSockaddr;
                    if !sa.is_null() && (*sa).sa_family == AF_INET {
                        let sin = sa.cast::<SOCKADDR_IN>();
                        let raw = (*sin).sin_addr.S_un.S_addr;
                        out.push(Ipv4Addr::from(u32::from_be(raw)));
                    }
                    unicast = (*unicast).Next;
                }
                adapter = (*adapter).Next;
            }
            return out;
        }
    }
    out
}

#[cfg(not(any(unix, windows)))]
fn list() -> Vec<Ipv4Addr> {
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_is_listed() {
        let addrs = local_ipv4();
        assert!(
            addrs.contains(&IpAddr::V4(Ipv4Addr::LOCALHOST)),
            "every stack has 127.0.0.1: {addrs:?}"
        );
        assert!(addrs.windows(2).all(|w| w[0] < w[1]), "sorted, no repeats");
    }
}
