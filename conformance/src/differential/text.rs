//! A run in words: one line per design as it is done, and the summary with its table
//! per driver. (The JSON form is the [`super::Summary`] itself.)

use super::{tally, DesignResult, Summary};
use hnsim_sim::ConformanceSummary;
use std::fmt::Write as _;

fn counts(c: &ConformanceSummary) -> String {
    format!(
        "{} agree, {} disagree, {} undecided, {} not emulated, {} known divergence",
        c.agree, c.disagree, c.undecided, c.not_emulated, c.known_divergence
    )
}

/// `seed 17 (random-17): 120 agree, 3 disagree, …; shrunk by 9 cuts (31 tried) to FILE`.
pub fn design_line(r: &DesignResult) -> String {
    let mut line = if r.name == r.source {
        r.source.clone()
    } else {
        format!("{} ({})", r.source, r.name)
    };
    match r.outcome {
        "probed" => {
            let _ = write!(line, ": {}", counts(&r.cells));
        }
        other => {
            let _ = write!(line, ": {other}: {}", r.why.as_deref().unwrap_or(""));
        }
    }
    if let Some(s) = &r.shrunk {
        let _ = write!(
            line,
            "; shrunk by {} cut(s) ({} tried{}) to {} disagreeing cell(s)",
            s.cuts.len(),
            s.tried,
            if s.exhausted { ", budget spent" } else { "" },
            s.cells.len()
        );
        if let Some(f) = &s.file {
            let _ = write!(line, ": {f}");
        }
    }
    line
}

/// The whole run: totals, the table per driver, and what was written.
pub fn summary_text(s: &Summary) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "{} design(s) on {}: {} probed, {} skipped (not for this backend), {} failed",
        s.designs, s.backend, s.probed, s.skipped, s.failed
    );
    let _ = writeln!(
        t,
        "{} cell(s) probed: {}",
        tally::cells(&s.cells),
        counts(&s.cells)
    );
    let _ = writeln!(
        t,
        "{} design(s) with a disagreement, {} shrunk, {} file(s) written",
        s.designs_disagreeing,
        s.shrunk,
        s.written.len()
    );
    if !s.by_driver.is_empty() {
        let _ = writeln!(
            t,
            "\n{:<12} {:>7} {:>8} {:>9} {:>12} {:>16} {:>7}",
            "driver", "agree", "disagree", "undecided", "not emulated", "known divergence", "cells"
        );
        for (driver, c) in &s.by_driver {
            let _ = writeln!(
                t,
                "{:<12} {:>7} {:>8} {:>9} {:>12} {:>16} {:>7}",
                driver,
                c.agree,
                c.disagree,
                c.undecided,
                c.not_emulated,
                c.known_divergence,
                tally::cells(c)
            );
        }
        let _ = writeln!(
            t,
            "({} counts cells between hosts, clients and the internet; every other cell \
             counts under its destination container's driver, else its source's)",
            tally::NO_DRIVER
        );
    }
    for f in &s.written {
        let _ = writeln!(t, "written: {f}");
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_names_every_count_and_driver() {
        let mut s = Summary {
            backend: "netns".into(),
            designs: 3,
            probed: 2,
            skipped: 1,
            ..Summary::default()
        };
        s.cells.agree = 7;
        s.cells.disagree = 2;
        s.cells.undecided = 1;
        s.by_driver.insert(
            "bridge".into(),
            ConformanceSummary {
                agree: 7,
                disagree: 2,
                not_emulated: 0,
                known_divergence: 0,
                undecided: 0,
            },
        );
        s.written.push("out/random-4-netns.yaml".into());
        let t = summary_text(&s);
        assert!(
            t.contains("3 design(s) on netns: 2 probed, 1 skipped"),
            "{t}"
        );
        assert!(
            t.contains("10 cell(s) probed: 7 agree, 2 disagree, 1 undecided, 0 not emulated"),
            "{t}"
        );
        assert!(t.lines().any(|l| l.starts_with("driver")
            && l.contains(" undecided ")
            && l.contains("not emulated")));
        assert!(
            t.lines()
                .any(|l| l.starts_with("bridge") && l.ends_with(" 9")),
            "{t}"
        );
        assert!(t.contains("written: out/random-4-netns.yaml"));
    }
}
