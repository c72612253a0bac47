//! Toolchain presets: `toolchain go { main ./cmd/server }` expanded into the
//! ordinary steps a careful hand-written Dockerfile would hold.
//!
//! Expansion runs before the checker proper, on the syntax tree: a
//! `toolchain` step becomes a comment line, `workdir`, `copy`, `run` (with
//! cache mounts) and `produce` steps, so every later rule and pass sees
//! plain steps and the Dockerfile shows them as they are. Each phase
//! (`install`, `deps`, `build`) can be given another command as an option,
//! and plain steps may stand before and after the preset.
//!
//! Every preset follows one shape: the dependency manifests are copied and
//! the dependencies fetched (or built) before any source is copied, so a
//! source edit never runs the dependency step again.
//!
//! Which package manager a Node or Python project uses, and which build tool
//! a Java or C project uses, is read from the files at the top of the build
//! context (the folder of the program), which the driver lists; with no
//! listing (standard input) the program must name it with `tool`.

use super::images::split_reference;
use crate::diagnostic::{did_you_mean, Code, Diagnostic};
use crate::span::Span;
use crate::syntax::ast::{
    self, ArtifactKind, BaseRef, CacheMount, Ident, Item, Linkage, Step, StepKind, Text, TextPart,
    ToolchainOption,
};
use std::collections::BTreeSet;

/// The toolchains msbc knows, for did-you-mean and messages.
pub const TOOLCHAINS: &[&str] = &["go", "rust", "node", "python", "java", "c"];

/// The program with every `toolchain` step expanded, and the problems found.
pub fn expand(program: &ast::Program, context: Option<&BTreeSet<String>>) -> (ast::Program, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let mut out = program.clone();
    for (index, item) in program.items.iter().enumerate() {
        let Item::Stage(stage) = item else { continue };
        if !stage
            .steps
            .iter()
            .any(|s| matches!(s.kind, StepKind::Toolchain { .. }))
        {
            continue;
        }
        let image = base_image(program, stage, 0);
        // What `install` steps put on the image before the preset runs: in
        // the stages this one builds from, then in this one.
        let mut installed = Vec::new();
        if let BaseRef::Name(name) = &stage.base {
            if let Some(base) = find_stage(program, &name.name, &stage.name.name) {
                installed_packages(program, base, 0, &mut installed);
            }
        }
        let mut steps = Vec::new();
        for step in &stage.steps {
            match &step.kind {
                StepKind::Toolchain { name, options } => {
                    let mut x = Expander {
                        span: step.span,
                        name,
                        options,
                        image: image.as_deref(),
                        installed: &installed,
                        context,
                        steps: Vec::new(),
                        diagnostics: &mut diagnostics,
                    };
                    x.expand();
                    steps.extend(x.steps);
                }
                StepKind::Install { packages } => {
                    installed.extend(packages.iter().filter_map(package_name));
                    steps.push(step.clone());
                }
                _ => steps.push(step.clone()),
            }
        }
        if let Item::Stage(stage) = &mut out.items[index] {
            stage.steps = steps;
        }
    }
    check_venv_copies(program, &mut diagnostics);
    (out, diagnostics)
}

/// The stage named `name`, other than `except` (a stage is never its own base).
fn find_stage<'p>(program: &'p ast::Program, name: &str, except: &str) -> Option<&'p ast::StageDecl> {
    program.items.iter().find_map(|item| match item {
        Item::Stage(s) if s.name.name == name && s.name.name != except => Some(s),
        _ => None,
    })
}

/// The package names (without `=version`) that `install` steps of `stage`
/// and the stages it builds from put on the image.
fn installed_packages(program: &ast::Program, stage: &ast::StageDecl, depth: usize, out: &mut Vec<String>) {
    if depth > 64 {
        return;
    }
    if let BaseRef::Name(name) = &stage.base {
        if let Some(base) = find_stage(program, &name.name, &stage.name.name) {
            installed_packages(program, base, depth + 1, out);
        }
    }
    for step in &stage.steps {
        if let StepKind::Install { packages } = &step.kind {
            out.extend(packages.iter().filter_map(package_name));
        }
    }
}

/// `python3-pip` from `"python3-pip=23.0.1+dfsg-1"`.
fn package_name(package: &Text) -> Option<String> {
    let text = package.as_literal()?;
    Some(text.split('=').next().unwrap_or(text).to_string())
}

/// Whether a system package brings `tool`, under its own name or as
/// Debian, Alpine and Fedora name it.
fn provides(package: &str, tool: &str) -> bool {
    package == tool
        || match tool {
            "pip" => matches!(package, "python3-pip" | "py3-pip"),
            "go" => matches!(package, "golang-go" | "golang"),
            "gcc" | "make" => matches!(package, "build-essential" | "build-base"),
            _ => false,
        }
}

/// The image reference a stage is built from, following base stages.
fn base_image(program: &ast::Program, stage: &ast::StageDecl, depth: usize) -> Option<String> {
    base_image_at(program, stage, depth).map(|(reference, _)| reference)
}

