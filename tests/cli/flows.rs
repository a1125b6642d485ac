//! Any flow, by the names and addresses people type: `trace` answers probes the
//! design does not declare, destinations given as `ADDRESS[:PORT]`, sources given as
//! an address on a segment; a flow that reaches a destination where nothing listens
//! says so; `sim --probe` adds probes to every destination; unique container, compose
//! service and swarm service names work without `@network`, ambiguous ones list their
//! choices, wrong ones get "did you mean", node kinds in any case.

use crate::common::*;

const NAT: &str = "scenarios/designs/nat-multi-node-port-mappings.yaml";

/// `hnsim trace NAT --from FROM --to TO EXTRA...`
fn trace(from: &str, to: &str, extra: &[&str]) -> std::process::Output {
    trace_in(NAT, from, to, extra)
}

/// `hnsim trace FILE --from FROM --to TO EXTRA...`
fn trace_in(file: &str, from: &str, to: &str, extra: &[&str]) -> std::process::Output {
    let mut all = vec!["trace", file, "--from", from, "--to", to];
    all.extend_from_slice(extra);
    hnsim(&all)
}

#[test]
fn any_port_is_answered_and_nothing_listening_is_not_a_network_denial() {
    let o = trace("app", "web", &["--proto", "tcp/8443"]);
    assert_exit(&o, 0);
    assert_stdout_has(&o, "tcp/8443");
    assert!(
        stdout(&o).contains("not-published"),
        "no mapping for 8443 on win1: {}",
        both(&o)
    );
    // From web's own host the network delivers it; nothing listens there.
    let o = trace(
        "host:win1",
        "web",
        &["--proto", "tcp/8443", "--format", "json"],
    );
    assert_exit(&o, 0);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(
        v["cells"][0]["disposition"]["reason"], "not-listening",
        "{v}"
    );
    let o = trace("host:win1", "web", &["--proto", "tcp/8443"]);
    assert_stdout_has(&o, "nothing in web listens on tcp/8443");
}

#[test]
fn destinations_and_sources_by_address() {
    let o = trace("app", "10.0.0.10:8080", &[]);
    assert_answer(&o, 0, &["app@nat → web@nat  tcp/80", "delivered"]);
    assert_stderr_has(&o, "port mapping to web@nat tcp/80");
    // (from, to, further arguments, exit code, what it says)
    let flows: [(&str, &str, &[&str], i32, &str); 5] = [
        // A container address, from its own host.
        (
            "host:win1",
            "172.16.0.2",
            &["--proto", "tcp/80"],
            0,
            "host:win1 → web@nat",
        ),
        // The same address on two hosts' nat networks is ambiguous, and says so.
        ("laptop", "172.16.0.2", &[], 2, "web@nat, app@nat"),
        // A machine on the LAN that the design does not list.
        (
            "10.0.0.99",
            "10.0.0.10:8080",
            &["--proto", "tcp"],
            0,
            "client:10.0.0.99 → web@nat",
        ),
        // Somewhere on the internet.
        (
            "web",
            "8.8.8.8:53",
            &["--proto", "udp"],
            0,
            "web@nat → internet  udp/53",
        ),
        // A private address on no segment is not guessed.
        ("web", "192.168.77.1", &[], 2, "on no segment"),
    ];
    for (from, to, extra, exit, says) in flows {
        assert_answer(&trace(from, to, extra), exit, &[says]);
    }
}

/// A swarm node's address and a routing-mesh port is the service, not the node.
#[test]
fn a_routing_mesh_port_is_the_service_behind_it() {
    let f = input("flows-mesh", "mesh.sh", SWARM_PUBLISHED);
    let o = trace_in(p(&f), "client:lan-client", "192.168.1.10:8080", &[]);
    assert_answer(&o, 0, &["→ web.1@ingress  tcp/80", "delivered"]);
    assert_stderr_has(&o, "routing mesh");
}

#[test]
fn sim_probe_adds_probes_to_every_destination() {
    let o = hnsim(&[
        "sim",
        NAT,
        "--probe",
        "tcp/8443,udp/53",
        "--format",
        "json",
        "--schema",
        "v1",
    ]);
    assert_exit(&o, 0);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let cells = v["states"][0]["cells"].as_array().expect("cells");
    for to in ["web@nat", "app@nat", "host:win1", "client:laptop"] {
        for probe in ["tcp/8443", "udp/53"] {
            assert!(
                cells.iter().any(|c| c["to"] == to && c["probe"] == probe),
                "no {probe} cell towards {to}"
            );
        }
    }
    let o = hnsim(&["sim", NAT, "--probe", "sctp/9"]);
    assert_exit(&o, 2);
}

