//! The PowerShell commands the Windows documentation uses around Docker: MAC address
//! spoofing, out-of-band vSwitches, restarting hns and docker, the SDN scripts.

use super::Command;

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

pub(super) fn parse_powershell(words: &[String]) -> Command {
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
        // A reboot, as PowerShell, cmd and a Linux shell say it (NAT-13).
        "restart-computer" | "reboot" => Command::Reboot,
        "shutdown"
            if words
                .iter()
                .skip(1)
                .any(|w| w.eq_ignore_ascii_case("/r") || w == "-r") =>
        {
            Command::Reboot
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
