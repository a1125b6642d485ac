//! The flags of each docker command the importer reads, as Docker's CLI defines them:
//! names, short letter, whether they take a value, and what they mean for the model.

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
pub(super) enum Arity {
    Bool,
    Value,
}

pub(super) struct FlagSpec {
    pub names: &'static [&'static str],
    pub short: Option<char>,
    pub arity: Arity,
    pub effect: Effect,
}

const fn flag(
    names: &'static [&'static str],
    short: Option<char>,
    arity: Arity,
    effect: Effect,
) -> FlagSpec {
    FlagSpec {
        names,
        short,
        arity,
        effect,
    }
}

use Arity::{Bool, Value};
use Effect::{Ignored, Modelled, NotModelled};

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
    .map(|n| (crate::similarity(given, n), *n))
    .filter(|(score, _)| *score > 0.88)
    .max_by(|a, b| a.0.total_cmp(&b.0))
    .map(|(_, n)| format!("--{n}"))
}

/// The flags the model would have read (`-p`, `--publish=80:80`, `--network`) among
/// the flags that open a command written after the image of `docker run` (`service`:
/// `docker service create`). Docker
/// hands every word after the image to the container's command, so a flag there
/// publishes or connects nothing: an easy mistake that no error shows. Only the leading
/// flags (and their values) count: once the command has a word of its own
/// (`nc -l -p 8080`), its flags are the program's, not misplaced Docker ones.
pub fn misplaced_flags(command: &[String], service: bool) -> Vec<String> {
    let specs = if service { SERVICE_CREATE } else { RUN };
    let mut found: Vec<String> = Vec::new();
    let mut words = command.iter();
    while let Some(word) = words.next() {
        let (spec, inline) = if let Some(long) = word.strip_prefix("--") {
            let (name, inline) = long
                .split_once('=')
                .map_or((long, false), |(n, _)| (n, true));
            (super::args::find_long(specs, name), inline)
        } else if let Some(short) = word.strip_prefix('-').filter(|s| !s.is_empty()) {
            let mut chars = short.chars();
            let letter = chars.next();
            (
                letter.and_then(|c| super::args::find_short(specs, c)),
                chars.next().is_some(),
            )
        } else {
            break;
        };
        let Some(spec) = spec else { continue };
        if spec.effect == Modelled {
            let name = format!("--{}", spec.names[0]);
            if !found.contains(&name) {
                found.push(name);
            }
        }
        if spec.arity == Value && !inline {
            words.next();
        }
    }
    found
}

/// `docker run` / `docker create` / `docker container run`.
pub(super) const RUN: &[FlagSpec] = &[
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

pub(super) const NETWORK_CREATE: &[FlagSpec] = &[
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

pub(super) const NETWORK_CONNECT: &[FlagSpec] = &[
    flag(&["ip"], None, Value, Modelled),
    flag(&["ip6"], None, Value, Modelled),
    flag(&["alias"], None, Value, Modelled),
    flag(&["link"], None, Value, Modelled),
    flag(&["link-local-ip"], None, Value, NotModelled),
    flag(&["driver-opt"], None, Value, NotModelled),
    flag(&["gw-priority"], None, Value, NotModelled),
];

pub(super) const FORCE: &[FlagSpec] = &[flag(&["force"], Some('f'), Bool, Modelled)];

pub(super) const CONTAINER_RM: &[FlagSpec] = &[
    flag(&["force"], Some('f'), Bool, Modelled),
    flag(&["volumes"], Some('v'), Bool, Ignored),
    flag(&["link"], Some('l'), Bool, Ignored),
];

pub(super) const START_STOP: &[FlagSpec] = &[
    flag(&["attach"], Some('a'), Bool, Ignored),
    flag(&["interactive"], Some('i'), Bool, Ignored),
    flag(&["time"], Some('t'), Value, Ignored),
    flag(&["signal"], Some('s'), Value, Ignored),
    flag(&["detach-keys"], None, Value, Ignored),
];

pub(super) const SWARM: &[FlagSpec] = &[
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

pub(super) const SERVICE_CREATE: &[FlagSpec] = &[
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

pub(super) const SERVICE_SCALE: &[FlagSpec] = &[flag(&["detach"], Some('d'), Bool, Ignored)];

/// Flags of `docker` itself, before the subcommand.
pub(super) const GLOBAL: &[FlagSpec] = &[
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
