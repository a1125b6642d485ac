//! `docker ...` (and a few PowerShell) command words -> a typed command.
//!
//! Flags are parsed the way Docker's CLI (spf13/pflag) does: `--flag value`,
//! `--flag=value`, `-f value`, `-fvalue`, `-f=value`, grouped booleans with a value flag
//! last (`-itp 80:80`), `--` ends the flags, and `docker run` stops at the image (what
//! follows is the container's command). Values stay text here; the translator parses
//! addresses and ports so that it can report bad ones with their location.

/// What a flag means for the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Translated into the model.
    Modelled,
    /// Has no effect on networking (`-it`, `-v`, `--restart`): accepted, ignored.
    Ignored,
    /// Affects networking in a way the model does not represent (`--dns`, `--mac-address`).
    NotModelled,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Arity {
    Bool,
    Value,
}

struct Spec {
    names: &'static [&'static str],
    short: Option<char>,
    arity: Arity,
    effect: Effect,
}

const fn flag(
    names: &'static [&'static str],
    short: Option<char>,
    arity: Arity,
    effect: Effect,
) -> Spec {
    Spec {
        names,
        short,
        arity,
        effect,
    }
}

/// The known long flag closest to a misspelled one (`--netwrok` -> `--network`).
pub fn suggest_flag(spelled: &str) -> Option<String> {
    let given = spelled.trim_start_matches('-');
    if given.len() < 3 {
        return None;
    }
    [
        RUN,
        NETWORK_CREATE,
        NETWORK_CONNECT,
        CONTAINER_RM,
        START_STOP,
        SWARM,
        SERVICE_CREATE,
    ]
    .iter()
    .flat_map(|t| t.iter())
    .flat_map(|s| s.names.iter())
    .map(|n| (strsim::jaro_winkler(given, n), *n))
    .filter(|(score, _)| *score > 0.88)
    .max_by(|a, b| a.0.total_cmp(&b.0))
    .map(|(_, n)| format!("--{n}"))
}

use Arity::{Bool, Value};
use Effect::{Ignored, Modelled, NotModelled};

