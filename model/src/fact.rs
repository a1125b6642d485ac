//! SPEC fact IDs: the contract between the source documents and every answer.
//!
//! The list is the one in `SPEC.md`; a test in this crate reads SPEC.md (when present)
//! and checks that the two agree, so a new fact cannot be forgotten here.

/// Every fact ID in SPEC.md, in document order.
pub const ALL: &[&str] = &[
    "ARCH-1", "ARCH-2", "ARCH-3", "ARCH-4", "ARCH-5", "ARCH-6", "NAT-1", "NAT-2", "NAT-3", "NAT-4",
    "NAT-5", "NAT-6", "NAT-7", "NAT-8", "NAT-9", "NAT-10", "NAT-11", "NAT-12", "NAT-13", "TRANS-1",
    "TRANS-2", "TRANS-3", "TRANS-4", "TRANS-5", "TRANS-6", "TRANS-7", "OVL-1", "OVL-2", "OVL-3",
    "OVL-4", "OVL-5", "L2B-1", "L2B-2", "L2B-3", "L2B-4", "L2B-5", "L2T-1", "SDN-1", "SDN-2",
    "SDN-3", "OPT-1", "OPT-2", "OPT-3", "OPT-4", "OPT-5", "OPT-6", "OPT-7", "OPT-8", "OPT-9",
    "IPAM-1", "DNS-1", "DNS-2", "LNX-1", "LNX-2", "LNX-3", "LNX-4", "LNX-5", "LNX-6", "MAT-1",
    "MAT-2", "MAT-3", "EXT-1", "EXT-2", "EXT-3", "EXT-4", "EXT-5", "EXT-6", "EXT-7", "EXT-8",
    "EXT-9", "EXT-10", "EXT-11", "EXT-12", "EXT-13",
];

pub fn is_known(id: &str) -> bool {
    ALL.contains(&id)
}

#[cfg(test)]
mod tests {
    #[test]
    fn matches_spec_md() {
        let spec = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/SPEC.md");
        let Ok(text) = std::fs::read_to_string(spec) else {
            return; // SPEC.md lives beside the checkout; absent in a packaged crate.
        };
        let ids: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("- "))
            .filter_map(|l| l.split_whitespace().next())
            .filter(|w| {
                w.split_once('-').is_some_and(|(a, b)| {
                    a.chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                        && b.chars().all(|c| c.is_ascii_digit())
                        && !b.is_empty()
                })
            })
            .collect();
        assert_eq!(ids, super::ALL);
    }
}
