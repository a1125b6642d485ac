//! The `hnsim` binary as users run it: docker command lines pasted from Microsoft's docs
//! (prompts, PowerShell backticks), compose files, daemon.json and scenario YAML; exit
//! codes (0 clean, 1 findings at or above --deny, 2 unreadable input); error messages
//! that name file, line, field and a fix; versioned JSON; import round trips; and every
//! bundled scenario through check, sim and trace.

use crate::common::*;

const MS_DOCS_TRANSPARENT: &str = "\
C:\\> docker network create -d transparent --subnet=10.123.174.0/23 --gateway=10.123.174.1 TransparentNet3
C:\\> docker run -it --network=TransparentNet3 --ip 10.123.174.105 windowsservercore cmd
";

const POWERSHELL_NAT: &str = "\
PS C:\\> docker network create -d nat --subnet=172.20.0.0/16 --gateway=172.20.0.1 MyNatNetwork
PS C:\\> docker run -d --name web --network MyNatNetwork -p 80:80 mcr.microsoft.com/windows/servercore/iis
PS C:\\> docker run -d --name api `
>>   --network MyNatNetwork `
>>   -p 8080:5000 `
>>   myorg/api:1.0
";

const LINUX_SHELL: &str = "\
$ docker network create app-net
$ docker run -d --name db --network app-net -e POSTGRES_PASSWORD=x postgres:16
$ docker run -d --name web --network app-net -p 8080:80 nginx
$ docker run -d --name lonely -p 9000 busybox
";

const LINUX_COMPOSE: &str = "\
services:
  web:
    image: nginx:1.25
    ports:
      - \"80:80\"
    networks: [frontend]
  api:
    image: myorg/api
    expose: [\"3000\"]
    networks: [frontend, backend]
  db:
    image: postgres:16
    expose: [\"5432\"]
    networks: [backend]
networks:
  frontend:
  backend:
";

const WINDOWS_COMPOSE: &str = "\
version: '2.1'
services:
  db:
    image: microsoft/mssql-server-windows-developer
    environment:
      - ACCEPT_EULA=Y
    expose:
      - \"1433\"
  web:
    image: microsoft/iis
    ports:
      - \"80:80\"
    depends_on:
      - db
networks:
  default:
    external:
      name: nat
";

const STACK: &str = "\
version: \"3.9\"
services:
  web:
    image: nginx
    ports:
      - target: 80
        published: 8080
    deploy:
      replicas: 3
    networks: [webnet]
networks:
  webnet:
    driver: overlay
";

const DAEMON_JSON: &str = "{\n  \"fixed-cidr\": \"172.30.0.0/16\"\n}\n";

const DAEMON_JSON_TRAILING_COMMA: &str = "{\n  \"fixed-cidr\": \"172.30.0.0/16\",\n}\n";

const TYPO_IN_A_KEY: &str = "name: typo\nhosts:\n  - name: win1\n    os: ws2019\nnetworks:\n  - name: app\n    host: win1\n    driver: nat\n    subnett: 172.20.0.0/16\n";

const UNKNOWN_OS: &str = "name: x\nhosts:\n  - name: win1\n    os: windows2012\n";

const PORT_OUT_OF_RANGE: &str = "name: x\nhosts:\n  - {name: l, os: linux}\ncontainers:\n  - name: web\n    host: l\n    ports: [\"80800:80\"]\n";

const BAD_ATTACHMENT_IP: &str = "name: x\nhosts:\n  - {name: win1, os: ws2019}\ncontainers:\n  - name: web\n    host: win1\n    networks:\n      - {network: nat, ip: 172.16.0.300}\n";

const MISSING_COMPOSE: &str =
    "name: c\nhosts:\n  - name: h\n    os: linux\n    compose: nope/docker-compose.yml\n";

/// Options Windows refuses, on lines 2 to 4.
const REFUSED_OPTIONS: &str = "PS C:\\> docker network create -d nat mynat\nPS C:\\> docker network create -d transparent --internal tr\nPS C:\\> docker run --name z --link y:y --network mynat iis\nPS C:\\> docker run --name w -p 127.0.0.1:8080:80 iis\n";

const BINDS_A_PORT_TWICE: &str = "docker run -d --name a -p 80:80 -p 80:81 nginx\n";

// ------------------------------------------------------------------ exit codes

#[test]
fn clean_design_exits_0_and_findings_exit_1() {
    let o = hnsim(&["check", "scenarios/designs/nat-single-host.yaml"]);
    assert_exit(&o, 0);
    let o = hnsim(&["check", "scenarios/users/ws2016-second-nat-network.yaml"]);
    assert_exit(&o, 1);
    let out = stdout(&o);
    assert!(out.contains("error[HNS002]"), "{out}");
    assert!(
        out.contains("ws2016-second-nat-network.yaml:18:9"),
        "a finding names file:line:column: {out}"
    );
    assert!(out.contains("help:"), "{out}");
    assert!(out.contains("NAT-11"), "a finding names its facts: {out}");
}

#[test]
fn deny_lowers_the_failing_severity() {
    // Only info findings (HNS082 on a Windows host): clean by default, denied at info.
    let f = "scenarios/designs/nat-single-host.yaml";
    assert_eq!(code(&hnsim(&["check", "--deny", "warning", f])), 0);
    let o = hnsim(&["check", "--deny", "info", f]);
    assert_exit(&o, 1);
    let o = hnsim(&["check", "--deny", "fatal", f]);
    assert_eq!(
        code(&o),
        2,
        "an unknown severity is a usage error: {}",
        both(&o)
    );
}

/// Inputs that cannot be used exit 2 and say where and why: at file:line:column and the
/// field, with a suggestion or the valid values where there are some. Findings at error
/// exit 1 and are said on standard output.
#[test]
fn unreadable_inputs_exit_2_and_say_why() {
    let o = hnsim(&["check", "scenarios/no-such-dir/design.yaml"]);
    assert_answer(&o, 2, &["no-such-dir/design.yaml"]);
    assert_written(
        "unreadable",
        &[
            (
                "check",
                "typo.yaml",
                TYPO_IN_A_KEY,
                2,
                &[
                    "typo.yaml:9:5",
                    "networks[0].subnett",
                    "did you mean `subnet`",
                ],
            ),
            ("check", "empty.yaml", "", 2, &["empty.yaml:1:1", "help:"]),
            // A bad enum value is located at the value, like a bad port, and the error
            // lists the valid values.
            (
                "check",
                "os.yaml",
                UNKNOWN_OS,
                2,
                &["os.yaml:4:9", "hosts[0].os", "ws2019"],
            ),
            // A malformed address inside a network attachment says which value is wrong.
            ("check", "ip.yaml", BAD_ATTACHMENT_IP, 2, &["172.16.0.300"]),
            (
                "sim",
                "port.yaml",
                PORT_OUT_OF_RANGE,
                2,
                &["port.yaml:7", "containers[0].ports[0]"],
            ),
            (
                "check",
                "bad.json",
                DAEMON_JSON_TRAILING_COMMA,
                2,
                &["bad.json:3"],
            ),
            (
                "check",
                "notes.txt",
                "kubectl apply -f deploy.yaml\n",
                2,
                &["notes.txt:1:1", "help:"],
            ),
            // A compose file or daemon.json a scenario names by path that is missing.
            (
                "check",
                "design.yaml",
                MISSING_COMPOSE,
                2,
                &["design.yaml:5:", "hosts[0].compose", "help:"],
            ),
            ("check", "twice.sh", BINDS_A_PORT_TWICE, 1, &["SCN040"]),
        ],
    );
    let broken = input("unreadable", "broken.yaml", "name: x\nhosts: [\n");
    for cmd in ["check", "sim", "import"] {
        let o = hnsim(&[cmd, p(&broken)]);
        assert_eq!(code(&o), 2, "{cmd}: {}", both(&o));
        assert!(stderr(&o).contains("broken.yaml:"), "{cmd}: {}", both(&o));
    }
}

#[test]
fn one_unreadable_file_among_several_is_exit_2_but_the_rest_is_checked() {
    let bad = input("mixed", "bad.yaml", "name: x\nhosts: [\n");
    let o = hnsim(&[
        "check",
        "scenarios/users/ws2016-second-nat-network.yaml",
        p(&bad),
    ]);
    assert_exit(&o, 2);
    assert_stdout_has(&o, "HNS002");
    assert_stdout_has(&o, "checked 2 files (1 unreadable)");
}

// ------------------------------------------------------------- docker commands

#[test]
fn ms_docs_transparent_commands_reach_the_lan_and_the_internet() {
    let container = "windowsservercore-1@TransparentNet3";
    let cells = [
        (container, "internet", "tcp/443", "delivered"),
        // TRANS-6: directly on the LAN.
        (
            "client:lan-client",
            container,
            "icmp",
            "delivered at 10.123.174.105",
        ),
    ];
    // The file does not describe the host's LAN: the importer says what it assumed.
    let says = ["IMP019", "10.123.174.0/23"];
    assert_checks_and_simulates(
        "msdocs",
        "transparent.txt",
        MS_DOCS_TRANSPARENT,
        &says,
        &cells,
    );
}

#[test]
fn powershell_backtick_continuations_and_published_ports() {
    let (api, web) = ("api@MyNatNetwork", "web@MyNatNetwork");
    let cells = [
        // NAT-8, NAT-5, NAT-7.
        (
            "client:lan-client",
            api,
            "tcp/5000",
            "delivered at 192.168.1.10:8080",
        ),
        (web, api, "tcp/5000", "delivered at 172.20.0.3:5000"),
        (api, "internet", "tcp/443", "delivered"),
    ];
    assert_checks_and_simulates("powershell", "nat.ps1", POWERSHELL_NAT, &[], &cells);
}

#[test]
fn linux_defaults_bridge_and_ephemeral_ports_from_32768() {
    let cells = [
        (
            "client:lan-client",
            "lonely@bridge",
            "tcp/9000",
            "delivered at 192.168.1.10:32768",
        ),
        ("web@app-net", "db@app-net", "icmp", "delivered"),
        // EXT-10.
        ("web@app-net", "lonely@bridge", "icmp", "isolated-network"),
    ];
    assert_checks_and_simulates("linux", "history.sh", LINUX_SHELL, &[], &cells);
}

#[test]
fn windows_refused_options_name_the_line_and_exit_1() {
    let (f, o) = run_written("check", "refused", "refused.ps1", REFUSED_OPTIONS);
    assert_exit(&o, 1);
    let out = stdout(&o);
    for (codes, at) in [
        ("HNS050", "refused.ps1:2:1"),
        ("HNS051", "refused.ps1:3:1"),
        ("HNS061", "refused.ps1:4:1"),
    ] {
        let block = out
            .split("\n\n")
            .find(|b| b.contains(codes))
            .unwrap_or_else(|| panic!("no {codes}: {out}"));
        assert!(block.contains(at), "{codes} at {at}: {block}");
        assert!(block.contains("help:"), "{block}");
    }
    let o = hnsim(&["import", p(&f)]);
    assert_eq!(
        code(&o),
        1,
        "import exits 1 on refused options: {}",
        both(&o)
    );
    assert_stderr_has(&o, "refused.ps1:2:1");
    assert!(
        !stderr(&o).contains("facts: \n"),
        "no empty facts line: {}",
        both(&o)
    );
}

// --------------------------------------------------------- compose, daemon.json

#[test]
fn linux_compose_two_networks() {
    let web = "compose-linux-web-1@compose-linux_frontend";
    let api = "compose-linux-api-1@compose-linux_backend";
    let db = "compose-linux-db-1@compose-linux_backend";
    let cells = [
        (web, db, "tcp/5432", "isolated-network"),
        (api, db, "tcp/5432", "delivered"),
        ("client:lan-client", web, "tcp/80", "delivered"),
    ];
    let compose = "docker-compose.yml";
    assert_checks_and_simulates("compose-linux", compose, LINUX_COMPOSE, &[], &cells);
}

#[test]
fn windows_compose_on_the_external_nat_network() {
    let db = "compose-win-db-1@nat";
    let cells = [
        ("compose-win-web-1@nat", db, "tcp/1433", "delivered"),
        ("client:lan-client", db, "tcp/1433", "not-published"),
    ];
    let compose = "docker-compose.yml";
    let f = assert_checks_and_simulates("compose-win", compose, WINDOWS_COMPOSE, &[], &cells);
    // The external `nat` network makes the host a Windows one.
    assert_stdout_has(&hnsim(&["import", p(&f)]), "os: ws2019");
}

/// A stack file is not a broken compose file: it checks clean and deploys on the
/// swarm manager.
#[test]
fn a_stack_file_is_deployed_on_a_swarm_manager() {
    let cells = [(
        "stack_web.1@stack_webnet",
        "stack_web.2@stack_webnet",
        "tcp/80",
        "delivered",
    )];
    let f = assert_checks_and_simulates("stack", "stack.yml", STACK, &[], &cells);
    let o = hnsim(&["import", p(&f)]);
    let yaml = stdout(&o);
    assert!(yaml.contains("swarm: manager"), "{yaml}");
    assert!(yaml.contains("replicas: 3"), "{yaml}");
}

#[test]
fn daemon_json_alone_is_a_windows_host_with_that_nat_prefix() {
    let (_, o) = run_written("import", "daemon", "daemon.json", DAEMON_JSON);
    assert_answer(&o, 0, &["os: ws2019", "fixed-cidr: 172.30.0.0/16"]);
}

// -------------------------------------------------------------------- import

/// `hnsim import` prints a scenario that simulates to the same matrix as its input.
#[test]
fn import_output_reimports_to_the_same_matrix() {
    let mut inputs = vec![
        input("roundtrip", "transparent.txt", MS_DOCS_TRANSPARENT),
        input("roundtrip", "nat.ps1", POWERSHELL_NAT),
        input("roundtrip", "history.sh", LINUX_SHELL),
        input("roundtrip", "docker-compose.yml", LINUX_COMPOSE),
        input("roundtrip", "windows-compose.yml", WINDOWS_COMPOSE),
        input("roundtrip", "stack.yml", STACK),
        input("roundtrip", "daemon.json", DAEMON_JSON),
    ];
    inputs.extend(scenario_files());
    for f in inputs {
        let parent = f
            .parent()
            .and_then(|p| p.file_name())
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        let stem = f
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let out = run_dir().join(format!("{parent}--{stem}.imported.yaml"));
        let o = hnsim(&["import", p(&f), "-o", p(&out)]);
        assert!(
            code(&o) == 0 || code(&o) == 1,
            "import {}: {}",
            f.display(),
            both(&o)
        );
        let before = final_cells(&sim_json(&f));
        let after = final_cells(&sim_json(&out));
        let changed: Vec<String> = before
            .iter()
            .zip(&after)
            .filter(|(a, b)| a != b)
            .map(|(a, b)| format!("  {a}\n  {b}"))
            .collect();
        assert!(
            before.len() == after.len() && changed.is_empty(),
            "{}: the imported scenario simulates differently ({} vs {} cells):\n{}",
            f.display(),
            before.len(),
            after.len(),
            changed.join("\n")
        );
    }
}

// ---------------------------------------------------------------------- json

#[test]
fn json_outputs_parse_and_carry_schema_version() {
    let f = "scenarios/users/ms-docs-nat-powershell-backticks.yaml";
    let runs: [&[&str]; 5] = [
        &["check", "--format", "json", f],
        &[
            "check",
            "--json",
            "scenarios/users/ws2016-second-nat-network.yaml",
        ],
        &["sim", "--format", "json", f],
        &[
            "trace",
            "--format",
            "json",
            f,
            "--from",
            "client:laptop",
            "--to",
            "web@MyNatNetwork",
        ],
        &["sim", "--json", "--step", "0", f],
    ];
    for args in runs {
        let o = hnsim(args);
        assert!(code(&o) == 0 || code(&o) == 1, "{args:?}: {}", both(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: {e}\n{}", stdout(&o)));
        assert!(v["schema_version"].is_u64(), "{args:?}: {v}");
    }
    let o = hnsim(&[
        "check",
        "--json",
        "scenarios/users/ws2016-second-nat-network.yaml",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["summary"]["errors"], 1, "{v}");
    assert_eq!(v["findings"][0]["code"], "HNS002", "{v}");
}

// --------------------------------------------------------- trace, explain, ...

#[test]
fn trace_explains_hop_by_hop_with_facts() {
    let o = hnsim(&[
        "trace",
        "scenarios/users/nat-two-hosts-published-ports.yaml",
        "--from",
        "front",
        "--to",
        "api",
        "--proto",
        "tcp/80",
    ]);
    assert_exit(&o, 0);
    let out = stdout(&o);
    assert!(out.contains("10.10.10.22:8080"), "NAT-8 address: {out}");
    assert!(out.contains("NAT-8"), "{out}");
    assert!(out.contains("path:"), "{out}");
}

#[test]
fn trace_usage_errors_exit_2_and_list_what_exists() {
    let f = "scenarios/users/compose-linux-web-api-db.yaml";
    let o = hnsim(&["trace", f, "--from", "nosuch", "--to", "internet"]);
    assert_eq!(code(&o), 2);
    assert_stderr_has(&o, "shop-web-1@shop_frontend");
    let o = hnsim(&["trace", f, "--from", "shop-api-1", "--to", "internet"]);
    assert_eq!(code(&o), 2, "an ambiguous name: {}", both(&o));
    assert_stderr_has(&o, "shop-api-1@shop_backend");
    let o = hnsim(&[
        "trace",
        f,
        "--from",
        "client:user",
        "--to",
        "shop-web-1",
        "--proto",
        "tcp/99999",
    ]);
    assert_eq!(code(&o), 2);
    assert_stderr_has(&o, "--proto");
}

#[test]
fn explain_and_scenarios() {
    let o = hnsim(&["explain", "IMP019"]);
    assert_exit(&o, 0);
    assert_stdout_has(&o, "help:");
    let o = hnsim(&["explain", "hns002"]);
    assert_eq!(code(&o), 0, "codes are case-insensitive: {}", both(&o));
    let o = hnsim(&["explain", "HNS01"]);
    assert_eq!(code(&o), 2);
    assert_stderr_has(&o, "HNS001");
    let o = hnsim(&["explain"]);
    assert_eq!(code(&o), 0);
    assert_stdout_has(&o, "SCN040");
    let o = hnsim(&["scenarios"]);
    assert_exit(&o, 0);
    assert_stdout_has(&o, "users/ms-docs-transparent-static-ip.yaml");
    let o = hnsim(&["scenarios", "no-such-dir"]);
    assert_eq!(code(&o), 2);
}

// ------------------------------------------------------- every bundled scenario

/// Every bundled scenario is readable by check and sim, and `trace` explains a sample
/// of its cells with fact IDs.
#[test]
fn every_bundled_scenario_checks_simulates_and_traces() {
    let files = scenario_files();
    assert!(files.len() > 40, "only {} scenarios", files.len());
    let mut failures = Vec::new();
    for f in &files {
        let shown = f.strip_prefix(root()).unwrap_or(f).display().to_string();
        let o = hnsim(&["check", p(f)]);
        if code(&o) == 2 {
            failures.push(format!("check {shown}: {}", both(&o)));
            continue;
        }
        let o = hnsim(&["sim", "--format", "json", "--schema", "v1", p(f)]);
        if code(&o) != 0 && code(&o) != 1 {
            failures.push(format!("sim {shown}: {}", both(&o)));
            continue;
        }
        let report: serde_json::Value = match serde_json::from_slice(&o.stdout) {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("sim --json {shown}: {e}"));
                continue;
            }
        };
        let Some(cells) = report["states"]
            .as_array()
            .and_then(|s| s.last())
            .and_then(|s| s["cells"].as_array())
        else {
            failures.push(format!("sim --json {shown}: no cells"));
            continue;
        };
        if cells.is_empty() {
            continue;
        }
        let picks = [0, cells.len() / 2, cells.len() - 1];
        for i in picks {
            let c = &cells[i];
            let (from, to, probe) = (
                c["from"].as_str().unwrap_or(""),
                c["to"].as_str().unwrap_or(""),
                c["probe"].as_str().unwrap_or(""),
            );
            let o = hnsim(&["trace", p(f), "--from", from, "--to", to, "--proto", probe]);
            if code(&o) != 0 || !names_fact(&stdout(&o)) {
                failures.push(format!(
                    "trace {shown} {from} -> {to} {probe}: {}",
                    both(&o)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Files saved by Windows tools: CRLF line ends, a UTF-8 byte order mark, UTF-16.
#[test]
fn windows_encodings_and_line_ends() {
    let crlf = input(
        "encodings",
        "crlf.ps1",
        "PS C:\\> docker network create -d nat --subnet=172.20.0.0/16 MyNat\r\nPS C:\\> docker run -d --name web `\r\n>>   --network MyNat -p 80:80 iis\r\n",
    );
    let bom = input(
        "encodings",
        "bom.txt",
        "\u{feff}docker run -d --name web -p 80:80 nginx\n",
    );
    let utf16 = run_dir().join("encodings").join("utf16.ps1");
    let mut bytes = vec![0xFF, 0xFE];
    for unit in
        "docker network create -d transparent T\r\ndocker run -d --name web --network T iis\r\n"
            .encode_utf16()
    {
        bytes.extend(unit.to_le_bytes());
    }
    std::fs::write(&utf16, bytes).expect("write");
    for f in [&crlf, &bom, &utf16] {
        let o = hnsim(&["import", p(f)]);
        assert_eq!(code(&o), 0, "{}: {}", f.display(), both(&o));
        assert!(
            stdout(&o).contains("- name: web"),
            "{}: {}",
            f.display(),
            both(&o)
        );
    }
    let o = hnsim(&["import", p(&crlf)]);
    assert_stdout_has(&o, "- MyNat");
}

