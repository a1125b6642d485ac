//! The `hnsim` binary as users run it, in one test binary for the root package (one
//! link instead of one per file): the commands and their exit codes, flows and names,
//! output formats, `hnsim test`, explain and the shell, regressions, and the
//! architecture's invariants checked on the source tree.

mod architecture;
mod commands;
mod common;
mod explain_and_shell;
mod flows;
mod output;
mod regressions;
mod test_command;
mod untrusted_input;
