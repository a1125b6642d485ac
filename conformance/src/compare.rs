//! Expected (simulated) vs observed (probed), cell by cell. Pure: no I/O.
//!
//! The rule is deliberately coarse, because that is what a packet can tell: a cell the
//! model says is delivered must get a reply on the wire; a cell the model denies must
//! not (a timeout, a refusal or an unreachable are all "not delivered": a TCP RST from
//! the destination host for a port that is not published is exactly NAT-8's denial as
//! the wire shows it). Finer distinctions (which deny reason) are not observable from
//! the source and are not judged.
//!
//! A cell the model leaves unknown is not judged either, but a probe of it is still
//! evidence: it is [`Verdict::Undecided`] with what the wire showed, counted on its
//! own — not an agreement (the model claimed nothing), and not "not emulated" (the
//! dataplane did answer).
//!
//! Names are: where the source asked its resolver for the destination's name before
//! probing ([`NameCheck`]), a cell whose address the model gives a name must have that
//! name resolve to the destination, and a cell the model reaches by the container's
//! address without a name must not — either way round, the model is wrong about Docker's
//! embedded DNS (DNS-1), whatever the packet did.

use crate::agent::dns::NameLookup;
use hnsim_sim::{
    Address, AddressKind, CellVerdict, Conformance, ConformanceSummary, Disposition, Observation,
    Probe, ProbeOutcome, StateMatrix, Verdict,
};
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;
use std::net::IpAddr;

/// What one probe of one cell showed.
#[skip_serializing_none]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ObservedCell {
    pub from: String,
    pub to: String,
    pub probe: Probe,
    pub observation: Observation,
    /// Set by the realizer when its emulation of this cell is known to differ from real
    /// HNS/Docker, with the reason; a disagreement on such a cell is reported as a
    /// known divergence instead.
    pub known_divergence: Option<String>,
    /// The destination's name as the source's resolver answered it, when it was asked.
    pub name: Option<NameCheck>,
}

/// A name asked before a probe of the destination's own address `ip`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NameCheck {
    pub lookup: NameLookup,
    pub ip: IpAddr,
}

impl NameCheck {
    /// Why the model's address for the cell contradicts this lookup, if it does.
    fn contradicts(&self, address: Option<&Address>) -> bool {
        let resolved = self.lookup.answer.resolves_to(self.ip);
        match address {
            Some(Address {
                name: Some(name), ..
            }) if name.eq_ignore_ascii_case(&self.lookup.name) => !resolved,
            Some(Address {
                kind: AddressKind::ContainerIp,
                name: None,
                ..
            }) => resolved,
            _ => false,
        }
    }
}

/// Judges every observed cell against the expected matrix. `Conformance::state` is 0;
/// the caller sets the index of the state it probed.
pub fn compare(expected: &StateMatrix, observed: &[ObservedCell]) -> Conformance {
    // Each expected cell's position and disposition, by (from, to, probe): the matrix
    // makes its cells on demand, so they are read once.
    type Expected = (usize, Disposition, Option<Address>);
    let index: std::collections::HashMap<(&str, &str, Probe), Expected> = expected
        .outcomes()
        .enumerate()
        .map(|(i, (from, to, probe, d, a))| ((from, to, probe), (i, d, a)))
        .collect();
    let mut cells: Vec<(usize, CellVerdict)> = observed
        .iter()
        .map(|o| {
            let found = index.get(&(o.from.as_str(), o.to.as_str(), o.probe));
            let position = found.map(|(i, _, _)| *i);
            let exp = found.map(|(_, d, _)| d.clone());
            let address = found.and_then(|(_, _, a)| a.as_ref());
            let verdict = match judge(exp.as_ref(), o) {
                Verdict::Agree if o.name.as_ref().is_some_and(|n| n.contradicts(address)) => {
                    Verdict::Disagree
                }
                v => v,
            };
            let expected = exp.unwrap_or(Disposition::Unknown {
                why: "the simulated matrix has no such cell".into(),
            });
            (
                position.unwrap_or(usize::MAX),
                CellVerdict {
                    from: o.from.clone(),
                    to: o.to.clone(),
                    probe: o.probe,
                    verdict,
                    expected,
                    observation: o.observation.clone(),
                },
            )
        })
        .collect();
    cells.sort_by_key(|(i, _)| *i);
    let cells: Vec<CellVerdict> = cells.into_iter().map(|(_, c)| c).collect();
    let mut summary = ConformanceSummary::default();
    for c in &cells {
        count(&mut summary, &c.verdict);
    }
    Conformance {
        backend: observed
            .first()
            .map(|o| o.observation.backend.clone())
            .unwrap_or_else(|| "none".into()),
        state: 0,
        cells,
        summary,
    }
}

