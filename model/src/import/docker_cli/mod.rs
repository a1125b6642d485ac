//! `docker ...` (and a few PowerShell) command words -> a typed command.
//!
//! Flags are parsed the way Docker's CLI (spf13/pflag) does: `--flag value`,
//! `--flag=value`, `-f value`, `-fvalue`, `-f=value`, grouped booleans with a value flag
//! last (`-itp 80:80`), `--` ends the flags, and `docker run` stops at the image (what
//! follows is the container's command). Values stay text here; the translator parses
//! addresses and ports so that it can report bad ones with their location.

mod args;
mod flags;
mod powershell;

pub use args::Args;
pub use flags::{misplaced_flags, suggest_flag, Effect};

use args::{find_long, find_short, parse_args};
use flags::*;
use powershell::parse_powershell;

/// A parsed command line.
#[derive(Clone, Debug)]
pub enum Command {
    NetworkCreate(Args),
    NetworkRm(Args),
    NetworkConnect(Args),
    NetworkDisconnect(Args),
    /// `docker run`; `create: true` for `docker create` (the container is not started).
    Run {
        args: Args,
        create: bool,
    },
    Start(Args),
    Stop(Args),
    Restart(Args),
    Rm(Args),
    SwarmInit(Args),
    SwarmJoin(Args),
    SwarmLeave(Args),
    ServiceCreate(Args),
    ServiceScale(Args),
    /// `Set-VMNetworkAdapter ... -MacAddressSpoofing On|Off` (TRANS-4).
    MacSpoofing(bool),
    /// `New-VMSwitch` (TRANS-7): name, kind (`External`/`Internal`/`Private`), NIC.
    NewVmSwitch {
        name: Option<String>,
        kind: Option<String>,
        nic: Option<String>,
    },
    /// `Restart-Service hns|docker`.
    RestartService(String),
    /// `Restart-Computer`, `shutdown /r`, `reboot`: the host reboots (NAT-13).
    Reboot,
    /// `InstallPrivateCloudPlugin.ps1` in the tenant VM (003, SDN-3).
    InstallPrivateCloudPlugin,
    /// `ConfigureMCNP.ps1` on the Hyper-V host: the network proxy for the VM (003, SDN-3).
    ConfigureMcnp,
    /// Reads state only (`docker ps`, `docker network ls`, `Get-NetAdapter`).
    Informational(String),
    /// `docker compose ...` / `docker-compose ...`: the compose file is the input.
    Compose(String),
    /// A docker command that changes nothing the model has (`docker pull`, `docker exec`).
    NoNetworkEffect(String),
    Unknown(String),
}

/// Parses one command's words.
pub fn parse(words: &[String]) -> Command {
    let mut words: &[String] = words;
    while words.first().is_some_and(|w| w == "sudo") {
        words = &words[1..];
    }
    let Some(first) = words.first() else {
        return Command::Unknown(String::new());
    };
    let lower = first.to_ascii_lowercase();
    let program = lower
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(&lower)
        .trim_end_matches(".exe")
        .to_string();
    match program.as_str() {
        "docker" => parse_docker(&words[1..]),
        "docker-compose" => Command::Compose(words.join(" ")),
        _ => parse_powershell(words),
    }
}

