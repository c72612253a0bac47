//! The pipeline in one call: parse, check, generate. No IO.

use crate::check::{self, CheckOptions};
use crate::codegen::{self, CodegenError, CodegenOptions};
use crate::config::Config;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::Sources;
use crate::span::{FileId, Span};
use crate::syntax::{self, ast::Program};

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub config: Config,
    pub codegen: CodegenOptions,
    /// `--locked`: the parsed lock every base image must be pinned by.
    pub lock: Option<crate::lock::Lock>,
    /// The names at the top of the build context (the program's folder), for
    /// toolchain presets; `None` when the program has no folder (stdin).
    pub context: Option<std::collections::BTreeSet<String>>,
}

impl Options {
    pub fn check_options(&self) -> CheckOptions {
        let mut options = CheckOptions::default();
        if let Some(user) = &self.config.runtime.user {
            options.runtime_user = user.clone();
        }
        options.lock = self.lock.clone();
        options.context = self.context.clone();
        options
    }
}

/// What compiling one file gave.
#[derive(Debug)]
pub struct Outcome {
    /// The Dockerfile, when the program has no errors.
    pub dockerfile: Option<String>,
    /// Its `.dockerignore` allowlist, when the program's context inputs allow one.
    pub dockerignore: Option<String>,
    /// The checked graph the Dockerfile came from, for outputs built from it
    /// too (a Bake file), so that nothing checks the program twice.
    pub graph: Option<check::ir::BuildGraph>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Outcome {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Adds raw bytes as a file, refusing text that is not UTF-8 with a diagnostic.
pub fn add_file(sources: &mut Sources, name: &str, bytes: Vec<u8>) -> Result<FileId, (FileId, Diagnostic)> {
    match String::from_utf8(bytes) {
        Ok(text) => Ok(sources.add(name, text)),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let id = sources.add(name, text);
            let d = Diagnostic::new(Code::NotUtf8, "the file is not UTF-8 text")
                .primary(Span::new(id, valid, valid + 1), "this byte is not UTF-8")
                .help("save the file as UTF-8");
            Err((id, d))
        }
    }
}

pub fn parse(sources: &Sources, file: FileId) -> Result<Program, Vec<Diagnostic>> {
    syntax::parse(file, &sources.get(file).text)
}

/// Parses and checks; the graph is returned when there are no errors.
pub fn check(
    sources: &Sources,
    file: FileId,
    options: &Options,
) -> (Option<check::ir::BuildGraph>, Vec<Diagnostic>) {
    let program = match parse(sources, file) {
        Ok(program) => program,
        Err(diagnostics) => return (None, diagnostics),
    };
    let name = display_name(&sources.get(file).name);
    let checked = check::check(&program, &name, &options.check_options());
    let mut diagnostics = checked.diagnostics;
    options.config.apply_lints(&mut diagnostics);
    let graph = if diagnostics.iter().any(Diagnostic::is_error) {
        None
    } else {
        checked.graph
    };
    (graph, diagnostics)
}

pub fn compile(sources: &Sources, file: FileId, options: &Options) -> Result<Outcome, CodegenError> {
    let (graph, diagnostics) = check(sources, file, options);
    let (dockerfile, dockerignore) = match &graph {
        Some(graph) => {
            let (dockerfile, ignore) = codegen::generate_with_ignore(graph, &options.codegen)?;
            (Some(dockerfile), ignore)
        }
        None => (None, None),
    };
    Ok(Outcome {
        dockerfile,
        dockerignore,
        graph,
        diagnostics,
    })
}

/// The file name alone, so that output does not depend on where it was compiled.
fn display_name(name: &str) -> String {
    std::path::Path::new(name)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| name.to_string())
}
