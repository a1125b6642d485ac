//! `hnsim import`: docker commands, a compose file or a daemon.json (or a scenario that
//! carries them) -> the equivalent native scenario YAML, so a design can move from the
//! docker-native formats to the scenario format.
//!
//! The scenario goes to standard output (or `-o FILE`), the importer's findings to
//! standard error. Exit code 1 when a finding is an error (Docker would refuse the
//! command, or Windows refuses the option), 0 otherwise, 2 for unreadable input.

use hnsim_model::import::HostTemplate;
use hnsim_model::{Finding, OsVersion, Scenario, Severity};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    /// A scenario YAML, a file of docker commands, a compose file or a daemon.json.
    pub file: PathBuf,
    /// Name of the host that a commands / compose / daemon.json file describes.
    #[arg(long, default_value = "host1")]
    pub host: String,
    /// OS of that host: ws2016, ws1709, ws1803, ws2019, ws2022, ws2025, win10-<build> or
    /// linux. Default: ws2019 when the input uses Windows drivers, windowsshim options or
    /// Windows prompts, else linux (a daemon.json alone: ws2019).
    #[arg(long)]
    pub os: Option<String>,
    /// Write the scenario to FILE instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Do not print the importer's findings.
    #[arg(short, long)]
    pub quiet: bool,
}

pub fn run_import(a: ImportArgs) -> anyhow::Result<ExitCode> {
    let os = match &a.os {
        Some(text) => Some(
            text.parse::<OsVersion>()
                .map_err(|e| anyhow::anyhow!("--os: {e}"))?,
        ),
        None => None,
    };
    let template = HostTemplate {
        name: a.host.clone(),
        os,
        project: None,
    };
    let original = super::input::load_with(&a.file, &template)?;
    let imported = hnsim_model::import::expand(&original);
    let yaml = render(&imported.scenario, &original.file)?;
    // What `check` says of the same file: the importer's findings and the validator's,
    // located at the lines of the commands they come from.
    let findings = hnsim_model::analyse(&original).findings;
    match &a.output {
        Some(path) => std::fs::write(path, &yaml)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?,
        None => super::output::print_stdout(&yaml)?,
    }
    if !a.quiet && !findings.is_empty() {
        // The same rendering as `hnsim check`, so that a finding reads the same everywhere.
        let opts = hnsim_reports::RenderOptions {
            colour: false,
            width: super::output::terminal_width(),
            ..Default::default()
        };
        let text =
            hnsim_reports::render_findings(&findings, hnsim_reports::Format::Terminal, &opts)?;
        eprint!("{text}");
    }
    Ok(exit_code(&findings))
}

/// The scenario as YAML, with a header naming where it came from.
pub fn render(scenario: &Scenario, source: &str) -> anyhow::Result<String> {
    let body = hnsim_model::import::to_yaml(scenario)?;
    Ok(format!("# Imported by hnsim from {source}\n{body}"))
}

fn exit_code(findings: &[Finding]) -> ExitCode {
    if findings.iter().any(|f| f.severity == Severity::Error) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hnsim_model::parse::assign_origins;
    use hnsim_model::parse_scenario;
    use std::path::Path;

    /// A file of these tests, in the build directory (`target/`, beside the test
    /// binary): unit tests get no `CARGO_TARGET_TMPDIR`, and the system's temporary
    /// directory would keep a folder per run.
    fn temp(name: &str, text: &str) -> PathBuf {
        let exe = std::env::current_exe().unwrap();
        let dir = exe.parent().unwrap().join("hnsim-import-tests");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    fn round_trip(path: &Path) -> (Scenario, Vec<Finding>) {
        let doc = super::super::input::load_with(path, &HostTemplate::default()).unwrap();
        let findings = hnsim_model::analyse(&doc).findings;
        let imported = hnsim_model::import::expand(&doc);
        let yaml = render(&imported.scenario, &doc.file).unwrap();
        let back = parse_scenario("out.yaml", &yaml).unwrap_or_else(|e| panic!("{e}\n{yaml}"));
        let mut expected = imported.scenario.clone();
        assign_origins(&mut expected);
        assert_eq!(back.scenario, expected, "\n{yaml}");
        (back.scenario, findings)
    }

    #[test]
    fn commands_file_round_trips() {
        let p = temp(
            "nat.ps1",
            "PS C:\\> docker network create -d nat --subnet=172.20.0.0/16 --gateway=172.20.0.1 app\nPS C:\\> docker run -d --name web --network app -p 8080:80 iis\n",
        );
        let (s, findings) = round_trip(&p);
        assert!(s.hosts[0].is_windows());
        assert_eq!(s.networks[0].name, "app");
        assert_eq!(exit_code(&findings), ExitCode::SUCCESS);
    }

    #[test]
    fn compose_by_path_is_inlined_relative_to_the_scenario() {
        temp(
            "web-compose.yml",
            "services:\n  web:\n    image: iis\n    ports: [\"127.0.0.1:80:80\"]\nnetworks:\n  default:\n    external:\n      name: nat\n",
        );
        let p = temp(
            "with-compose.yaml",
            "name: c\nhosts:\n  - name: h\n    os: ws2019\n    compose: web-compose.yml\n    daemon-json: '{\"fixed-cidr\": \"172.30.0.0/16\"}'\n",
        );
        let (s, findings) = round_trip(&p);
        assert_eq!(s.containers[0].networks[0].network, "nat");
        assert_eq!(
            s.hosts[0].docker.fixed_cidr,
            Some("172.30.0.0/16".parse().unwrap())
        );
        assert!(findings.iter().any(|f| f.code == "HNS061"), "{findings:#?}");
        assert_eq!(exit_code(&findings), ExitCode::from(1));
    }

    #[test]
    fn missing_compose_file_is_an_input_error() {
        let p = temp(
            "missing.yaml",
            "name: c\nhosts:\n  - name: h\n    os: ws2019\n    compose: nope.yml\n",
        );
        let err = super::super::input::load(&p).unwrap_err();
        assert!(format!("{err:#}").contains("hosts[0].compose"), "{err:#}");
    }
}
