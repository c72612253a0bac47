//! The `msbc` command line: reads files, runs the pipeline, writes output.

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use msbc::bake::{self, BakeOptions};
use msbc::codegen::Profile;
use msbc::config::Config;
use msbc::diagnostic::{Code, Diagnostic};
use msbc::driver::{self, Options};
use msbc::format::{self, FormatError};
use msbc::graph::{self, GraphFormat};
use msbc::lock::Lock;
use msbc::render::{self, Style};
use msbc::source::Sources;
use msbc::span::FileId;
use std::io::{IsTerminal, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;

mod resolve;

const LONG_ABOUT: &str = "\
Compile typed, declarative build descriptions (.msb) into optimized,
secure multi-stage Dockerfiles.

An .msb program names its images, params and stages, and the typed
artifacts that move between the stages. msbc checks the whole program
(every name, path, libc and user) and reports every problem in one run,
then writes a Dockerfile that builds it.";

const AFTER_HELP: &str = "\
Examples:
  msbc compile app.msb -o Dockerfile      write the Dockerfile
  msbc check app.msb                      diagnostics only
  msbc fmt app.msb                        format in place
  msbc graph app.msb | dot -Tsvg > g.svg  draw the stage graph
  msbc explain E0301                      what a diagnostic code means
  msbc lsp                                the language server, for editors

Docs: docs/language.md (the language), docs/cli.md (this command line).";

/// Compile typed, declarative build descriptions (.msb) into optimized,
/// secure multi-stage Dockerfiles.
#[derive(Parser)]
#[command(
    name = "msbc",
    version,
    about,
    long_about = LONG_ABOUT,
    after_help = AFTER_HELP,
    propagate_version = true
)]
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

const COMPILE_ABOUT: &str = "\
Check a program and print its Dockerfile.

The Dockerfile goes to standard output, or to the -o file, which is written
atomically and left untouched when the program has errors. Diagnostics go to
standard error. With --check nothing is written: msbc compares what it would
write with the files on disk and exits 1, with a diff, when they differ.";

const COMPILE_EXAMPLES: &str = "\
Examples:
  msbc compile app.msb                          print the Dockerfile
  msbc compile app.msb -o Dockerfile            write it
  msbc compile app.msb -o Dockerfile --check    is Dockerfile up to date?
  msbc compile app.msb --target build           only the `build` stage and its inputs
  msbc compile app.msb --profile legacy         for Docker 20.10 and buildah
  msbc compile app.msb -o Dockerfile --bake docker-bake.hcl
                                                also a Bake file: docker buildx bake
  msbc compile --output-beside Dockerfile --check */app.msb
                                                every program's own Dockerfile current?
  msbc compile app.msb --locked                 FROM image:tag@sha256:... from msbc.lock
  msbc compile app.msb --reproducible -o Dockerfile
  SOURCE_DATE_EPOCH=$(git log -1 --format=%ct) docker buildx build .
                                                the same files and timestamps on every build";

const LOCK_ABOUT: &str = "\
Write msbc.lock: the digest of every base image the program names.

Each reference is looked up in its registry (`docker buildx imagetools
inspect`, with your `docker login` credentials) and, when the registry does
not answer, in the local engine's image store (`docker image inspect`: the
digest the image was pulled or pushed under; an image built locally has
none). Nothing is written unless every image resolves. Then `msbc compile
--locked` pins each FROM to `image:tag@sha256:...` and labels runtimes with
org.opencontainers.image.base.digest; it fails when an image is missing
from the lock or the lock names one the program no longer uses.

The Docker CLI is `$MSBC_DOCKER` when set, else `docker`; DOCKER_HOST and
DOCKER_CONFIG choose the engine and credentials as usual.";

const LOCK_EXAMPLES: &str = "\
Examples:
  msbc lock app.msb                          resolve and write msbc.lock
  msbc lock app.msb --from engine            only the local engine's image store
  msbc compile app.msb --locked -o Dockerfile";

const CHECK_ABOUT: &str = "\
Check programs and print their diagnostics only.

Human diagnostics go to standard error; with --format json one document for
all files goes to standard output. Exit status 1 when any file has an error.";

