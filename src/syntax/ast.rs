//! The syntax tree: an owned, pest-free picture of one `.msb` file.
//! Spans compare equal, so trees compare by meaning alone.

use crate::span::Span;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Program {
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Image(ImageDecl),
    Param(ParamDecl),
    Secret(SecretDecl),
    Stage(StageDecl),
}

/// `secret token`: a value the build reads from a mount, never from a layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretDecl {
    pub docs: Vec<String>,
    pub name: Ident,
    pub span: Span,
}

/// Where a run step finds a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretTarget {
    /// `/run/secrets/<name>`.
    Default,
    /// `secret token to /root/.netrc`
    Path(Text),
    /// `secret token env GITHUB_TOKEN`: exported for the command only.
    Env(Ident),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretMount {
    pub name: Ident,
    pub target: SecretTarget,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// Text from a string literal or a bare path, escapes already decoded and
/// `${name}` interpolations split out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub parts: Vec<TextPart>,
    pub span: Span,
    /// Written as a `"""` block: several lines, dedented.
    pub multiline: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextPart {
    Literal(String),
    Var(Ident),
}

impl Text {
    /// The text with each interpolation written back as `${name}`.
    pub fn display(&self) -> String {
        self.parts
            .iter()
            .map(|part| match part {
                TextPart::Literal(s) => s.clone(),
                TextPart::Var(v) => format!("${{{}}}", v.name),
            })
            .collect()
    }

    /// The text if it has no interpolation.
    pub fn as_literal(&self) -> Option<&str> {
        match self.parts.as_slice() {
            [] => Some(""),
            [TextPart::Literal(s)] => Some(s),
            _ => None,
        }
    }

    pub fn vars(&self) -> impl Iterator<Item = &Ident> {
        self.parts.iter().filter_map(|p| match p {
            TextPart::Var(v) => Some(v),
            TextPart::Literal(_) => None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageDecl {
    pub docs: Vec<String>,
    pub name: Ident,
    pub reference: Text,
    pub capabilities: Vec<Capability>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Libc {
    None,
    Glibc,
    Musl,
}

impl Libc {
    pub fn as_str(self) -> &'static str {
        match self {
            Libc::None => "none",
            Libc::Glibc => "glibc",
            Libc::Musl => "musl",
        }
    }
}

/// The tool that installs system packages on an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PackageManager {
    /// `apt-get`: Debian, Ubuntu and the images built on them.
    Apt,
    /// `apk`: Alpine and Wolfi.
    Apk,
    /// `dnf`: Fedora, RHEL (UBI) and its rebuilds.
    Dnf,
    /// No package manager: distroless images, scratch.
    None,
}

impl PackageManager {
    pub fn as_str(self) -> &'static str {
        match self {
            PackageManager::Apt => "apt",
            PackageManager::Apk => "apk",
            PackageManager::Dnf => "dnf",
            PackageManager::None => "none",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Capability {
    Libc(Libc, Span),
    Shell(bool, Span),
    Passwd(bool, Span),
    User(String, Span),
    Packages(PackageManager, Span),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamDecl {
    pub docs: Vec<String>,
    pub name: Ident,
    pub ty: ParamType,
    pub ty_span: Span,
    pub default: Option<Value>,
    pub required: Option<Span>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamType {
    String,
    Bool,
    Int,
    Enum(Vec<Text>),
}

/// A right-hand-side value: `env K = value`, `label k = value`, a param default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Text(Text),
    Number(String, Span),
    Bool(bool, Span),
}

impl Value {
    pub fn span(&self) -> Span {
        match self {
            Value::Text(t) => t.span,
            Value::Number(_, s) | Value::Bool(_, s) => *s,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Base,
    Builder,
    Runtime,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Base => "base",
            Role::Builder => "builder",
            Role::Runtime => "runtime",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageDecl {
    pub docs: Vec<String>,
    pub default: Option<Span>,
    /// `cross builder`: runs on the build platform, compiles for the target.
    pub cross: Option<Span>,
    pub role: Role,
    pub role_span: Span,
    pub name: Ident,
    pub base: BaseRef,
    pub steps: Vec<Step>,
    /// From the role keyword to the closing brace.
    pub span: Span,
    /// The header: from the first keyword to the base reference.
    pub header_span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BaseRef {
    /// An image or stage name.
    Name(Ident),
    /// An image reference written in place: `from "alpine:3.20"`.
    Image(Text),
}

impl BaseRef {
    pub fn span(&self) -> Span {
        match self {
            BaseRef::Name(i) => i.span,
            BaseRef::Image(t) => t.span,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub kind: StepKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyOptions {
    pub chown: Option<(String, Span)>,
    pub chmod: Option<(String, Span)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheMount {
    pub path: Text,
    pub locked: bool,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtifactRef {
    /// `build` in `build.server`; absent in a bare `server`.
    pub stage: Option<Ident>,
    pub name: Ident,
    pub span: Span,
}

impl ArtifactRef {
    pub fn display(&self) -> String {
        match &self.stage {
            Some(stage) => format!("{}.{}", stage.name, self.name.name),
            None => self.name.name.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandArg {
    Text(Text),
    Artifact(ArtifactRef),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `["a", b]` or a lone artifact reference: run without a shell.
    Exec(Vec<CommandArg>, Span),
    /// `"a string"`: run by `/bin/sh -c`.
    Shell(Text),
}

impl Command {
    pub fn span(&self) -> Span {
        match self {
            Command::Exec(_, span) => *span,
            Command::Shell(t) => t.span,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HealthcheckKey {
    Interval,
    Timeout,
    StartPeriod,
    Retries,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Linkage {
    Static,
    Glibc,
    Musl,
}

impl Linkage {
    pub fn as_str(self) -> &'static str {
        match self {
            Linkage::Static => "static",
            Linkage::Glibc => "glibc",
            Linkage::Musl => "musl",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArtifactKind {
    File,
    Dir,
    Exe(Linkage),
}

impl std::fmt::Display for ArtifactKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ArtifactKind::File => f.write_str("file"),
            ArtifactKind::Dir => f.write_str("dir"),
            ArtifactKind::Exe(l) => write!(f, "exe({})", l.as_str()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepKind {
    Workdir(Text),
    Env {
        key: Ident,
        value: Value,
    },
    CopyContext {
        sources: Vec<Text>,
        dest: Text,
        options: CopyOptions,
    },
    CopyArtifact {
        artifact: ArtifactRef,
        dest: Text,
        options: CopyOptions,
    },
    Run {
        command: Text,
        caches: Vec<CacheMount>,
        secrets: Vec<SecretMount>,
        /// `ssh`: the build's SSH agent, for cloning private repositories.
        ssh: Option<Span>,
        /// `layer`: keep this step in a layer of its own, never merged
        /// with the run steps next to it.
        layer: Option<Span>,
    },
    /// `install "curl" "ca-certificates=20230311"`: system packages, through
    /// the package manager of the stage's image.
    Install {
        packages: Vec<Text>,
    },
    User(String, Span),
    Expose {
        port: u32,
        protocol: Option<String>,
        span: Span,
    },
    Label {
        key: Text,
        value: Value,
    },
    Entrypoint(Command),
    Cmd(Command),
    Healthcheck {
        command: Command,
        options: Vec<(HealthcheckKey, String, Span)>,
    },
    Produce {
        name: Ident,
        kind: ArtifactKind,
        kind_span: Span,
        path: Text,
    },
    /// `toolchain go { main ./cmd/server }`: a preset the checker expands
    /// into ordinary steps (see `check::toolchain`).
    Toolchain {
        name: Ident,
        options: Vec<ToolchainOption>,
    },
    /// A comment line written above the steps a preset expands to. The
    /// parser never makes one; the checker's expansion does.
    Comment(String),
}

/// One `name value` line of a toolchain block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolchainOption {
    pub name: Ident,
    pub value: Text,
    pub span: Span,
}

impl StepKind {
    /// The keyword that starts the step, for messages.
    pub fn keyword(&self) -> &'static str {
        match self {
            StepKind::Workdir(_) => "workdir",
            StepKind::Env { .. } => "env",
            StepKind::CopyContext { .. } | StepKind::CopyArtifact { .. } => "copy",
            StepKind::Run { .. } => "run",
            StepKind::User(..) => "user",
            StepKind::Expose { .. } => "expose",
            StepKind::Label { .. } => "label",
            StepKind::Entrypoint(_) => "entrypoint",
            StepKind::Cmd(_) => "cmd",
            StepKind::Healthcheck { .. } => "healthcheck",
            StepKind::Produce { .. } => "produce",
            StepKind::Install { .. } => "install",
            StepKind::Toolchain { .. } => "toolchain",
            StepKind::Comment(_) => "#",
        }
    }
}
