//! The differential run on a real kernel (root; `HNSIM_SKIP_ROOT=1` skips it): a small
//! fixed-seed batch of generated designs through `hnsim conform --generated`, each
//! simulated, realized on netns, probed and compared, every disagreement shrunk and
//! written as a scenario whose `expect:` holds what the wire showed. Seeds 19 to 21
//! hold two designs with an l2bridge custom subnet, on which the model and the
//! emulation still disagree (README), so the shrinking is exercised on real packets.

mod common;

use common::*;
use std::process::Command;

#[test]
fn a_generated_batch_is_probed_and_every_disagreement_written_as_a_failing_scenario() {
    let Some((_turn, bin, dir)) = root_cli_turn(
        "a_generated_batch_is_probed_and_every_disagreement_written",
        "differential",
    ) else {
        return;
    };
    let out = Command::new(&bin)
        .args([
            "conform",
            "--generated",
            "3",
            "--seed",
            "19",
            "--timeout-ms",
            "300",
        ])
        .args(["--shrink-budget", "20", "--json", "--out"])
        .arg(&dir)
        .output()
        .expect("hnsim runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("JSON summary: {e}\n{stderr}"));
    println!("{stderr}");
    let n = |k: &str| {
        summary[k]
            .as_u64()
            .unwrap_or_else(|| panic!("{k} in {summary}"))
    };
    assert_eq!(n("designs"), 3);
    assert_eq!(n("probed") + n("skipped") + n("failed"), 3);
    assert!(n("probed") >= 2, "{stderr}");
    let cells = &summary["cells"];
    let disagree = cells["disagree"].as_u64().unwrap();
    assert!(cells["agree"].as_u64().unwrap() > 100, "{cells}");
    // The rows per driver add up to the totals.
    let rows: u64 = summary["by_driver"]
        .as_object()
        .unwrap()
        .values()
        .map(|r| r["agree"].as_u64().unwrap() + r["disagree"].as_u64().unwrap())
        .sum();
    assert_eq!(
        rows,
        cells["agree"].as_u64().unwrap() + disagree,
        "{summary}"
    );
    // Exit 1 exactly when something disagreed or failed.
    let bad = disagree > 0 || n("failed") > 0;
    assert_eq!(out.status.code(), Some(if bad { 1 } else { 0 }), "{stderr}");
    // Every disagreeing design was shrunk and written; `hnsim test` on the file fails
    // on its cells (the model still says otherwise), not on reading it.
    let written = summary["written"].as_array().unwrap();
    assert_eq!(written.len() as u64, n("designs_disagreeing"));
    for f in written {
        let f = f.as_str().unwrap();
        let test = Command::new(&bin).args(["test", f]).output().unwrap();
        let said = String::from_utf8_lossy(&test.stdout);
        assert_eq!(test.status.code(), Some(1), "{f}: {said}");
        assert!(said.contains("FAIL"), "{f}: {said}");
    }
    for r in summary["results"].as_array().unwrap() {
        if let Some(s) = r.get("shrunk") {
            assert!(!s["cells"].as_array().unwrap().is_empty(), "{r}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