/// `docker run` / `docker create` / `docker container run`.
const RUN: &[Spec] = &[
    flag(&["network", "net"], None, Value, Modelled),
    flag(&["ip"], None, Value, Modelled),
    flag(&["ip6"], None, Value, Modelled),
    flag(&["publish"], Some('p'), Value, Modelled),
    flag(&["publish-all"], Some('P'), Bool, Modelled),
    flag(&["expose"], None, Value, Modelled),
    flag(&["name"], None, Value, Modelled),
    flag(&["network-alias", "net-alias"], None, Value, Modelled),
    flag(&["link"], None, Value, Modelled),
    flag(&["add-host"], None, Value, Modelled),
    flag(&["dns-opt", "dns-option"], None, Value, Modelled),
    flag(&["dns-search"], None, Value, Modelled),
    flag(&["isolation"], None, Value, Modelled),
    flag(&["dns"], None, Value, NotModelled),
    flag(&["mac-address"], None, Value, NotModelled),
    flag(&["hostname"], Some('h'), Value, NotModelled),
    flag(&["domainname"], None, Value, NotModelled),
    flag(&["link-local-ip"], None, Value, NotModelled),
    flag(&["sysctl"], None, Value, NotModelled),
    flag(&["interactive"], Some('i'), Bool, Ignored),
    flag(&["tty"], Some('t'), Bool, Ignored),
    flag(&["detach"], Some('d'), Bool, Ignored),
    flag(&["rm"], None, Bool, Ignored),
    flag(&["privileged"], None, Bool, Ignored),
    flag(&["init"], None, Bool, Ignored),
    flag(&["read-only"], None, Bool, Ignored),
    flag(&["no-healthcheck"], None, Bool, Ignored),
    flag(&["oom-kill-disable"], None, Bool, Ignored),
    flag(&["sig-proxy"], None, Bool, Ignored),
    flag(&["quiet"], Some('q'), Bool, Ignored),
    flag(&["disable-content-trust"], None, Bool, Ignored),
    flag(&["volume"], Some('v'), Value, Ignored),
    flag(&["env"], Some('e'), Value, Ignored),
    flag(&["env-file"], None, Value, Ignored),
    flag(&["restart"], None, Value, Ignored),
    flag(&["memory"], Some('m'), Value, Ignored),
    flag(&["memory-swap"], None, Value, Ignored),
    flag(&["memory-reservation"], None, Value, Ignored),
    flag(&["cpus"], None, Value, Ignored),
    flag(&["cpu-count"], None, Value, Ignored),
    flag(&["cpu-percent"], None, Value, Ignored),
    flag(&["cpu-shares"], Some('c'), Value, Ignored),
    flag(&["cpuset-cpus"], None, Value, Ignored),
    flag(&["entrypoint"], None, Value, Ignored),
    flag(&["label"], Some('l'), Value, Ignored),
    flag(&["label-file"], None, Value, Ignored),
    flag(&["workdir"], Some('w'), Value, Ignored),
    flag(&["user"], Some('u'), Value, Ignored),
    flag(&["mount"], None, Value, Ignored),
    flag(&["log-driver"], None, Value, Ignored),
    flag(&["log-opt"], None, Value, Ignored),
    flag(&["storage-opt"], None, Value, Ignored),
    flag(&["stop-signal"], None, Value, Ignored),
    flag(&["stop-timeout"], None, Value, Ignored),
    flag(&["health-cmd"], None, Value, Ignored),
    flag(&["health-interval"], None, Value, Ignored),
    flag(&["health-retries"], None, Value, Ignored),
    flag(&["health-timeout"], None, Value, Ignored),
    flag(&["health-start-period"], None, Value, Ignored),
    flag(&["platform"], None, Value, Ignored),
    flag(&["pull"], None, Value, Ignored),
    flag(&["security-opt"], None, Value, Ignored),
    flag(&["device"], None, Value, Ignored),
    flag(&["gpus"], None, Value, Ignored),
    flag(&["ulimit"], None, Value, Ignored),
    flag(&["shm-size"], None, Value, Ignored),
    flag(&["tmpfs"], None, Value, Ignored),
    flag(&["cap-add"], None, Value, Ignored),
    flag(&["cap-drop"], None, Value, Ignored),
    flag(&["cgroup-parent"], None, Value, Ignored),
    flag(&["cidfile"], None, Value, Ignored),
    flag(&["attach"], Some('a'), Value, Ignored),
    flag(&["detach-keys"], None, Value, Ignored),
    flag(&["pid"], None, Value, Ignored),
    flag(&["ipc"], None, Value, Ignored),
    flag(&["uts"], None, Value, Ignored),
    flag(&["userns"], None, Value, Ignored),
    flag(&["runtime"], None, Value, Ignored),
    flag(&["volumes-from"], None, Value, Ignored),
    flag(&["volume-driver"], None, Value, Ignored),
    flag(&["group-add"], None, Value, Ignored),
    flag(&["io-maxbandwidth"], None, Value, Ignored),
    flag(&["io-maxiops"], None, Value, Ignored),
    flag(&["oom-score-adj"], None, Value, Ignored),
    flag(&["blkio-weight"], None, Value, Ignored),
    flag(&["kernel-memory"], None, Value, Ignored),
    flag(&["annotation"], None, Value, Ignored),
    flag(&["credentialspec"], None, Value, Ignored),
];

const NETWORK_CREATE: &[Spec] = &[
    flag(&["driver"], Some('d'), Value, Modelled),
    flag(&["subnet"], None, Value, Modelled),
    flag(&["gateway"], None, Value, Modelled),
    flag(&["ip-range"], None, Value, Modelled),
    flag(&["aux-address"], None, Value, Modelled),
    flag(&["opt"], Some('o'), Value, Modelled),
    flag(&["internal"], None, Bool, Modelled),
    flag(&["attachable"], None, Bool, Modelled),
    flag(&["ipv6"], None, Bool, Modelled),
    flag(&["ipam-driver"], None, Value, Modelled),
    flag(&["ipam-opt"], None, Value, Modelled),
    flag(&["scope"], None, Value, Modelled),
    flag(&["ipv4"], None, Bool, NotModelled),
    flag(&["ingress"], None, Bool, NotModelled),
    flag(&["config-from"], None, Value, NotModelled),
    flag(&["config-only"], None, Bool, NotModelled),
    flag(&["label"], None, Value, Ignored),
];

