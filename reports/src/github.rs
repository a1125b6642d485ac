//! GitHub Actions workflow commands: one `::error file=…,line=…,col=…,title=…::message`
//! line per finding, which GitHub shows as an annotation on the file's line in the pull
//! request. Severity maps to `error`, `warning` and `notice`.

use hnsim_model::{Finding, Severity};

/// Every finding as an annotation line, then a plain tally line (which the runner
/// prints in the log without annotating anything, so a clean run still says so).
pub fn findings(findings: &[Finding]) -> String {
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let tally = format!(
        "hnsim: {}, {}, {} info\n",
        crate::text::plural(count(Severity::Error), "error"),
        crate::text::plural(count(Severity::Warning), "warning"),
        count(Severity::Info)
    );
    findings
        .iter()
        .map(|f| {
            let mut message = f.message.clone();
            if let Some(step) = f.step {
                message.push_str(&format!(" (after step {})", step + 1));
            }
            if !f.location.path.is_empty() {
                message.push_str(&format!("\nfield: {}", f.location.path));
            }
            if !f.facts.is_empty() {
                message.push_str(&format!("\nfacts: {}", f.facts.join(", ")));
            }
            if !f.help.is_empty() {
                message.push_str(&format!("\nhelp: {}", f.help));
            }
            annotation(
                f.severity,
                &f.location.file,
                f.location.line,
                f.location.column,
                &format!("{} {}", f.severity, f.code),
                &message,
            )
        })
        .chain(std::iter::once(tally))
        .collect()
}

/// One workflow command. `line` 0 means the finding has no line (the whole file).
pub fn annotation(
    severity: Severity,
    file: &str,
    line: u32,
    column: u32,
    title: &str,
    message: &str,
) -> String {
    let command = match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let mut props = vec![format!("file={}", property(file))];
    if line > 0 {
        props.push(format!("line={line}"));
        if column > 0 {
            props.push(format!("col={column}"));
        }
    }
    props.push(format!("title={}", property(title)));
    format!("::{command} {}::{}\n", props.join(","), data(message))
}

/// Escapes a command's message as the Actions runner decodes it.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value: also `:` and `,`, which would end it.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_would_end_the_command() {
        let line = annotation(Severity::Warning, "a,b:c.yaml", 3, 5, "t", "50%\nnext");
        assert_eq!(
            line,
            "::warning file=a%2Cb%3Ac.yaml,line=3,col=5,title=t::50%25%0Anext\n"
        );
        let line = annotation(Severity::Info, "x.yaml", 0, 0, "t", "m");
        assert_eq!(line, "::notice file=x.yaml,title=t::m\n");
    }
}
