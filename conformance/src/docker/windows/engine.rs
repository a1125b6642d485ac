//! What the Windows engine and host are, from the engine's own outputs: `docker info
//! --format "{{json .}}"` (OS type, isolation, the host's build and revision in
//! `OperatingSystem`: "... (OS Build 20348.2849)"), the nanoserver images it already
//! holds (`docker image inspect` gives each one's `OsVersion`), and the machine's
//! adapters. Pure: the outputs come in as text, so the choices are tested against
//! recorded outputs of real Windows engines.
//!
//! The probe image is built on the host from nanoserver. Process isolation runs an
//! image only when its build is the host's and its revision (the update level) is not
//! newer than the host's: a newer one fails with 0xc0370106 (microsoft/Windows-
//! Containers#591: a host behind on updates cannot start the current image). So the
//! base is, in order: a nanoserver image already on the host with the host's build and
//! a revision not above the host's (the newest such); the image of exactly the host's
//! revision (`10.0.B.R`); the build's LTSC tag, checked after the pull.

use serde::Deserialize;
use serde_json::Value;
use std::net::IpAddr;

/// The nanoserver repository.
pub const NANOSERVER: &str = "mcr.microsoft.com/windows/nanoserver";

/// What the engine says about itself and its host.
#[derive(Clone, Debug, PartialEq)]
pub struct EngineFacts {
    /// `windows` for a Windows engine.
    pub os_type: String,
    pub server_version: String,
    /// `Windows Server 2022 Datacenter Version 2009 (OS Build 20348.2849)`.
    pub operating_system: String,
    /// The host's build (20348) and revision (2849, 0 when the engine does not say).
    pub build: u32,
    pub revision: u32,
    /// The engine's default isolation: `process` or `hyperv`.
    pub isolation: String,
    /// The network drivers the engine has (`ics l2bridge l2tunnel nat null overlay
    /// private transparent`).
    pub network_drivers: Vec<String>,
}

/// `10.0 20348 (20348.1.amd64fre...)` or `(OS Build 20348.2849)`: build and revision.
fn build_of(operating_system: &str, kernel: &str) -> Option<(u32, u32)> {
    if let Some(rest) = operating_system.split("OS Build ").nth(1) {
        let digits: String = rest
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        let mut it = digits.split('.');
        let build = it.next()?.parse().ok()?;
        let rev = it.next().and_then(|r| r.parse().ok()).unwrap_or(0);
        return Some((build, rev));
    }
    // "10.0 20348 (20348.1.amd64fre...)": the second word is the build; the kernel's
    // ".1" is its RTM revision, not the update level.
    let build = kernel.split_whitespace().nth(1)?.parse().ok()?;
    Some((build, 0))
}

impl EngineFacts {
    /// Reads `docker info --format "{{json .}}"`.
    pub fn parse(info_json: &str) -> Result<Self, String> {
        let v: Value = serde_json::from_str(info_json.trim_start_matches('\u{feff}').trim())
            .map_err(|e| format!("`docker info` is not the expected JSON: {e}"))?;
        let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
        let os_type = s("OSType");
        let operating_system = s("OperatingSystem");
        let (build, revision) = if os_type == "windows" {
            build_of(&operating_system, &s("KernelVersion")).ok_or_else(|| {
                format!(
                    "cannot read the host's build from `docker info` (OperatingSystem \
                     \"{operating_system}\", KernelVersion \"{}\")",
                    s("KernelVersion")
                )
            })?
        } else {
            (0, 0)
        };
        let network_drivers = v["Plugins"]["Network"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|d| d.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        Ok(EngineFacts {
            os_type,
            server_version: s("ServerVersion"),
            operating_system,
            build,
            revision,
            isolation: s("Isolation"),
            network_drivers,
        })
    }

    /// `10.0.20348.2849`: the version string images carry in `OsVersion`.
    pub fn os_version(&self) -> String {
        format!("10.0.{}.{}", self.build, self.revision)
    }
}

/// The LTSC tag of nanoserver for a Windows Server build.
pub fn ltsc_tag(build: u32) -> Option<&'static str> {
    Some(match build {
        17763 => "ltsc2019",
        20348 => "ltsc2022",
        26100 => "ltsc2025",
        _ => return None,
    })
}

/// A nanoserver image the engine already has, with the `OsVersion` it was built for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalImage {
    pub reference: String,
    pub os_version: String,
}

/// `10.0.20348.2849` as (build, revision).
pub fn parse_os_version(v: &str) -> Option<(u32, u32)> {
    let parts: Vec<&str> = v.trim().split('.').collect();
    match parts.as_slice() {
        [_, _, b, r] => Some((b.parse().ok()?, r.parse().ok()?)),
        _ => None,
    }
}