const NETWORK_CONNECT: &[Spec] = &[
    flag(&["ip"], None, Value, Modelled),
    flag(&["ip6"], None, Value, Modelled),
    flag(&["alias"], None, Value, Modelled),
    flag(&["link"], None, Value, Modelled),
    flag(&["link-local-ip"], None, Value, NotModelled),
    flag(&["driver-opt"], None, Value, NotModelled),
    flag(&["gw-priority"], None, Value, NotModelled),
];

const FORCE: &[Spec] = &[flag(&["force"], Some('f'), Bool, Modelled)];

const CONTAINER_RM: &[Spec] = &[
    flag(&["force"], Some('f'), Bool, Modelled),
    flag(&["volumes"], Some('v'), Bool, Ignored),
    flag(&["link"], Some('l'), Bool, Ignored),
];

const START_STOP: &[Spec] = &[
    flag(&["attach"], Some('a'), Bool, Ignored),
    flag(&["interactive"], Some('i'), Bool, Ignored),
    flag(&["time"], Some('t'), Value, Ignored),
    flag(&["signal"], Some('s'), Value, Ignored),
    flag(&["detach-keys"], None, Value, Ignored),
];

const SWARM: &[Spec] = &[
    flag(&["advertise-addr"], None, Value, Ignored),
    flag(&["listen-addr"], None, Value, Ignored),
    flag(&["token"], None, Value, Ignored),
    flag(&["availability"], None, Value, Ignored),
    flag(&["force-new-cluster"], None, Bool, Ignored),
    flag(&["autolock"], None, Bool, Ignored),
    flag(&["force"], Some('f'), Bool, Ignored),
    flag(&["task-history-limit"], None, Value, Ignored),
    flag(&["cert-expiry"], None, Value, Ignored),
    flag(&["dispatcher-heartbeat"], None, Value, Ignored),
    flag(&["data-path-addr"], None, Value, NotModelled),
    flag(&["data-path-port"], None, Value, NotModelled),
    flag(&["default-addr-pool"], None, Value, NotModelled),
    flag(&["default-addr-pool-mask-length"], None, Value, NotModelled),
];

const SERVICE_CREATE: &[Spec] = &[
    flag(&["name"], None, Value, Modelled),
    flag(&["replicas"], None, Value, Modelled),
    flag(&["network"], None, Value, Modelled),
    flag(&["publish"], Some('p'), Value, Modelled),
    flag(&["isolation"], None, Value, Modelled),
    flag(&["mode"], None, Value, Modelled),
    flag(&["endpoint-mode"], None, Value, NotModelled),
    flag(&["dns"], None, Value, NotModelled),
    flag(&["dns-option"], None, Value, NotModelled),
    flag(&["dns-search"], None, Value, NotModelled),
    flag(&["host"], None, Value, NotModelled),
    flag(&["hostname"], None, Value, NotModelled),
    flag(&["constraint"], None, Value, NotModelled),
    flag(&["placement-pref"], None, Value, NotModelled),
    flag(&["detach"], Some('d'), Bool, Ignored),
    flag(&["quiet"], Some('q'), Bool, Ignored),
    flag(&["tty"], Some('t'), Bool, Ignored),
    flag(&["init"], None, Bool, Ignored),
    flag(&["read-only"], None, Bool, Ignored),
    flag(&["no-healthcheck"], None, Bool, Ignored),
    flag(&["with-registry-auth"], None, Bool, Ignored),
    flag(&["env"], Some('e'), Value, Ignored),
    flag(&["env-file"], None, Value, Ignored),
    flag(&["mount"], None, Value, Ignored),
    flag(&["label"], Some('l'), Value, Ignored),
    flag(&["container-label"], None, Value, Ignored),
    flag(&["restart-condition"], None, Value, Ignored),
    flag(&["restart-delay"], None, Value, Ignored),
    flag(&["restart-max-attempts"], None, Value, Ignored),
    flag(&["update-parallelism"], None, Value, Ignored),
    flag(&["update-delay"], None, Value, Ignored),
    flag(&["update-order"], None, Value, Ignored),
    flag(&["limit-cpu"], None, Value, Ignored),
    flag(&["limit-memory"], None, Value, Ignored),
    flag(&["reserve-cpu"], None, Value, Ignored),
    flag(&["reserve-memory"], None, Value, Ignored),
    flag(&["secret"], None, Value, Ignored),
    flag(&["config"], None, Value, Ignored),
    flag(&["user"], Some('u'), Value, Ignored),
    flag(&["workdir"], Some('w'), Value, Ignored),
    flag(&["entrypoint"], None, Value, Ignored),
    flag(&["credential-spec"], None, Value, Ignored),
];