/// The image reference a stage is built from and where it is written.
fn base_image_at(program: &ast::Program, stage: &ast::StageDecl, depth: usize) -> Option<(String, Span)> {
    if depth > 64 {
        return None;
    }
    match &stage.base {
        BaseRef::Image(text) => text.as_literal().map(|r| (r.to_string(), text.span)),
        BaseRef::Name(name) => program.items.iter().find_map(|item| match item {
            Item::Image(image) if image.name.name == name.name => image
                .reference
                .as_literal()
                .map(|r| (r.to_string(), image.reference.span)),
            Item::Stage(s) if s.name.name == name.name && s.name.name != stage.name.name => {
                base_image_at(program, s, depth + 1)
            }
            _ => None,
        }),
    }
}

/// Where a well-known image has its Python interpreter, and which Python it
/// is when the name tells. A venv's `bin/python3` is a link to the
/// interpreter of the image that made it, and its packages sit under
/// `lib/pythonX.Y`: it works only where the same Python lies at the same path.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PythonHome {
    dir: &'static str,
    version: Option<String>,
}

/// `None` when msbc cannot tell. Debian, Ubuntu and Alpine count only where
/// a `toolchain python` builds (the preset proves a python3 is there, and
/// their python3 is the distribution's, in /usr/bin); as a runtime they may
/// have no Python at all.
fn python_home(reference: &str, builder: bool) -> Option<PythonHome> {
    let r = split_reference(reference);
    let tag = r.tag.unwrap_or("latest");
    let at = |dir, version: Option<&str>| {
        Some(PythonHome {
            dir,
            version: version.map(str::to_string),
        })
    };
    let debian = |tag: &str| {
        if tag.starts_with("12") || tag.contains("bookworm") {
            Some("3.11")
        } else if tag.starts_with("13") || tag.contains("trixie") {
            Some("3.13")
        } else if tag.starts_with("11") || tag.contains("bullseye") {
            Some("3.9")
        } else {
            None
        }
    };
    match (r.registry, r.repository) {
        // The official images build their own Python into /usr/local.
        ("", "python") if !tag.contains("windows") && !tag.contains("nanoserver") => {
            let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
            let mut parts = tag.split(['.', '-']);
            let version = match (parts.next(), parts.next()) {
                (Some(major), Some(minor)) if digits(major) && digits(minor) => {
                    Some(format!("{major}.{minor}"))
                }
                _ => None,
            };
            Some(PythonHome {
                dir: "/usr/local/bin",
                version,
            })
        }
        // Debian's python3.11 and links /usr/bin/python3 and python to it.
        ("gcr.io", repository) if repository.starts_with("distroless/python3") => {
            let distro = repository.rsplit('-').next().unwrap_or("");
            at("/usr/bin", debian(distro.trim_start_matches("debian")))
        }
        ("cgr.dev", "chainguard/python") => at("/usr/bin", None),
        ("", "debian") if builder => at("/usr/bin", debian(tag)),
        ("", "ubuntu") if builder => {
            let version = if tag.starts_with("24.04") || tag.contains("noble") {
                Some("3.12")
            } else if tag.starts_with("22.04") || tag.contains("jammy") {
                Some("3.10")
            } else {
                None
            };
            at("/usr/bin", version)
        }
        ("", "alpine") if builder => at("/usr/bin", None),
        _ => None,
    }
}

/// E0705: a venv made by `toolchain python` copied onto an image whose
/// Python is not the one the venv links to.
fn check_venv_copies(program: &ast::Program, diagnostics: &mut Vec<Diagnostic>) {
    for item in &program.items {
        let Item::Stage(stage) = item else { continue };
        for step in &stage.steps {
            let StepKind::CopyArtifact { artifact, .. } = &step.kind else {
                continue;
            };
            let Some(from) = &artifact.stage else { continue };
            if artifact.name.name != "venv" {
                continue;
            }
            let Some(builder) = find_stage(program, &from.name, "") else {
                continue;
            };
            let Some(preset) = builder.steps.iter().find_map(|s| match &s.kind {
                StepKind::Toolchain { name, .. } if name.name == "python" => Some(name.span),
                _ => None,
            }) else {
                continue;
            };
            let (Some((made, _)), Some((target, target_span))) = (
                base_image_at(program, builder, 0),
                base_image_at(program, stage, 0),
            ) else {
                continue;
            };
            let (Some(have), Some(need)) = (python_home(&made, true), python_home(&target, false)) else {
                continue;
            };
            let problem = if have.dir != need.dir {
                format!(
                    "the venv's `python3` links to {}/python3, which `{target}` lacks: its Python is in {}",
                    have.dir, need.dir
                )
            } else {
                match (&have.version, &need.version) {
                    (Some(a), Some(b)) if a != b => {
                        format!("the venv holds packages for Python {a}, and `{target}` has Python {b}")
                    }
                    _ => continue,
                }
            };
            let python = |home: &PythonHome| match &home.version {
                Some(v) => format!("Python {v} in {}", home.dir),
                None => format!("its Python in {}", home.dir),
            };
            let d = Diagnostic::new(
                Code::VenvInterpreter,
                format!(
                    "the venv `{}` is built for another Python than the one `{}` has",
                    artifact.display(),
                    stage.name.name
                ),
            )
            .primary(step.span, problem)
            .secondary(preset, format!("built here with `{made}`'s Python ({})", python(&have)))
            .secondary(target_span, format!("`{target}` has {}", python(&need)))
            .help(if need.dir == "/usr/bin" {
                format!(
                    "build the venv with the distribution's own {}: for gcr.io/distroless/python3-debian12, `debian:12-slim` with `install \"python3-venv\" \"python3-pip\"` before the preset",
                    match &need.version {
                        Some(v) => format!("Python {v}"),
                        None => "Python of the same release".to_string(),
                    }
                )
            } else {
                format!("build the venv on the `python` image of the runtime's version, such as `{target}` itself")
            });
            diagnostics.push(d);
        }
    }
}

