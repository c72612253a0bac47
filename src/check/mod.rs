//! Checking: the syntax tree to a resolved build graph, with every
//! diagnostic the program deserves, all in one run.

pub mod images;
pub mod ir;
mod locked;
pub mod toolchain;
mod values;

pub use images::{builtin as builtin_capabilities, is_pinned, split_reference, Capabilities};

use crate::diagnostic::{did_you_mean, Code, Diagnostic};
use crate::lock::Lock;
use crate::span::Span;
use crate::syntax::ast::{self, ArtifactKind, BaseRef, Item, Libc, Linkage, Role, StepKind};
use ir::{BuildGraph, StageBase, StageId};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use values::Context;

/// Settings that change what the checker accepts or fills in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckOptions {
    /// The user a runtime runs as when the program names none.
    pub runtime_user: String,
    /// `--locked`: pin every base image to the lock's digest.
    pub lock: Option<Lock>,
    /// The names of the files at the top of the build context, when the
    /// program came from a file: toolchain presets pick their tool from the
    /// lockfile they find there. `None` for standard input.
    pub context: Option<BTreeSet<String>>,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            runtime_user: "65532:65532".to_string(),
            lock: None,
            context: None,
        }
    }
}

/// What checking found: the graph when there were no errors, and every
/// diagnostic (errors and warnings) in source order.
#[derive(Debug)]
pub struct Checked {
    pub graph: Option<BuildGraph>,
    pub diagnostics: Vec<Diagnostic>,
}

pub fn check(program: &ast::Program, source_name: &str, options: &CheckOptions) -> Checked {
    let (expanded, mut diagnostics) = toolchain::expand(program, options.context.as_ref());
    let mut checker = Checker::new(&expanded, options);
    let graph = checker.run(source_name);
    diagnostics.append(&mut checker.diagnostics);
    // An unresolved name leaves what it meant to use looking unused: those
    // warnings would only repeat the error.
    if diagnostics.iter().any(|d| {
        matches!(
            d.code,
            Code::UnknownStage | Code::UnknownArtifact | Code::UnknownImage | Code::DuplicateName
        )
    }) {
        diagnostics.retain(|d| !matches!(d.code, Code::UnusedArtifact | Code::UnreachableStage));
    }
    crate::diagnostic::sort(&mut diagnostics);
    let graph = if diagnostics.iter().any(Diagnostic::is_error) {
        None
    } else {
        graph
    };
    Checked { graph, diagnostics }
}

/// An artifact a stage declares with `produce`.
#[derive(Debug, Clone)]
struct Artifact {
    kind: ArtifactKind,
    kind_span: Span,
    path: String,
    span: Span,
}

/// An artifact lying at some path in a stage's filesystem.
#[derive(Debug, Clone)]
struct Placed {
    /// `build.server`
    qualified: String,
    name: String,
    kind: ArtifactKind,
    path: String,
    /// Where it was put there: the copy or produce step.
    span: Span,
    /// Where it was declared.
    declared: Span,
}

/// What a stage's filesystem and settings look like after its last step,
/// inherited by stages built from it.
#[derive(Debug, Clone, Default)]
struct StageState {
    capabilities: Capabilities,
    /// Where each capability is known from: its line in a declared image's
    /// block, or the image reference.
    libc_span: Span,
    shell_span: Span,
    passwd_span: Span,
    packages_span: Span,
    image_name: String,
    /// The working directory as written, for paths compared in the checker.
    workdir: String,
    /// The working directory as codegen writes it, variables and all.
    workdir_value: ir::Value,
    env: BTreeSet<String>,
    placed: Vec<Placed>,
    user: Option<(String, Span)>,
    has_command: bool,
}

enum ResolvedBase<'a> {
    Stage(usize),
    Image {
        name: String,
        reference: &'a ast::Text,
        capabilities: Capabilities,
        span: Span,
    },
    Unknown,
}

struct Checker<'a> {
    program: &'a ast::Program,
    options: &'a CheckOptions,
    diagnostics: Vec<Diagnostic>,
    images: HashMap<&'a str, &'a ast::ImageDecl>,
    image_capabilities: HashMap<&'a str, Capabilities>,
    params: HashMap<&'a str, &'a ast::ParamDecl>,
    secrets: HashMap<&'a str, &'a ast::SecretDecl>,
    stages: Vec<&'a ast::StageDecl>,
    stage_index: HashMap<&'a str, usize>,
    artifacts: Vec<BTreeMap<&'a str, Artifact>>,
    /// Stage -> (stage it needs, the span that says so, how).
    edges: Vec<Vec<(usize, Span, String)>>,
    used_images: BTreeSet<&'a str>,
    used_artifacts: BTreeSet<(usize, String)>,
    /// (stage, artifact) -> absolute path, filled as stages are checked.
    produced_paths: HashMap<(usize, String), String>,
}

/// Names BuildKit gives a meaning of its own in `FROM` and `COPY --from`
/// (its ReservedStageName check).
const RESERVED_STAGE_NAMES: &[&str] = &["scratch", "context"];

const PLATFORM_ARGS: &[&str] = &[
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
];

impl<'a> Checker<'a> {
    fn new(program: &'a ast::Program, options: &'a CheckOptions) -> Self {
        Checker {
            program,
            options,
            diagnostics: Vec::new(),
            images: HashMap::new(),
            image_capabilities: HashMap::new(),
            params: HashMap::new(),
            secrets: HashMap::new(),
            stages: Vec::new(),
            stage_index: HashMap::new(),
            artifacts: Vec::new(),
            edges: Vec::new(),
            used_images: BTreeSet::new(),
            used_artifacts: BTreeSet::new(),
            produced_paths: HashMap::new(),
        }
    }

    fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    fn run(&mut self, source_name: &str) -> Option<BuildGraph> {
        self.collect_names();
        let params = self.check_params();
        let bases: Vec<ResolvedBase<'a>> = (0..self.stages.len()).map(|i| self.resolve_base(i)).collect();
        self.collect_edges(&bases);
        let order = self.topological_order();
        let default_target = self.default_target();
        let pinned = match &self.options.lock {
            Some(lock) => {
                let (pinned, diagnostics) = locked::pin(self.program, lock);
                self.diagnostics.extend(diagnostics);
                pinned
            }
            None => BTreeMap::new(),
        };

        let mut states: Vec<Option<StageState>> = vec![None; self.stages.len()];
        let mut ir_stages: Vec<Option<ir::Stage>> = vec![None; self.stages.len()];
        for &index in &order {
            let inherited = match &bases[index] {
                ResolvedBase::Stage(base) => states[*base].clone(),
                ResolvedBase::Image {
                    name,
                    capabilities,
                    span,
                    ..
                } => Some(StageState {
                    capabilities: capabilities.clone(),
                    libc_span: self.capability_span(name, *span, |c| matches!(c, ast::Capability::Libc(..))),
                    shell_span: self
                        .capability_span(name, *span, |c| matches!(c, ast::Capability::Shell(..))),
                    passwd_span: self
                        .capability_span(name, *span, |c| matches!(c, ast::Capability::Passwd(..))),
                    packages_span: self
                        .capability_span(name, *span, |c| matches!(c, ast::Capability::Packages(..))),
                    image_name: name.clone(),
                    workdir: "/".to_string(),
                    workdir_value: ir::Value::literal("/"),
                    ..StageState::default()
                }),
                ResolvedBase::Unknown => None,
            };
            let Some(state) = inherited else { continue };
            let base = match &bases[index] {
                ResolvedBase::Stage(b) => StageBase::Stage(StageId(*b)),
                ResolvedBase::Image { reference, .. } => {
                    StageBase::Image(self.value(reference, Context::Image, &BTreeSet::new()))
                }
                ResolvedBase::Unknown => continue,
            };
            let (mut stage, state) = self.check_stage(index, base, state);
            if let ResolvedBase::Image { reference, .. } = &bases[index] {
                stage.base_digest = pinned.get(&reference.display()).cloned();
            }
            states[index] = Some(state);
            ir_stages[index] = Some(stage);
        }

        self.check_unused_artifacts();
        self.check_images();
        self.check_cross(&order, &bases, &ir_stages);
        let reachable = self.mark_reachable();
        for (index, stage) in ir_stages.iter_mut().enumerate() {
            if let Some(stage) = stage {
                stage.reachable = reachable[index];
            }
        }

        let default_target = default_target?;
        let stages = ir_stages.into_iter().collect::<Option<Vec<_>>>()?;
        Some(BuildGraph {
            source_name: source_name.to_string(),
            params,
            stages,
            default_target: StageId(default_target),
        })
    }

