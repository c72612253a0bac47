//! Shared by the test modules: compiling a file the way the CLI does, and
//! rendering diagnostics with the fixed theme snapshots use.

use msbc::codegen::Profile;
use msbc::diagnostic::Diagnostic;
use msbc::driver::{self, Options, Outcome};
use msbc::render::{self, Style};
use msbc::source::Sources;
use msbc::span::FileId;
use std::path::{Path, PathBuf};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture loaded under its file name alone, so that snapshots do not
/// depend on where the checkout lives.
pub fn load(path: &Path) -> (Sources, FileId) {
    let mut sources = Sources::new();
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let bytes = std::fs::read(path).unwrap();
    let id = driver::add_file(&mut sources, &name, bytes).expect("fixtures are UTF-8");
    (sources, id)
}

/// A file that may not be UTF-8: the diagnostic msbc gives such a file.
pub fn load_bytes(path: &Path) -> (Sources, Result<FileId, Diagnostic>) {
    let mut sources = Sources::new();
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let bytes = std::fs::read(path).unwrap();
    let id = driver::add_file(&mut sources, &name, bytes).map_err(|(_, d)| d);
    (sources, id)
}

/// Compiles a fixture as `msbc compile --locked` would when a lock sits
/// beside it (`name.lock` for `name.msb`); a lock that does not parse gives
/// its diagnostics as the outcome.
pub fn compile_fixture(sources: &mut Sources, id: FileId, path: &Path, profile: Profile) -> Outcome {
    let mut options = Options::default();
    options.codegen.profile = profile;
    // `name.toml` beside a fixture is its msbc.toml.
    if let Ok(text) = std::fs::read_to_string(path.with_extension("toml")) {
        options.config = msbc::config::Config::parse(&text).expect("a fixture's msbc.toml parses");
        options.codegen = options.config.compile.codegen_defaults();
        options.codegen.profile = profile;
    }
    let lock_path = path.with_extension("lock");
    if let Ok(text) = std::fs::read_to_string(&lock_path) {
        let name = lock_path.file_name().unwrap().to_string_lossy().into_owned();
        let lock_id = sources.add(name, text);
        match msbc::lock::Lock::parse(lock_id, &sources.get(lock_id).text) {
            Ok(lock) => options.lock = Some(lock),
            Err(diagnostics) => {
                return Outcome {
                    dockerfile: None,
                    dockerignore: None,
                    graph: None,
                    diagnostics,
                }
            }
        }
    }
    driver::compile(sources, id, &options).expect("no --target is given")
}

/// Compiles a program the way `msbc compile FILE` does: with the names in
/// its folder as the build context, which toolchain presets read.
pub fn compile_in_context(sources: &Sources, id: FileId, profile: Profile, dir: &Path) -> Outcome {
    let mut options = Options::default();
    options.codegen.profile = profile;
    options.context = Some(
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect(),
    );
    driver::compile(sources, id, &options).expect("no --target is given")
}

/// Diagnostics as a person sees them, without colour, at 80 columns.
pub fn render(sources: &Sources, diagnostics: &[Diagnostic]) -> String {
    let mut out: String = diagnostics
        .iter()
        .map(|d| render::human(sources, d, Style::PLAIN))
        .collect();
    if let Some(summary) = render::summary(diagnostics) {
        out.push_str(&summary);
        out.push('\n');
    }
    out
}

pub fn codes(diagnostics: &[Diagnostic]) -> Vec<&'static str> {
    diagnostics.iter().map(|d| d.code.as_str()).collect()
}
