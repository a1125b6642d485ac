//! What a socket error says about the wire, the same on Linux and on Windows.
//!
//! The two stacks report the same events with different codes: a UDP datagram that
//! met an ICMP port unreachable is `ECONNREFUSED` on a connected Linux socket but
//! `WSAECONNRESET` (10054) on Windows; "no route" is `EHOSTUNREACH`/`ENETUNREACH` or
//! `WSAEHOSTUNREACH` (10065)/`WSAENETUNREACH` (10051); a receive timeout is `EAGAIN`
//! or `WSAETIMEDOUT` (10060). The tables are plain functions of the code, compiled on
//! every platform, so the Windows one is tested here on Linux too.

use hnsim_sim::ProbeOutcome;
use std::io::ErrorKind;

/// Winsock error codes (`winerror.h`); the values are fixed by the Windows ABI.
pub mod wsa {
    pub const EACCES: i32 = 10013;
    pub const EWOULDBLOCK: i32 = 10035;
    pub const EADDRNOTAVAIL: i32 = 10049;
    pub const ENETDOWN: i32 = 10050;
    pub const ENETUNREACH: i32 = 10051;
    pub const ECONNRESET: i32 = 10054;
    pub const ETIMEDOUT: i32 = 10060;
    pub const ECONNREFUSED: i32 = 10061;
    pub const EHOSTDOWN: i32 = 10064;
    pub const EHOSTUNREACH: i32 = 10065;
}

/// The outcome a Winsock error code stands for, when it stands for one.
pub fn windows_socket_error(code: i32) -> Option<ProbeOutcome> {
    Some(match code {
        // A TCP RST answering the SYN; for UDP, the ICMP port unreachable that a later
        // receive reports as a reset of the "connection".
        wsa::ECONNREFUSED | wsa::ECONNRESET => ProbeOutcome::Refused,
        wsa::ETIMEDOUT | wsa::EWOULDBLOCK => ProbeOutcome::Timeout,
        wsa::EHOSTUNREACH
        | wsa::ENETUNREACH
        | wsa::EHOSTDOWN
        | wsa::ENETDOWN
        | wsa::EADDRNOTAVAIL => ProbeOutcome::Unreachable,
        _ => return None,
    })
}

/// The outcome a Linux errno stands for, when it stands for one. `EPERM`/`EACCES`
/// come from a firewall rule that rejects locally (nftables `reject`), which is what
/// the realized dataplane uses to say "administratively prohibited".
pub fn unix_errno(code: i32) -> Option<ProbeOutcome> {
    #[cfg(unix)]
    {
        Some(match code {
            libc::ECONNREFUSED | libc::ECONNRESET => ProbeOutcome::Refused,
            libc::ETIMEDOUT | libc::EAGAIN => ProbeOutcome::Timeout,
            libc::EHOSTUNREACH
            | libc::ENETUNREACH
            | libc::EADDRNOTAVAIL
            | libc::EPERM
            | libc::EACCES => ProbeOutcome::Unreachable,
            _ => return None,
        })
    }
    #[cfg(not(unix))]
    {
        let _ = code;
        None
    }
}

/// The outcome of a failed send, connect or receive.
pub fn classify(err: &std::io::Error) -> ProbeOutcome {
    let by_code = err.raw_os_error().and_then(|code| {
        if cfg!(windows) {
            windows_socket_error(code)
        } else {
            unix_errno(code)
        }
    });
    if let Some(o) = by_code {
        return o;
    }
    match err.kind() {
        ErrorKind::ConnectionRefused | ErrorKind::ConnectionReset => ProbeOutcome::Refused,
        ErrorKind::TimedOut | ErrorKind::WouldBlock => ProbeOutcome::Timeout,
        ErrorKind::HostUnreachable | ErrorKind::NetworkUnreachable => ProbeOutcome::Unreachable,
        _ => ProbeOutcome::Error {
            message: err.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_codes_mean_what_the_linux_ones_mean() {
        assert_eq!(
            windows_socket_error(wsa::ECONNRESET),
            Some(ProbeOutcome::Refused),
            "UDP to a closed port: WSAECONNRESET"
        );
        assert_eq!(
            windows_socket_error(wsa::ECONNREFUSED),
            Some(ProbeOutcome::Refused)
        );
        assert_eq!(
            windows_socket_error(wsa::EHOSTUNREACH),
            Some(ProbeOutcome::Unreachable)
        );
        assert_eq!(
            windows_socket_error(wsa::ENETUNREACH),
            Some(ProbeOutcome::Unreachable)
        );
        assert_eq!(
            windows_socket_error(wsa::ETIMEDOUT),
            Some(ProbeOutcome::Timeout)
        );
        // Access denied is not an answer of the wire: it stays an error with its text.
        assert_eq!(windows_socket_error(wsa::EACCES), None);
    }

    #[cfg(unix)]
    #[test]
    fn linux_codes() {
        assert_eq!(
            classify(&std::io::Error::from_raw_os_error(libc::ECONNREFUSED)),
            ProbeOutcome::Refused
        );
        assert_eq!(
            classify(&std::io::Error::from_raw_os_error(libc::EHOSTUNREACH)),
            ProbeOutcome::Unreachable
        );
        assert_eq!(
            classify(&std::io::Error::from_raw_os_error(libc::EAGAIN)),
            ProbeOutcome::Timeout
        );
        assert!(matches!(
            classify(&std::io::Error::from_raw_os_error(libc::ENOBUFS)),
            ProbeOutcome::Error { .. }
        ));
    }

    #[test]
    fn kinds_without_codes() {
        let e = std::io::Error::new(ErrorKind::TimedOut, "t");
        assert_eq!(classify(&e), ProbeOutcome::Timeout);
        let e = std::io::Error::new(ErrorKind::ConnectionReset, "r");
        assert_eq!(classify(&e), ProbeOutcome::Refused);
        let e = std::io::Error::other("x");
        assert!(matches!(classify(&e), ProbeOutcome::Error { .. }));
    }
}
