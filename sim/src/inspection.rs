//! The answer of an HNS inspection: the model's objects for one Windows host compared
//! field by field with what HNS holds there. Produced by the conformance crate (which
//! reads HNS), rendered by the reports crate; like [`crate::matrix`], only data here.

use serde::{Deserialize, Serialize};

/// How one field of one object compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckStatus {
    Match,
    /// Differs where HNS/Docker choose and the model guesses; within what it promises.
    Variant,
    /// Present in HNS, not in the model (informational).
    Extra,
    Mismatch,
    /// In the model, not in HNS.
    Missing,
}

impl CheckStatus {
    /// True for the statuses that make an inspection fail.
    pub fn fails(self) -> bool {
        matches!(self, CheckStatus::Mismatch | CheckStatus::Missing)
    }
    pub fn symbol(self) -> &'static str {
        match self {
            CheckStatus::Match => "ok",
            CheckStatus::Variant => "variant",
            CheckStatus::Extra => "extra",
            CheckStatus::Mismatch => "MISMATCH",
            CheckStatus::Missing => "MISSING",
        }
    }
}

/// One comparison of one field of one object.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Check {
    /// `network n1`, `endpoint a@n1`, `netnat n1`.
    pub object: String,
    pub field: String,
    pub expected: String,
    pub observed: String,
    pub status: CheckStatus,
    /// Why this is expected, or why a difference is acceptable.
    pub why: String,
    pub facts: Vec<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectionSummary {
    pub matched: usize,
    pub variants: usize,
    pub extra: usize,
    pub mismatches: usize,
    pub missing: usize,
}

impl InspectionSummary {
    /// Counts `checks` by status.
    pub fn of(checks: &[Check]) -> Self {
        let mut s = InspectionSummary::default();
        for c in checks {
            match c.status {
                CheckStatus::Match => s.matched += 1,
                CheckStatus::Variant => s.variants += 1,
                CheckStatus::Extra => s.extra += 1,
                CheckStatus::Mismatch => s.mismatches += 1,
                CheckStatus::Missing => s.missing += 1,
            }
        }
        s
    }
}

/// The result of `hnsim conform --backend hns` for one host.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Inspection {
    pub scenario: String,
    pub host: String,
    pub checks: Vec<Check>,
    pub summary: InspectionSummary,
}

impl Inspection {
    pub fn failed(&self) -> bool {
        self.summary.mismatches + self.summary.missing > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_counts_and_failure() {
        let check = |status| Check {
            object: "network n".into(),
            field: "type".into(),
            expected: "NAT".into(),
            observed: "NAT".into(),
            status,
            why: String::new(),
            facts: vec!["EXT-9".into()],
        };
        let checks = vec![
            check(CheckStatus::Match),
            check(CheckStatus::Variant),
            check(CheckStatus::Extra),
        ];
        let i = Inspection {
            scenario: "s".into(),
            host: "h".into(),
            summary: InspectionSummary::of(&checks),
            checks,
        };
        assert!(!i.failed());
        assert_eq!(i.summary.variants, 1);
        let checks = vec![check(CheckStatus::Missing)];
        assert!(InspectionSummary::of(&checks).missing == 1);
        assert!(CheckStatus::Mismatch.fails() && !CheckStatus::Extra.fails());
    }
}