const SERVICE_SCALE: &[Spec] = &[flag(&["detach"], Some('d'), Bool, Ignored)];

/// Flags of `docker` itself, before the subcommand.
const GLOBAL: &[Spec] = &[
    flag(&["host"], Some('H'), Value, Ignored),
    flag(&["context"], Some('c'), Value, Ignored),
    flag(&["config"], None, Value, Ignored),
    flag(&["log-level"], Some('l'), Value, Ignored),
    flag(&["debug"], Some('D'), Bool, Ignored),
    flag(&["tls"], None, Bool, Ignored),
    flag(&["tlsverify"], None, Bool, Ignored),
    flag(&["tlscacert"], None, Value, Ignored),
    flag(&["tlscert"], None, Value, Ignored),
    flag(&["tlskey"], None, Value, Ignored),
];

/// A flag as written, with its canonical name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlagUse {
    /// Canonical long name (`publish` for `-p`).
    pub name: String,
    /// As written (`-p`, `--publish`, `--net`).
    pub spelled: String,
    pub value: Option<String>,
    pub effect: Effect,
}

/// A flag Docker does not know, or one that is not about networking.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub spelled: String,
    pub effect: Effect,
    /// The flag is not one Docker has (Docker would refuse the command).
    pub unknown: bool,
}

#[derive(Clone, Debug, Default)]
pub struct Args {
    pub flags: Vec<FlagUse>,
    pub positionals: Vec<String>,
    pub notes: Vec<Note>,
    pub errors: Vec<String>,
}

impl Args {
    pub fn values(&self, name: &str) -> Vec<String> {
        self.flags
            .iter()
            .filter(|f| f.name == name)
            .filter_map(|f| f.value.clone())
            .collect()
    }
    pub fn value(&self, name: &str) -> Option<String> {
        self.values(name).pop()
    }
    /// A boolean flag: present, and not `--flag=false`.
    pub fn is_set(&self, name: &str) -> bool {
        self.flags.iter().any(|f| {
            f.name == name
                && !f
                    .value
                    .as_deref()
                    .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "false" | "0"))
        })
    }
}

fn find_long<'a>(specs: &'a [Spec], name: &str) -> Option<&'a Spec> {
    specs.iter().find(|s| s.names.contains(&name))
}

fn find_short(specs: &[Spec], c: char) -> Option<&Spec> {
    specs.iter().find(|s| s.short == Some(c))
}

