//! The importer's finding codes (IMP0xx), in the validator's [`crate::rules::Rule`]
//! shape so that `hnsim explain IMP008` and scenario `expect:` lists treat them like any
//! other rule.

use crate::finding::{Finding, Location, Severity};
use crate::rules::Rule;

const fn c(
    code: &'static str,
    severity: Severity,
    facts: &'static [&'static str],
    title: &'static str,
    explanation: &'static str,
    help: &'static str,
) -> Rule {
    Rule {
        code,
        severity,
        facts,
        title,
        explanation,
        help,
    }
}

use Severity::{Error, Info, Warning};

/// IMP001-IMP003 and IMP017 are retired (never reused): what Windows refuses in a
/// network, a container or a port mapping, and unknown windowsshim options, are the
/// validator's HNS050-HNS053 and HNS061-HNS063, reported once at the option.
pub const CODES: &[Rule] = &[
    c("IMP004", Info, &[], "flags with no effect on networking were ignored",
      "Flags such as -i, -t, -d, --rm, -v, -e, --restart, --memory or --entrypoint change nothing about connectivity; the importer accepts and ignores them.",
      "nothing to do: the flags do not change connectivity"),
    c("IMP005", Warning, &[], "a flag or key that may affect networking is not modelled",
      "The flag or key is understood by Docker and changes networking (DNS servers, MAC address, hostname, sysctls, host-mode publishing, global services...) or is unknown to Docker altogether; the model has no place for it, so the simulation behaves as if it were absent.",
      "check its effect by hand, or remove it"),
    c("IMP006", Info, &[], "command ignored: it changes nothing the model represents",
      "Commands that only read state (docker ps, docker network ls/inspect, Get-NetAdapter, Get-NetNat) or change things outside networking (docker pull, docker exec) are skipped.",
      "nothing to do"),
    c("IMP007", Warning, &[], "command not recognised",
      "The importer translates docker network create/rm/connect/disconnect, docker run/create/start/stop/rm, docker swarm init/join/leave, docker service create/scale, Set-VMNetworkAdapter -MacAddressSpoofing, New-VMSwitch, Restart-Service hns|docker, Restart-Computer (or shutdown /r, reboot) and the SDN scripts of seed 003. Anything else is skipped with this warning.",
      "check that the command does not matter for networking, or describe its effect in the scenario"),
    c("IMP008", Error, &[], "malformed command or value (Docker refuses it)",
      "The command cannot be split into words, misses an argument, or carries a value Docker rejects (an address that is not an IP, a CIDR that is not a prefix, a port outside 1-65535).",
      "fix the command so that Docker accepts it"),
    c("IMP009", Error, &[], "reference to a container, network or service that does not exist",
      "Docker answers \"No such container\" or \"network ... not found\": the object is named before it is created, or the name is misspelled.",
      "create it before it is used, or fix the name"),
    c("IMP010", Info, &["OPT-7"], "change after the initial design recorded as a timeline step",
      "Commands that change a running container (network connect/disconnect, stop, rm -f) or restart hns/docker end the initial design of their host; they and every later command of the host become timeline steps. On Windows a network adapter cannot be hot-added to a running container (OPT-7).",
      "on Windows, connect networks and set static IPs while the container is created or stopped (OPT-7)"),
    c("IMP011", Info, &[], "object named by the importer",
      "Docker names a container started without --name randomly (adjective_surname); the importer uses <image>-<n> so that the name is stable.",
      "add --name to choose the name"),
    c("IMP012", Info, &["NAT-3"], "daemon.json key ignored",
      "Only `fixed-cidr` (the default nat network's prefix) and `bridge` (\"none\": no default network) change the modelled network (NAT-3).",
      "nothing to do"),
    c("IMP013", Warning, &["OPT-9"], "compose content not understood",
      "A compose key has the wrong type, is unknown, or a service names a network the file does not define (Compose refuses the project).",
      "check the compose file against the Compose specification"),
    c("IMP014", Error, &["OPT-8"], "network removed while containers use it",
      "`docker network rm` fails with \"network ... has active endpoints\" while running containers are attached.",
      "stop or disconnect the containers first"),
    c("IMP015", Error, &[], "name already in use",
      "Docker refuses a second network, container or service with the same name on the same host (or swarm).",
      "choose another name or remove the first object"),
    c("IMP016", Error, &["OVL-1"], "swarm object created on a node that is not a swarm manager",
      "Overlay networks and services are created on a swarm manager (OVL-1): Docker answers \"This node is not a swarm manager\".",
      "run `docker swarm init` on this host first, or create the object on a manager"),
    c("IMP018", Info, &["TRANS-4", "TRANS-7", "ARCH-5", "SDN-3"], "host setting taken from a PowerShell command",
      "Set-VMNetworkAdapter -MacAddressSpoofing sets the host's MAC spoofing (and marks it a Hyper-V VM), New-VMSwitch records an out-of-band vSwitch Docker does not see until hns and docker restart (TRANS-7), and the SDN scripts record the network proxy and the private cloud plug-in (SDN-3).",
      "nothing to do"),
    c("IMP019", Info, &["NAT-8", "TRANS-2", "ARCH-6"], "host network assumed",
      "A file of docker commands, a compose file or a daemon.json says nothing about the machine Docker runs on, yet every Docker host has a NIC on a LAN with a router to the internet. The importer gives the host one: on the subnet and gateway of a transparent, l2bridge, macvlan or ipvlan network created with --subnet/--gateway (those sit on the physical network), with a DHCP server when a transparent network has no subnet, else on 192.168.1.0/24 (or another private /24 no network uses); and a LAN client, so that published ports show in the matrix.",
      "describe the real LAN in a scenario (`segments:`, the host's `nics:`, `clients:`) and keep the commands under the host's `commands:`; a commands file can name its host's OS with a first line `# hnsim: os=ws2019 host=NAME`"),
    c("IMP021", Info, &["OPT-9"], "external network of a compose file assumed to exist",
      "A compose file's `external: true` network is created outside the file (`docker network create`, or another project). Given the compose file alone, the importer assumes it exists on the host with the platform's default driver (bridge on Linux, nat on Windows, overlay for a stack on a swarm manager); in a scenario, define it under `networks:` or in the host's `commands:`.",
      "describe the network in a scenario (its driver and subnet) if it is not the default kind"),
    c("IMP022", Error, &[], "input over a documented limit",
      "A value in the input would cost more time or memory than hnsim allows one input: more replicas of a service than the replicas limit (compose `scale` / `deploy.replicas`, `docker service create --replicas`, `docker service scale`), or a script variable longer than the variable limit (`A=$A$A` doubled). The value is not used. The limits, and the HNSIM_MAX_* variables that raise them, are listed in the README (Limits).",
      "lower the value, or raise the limit with the HNSIM_MAX_* variable the message names"),
    c("IMP020", Info, &[], "documentation placeholder used as a name",
      "Commands copied from the documentation carry placeholders such as `<image> <cmd>` or `<network name>`. A shell would read `<` and `>` as redirections; the importer keeps each placeholder as one literal word (`<network-name>`), so an image placeholder changes nothing, but a network or container placeholder names nothing that exists.",
      "replace the placeholder with a real value"),
    c("IMP023", Info, &["ARCH-2"], "container shares another container's network stack",
      "`--network container:NAME` (compose `network_mode: service:NAME` or `container:NAME`) puts the container in NAME's network namespace (its compartment on Windows): it has no vNIC, address or node of its own. What it listens on is reached at NAME's addresses, and its traffic is NAME's, so its ports are added to NAME's and the matrix shows NAME only.",
      "nothing to do; trace NAME to see what reaches the shared stack"),
    c("IMP024", Warning, &[], "docker run flag written after the image",
      "`docker run` (and `docker service create`) reads its flags up to the image; every word after the image is the container's command (`docker run -d nginx -p 80:80` runs `nginx -p 80:80`). A flag there that would publish a port, pick a network or set an address does nothing: the container is created without it, as the importer does.",
      "move the flag before the image: `docker run -d -p 80:80 nginx`"),
];

pub fn get(code: &str) -> Option<&'static Rule> {
    CODES
        .iter()
        .find(|c| c.code.eq_ignore_ascii_case(code.trim()))
}

/// A finding of `code`: an IMP code, or a validator code for what the model has no
/// field to carry (so the validator cannot see it).
pub(crate) fn finding(code: &str, src: &Location, message: String) -> Finding {
    let meta = crate::rules::rule(code);
    Finding {
        code: code.to_string(),
        severity: meta.map(|m| m.severity).unwrap_or(Severity::Warning),
        facts: meta
            .map(|m| m.facts.iter().map(|f| f.to_string()).collect())
            .unwrap_or_default(),
        location: src.clone(),
        message,
        help: meta.map(|m| m.help.to_string()).unwrap_or_default(),
        step: None,
        invalidates: Vec::new(),
    }
}