fn judge(expected: Option<&Disposition>, o: &ObservedCell) -> Verdict {
    if let ProbeOutcome::NotEmulated { why } = &o.observation.outcome {
        return Verdict::NotEmulated { why: why.clone() };
    }
    let Some(expected) = expected else {
        return Verdict::NotEmulated {
            why: "the simulated matrix has no such cell".into(),
        };
    };
    // What the wire showed: delivered, not delivered, or (the probe could not run)
    // nothing about the network.
    let delivered = match &o.observation.outcome {
        ProbeOutcome::Reply => Some(true),
        ProbeOutcome::Timeout | ProbeOutcome::Refused | ProbeOutcome::Unreachable => Some(false),
        ProbeOutcome::Error { .. } | ProbeOutcome::NotEmulated { .. } => None,
    };
    let expect_delivered = match expected {
        // The probe ran, so the wire decided what the model did not: evidence about
        // the cell, kept apart from both agreement and "not emulated".
        Disposition::Unknown { why } => {
            return match delivered {
                Some(delivered) => Verdict::Undecided {
                    why: why.clone(),
                    delivered,
                },
                None => Verdict::NotEmulated {
                    why: format!("the model cannot decide ({why}), and the probe did not run"),
                },
            }
        }
        Disposition::Delivered => true,
        Disposition::Denied { .. } => false,
    };
    // A probe that could not run (an error) agrees with nothing.
    let agree = delivered == Some(expect_delivered);
    match (agree, &o.known_divergence) {
        (true, _) => Verdict::Agree,
        (false, Some(why)) => Verdict::KnownDivergence { why: why.clone() },
        (false, None) => Verdict::Disagree,
    }
}