#[test]
fn names_people_type() {
    let compose = "scenarios/users/compose-linux-web-api-db.yaml";
    // A compose service name without project, index or network.
    let o = trace_in(compose, "client:user", "web", &["--proto", "icmp"]);
    assert_answer(&o, 0, &["shop-web-1@shop_frontend"]);
    // On two networks: the choices are listed.
    let o = trace_in(compose, "api", "internet", &[]);
    assert_answer(&o, 2, &["shop-api-1@shop_backend"]);
    // Kinds in any case; a typo gets the nearest names.
    let o = trace("Internet", "wbe", &[]);
    assert_exit(&o, 2);
    assert_stderr_has(&o, "did you mean web@nat");
    let o = trace("INTERNET", "Host:win1", &[]);
    assert_exit(&o, 0);
    // A swarm service with one task.
    let swarm = input(
        "names",
        "swarm.sh",
        "docker swarm init\ndocker network create -d overlay ov\ndocker service create --name api --network ov nginx\ndocker run -d --name client --network bridge busybox\n",
    );
    let o = trace_in(p(&swarm), "host:host1", "api", &["--proto", "icmp"]);
    assert!(
        code(&o) == 0 || stderr(&o).contains("ambiguous"),
        "{}",
        both(&o)
    );
    assert!(
        stdout(&o).contains("api.1@") || stderr(&o).contains("api.1@"),
        "{}",
        both(&o)
    );
}

/// Runs `hnsim ARGS` with `input` on its standard input.
fn with_stdin(args: &[&str], input: &[u8]) -> std::process::Output {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_hnsim"))
        .args(args)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "200")
        .current_dir(root())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("runs");
    // Written from a thread: a command may answer before it has read everything.
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let o = child.wait_with_output().expect("exits");
    let _ = writer.join();
    o
}

#[test]
fn a_dash_reads_standard_input() {
    let text = std::fs::read(root().join(NAT)).expect("bundled scenario");
    let from_file = |args: &[&str]| {
        let mut all = args.to_vec();
        all.insert(1, NAT);
        hnsim(&all)
    };
    // Every command that reads a scenario gives from `-` what it gives from the file.
    for args in [
        vec!["check"],
        vec!["sim"],
        vec!["trace", "--from", "app", "--to", "web"],
        vec!["test"],
        vec!["import"],
    ] {
        let mut piped = args.clone();
        piped.insert(1, "-");
        let o = with_stdin(&piped, &text);
        let f = from_file(&args);
        assert_eq!(code(&o), code(&f), "{args:?}: {}", both(&o));
        assert_eq!(code(&o), 0, "{args:?}: {}", both(&o));
        let lines = |t: String| {
            t.lines()
                .filter(|l| !l.contains(NAT) && !l.contains("<stdin>"))
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            lines(stdout(&o)),
            lines(stdout(&f)),
            "{args:?}: the same answers from standard input"
        );
    }
    // Docker commands on standard input are imported too.
    let o = with_stdin(
        &["import", "-"],
        b"docker network create -d bridge --subnet 10.1.0.0/24 front\ndocker run --name web --network front -p 8080:80 nginx\n",
    );
    assert_exit(&o, 0);
    assert_stdout_has(&o, "name: web");
    assert_stdout_has(&o, "8080:80");
}

#[test]
fn errors_in_standard_input_are_located_at_stdin_line_column() {
    let bad = b"name: x\nhosts:\n  - {name: h, os: ws2019, bogus: 1}\n";
    for command in ["check", "sim", "test", "import"] {
        let o = with_stdin(&[command, "-"], bad);
        assert_eq!(code(&o), 2, "{command}: {}", both(&o));
        // `hnsim test` reports a file it cannot read among its results (stdout).
        assert!(
            both(&o).contains("<stdin>:3:27"),
            "{command}: the error names <stdin>:line:column: {}",
            both(&o)
        );
    }
    let o = with_stdin(&["trace", "-", "--from", "a", "--to", "b"], bad);
    assert_exit(&o, 2);
    assert_stderr_has(&o, "<stdin>:3:27");
    // A finding about docker commands read from standard input is located there too.
    let o = with_stdin(&["check", "-"], b"docker run --name a --network\n");
    assert_stdout_has(&o, "<stdin>:1:1");
}
