//! The engine's release, where the model's answers depend on it: a design states the
//! Docker Engine it is for (`docker: {engine: ...}`, unset: 20.10-24), and a run on an
//! engine whose networking differs there cannot check those answers. Their containers
//! are set aside as not emulated, with the two releases, rather than probed and
//! reported as disagreements of the model.

use super::plan::Plan;
use hnsim_model::{Design, Driver, EngineVersion};

/// The release of this machine's engine, when it says one.
pub(crate) fn running() -> Option<EngineVersion> {
    let version = super::cli::docker(&["version", "--format", "{{.Server.Version}}"], None).ok()?;
    EngineVersion::read(&version)
}

/// Moves the containers of `plan` whose routing the two releases decide differently
/// (alone on `--internal` networks: a default route up to Engine 24, none from 25) to
/// its not-emulated containers.
pub(crate) fn set_aside_differences(
    plan: &mut Plan,
    design: &Design,
    host: usize,
    engine: EngineVersion,
) {
    let Some(h) = design.scenario.hosts.get(host) else {
        return;
    };
    if h.docker.internal_network_is_gateway() == engine.internal_network_is_gateway() {
        return;
    }
    let stated = h
        .docker
        .engine
        .map_or_else(|| "20.10-24 (no `engine:`)".to_string(), |v| v.to_string());
    let internal_only = |ci: usize| {
        let mut bridges = design
            .endpoints_of(ci)
            .filter_map(|e| e.network.map(|n| &design.scenario.networks[n]))
            .filter(|n| n.driver == Driver::Bridge)
            .peekable();
        bridges.peek().is_some() && bridges.all(|n| n.internal)
    };
    let (aside, kept) = std::mem::take(&mut plan.containers)
        .into_iter()
        .partition(|c| internal_only(c.index));
    plan.containers = kept;
    for c in aside {
        let why = format!(
            "container `{}` is alone on internal networks, whose routing changed in Docker Engine 25: the design is for Engine {stated}, this engine is {engine}",
            design.scenario.containers[c.index].name
        );
        plan.notes.push(why.clone());
        plan.container_not_emulated.insert(c.index, why);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn planned(engine_line: &str) -> (Design, Plan) {
        let text = format!(
            "name: t\nhosts:\n  - {{name: lx, os: linux{engine_line}}}\nnetworks:\n  - {{name: back, host: lx, driver: bridge, internal: true}}\n  - {{name: front, host: lx, driver: bridge}}\ncontainers:\n  - {{name: db, host: lx, networks: [back]}}\n  - {{name: api, host: lx, networks: [front, back]}}\n"
        );
        let doc = hnsim_model::parse_scenario("t.yaml", &text).unwrap();
        let design = hnsim_model::analyse(&doc).final_state().design.clone();
        let plan = super::super::plan::plan(&design, "hnsim-000000-", 0, &[]);
        (design, plan)
    }

    #[test]
    fn only_containers_alone_on_internal_networks_are_set_aside_and_only_across_25() {
        let v = |s: &str| EngineVersion::read(s).unwrap();
        let (design, mut plan) = planned("");
        set_aside_differences(&mut plan, &design, 0, v("20.10.24"));
        assert_eq!(plan.containers.len(), 2);
        set_aside_differences(&mut plan, &design, 0, v("26.1.4"));
        let names: Vec<&str> = plan.containers.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(plan.containers.len(), 1, "{names:?}");
        let why = &plan.container_not_emulated[&0];
        assert!(why.contains("20.10-24") && why.contains("26.1"), "{why}");
        let (design, mut plan) = planned(", docker: {engine: \"27.0\"}");
        set_aside_differences(&mut plan, &design, 0, v("28.2.2"));
        assert_eq!(plan.containers.len(), 2);
    }
}
