//! The WinNAT instance behind a nat network (`Get-NetNat`).

use super::{show, show_nets, Ctx};
use crate::hns::json::HnsNetwork;
use hnsim_model::{Driver, Network};
use hnsim_sim::CheckStatus as Status;

impl Ctx<'_> {
    pub(super) fn netnat(&mut self, net: &Network, h: &HnsNetwork) {
        let Some(nats) = self.dump.netnat.as_ref() else {
            return;
        };
        if !matches!(net.driver, Driver::Nat) {
            return;
        }
        let object = format!("netnat {}", net.name);
        let subnets = h.subnets.clone();
        if nats.is_empty() {
            self.push(
                &object,
                "WinNAT prefix",
                format!("a prefix holding {}", show_nets(&subnets)),
                "Get-NetNat lists nothing".into(),
                Status::Variant,
                "HNS programs WinNAT for its NAT networks; newer builds do not list them as NetNat objects",
                &["NAT-7", "NAT-11"],
            );
            return;
        }
        // By the network's WinNAT name when HNS gives it, else by prefix.
        let holder = nats
            .iter()
            .find(|n| {
                h.nat_name
                    .as_deref()
                    .is_some_and(|x| x.eq_ignore_ascii_case(&n.name))
            })
            .or_else(|| {
                nats.iter().find(|n| {
                    n.prefix.is_some_and(|p| {
                        !subnets.is_empty() && subnets.iter().all(|s| p.contains(s))
                    })
                })
            });
        let holds = holder.is_some_and(|n| {
            n.prefix
                .is_some_and(|p| !subnets.is_empty() && subnets.iter().all(|s| p.contains(s)))
        });
        let status = match (holder, holds) {
            (Some(_), true) => Status::Match,
            (Some(_), false) => Status::Mismatch,
            (None, _) => Status::Missing,
        };
        self.push(
            &object,
            "WinNAT prefix",
            format!("a prefix holding {}", show_nets(&subnets)),
            match holder {
                Some(n) => format!("`{}` {}", n.name, show(n.prefix)),
                None => nats
                    .iter()
                    .map(|n| show(n.prefix))
                    .collect::<Vec<_>>()
                    .join(", "),
            },
            status,
            "a NAT network's subnet is a partition of a WinNAT internal prefix",
            &["NAT-7", "NAT-11"],
        );
    }
}
