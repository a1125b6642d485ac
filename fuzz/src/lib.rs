//! What every fuzz target does with its input: read it as one input kind under the
//! default limits, then check, import and simulate it as the CLI would. A crash, a hang
//! (libFuzzer's `-timeout`) or more memory than `-rss_limit_mb` is a finding; an error
//! is fine as long as it says where in the text it is.

use hnsim_model::import::{document_as, HostTemplate, ImportError, InputKind};
use hnsim_model::Limits;

/// Where each input is written before it runs, when `HNSIM_FUZZ_LAST_INPUT` names a
/// file: a stack overflow kills the process before libFuzzer's handler can save the
/// input (the handler runs on the overflowed stack), and this file is then the only
/// trace of what did it. run.sh sets it per target.
fn last_input_file() -> Option<&'static std::path::Path> {
    static PATH: std::sync::OnceLock<Option<std::path::PathBuf>> = std::sync::OnceLock::new();
    PATH.get_or_init(|| std::env::var_os("HNSIM_FUZZ_LAST_INPUT").map(Into::into))
        .as_deref()
}

pub fn exercise(kind: InputKind, data: &[u8]) {
    if let Some(path) = last_input_file() {
        let _ = std::fs::write(path, data);
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return; // the CLI refuses undecodable text before the model sees it
    };
    let doc = match document_as(kind, "fuzz", text, HostTemplate::default(), &Limits::default())
    {
        Ok(doc) => doc,
        Err(ImportError::Scenario(e)) => {
            assert!(e.line >= 1 && e.column >= 1, "an error without a location: {e}");
            return;
        }
        Err(_) => return,
    };
    let analysis = hnsim_model::analyse(&doc);
    for f in &analysis.findings {
        assert!(!f.code.is_empty() && !f.message.is_empty(), "{f:?}");
    }
    let _ = hnsim_model::import::to_yaml(&analysis.scenario);
    let report = hnsim_sim::simulate_analysis("fuzz", &analysis);
    std::hint::black_box(report);
}

/// The body of a fuzz target: `hnsim_fuzz::target!(Compose);` reads every input as that
/// [`InputKind`].
#[macro_export]
macro_rules! target {
    ($kind:ident) => {
        libfuzzer_sys::fuzz_target!(|data: &[u8]| {
            $crate::exercise(hnsim_model::import::InputKind::$kind, data);
        });
    };
}
