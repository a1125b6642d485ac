//! Where output goes and in which format (`--format`, `-o`), and how wide the terminal
//! is. The formats themselves are [`hnsim_reports::Format`]: one list for every command.

use hnsim_reports::{Format, RenderOptions};
use std::io::Write;
use std::path::PathBuf;

/// Parses `--format` with the renderer's own names (and its aliases: `md`, `yml`), so
/// the CLI keeps no second list; lists the names for `--help` and shell completions.
#[derive(Clone, Copy, Debug)]
struct FormatParser;

impl clap::builder::TypedValueParser for FormatParser {
    type Value = Format;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<Format, clap::Error> {
        let text = value.to_string_lossy();
        parse_format(&text).map_err(|e| {
            clap::Error::raw(
                clap::error::ErrorKind::InvalidValue,
                format!("--format: {e}\n"),
            )
            .with_cmd(cmd)
        })
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            Format::ALL
                .into_iter()
                .map(|f| clap::builder::PossibleValue::new(f.name())),
        ))
    }
}

fn parse_format(s: &str) -> Result<Format, String> {
    s.parse()
        .map_err(|e: hnsim_reports::RenderError| e.to_string())
}

#[derive(clap::Args, Debug, Clone, Default)]
pub struct OutputArgs {
    /// Output format. Default: from the extension of the `-o` file (.html .json .yaml
    /// .xml .md .dot .mmd .sarif), else terminal.
    #[arg(long, value_name = "FORMAT", value_parser = FormatParser)]
    pub format: Option<Format>,
    /// Shorthand for `--format json`.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// Write to FILE instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

impl OutputArgs {
    /// `--format`, else `--json`, else the output file's extension, else terminal.
    pub fn format(&self) -> Format {
        if let Some(f) = self.format {
            return f;
        }
        if self.json {
            return Format::Json;
        }
        self.output
            .as_deref()
            .and_then(Format::from_extension)
            .unwrap_or(Format::Terminal)
    }

    /// Colour only for a terminal on stdout, and never when NO_COLOR is set.
    pub fn colour(&self) -> bool {
        use std::io::IsTerminal;
        self.output.is_none()
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            && std::io::stdout().is_terminal()
    }

    /// Colour as [`Self::colour`] decides, and the width the terminal views may use:
    /// see [`terminal_width`]. Every subcommand renders with these so they all honour
    /// `NO_COLOR`, `$COLUMNS` and the terminal's own size.
    pub fn render_options(&self) -> RenderOptions {
        RenderOptions {
            colour: self.colour(),
            width: if self.output.is_some() {
                DEFAULT_WIDTH
            } else {
                terminal_width()
            },
            ..RenderOptions::default()
        }
    }

    /// Writes what `render` writes straight to the file or standard output, so a large
    /// document is never held whole in memory. A reader that went away is not an error.
    pub fn write_with(
        &self,
        render: impl FnOnce(&mut dyn Write) -> Result<(), hnsim_reports::RenderError>,
    ) -> anyhow::Result<()> {
        let result = match &self.output {
            Some(path) => {
                let file = std::fs::File::create(path)
                    .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
                let mut w = std::io::BufWriter::new(file);
                render(&mut w).and_then(|_| w.flush().map_err(Into::into))
            }
            None => {
                let mut w = std::io::BufWriter::new(std::io::stdout().lock());
                render(&mut w).and_then(|_| w.flush().map_err(Into::into))
            }
        };
        match result {
            Err(e) if e.is_broken_pipe() => Ok(()),
            other => Ok(other?),
        }
    }

    pub fn write(&self, text: &str) -> anyhow::Result<()> {
        match &self.output {
            Some(path) => std::fs::write(path, text)
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display())),
            None => print_stdout(text),
        }
    }
}

/// Width for output that goes to a file or a pipe, where no terminal says otherwise.
pub const DEFAULT_WIDTH: usize = 120;

/// `$COLUMNS` when set (a user's explicit choice, and what shells export), else the
/// size of the terminal on standard output or standard error, else [`DEFAULT_WIDTH`].
pub fn terminal_width() -> usize {
    let columns = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|w| *w >= 20);
    columns
        .or_else(|| {
            terminal_size::terminal_size_of(std::io::stdout())
                .or_else(|| terminal_size::terminal_size_of(std::io::stderr()))
                .map(|(w, _)| usize::from(w.0))
                .filter(|w| *w >= 20)
        })
        .unwrap_or(DEFAULT_WIDTH)
}

/// Writes to standard output. A reader that went away (`hnsim check ... | head`) is not
/// an error: the output simply ends, as with any Unix tool.
pub fn print_stdout(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(format: Option<Format>, json: bool, output: Option<&str>) -> OutputArgs {
        OutputArgs {
            format,
            json,
            output: output.map(PathBuf::from),
        }
    }

    #[test]
    fn format_comes_from_flag_then_extension_then_terminal() {
        assert_eq!(args(None, false, None).format(), Format::Terminal);
        assert_eq!(args(None, true, None).format(), Format::Json);
        assert_eq!(args(None, false, Some("r.html")).format(), Format::Html);
        assert_eq!(args(None, false, Some("r.SARIF")).format(), Format::Sarif);
        assert_eq!(args(None, false, Some("r.xml")).format(), Format::Junit);
        assert_eq!(args(None, false, Some("r.out")).format(), Format::Terminal);
        let explicit = args(Some(Format::Markdown), false, Some("r.html"));
        assert_eq!(explicit.format(), Format::Markdown);
        // Writing to a file never colours.
        assert!(!explicit.render_options().colour);
    }

    #[test]
    fn every_format_name_parses_back() {
        for f in Format::ALL {
            assert_eq!(parse_format(f.name()), Ok(f));
        }
        assert!(parse_format("pdf").is_err());
    }
}