const CHECK_EXAMPLES: &str = "\
Examples:
  msbc check app.msb
  msbc check examples/*/app.msb
  msbc check --format json app.msb | jq '.diagnostics[].code'";

const FMT_ABOUT: &str = "\
Format programs in place, in msbc's one canonical layout.

Two spaces per block level, one statement per line, `key = value`, lists on
one line when they fit, one blank line around each stage, `\"\"\"` blocks
re-indented with their relative indentation kept. Comments stay where they
are. Formatting never changes what a program means: msbc checks that the
result parses to the same program before it writes anything. A file with
syntax errors is not touched: its diagnostics are printed and the exit
status is 1.";

const FMT_EXAMPLES: &str = "\
Examples:
  msbc fmt app.msb                  rewrite app.msb in place
  msbc fmt --check examples/*/app.msb
                                    list files that would change, with a diff (exit 1)
  msbc fmt - < app.msb              format standard input to standard output";

const GRAPH_ABOUT: &str = "\
Draw the checked build graph: stages, images and the artifacts between them.

Stages are nodes with their role; images are nodes; a `from` edge goes from
a stage's base to the stage, and each copied artifact is an edge from its
producer to its consumer, labelled `name: kind`. Stages no runtime needs are
dashed and grey. A program with errors prints its diagnostics and exits 1.";

