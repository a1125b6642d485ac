//! `hnsim import` prints the scenario as YAML; it must parse back to the same scenario,
//! timeline steps included. The bundled scenarios under `scenarios/imported/` import.

use hnsim_model::import::{at_least, expand, from_commands, import_text, HostTemplate};
use hnsim_model::parse::assign_origins;
use hnsim_model::*;

/// The entries of a directory of the bundled library (`imported`), which must exist.
fn bundled(dir: &str) -> Vec<std::path::PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios")
        .join(dir);
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    entries.flatten().map(|e| e.path()).collect()
}

fn round_trip(s: &Scenario) -> String {
    let text = serde_yaml_ng::to_string(s).unwrap();
    let doc = parse_scenario("out.yaml", &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let mut expected = s.clone();
    assign_origins(&mut expected);
    assert_eq!(doc.scenario, expected, "\n{text}");
    text
}

#[test]
fn steps_and_every_object_kind_round_trip() {
    let text = "C:\\> docker swarm init\n\
        C:\\> docker network create -d overlay --subnet 10.10.0.0/24 -o com.docker.network.windowsshim.vsid=5000 ovl\n\
        C:\\> docker network create -d nat --subnet 172.20.0.0/16 --gateway 172.20.0.1 n\n\
        C:\\> docker run -d --name a --network n --ip 172.20.0.5 -p 8080:80 -p 81 --isolation hyperv img\n\
        C:\\> docker service create --name s --replicas 2 --network ovl -p 80:80 img\n\
        PS C:\\> New-VMSwitch -Name ext -NetAdapterName Ethernet\n\
        C:\\> docker network connect ovl a\n\
        C:\\> docker stop a\n\
        C:\\> docker network rm n\n\
        C:\\> docker run --name b img\n";
    let i = from_commands("c.txt", text, HostTemplate::default()).unwrap();
    assert_eq!(i.scenario.steps.len(), 4, "{:#?}", i.scenario.steps);
    let out = round_trip(&i.scenario);
    assert!(out.contains("172.20.0.5"), "{out}");
}

#[test]
fn bundled_imported_scenarios_import_and_round_trip() {
    let mut n = 0;
    for path in bundled("imported") {
        if path.extension().and_then(|x| x.to_str()) != Some("yaml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let file = path.display().to_string();
        let doc = parse_scenario(&file, &text).unwrap_or_else(|e| panic!("{e}"));
        assert!(!doc.scenario.description.is_empty(), "{file}: description");
        assert!(!doc.scenario.covers.is_empty(), "{file}: covers");
        for id in &doc.scenario.covers {
            assert!(hnsim_model::fact::is_known(id), "{file}: unknown fact {id}");
        }
        let i = expand(&doc);
        assert!(
            i.scenario.hosts.iter().all(|h| h.commands.is_empty()),
            "{file}"
        );
        let errors: Vec<_> = i
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .filter(|f| {
                !doc.scenario
                    .expect
                    .as_ref()
                    .is_some_and(|x| x.findings.contains(&f.code))
            })
            .collect();
        assert!(errors.is_empty(), "{file}: {errors:#?}");
        round_trip(&i.scenario);
        n += 1;
    }
    assert!(n >= 4, "only {n} scenarios in scenarios/imported");
}

#[test]
fn import_text_detects_every_kind() {
    use hnsim_model::import::{detect, InputKind};
    assert_eq!(
        detect("{\"fixed-cidr\": \"10.0.0.0/16\"}"),
        InputKind::DaemonJson
    );
    assert_eq!(
        detect("services:\n  a:\n    image: x\n"),
        InputKind::Compose
    );
    assert_eq!(
        detect("networks:\n  default:\n    external:\n      name: nat\n"),
        InputKind::Compose
    );
    assert_eq!(detect("name: s\nhosts: []\n"), InputKind::Scenario);
    assert_eq!(
        detect("docker network create -d nat n\n"),
        InputKind::Commands
    );
    assert_eq!(
        detect("C:\\> docker run -p 80:80 img\n"),
        InputKind::Commands
    );
    assert_eq!(
        detect("Note: run this\ndocker network ls\n"),
        InputKind::Commands
    );
    let i = import_text(
        "x",
        "docker network create -d l2bridge --subnet 10.0.0.0/24 n",
        HostTemplate::default(),
    )
    .unwrap();
    assert!(i.scenario.hosts[0].is_windows(), "l2bridge means Windows");
    assert_eq!(i.scenario.networks[0].driver, Driver::L2bridge);
}

/// `analyse` runs the importer: a commands file given as a document reports the
/// validator's findings about what the commands created at the command's line.
#[test]
fn analyse_reports_import_findings_at_their_lines() {
    let doc = hnsim_model::import::document(
        "c.txt",
        "C:\\> docker network create -d nat n\n\nC:\\> docker run --name a --network n -p 127.0.0.1:80:80 img\n",
        HostTemplate::default(),
    )
    .unwrap();
    assert_eq!(doc.scenario.hosts[0].commands.len(), 2);
    let a = analyse(&doc);
    let f = a
        .findings
        .iter()
        .find(|f| f.code == "HNS061")
        .expect("the validator's finding about the mapping");
    assert_eq!((f.location.file.as_str(), f.location.line), ("c.txt", 3));
    assert_eq!(a.scenario.containers[0].name, "a");
}

/// The docker-native files next to the bundled scenarios import cleanly.
#[test]
fn native_files_import() {
    let mut n = 0;
    for path in bundled("imported/native") {
        let text = std::fs::read_to_string(&path).unwrap();
        let file = path.display().to_string();
        let i = import_text(&file, &text, HostTemplate::default())
            .unwrap_or_else(|err| panic!("{err}"));
        let bad: Vec<_> = at_least(&i.findings, Severity::Warning).collect();
        assert!(bad.is_empty(), "{file}: {bad:#?}");
        assert!(
            !i.scenario.networks.is_empty()
                || !i.scenario.containers.is_empty()
                || i.scenario.hosts[0].docker.fixed_cidr.is_some(),
            "{file}: imported nothing"
        );
        round_trip(&i.scenario);
        n += 1;
    }
    assert!(n >= 4);
}

/// Broken YAML is a scenario with a syntax error (exit 2 at the CLI), not an empty
/// commands file.
#[test]
fn broken_yaml_is_not_mistaken_for_commands() {
    use hnsim_model::import::{detect, InputKind};
    assert_eq!(detect("name: [x\n"), InputKind::Scenario);
    assert_eq!(detect("just some prose\n"), InputKind::Scenario);
    assert!(
        hnsim_model::import::document("t.yaml", "name: [x\n", HostTemplate::default()).is_err()
    );
}

/// Every file under `dir` of the repository, at any depth.
fn files_below(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    entries
        .flatten()
        .flat_map(|e| match e.path() {
            p if p.is_dir() => files_below(&p),
            p => vec![p],
        })
        .collect()
}

/// A text is first read as a scenario and detected only if that fails: the answer must
/// be the one detection gives, for every bundled input of every kind and for the texts
/// that read as a scenario's fields but are not one.
#[test]
fn reading_a_scenario_first_answers_as_detection_does() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut texts: Vec<(String, String)> = [root.join("../scenarios"), root.join("tests/fixtures")]
        .iter()
        .flat_map(|dir| files_below(dir))
        .filter_map(|p| Some((p.display().to_string(), std::fs::read_to_string(&p).ok()?)))
        .collect();
    assert!(texts.len() > 100, "only {} bundled inputs", texts.len());
    for edge in [
        "- just-a-name\n",
        "name: app\nservices:\n  web:\n    image: nginx\n",
        "name: app\nnetworks: {}\n",
        "name: app\nnetworks:\n  front: {}\n",
        "\u{feff}name: with-bom\n",
        "name: only-a-name\n",
        "{\"name\": \"json\"}\n",
    ] {
        texts.push((format!("{edge:?}"), edge.to_string()));
    }
    let limits = Limits::default();
    for (file, text) in &texts {
        let read = import::document_with(file, text, HostTemplate::default(), &limits);
        let kind = import::detect(text);
        let detected = import::document_as(kind, file, text, HostTemplate::default(), &limits);
        match (read, detected) {
            (Ok(a), Ok(b)) => assert_eq!(a.scenario, b.scenario, "{file} ({kind:?})"),
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{file}"),
            (a, b) => panic!(
                "{file} ({kind:?}): read {:?}, detected {:?}",
                a.err(),
                b.err()
            ),
        }
    }
}
