//! The HTML report carries each fact's text, so a fact chip shows it on hover: as a
//! `title` on the chips the page renders itself, and in the page data for the chips
//! its script draws.

mod common;

use common::fixture;
use hnsim_reports::{render_report, Format, RenderOptions};

#[test]
fn fact_chips_carry_the_facts_text() {
    let report = fixture::small();
    let html = render_report(&report, Format::Html, &RenderOptions::default()).unwrap();
    let cited = report
        .findings
        .iter()
        .flat_map(|f| f.facts.iter())
        .find_map(|id| hnsim_model::fact::lookup(id))
        .expect("the fixture's findings cite a catalogued fact");
    assert!(
        html.contains(&format!("title=\"{}: ", cited.title)),
        "no hover text for {}",
        cited.id
    );
    let start = html.find("id=\"hnsim-data\">").expect("page data") + "id=\"hnsim-data\">".len();
    let end = start + html[start..].find("</script>").expect("end of data");
    let data: serde_json::Value = serde_json::from_str(&html[start..end]).expect("data is JSON");
    let text = data["facts"]["NAT-8"]
        .as_str()
        .expect("NAT-8 in the page data");
    assert!(text.contains(&hnsim_model::fact::lookup("NAT-8").unwrap().title));
}
