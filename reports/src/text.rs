//! Small text helpers shared by the renderers: padding by displayed width, escaping.

use hnsim_sim::matrix::{Address, AddressKind, Hop, Observation, ProbeOutcome};

/// Displayed width, counting one column per char. The symbols the views use (● ◐ · ? ✗)
/// are one column in every common terminal font.
pub fn width(s: &str) -> usize {
    s.chars().count()
}

/// Cuts `s` to at most `max` columns, marking a cut with `…`.
pub fn clip(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out.push('…');
    out
}

pub fn pad_right(s: &str, w: usize) -> String {
    let mut out = s.to_string();
    for _ in width(s)..w {
        out.push(' ');
    }
    out
}

pub fn pad_left(s: &str, w: usize) -> String {
    let mut out = String::new();
    for _ in width(s)..w {
        out.push(' ');
    }
    out.push_str(s);
    out
}

/// Wraps `s` in an ANSI SGR sequence when colour is on.
pub fn paint(s: &str, sgr: &str, colour: bool) -> String {
    if colour && !sgr.is_empty() {
        format!("\x1b[{sgr}m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}

/// Escapes text for XML/HTML content and attribute values, and drops characters XML 1.0
/// cannot carry at all (control characters other than tab, newline, carriage return).
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(ch),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for a Markdown table cell: pipes and newlines would break the row, and
/// HTML-looking text would be interpreted by GitHub. Inside `code spans` of the text
/// entities are not decoded, so only pipes are escaped there.
pub fn md_cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_code = false;
    for ch in s.chars() {
        match ch {
            '`' => {
                in_code = !in_code;
                out.push(ch);
            }
            '|' => out.push_str("\\|"),
            '\n' | '\r' => out.push(' '),
            '<' if !in_code => out.push_str("&lt;"),
            '>' if !in_code => out.push_str("&gt;"),
            '&' if !in_code => out.push_str("&amp;"),
            c if (c as u32) < 0x20 => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Inline code in Markdown that survives backticks in the text.
pub fn md_code(s: &str) -> String {
    let clean: String = s
        .chars()
        .map(|c| if (c as u32) < 0x20 { ' ' } else { c })
        .collect::<String>()
        .replace('|', "\\|");
    if clean.contains('`') {
        format!("`` {clean} ``")
    } else {
        format!("`{clean}`")
    }
}

/// Words of `text` in lines of at most `width` columns (a longer word stands alone).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && self::width(&line) + 1 + self::width(word) > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// `lead` then `text`, wrapped to `width` columns with the continuation lines indented
/// under the text (`  help: long text…` / `        …continued`). Keeps one line when
/// the room left after the lead is too narrow to wrap into.
pub fn hang(lead: &str, text: &str, width: usize) -> String {
    let indent = self::width(lead);
    let room = width.saturating_sub(indent);
    if room < 30 || self::width(text) <= room {
        return format!("{lead}{text}");
    }
    let pad = " ".repeat(indent);
    wrap(text, room)
        .iter()
        .enumerate()
        .map(|(i, line)| format!("{}{line}", if i == 0 { lead } else { &pad }))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `49,990,000`: digits grouped by thousands.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// `1 error`, `2 errors`.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

pub fn address_kind(k: AddressKind) -> &'static str {
    match k {
        AddressKind::ContainerIp => "container IP",
        AddressKind::HostPort => "host IP and published port",
        AddressKind::HostIp => "host IP",
        AddressKind::Localhost => "localhost and published port",
        AddressKind::Name => "DNS name",
        AddressKind::External => "external address",
    }
}

/// `10.0.0.10:8080 (host IP and published port; name web)`.
pub fn address(a: &Address) -> String {
    let mut s = format!("{} ({}", a.value, address_kind(a.kind));
    if let Some(name) = &a.name {
        s.push_str("; also by name ");
        s.push_str(name);
    }
    s.push(')');
    s
}

pub fn outcome(o: &ProbeOutcome) -> String {
    match o {
        ProbeOutcome::Reply => "reply".into(),
        ProbeOutcome::Timeout => "timeout".into(),
        ProbeOutcome::Refused => "refused".into(),
        ProbeOutcome::Unreachable => "unreachable".into(),
        ProbeOutcome::NotEmulated { why } => format!("not emulated ({why})"),
        ProbeOutcome::Error { message } => format!("error ({message})"),
    }
}

/// `reply after 1 attempt, 0.4 ms`.
pub fn observation(o: &Observation) -> String {
    let mut s = format!("{}: {} → {}", o.backend, o.sent, outcome(&o.outcome));
    if let Some(rtt) = o.rtt_ms {
        s.push_str(&format!(" in {rtt:.1} ms"));
    }
    s
}

/// `3. win1 WinNAT [win-nat] source address translated … (NAT-7, MAT-1)`: one hop of a
/// path as the plain-text views list it.
pub fn hop_line(number: usize, hop: &Hop) -> String {
    format!(
        "{number}. {} [{}] {} ({})",
        hop.at,
        serde_name(&hop.mechanism),
        hop.detail,
        hop.facts.join(", ")
    )
}

/// The kebab-case name a value serializes to (`win-nat-port-mapping`), so every format
/// names mechanisms and reasons exactly as the JSON report does.
pub fn serde_name<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// `s` in double quotes with each character `escape` names replaced (the rest kept,
/// carriage returns dropped): DOT and Mermaid labels differ only in their escapes.
pub fn quoted(s: &str, escape: impl Fn(char) -> Option<&'static str>) -> String {
    let mut out = String::from("\"");
    for c in s.chars().filter(|&c| c != '\r') {
        match escape(c) {
            Some(e) => out.push_str(e),
            None => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_clips() {
        assert_eq!(
            xml_escape("a<b>&\"'\u{1}"),
            "a&lt;b&gt;&amp;&quot;&apos;\u{FFFD}"
        );
        assert_eq!(md_cell("a|b\nc<d>"), "a\\|b c&lt;d&gt;");
        assert_eq!(md_cell("`a->b` c->d"), "`a->b` c-&gt;d");
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("abc", 4), "abc");
        assert_eq!(pad_left("●", 3), "  ●");
        assert_eq!(md_code("a`b"), "`` a`b ``");
        let long = "word ".repeat(20);
        let wrapped = hang("  why: ", long.trim(), 40);
        assert!(wrapped.lines().count() > 1, "{wrapped}");
        assert!(wrapped.lines().all(|l| width(l) <= 40), "{wrapped}");
        assert!(
            wrapped.lines().skip(1).all(|l| l.starts_with("       w")),
            "{wrapped}"
        );
        assert_eq!(hang("a: ", "short", 40), "a: short");
    }
}
