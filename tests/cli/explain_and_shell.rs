//! `hnsim explain` of facts, reasons and mechanisms from the embedded catalogue; shell
//! completions and the man page; the terminal's own width; `hnsim scenarios` from
//! another directory.

use crate::common::*;
use std::process::Command;

#[test]
fn explain_reads_facts_reasons_and_mechanisms() {
    let o = hnsim(&["explain", "NAT-8"]);
    assert_exit(&o, 0);
    let fact = hnsim_model::fact::lookup("NAT-8").expect("NAT-8 in the catalogue");
    assert!(stdout(&o).contains(&fact.title), "{}", both(&o));
    let o = hnsim(&["explain", "nat-8"]);
    assert_eq!(code(&o), 0, "fact IDs ignore case: {}", both(&o));
    let o = hnsim(&["explain", "nat-no-inbound"]);
    assert_exit(&o, 0);
    assert!(
        stdout(&o).contains("(reason)") && stdout(&o).contains("NAT-12"),
        "{}",
        both(&o)
    );
    let o = hnsim(&["explain", "win-nat-port-mapping"]);
    assert_exit(&o, 0);
    assert_stdout_has(&o, "(mechanism)");
    let o = hnsim(&["explain", "not-listening"]);
    assert_stdout_has(&o, "Not a network denial");
    let o = hnsim(&["explain", "nat-no-inbund"]);
    assert_exit(&o, 2);
    assert_stderr_has(&o, "did you mean nat-no-inbound");
    let o = hnsim(&["explain"]);
    let out = stdout(&o);
    for word in ["HNS001", "NAT-8", "nat-no-inbound", "vxlan-encap"] {
        assert!(out.contains(word), "the list names {word}: {out}");
    }
}

#[test]
fn completions_for_every_shell_and_a_man_page() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let o = hnsim(&["completions", shell]);
        assert_eq!(code(&o), 0, "{shell}: {}", both(&o));
        let out = stdout(&o);
        for word in ["trace", "explain", "sarif"] {
            assert!(out.contains(word), "{shell} completion lacks {word}");
        }
    }
    let script = stdout(&hnsim(&["completions", "bash"]));
    let f = input("completions", "hnsim.bash", &script);
    let syntax = Command::new("bash")
        .arg("-n")
        .arg(&f)
        .output()
        .expect("bash runs");
    assert!(syntax.status.success(), "{}", both(&syntax));
    let o = hnsim(&["completions", "tcsh"]);
    assert_exit(&o, 2);

    let o = hnsim(&["man"]);
    assert_exit(&o, 0);
    let man = stdout(&o);
    assert!(man.contains(".TH hnsim 1"), "{man:.300}");
    assert!(man.contains("completions"), "{man:.300}");
}

/// Without `$COLUMNS`, text is wrapped to the terminal's own width (a pseudo-terminal
/// of 50 columns made with util-linux `script`).
#[test]
fn text_wraps_to_the_terminals_own_width() {
    let exe = env!("CARGO_BIN_EXE_hnsim");
    let o = Command::new("script")
        .args([
            "-qec",
            &format!("stty cols 50 rows 40; '{exe}' explain HNS001"),
            "/dev/null",
        ])
        .env_remove("COLUMNS")
        .env("NO_COLOR", "1")
        .current_dir(root())
        .output()
        .expect("util-linux `script` is installed (test.sh installs bsdutils)");
    let out = String::from_utf8_lossy(&o.stdout).replace('\r', "");
    assert!(out.contains("HNS001"), "{out}");
    let long: Vec<&str> = out
        .lines()
        .skip(1)
        .filter(|l| l.chars().count() > 50)
        .collect();
    assert!(long.is_empty(), "lines wider than the terminal: {long:?}");
    // Traces and findings wrap their long text under its column too.
    let trace = Command::new(exe)
        .args([
            "trace",
            "scenarios/designs/nat-multi-node-port-mappings.yaml",
            "--from",
            "app",
            "--to",
            "web",
            "--proto",
            "tcp/8443",
        ])
        .env("COLUMNS", "90")
        .current_dir(root())
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&trace.stdout).into_owned();
    assert!(text.contains("not-published"), "{text}");
    let long: Vec<&str> = text.lines().filter(|l| l.chars().count() > 90).collect();
    assert!(long.is_empty(), "lines wider than 90 columns: {long:?}");
    // The same command with a wide terminal uses the room.
    let o = hnsim(&["explain", "HNS001"]);
    assert!(
        stdout(&o).lines().any(|l| l.chars().count() > 50),
        "{}",
        both(&o)
    );
}

/// From another directory, `hnsim scenarios` still finds the library and prints paths
/// that work as arguments there.
#[test]
fn scenarios_from_another_directory_prints_usable_paths() {
    let dir = root().join("scenarios/designs");
    let o = Command::new(env!("CARGO_BIN_EXE_hnsim"))
        .arg("scenarios")
        .current_dir(&dir)
        .output()
        .expect("runs");
    assert_exit(&o, 0);
    let out = stdout(&o);
    let paths: Vec<&str> = out.lines().filter_map(|l| l.split("  ").next()).collect();
    assert!(paths.len() > 40, "{out}");
    for path in paths.iter().step_by(7) {
        let o = Command::new(env!("CARGO_BIN_EXE_hnsim"))
            .args(["check", path])
            .current_dir(&dir)
            .output()
            .expect("runs");
        assert_ne!(
            code(&o),
            2,
            "{path} does not work as an argument: {}",
            both(&o)
        );
    }
}