    // ---- names -------------------------------------------------------------

    fn collect_names(&mut self) {
        let mut seen: HashMap<&'a str, (Span, &'static str)> = HashMap::new();
        for item in &self.program.items {
            let (name, what) = match item {
                Item::Image(i) => (&i.name, "image"),
                Item::Param(p) => (&p.name, "param"),
                Item::Secret(s) => (&s.name, "secret"),
                Item::Stage(s) => (&s.name, "stage"),
            };
            if let Some((first, first_what)) = seen.get(name.name.as_str()) {
                let d = Diagnostic::new(
                    Code::DuplicateName,
                    format!("the name `{}` is declared twice", name.name),
                )
                .primary(name.span, format!("this {what} reuses the name"))
                .secondary(
                    *first,
                    format!("the {first_what} `{}` is declared here", name.name),
                )
                .help("images, params, secrets and stages share one namespace: rename one of them");
                self.report(d);
            } else {
                seen.insert(&name.name, (name.span, what));
            }
            // Declared all the same (the first of a kind keeps the name), so that
            // one clash does not turn every use of the name into an error too.
            match item {
                Item::Image(i) => {
                    if !self.images.contains_key(i.name.name.as_str()) {
                        self.images.insert(&i.name.name, i);
                        let caps = self.image_capabilities_of(i);
                        self.image_capabilities.insert(&i.name.name, caps);
                    }
                }
                Item::Param(p) => {
                    self.params.entry(&p.name.name).or_insert(p);
                    values::warn_secret_like(self, &p.name, "param");
                }
                Item::Secret(s) => {
                    self.secrets.entry(&s.name.name).or_insert(s);
                }
                Item::Stage(s) => {
                    self.stage_index.entry(&s.name.name).or_insert(self.stages.len());
                    self.stages.push(s);
                }
            }
        }
        // The image references stages build on, as written: BuildKit reads
        // `FROM x` as the stage named `x` (in any case) when there is one.
        let mut base_images: HashMap<String, Span> = HashMap::new();
        for stage in &self.stages {
            let reference = match &stage.base {
                BaseRef::Image(text) => Some(text),
                BaseRef::Name(name) => self.images.get(name.name.as_str()).map(|i| &i.reference),
            };
            if let Some(text) = reference {
                if let Some(literal) = text.as_literal() {
                    base_images
                        .entry(literal.to_ascii_lowercase())
                        .or_insert(text.span);
                }
            }
        }
        for stage in self.stages.clone() {
            let lower = stage.name.name.to_ascii_lowercase();
            if lower != stage.name.name {
                self.report(
                    Diagnostic::new(
                        Code::StageNameCase,
                        format!("stage name `{}` is not lowercase", stage.name.name),
                    )
                    .primary(stage.name.span, "Dockerfile stage names are lowercase")
                    .help(format!("rename the stage `{lower}`")),
                );
            }
            // A stage named like an image takes the image's place: BuildKit
            // resolves `FROM scratch` (or `FROM alpine`) to such a stage.
            if RESERVED_STAGE_NAMES.contains(&lower.as_str()) {
                self.report(
                    Diagnostic::new(
                        Code::ReservedStageName,
                        format!("`{}` cannot name a stage", stage.name.name),
                    )
                    .primary(
                        stage.name.span,
                        if lower == "scratch" {
                            "a stage built `from \"scratch\"` would build on this stage, not on the empty image"
                        } else {
                            "BuildKit reserves `context` for the build context"
                        },
                    )
                    .help(format!("rename the stage, such as `{lower}-stage`")),
                );
            } else if let Some(image) = base_images.get(&lower) {
                self.report(
                    Diagnostic::new(
                        Code::ReservedStageName,
                        format!("stage `{}` has the name of an image this program builds on", stage.name.name),
                    )
                    .primary(
                        stage.name.span,
                        format!("`FROM {lower}` would build on this stage, not on the image"),
                    )
                    .secondary(*image, "meant as an image here")
                    .help(format!(
                        "rename the stage, or give the image its tag (`{lower}:<tag>`), which no stage name can take"
                    )),
                );
            }
            let mut artifacts = BTreeMap::new();
            for step in &stage.steps {
                if let StepKind::Produce {
                    name,
                    kind,
                    kind_span,
                    path,
                } = &step.kind
                {
                    if let Some(first) = artifacts.get(name.name.as_str()).map(|a: &Artifact| a.span) {
                        self.report(
                            Diagnostic::new(
                                Code::DuplicateName,
                                format!("stage `{}` produces `{}` twice", stage.name.name, name.name),
                            )
                            .primary(name.span, "declared again here")
                            .secondary(first, "first declared here")
                            .help("give each artifact of a stage its own name"),
                        );
                        continue;
                    }
                    artifacts.insert(
                        name.name.as_str(),
                        Artifact {
                            kind: *kind,
                            kind_span: *kind_span,
                            path: path.display(),
                            span: name.span,
                        },
                    );
                }
            }
            self.artifacts.push(artifacts);
        }
    }

    /// The span of the capability line `which` matches in the image named
    /// `name`, or `fallback` when the image declares no such line.
    fn capability_span(&self, name: &str, fallback: Span, which: impl Fn(&ast::Capability) -> bool) -> Span {
        self.images
            .get(name)
            .and_then(|image| image.capabilities.iter().find(|c| which(c)))
            .map(|c| match c {
                ast::Capability::Libc(_, s)
                | ast::Capability::Shell(_, s)
                | ast::Capability::Passwd(_, s)
                | ast::Capability::User(_, s)
                | ast::Capability::Packages(_, s) => *s,
            })
            .unwrap_or(fallback)
    }

    fn image_capabilities_of(&mut self, image: &ast::ImageDecl) -> Capabilities {
        // A `${param}` in the tag leaves the repository, and so the table, usable.
        let mut caps = images::builtin(&image.reference.display()).unwrap_or_default();
        for cap in &image.capabilities {
            match cap {
                ast::Capability::Libc(l, _) => caps.libc = Some(*l),
                ast::Capability::Shell(s, _) => caps.shell = Some(*s),
                ast::Capability::Passwd(p, _) => caps.passwd = Some(*p),
                ast::Capability::User(u, _) => caps.user = Some(u.clone()),
                ast::Capability::Packages(p, _) => caps.packages = Some(*p),
            }
        }
        caps
    }

    fn check_params(&mut self) -> Vec<ir::Param> {
        let mut params = Vec::new();
        for item in &self.program.items {
            let Item::Param(p) = item else { continue };
            values::check_variable_name(self, &p.name, "a param");
            if let (Some(required), Some(default)) = (p.required, &p.default) {
                self.report(
                    Diagnostic::new(
                        Code::ParamType,
                        format!("param `{}` is `required` and has a default", p.name.name),
                    )
                    .primary(required, "required here")
                    .secondary(default.span(), "yet given a default here")
                    .help("drop the default, or drop `required`"),
                );
            }
            if let ast::ParamType::Enum(options) = &p.ty {
                let mut seen: HashMap<String, Span> = HashMap::new();
                for option in options {
                    let text = option.display();
                    if let Some(first) = seen.get(&text) {
                        self.report(
                            Diagnostic::new(Code::DuplicateName, format!("`{text}` is listed twice"))
                                .primary(option.span, "listed again here")
                                .secondary(*first, "first listed here")
                                .help("list each choice once"),
                        );
                    }
                    seen.insert(text, option.span);
                }
            }
            let default = p.default.as_ref().and_then(|d| self.param_default(p, d));
            params.push(ir::Param {
                name: p.name.name.clone(),
                default,
                required: p.required.is_some(),
            });
        }
        params
    }

    fn param_default(&mut self, p: &ast::ParamDecl, default: &ast::Value) -> Option<String> {
        let (fits, text) = match (&p.ty, default) {
            (ast::ParamType::String, ast::Value::Text(t)) => (true, t.display()),
            (ast::ParamType::Bool, ast::Value::Bool(b, _)) => (true, b.to_string()),
            (ast::ParamType::Int, ast::Value::Number(n, _)) => (true, n.clone()),
            (ast::ParamType::Enum(options), ast::Value::Text(t)) => {
                let text = t.display();
                let fits = options.iter().any(|o| o.display() == text);
                if !fits {
                    let choices: Vec<String> =
                        options.iter().map(|o| format!("\"{}\"", o.display())).collect();
                    self.report(
                        Diagnostic::new(
                            Code::ParamType,
                            format!("`{text}` is not one of the choices of param `{}`", p.name.name),
                        )
                        .primary(t.span, "not a choice")
                        .secondary(p.ty_span, "the choices are listed here")
                        .help(format!("use one of {}", choices.join(", "))),
                    );
                    return None;
                }
                (true, text)
            }
            _ => (false, String::new()),
        };
        if !fits {
            let ty = match &p.ty {
                ast::ParamType::String => "a string",
                ast::ParamType::Bool => "`true` or `false`",
                ast::ParamType::Int => "a number",
                ast::ParamType::Enum(_) => "one of the enum's strings",
            };
            self.report(
                Diagnostic::new(
                    Code::ParamType,
                    format!("the default of param `{}` does not fit its type", p.name.name),
                )
                .primary(default.span(), format!("expected {ty}"))
                .secondary(p.ty_span, "the type is given here")
                .help(format!("write {ty} as the default")),
            );
            return None;
        }
        if let ast::Value::Text(t) = default {
            for var in t.vars() {
                self.report(
                    Diagnostic::new(Code::InvalidValue, "a param default cannot use other variables")
                        .primary(var.span, "interpolation in a default")
                        .help("write the default as plain text"),
                );
            }
            if t.display().chars().any(char::is_control) {
                self.report(values::control_character(t.span));
            }
        }
        Some(text)
    }

    // ---- graph -------------------------------------------------------------

    fn resolve_base(&mut self, index: usize) -> ResolvedBase<'a> {
        let stage = self.stages[index];
        match &stage.base {
            BaseRef::Name(name) => {
                if let Some(&base) = self.stage_index.get(name.name.as_str()) {
                    return ResolvedBase::Stage(base);
                }
                if let Some(image) = self.images.get(name.name.as_str()).copied() {
                    self.used_images.insert(&image.name.name);
                    return ResolvedBase::Image {
                        name: image.name.name.clone(),
                        reference: &image.reference,
                        capabilities: self.image_capabilities[image.name.name.as_str()].clone(),
                        span: image.span,
                    };
                }
                let candidates: Vec<&str> = self
                    .images
                    .keys()
                    .chain(self.stage_index.keys())
                    .copied()
                    .collect();
                let mut d = Diagnostic::new(
                    Code::UnknownImage,
                    format!("no image or stage is named `{}`", name.name),
                )
                .primary(name.span, "not declared");
                d = match did_you_mean(&name.name, candidates) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None => d.help(format!(
                        "declare it first: `image {} = \"repository:tag\"`, or write the reference in place: `from \"{}:tag\"`",
                        name.name, name.name
                    )),
                };
                self.report(d);
                ResolvedBase::Unknown
            }
            BaseRef::Image(reference) => {
                let capabilities = images::builtin(&reference.display()).unwrap_or_default();
                ResolvedBase::Image {
                    name: reference.display(),
                    reference,
                    capabilities,
                    span: reference.span,
                }
            }
        }
    }

    fn collect_edges(&mut self, bases: &[ResolvedBase<'a>]) {
        for (index, stage) in self.stages.clone().into_iter().enumerate() {
            let mut edges = Vec::new();
            if let ResolvedBase::Stage(base) = bases[index] {
                edges.push((
                    base,
                    stage.base.span(),
                    format!(
                        "`{}` builds from `{}`",
                        stage.name.name, self.stages[base].name.name
                    ),
                ));
            }
            for step in &stage.steps {
                if let StepKind::CopyArtifact { artifact, .. } = &step.kind {
                    if let Some(from) = self.resolve_artifact_stage(artifact) {
                        edges.push((
                            from,
                            artifact.span,
                            format!("`{}` copies `{}`", stage.name.name, artifact.display()),
                        ));
                    }
                }
            }
            self.edges.push(edges);
        }
    }

    /// The producing stage of `stage.artifact`, reporting what does not resolve.
    fn resolve_artifact_stage(&mut self, artifact: &ast::ArtifactRef) -> Option<usize> {
        let Some(stage_name) = &artifact.stage else {
            let producers: Vec<String> = self
                .artifacts
                .iter()
                .enumerate()
                .filter(|(_, a)| a.contains_key(artifact.name.name.as_str()))
                .map(|(i, _)| format!("`{}.{}`", self.stages[i].name.name, artifact.name.name))
                .collect();
            let help = if producers.is_empty() {
                "a copy between stages names the stage and its artifact: `copy build.server to /app/server`"
                    .to_string()
            } else {
                format!("name the stage that produces it: {}", producers.join(" or "))
            };
            self.report(
                Diagnostic::new(
                    Code::UnknownArtifact,
                    format!("`{}` does not say which stage produces it", artifact.name.name),
                )
                .primary(artifact.span, "a stage's artifact is written `stage.artifact`")
                .help(help),
            );
            return None;
        };
        let Some(&from) = self.stage_index.get(stage_name.name.as_str()) else {
            let mut d = Diagnostic::new(
                Code::UnknownStage,
                format!("no stage is named `{}`", stage_name.name),
            )
            .primary(stage_name.span, "not a stage");
            let stage_names: Vec<&str> = self.stage_index.keys().copied().collect();
            d = match did_you_mean(&stage_name.name, stage_names) {
                Some(s) => d.help(format!("did you mean `{s}`?")),
                None if artifact.stage.is_some() => d.help(format!(
                    "to copy `{}` from the build context, leave out `to`: `copy {} ./`",
                    artifact.display(),
                    artifact.display()
                )),
                None => d,
            };
            self.report(d);
            return None;
        };
        if !self.artifacts[from].contains_key(artifact.name.name.as_str()) {
            let names: Vec<&str> = self.artifacts[from].keys().copied().collect();
            let mut d = Diagnostic::new(
                Code::UnknownArtifact,
                format!(
                    "stage `{}` produces no artifact `{}`",
                    stage_name.name, artifact.name.name
                ),
            )
            .primary(artifact.name.span, "not produced by that stage")
            .secondary(
                self.stages[from].name.span,
                format!("stage `{}` is declared here", stage_name.name),
            );
            d = match did_you_mean(&artifact.name.name, names.iter().copied()) {
                Some(s) => d.help(format!("did you mean `{}.{s}`?", stage_name.name)),
                None if names.is_empty() => d.help(format!(
                    "declare it in `{}`: `produce {}: exe(static) = /out/{}`",
                    stage_name.name, artifact.name.name, artifact.name.name
                )),
                None => d.help(format!(
                    "`{}` produces {}",
                    stage_name.name,
                    names
                        .iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            };
            self.report(d);
            return None;
        }
        self.used_artifacts.insert((from, artifact.name.name.clone()));
        Some(from)
    }

    /// Stages with their dependencies first, in declaration order where free.
    /// Stages in or behind a cycle are left out, and each cycle is reported.
    fn topological_order(&mut self) -> Vec<usize> {
        let n = self.stages.len();
        let mut waiting_on: Vec<usize> = self.edges.iter().map(|e| e.len()).collect();
        let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (stage, edges) in self.edges.iter().enumerate() {
            for &(dep, _, _) in edges {
                dependents[dep].push(stage);
            }
        }
        let mut ready: BTreeSet<usize> = (0..n).filter(|&i| waiting_on[i] == 0).collect();
        let mut order = Vec::with_capacity(n);
        while let Some(stage) = ready.pop_first() {
            order.push(stage);
            for &d in &dependents[stage] {
                waiting_on[d] -= 1;
                if waiting_on[d] == 0 {
                    ready.insert(d);
                }
            }
        }
        if order.len() < n {
            self.report_cycles(&waiting_on);
        }
        order
    }

    fn report_cycles(&mut self, waiting_on: &[usize]) {
        let stuck: Vec<bool> = waiting_on.iter().map(|&w| w > 0).collect();
        let mut visited = vec![false; self.stages.len()];
        for start in 0..self.stages.len() {
            if !stuck[start] || visited[start] {
                continue;
            }
            let mut path: Vec<(usize, usize)> = Vec::new(); // (stage, edge index)
            let mut position: HashMap<usize, usize> = HashMap::new();
            let mut current = start;
            loop {
                if let Some(&at) = position.get(&current) {
                    self.report_cycle(&path[at..]);
                    break;
                }
                if visited[current] {
                    break;
                }
                visited[current] = true;
                position.insert(current, path.len());
                let Some(edge) = self.edges[current].iter().position(|&(dep, _, _)| stuck[dep]) else {
                    break;
                };
                path.push((current, edge));
                current = self.edges[current][edge].0;
            }
        }
    }

    fn report_cycle(&mut self, cycle: &[(usize, usize)]) {
        // A long cycle shows its first and last edges: every edge of a
        // cycle through thousands of stages would bury the point (and cost
        // the renderer time that grows with the square of the labels).
        const SHOWN_AT_EACH_END: usize = 5;
        let shown: Vec<(usize, usize)> = if cycle.len() > 2 * SHOWN_AT_EACH_END {
            cycle[..SHOWN_AT_EACH_END]
                .iter()
                .chain(&cycle[cycle.len() - SHOWN_AT_EACH_END..])
                .copied()
                .collect()
        } else {
            cycle.to_vec()
        };
        let name = |&(s, _): &(usize, usize)| self.stages[s].name.name.as_str();
        let path = if shown.len() < cycle.len() {
            let head: Vec<&str> = cycle[..SHOWN_AT_EACH_END].iter().map(name).collect();
            let tail: Vec<&str> = cycle[cycle.len() - SHOWN_AT_EACH_END..]
                .iter()
                .map(name)
                .collect();
            format!(
                "{} -> ... -> {} -> {} ({} stages)",
                head.join(" -> "),
                tail.join(" -> "),
                name(&cycle[0]),
                cycle.len()
            )
        } else {
            let mut names: Vec<&str> = cycle.iter().map(name).collect();
            names.push(names[0]);
            names.join(" -> ")
        };
        let (first_stage, first_edge) = cycle[0];
        let (_, first_span, first_label) = &self.edges[first_stage][first_edge];
        let mut d = Diagnostic::new(
            Code::Cycle,
            format!("stages depend on each other in a cycle: {path}"),
        )
        .primary(*first_span, first_label.clone());
        for &(stage, edge) in &shown[1..] {
            let (_, span, label) = &self.edges[stage][edge];
            d = d.secondary(*span, label.clone());
        }
        let d = d.help(
            "a stage cannot need itself: move the shared steps into a `base` stage that both build from",
        );
        self.report(d);
    }

    fn default_target(&mut self) -> Option<usize> {
        let runtimes: Vec<usize> = (0..self.stages.len())
            .filter(|&i| self.stages[i].role == Role::Runtime)
            .collect();
        let marked: Vec<usize> = (0..self.stages.len())
            .filter(|&i| self.stages[i].default.is_some())
            .collect();
        for &i in &marked {
            let stage = self.stages[i];
            if stage.role != Role::Runtime {
                self.report(
                    Diagnostic::new(
                        Code::DefaultTarget,
                        format!(
                            "the {} `{}` is marked `default`",
                            stage.role.as_str(),
                            stage.name.name
                        ),
                    )
                    .primary(
                        stage.default.unwrap_or_default(),
                        "only a runtime can be the default target",
                    )
                    .secondary(
                        stage.role_span,
                        format!("`{}` is a {}", stage.name.name, stage.role.as_str()),
                    )
                    .help("mark a runtime `default`, or make this stage a runtime"),
                );
            }
        }
        let marked_runtimes: Vec<usize> = marked
            .iter()
            .copied()
            .filter(|&i| self.stages[i].role == Role::Runtime)
            .collect();
        let target = match (runtimes.as_slice(), marked_runtimes.as_slice()) {
            ([], _) => {
                let span = self.stages.last().map(|s| s.role_span).unwrap_or_default();
                let mut d = Diagnostic::new(Code::NoRuntime, "the program has no runtime stage")
                    .primary(span, "no stage here is a runtime");
                d = d.help("declare the image you ship as a runtime: `runtime app from static { ... }`");
                self.report(d);
                return None;
            }
            ([only], _) => *only,
            (_, [one]) => *one,
            (_, []) => {
                let first = self.stages[runtimes[0]];
                let mut d = Diagnostic::new(
                    Code::DefaultTarget,
                    format!("{} runtimes and none is marked `default`", runtimes.len()),
                )
                .primary(first.role_span, format!("`{}` is a runtime", first.name.name));
                for &r in &runtimes[1..] {
                    let s = self.stages[r];
                    d = d.secondary(s.role_span, format!("`{}` is a runtime", s.name.name));
                }
                d = d.help(format!(
                    "mark the image `docker build` should make by default: `default runtime {} from ...`",
                    first.name.name
                ));
                self.report(d);
                return None;
            }
            (_, [first, rest @ ..]) => {
                let mut d = Diagnostic::new(Code::DefaultTarget, "more than one runtime is marked `default`")
                    .primary(
                        self.stages[rest[0]].default.unwrap_or_default(),
                        "marked default here",
                    );
                d = d.secondary(self.stages[*first].default.unwrap_or_default(), "and here");
                d = d.help("keep `default` on one runtime");
                self.report(d);
                return None;
            }
        };
        // The default target comes last in the Dockerfile, so nothing may need it.
        for (index, edges) in self.edges.iter().enumerate() {
            if let Some((_, span, _)) = edges.iter().find(|(dep, _, _)| *dep == target) {
                let d = Diagnostic::new(
                    Code::DefaultIsBase,
                    format!(
                        "stage `{}` needs the default runtime `{}`",
                        self.stages[index].name.name, self.stages[target].name.name
                    ),
                )
                .primary(*span, "needs the default runtime")
                .secondary(self.stages[target].name.span, "the default runtime is declared here")
                .help(
                    "the default runtime is the last stage of the Dockerfile: move what both share into a `base` stage, or make the other runtime the default",
                );
                self.diagnostics.push(d);
            }
        }
        Some(target)
    }

    fn mark_reachable(&mut self) -> Vec<bool> {
        let mut reachable = vec![false; self.stages.len()];
        let mut todo: Vec<usize> = (0..self.stages.len())
            .filter(|&i| self.stages[i].role == Role::Runtime)
            .collect();
        while let Some(stage) = todo.pop() {
            if std::mem::replace(&mut reachable[stage], true) {
                continue;
            }
            todo.extend(self.edges[stage].iter().map(|&(dep, _, _)| dep));
        }
        for (index, stage) in self.stages.clone().into_iter().enumerate() {
            if !reachable[index] {
                self.report(
                    Diagnostic::new(
                        Code::UnreachableStage,
                        format!(
                            "no runtime needs the {} `{}`",
                            stage.role.as_str(),
                            stage.name.name
                        ),
                    )
                    .primary(stage.name.span, "left out of the Dockerfile")
                    .help("copy one of its artifacts into a runtime, build a stage from it, or delete it"),
                );
            }
        }
        reachable
    }

    fn check_unused_artifacts(&mut self) {
        for index in 0..self.stages.len() {
            let stage = self.stages[index];
            for (name, artifact) in self.artifacts[index].clone() {
                if !self.used_artifacts.contains(&(index, name.to_string())) {
                    self.report(
                        Diagnostic::new(
                            Code::UnusedArtifact,
                            format!("artifact `{}.{name}` is never used", stage.name.name),
                        )
                        .primary(artifact.span, "produced here, copied nowhere")
                        .help(format!(
                            "copy it into a runtime (`copy {}.{name} to /app/{name}`) or remove the `produce` line",
                            stage.name.name
                        )),
                    );
                }
            }
        }
    }

    /// `cross builder`s: builders only, never under a runtime, and each
    /// should build for the target platform it is handed.
    fn check_cross(&mut self, order: &[usize], bases: &[ResolvedBase<'a>], ir_stages: &[Option<ir::Stage>]) {
        // The cross builder each stage's chain of `from`s starts on, if any.
        let mut on_cross: Vec<Option<usize>> = vec![None; self.stages.len()];
        for &index in order {
            let stage = self.stages[index];
            if let Some(span) = stage.cross {
                if stage.role != Role::Builder {
                    self.report(
                        Diagnostic::new(
                            Code::CrossNotBuilder,
                            format!("`cross` applies to builders, and `{}` is a {}", stage.name.name, stage.role.as_str()),
                        )
                        .primary(span, "only a builder can run on the build platform")
                        .help("a base or runtime is part of the shipped image, so it must be built for the target platform: remove `cross`"),
                    );
                    continue;
                }
                on_cross[index] = Some(index);
                let reads_target = ir_stages[index].as_ref().is_some_and(|s| {
                    s.steps
                        .iter()
                        .flat_map(ir::Step::values)
                        .flat_map(ir::Value::vars)
                        .any(|v| matches!(v, ir::Var::Platform(n) if n.starts_with("TARGET")))
                });
                if !reads_target {
                    self.report(
                        Diagnostic::new(
                            Code::CrossIgnoresTarget,
                            format!("cross builder `{}` never reads the target platform", stage.name.name),
                        )
                        .primary(span, "builds for the build machine's platform")
                        .help("pass the target to the compiler, e.g. `run \"GOOS=${TARGETOS} GOARCH=${TARGETARCH} go build ...\"`, or remove `cross`"),
                    );
                }
            } else if let ResolvedBase::Stage(base) = bases[index] {
                on_cross[index] = on_cross[base];
            }
            if let (Some(origin), Role::Runtime) = (on_cross[index], stage.role) {
                let origin_span = self.stages[origin].cross.unwrap_or(self.stages[origin].name.span);
                self.report(
                    Diagnostic::new(
                        Code::RuntimeOnBuildPlatform,
                        format!(
                            "runtime `{}` is built from cross builder `{}`, on the build machine's platform",
                            stage.name.name, self.stages[origin].name.name
                        ),
                    )
                    .primary(stage.base.span(), "inherits the build platform")
                    .secondary(origin_span, "runs on the build platform")
                    .help("build the runtime from an image and copy the cross builder's artifacts into it: `copy build.server to /app/server`"),
                );
            }
        }
    }

    fn check_images(&mut self) {
        let mut seen = BTreeSet::new();
        // (reference, its span, capabilities declared, the image's name)
        let mut refs: Vec<(String, Span, bool, String)> = Vec::new();
        for item in &self.program.items {
            if let Item::Image(i) = item {
                refs.push((
                    i.reference.display(),
                    i.reference.span,
                    !i.capabilities.is_empty(),
                    i.name.name.clone(),
                ));
            }
        }
        for stage in &self.stages {
            if let BaseRef::Image(t) = &stage.base {
                refs.push((t.display(), t.span, false, format!("{}-base", stage.name.name)));
            }
        }
        for (reference, span, declared, name) in refs {
            // A malformed reference has its own error already.
            if !seen.insert((reference.clone(), span.start)) || reference.chars().any(char::is_whitespace) {
                continue;
            }
            if !reference.contains("${") && !images::is_pinned(&reference) {
                let parts = images::split_reference(&reference);
                let repo = if parts.registry.is_empty() {
                    parts.repository.to_string()
                } else {
                    format!("{}/{}", parts.registry, parts.repository)
                };
                self.report(
                    Diagnostic::new(Code::UnpinnedImage, format!("`{reference}` is not pinned to a version"))
                        .primary(span, "no tag, or `latest`")
                        .help(format!(
                            "name a version so rebuilds get the same image: `\"{repo}:<version>\"` (or pin a digest)"
                        )),
                );
            }
            if !declared && reference.as_str() != "scratch" && images::builtin(&reference).is_none() {
                self.report(
                    Diagnostic::new(
                        Code::UnknownCapabilities,
                        format!("msbc knows nothing of `{reference}`: its libc, shell and users go unchecked"),
                    )
                    .primary(span, "not in msbc's image table")
                    .help(format!(
                        "declare what it has in a block after the reference, one per line: `image {name} = \"{reference}\" {{` then `libc glibc`, `shell yes`, `passwd yes`, `user 0`, then `}}`"
                    )),
                );
            }
        }
    }

    fn value(&mut self, text: &ast::Text, context: Context, env: &BTreeSet<String>) -> ir::Value {
        values::resolve(self, text, context, env)
    }

    // ---- stages ------------------------------------------------------------

    fn check_stage(
        &mut self,
        index: usize,
        base: StageBase,
        mut state: StageState,
    ) -> (ir::Stage, StageState) {
        let stage = self.stages[index];
        let has_shell = state.capabilities.shell != Some(false);
        let mut steps = Vec::new();
        let mut commands: HashMap<&'static str, Span> = HashMap::new();
        // Checked against each other once the whole stage is seen.
        let mut cache_targets: Vec<(String, Span)> = Vec::new();
        let mut produced_here: Vec<(String, &ast::Ident, Span)> = Vec::new();

        for step in &stage.steps {
            match &step.kind {
                StepKind::Comment(text) => steps.push(ir::Step::Comment(text.clone())),
                // Expanded before the checker runs (see `toolchain`).
                StepKind::Toolchain { .. } => {}
                StepKind::Workdir(path) => {
                    let value = self.value(path, Context::Path, &state.env);
                    let absolute = join_value(&state.workdir_value, &value);
                    state.workdir = absolute.display();
                    state.workdir_value = absolute.clone();
                    steps.push(ir::Step::Workdir(absolute));
                }
                StepKind::Env { key, value } => {
                    values::warn_secret_like(self, key, "env variable");
                    let v = self.rhs(value, &state.env);
                    state.env.insert(key.name.clone());
                    steps.push(ir::Step::Env(key.name.clone(), v));
                }
                StepKind::CopyContext {
                    sources,
                    dest,
                    options,
                } => {
                    let mut values_out = Vec::new();
                    for source in sources {
                        values::check_context_path(self, source);
                        values_out.push(self.value(source, Context::Path, &state.env));
                    }
                    let mut dest_value = self.value(dest, Context::Path, &state.env);
                    if values_out.len() > 1 && !dest_value.display().ends_with('/') {
                        dest_value.0.push(ir::ValuePart::Literal("/".to_string()));
                    }
                    let ownership = self.ownership(options, &state);
                    steps.push(ir::Step::CopyContext {
                        sources: values_out,
                        dest: dest_value,
                        ownership,
                    });
                }
                StepKind::CopyArtifact {
                    artifact,
                    dest,
                    options,
                } => {
                    let ownership = self.ownership(options, &state);
                    values::require_plain(self, dest, "where an artifact lands");
                    let mut dest_value = self.value(dest, Context::Path, &state.env);
                    // Written absolute: `COPY --link` then does not depend on WORKDIR.
                    dest_value = join_value(&state.workdir_value, &dest_value);
                    let Some(from) = artifact
                        .stage
                        .as_ref()
                        .and_then(|s| self.stage_index.get(s.name.as_str()).copied())
                    else {
                        continue;
                    };
                    let Some(produced) = self.artifacts[from].get(artifact.name.name.as_str()).cloned()
                    else {
                        continue;
                    };
                    // The producing stage is checked first, so its absolute path is known.
                    let source = self
                        .produced_paths
                        .get(&(from, artifact.name.name.clone()))
                        .cloned()
                        .unwrap_or_else(|| produced.path.clone());
                    let dest_text = dest_value.display();
                    let placed_path = if dest_text.ends_with('/') && produced.kind != ArtifactKind::Dir {
                        join_path(&state.workdir, &format!("{dest_text}{}", basename(&source)))
                    } else {
                        join_path(&state.workdir, &dest_text)
                    };
                    let placed = Placed {
                        qualified: artifact.display(),
                        name: artifact.name.name.clone(),
                        kind: produced.kind,
                        path: placed_path,
                        span: step.span,
                        declared: produced.span,
                    };
                    self.check_linkage(stage, &state, &placed, artifact.span, &produced);
                    self.place(&mut state, placed);
                    steps.push(ir::Step::CopyArtifact {
                        from: StageId(from),
                        artifact: artifact.name.name.clone(),
                        kind: produced.kind,
                        source,
                        dest: dest_value,
                        ownership,
                    });
                }
                StepKind::Run {
                    command,
                    caches: mounts,
                    secrets,
                    ssh,
                    layer,
                } => {
                    if !has_shell {
                        let d = Diagnostic::new(
                            Code::RunWithoutShell,
                            format!("stage `{}` runs a command, but its image has no shell", stage.name.name),
                        )
                        .primary(step.span, "`run` needs /bin/sh")
                        .secondary(state.shell_span, format!("`{}` has no shell", state.image_name))
                        .help(
                            "run commands in a builder and copy the result in, or build this stage from an image with a shell",
                        );
                        self.report(d);
                    }
                    values::check_run_command(self, command);
                    let (secrets, exported) = self.secret_mounts(secrets, &state);
                    // Names a secret is exported as are the command's own variables.
                    let mut env = state.env.clone();
                    env.extend(exported);
                    let command = self.value(command, Context::Run, &env);
                    let mut out = Vec::new();
                    for mount in mounts {
                        values::require_plain(self, &mount.path, "a cache mount path");
                        let target = self.value(&mount.path, Context::Path, &state.env);
                        let target = join_path(&state.workdir, &target.display());
                        values::check_mount_path(self, &target, mount.path.span);
                        cache_targets.push((target.clone(), mount.span));
                        out.push(ir::CacheMount {
                            target,
                            locked: mount.locked,
                        });
                    }
                    steps.push(ir::Step::Run {
                        command,
                        caches: out,
                        secrets,
                        ssh: ssh.is_some(),
                        layer: layer.is_some(),
                    });
                }
                StepKind::Install { packages } => {
                    if let Some(step) = self.install(stage, step.span, packages, has_shell, &state) {
                        steps.push(step);
                    }
                }
                StepKind::User(user, span) => {
                    self.check_user(user, *span, &state, "user");
                    state.user = Some((user.clone(), *span));
                    let value = values::owner_value(self, user, *span, &state.env);
                    steps.push(ir::Step::User(value));
                }
                StepKind::Expose { port, protocol, span } => {
                    if !(1..=65535).contains(port) {
                        self.report(
                            Diagnostic::new(Code::InvalidValue, "a port is a number from 1 to 65535")
                                .primary(*span, "out of range")
                                .help("expose the port the program listens on, such as `8080`"),
                        );
                    }
                    steps.push(ir::Step::Expose(*port, protocol.clone()));
                }
                StepKind::Label { key, value } => {
                    let key_value = self.value(key, Context::Path, &state.env);
                    values::check_label_key(self, key);
                    let v = self.rhs(value, &state.env);
                    steps.push(ir::Step::Label(key_value, v));
                }
                StepKind::Entrypoint(command) | StepKind::Cmd(command) => {
                    let keyword = step.kind.keyword();
                    self.once_per_stage(&mut commands, keyword, step.span);
                    let args = self.command(stage, &state, command, keyword);
                    state.has_command = true;
                    steps.push(if keyword == "cmd" {
                        ir::Step::Cmd(args)
                    } else {
                        ir::Step::Entrypoint(args)
                    });
                }
                StepKind::Healthcheck { command, options } => {
                    self.once_per_stage(&mut commands, "healthcheck", step.span);
                    let args = self.command(stage, &state, command, "healthcheck");
                    let mut check = ir::Healthcheck {
                        command: args,
                        interval: None,
                        timeout: None,
                        start_period: None,
                        retries: None,
                    };
                    for (key, value, span) in options {
                        let is_duration = !value.chars().all(|c| c.is_ascii_digit());
                        let slot = match key {
                            ast::HealthcheckKey::Interval => &mut check.interval,
                            ast::HealthcheckKey::Timeout => &mut check.timeout,
                            ast::HealthcheckKey::StartPeriod => &mut check.start_period,
                            ast::HealthcheckKey::Retries => &mut check.retries,
                        };
                        let wants_duration = *key != ast::HealthcheckKey::Retries;
                        if wants_duration != is_duration {
                            let d = Diagnostic::new(
                                Code::InvalidValue,
                                if wants_duration {
                                    "this healthcheck option takes a duration"
                                } else {
                                    "`retries` takes a count"
                                },
                            )
                            .primary(
                                *span,
                                if wants_duration {
                                    "expected a duration such as `30s`"
                                } else {
                                    "expected a number such as `3`"
                                },
                            )
                            .help("durations end in ms, s, m or h; `retries` is a plain number");
                            self.diagnostics.push(d);
                        }
                        *slot = Some(value.clone());
                    }
                    steps.push(ir::Step::Healthcheck(check));
                }
                StepKind::Produce { name, kind, path, .. } => {
                    values::require_plain(self, path, "an artifact's path");
                    let value = self.value(path, Context::Path, &state.env);
                    let absolute = join_path(&state.workdir, &value.display());
                    produced_here.push((absolute.clone(), name, path.span));
                    self.produced_paths
                        .insert((index, name.name.clone()), absolute.clone());
                    let placed = Placed {
                        qualified: format!("{}.{}", stage.name.name, name.name),
                        name: name.name.clone(),
                        kind: *kind,
                        path: absolute,
                        span: step.span,
                        declared: name.span,
                    };
                    self.place(&mut state, placed);
                }
            }
        }

        for (path, name, span) in produced_here {
            if let Some((cache, cache_span)) = cache_targets.iter().find(|(c, _)| is_within(&path, c)) {
                let d = Diagnostic::new(
                    Code::ArtifactInCache,
                    format!("artifact `{}` lies inside a cache mount", name.name),
                )
                .primary(span, format!("`{path}` is inside `{cache}`"))
                .secondary(*cache_span, "this cache mount is not part of the image")
                .help("write the output outside the cache mount, for example to /out, and produce it from there");
                self.report(d);
            }
        }

        let mut default_user = None;
        if stage.role == Role::Runtime {
            match &state.user {
                Some((user, span)) if is_root(user) => {
                    self.report(
                        Diagnostic::new(
                            Code::RootRuntime,
                            format!("runtime `{}` runs as root", stage.name.name),
                        )
                        .primary(*span, "root here")
                        .help(format!(
                            "drop this line to run as {} by default, or name a non-root user",
                            self.options.runtime_user
                        )),
                    );
                }
                Some(_) => {}
                None => default_user = Some(self.options.runtime_user.clone()),
            }
            if !state.has_command {
                self.report(
                    Diagnostic::new(
                        Code::NoEntrypoint,
                        format!("runtime `{}` has no entrypoint or cmd", stage.name.name),
                    )
                    .primary(stage.name.span, "what does this image run?")
                    .help("add `entrypoint server` (an exe artifact copied into the stage) or `cmd [\"prog\", \"arg\"]`"),
                );
            }
        }

        let ir_stage = ir::Stage {
            name: stage.name.name.clone(),
            role: stage.role,
            docs: stage.docs.clone(),
            base,
            steps,
            reachable: true,
            has_shell,
            pipefail: matches!(
                state.capabilities.packages,
                Some(ir::PackageManager::Apk | ir::PackageManager::Dnf)
            ),
            default_user,
            base_digest: None,
            on_build_platform: stage.cross.is_some() && stage.role == Role::Builder,
        };
        (ir_stage, state)
    }

    /// An `install` step: the image must have a shell and a package manager
    /// msbc knows, and each package is one word, pinned or warned.
    fn install(
        &mut self,
        stage: &ast::StageDecl,
        span: Span,
        packages: &[ast::Text],
        has_shell: bool,
        state: &StageState,
    ) -> Option<ir::Step> {
        let manager = state.capabilities.packages;
        if !has_shell {
            let d = Diagnostic::new(
                Code::RunWithoutShell,
                format!(
                    "stage `{}` installs packages, but its image has no shell",
                    stage.name.name
                ),
            )
            .primary(span, "`install` runs the package manager through /bin/sh")
            .secondary(state.shell_span, format!("`{}` has no shell", state.image_name))
            .help(
                "install in a builder and copy the result in, or build this stage from an image with a shell",
            );
            self.report(d);
        } else if matches!(manager, None | Some(ir::PackageManager::None)) {
            let (message, label) = match manager {
                None => (
                    format!(
                        "stage `{}` installs packages, but msbc does not know the package manager of `{}`",
                        stage.name.name, state.image_name
                    ),
                    format!("`{}`: package manager unknown", state.image_name),
                ),
                Some(_) => (
                    format!(
                        "stage `{}` installs packages, but `{}` has no package manager",
                        stage.name.name, state.image_name
                    ),
                    format!("`{}` has no package manager", state.image_name),
                ),
            };
            let d = Diagnostic::new(Code::NoPackageManager, message)
                .primary(span, "`install` needs apt, apk or dnf")
                .secondary(state.packages_span, label)
                .help(match manager {
                    None => "name the image's package manager in its capability block: `image base = \"...\" { packages apt }` (or apk, dnf)",
                    Some(_) => "install in a builder built from an image with a package manager, and copy the result in",
                });
            self.report(d);
        }
        let mut values = Vec::new();
        for package in packages {
            let value = self.value(package, Context::Path, &state.env);
            let literal: String = value
                .0
                .iter()
                .map(|p| match p {
                    ir::ValuePart::Literal(s) => s.as_str(),
                    ir::ValuePart::Var(_) => "x",
                })
                .collect();
            let valid = !literal.is_empty()
                && !literal.starts_with(['-', '='])
                && literal.chars().all(|c| {
                    c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-' | '_' | ':' | '~' | '=' | '@')
                });
            if !valid {
                self.report(
                    Diagnostic::new(Code::InvalidValue, format!("`{}` is not a package name", package.display()))
                        .primary(package.span, "one package per string: a name, or `name=version`")
                        .help("write each package as its own string, such as `install \"curl\" \"ca-certificates=20230311\"`"),
                );
            } else if !literal.contains('=') {
                self.report(
                    Diagnostic::new(Code::UnpinnedPackage, format!("package `{}` is not pinned to a version", package.display()))
                        .primary(package.span, "no `=version`")
                        .help("pin it so rebuilds get the same files: `\"name=version\"` (or allow W0008 under [lints] in msbc.toml)"),
                );
            }
            values.push(value);
        }
        match manager {
            Some(manager) if manager != ir::PackageManager::None && has_shell => Some(ir::Step::Install {
                manager,
                packages: values,
            }),
            _ => None,
        }
    }

    /// The secrets a run step mounts, and the names it exports them as.
    fn secret_mounts(
        &mut self,
        mounts: &[ast::SecretMount],
        state: &StageState,
    ) -> (Vec<ir::SecretMount>, Vec<String>) {
        let mut out = Vec::new();
        let mut exported = Vec::new();
        for mount in mounts {
            if !self.secrets.contains_key(mount.name.name.as_str()) {
                let names: Vec<&str> = self.secrets.keys().copied().collect();
                let mut d = Diagnostic::new(
                    Code::UnknownSecret,
                    format!("no secret is named `{}`", mount.name.name),
                )
                .primary(mount.name.span, "not declared");
                d = match did_you_mean(&mount.name.name, names) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None => d.help(format!(
                        "declare it at the top of the file: `secret {}`; the build then takes it with `--secret id={}`",
                        mount.name.name, mount.name.name
                    )),
                };
                self.report(d);
                continue;
            }
            let (target, env) = match &mount.target {
                ast::SecretTarget::Default => (None, None),
                ast::SecretTarget::Path(path) => {
                    values::require_plain(self, path, "a secret's mount path");
                    let target = join_path(&state.workdir, &path.display());
                    values::check_mount_path(self, &target, path.span);
                    (Some(target), None)
                }
                ast::SecretTarget::Env(var) => {
                    values::check_variable_name(self, var, "the variable a secret is exported as");
                    exported.push(var.name.clone());
                    (None, Some(var.name.clone()))
                }
            };
            out.push(ir::SecretMount {
                id: mount.name.name.clone(),
                target,
                env,
            });
        }
        (out, exported)
    }

    fn rhs(&mut self, value: &ast::Value, env: &BTreeSet<String>) -> ir::Value {
        match value {
            ast::Value::Text(t) => self.value(t, Context::Instruction, env),
            ast::Value::Number(n, _) => ir::Value::literal(n.clone()),
            ast::Value::Bool(b, _) => ir::Value::literal(b.to_string()),
        }
    }

    fn once_per_stage(&mut self, seen: &mut HashMap<&'static str, Span>, keyword: &'static str, span: Span) {
        if let Some(first) = seen.get(keyword) {
            self.report(
                Diagnostic::new(
                    Code::RepeatedInstruction,
                    format!("`{keyword}` is given twice in one stage"),
                )
                .primary(span, "given again here")
                .secondary(*first, "first given here")
                .help(format!(
                    "only the last `{keyword}` of a stage takes effect: keep one"
                )),
            );
        } else {
            seen.insert(keyword, span);
        }
    }

    fn ownership(&mut self, options: &ast::CopyOptions, state: &StageState) -> ir::Ownership {
        let chown = options.chown.as_ref().map(|(owner, span)| {
            self.check_user(owner, *span, state, "chown");
            values::owner_value(self, owner, *span, &state.env)
        });
        let chmod = options.chmod.as_ref().map(|(mode, span)| {
            let valid = (3..=4).contains(&mode.len()) && mode.chars().all(|c| ('0'..='7').contains(&c));
            if !valid {
                self.report(
                    Diagnostic::new(Code::InvalidValue, format!("`{mode}` is not a file mode"))
                        .primary(*span, "expected three or four octal digits")
                        .help("write the mode in octal, such as `0755` or `644`"),
                );
            }
            mode.clone()
        });
        ir::Ownership { chown, chmod }
    }

    fn check_user(&mut self, user: &str, span: Span, state: &StageState, keyword: &str) {
        let names: Vec<&str> = user.split(':').collect();
        let by_name = names.iter().any(|part| {
            !part.is_empty() && !part.chars().all(|c| c.is_ascii_digit()) && !part.starts_with('$')
        });
        if by_name && state.capabilities.passwd == Some(false) {
            let suggestion = if names.first() == Some(&"root") {
                "0".to_string()
            } else {
                "65532:65532".to_string()
            };
            self.report(
                Diagnostic::new(
                    Code::UserNameWithoutPasswd,
                    format!("`{user}` names a user, but the image has no user database"),
                )
                .primary(span, format!("`{keyword}` by name needs /etc/passwd"))
                .secondary(
                    state.passwd_span,
                    format!("`{}` has no /etc/passwd", state.image_name),
                )
                .help(format!("give the user as numbers: `{keyword} {suggestion}`")),
            );
        }
    }

    fn command(
        &mut self,
        stage: &ast::StageDecl,
        state: &StageState,
        command: &ast::Command,
        keyword: &str,
    ) -> Vec<ir::Value> {
        match command {
            ast::Command::Shell(text) => {
                if state.capabilities.shell == Some(false) {
                    self.report(
                        Diagnostic::new(
                            Code::ShellFormWithoutShell,
                            format!(
                                "this `{keyword}` needs a shell, and stage `{}` has none",
                                stage.name.name
                            ),
                        )
                        .primary(text.span, "a string command runs through /bin/sh -c")
                        .secondary(state.shell_span, format!("`{}` has no shell", state.image_name))
                        .help(format!("write it in exec form: `{keyword} [\"prog\", \"arg\"]`")),
                    );
                }
                let script = self.value(text, Context::CommandShell, &state.env);
                vec![ir::Value::literal("/bin/sh"), ir::Value::literal("-c"), script]
            }
            ast::Command::Exec(args, _) => {
                let mut out = Vec::new();
                for (position, arg) in args.iter().enumerate() {
                    // The first argument is the program and must be an exe; later
                    // ones are paths handed to it, of any kind.
                    let runs = position == 0;
                    match arg {
                        ast::CommandArg::Text(t) => out.push(self.value(t, Context::Exec, &state.env)),
                        ast::CommandArg::Artifact(r) => {
                            match self.command_artifact(stage, state, r, keyword, runs) {
                                Some(path) => out.push(ir::Value::literal(path)),
                                None => out.push(ir::Value::default()),
                            }
                        }
                    }
                }
                out
            }
        }
    }

    /// The path where an artifact named in a command lies in this stage.
    fn command_artifact(
        &mut self,
        stage: &ast::StageDecl,
        state: &StageState,
        r: &ast::ArtifactRef,
        keyword: &str,
        runs: bool,
    ) -> Option<String> {
        let wanted = r.display();
        let found: Vec<&Placed> = state
            .placed
            .iter()
            .filter(|p| {
                if r.stage.is_some() {
                    p.qualified == wanted
                } else {
                    p.name == r.name.name
                }
            })
            .collect();
        let placed = match found.as_slice() {
            [] => {
                let names: Vec<&str> = state.placed.iter().map(|p| p.name.as_str()).collect();
                let mut d = Diagnostic::new(
                    Code::UnknownArtifact,
                    format!("no artifact `{wanted}` lies in stage `{}`", stage.name.name),
                )
                .primary(r.span, "not copied into or produced in this stage");
                d = match did_you_mean(&r.name.name, names) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None => {
                        let producer = self
                            .artifacts
                            .iter()
                            .position(|a| a.contains_key(r.name.name.as_str()))
                            .map(|i| self.stages[i].name.name.clone())
                            .unwrap_or_else(|| "<stage>".to_string());
                        d.help(format!(
                            "copy it in first: `copy {producer}.{} to /app/{}`",
                            r.name.name, r.name.name
                        ))
                    }
                };
                self.report(d);
                return None;
            }
            [one] => (*one).clone(),
            [first, second, ..] if first.qualified == second.qualified => {
                let d = Diagnostic::new(
                    Code::UnknownArtifact,
                    format!(
                        "`{wanted}` lies at more than one path in stage `{}`",
                        stage.name.name
                    ),
                )
                .primary(r.span, "which copy is meant?")
                .secondary(first.span, format!("copied to `{}` here", first.path))
                .secondary(second.span, format!("and to `{}` here", second.path))
                .help(format!(
                    "copy it once, or name the path itself: `[\"{}\"]`",
                    first.path
                ));
                self.report(d);
                return None;
            }
            [first, second, ..] => {
                let d = Diagnostic::new(
                    Code::UnknownArtifact,
                    format!("`{wanted}` could mean more than one artifact"),
                )
                .primary(r.span, "ambiguous")
                .secondary(first.span, format!("`{}` lies here", first.qualified))
                .secondary(second.span, format!("`{}` lies here", second.qualified))
                .help(format!("name it with its stage: `{}`", first.qualified));
                self.report(d);
                return None;
            }
        };
        if runs && !matches!(placed.kind, ArtifactKind::Exe(_)) {
            self.report(
                Diagnostic::new(
                    Code::NotExecutable,
                    format!("`{keyword}` runs `{wanted}`, which is {}, not an exe", with_article(placed.kind)),
                )
                .primary(r.span, "an exe is needed here")
                .secondary(placed.declared, format!("declared as {} here", with_article(placed.kind)))
                .help("declare the program as `exe(static)`, `exe(glibc)` or `exe(musl)`, or run it through its interpreter: `[\"python3\", app]` (only the first argument must be an exe)"),
            );
        }
        Some(placed.path)
    }

    fn check_linkage(
        &mut self,
        stage: &ast::StageDecl,
        state: &StageState,
        placed: &Placed,
        at: Span,
        produced: &Artifact,
    ) {
        let ArtifactKind::Exe(linkage) = placed.kind else {
            return;
        };
        if stage.role != Role::Runtime {
            return;
        }
        let Some(libc) = state.capabilities.libc else {
            return;
        };
        let needed = match linkage {
            Linkage::Static => return,
            Linkage::Glibc => Libc::Glibc,
            Linkage::Musl => Libc::Musl,
        };
        if libc == needed {
            return;
        }
        let has = match libc {
            Libc::None => "no libc at all".to_string(),
            other => other.as_str().to_string(),
        };
        let d = Diagnostic::new(
            Code::LibcMismatch,
            format!(
                "`{}` is linked against {}, but runtime `{}` has {has}",
                placed.qualified,
                needed.as_str(),
                stage.name.name
            ),
        )
        .primary(at, format!("a {} exe copied here would fail with \"no such file or directory\"", needed.as_str()))
        .secondary(produced.kind_span, format!("declared exe({}) here", linkage.as_str()))
        .secondary(state.libc_span, format!("`{}` has {has}", state.image_name))
        .help(match libc {
            Libc::None => "link the program statically (for Go: CGO_ENABLED=0; for Rust: a musl target) and declare it `exe(static)`, or use a runtime image with that libc such as gcr.io/distroless/cc-debian12".to_string(),
            _ => format!("build the program for {has} (or statically), or run it on an image with {}", needed.as_str()),
        });
        self.report(d);
    }

    fn place(&mut self, state: &mut StageState, placed: Placed) {
        if let Some(existing) = state.placed.iter().find(|p| p.path == placed.path).cloned() {
            let one_dir = (existing.kind == ArtifactKind::Dir) != (placed.kind == ArtifactKind::Dir);
            let d = if one_dir && placed.kind == ArtifactKind::Dir {
                Diagnostic::new(
                    Code::DirOnFile,
                    format!(
                        "dir `{}` would land on the {} `{}`",
                        placed.qualified, existing.kind, existing.qualified
                    ),
                )
                .primary(placed.span, format!("copies a dir to `{}`", placed.path))
                .secondary(
                    existing.span,
                    format!("`{}` already lies there", existing.qualified),
                )
                .help("copy the dir to a path of its own")
            } else if one_dir {
                Diagnostic::new(
                    Code::DirOnFile,
                    format!(
                        "{} `{}` would land on the dir `{}`",
                        placed.kind, placed.qualified, existing.qualified
                    ),
                )
                .primary(placed.span, format!("copies to `{}`", placed.path))
                .secondary(
                    existing.span,
                    format!("the dir `{}` lies there", existing.qualified),
                )
                .help("copy it into the dir with a trailing slash (`to /app/`), or to a path of its own")
            } else if existing.qualified == placed.qualified {
                Diagnostic::new(
                    Code::PathClash,
                    format!("`{}` is put on `{}` twice", placed.qualified, placed.path),
                )
                .primary(placed.span, "the second time")
                .secondary(existing.span, "the first time")
                .help("remove one of the two steps")
            } else {
                Diagnostic::new(
                    Code::PathClash,
                    format!(
                        "`{}` and `{}` both land on `{}`",
                        existing.qualified, placed.qualified, placed.path
                    ),
                )
                .primary(placed.span, "the second lands here")
                .secondary(existing.span, "the first lands here")
                .help("give each artifact its own path")
            };
            self.report(d);
            // Still placed, so that later steps naming it resolve.
            if existing.qualified != placed.qualified {
                state.placed.push(placed);
            }
            return;
        }
        if placed.kind == ArtifactKind::Dir {
            if let Some(inside) = state
                .placed
                .iter()
                .find(|p| p.kind != ArtifactKind::Dir && is_within(&placed.path, &p.path))
                .cloned()
            {
                self.report(
                    Diagnostic::new(
                        Code::DirOnFile,
                        format!(
                            "dir `{}` would land inside the {} `{}`",
                            placed.qualified, inside.kind, inside.qualified
                        ),
                    )
                    .primary(placed.span, format!("copies a dir to `{}`", placed.path))
                    .secondary(
                        inside.span,
                        format!(
                            "`{}` is {} at `{}`",
                            inside.qualified,
                            with_article(inside.kind),
                            inside.path
                        ),
                    )
                    .help("a file cannot hold a dir: copy the dir to a path of its own"),
                );
            }
        }
        state.placed.push(placed);
    }
}

fn is_root(user: &str) -> bool {
    let name = user.split(':').next().unwrap_or(user);
    name == "0" || name == "root"
}

/// `path` equals `dir` or lies below it.
fn is_within(path: &str, dir: &str) -> bool {
    let dir = dir.trim_end_matches('/');
    path == dir || dir.is_empty() || path.starts_with(&format!("{dir}/"))
}

fn basename(path: &str) -> &str {
    path.trim_end_matches('/').rsplit('/').next().unwrap_or(path)
}

/// `path` made absolute against `base`. A path that starts with a variable
/// is taken as absolute; `.` and `..` resolve where both are plain text.
fn join_value(base: &ir::Value, path: &ir::Value) -> ir::Value {
    if let (Some(base), Some(path)) = (base.as_literal(), path.as_literal()) {
        return ir::Value::literal(join_path(&base, &path));
    }
    let absolute = match path.0.first() {
        Some(ir::ValuePart::Var(_)) => true,
        Some(ir::ValuePart::Literal(s)) => s.starts_with('/'),
        None => false,
    };
    if absolute {
        return path.clone();
    }
    let mut parts = base.0.clone();
    if !base.display().ends_with('/') {
        parts.push(ir::ValuePart::Literal("/".to_string()));
    }
    let relative = path.0.iter().cloned().map(|part| match part {
        ir::ValuePart::Literal(s) => ir::ValuePart::Literal(s.trim_start_matches("./").to_string()),
        var => var,
    });
    parts.extend(relative);
    ir::Value(parts)
}

/// A path made absolute against `workdir`, with `.` and `..` resolved.
pub(crate) fn join_path(workdir: &str, path: &str) -> String {
    let joined = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{}/{}", workdir.trim_end_matches('/'), path)
    };
    let trailing = joined.ends_with('/') && joined.len() > 1;
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    let mut out = format!("/{}", parts.join("/"));
    if trailing && out.len() > 1 {
        out.push('/');
    }
    out
}

/// `a file`, `a dir`, `an exe(static)`.
fn with_article(kind: ArtifactKind) -> String {
    match kind {
        ArtifactKind::Exe(_) => format!("an {kind}"),
        _ => format!("a {kind}"),
    }
}
