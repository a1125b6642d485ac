//! Output formats and where output goes (`--format`, `-o`).

use clap::ValueEnum;
use std::io::Write;
use std::path::PathBuf;

/// `--format`. Not every format suits every command: DOT and Mermaid draw the topology
/// of a `sim` report, HTML is the whole report; `check` and `trace` offer terminal,
/// markdown, json and junit (the renderer says so clearly otherwise).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Terminal,
    Markdown,
    Json,
    Junit,
    Html,
    Dot,
    Mermaid,
}

impl From<Format> for hnsim_reports::Format {
    fn from(f: Format) -> Self {
        match f {
            Format::Terminal => hnsim_reports::Format::Terminal,
            Format::Markdown => hnsim_reports::Format::Markdown,
            Format::Json => hnsim_reports::Format::Json,
            Format::Junit => hnsim_reports::Format::Junit,
            Format::Html => hnsim_reports::Format::Html,
            Format::Dot => hnsim_reports::Format::Dot,
            Format::Mermaid => hnsim_reports::Format::Mermaid,
        }
    }
}

#[derive(clap::Args, Debug, Clone)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "terminal")]
    pub format: Format,
    /// Shorthand for `--format json`.
    #[arg(long)]
    pub json: bool,
    /// Write to FILE instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

impl OutputArgs {
    pub fn format(&self) -> Format {
        if self.json {
            Format::Json
        } else {
            self.format
        }
    }

    /// Colour only for a terminal on stdout, and never when NO_COLOR is set.
    pub fn colour(&self) -> bool {
        use std::io::IsTerminal;
        self.output.is_none()
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            && std::io::stdout().is_terminal()
    }

    /// The renderer's format for [`Self::format`].
    pub fn report_format(&self) -> hnsim_reports::Format {
        self.format().into()
    }

    /// Colour as [`Self::colour`] decides; the terminal matrix folds to `$COLUMNS` (or
    /// 120 when unset or not a number, e.g. when writing to a file or a pipe). Every
    /// subcommand should render with these so they all honour `NO_COLOR` and `$COLUMNS`.
    pub fn render_options(&self) -> hnsim_reports::RenderOptions {
        let width = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.trim().parse::<usize>().ok())
            .filter(|w| *w >= 20)
            .unwrap_or(120);
        hnsim_reports::RenderOptions {
            colour: self.colour(),
            width,
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
    use clap::ValueEnum;

    #[test]
    fn every_cli_format_maps_to_the_renderer_format_of_the_same_name() {
        for f in Format::value_variants() {
            let name = f.to_possible_value().unwrap().get_name().to_string();
            let mapped: hnsim_reports::Format = (*f).into();
            assert_eq!(mapped.name(), name);
        }
    }

    #[test]
    fn json_shorthand_and_options() {
        let args = OutputArgs {
            format: Format::Html,
            json: true,
            output: Some(PathBuf::from("out.json")),
        };
        assert_eq!(args.report_format(), hnsim_reports::Format::Json);
        // Writing to a file never colours.
        assert!(!args.render_options().colour);
        assert!(args.render_options().width >= 20);
    }
}