fn parse_docker(words: &[String]) -> Command {
    // Global flags come before the subcommand.
    let mut i = 0;
    while i < words.len() && words[i].starts_with('-') {
        let w = &words[i];
        i += 1;
        let takes_value = if let Some(long) = w.strip_prefix("--") {
            !long.contains('=') && find_long(GLOBAL, long).is_some_and(|s| s.arity == Arity::Value)
        } else {
            w.len() == 2
                && w.chars()
                    .nth(1)
                    .and_then(|c| find_short(GLOBAL, c))
                    .is_some_and(|s| s.arity == Arity::Value)
        };
        if takes_value {
            i += 1;
        }
    }
    let words = words.get(i..).unwrap_or(&[]);
    let sub = words.first();
    let rest = words.get(1..).unwrap_or(&[]);
    let text = |w: &[String]| format!("docker {}", w.join(" "));
    if let Some(c) = sub.and_then(|s| container_command(s, rest)) {
        return c;
    }
    match sub.map(String::as_str) {
        Some("container") => {
            let inner = rest.get(1..).unwrap_or(&[]);
            let verb = rest.first().map(String::as_str);
            match (verb.and_then(|v| container_command(v, inner)), verb) {
                (Some(c), _) => c,
                (None, Some("ls" | "ps" | "inspect" | "logs" | "port" | "top" | "stats")) => {
                    Command::Informational(text(words))
                }
                (None, _) => Command::NoNetworkEffect(text(words)),
            }
        }
        Some("network") => {
            let inner = rest.get(1..).unwrap_or(&[]);
            match rest.first().map(String::as_str) {
                Some("create") => Command::NetworkCreate(parse_args(inner, NETWORK_CREATE, true)),
                Some("rm" | "remove") => Command::NetworkRm(parse_args(inner, FORCE, true)),
                Some("connect") => {
                    Command::NetworkConnect(parse_args(inner, NETWORK_CONNECT, true))
                }
                Some("disconnect") => Command::NetworkDisconnect(parse_args(inner, FORCE, true)),
                Some("ls" | "list" | "inspect") | None => Command::Informational(text(words)),
                Some("prune") => Command::NoNetworkEffect(text(words)),
                Some(_) => Command::Unknown(text(words)),
            }
        }
        Some("swarm") => {
            let inner = rest.get(1..).unwrap_or(&[]);
            match rest.first().map(String::as_str) {
                Some("init") => Command::SwarmInit(parse_args(inner, SWARM, true)),
                Some("join") => Command::SwarmJoin(parse_args(inner, SWARM, true)),
                Some("leave") => Command::SwarmLeave(parse_args(inner, SWARM, true)),
                _ => Command::NoNetworkEffect(text(words)),
            }
        }
        Some("service") => {
            let inner = rest.get(1..).unwrap_or(&[]);
            match rest.first().map(String::as_str) {
                Some("create") => Command::ServiceCreate(parse_args(inner, SERVICE_CREATE, false)),
                Some("scale") => Command::ServiceScale(parse_args(inner, SERVICE_SCALE, true)),
                Some("ls" | "ps" | "inspect" | "logs") => Command::Informational(text(words)),
                _ => Command::NoNetworkEffect(text(words)),
            }
        }
        Some("compose" | "stack") => Command::Compose(text(words)),
        Some(
            "ps" | "images" | "version" | "info" | "inspect" | "logs" | "port" | "top" | "stats"
            | "events" | "node" | "system" | "search" | "history" | "-v" | "--version",
        ) => Command::Informational(text(words)),
        Some(
            "pull" | "push" | "build" | "image" | "tag" | "exec" | "attach" | "cp" | "login"
            | "logout" | "volume" | "save" | "load" | "commit" | "rmi" | "wait" | "pause"
            | "unpause" | "rename" | "update" | "plugin" | "context" | "buildx" | "secret"
            | "config" | "trust" | "manifest" | "export" | "import" | "diff",
        ) => Command::NoNetworkEffect(text(words)),
        None => Command::Informational("docker".to_string()),
        Some(_) => Command::Unknown(text(words)),
    }
}

/// A command on one container, as `docker VERB` and `docker container VERB` both spell
/// it; `None` for any other verb.
fn container_command(verb: &str, args: &[String]) -> Option<Command> {
    Some(match verb {
        "run" | "create" => Command::Run {
            args: parse_args(args, RUN, false),
            create: verb == "create",
        },
        "start" => Command::Start(parse_args(args, START_STOP, true)),
        // A killed container is stopped, as far as its network is concerned.
        "stop" | "kill" => Command::Stop(parse_args(args, START_STOP, true)),
        "restart" => Command::Restart(parse_args(args, START_STOP, true)),
        "rm" => Command::Rm(parse_args(args, CONTAINER_RM, true)),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Vec<String> {
        shell_words::split(s).unwrap()
    }

    #[test]
    fn flag_forms() {
        let Command::Run { args, .. } = parse(&w(
            "docker run -itd -p80:80 -p=81:81 --publish 82:82 --publish=83:83 --net=a img cmd -p 9",
        )) else {
            panic!()
        };
        assert_eq!(args.values("publish"), ["80:80", "81:81", "82:82", "83:83"]);
        assert_eq!(args.value("network").as_deref(), Some("a"));
        assert_eq!(args.positionals, ["img", "cmd", "-p", "9"]);
        assert_eq!(args.notes.len(), 3, "{:?}", args.notes);
    }

    /// `docker kill` and `docker container kill` stop the container alike.
    #[test]
    fn kill_stops_in_both_spellings() {
        for text in ["docker kill web", "docker container kill -s KILL web"] {
            let Command::Stop(args) = parse(&w(text)) else {
                panic!("{text}: not a stop")
            };
            assert_eq!(args.positionals, ["web"], "{text}");
        }
    }

    #[test]
    fn grouped_short_with_value_last() {
        let Command::Run { args, .. } = parse(&w("docker run -itp 8080:80 img")) else {
            panic!()
        };
        assert_eq!(args.values("publish"), ["8080:80"]);
    }

    #[test]
    fn network_create_interspersed_and_unknown_flags() {
        let Command::NetworkCreate(args) = parse(&w(
            "docker -H tcp://x:2375 network create n1 -d nat --bogus",
        )) else {
            panic!()
        };
        assert_eq!(args.positionals, ["n1"]);
        assert_eq!(args.value("driver").as_deref(), Some("nat"));
        assert!(args
            .notes
            .iter()
            .any(|n| n.unknown && n.spelled == "--bogus"));
    }

    #[test]
    fn powershell_mac_spoofing() {
        assert!(matches!(
            parse(&w("Set-VMNetworkAdapter -MacAddressSpoofing On")),
            Command::MacSpoofing(true)
        ));
        assert!(matches!(
            parse(&w("Get-VMNetworkAdapter -VMName X")),
            Command::Informational(_)
        ));
    }

    #[test]
    fn missing_value_is_an_error_not_a_panic() {
        let Command::Run { args, .. } = parse(&w("docker run -p")) else {
            panic!()
        };
        assert_eq!(args.errors.len(), 1);
    }
}
