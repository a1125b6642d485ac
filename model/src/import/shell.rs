//! Turning pasted terminal text into command words.
//!
//! People copy commands out of documentation and terminals, so the text carries prompts
//! (`C:\> `, `PS C:\> `, `$ `), line continuations (`\` in sh, `` ` `` in PowerShell,
//! `^` in cmd), comments, Markdown fences and, in a pasted session, the output of the
//! commands. When any line has a prompt the text is read as a transcript: only prompted
//! lines (and lines that start with `docker`) are commands, everything else is output.

/// One command line after prompts were removed and continuations joined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogicalLine {
    pub text: String,
    /// 0-based index of the physical line the command starts on.
    pub first_line: usize,
    /// Typed at a Windows prompt (`C:\>`, `PS C:\>`): a backslash is a path separator
    /// there, not an escape, and `` ` `` / `^` continue a line.
    pub windows: bool,
}

/// The text after a prompt, and whether the prompt was a Windows one.
pub fn strip_prompt(line: &str) -> Option<(&str, bool)> {
    let t = line.trim_start();
    // PowerShell: `PS C:\Users\me> `
    if let Some(rest) = t.strip_prefix("PS ") {
        let gt = rest.find('>')?;
        return Some((rest[gt + 1..].trim_start(), true));
    }
    // cmd.exe: `C:\> `, `C:\work> `
    let b = t.as_bytes();
    if b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'\\' {
        let gt = t.find('>')?;
        if !t[..gt].contains(' ') || t[..gt].contains('\\') {
            return Some((t[gt + 1..].trim_start(), true));
        }
    }
    // sh: `$ `, `user@host:~$ `, `root@host:/# ` is left alone (`#` starts comments).
    if let Some(rest) = t.strip_prefix("$ ") {
        return Some((rest.trim_start(), false));
    }
    if t == "$" {
        return Some(("", false));
    }
    if let Some(pos) = t.find("$ ") {
        let head = &t[..pos];
        if !head.is_empty() && !head.contains(char::is_whitespace) && head.contains(['@', ':', '~'])
        {
            return Some((t[pos + 2..].trim_start(), false));
        }
    }
    None
}

fn starts_with_command_word(t: &str) -> bool {
    let first = t.split_whitespace().next().unwrap_or("");
    matches!(
        first.to_ascii_lowercase().as_str(),
        "docker" | "docker.exe" | "docker-compose" | "sudo"
    )
}

/// Drops the trailing continuation mark, if the line has one.
fn continued(body: &str, windows: bool) -> Option<&str> {
    let t = body.trim_end();
    if let Some(s) = t.strip_suffix('`') {
        return Some(s);
    }
    if windows {
        t.strip_suffix(" ^")
    } else {
        t.strip_suffix('\\')
    }
}

/// Splits text into command lines: prompts removed, continuations joined, comments,
/// blank lines, code fences and (in a transcript) output lines dropped.
pub fn logical_lines(text: &str) -> Vec<LogicalLine> {
    let lines: Vec<&str> = text.lines().collect();
    let transcript = lines.iter().any(|l| strip_prompt(l).is_some());
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let start = i;
        let raw = lines[i];
        i += 1;
        let (mut body, windows) = match strip_prompt(raw) {
            Some((rest, w)) => (rest.to_string(), w),
            None => {
                let t = raw.trim();
                if transcript && !starts_with_command_word(t) {
                    continue;
                }
                (t.to_string(), false)
            }
        };
        while i < lines.len() {
            let Some(head) = continued(&body, windows) else {
                break;
            };
            let next = lines[i].trim();
            let next = next
                .strip_prefix(">> ")
                .or_else(|| next.strip_prefix("> "))
                .unwrap_or(next);
            body = format!("{} {}", head.trim_end(), next);
            i += 1;
        }
        if let Some(head) = continued(&body, windows) {
            body = head.to_string();
        }
        let t = body.trim();
        let lower = t.to_ascii_lowercase();
        if t.is_empty()
            || t.starts_with('#')
            || t.starts_with("```")
            || t.starts_with("::")
            || lower == "rem"
            || lower.starts_with("rem ")
        {
            continue;
        }
        out.push(LogicalLine {
            text: t.to_string(),
            first_line: start,
            windows,
        });
    }
    out
}

/// Splits one command line into the words of each command in it (`a && b; c | d` gives
/// four commands). Quoting follows POSIX sh; on a Windows prompt backslashes are kept.
pub fn split_commands(line: &LogicalLine) -> Result<Vec<Vec<String>>, String> {
    let text = if line.windows {
        line.text.replace('\\', "\\\\")
    } else {
        line.text.clone()
    };
    let words = shell_words::split(&text)
        .map_err(|e| format!("cannot split the command line into words ({e}); check the quotes"))?;
    let mut commands = Vec::new();
    let mut current: Vec<String> = Vec::new();
    for word in words {
        if matches!(word.as_str(), "&&" | "||" | ";" | "|" | "&") {
            if !current.is_empty() {
                commands.push(std::mem::take(&mut current));
            }
            continue;
        }
        if let Some(w) = word.strip_suffix(';').filter(|w| !w.is_empty()) {
            current.push(w.to_string());
            commands.push(std::mem::take(&mut current));
            continue;
        }
        current.push(word);
    }
    if !current.is_empty() {
        commands.push(current);
    }
    Ok(commands)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompts_are_stripped() {
        assert_eq!(strip_prompt("C:\\> docker ps"), Some(("docker ps", true)));
        assert_eq!(
            strip_prompt("PS C:\\Users\\me> Get-NetAdapter"),
            Some(("Get-NetAdapter", true))
        );
        assert_eq!(strip_prompt("$ docker ps"), Some(("docker ps", false)));
        assert_eq!(
            strip_prompt("me@box:~$ docker ps"),
            Some(("docker ps", false))
        );
        assert_eq!(strip_prompt("docker ps"), None);
        assert_eq!(strip_prompt("a $ b"), None);
    }

    #[test]
    fn continuations_join_and_output_is_dropped() {
        let text = "C:\\> docker network create -d nat `\n  --subnet 10.0.0.0/24 n1\nNETWORK ID   NAME\nabc   n1\n# comment\n$ docker run \\\n   --rm x\n";
        let lines = logical_lines(text);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert_eq!(
            lines[0].text,
            "docker network create -d nat --subnet 10.0.0.0/24 n1"
        );
        assert_eq!(lines[1].text, "docker run --rm x");
        assert_eq!(lines[1].first_line, 5);
    }

    #[test]
    fn windows_paths_keep_backslashes_and_pipes_split() {
        let line = LogicalLine {
            text: "docker run -v C:\\data:C:\\data img | Set-Thing && x".into(),
            first_line: 0,
            windows: true,
        };
        let cmds = split_commands(&line).unwrap();
        assert_eq!(cmds.len(), 3);
        assert_eq!(cmds[0][3], "C:\\data:C:\\data");
    }
}