/// `hnsim check DIR` checks every scenario under it.
#[test]
fn check_a_directory_checks_its_scenarios() {
    let o = hnsim(&["check", "scenarios/users"]);
    assert_eq!(
        code(&o),
        1,
        "the users scenarios include pitfalls: {}",
        both(&o)
    );
    let out = stdout(&o);
    let n = scenario_files()
        .iter()
        .filter(|f| f.to_string_lossy().contains("/users/"))
        .count();
    assert!(
        out.contains(&format!("checked {n} files (0 unreadable)")),
        "{out}"
    );
    assert!(out.contains("ws2016-second-nat-network.yaml:"), "{out}");
}

#[test]
fn differential_options_need_generated_and_a_batch_is_text_or_json() {
    let f = "scenarios/designs/nat-single-host.yaml";
    for extra in [&["--seed", "3"][..], &["--out", "x"], &["--no-shrink"]] {
        let mut args = vec!["conform", f];
        args.extend_from_slice(extra);
        let o = hnsim(&args);
        assert_eq!(code(&o), 2, "{extra:?}: {}", both(&o));
        assert_stderr_has(&o, "add --generated COUNT");
    }
    let o = hnsim(&["conform", "--generated", "1", "--format", "html"]);
    assert_exit(&o, 2);
    assert_stderr_has(&o, "text or JSON");
}
