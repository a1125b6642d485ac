//! What the crate's unit tests share.

/// Scenario `text` as a document: a test's own design parses, or the test is wrong.
pub(crate) fn scenario(text: &str) -> hnsim_model::Document {
    hnsim_model::parse_scenario("t.yaml", text).expect("parses")
}
