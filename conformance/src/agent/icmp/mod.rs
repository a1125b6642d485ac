//! ICMP echo from the agent. Each platform has one way to send an echo without
//! privileges, and both are used as the platform's own `ping` uses them:
//! - Linux: an ICMP datagram socket (`socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)`), which
//!   the realizer allows per namespace with `net.ipv4.ping_group_range`; the kernel
//!   matches replies to the socket by echo id.
//! - Windows: `IcmpSendEcho2` of `iphlpapi.dll`. Winsock has no ping socket and a raw
//!   socket needs an administrator (`WSAEACCES`, 10013, otherwise), which a container
//!   user is not.
//!
//! What comes back is one [`ProbeOutcome`]: an echo reply, an ICMP unreachable (the
//! stack's `EHOSTUNREACH`, or an `IP_STATUS` of the unreachable family), or silence.

#[cfg(windows)]
mod iphlpapi;
#[cfg(not(windows))]
mod socket;

use hnsim_sim::ProbeOutcome;
use std::net::IpAddr;
use std::time::Duration;

/// The payload every echo request of the agent carries.
pub const PAYLOAD: &[u8] = b"hnsim-probe";

/// One echo request to `ip`, waiting at most `timeout` for its answer. `id` and `seq`
/// tell concurrent probes of one batch apart.
pub fn echo(ip: IpAddr, timeout: Duration, id: usize, seq: u32) -> ProbeOutcome {
    let IpAddr::V4(v4) = ip else {
        return ProbeOutcome::NotEmulated {
            why: "ICMPv6 probes are not implemented".into(),
        };
    };
    let seq = (seq as u16).wrapping_add((id as u16).wrapping_mul(7));
    #[cfg(windows)]
    {
        let _ = seq;
        iphlpapi::echo(v4, timeout)
    }
    #[cfg(not(windows))]
    {
        socket::echo(v4, timeout, seq)
    }
}

/// `IP_STATUS` values of `ipexport.h` (the Windows ABI fixes them).
pub mod ip_status {
    pub const SUCCESS: u32 = 0;
    pub const BASE: u32 = 11000;
    pub const DEST_NET_UNREACHABLE: u32 = 11002;
    pub const DEST_HOST_UNREACHABLE: u32 = 11003;
    pub const DEST_PROT_UNREACHABLE: u32 = 11004;
    pub const DEST_PORT_UNREACHABLE: u32 = 11005;
    pub const REQ_TIMED_OUT: u32 = 11010;
    pub const BAD_ROUTE: u32 = 11012;
    pub const TTL_EXPIRED_TRANSIT: u32 = 11013;
    pub const BAD_DESTINATION: u32 = 11018;
    pub const DEST_UNREACHABLE: u32 = 11040;
    pub const GENERAL_FAILURE: u32 = 11050;
}

/// The outcome an `IP_STATUS` (of a reply, or of `GetLastError` after no reply)
/// stands for: the same three answers the Linux socket gives.
pub fn ip_status_outcome(status: u32) -> ProbeOutcome {
    use ip_status::*;
    match status {
        SUCCESS => ProbeOutcome::Reply,
        REQ_TIMED_OUT => ProbeOutcome::Timeout,
        DEST_NET_UNREACHABLE
        | DEST_HOST_UNREACHABLE
        | DEST_PROT_UNREACHABLE
        | DEST_PORT_UNREACHABLE
        | BAD_ROUTE
        | TTL_EXPIRED_TRANSIT
        | BAD_DESTINATION
        | DEST_UNREACHABLE => ProbeOutcome::Unreachable,
        other => ProbeOutcome::Error {
            message: format!("IcmpSendEcho2: IP status {other}"),
        },
    }
}

/// The Internet checksum (RFC 1071) of an ICMP message.
pub fn checksum(data: &[u8]) -> u16 {
    let mut sum = 0u32;
    for chunk in data.chunks(2) {
        let word = u16::from_be_bytes([chunk[0], *chunk.get(1).unwrap_or(&0)]);
        sum += u32::from(word);
    }
    while sum >> 16 != 0 {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icmp_checksum_of_known_packet() {
        // Echo request, id 0, seq 1, no payload: checksum 0xf7fe.
        let pkt = [8u8, 0, 0, 0, 0, 0, 0, 1];
        assert_eq!(checksum(&pkt), 0xf7fe);
    }

    #[test]
    fn ip_status_values_map_like_the_linux_socket() {
        use ip_status::*;
        assert_eq!(ip_status_outcome(SUCCESS), ProbeOutcome::Reply);
        assert_eq!(ip_status_outcome(REQ_TIMED_OUT), ProbeOutcome::Timeout);
        for s in [
            DEST_NET_UNREACHABLE,
            DEST_HOST_UNREACHABLE,
            TTL_EXPIRED_TRANSIT,
            BAD_DESTINATION,
        ] {
            assert_eq!(ip_status_outcome(s), ProbeOutcome::Unreachable, "{s}");
        }
        assert!(matches!(
            ip_status_outcome(GENERAL_FAILURE),
            ProbeOutcome::Error { message } if message.contains("11050")
        ));
    }

    #[test]
    fn ipv6_is_said_to_be_not_emulated() {
        assert!(matches!(
            echo("::1".parse().unwrap(), Duration::from_millis(10), 0, 1),
            ProbeOutcome::NotEmulated { .. }
        ));
    }
}
