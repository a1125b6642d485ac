//! Prints every cell of a scenario's final state, one line each (debugging aid).
fn main() {
    let path = std::env::args().nth(1).expect("usage: dump FILE [FROM]");
    let filter = std::env::args().nth(2);
    let text = std::fs::read_to_string(&path).expect("readable file");
    let doc = hnsim_model::parse_scenario(&path, &text).expect("valid scenario");
    let r = hnsim_sim::simulate(&doc);
    for f in &r.findings {
        println!("FINDING {} {:?} {}", f.code, f.severity, f.message);
    }
    for st in &r.states {
        println!("== {}", st.label);
        for c in &st.cells {
            if filter
                .as_ref()
                .is_some_and(|f| !c.from.contains(f.as_str()))
            {
                continue;
            }
            let d = match &c.disposition {
                hnsim_sim::Disposition::Delivered => "OK".to_string(),
                hnsim_sim::Disposition::Denied { reason, .. } => format!("DENY {reason}"),
                hnsim_sim::Disposition::Unknown { .. } => "UNKNOWN".into(),
            };
            let a = c
                .address
                .as_ref()
                .map(|a| {
                    format!(
                        "{}{}",
                        a.value,
                        a.name
                            .as_ref()
                            .map(|n| format!(" ({n})"))
                            .unwrap_or_default()
                    )
                })
                .unwrap_or_default();
            let path: Vec<String> = c
                .path
                .iter()
                .map(|h| format!("{:?}", h.mechanism))
                .collect();
            println!(
                "{} -> {} {} : {} [{}] {}",
                c.from,
                c.to,
                c.probe,
                d,
                a,
                path.join(">")
            );
        }
    }
}