/// Why an image cannot run process-isolated on the host, if it cannot.
pub fn revision_fits(facts: &EngineFacts, image_os_version: &str) -> Result<(), String> {
    let (b, r) = parse_os_version(image_os_version)
        .ok_or_else(|| format!("image OsVersion `{image_os_version}` is not 10.0.B.R"))?;
    if b != facts.build {
        return Err(format!(
            "the image is for build {b}, the host is build {}: process isolation runs only \
             images of the host's build",
            facts.build
        ));
    }
    if facts.revision != 0 && r > facts.revision {
        return Err(format!(
            "the image's revision {b}.{r} is newer than the host's {}.{}: process \
             isolation fails with 0xc0370106 (update the host, or pass an older image \
             with --image)",
            facts.build, facts.revision
        ));
    }
    Ok(())
}

/// Where the probe image's base comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BaseImage {
    /// An image the engine has that fits the host.
    Local(String),
    /// Pull these, in order; the first that pulls and fits is the base.
    Pull(Vec<String>),
}

/// Reads `docker images --format "{{json .}}"` (one object a line): the references of
/// nanoserver images.
pub fn nanoserver_references(images_jsonl: &str) -> Vec<String> {
    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Row {
        repository: String,
        tag: String,
    }
    images_jsonl
        .lines()
        .filter_map(|l| serde_json::from_str::<Row>(l.trim()).ok())
        .filter(|r| r.repository == NANOSERVER && r.tag != "<none>")
        .map(|r| format!("{}:{}", r.repository, r.tag))
        .collect()
}

/// The base image for this host: `wanted` (`--image`) when given, else a fitting local
/// nanoserver image (the highest revision), else the images to pull.
pub fn choose_base(
    facts: &EngineFacts,
    local: &[LocalImage],
    wanted: Option<&str>,
) -> Result<BaseImage, String> {
    if facts.os_type != "windows" {
        return Err(format!(
            "the engine runs `{}` containers, not Windows ones",
            facts.os_type
        ));
    }
    if let Some(w) = wanted {
        return Ok(BaseImage::Pull(vec![w.to_string()]));
    }
    let best = local
        .iter()
        .filter(|i| revision_fits(facts, &i.os_version).is_ok())
        .filter_map(|i| Some((parse_os_version(&i.os_version)?.1, i)))
        .max_by_key(|(r, i)| (*r, std::cmp::Reverse(i.reference.clone())));
    if let Some((_, i)) = best {
        return Ok(BaseImage::Local(i.reference.clone()));
    }
    let mut pull = Vec::new();
    if facts.revision != 0 {
        pull.push(format!("{NANOSERVER}:{}", facts.os_version()));
    }
    if let Some(tag) = ltsc_tag(facts.build) {
        pull.push(format!("{NANOSERVER}:{tag}"));
    }
    if pull.is_empty() {
        return Err(format!(
            "no nanoserver image is known for build {} (Windows Server 2019, 2022 and 2025 \
             are); pass one with --image",
            facts.build
        ));
    }
    Ok(BaseImage::Pull(pull))
}

/// Path of the agent inside the Windows probe image.
pub const AGENT: &str = "C:\\hnsim\\hnsim.exe";

/// The Dockerfile of the probe image: the base and `hnsim.exe` (statically linked, so
/// nanoserver needs nothing else).
pub fn dockerfile(base: &str) -> String {
    format!("FROM {base}\nCOPY hnsim.exe C:/hnsim/hnsim.exe\n")
}

/// One network adapter of the machine.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Adapter {
    pub name: String,
    #[serde(default)]
    pub ipv4: Vec<IpAddr>,
    /// The adapter holds the machine's default route: the runner's own connection.
    #[serde(default)]
    pub default_route: bool,
}

/// The machine: its adapters, from [`MACHINE_SCRIPT`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Machine {
    pub adapters: Vec<Adapter>,
}

impl Machine {
    pub fn parse(json: &str) -> Result<Self, String> {
        serde_json::from_str(json.trim_start_matches('\u{feff}').trim())
            .map_err(|e| format!("the adapter list is not the expected JSON: {e}"))
    }

    /// The address of the adapter with the default route: what stands for the
    /// scenario host's own address.
    pub fn host_ip(&self) -> Option<IpAddr> {
        self.adapters
            .iter()
            .filter(|a| a.default_route)
            .chain(&self.adapters)
            .flat_map(|a| a.ipv4.iter().copied())
            .find(|ip| !ip.is_loopback())
    }
}