/// Parses flags and positionals. `interspersed: false` stops at the first positional.
/// Returns the args and the index of the first word not consumed (only for
/// `stop_after` positionals; otherwise `words.len()`).
fn parse_args(words: &[String], specs: &[Spec], interspersed: bool) -> Args {
    let mut args = Args::default();
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        i += 1;
        if w == "--" {
            args.positionals.extend(words[i..].iter().cloned());
            break;
        }
        if let Some(long) = w.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            match find_long(specs, name) {
                Some(spec) => {
                    let value = match (spec.arity, inline) {
                        (_, Some(v)) => Some(v),
                        (Bool, None) => None,
                        (Value, None) => {
                            if i < words.len() {
                                i += 1;
                                Some(words[i - 1].clone())
                            } else {
                                args.errors
                                    .push(format!("flag needs an argument: --{name}"));
                                continue;
                            }
                        }
                    };
                    args.flags.push(FlagUse {
                        name: spec.names[0].to_string(),
                        spelled: format!("--{name}"),
                        value,
                        effect: spec.effect,
                    });
                }
                None => {
                    // Most Docker flags take a value: an unknown `--flag word more...`
                    // consumes `word`, as long as something is left for the positionals.
                    if inline.is_none() && i + 1 < words.len() && !words[i].starts_with('-') {
                        i += 1;
                    }
                    args.notes.push(Note {
                        spelled: format!("--{name}"),
                        effect: Effect::NotModelled,
                        unknown: true,
                    });
                }
            }
            continue;
        }
        if w.len() > 1 && w.starts_with('-') {
            let chars: Vec<char> = w[1..].chars().collect();
            let mut k = 0;
            while k < chars.len() {
                let c = chars[k];
                k += 1;
                let Some(spec) = find_short(specs, c) else {
                    args.notes.push(Note {
                        spelled: format!("-{c}"),
                        effect: Effect::NotModelled,
                        unknown: true,
                    });
                    continue;
                };
                let value = match spec.arity {
                    Bool => {
                        if chars.get(k) == Some(&'=') {
                            let v: String = chars[k + 1..].iter().collect();
                            k = chars.len();
                            Some(v)
                        } else {
                            None
                        }
                    }
                    Value => {
                        let rest: String = chars[k..].iter().collect();
                        k = chars.len();
                        if !rest.is_empty() {
                            Some(rest.strip_prefix('=').unwrap_or(&rest).to_string())
                        } else if i < words.len() {
                            i += 1;
                            Some(words[i - 1].clone())
                        } else {
                            args.errors
                                .push(format!("flag needs an argument: '{c}' in -{c}"));
                            continue;
                        }
                    }
                };
                args.flags.push(FlagUse {
                    name: spec.names[0].to_string(),
                    spelled: format!("-{c}"),
                    value,
                    effect: spec.effect,
                });
            }
            continue;
        }
        args.positionals.push(w.clone());
        if !interspersed {
            args.positionals.extend(words[i..].iter().cloned());
            break;
        }
    }
    for f in &args.flags {
        if f.effect != Effect::Modelled {
            args.notes.push(Note {
                spelled: f.spelled.clone(),
                effect: f.effect,
                unknown: false,
            });
        }
    }
    args
}

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
    match sub.map(String::as_str) {
        Some("run") => Command::Run {
            args: parse_args(rest, RUN, false),
            create: false,
        },
        Some("create") => Command::Run {
            args: parse_args(rest, RUN, false),
            create: true,
        },
        Some("container") => {
            let inner = rest.get(1..).unwrap_or(&[]);
            match rest.first().map(String::as_str) {
                Some("run") => Command::Run {
                    args: parse_args(inner, RUN, false),
                    create: false,
                },
                Some("create") => Command::Run {
                    args: parse_args(inner, RUN, false),
                    create: true,
                },
                Some("start") => Command::Start(parse_args(inner, START_STOP, true)),
                Some("stop") => Command::Stop(parse_args(inner, START_STOP, true)),
                Some("restart") => Command::Restart(parse_args(inner, START_STOP, true)),
                Some("rm") => Command::Rm(parse_args(inner, CONTAINER_RM, true)),
                Some("ls" | "ps" | "inspect" | "logs" | "port" | "top" | "stats") => {
                    Command::Informational(text(words))
                }
                _ => Command::NoNetworkEffect(text(words)),
            }
        }
        Some("start") => Command::Start(parse_args(rest, START_STOP, true)),
        Some("stop" | "kill") => Command::Stop(parse_args(rest, START_STOP, true)),
        Some("restart") => Command::Restart(parse_args(rest, START_STOP, true)),
        Some("rm") => Command::Rm(parse_args(rest, CONTAINER_RM, true)),
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

/// PowerShell parameters are case-insensitive and may be abbreviated; the values that
/// matter here are `-MacAddressSpoofing On|Off`, `-Name`, `-NetAdapterName`, `-SwitchType`.
fn ps_param(words: &[String], name: &str) -> Option<String> {
    let lname = name.to_ascii_lowercase();
    let pos = words.iter().position(|w| {
        w.strip_prefix('-').is_some_and(|p| {
            let p = p.trim_end_matches(':').to_ascii_lowercase();
            !p.is_empty() && lname.starts_with(&p) && p.len() >= 3.min(lname.len())
        })
    })?;
    words.get(pos + 1).cloned()
}

fn parse_powershell(words: &[String]) -> Command {
    let text = words.join(" ");
    let verb = words[0].to_ascii_lowercase();
    match verb.as_str() {
        "set-vmnetworkadapter" => match ps_param(words, "MacAddressSpoofing") {
            Some(v) => Command::MacSpoofing(matches!(
                v.to_ascii_lowercase().as_str(),
                "on" | "$true" | "true"
            )),
            None => Command::NoNetworkEffect(text),
        },
        v if v
            .trim_start_matches(['.', '/', '\\'])
            .starts_with("installprivatecloudplugin") =>
        {
            Command::InstallPrivateCloudPlugin
        }
        v if v
            .trim_start_matches(['.', '/', '\\'])
            .starts_with("configuremcnp") =>
        {
            Command::ConfigureMcnp
        }
        "new-vmswitch" => Command::NewVmSwitch {
            name: ps_param(words, "Name"),
            kind: ps_param(words, "SwitchType"),
            nic: ps_param(words, "NetAdapterName"),
        },
        "restart-service" => {
            let svc = ps_param(words, "Name")
                .or_else(|| words.get(1).cloned())
                .unwrap_or_default()
                .to_ascii_lowercase();
            match svc.as_str() {
                "hns" | "docker" => Command::RestartService(svc),
                _ => Command::NoNetworkEffect(text),
            }
        }
        // `systemctl restart docker` / `service docker restart`: Linux's Restart-Service.
        "systemctl" | "service"
            if words
                .iter()
                .skip(1)
                .any(|w| w.eq_ignore_ascii_case("docker"))
                && words.iter().skip(1).any(|w| w == "restart") =>
        {
            Command::RestartService("docker".into())
        }
        // Shell plumbing around the docker commands of a script or a pasted session.
        "set" | "cd" | "export" | "sleep" | "exit" | "source" | "." | "pushd" | "popd"
        | "mkdir" | "ls" | "dir" | "cls" | "clear" | "write-host" | "write-output" | "timeout"
        | "systemctl" | "service" | "apt-get" | "apt" | "yum" | "dnf" | "choco" | "winget" => {
            Command::NoNetworkEffect(text)
        }
        v if v.starts_with('$') && words.get(1).is_some_and(|w| w == "=") => {
            Command::NoNetworkEffect(text)
        }
        v if v.starts_with("get-")
            || v.starts_with("test-")
            || matches!(
                v,
                "ipconfig"
                    | "ping"
                    | "tracert"
                    | "nslookup"
                    | "curl"
                    | "wget"
                    | "where"
                    | "select"
                    | "format-table"
                    | "ft"
                    | "fl"
                    | "format-list"
                    | "echo"
                    | "cat"
                    | "type"
            ) =>
        {
            Command::Informational(text)
        }
        v if v.contains('-')
            && v.split('-').next().is_some_and(|p| {
                matches!(
                    p,
                    "set"
                        | "new"
                        | "remove"
                        | "stop"
                        | "start"
                        | "install"
                        | "enable"
                        | "disable"
                        | "add"
                        | "invoke"
                )
            }) =>
        {
            Command::NoNetworkEffect(text)
        }
        _ => Command::Unknown(text),
    }
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