/// The tools a well-known image has, or `None` when msbc does not know it.
fn image_tools(reference: &str) -> Option<&'static [&'static str]> {
    let r = split_reference(reference);
    if !r.registry.is_empty() {
        return None;
    }
    Some(match r.repository {
        "golang" => &["go", "gcc", "make"],
        "rust" => &["cargo", "gcc", "make"],
        "node" => &["npm", "yarn", "pnpm"],
        "python" => &["pip"],
        "maven" => &["maven", "java"],
        "gradle" => &["gradle", "java"],
        "eclipse-temurin" | "openjdk" | "amazoncorretto" => &["java"],
        "gcc" => &["gcc", "make"],
        "buildpack-deps" => &["gcc", "make"],
        "debian" | "ubuntu" | "alpine" | "busybox" | "scratch" => &[],
        _ => return None,
    })
}

struct Expander<'a> {
    span: Span,
    name: &'a Ident,
    options: &'a [ToolchainOption],
    image: Option<&'a str>,
    /// Packages `install` steps put on the image before the preset.
    installed: &'a [String],
    context: Option<&'a BTreeSet<String>>,
    steps: Vec<Step>,
    diagnostics: &'a mut Vec<Diagnostic>,
}

/// One preset's choices once its options are read.
struct Phase {
    comment: String,
    command: Text,
    caches: Vec<(String, bool)>,
}

