//! The nftables script of each host and segment namespace, joined from the fragments
//! the driver modules collected while planning.

use super::Builder;

fn chain(name: &str, head: &str, rules: Option<&Vec<String>>) -> String {
    let mut s = format!("  chain {name} {{\n    {head};\n");
    for r in rules.into_iter().flatten() {
        s.push_str("    ");
        s.push_str(r);
        s.push('\n');
    }
    s.push_str("  }\n");
    s
}

pub(super) fn finish_nft(b: &mut Builder) {
    for k in 0..b.d.scenario.hosts.len() {
        let hns = b.host_ns(k);
        let ip_chains = [
            (
                "pre",
                "type nat hook prerouting priority -100",
                &b.host_nat_pre,
            ),
            ("out", "type nat hook output priority -100", &b.host_nat_out),
            (
                "post",
                "type nat hook postrouting priority 100",
                &b.host_nat_post,
            ),
            (
                "filt",
                "type filter hook forward priority 0",
                &b.host_forward,
            ),
            ("inp", "type filter hook input priority 0", &b.host_input),
            ("outp", "type filter hook output priority 0", &b.host_output),
        ];
        let mut s = String::from("table ip hnsim {\n");
        for (name, head, rules) in ip_chains {
            s += &chain(name, head, rules.get(&k));
        }
        s.push_str("}\n");
        if b.host_bridge_pre.contains_key(&k) || b.host_bridge_post.contains_key(&k) {
            let bridge_chains = [
                (
                    "pre",
                    "type filter hook prerouting priority -300",
                    &b.host_bridge_pre,
                ),
                (
                    "post",
                    "type filter hook postrouting priority 0",
                    &b.host_bridge_post,
                ),
            ];
            s.push_str("table bridge hnsimbr {\n");
            for (name, head, rules) in bridge_chains {
                s += &chain(name, head, rules.get(&k));
            }
            s.push_str("}\n");
        }
        b.plan.nft.insert(hns, s);
    }
    let segs: Vec<(usize, Vec<String>)> = b
        .seg_bridge_fwd
        .iter()
        .map(|(k, v)| (*k, v.clone()))
        .collect();
    for (si, rules) in segs {
        let sns = b.plan.ns(&format!("s{si}"));
        let s = format!(
            "table bridge hnsimbr {{\n{}}}\n",
            chain("sfwd", "type filter hook forward priority 0", Some(&rules))
        );
        b.plan.nft.insert(sns, s);
    }
}
