//! Where an endpoint on a host NIC is wired: the NIC its network binds and that NIC's
//! segment, shared by the VLAN and l2tunnel endpoints.

use super::{nic_index_for, Builder};

impl Builder<'_> {
    /// The NIC of host `k` that endpoint `e`'s network (`ni`) binds, the segment that NIC
    /// is on, and the endpoint's address: what a VLAN or l2tunnel endpoint is wired to.
    /// Marks the endpoint not emulated, saying which is missing, when one is.
    pub fn bound_segment(
        &mut self,
        e: &hnsim_model::Endpoint,
        ni: usize,
        k: usize,
    ) -> Option<(usize, usize, std::net::IpAddr)> {
        let d = self.d;
        let host = &d.scenario.hosts[k];
        let (ci, a) = (e.container, e.attachment);
        let Some(n) = nic_index_for(d, &d.scenario.networks[ni], host) else {
            self.not_emulated(ci, a, "the network binds no NIC of the host (OPT-2)");
            return None;
        };
        let segment = &host.nics[n].segment;
        let Some(si) = d.scenario.segments.iter().position(|s| s.name == *segment) else {
            self.not_emulated(ci, a, "the host NIC is on no segment");
            return None;
        };
        let Some(ip) = e.ip else {
            self.silent_endpoint(ci, a, "the endpoint has no address");
            return None;
        };
        Some((n, si, ip))
    }
}
