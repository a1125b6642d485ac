//! Every documented limit (README, "Limits") refuses input that goes over it with a
//! located error that names the limit and how to raise it; raising it lets the input in.

use hnsim_model::import::{document, document_with, HostTemplate, ImportError};
use hnsim_model::Limits;

fn refused(text: &str) -> hnsim_model::ParseError {
    refused_with(text, &Limits::default())
}

fn refused_with(text: &str, limits: &Limits) -> hnsim_model::ParseError {
    match document_with("in.yaml", text, HostTemplate::default(), limits) {
        Err(ImportError::Scenario(e)) => e,
        Err(other) => panic!("not a located error: {other}"),
        Ok(_) => panic!("accepted: {text}"),
    }
}

#[test]
fn replicas_in_a_scenario() {
    let text = "name: t\nhosts:\n  - {name: m, os: linux, swarm: manager}\nservices:\n  - name: web\n    replicas: 1000000000\n";
    let e = refused(text);
    assert_eq!(
        (e.line, e.column, e.field.as_str()),
        (6, 15, "services[0].replicas")
    );
    assert!(e.message.contains("replicas per service"), "{e}");
    assert!(
        e.help.as_deref().unwrap().contains("HNSIM_MAX_REPLICAS"),
        "{e}"
    );
    let raised = Limits {
        replicas: 2_000_000_000,
        endpoints: 5_000_000_000,
        ..Limits::default()
    };
    // Over the endpoints limit even when the replicas limit is raised.
    let e = refused_with(
        text,
        &Limits {
            replicas: 2_000_000_000,
            ..Limits::default()
        },
    );
    assert!(e.message.contains("endpoints per design"), "{e}");
    assert!(document_with("in.yaml", text, HostTemplate::default(), &raised).is_ok());
}

#[test]
fn replicas_in_compose_and_commands() {
    let e =
        refused("services:\n  web:\n    image: nginx\n    deploy:\n      replicas: 4294967295\n");
    assert_eq!(e.line, 5, "{e}");
    assert!(e.field.ends_with("services.web.deploy.replicas"), "{e}");
    let e = refused("services:\n  web:\n    image: nginx\n    scale: 1000000\n");
    assert_eq!(e.line, 4, "{e}");
    let e = refused(
        "docker swarm init\ndocker service create --name web --replicas 1000000000 nginx\n",
    );
    assert_eq!(e.line, 2, "{e}");
    let e = refused("docker swarm init\ndocker service create --name web nginx\ndocker service scale web=4294967295\n");
    assert_eq!(e.line, 3, "{e}");
    assert!(
        e.message.contains("docker service scale web=4294967295"),
        "{e}"
    );
}

#[test]
fn many_compose_services_stop_at_the_endpoints_limit() {
    let mut text = String::from("services:\n");
    for i in 0..3 {
        text.push_str(&format!("  s{i}:\n    image: nginx\n    scale: 600\n"));
    }
    let small = Limits {
        endpoints: 1000,
        ..Limits::default()
    };
    let e = refused_with(&text, &small);
    assert!(e.message.contains("endpoints per design"), "{e}");
    assert!(e.line > 1, "{e}");
}

#[test]
fn a_doubled_variable() {
    let text = format!("A=x\n{}docker run --name $A nginx\n", "A=$A$A\n".repeat(40));
    let e = refused(&text);
    assert_eq!(e.line, 18, "the assignment that crosses 64 KiB: {e}");
    assert!(e.message.contains("HNSIM_MAX_VARIABLE_BYTES"), "{e}");
}

#[test]
fn states_of_a_timeline() {
    let mut text = String::from(
        "name: t\nhosts:\n  - {name: h, os: linux}\ncontainers:\n  - {name: c, host: h}\nsteps:\n",
    );
    for _ in 0..10 {
        text.push_str("  - stop: c\n  - start: c\n");
    }
    let e = refused_with(
        &text,
        &Limits {
            states: 10,
            ..Limits::default()
        },
    );
    assert!(e.message.contains("states in a timeline"), "{e}");
    assert_eq!(e.field, "steps[9]");
    assert!(
        e.help.as_deref().unwrap().contains("HNSIM_MAX_STATES"),
        "{e}"
    );
}

#[test]
fn nesting_and_size_before_any_parser() {
    let e = refused(&format!("name: t\nhosts:\n  {}x\n", "- ".repeat(100_000)));
    assert_eq!((e.line, e.column), (3, 3), "{e}");
    let e = refused(&format!(
        "name: {}{}\n",
        "[".repeat(200_000),
        "]".repeat(200_000)
    ));
    assert_eq!(e.line, 1, "{e}");
    let big = format!("name: t\ndescription: {}\n", "x".repeat(2 << 20));
    let e = refused(&big);
    assert!(e.message.contains("bytes per input file"), "{e}");
}

#[test]
fn an_alias_bomb_is_named() {
    let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for (prev, name) in ["a", "b", "c", "d", "e", "f", "g", "h"]
        .windows(2)
        .map(|w| (w[0], w[1]))
    {
        text.push_str(&format!(
            "{name}: &{name} [{}]\n",
            vec![format!("*{prev}"); 10].join(", ")
        ));
    }
    text.push_str("services: {web: {image: *h}}\n");
    let e = refused(&text);
    assert!(e.message.contains("alias bomb"), "{e}");
    assert_eq!(e.line, 2, "{e}");
}

#[test]
fn ordinary_inputs_are_untouched() {
    let text = "name: t\nhosts:\n  - {name: h, os: ws2019}\ncontainers:\n  - {name: c, host: h}\n";
    assert!(document("in.yaml", text, HostTemplate::default()).is_ok());
}

/// The inputs that once took the process down (fuzz/regressions, also replayed by the
/// fuzz targets) are refused with a located error or analysed within the limits.
#[test]
fn regression_inputs_are_refused_or_bounded() {
    use hnsim_model::import::{document_as, InputKind};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/regressions");
    let kinds = [
        ("scenario", InputKind::Scenario),
        ("commands", InputKind::Commands),
        ("compose", InputKind::Compose),
        ("daemon_json", InputKind::DaemonJson),
    ];
    let mut seen = 0;
    for (dir, kind) in kinds {
        let mut files: Vec<_> = std::fs::read_dir(root.join(dir))
            .expect("fuzz/regressions is part of the repository")
            .map(|e| e.expect("entry").path())
            .collect();
        files.sort();
        for path in files {
            seen += 1;
            let text = std::fs::read_to_string(&path).expect("text");
            let name = path.display().to_string();
            let started = std::time::Instant::now();
            match document_as(
                kind,
                &name,
                &text,
                HostTemplate::default(),
                &Limits::default(),
            ) {
                Err(ImportError::Scenario(e)) => {
                    assert!(e.line >= 1 && e.column >= 1, "{name}: {e}");
                }
                Err(other) => panic!("{name}: not a located error: {other}"),
                Ok(doc) => {
                    let a = hnsim_model::analyse(&doc);
                    let endpoints = a.final_state().design.endpoints.len() as u64;
                    assert!(endpoints <= Limits::default().endpoints, "{name}");
                }
            }
            // The target is 2 s in a release build; this is a debug build on a shared
            // machine, so the bound is looser, but an input that took minutes (or the
            // seconds of a quadratic suggestion on a 64 KiB word) still fails it.
            let took = started.elapsed();
            assert!(took.as_secs() < 10, "{name} took {took:?}");
        }
    }
    assert!(seen >= 15, "only {seen} regression inputs");
}