/// Counts `verdict` in `summary`: a comparison's own summary, and the sums of
/// verdicts a run adds up over many (per driver, [`crate::differential::tally`]).
pub fn count(summary: &mut ConformanceSummary, verdict: &Verdict) {
    match verdict {
        Verdict::Agree => summary.agree += 1,
        Verdict::Disagree => summary.disagree += 1,
        Verdict::NotEmulated { .. } => summary.not_emulated += 1,
        Verdict::KnownDivergence { .. } => summary.known_divergence += 1,
        Verdict::Undecided { .. } => summary.undecided += 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::dns::Answer;
    use hnsim_sim::{Cell, DenyReason};

    fn cell(from: &str, to: &str, probe: Probe, d: Disposition) -> Cell {
        Cell {
            from: from.into(),
            to: to.into(),
            probe,
            disposition: d,
            address: None,
            path: vec![],
            facts: vec![],
            observation: None,
        }
    }
    fn denied() -> Disposition {
        Disposition::Denied {
            reason: DenyReason::NotPublished,
            why: "NAT-8".into(),
        }
    }
    fn obs(from: &str, to: &str, probe: Probe, outcome: ProbeOutcome) -> ObservedCell {
        ObservedCell {
            from: from.into(),
            to: to.into(),
            probe,
            observation: Observation {
                backend: "netns".into(),
                sent: "x".into(),
                to: "10.0.0.1".into(),
                outcome,
                rtt_ms: None,
                attempts: 1,
                repro: "r".into(),
            },
            known_divergence: None,
            name: None,
        }
    }
    fn matrix() -> StateMatrix {
        StateMatrix::from_cells(
            None,
            "initial design",
            vec![],
            vec![
                cell("a", "b", Probe::Icmp, Disposition::Delivered),
                cell("a", "b", Probe::Tcp(80), denied()),
                cell(
                    "b",
                    "a",
                    Probe::Icmp,
                    Disposition::Unknown { why: "dhcp".into() },
                ),
                cell("b", "a", Probe::Udp(53), Disposition::Delivered),
            ],
        )
    }

    #[test]
    fn reply_agrees_with_delivered_and_silence_with_denied() {
        let c = compare(
            &matrix(),
            &[
                obs("a", "b", Probe::Icmp, ProbeOutcome::Reply),
                obs("a", "b", Probe::Tcp(80), ProbeOutcome::Refused),
            ],
        );
        assert_eq!(c.summary.agree, 2);
        assert_eq!(c.summary.disagree, 0);
        assert_eq!(c.backend, "netns");
    }

    #[test]
    fn mismatches_disagree_in_both_directions() {
        let c = compare(
            &matrix(),
            &[
                obs("a", "b", Probe::Tcp(80), ProbeOutcome::Reply),
                obs("a", "b", Probe::Icmp, ProbeOutcome::Timeout),
                obs(
                    "b",
                    "a",
                    Probe::Udp(53),
                    ProbeOutcome::Error {
                        message: "x".into(),
                    },
                ),
            ],
        );
        assert_eq!(c.summary.disagree, 3);
        // Cells come back in the expected matrix's order.
        assert_eq!(c.cells[0].probe, Probe::Icmp);
        assert_eq!(c.cells[0].expected, Disposition::Delivered);
    }

    #[test]
    fn not_emulated_unknown_and_known_divergence() {
        let mut known = obs("a", "b", Probe::Icmp, ProbeOutcome::Timeout);
        known.known_divergence = Some("VFP NAT is not nftables".into());
        let c = compare(
            &matrix(),
            &[
                known,
                obs(
                    "a",
                    "b",
                    Probe::Tcp(80),
                    ProbeOutcome::NotEmulated {
                        why: "l2tunnel".into(),
                    },
                ),
                obs("b", "a", Probe::Icmp, ProbeOutcome::Reply),
                obs("x", "y", Probe::Icmp, ProbeOutcome::Reply),
            ],
        );
        assert_eq!(c.summary.known_divergence, 1);
        // The model's unknown b→a ICMP was answered: undecided, not "not emulated".
        assert_eq!(c.summary.not_emulated, 2);
        assert_eq!(c.summary.undecided, 1);
        assert_eq!(c.summary.disagree, 0);
        assert_eq!(c.summary.agree, 0);
        assert!(matches!(
            &c.cells[0].verdict,
            Verdict::KnownDivergence { why } if why.contains("VFP")
        ));
    }

    fn named(name: &str, answer: Answer) -> NameCheck {
        NameCheck {
            lookup: NameLookup {
                name: name.into(),
                server: "127.0.0.11:53".into(),
                answer,
            },
            ip: "172.18.0.3".parse().unwrap(),
        }
    }

    fn addressed(name: Option<&str>) -> Cell {
        let mut c = cell("a", "b", Probe::Tcp(80), Disposition::Delivered);
        c.address = Some(Address {
            kind: AddressKind::ContainerIp,
            value: "172.18.0.3:80".into(),
            ip: "172.18.0.3".parse().ok(),
            port: Some(80),
            name: name.map(str::to_string),
        });
        c
    }

    /// The verdict on a delivered cell `a -> b` whose destination the model names
    /// `model` (or does not), when the source's resolver answered `answer` for `b`.
    fn verdict_on_name(model: Option<&str>, answer: Answer) -> Verdict {
        let m = StateMatrix::from_cells(None, "s", vec![], vec![addressed(model)]);
        let mut o = obs("a", "b", Probe::Tcp(80), ProbeOutcome::Reply);
        o.name = Some(named("b", answer));
        compare(&m, &[o]).cells[0].verdict.clone()
    }

    fn resolves_to(ip: &str) -> Answer {
        Answer::Addresses {
            ips: vec![ip.parse().unwrap()],
        }
    }

    #[test]
    fn a_name_the_model_gives_must_resolve_to_the_destination() {
        for (answer, verdict) in [
            (resolves_to("172.18.0.3"), Verdict::Agree),
            (Answer::NxDomain, Verdict::Disagree),
            (resolves_to("172.18.0.9"), Verdict::Disagree),
        ] {
            assert_eq!(verdict_on_name(Some("b"), answer), verdict);
        }
    }

    #[test]
    fn a_name_that_resolves_where_the_model_has_none_disagrees() {
        assert_eq!(verdict_on_name(None, Answer::NxDomain), Verdict::Agree);
        let to_b = resolves_to("172.18.0.3");
        assert_eq!(verdict_on_name(None, to_b), Verdict::Disagree);
    }

    #[test]
    fn an_unknown_cell_the_wire_answered_is_undecided_with_what_it_showed() {
        let verdict = |outcome| {
            compare(&matrix(), &[obs("b", "a", Probe::Icmp, outcome)]).cells[0]
                .verdict
                .clone()
        };
        assert_eq!(
            verdict(ProbeOutcome::Reply),
            Verdict::Undecided {
                why: "dhcp".into(),
                delivered: true
            }
        );
        assert_eq!(
            verdict(ProbeOutcome::Refused),
            Verdict::Undecided {
                why: "dhcp".into(),
                delivered: false
            }
        );
        // A probe that could not run decides nothing.
        let failed = verdict(ProbeOutcome::Error {
            message: "x".into(),
        });
        assert!(
            matches!(&failed, Verdict::NotEmulated { why } if why.contains("dhcp")),
            "{failed:?}"
        );
    }

    #[test]
    fn known_divergence_that_agrees_is_agree() {
        let mut o = obs("a", "b", Probe::Icmp, ProbeOutcome::Reply);
        o.known_divergence = Some("x".into());
        assert_eq!(compare(&matrix(), &[o]).cells[0].verdict, Verdict::Agree);
    }
}
