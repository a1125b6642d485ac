//! Windows: echo through `IcmpSendEcho2` (iphlpapi), synchronously: no event and no
//! APC routine, so the call returns when the reply or the timeout comes. One ICMP
//! handle per echo keeps concurrent workers independent; opening one is cheap.

use super::{ip_status, ip_status_outcome, PAYLOAD};
use hnsim_sim::ProbeOutcome;
use std::net::Ipv4Addr;
use std::time::Duration;
use windows_sys::Win32::Foundation::{GetLastError, INVALID_HANDLE_VALUE};
use windows_sys::Win32::NetworkManagement::IpHelper::{
    IcmpCloseHandle, IcmpCreateFile, IcmpSendEcho2, ICMP_ECHO_REPLY,
};

pub fn echo(ip: Ipv4Addr, timeout: Duration) -> ProbeOutcome {
    // The reply buffer holds one ICMP_ECHO_REPLY, the echoed data, 8 bytes for an ICMP
    // error and an IO_STATUS_BLOCK (as the documentation of IcmpSendEcho2 asks).
    // u64 cells keep the structure aligned.
    let bytes = std::mem::size_of::<ICMP_ECHO_REPLY>() + PAYLOAD.len() + 8 + 16;
    let mut reply = vec![0u64; bytes.div_ceil(8)];
    let timeout_ms = u32::try_from(timeout.as_millis())
        .unwrap_or(u32::MAX)
        .max(1);
    // SAFETY: every pointer handed to iphlpapi points into a live buffer of the size
    // passed with it; the handle is closed before returning and used by this call only.
    unsafe {
        let handle = IcmpCreateFile();
        if handle == INVALID_HANDLE_VALUE {
            return ProbeOutcome::Error {
                message: format!(
                    "IcmpCreateFile: {}",
                    std::io::Error::from_raw_os_error(GetLastError() as i32)
                ),
            };
        }
        let replies = IcmpSendEcho2(
            handle,
            std::ptr::null_mut(),
            None,
            std::ptr::null(),
            u32::from_ne_bytes(ip.octets()),
            PAYLOAD.as_ptr().cast(),
            PAYLOAD.len() as u16,
            std::ptr::null(),
            reply.as_mut_ptr().cast(),
            (reply.len() * 8) as u32,
            timeout_ms,
        );
        let last = GetLastError();
        IcmpCloseHandle(handle);
        if replies == 0 {
            // No reply: the reason is an IP_STATUS (timed out, unreachable) or a plain
            // Windows error (bad parameter, no resources).
            return if (ip_status::BASE..=ip_status::GENERAL_FAILURE).contains(&last) {
                ip_status_outcome(last)
            } else {
                ProbeOutcome::Error {
                    message: format!(
                        "IcmpSendEcho2: {}",
                        std::io::Error::from_raw_os_error(last as i32)
                    ),
                }
            };
        }
        let first: ICMP_ECHO_REPLY = std::ptr::read(reply.as_ptr().cast());
        ip_status_outcome(first.Status)
    }
}
