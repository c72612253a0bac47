//! The `msbc` command line: reads files, runs the pipeline, writes output.

use clap::{Parser, Subcommand, ValueEnum};
use msbc::codegen::Profile;
use msbc::config::Config;
use msbc::diagnostic::{Code, Diagnostic};
use msbc::driver::{self, Options};
use msbc::render::{self, Style};
use msbc::source::Sources;
use msbc::span::FileId;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Compile typed, declarative build descriptions (.msb) into optimized,
/// secure multi-stage Dockerfiles.
#[derive(Parser)]
#[command(name = "msbc", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    /// Diagnostics for people, with source excerpts.
    Human,
    /// Diagnostics as one JSON document (see docs/cli.md).
    Json,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(clap::Args)]
struct Common {
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// When to colour diagnostics; `auto` colours a terminal unless NO_COLOR is set.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Project settings; by default msbc.toml next to the program, when present.
    #[arg(long, value_name = "PATH")]
    config: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Check a program and print its Dockerfile.
    Compile {
        /// The program, or `-` for standard input.
        file: PathBuf,
        /// Write the Dockerfile here (atomically) instead of to standard output.
        #[arg(short, long, value_name = "PATH")]
        output: Option<PathBuf>,
        /// Which builders the Dockerfile must work on.
        #[arg(long, value_enum)]
        profile: Option<ProfileArg>,
        /// Emit only this stage and what it needs (by default: every runtime, the default one last).
        #[arg(long, value_name = "STAGE")]
        target: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// Check programs and print their diagnostics only.
    Check {
        /// The programs, or `-` for standard input.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// Explain a diagnostic code, such as E0301.
    Explain {
        /// The code; `msbc explain --list` lists them all.
        #[arg(required_unless_present = "list")]
        code: Option<String>,
        /// List every code with its title.
        #[arg(long)]
        list: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ProfileArg {
    /// BuildKit in Docker Engine 23 and later (heredocs, COPY --link).
    Modern,
    /// Docker Engine 20.10's builder and buildah 1.28.
    Legacy,
}

/// A failure that is not the program's fault: exit status 2.
struct UsageError(String);

impl<T: std::fmt::Display> From<T> for UsageError {
    fn from(e: T) -> Self {
        UsageError(e.to_string())
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(UsageError(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, UsageError> {
    match cli.command {
        Command::Compile {
            file,
            output,
            profile,
            target,
            common,
        } => compile(&file, output.as_deref(), profile, target, &common),
        Command::Check { files, common } => check(&files, &common),
        Command::Explain { code, list } => explain(code.as_deref(), list),
    }
}

fn style(choice: ColorChoice) -> Style {
    let color = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
        }
    };
    let width = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100);
    Style { color, width }
}

fn read_input(path: &Path) -> Result<(String, Vec<u8>), UsageError> {
    if path == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        return Ok(("<stdin>".to_string(), bytes));
    }
    let bytes =
        std::fs::read(path).map_err(|e| format!("cannot read {}: {}", path.display(), io_reason(&e)))?;
    Ok((path.display().to_string(), bytes))
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ if e.raw_os_error() == Some(21) => "it is a directory".to_string(),
        _ => e.to_string(),
    }
}

fn load_config(explicit: Option<&Path>, program: &Path) -> Result<Config, UsageError> {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None => {
            let dir = if program == Path::new("-") {
                PathBuf::from(".")
            } else {
                program.parent().map(Path::to_path_buf).unwrap_or_default()
            };
            let candidate = if dir.as_os_str().is_empty() {
                PathBuf::from("msbc.toml")
            } else {
                dir.join("msbc.toml")
            };
            if !candidate.is_file() {
                return Ok(Config::default());
            }
            candidate
        }
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {}", path.display(), io_reason(&e)))?;
    Config::parse(&text).map_err(|e| UsageError(format!("{}: {e}", path.display())))
}

/// Reads and loads one program; an undecodable file becomes a diagnostic.
fn load(sources: &mut Sources, path: &Path) -> Result<Result<FileId, Diagnostic>, UsageError> {
    let (name, bytes) = read_input(path)?;
    Ok(driver::add_file(sources, &name, bytes).map_err(|(_, d)| d))
}

fn report(sources: &Sources, diagnostics: &[Diagnostic], common: &Common, to_stdout: bool) {
    let text = match common.format {
        Format::Json => render::json_document(sources, diagnostics),
        Format::Human => {
            let style = style(common.color);
            let mut text: String = diagnostics
                .iter()
                .map(|d| render::human(sources, d, style))
                .collect();
            if let Some(summary) = render::summary(diagnostics) {
                text.push_str(&summary);
                text.push('\n');
            }
            text
        }
    };
    if to_stdout {
        write_stdout(&text);
    } else {
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    }
}

fn compile(
    file: &Path,
    output: Option<&Path>,
    profile: Option<ProfileArg>,
    target: Option<String>,
    common: &Common,
) -> Result<ExitCode, UsageError> {
    let config = load_config(common.config.as_deref(), file)?;
    let mut sources = Sources::new();
    let id = match load(&mut sources, file)? {
        Ok(id) => id,
        Err(d) => {
            report(&sources, &[d], common, false);
            return Ok(ExitCode::from(1));
        }
    };
    let profile = match profile {
        Some(ProfileArg::Modern) => Profile::Modern,
        Some(ProfileArg::Legacy) => Profile::Legacy,
        None => config
            .compile
            .profile
            .as_deref()
            .map(str::parse)
            .transpose()?
            .unwrap_or_default(),
    };
    let mut options = Options {
        config,
        ..Options::default()
    };
    options.codegen.profile = profile;
    options.codegen.target = target;
    let outcome = driver::compile(&sources, id, &options)?;
    if !outcome.diagnostics.is_empty() {
        report(&sources, &outcome.diagnostics, common, false);
    }
    let Some(dockerfile) = outcome.dockerfile else {
        return Ok(ExitCode::from(1));
    };
    match output {
        Some(path) => write_atomically(path, dockerfile.as_bytes())?,
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(dockerfile.as_bytes())
                .and_then(|_| stdout.flush())
                .map_err(|e| format!("cannot write standard output: {e}"))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Standard output for listings: a reader that stops early (`| head`) ends
/// the output, not the program with a panic.
fn write_stdout(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes()).and_then(|_| stdout.flush());
}

/// Writes to a temporary file beside `path`, then renames it over `path`:
/// readers see the old file or the new one, never a part.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), UsageError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut temp = tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| format!("cannot write {}: {}", path.display(), io_reason(&e)))?;
    temp.write_all(bytes)
        .and_then(|_| temp.as_file().sync_all())
        .map_err(|e| format!("cannot write {}: {}", path.display(), io_reason(&e)))?;
    temp.persist(path)
        .map_err(|e| format!("cannot write {}: {}", path.display(), io_reason(&e.error)))?;
    Ok(())
}

fn check(files: &[PathBuf], common: &Common) -> Result<ExitCode, UsageError> {
    let mut sources = Sources::new();
    let mut diagnostics = Vec::new();
    for file in files {
        let config = load_config(common.config.as_deref(), file)?;
        let options = Options {
            config,
            ..Options::default()
        };
        match load(&mut sources, file)? {
            Ok(id) => diagnostics.extend(driver::check(&sources, id, &options).1),
            Err(d) => diagnostics.push(d),
        }
    }
    report(&sources, &diagnostics, common, common.format == Format::Json);
    Ok(if diagnostics.iter().any(Diagnostic::is_error) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn explain(code: Option<&str>, list: bool) -> Result<ExitCode, UsageError> {
    if list {
        let list: String = Code::ALL
            .iter()
            .map(|c| format!("{c}  {}\n", c.title()))
            .collect();
        write_stdout(&list);
        return Ok(ExitCode::SUCCESS);
    }
    let text = code.unwrap_or_default();
    let Some(code) = Code::parse(text) else {
        return Err(UsageError(format!(
            "`{text}` is not a diagnostic code; `msbc explain --list` lists them"
        )));
    };
    write_stdout(&format!("{}\n", msbc::explain::explain(code).trim_end()));
    Ok(ExitCode::SUCCESS)
}