const GRAPH_EXAMPLES: &str = "\
Examples:
  msbc graph app.msb | dot -Tsvg > graph.svg     Graphviz
  msbc graph app.msb --format mermaid            paste into Markdown (```mermaid)
  msbc graph app.msb --format json               for tools";

const EXPLAIN_EXAMPLES: &str = "\
Examples:
  msbc explain E0301
  msbc explain --list";

const LSP_ABOUT: &str = "\
Run the language server: LSP over standard input and output.

An editor starts it and speaks to it; nobody types at it. It shows what
`msbc check` reports while you type, and answers hover, go to definition,
find references, rename, completion, formatting (`msbc fmt`), document
symbols and semantic tokens. msbc.toml next to a program applies as it does
for `msbc check`. Logs go to standard error. editors/README.md shows how to
set it up in VS Code, Neovim, Helix and Zed.";

const LSP_EXAMPLES: &str = "\
Examples:
  msbc lsp                           what an editor runs (see editors/README.md)";

const COMPLETIONS_ABOUT: &str = "\
Print a shell completion script for msbc.

Load it in the current shell, or save it where your shell looks for
completions.";

const COMPLETIONS_EXAMPLES: &str = "\
Examples:
  source <(msbc completions bash)
  msbc completions bash > ~/.local/share/bash-completion/completions/msbc
  msbc completions zsh > ~/.zfunc/_msbc      (with fpath+=~/.zfunc before compinit)
  msbc completions fish > ~/.config/fish/completions/msbc.fish
  msbc completions powershell >> $PROFILE";

#[derive(Subcommand)]
enum Command {
    /// Check a program and print its Dockerfile.
    #[command(long_about = COMPILE_ABOUT, after_long_help = COMPILE_EXAMPLES)]
    Compile {
        /// The program, or `-` for standard input. Several programs only with --output-beside.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Write the Dockerfile here (atomically) instead of to standard output.
        #[arg(short, long, value_name = "PATH", conflicts_with = "output_beside")]
        output: Option<PathBuf>,
        /// Write each program's Dockerfile as NAME in the program's own directory.
        #[arg(long, value_name = "NAME")]
        output_beside: Option<PathBuf>,
        /// Write nothing; exit 1, with a diff, when a file on disk differs from what msbc would write or is missing.
        #[arg(long)]
        check: bool,
        /// Also write a docker-bake.hcl naming each runtime as a target (needs -o or --output-beside).
        #[arg(long, value_name = "PATH")]
        bake: Option<PathBuf>,
        /// A tag for each Bake target, `{stage}` standing for its name; may be repeated [default: {stage}:latest].
        #[arg(long, value_name = "TEMPLATE", requires = "bake")]
        bake_tag: Vec<String>,
        /// Which builders the Dockerfile must work on.
        #[arg(long, value_enum)]
        profile: Option<ProfileArg>,
        /// Emit only this stage and what it needs (by default: every runtime, the default one last).
        #[arg(long, value_name = "STAGE")]
        target: Option<String>,
        /// Pin every base image to its digest in the lock; fail when the lock is missing an image or stale.
        #[arg(long)]
        locked: bool,
        /// The lock to read with --locked [default: msbc.lock next to the program].
        #[arg(long, value_name = "PATH", requires = "locked")]
        lockfile: Option<PathBuf>,
        /// Pass SOURCE_DATE_EPOCH to the steps that build from the context, for reproducible builds.
        #[arg(long, overrides_with = "no_reproducible")]
        reproducible: bool,
        /// Do not, whatever msbc.toml says.
        #[arg(long, overrides_with = "reproducible")]
        no_reproducible: bool,
        #[command(flatten)]
        common: Common,
    },
    /// Write msbc.lock: the digest of every base image the program names.
    #[command(long_about = LOCK_ABOUT, after_long_help = LOCK_EXAMPLES)]
    Lock {
        /// The program.
        file: PathBuf,
        /// Where to write the lock [default: msbc.lock next to the program].
        #[arg(long, value_name = "PATH")]
        lockfile: Option<PathBuf>,
        /// Where to look up digests.
        #[arg(long, value_enum, default_value_t = DigestSourceArg::Auto)]
        from: DigestSourceArg,
        #[command(flatten)]
        common: Common,
    },
    /// Check programs and print their diagnostics only.
    #[command(long_about = CHECK_ABOUT, after_long_help = CHECK_EXAMPLES)]
    Check {
        /// The programs, or `-` for standard input.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// Format programs in place in the canonical layout.
    #[command(long_about = FMT_ABOUT, after_long_help = FMT_EXAMPLES)]
    Fmt {
        /// The programs; `-` formats standard input to standard output.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Write nothing; exit 1 and print a diff when a file is not formatted.
        #[arg(long)]
        check: bool,
        /// When to colour diagnostics; `auto` colours a terminal unless NO_COLOR is set.
        #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
        color: ColorChoice,
    },
    /// Draw the stage graph as Graphviz DOT, Mermaid or JSON.
    #[command(long_about = GRAPH_ABOUT, after_long_help = GRAPH_EXAMPLES)]
    Graph {
        /// The program, or `-` for standard input.
        file: PathBuf,
        /// What to print.
        #[arg(long, value_enum, default_value_t = GraphFormatArg::Dot)]
        format: GraphFormatArg,
        /// When to colour diagnostics; `auto` colours a terminal unless NO_COLOR is set.
        #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
        color: ColorChoice,
        /// Project settings; by default msbc.toml next to the program, when present.
        #[arg(long, value_name = "PATH")]
        config: Option<PathBuf>,
    },
    /// Explain a diagnostic code, such as E0301.
    #[command(after_long_help = EXPLAIN_EXAMPLES)]
    Explain {
        /// The code; `msbc explain --list` lists them all.
        #[arg(required_unless_present = "list")]
        code: Option<String>,
        /// List every code with its title.
        #[arg(long)]
        list: bool,
    },
    /// Run the language server (LSP over standard input and output).
    #[command(long_about = LSP_ABOUT, after_long_help = LSP_EXAMPLES)]
    Lsp,
    /// Print a shell completion script.
    #[command(long_about = COMPLETIONS_ABOUT, after_long_help = COMPLETIONS_EXAMPLES)]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ProfileArg {
    /// BuildKit in Docker Engine 23 and later (heredocs, COPY --link).
    Modern,
    /// Docker Engine 20.10's builder and buildah 1.28.
    Legacy,
}

#[derive(Clone, Copy, ValueEnum)]
enum DigestSourceArg {
    /// The registry when it answers, the local engine's image store otherwise.
    Auto,
    /// The registry (`docker buildx imagetools inspect`).
    Registry,
    /// The local engine's image store (`docker image inspect`).
    Engine,
}

#[derive(Clone, Copy, ValueEnum)]
enum GraphFormatArg {
    /// Graphviz: `| dot -Tsvg > graph.svg`.
    Dot,
    /// A Mermaid flowchart, for Markdown.
    Mermaid,
    /// Nodes and edges as JSON (see docs/cli.md).
    Json,
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
            files,
            output,
            output_beside,
            check,
            bake,
            bake_tag,
            profile,
            target,
            locked,
            lockfile,
            reproducible,
            no_reproducible,
            common,
        } => {
            let request = CompileRequest {
                output,
                output_beside,
                check,
                bake,
                bake_tags: bake_tag,
                profile,
                target,
                locked: locked.then_some(lockfile),
                reproducible: if no_reproducible {
                    Some(false)
                } else {
                    reproducible.then_some(true)
                },
            };
            compile(&files, &request, &common)
        }
        Command::Lock {
            file,
            lockfile,
            from,
            common,
        } => lock(&file, lockfile, from, &common),
        Command::Check { files, common } => check(&files, &common),
        Command::Fmt { files, check, color } => fmt(&files, check, color),
        Command::Graph {
            file,
            format,
            color,
            config,
        } => graph(&file, format, color, config.as_deref()),
        Command::Explain { code, list } => explain(code.as_deref(), list),
        Command::Lsp => Ok(lsp()),
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "msbc", &mut out);
            write_stdout(&String::from_utf8_lossy(&out));
            Ok(ExitCode::SUCCESS)
        }
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

/// The directory a program lives in (the current one for standard input).
fn program_dir(program: &Path) -> PathBuf {
    if program == Path::new("-") {
        return PathBuf::from(".");
    }
    match program.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The names at the top of a program's folder, the build context toolchain
/// presets read lockfiles from; `None` for standard input or an unreadable
/// folder.
fn context_of(program: &Path) -> Option<std::collections::BTreeSet<String>> {
    if program == Path::new("-") {
        return None;
    }
    let entries = std::fs::read_dir(program_dir(program)).ok()?;
    Some(
        entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect(),
    )
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
    report_as(sources, diagnostics, common.format, common.color, to_stdout);
}

fn report_as(
    sources: &Sources,
    diagnostics: &[Diagnostic],
    format: Format,
    color: ColorChoice,
    to_stdout: bool,
) {
    let text = match format {
        Format::Json => render::json_document(sources, diagnostics),
        Format::Human => {
            let style = style(color);
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

/// What `msbc compile` was asked to write, besides the program.
struct CompileRequest {
    output: Option<PathBuf>,
    output_beside: Option<PathBuf>,
    check: bool,
    bake: Option<PathBuf>,
    bake_tags: Vec<String>,
    profile: Option<ProfileArg>,
    target: Option<String>,
    /// `--locked`, with the lock's path when one was given.
    locked: Option<Option<PathBuf>>,
    /// `--reproducible` or `--no-reproducible`, when given.
    reproducible: Option<bool>,
}

fn compile(files: &[PathBuf], request: &CompileRequest, common: &Common) -> Result<ExitCode, UsageError> {
    if files.len() > 1 && request.output_beside.is_none() {
        return Err(UsageError(
            "compile takes one program, or several with --output-beside NAME".into(),
        ));
    }
    if request.check && request.output.is_none() && request.output_beside.is_none() {
        return Err(UsageError(
            "--check compares files on disk: give -o PATH or --output-beside NAME".into(),
        ));
    }
    if request.bake.is_some() && request.output.is_none() && request.output_beside.is_none() {
        return Err(UsageError(
            "--bake needs the Dockerfile's path: give -o PATH or --output-beside NAME".into(),
        ));
    }
    if request.output_beside.is_some() && files.iter().any(|f| f == Path::new("-")) {
        return Err(UsageError(
            "--output-beside needs the program's directory, so it cannot read standard input".into(),
        ));
    }
    let mut status = 0u8;
    for file in files {
        let dir = program_dir(file);
        let output = match &request.output_beside {
            Some(name) => Some(dir.join(name)),
            None => request.output.clone(),
        };
        let bake = match &request.output_beside {
            Some(_) => request.bake.as_ref().map(|name| dir.join(name)),
            None => request.bake.clone(),
        };
        status = status.max(compile_one(
            file,
            output.as_deref(),
            bake.as_deref(),
            request,
            common,
        )?);
    }
    Ok(ExitCode::from(status))
}

fn compile_one(
    file: &Path,
    output: Option<&Path>,
    bake: Option<&Path>,
    request: &CompileRequest,
    common: &Common,
) -> Result<u8, UsageError> {
    let config = load_config(common.config.as_deref(), file)?;
    let mut sources = Sources::new();
    let id = match load(&mut sources, file)? {
        Ok(id) => id,
        Err(d) => {
            report(&sources, &[d], common, false);
            return Ok(1);
        }
    };
    let mut options = Options {
        codegen: config.compile.codegen_defaults(),
        config,
        context: context_of(file),
        ..Options::default()
    };
    if let Some(lockfile) = &request.locked {
        let path = lockfile
            .clone()
            .unwrap_or_else(|| program_dir(file).join("msbc.lock"));
        let text = std::fs::read_to_string(&path).map_err(|e| {
            format!(
                "cannot read the lock {}: {}; write it with `msbc lock {}`",
                path.display(),
                io_reason(&e),
                file.display()
            )
        })?;
        let lock_id = sources.add(path.display().to_string(), text);
        match Lock::parse(lock_id, &sources.get(lock_id).text) {
            Ok(lock) => options.lock = Some(lock),
            Err(diagnostics) => {
                report(&sources, &diagnostics, common, false);
                return Ok(1);
            }
        }
    }
    match request.profile {
        Some(ProfileArg::Modern) => options.codegen.profile = Profile::Modern,
        Some(ProfileArg::Legacy) => options.codegen.profile = Profile::Legacy,
        None => {}
    }
    if let Some(reproducible) = request.reproducible {
        options.codegen.reproducible = reproducible;
    }
    options.codegen.target = request.target.clone();
    let outcome = driver::compile(&sources, id, &options)?;
    if !outcome.diagnostics.is_empty() {
        report(&sources, &outcome.diagnostics, common, false);
    }
    let Some(dockerfile) = outcome.dockerfile else {
        return Ok(1);
    };
    let Some(output) = output else {
        let mut stdout = std::io::stdout().lock();
        stdout
            .write_all(dockerfile.as_bytes())
            .and_then(|_| stdout.flush())
            .map_err(|e| format!("cannot write standard output: {e}"))?;
        return Ok(0);
    };
    let mut files = vec![(output.to_path_buf(), dockerfile)];
    // The allowlist of the program's context inputs goes beside the
    // Dockerfile, unless a .dockerignore msbc did not write is there.
    if let Some(ignore) = outcome.dockerignore {
        let path = program_dir(output).join(".dockerignore");
        let hand_written =
            std::fs::read_to_string(&path).is_ok_and(|t| !t.starts_with("# Generated by msbc"));
        if hand_written {
            eprintln!(
                "note: {} was not written by msbc and is left as it is; remove it to get the allowlist of the program's inputs",
                path.display()
            );
        } else {
            files.push((path, ignore));
        }
    }
    if let Some(bake) = bake {
        let graph = outcome
            .graph
            .as_ref()
            .expect("a program that compiled has a graph");
        let bake_dir = absolute(&program_dir(bake))?;
        let context_dir = absolute(&program_dir(file))?;
        let bake_options = BakeOptions {
            context: relative(&bake_dir, &context_dir),
            dockerfile: relative(&context_dir, &absolute(output)?),
            tags: request.bake_tags.clone(),
            target: request.target.clone(),
        };
        files.push((bake.to_path_buf(), bake::bake_file(graph, &bake_options)));
    }
    if request.check {
        let mut command = format!("msbc compile {} -o {}", file.display(), output.display());
        if let Some(bake) = bake {
            command.push_str(&format!(" --bake {}", bake.display()));
        }
        let mut stale = false;
        for (path, expected) in &files {
            stale |= !is_current(path, expected, &command)?;
        }
        return Ok(if stale { 1 } else { 0 });
    }
    for (path, text) in &files {
        write_atomically(path, text.as_bytes())?;
    }
    Ok(0)
}

/// Whether `path` holds `expected`; if not, says so on standard error and
/// prints a diff on standard output.
fn is_current(path: &Path, expected: &str, command: &str) -> Result<bool, UsageError> {
    let (current, missing) = match std::fs::read(path) {
        Ok(bytes) => (String::from_utf8_lossy(&bytes).into_owned(), false),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => (String::new(), true),
        Err(e) => {
            return Err(UsageError(format!(
                "cannot read {}: {}",
                path.display(),
                io_reason(&e)
            )))
        }
    };
    if !missing && current == expected {
        return Ok(true);
    }
    let name = path.display().to_string();
    write_stdout(&unified_diff(&current, expected, &name, &name));
    let what = if missing {
        "does not exist"
    } else {
        "is out of date"
    };
    eprintln!("{name} {what}: `{command}` writes it");
    Ok(false)
}

/// A unified diff from `old` to `new`, with three lines of context.
fn unified_diff(old: &str, new: &str, old_name: &str, new_name: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(old_name, new_name)
        .to_string()
}

fn absolute(path: &Path) -> Result<PathBuf, UsageError> {
    let absolute =
        std::path::absolute(path).map_err(|e| format!("cannot resolve {}: {e}", path.display()))?;
    // Lexically: `a/./b/../c` is `a/c`.
    let mut out = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    Ok(out)
}

/// `to` relative to the directory `from` (both absolute), with `/` separators.
fn relative(from: &Path, to: &Path) -> String {
    let from: Vec<Component> = from.components().collect();
    let to: Vec<Component> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return to.iter().collect::<PathBuf>().display().to_string();
    }
    let mut parts: Vec<String> = vec!["..".to_string(); from.len() - common];
    parts.extend(
        to[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

/// Standard output for listings: a reader that stops early (`| head`) ends
/// the output, not the program with a panic.
fn write_stdout(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes()).and_then(|_| stdout.flush());
}

/// `msbc explain CODE` as a Markdown page in the user's cache folder
/// (`$XDG_CACHE_HOME/msbc/explain/VERSION/CODE.md`, else under `~/.cache`),
/// written once per version, for the language server's diagnostic links.
fn explain_page(code: msbc::diagnostic::Code) -> Option<String> {
    // A relative XDG_CACHE_HOME is to be ignored (XDG Base Directory spec).
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|d| d.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    let dir = cache.join("msbc/explain").join(env!("CARGO_PKG_VERSION"));
    let path = dir.join(format!("{code}.md"));
    let page = format!("# {}", msbc::explain::explain(code));
    if std::fs::read_to_string(&path).ok().as_deref() != Some(page.as_str()) {
        std::fs::create_dir_all(&dir).ok()?;
        write_atomically(&path, page.as_bytes()).ok()?;
    }
    let path = std::fs::canonicalize(&path).ok()?;
    Some(file_uri(&path))
}

/// A `file:` URI for an absolute path, with every byte outside the URI's
/// unreserved set and `/` percent-encoded.
fn file_uri(path: &Path) -> String {
    let mut uri = String::from("file://");
    for &byte in path.to_string_lossy().as_bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte) {
            uri.push(byte as char);
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}

/// Writes to a temporary file beside `path`, then renames it over `path`:
/// readers see the old file or the new one, never a part. A file that is
/// replaced keeps its permissions.
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
    if let Ok(metadata) = std::fs::metadata(path) {
        let _ = temp.as_file().set_permissions(metadata.permissions());
    }
    temp.persist(path)
        .map_err(|e| format!("cannot write {}: {}", path.display(), io_reason(&e.error)))?;
    Ok(())
}

/// `msbc lock`: resolves every base image's digest and writes the lock.
fn lock(
    file: &Path,
    lockfile: Option<PathBuf>,
    from: DigestSourceArg,
    common: &Common,
) -> Result<ExitCode, UsageError> {
    if file == Path::new("-") {
        return Err(UsageError(
            "msbc lock writes the lock next to the program, so it cannot read standard input".into(),
        ));
    }
    let config = load_config(common.config.as_deref(), file)?;
    let mut sources = Sources::new();
    let id = match load(&mut sources, file)? {
        Ok(id) => id,
        Err(d) => {
            report(&sources, &[d], common, false);
            return Ok(ExitCode::from(1));
        }
    };
    let options = Options {
        config,
        ..Options::default()
    };
    let diagnostics = driver::check(&sources, id, &options).1;
    if diagnostics.iter().any(Diagnostic::is_error) {
        report(&sources, &diagnostics, common, false);
        return Ok(ExitCode::from(1));
    }
    let program = driver::parse(&sources, id).map_err(|_| "the program stopped parsing")?;
    let wanted = msbc::lock::lockable_images(&program);
    if !wanted.parameterised.is_empty() {
        let diagnostics: Vec<Diagnostic> = wanted
            .parameterised
            .iter()
            .map(|&span| msbc::lock::unlockable(span))
            .collect();
        report(&sources, &diagnostics, common, false);
        return Ok(ExitCode::from(1));
    }
    let source = match from {
        DigestSourceArg::Auto => resolve::Source::Auto,
        DigestSourceArg::Registry => resolve::Source::Registry,
        DigestSourceArg::Engine => resolve::Source::Engine,
    };
    let resolver = resolve::Resolver::from_env();
    let mut images = std::collections::BTreeMap::new();
    let mut failures = Vec::new();
    let mut counts = std::collections::BTreeMap::new();
    for reference in wanted.references.keys() {
        match resolver.resolve(reference, source) {
            Ok(resolved) => {
                *counts.entry(resolved.from).or_insert(0) += 1;
                images.insert(reference.clone(), resolved.digest);
            }
            Err(reason) => failures.push(format!("  {reference}: {reason}")),
        }
    }
    if !failures.is_empty() {
        return Err(UsageError(format!(
            "cannot resolve every base image, so no lock was written:\n{}",
            failures.join("\n")
        )));
    }
    let path = lockfile.unwrap_or_else(|| program_dir(file).join("msbc.lock"));
    let program_name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    write_atomically(&path, Lock::render(&program_name, &images).as_bytes())?;
    let from: Vec<String> = counts
        .iter()
        .map(|(from, n)| format!("{n} from the {from}"))
        .collect();
    eprintln!(
        "locked {} image{} in {}{}",
        images.len(),
        if images.len() == 1 { "" } else { "s" },
        path.display(),
        if from.is_empty() {
            String::new()
        } else {
            format!(" ({})", from.join(", "))
        }
    );
    Ok(ExitCode::SUCCESS)
}

fn check(files: &[PathBuf], common: &Common) -> Result<ExitCode, UsageError> {
    let mut sources = Sources::new();
    let mut diagnostics = Vec::new();
    for file in files {
        let config = load_config(common.config.as_deref(), file)?;
        let options = Options {
            config,
            context: context_of(file),
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

fn fmt(files: &[PathBuf], check: bool, color: ColorChoice) -> Result<ExitCode, UsageError> {
    let mut status = 0u8;
    let mut would_change = 0usize;
    for file in files {
        let mut sources = Sources::new();
        let id = match load(&mut sources, file)? {
            Ok(id) => id,
            Err(d) => {
                report_as(&sources, &[d], Format::Human, color, false);
                status = status.max(1);
                continue;
            }
        };
        let source = &sources.get(id);
        let formatted = match format::format(id, &source.text) {
            Ok(text) => text,
            Err(FormatError::Syntax(diagnostics)) => {
                report_as(&sources, &diagnostics, Format::Human, color, false);
                status = status.max(1);
                continue;
            }
            Err(FormatError::Unsafe(why)) => {
                eprintln!(
                    "error: {}: msbc fmt cannot format this file without changing it ({why}); \
                     this is a bug in msbc, please report it with the file",
                    source.name
                );
                status = 2;
                continue;
            }
        };
        let stdin = file == Path::new("-");
        if stdin && !check {
            write_stdout(&formatted);
            continue;
        }
        if formatted == source.text {
            continue;
        }
        if check {
            write_stdout(&unified_diff(
                &source.text,
                &formatted,
                &source.name,
                &source.name,
            ));
            let note = if source.text.contains('\r') {
                " (its line endings become LF)"
            } else {
                ""
            };
            eprintln!("would reformat {}{note}", source.name);
            would_change += 1;
            status = status.max(1);
        } else {
            write_atomically(file, formatted.as_bytes())?;
            eprintln!("reformatted {}", source.name);
        }
    }
    if would_change > 0 {
        let files = if would_change == 1 { "file" } else { "files" };
        eprintln!("{would_change} {files} would be reformatted; `msbc fmt FILE...` rewrites them");
    }
    Ok(ExitCode::from(status))
}

fn graph(
    file: &Path,
    format: GraphFormatArg,
    color: ColorChoice,
    config: Option<&Path>,
) -> Result<ExitCode, UsageError> {
    let options = Options {
        config: load_config(config, file)?,
        context: context_of(file),
        ..Options::default()
    };
    let mut sources = Sources::new();
    let id = match load(&mut sources, file)? {
        Ok(id) => id,
        Err(d) => {
            report_as(&sources, &[d], Format::Human, color, false);
            return Ok(ExitCode::from(1));
        }
    };
    let (graph, diagnostics) = driver::check(&sources, id, &options);
    if !diagnostics.is_empty() {
        report_as(&sources, &diagnostics, Format::Human, color, false);
    }
    let Some(graph) = graph else {
        return Ok(ExitCode::from(1));
    };
    let format = match format {
        GraphFormatArg::Dot => GraphFormat::Dot,
        GraphFormatArg::Mermaid => GraphFormat::Mermaid,
        GraphFormatArg::Json => GraphFormat::Json,
    };
    write_stdout(&graph::render(&graph, format));
    Ok(ExitCode::SUCCESS)
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

/// The largest LSP message read: a program of `MAX_INPUT_BYTES`, escaped as JSON.
const MAX_LSP_MESSAGE: usize = 8 * msbc::syntax::MAX_INPUT_BYTES;

fn lsp() -> ExitCode {
    use lsp_server::{Connection, Message};
    let (to_server, from_client) = crossbeam_channel::unbounded::<Message>();
    let (to_client, from_server) = crossbeam_channel::unbounded::<Message>();
    let refusals = to_client.clone();
    let reader = std::thread::spawn(move || {
        let mut stdin = std::io::stdin().lock();
        while let Some(body) = read_lsp_frame(&mut stdin) {
            match serde_json::from_slice::<Message>(&body) {
                Ok(message) => {
                    let exit = matches!(&message, Message::Notification(n) if n.method == "exit");
                    if to_server.send(message).is_err() || exit {
                        break;
                    }
                }
                Err(e) => match lsp_request_id(&body) {
                    // A request the server cannot read still gets an answer.
                    Some(id) => {
                        let response = lsp_server::Response::new_err(
                            id,
                            lsp_server::ErrorCode::InvalidRequest as i32,
                            format!("not a JSON-RPC request: {e}"),
                        );
                        let _ = refusals.send(response.into());
                    }
                    None => eprintln!("msbc lsp: ignored a message that is not JSON-RPC: {e}"),
                },
            }
        }
    });
    let writer = std::thread::spawn(move || {
        let mut stdout = std::io::stdout().lock();
        for message in from_server {
            if message.write(&mut stdout).is_err() {
                break;
            }
        }
    });
    let connection = Connection {
        sender: to_client,
        receiver: from_client,
    };
    let loader = |path: &Path| load_config(None, path).map_err(|UsageError(e)| e);
    let clean = msbc::lsp::run(&connection, &loader, &explain_page);
    // The writer ends when every sender is gone: the connection's here, the
    // reader's when it has read `exit` or the end of its input.
    drop(connection);
    let _ = reader.join();
    let _ = writer.join();
    if clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// The body of the next `Content-Length` frame, or `None` at the end of the
/// input. Headers it cannot read are skipped; an oversized body is read
/// and dropped.
fn read_lsp_frame(input: &mut impl std::io::BufRead) -> Option<Vec<u8>> {
    loop {
        let mut length = None;
        loop {
            let mut line = String::new();
            if input.read_line(&mut line).ok()? == 0 {
                return None;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.trim().eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse::<usize>().ok();
                }
            }
        }
        let Some(length) = length else {
            eprintln!("msbc lsp: skipped a header without Content-Length");
            continue;
        };
        let mut body = Vec::new();
        let mut limited = input.by_ref().take(length.min(MAX_LSP_MESSAGE) as u64);
        limited.read_to_end(&mut body).ok()?;
        if body.len() < length.min(MAX_LSP_MESSAGE) {
            return None;
        }
        if length > MAX_LSP_MESSAGE {
            std::io::copy(
                &mut input.by_ref().take((length - MAX_LSP_MESSAGE) as u64),
                &mut std::io::sink(),
            )
            .ok()?;
            eprintln!("msbc lsp: ignored a message of {length} bytes");
            continue;
        }
        return Some(body);
    }
}

/// The id of a message that is JSON but not a message the server reads.
fn lsp_request_id(body: &[u8]) -> Option<lsp_server::RequestId> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    match value.get("id")? {
        serde_json::Value::Number(n) => Some(i32::try_from(n.as_i64()?).ok()?.into()),
        serde_json::Value::String(s) => Some(s.clone().into()),
        _ => None,
    }
}