/// PowerShell printing [`Machine`] as JSON: physical and virtual adapters that are up,
/// their IPv4 addresses, and which one carries the default route.
pub const MACHINE_SCRIPT: &str = "$d = (Get-NetRoute -DestinationPrefix 0.0.0.0/0 -ErrorAction SilentlyContinue | Sort-Object RouteMetric | Select-Object -First 1).ifIndex; \
@{ Adapters = @(Get-NetAdapter | Where-Object Status -eq 'Up' | ForEach-Object { @{ Name = $_.Name; Ipv4 = @(Get-NetIPAddress -InterfaceIndex $_.ifIndex -AddressFamily IPv4 -ErrorAction SilentlyContinue | ForEach-Object IPAddress); DefaultRoute = ($_.ifIndex -eq $d) } }) } | ConvertTo-Json -Depth 4";

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(os: &str) -> EngineFacts {
        EngineFacts::parse(&format!(
            r#"{{"OSType":"windows","ServerVersion":"27.5.1","OperatingSystem":"{os}","KernelVersion":"10.0 20348 (20348.1.amd64fre.fe_release.210507-1500)","Isolation":"process","Plugins":{{"Network":["ics","l2bridge","nat","transparent"]}}}}"#
        ))
        .unwrap()
    }

    #[test]
    fn builds_and_revisions() {
        let f = facts("Windows Server 2022 Datacenter Version 2009 (OS Build 20348.2849)");
        assert_eq!((f.build, f.revision), (20348, 2849));
        assert_eq!(f.os_version(), "10.0.20348.2849");
        assert!(f.network_drivers.contains(&"nat".to_string()));
        // Without "OS Build", the kernel gives the build and the revision is unknown.
        let f = facts("Windows Server 2022 Datacenter");
        assert_eq!((f.build, f.revision), (20348, 0));
        assert_eq!(parse_os_version("10.0.26100.4061"), Some((26100, 4061)));
        assert_eq!(parse_os_version("10.0"), None);
        assert!(EngineFacts::parse("{").is_err());
    }

    #[test]
    fn the_image_revision_must_not_be_newer_than_the_host() {
        let f = facts("Windows Server 2022 Datacenter Version 2009 (OS Build 20348.2849)");
        assert!(revision_fits(&f, "10.0.20348.2849").is_ok());
        assert!(revision_fits(&f, "10.0.20348.2700").is_ok());
        let e = revision_fits(&f, "10.0.20348.3091").unwrap_err();
        assert!(e.contains("0xc0370106"), "{e}");
        assert!(revision_fits(&f, "10.0.17763.1")
            .unwrap_err()
            .contains("build"));
    }

    #[test]
    fn base_image_choice() {
        let f = facts("Windows Server 2022 Datacenter Version 2009 (OS Build 20348.2849)");
        let local = vec![
            LocalImage {
                reference: format!("{NANOSERVER}:ltsc2022"),
                os_version: "10.0.20348.3091".into(),
            },
            LocalImage {
                reference: format!("{NANOSERVER}:10.0.20348.2762"),
                os_version: "10.0.20348.2762".into(),
            },
            LocalImage {
                reference: format!("{NANOSERVER}:ltsc2019"),
                os_version: "10.0.17763.6893".into(),
            },
        ];
        assert_eq!(
            choose_base(&f, &local, None),
            Ok(BaseImage::Local(format!("{NANOSERVER}:10.0.20348.2762")))
        );
        assert_eq!(
            choose_base(&f, &local[..1], None),
            Ok(BaseImage::Pull(vec![
                format!("{NANOSERVER}:10.0.20348.2849"),
                format!("{NANOSERVER}:ltsc2022"),
            ]))
        );
        assert_eq!(
            choose_base(&f, &[], Some("my/nano:1")),
            Ok(BaseImage::Pull(vec!["my/nano:1".into()]))
        );
        let mut odd = f.clone();
        odd.build = 19045;
        odd.revision = 0;
        assert!(choose_base(&odd, &[], None)
            .unwrap_err()
            .contains("--image"));
        let mut linux = f;
        linux.os_type = "linux".into();
        assert!(choose_base(&linux, &[], None).is_err());
        assert_eq!(
            dockerfile("b:1"),
            "FROM b:1\nCOPY hnsim.exe C:/hnsim/hnsim.exe\n"
        );
    }

    #[test]
    fn images_and_adapters_parse() {
        let rows = format!(
            "{{\"Repository\":\"{NANOSERVER}\",\"Tag\":\"ltsc2022\",\"ID\":\"a\"}}\n\
             {{\"Repository\":\"mcr.microsoft.com/windows/servercore\",\"Tag\":\"ltsc2022\"}}\n\
             {{\"Repository\":\"{NANOSERVER}\",\"Tag\":\"<none>\"}}\n"
        );
        assert_eq!(
            nanoserver_references(&rows),
            [format!("{NANOSERVER}:ltsc2022")]
        );
        let m = Machine::parse(
            r#"{"Adapters":[{"Name":"vEthernet (nat)","Ipv4":["172.22.64.1"],"DefaultRoute":false},
                           {"Name":"Ethernet","Ipv4":["10.1.0.4"],"DefaultRoute":true}]}"#,
        )
        .unwrap();
        assert_eq!(m.host_ip(), Some("10.1.0.4".parse().unwrap()));
    }
}