impl<'a> Expander<'a> {
    fn expand(&mut self) {
        let known: &[&str] = match self.name.name.as_str() {
            "go" => &["workdir", "main", "name", "deps", "build"],
            "rust" => &["workdir", "bin", "target", "deps", "build"],
            "node" => &["workdir", "tool", "deps"],
            "python" => &["workdir", "tool", "venv", "install", "deps"],
            "java" => &["workdir", "tool", "deps", "build"],
            "c" => &["workdir", "tool", "bin", "packages", "deps", "build"],
            other => {
                let mut d = Diagnostic::new(Code::UnknownToolchain, format!("unknown toolchain `{other}`"))
                    .primary(self.name.span, "msbc has no preset of this name");
                d = match did_you_mean(other, TOOLCHAINS.iter().copied()) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None => d.help(format!(
                        "the toolchains are {}; or write the steps yourself",
                        TOOLCHAINS.join(", ")
                    )),
                };
                self.diagnostics.push(d);
                return;
            }
        };
        let mut seen: Vec<(&str, Span)> = Vec::new();
        for option in self.options {
            let key = option.name.name.as_str();
            if !known.contains(&key) {
                let mut d = Diagnostic::new(
                    Code::ToolchainOption,
                    format!("toolchain `{}` has no option `{key}`", self.name.name),
                )
                .primary(option.name.span, "unknown option");
                d = match did_you_mean(key, known.iter().copied()) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None => d.help(format!("its options are {}", known.join(", "))),
                };
                self.diagnostics.push(d);
            } else if let Some((_, first)) = seen.iter().find(|(k, _)| *k == key) {
                let d = Diagnostic::new(Code::ToolchainOption, format!("option `{key}` is given twice"))
                    .primary(option.name.span, "given again here")
                    .secondary(*first, "first given here")
                    .help("give each option once");
                self.diagnostics.push(d);
            } else {
                seen.push((key, option.name.span));
            }
        }
        match self.name.name.as_str() {
            "go" => self.go(),
            "rust" => self.rust(),
            "node" => self.node(),
            "python" => self.python(),
            "java" => self.java(),
            _ => self.c(),
        }
    }

    // ---- options -------------------------------------------------------------

    fn option(&self, key: &str) -> Option<&'a ToolchainOption> {
        self.options.iter().find(|o| o.name.name == key)
    }

    /// A literal option: its text and span.
    fn literal(&mut self, key: &str) -> Option<(String, Span)> {
        let option = self.option(key)?;
        match option.value.as_literal() {
            Some(text) => Some((text.to_string(), option.value.span)),
            None => {
                let d = Diagnostic::new(
                    Code::ToolchainOption,
                    format!("option `{key}` must be written out, without `${{...}}`"),
                )
                .primary(option.value.span, "msbc needs this value when it compiles")
                .help("write the value itself; variables are allowed in `deps` and `build` commands");
                self.diagnostics.push(d);
                None
            }
        }
    }

    /// One of `choices`, or an error naming them.
    fn choice(&mut self, key: &str, choices: &[&'static str]) -> Option<(String, Span)> {
        let (value, span) = self.literal(key)?;
        if choices.contains(&value.as_str()) {
            return Some((value, span));
        }
        let mut d = Diagnostic::new(
            Code::ToolchainOption,
            format!("`{value}` is not a `{key}` of toolchain `{}`", self.name.name),
        )
        .primary(span, format!("expected {}", quote_list(choices)));
        d = match did_you_mean(&value, choices.iter().copied()) {
            Some(s) => d.help(format!("did you mean `{s}`?")),
            None => d.help(format!("write one of {}", quote_list(choices))),
        };
        self.diagnostics.push(d);
        None
    }

    /// A name that goes into paths: letters, digits, `-`, `_`, `.`.
    fn file_name(&mut self, key: &str) -> Option<String> {
        let (value, span) = self.literal(key)?;
        let ok = !value.is_empty()
            && !value.starts_with('.')
            && value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if ok {
            return Some(value);
        }
        let d = Diagnostic::new(Code::ToolchainOption, format!("`{value}` is not a file name"))
            .primary(span, "used as a file name in /out")
            .help("use letters, digits, `-`, `_` and `.` only");
        self.diagnostics.push(d);
        None
    }

    fn required(&mut self, key: &str, what: &str, example: &str) -> Option<String> {
        if self.option(key).is_some() {
            return self.file_name(key);
        }
        let d = Diagnostic::new(
            Code::ToolchainOption,
            format!("toolchain `{}` needs the option `{key}`", self.name.name),
        )
        .primary(self.name.span, format!("{what} is not named"))
        .help(format!("add `{key} {example}` to the toolchain block"));
        self.diagnostics.push(d);
        None
    }

    fn workdir(&mut self, default: &str) -> String {
        match self.literal("workdir") {
            Some((w, _)) if w.starts_with('/') => w,
            Some((w, span)) => {
                let d = Diagnostic::new(Code::ToolchainOption, format!("workdir `{w}` is not absolute"))
                    .primary(span, "a relative path")
                    .help(format!("write an absolute path such as `{default}`"));
                self.diagnostics.push(d);
                default.to_string()
            }
            None => default.to_string(),
        }
    }

    /// The user's command for a phase, or the preset's.
    fn command(&self, phase: &str, default: String) -> Text {
        match self.option(phase) {
            Some(option) => option.value.clone(),
            None => self.text(&default),
        }
    }

    /// Whether the context holds `file` (always yes when it is not listed).
    fn has(&self, file: &str) -> bool {
        self.context.is_none_or(|c| c.contains(file))
    }

    /// The tool: named by `tool`, else the first of `detect` whose file is in
    /// the context. Without a context listing the program must name it.
    fn tool(&mut self, tools: &[&'static str], detect: &[(&str, &'static str)]) -> Option<&'static str> {
        if self.option("tool").is_some() {
            let (tool, span) = self.choice("tool", tools)?;
            let tool = *tools.iter().find(|t| **t == tool).expect("checked by choice");
            if let Some((file, _)) = detect.iter().find(|(_, t)| *t == tool) {
                if !self.has(file) {
                    let d =
                        Diagnostic::new(Code::ToolchainFiles, format!("the build context has no `{file}`"))
                            .primary(span, format!("`{tool}` builds from `{file}`"))
                            .help(format!(
                        "add `{file}` next to the program (commit the lockfile), or pick another tool"
                    ));
                    self.diagnostics.push(d);
                }
            }
            return Some(tool);
        }
        let Some(context) = self.context else {
            let d = Diagnostic::new(
                Code::ToolchainFiles,
                format!(
                    "msbc cannot tell which tool builds this {} project",
                    self.name.name
                ),
            )
            .primary(self.name.span, "no build context to look for a lockfile in")
            .help(format!(
                "name it in the block: `toolchain {} {{ tool {} }}` (one of {})",
                self.name.name,
                tools[0],
                quote_list(tools)
            ));
            self.diagnostics.push(d);
            return None;
        };
        let found: Vec<&(&str, &'static str)> = detect.iter().filter(|(f, _)| context.contains(*f)).collect();
        let mut tools_found: Vec<&'static str> = found.iter().map(|(_, t)| *t).collect();
        tools_found.dedup();
        match tools_found.as_slice() {
            [one] => Some(one),
            [] => {
                let files: Vec<&str> = detect.iter().map(|(f, _)| *f).collect();
                let d = Diagnostic::new(
                    Code::ToolchainFiles,
                    format!("the build context has none of {}", quote_list(&files)),
                )
                .primary(self.name.span, "msbc looks for these files to pick the tool")
                .help(format!(
                    "add the project's lockfile or manifest next to the program, or name the tool with `tool {}`",
                    tools[0]
                ));
                self.diagnostics.push(d);
                None
            }
            many => {
                let files: Vec<&str> = found.iter().map(|(f, _)| *f).collect();
                let d = Diagnostic::new(
                    Code::ToolchainFiles,
                    format!(
                        "the build context has {}: msbc cannot tell which tool to use",
                        quote_list(&files)
                    ),
                )
                .primary(self.name.span, format!("{} would all fit", quote_list(many)))
                .help(format!(
                    "name the tool with `tool {}`, or remove the stale lockfile",
                    many[0]
                ));
                self.diagnostics.push(d);
                None
            }
        }
    }

    /// An error when the stage's image is known to lack `tool`.
    fn needs(&mut self, tool: &str, extra: &[String], fix: &str) {
        let Some(image) = self.image else { return };
        let Some(tools) = image_tools(image) else { return };
        if tools.contains(&tool) || extra.iter().chain(self.installed).any(|p| provides(p, tool)) {
            return;
        }
        let d = Diagnostic::new(
            Code::ToolchainImage,
            format!(
                "toolchain `{}` needs `{tool}`, which `{image}` lacks",
                self.name.name
            ),
        )
        .primary(self.name.span, format!("runs `{tool}`"))
        .help(fix.to_string());
        self.diagnostics.push(d);
    }

    // ---- steps -----------------------------------------------------------------

    fn text(&self, s: &str) -> Text {
        Text {
            parts: vec![TextPart::Literal(s.to_string())],
            span: self.span,
            multiline: s.contains('\n'),
        }
    }

    fn push(&mut self, kind: StepKind) {
        self.steps.push(Step {
            kind,
            span: self.span,
        });
    }

    fn comment(&mut self, text: String) {
        self.push(StepKind::Comment(text));
    }

    fn workdir_step(&mut self, dir: &str) {
        let t = self.text(dir);
        self.push(StepKind::Workdir(t));
    }

    fn env(&mut self, key: &str, value: &str) {
        let key = Ident {
            name: key.to_string(),
            span: self.span,
        };
        let value = ast::Value::Text(self.text(value));
        self.push(StepKind::Env { key, value });
    }

    fn copy(&mut self, sources: &[&str], dest: &str) {
        let sources = sources.iter().map(|s| self.text(s)).collect();
        let dest = self.text(dest);
        self.push(StepKind::CopyContext {
            sources,
            dest,
            options: ast::CopyOptions {
                chown: None,
                chmod: None,
            },
        });
    }

    fn run(&mut self, phase: Phase) {
        self.comment(phase.comment);
        let caches = phase
            .caches
            .into_iter()
            .map(|(path, locked)| CacheMount {
                path: self.text(&path),
                locked,
                span: self.span,
            })
            .collect();
        self.push(StepKind::Run {
            command: phase.command,
            caches,
            secrets: Vec::new(),
            ssh: None,
            // Each phase is its own cache boundary: never merged.
            layer: Some(self.span),
        });
    }

    fn produce(&mut self, name: &str, kind: ArtifactKind, path: &str) {
        let name = Ident {
            name: name.to_string(),
            span: self.span,
        };
        let path = self.text(path);
        self.push(StepKind::Produce {
            name,
            kind,
            kind_span: self.span,
            path,
        });
    }

    // ---- the presets -------------------------------------------------------

    /// Go: modules downloaded from go.mod and go.sum, then a static binary
    /// with cgo off, built with the module and build caches mounted.
    fn go(&mut self) {
        let workdir = self.workdir("/src");
        let main = self
            .literal("main")
            .map(|(m, _)| m)
            .unwrap_or_else(|| ".".to_string());
        let name = if self.option("name").is_some() {
            self.file_name("name").unwrap_or_else(|| "app".to_string())
        } else {
            "app".to_string()
        };
        self.needs("go", &[], "build from a Go image such as `golang:1.24-bookworm`");
        if !self.has("go.mod") {
            self.missing("go.mod", "go mod init");
        }
        self.workdir_step(&workdir);
        let manifests: Vec<&str> = ["go.mod", "go.sum"]
            .into_iter()
            .filter(|f| self.context.is_some_and(|c| c.contains(*f)) || self.context.is_none())
            .collect();
        self.comment(
            "toolchain go: the module files alone first, so a source edit reuses the downloaded modules"
                .into(),
        );
        self.copy(&manifests, "./");
        let deps = self.command("deps", "go mod download".into());
        self.run(Phase {
            comment: "toolchain go: download the modules".into(),
            command: deps,
            caches: vec![("/go/pkg/mod".into(), false)],
        });
        self.copy(&["."], ".");
        let build = self.command(
            "build",
            format!("CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/{name} {main}"),
        );
        self.run(Phase {
            comment: "toolchain go: a static binary (cgo off), with the module and build caches".into(),
            command: build,
            caches: vec![
                ("/go/pkg/mod".into(), false),
                ("/root/.cache/go-build".into(), false),
            ],
        });
        self.produce(
            "binary",
            ArtifactKind::Exe(Linkage::Static),
            &format!("/out/{name}"),
        );
    }

    /// Rust: the cargo-chef idea by hand. The dependencies are built from
    /// Cargo.toml and Cargo.lock with a stub main, and the build keeps them
    /// in the layer; the sources come after.
    fn rust(&mut self) {
        let workdir = self.workdir("/src");
        let bin = self.required("bin", "the binary to ship", "my-service");
        let musl = matches!(self.choice("target", &["glibc", "musl"]), Some((t, _)) if t == "musl");
        self.needs("cargo", &[], "build from a Rust image such as `rust:1.85-trixie`");
        for file in ["Cargo.toml", "Cargo.lock"] {
            if !self.has(file) {
                self.missing(file, "cargo generate-lockfile");
            }
        }
        let Some(bin) = bin else { return };
        let (target_flag, dir, linkage) = if musl {
            (
                " --target \"$(uname -m)-unknown-linux-musl\"",
                "target/$(uname -m)-unknown-linux-musl/release",
                Linkage::Static,
            )
        } else {
            ("", "target/release", Linkage::Glibc)
        };
        let caches = vec![
            ("/usr/local/cargo/registry".into(), false),
            ("/usr/local/cargo/git".into(), false),
        ];
        self.workdir_step(&workdir);
        self.comment(
            "toolchain rust: the manifest and lockfile alone first, so a source edit reuses the built dependencies"
                .into(),
        );
        self.copy(&["Cargo.toml", "Cargo.lock"], "./");
        let deps = self.command(
            "deps",
            format!(
                "mkdir -p src\necho 'fn main() {{}}' > src/main.rs\ncargo build --release --locked{target_flag}\nrm -rf src"
            ),
        );
        self.run(Phase {
            comment: "toolchain rust: build the dependencies alone, from a stub main".into(),
            command: deps,
            caches: caches.clone(),
        });
        self.copy(&["src"], "./src");
        let build = self.command(
            "build",
            format!(
                "touch src/main.rs\ncargo build --release --locked{target_flag}\ninstall -D \"{dir}/{bin}\" /out/{bin}"
            ),
        );
        self.run(Phase {
            comment: format!(
                "toolchain rust: the binary, {}",
                if musl {
                    "static against musl"
                } else {
                    "linked against glibc"
                }
            ),
            command: build,
            caches,
        });
        self.produce("binary", ArtifactKind::Exe(linkage), &format!("/out/{bin}"));
    }

    /// Node: production dependencies only, from the lockfile.
    fn node(&mut self) {
        let workdir = self.workdir("/app");
        let tool = self.tool(
            &["npm", "pnpm", "yarn"],
            &[
                ("package-lock.json", "npm"),
                ("pnpm-lock.yaml", "pnpm"),
                ("yarn.lock", "yarn"),
            ],
        );
        if !self.has("package.json") {
            self.missing("package.json", "npm init");
        }
        let Some(tool) = tool else {
            self.produce("modules", ArtifactKind::Dir, &format!("{workdir}/node_modules"));
            return;
        };
        self.needs(
            tool,
            &[],
            "build from a Node.js image such as `node:20-trixie-slim`",
        );
        let (lockfile, command, cache, locked) = match tool {
            "pnpm" => (
                "pnpm-lock.yaml",
                "corepack enable pnpm\npnpm install --frozen-lockfile --prod",
                "/root/.local/share/pnpm/store",
                false,
            ),
            // Yarn 1's cache is not safe for two writers at once.
            "yarn" => (
                "yarn.lock",
                "yarn install --frozen-lockfile --production",
                "/usr/local/share/.cache/yarn",
                true,
            ),
            _ => ("package-lock.json", "npm ci --omit=dev", "/root/.npm", false),
        };
        self.workdir_step(&workdir);
        self.comment(format!(
            "toolchain node: package.json and {lockfile} alone, so a source edit reuses the installed modules"
        ));
        self.copy(&["package.json", lockfile], "./");
        let deps = self.command("deps", command.to_string());
        self.run(Phase {
            comment: format!(
                "toolchain node: production dependencies only, exactly as {lockfile} locks them"
            ),
            command: deps,
            caches: vec![(cache.into(), locked)],
        });
        self.produce("modules", ArtifactKind::Dir, &format!("{workdir}/node_modules"));
    }

    /// Python: a virtual environment holding the locked dependencies.
    fn python(&mut self) {
        let workdir = self.workdir("/src");
        let venv = match self.literal("venv") {
            Some((v, _)) if v.starts_with('/') => v,
            Some((v, span)) => {
                let d = Diagnostic::new(Code::ToolchainOption, format!("venv `{v}` is not absolute"))
                    .primary(span, "a relative path")
                    .help("write an absolute path such as `/opt/venv`");
                self.diagnostics.push(d);
                "/opt/venv".to_string()
            }
            None => "/opt/venv".to_string(),
        };
        let tool = self.tool(
            &["pip", "uv", "poetry"],
            &[
                ("requirements.txt", "pip"),
                ("uv.lock", "uv"),
                ("poetry.lock", "poetry"),
            ],
        );
        let Some(tool) = tool else {
            self.produce("venv", ArtifactKind::Dir, &venv);
            return;
        };
        self.needs(
            "pip",
            &[],
            "build from a Python image such as `python:3.11-slim-bookworm`, or `install` the distribution's pip first (Debian: `python3-venv` and `python3-pip`)",
        );
        match tool {
            "uv" | "poetry" => {
                // The tool in a venv of its own, apart from the app's.
                let install = self.command(
                    "install",
                    format!("python3 -m venv /opt/{tool}\n/opt/{tool}/bin/pip install {tool}"),
                );
                self.run(Phase {
                    comment: format!("toolchain python: {tool} in its own environment, outside the app's"),
                    command: install,
                    caches: vec![("/root/.cache/pip".into(), false)],
                });
            }
            _ => {
                // No pip in the environment the runtime copies: the
                // builder's own pip installs into it (`--python`).
                let install = self.command("install", format!("python3 -m venv --without-pip {venv}"));
                self.run(Phase {
                    comment: format!("toolchain python: the environment the runtime copies, at {venv}"),
                    command: install,
                    caches: vec![],
                });
            }
        }
        self.workdir_step(&workdir);
        match tool {
            "uv" => {
                self.env("UV_PROJECT_ENVIRONMENT", &venv);
                self.env("UV_LINK_MODE", "copy");
                self.env("UV_COMPILE_BYTECODE", "1");
                self.env("UV_PYTHON_DOWNLOADS", "never");
                self.comment("toolchain python: pyproject.toml and uv.lock alone, so a source edit reuses the environment".into());
                self.copy(&["pyproject.toml", "uv.lock"], "./");
                let deps = self.command(
                    "deps",
                    "/opt/uv/bin/uv sync --frozen --no-dev --no-install-project".to_string(),
                );
                self.run(Phase {
                    comment: "toolchain python: the locked dependencies, without the dev group".into(),
                    command: deps,
                    caches: vec![("/root/.cache/uv".into(), false)],
                });
            }
            "poetry" => {
                self.env("VIRTUAL_ENV", &venv);
                self.env("POETRY_VIRTUALENVS_CREATE", "false");
                self.comment(
                    "toolchain python: pyproject.toml and poetry.lock alone, so a source edit reuses the environment"
                        .into(),
                );
                self.copy(&["pyproject.toml", "poetry.lock"], "./");
                let deps = self.command(
                    "deps",
                    format!("python3 -m venv {venv}\n/opt/poetry/bin/poetry install --only main --no-root --no-interaction"),
                );
                self.run(Phase {
                    comment: "toolchain python: the locked main dependencies".into(),
                    command: deps,
                    caches: vec![("/root/.cache/pypoetry".into(), false)],
                });
            }
            _ => {
                self.comment(
                    "toolchain python: requirements.txt alone, so a source edit reuses the environment"
                        .into(),
                );
                self.copy(&["requirements.txt"], "./");
                let deps = self.command(
                    "deps",
                    format!("python3 -m pip --python {venv}/bin/python install -r requirements.txt"),
                );
                self.run(Phase {
                    comment: "toolchain python: the pinned requirements".into(),
                    command: deps,
                    caches: vec![("/root/.cache/pip".into(), false)],
                });
            }
        }
        self.produce("venv", ArtifactKind::Dir, &venv);
    }

    /// Java: dependencies resolved from the build file, then the jar.
    fn java(&mut self) {
        let workdir = self.workdir("/src");
        let tool = self.tool(
            &["maven", "gradle"],
            &[
                ("pom.xml", "maven"),
                ("build.gradle", "gradle"),
                ("build.gradle.kts", "gradle"),
            ],
        );
        let Some(tool) = tool else {
            self.produce("jar", ArtifactKind::File, "/out/app.jar");
            return;
        };
        self.needs(
            tool,
            &[],
            &format!(
                "build from an image with {tool}, such as `{}`",
                if tool == "maven" {
                    "maven:3.9-eclipse-temurin-21"
                } else {
                    "gradle:8-jdk21"
                }
            ),
        );
        self.workdir_step(&workdir);
        // Maven's local repository is not safe for two builds at once;
        // Gradle locks its own caches.
        let (files, what, cache, deps, build) = if tool == "maven" {
            (
                vec!["pom.xml"],
                "pom.xml",
                ("/root/.m2", true),
                "mvn -B -ntp dependency:go-offline",
                "mvn -B -ntp package -DskipTests\ninstall -D target/*.jar /out/app.jar",
            )
        } else {
            let found: Vec<&str> = [
                "settings.gradle",
                "settings.gradle.kts",
                "build.gradle",
                "build.gradle.kts",
            ]
            .into_iter()
            .filter(|f| self.context.is_some_and(|c| c.contains(*f)))
            .collect();
            let files = if found.is_empty() {
                vec!["settings.gradle", "build.gradle"]
            } else {
                found
            };
            (
                files,
                "the build scripts",
                ("/root/.gradle", false),
                "gradle --no-daemon dependencies",
                "gradle --no-daemon jar\ninstall -D build/libs/*.jar /out/app.jar",
            )
        };
        let caches = vec![(cache.0.to_string(), cache.1)];
        self.comment(format!(
            "toolchain java: {what} alone, so a source edit reuses the resolved dependencies"
        ));
        self.copy(&files, "./");
        let deps = self.command("deps", deps.into());
        self.run(Phase {
            comment: "toolchain java: resolve the plugins and dependencies".into(),
            command: deps,
            caches: caches.clone(),
        });
        self.copy(&["src"], "./src");
        let build = self.command("build", build.into());
        self.run(Phase {
            comment: "toolchain java: the jar, from the dependencies resolved above".into(),
            command: build,
            caches,
        });
        self.produce("jar", ArtifactKind::File, "/out/app.jar");
    }

    /// C and C++: system packages first (apt, with its caches locked), then
    /// make or cmake over the sources.
    fn c(&mut self) {
        let workdir = self.workdir("/src");
        let bin = self.required("bin", "the binary to ship", "server");
        let packages: Vec<String> = match self.literal("packages") {
            Some((p, _)) => p.split_whitespace().map(str::to_string).collect(),
            None => Vec::new(),
        };
        let tool = self.tool(
            &["make", "cmake"],
            &[("CMakeLists.txt", "cmake"), ("Makefile", "make")],
        );
        let Some(bin) = bin else { return };
        let Some(tool) = tool else {
            self.produce(
                "binary",
                ArtifactKind::Exe(Linkage::Glibc),
                &format!("/out/{bin}"),
            );
            return;
        };
        let mut extra = packages.clone();
        if packages.iter().any(|p| p == "build-essential") {
            extra.push("make".into());
        }
        self.needs(
            tool,
            &extra,
            &format!("add `{tool}` to the `packages` option, or build from an image that has it"),
        );
        if !packages.is_empty() {
            let install = format!(
                "rm -f /etc/apt/apt.conf.d/docker-clean\napt-get update\napt-get install -y --no-install-recommends {}",
                packages.join(" ")
            );
            let deps = self.command("deps", install);
            self.run(Phase {
                comment: "toolchain c: system packages; apt's caches are mounted, locked, and never reach the layer"
                    .into(),
                command: deps,
                caches: vec![("/var/cache/apt".into(), true), ("/var/lib/apt".into(), true)],
            });
        }
        self.workdir_step(&workdir);
        self.copy(&["."], ".");
        let (command, caches) = if tool == "cmake" {
            (
                format!(
                    "cmake -S . -B build -DCMAKE_BUILD_TYPE=Release\ncmake --build build --parallel\ninstall -D build/{bin} /out/{bin}"
                ),
                vec![("build".to_string(), false)],
            )
        } else {
            (
                format!("make -j\"$(nproc)\"\ninstall -D {bin} /out/{bin}"),
                vec![],
            )
        };
        let build = self.command("build", command);
        self.run(Phase {
            comment: format!("toolchain c: {tool}, release build"),
            command: build,
            caches,
        });
        self.produce(
            "binary",
            ArtifactKind::Exe(Linkage::Glibc),
            &format!("/out/{bin}"),
        );
    }

    fn missing(&mut self, file: &str, how: &str) {
        let d = Diagnostic::new(Code::ToolchainFiles, format!("the build context has no `{file}`"))
            .primary(
                self.name.span,
                format!("toolchain `{}` builds from `{file}`", self.name.name),
            )
            .help(format!("add `{file}` next to the program (`{how}` makes one)"));
        self.diagnostics.push(d);
    }
}

fn quote_list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn home(reference: &str, builder: bool) -> Option<(&'static str, Option<String>)> {
        python_home(reference, builder).map(|h| (h.dir, h.version))
    }

    #[test]
    fn knows_where_images_keep_python() {
        let v = |s: &str| Some(s.to_string());
        assert_eq!(
            home("python:3.11-slim-bookworm", true),
            Some(("/usr/local/bin", v("3.11")))
        );
        assert_eq!(home("python:3-alpine", false), Some(("/usr/local/bin", None)));
        assert_eq!(
            home("gcr.io/distroless/python3-debian12:nonroot", false),
            Some(("/usr/bin", v("3.11")))
        );
        assert_eq!(home("debian:12-slim", true), Some(("/usr/bin", v("3.11"))));
        assert_eq!(
            home("docker.io/library/debian:bookworm-slim", true),
            Some(("/usr/bin", v("3.11")))
        );
        assert_eq!(home("debian:trixie-slim", true), Some(("/usr/bin", v("3.13"))));
        // A plain distribution image as a runtime may have no Python at all.
        assert_eq!(home("debian:12-slim", false), None);
        assert_eq!(home("gcr.io/distroless/cc-debian12", false), None);
        assert_eq!(home("example.com/python:3.11", true), None);
    }

    #[test]
    fn packages_bring_tools() {
        assert!(provides("python3-pip", "pip"));
        assert!(provides("py3-pip", "pip"));
        assert!(provides("cmake", "cmake"));
        assert!(provides("build-essential", "make"));
        assert!(!provides("python3-venv", "pip"));
    }
}
