//! The checked build graph: what codegen consumes. Every name is resolved,
//! every path absolute, every value split into literal text and variables.
//! No syntax-tree type appears here.

pub use crate::syntax::ast::{ArtifactKind, Libc, Linkage, PackageManager, Role};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StageId(pub usize);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildGraph {
    /// The name of the program's file, for the generated header.
    pub source_name: String,
    pub params: Vec<Param>,
    /// In declaration order; unreachable stages are kept and marked.
    pub stages: Vec<Stage>,
    pub default_target: StageId,
}

impl BuildGraph {
    pub fn stage(&self, id: StageId) -> &Stage {
        &self.stages[id.0]
    }

    pub fn stage_named(&self, name: &str) -> Option<StageId> {
        self.stages.iter().position(|s| s.name == name).map(StageId)
    }

    /// Stages that `stage` needs, directly: its base stage and the stages it copies from.
    pub fn dependencies(&self, stage: StageId) -> Vec<StageId> {
        let s = self.stage(stage);
        let mut deps = Vec::new();
        if let StageBase::Stage(base) = s.base {
            deps.push(base);
        }
        for step in &s.steps {
            if let Step::CopyArtifact { from, .. } = step {
                deps.push(*from);
            }
        }
        deps
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    pub name: String,
    /// The default as it goes into the Dockerfile.
    pub default: Option<String>,
    pub required: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StageBase {
    Image(Value),
    Stage(StageId),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    pub name: String,
    pub role: Role,
    pub docs: Vec<String>,
    pub base: StageBase,
    pub steps: Vec<Step>,
    /// False for stages that no runtime needs: codegen leaves them out.
    pub reachable: bool,
    /// Whether the stage's image has a shell (unknown counts as yes).
    pub has_shell: bool,
    /// Whether its `/bin/sh` knows `set -o pipefail`: busybox ash on apk
    /// images and bash on dnf images do; Debian's dash and unknown shells
    /// count as no.
    pub pipefail: bool,
    /// For runtimes with no `user` step anywhere in their chain: the numeric
    /// user codegen sets before the entrypoint.
    pub default_user: Option<String>,
    /// With `--locked`: the digest the lock gives the stage's base image.
    pub base_digest: Option<String>,
    /// A `cross builder`: its FROM takes the build machine's platform.
    pub on_build_platform: bool,
}

/// A value that may hold variables.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Value(pub Vec<ValuePart>);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValuePart {
    Literal(String),
    Var(Var),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Var {
    /// A program param: an ARG in every stage that uses it.
    Param(String),
    /// One of BuildKit's automatic platform ARGs (TARGETARCH, ...).
    Platform(String),
    /// An ENV variable set earlier in the stage's chain.
    Env(String),
    /// In a run command only: left to the shell.
    Shell(String),
}

impl Var {
    pub fn name(&self) -> &str {
        match self {
            Var::Param(n) | Var::Platform(n) | Var::Env(n) | Var::Shell(n) => n,
        }
    }

    /// Whether the stage must declare an ARG for it.
    pub fn needs_arg(&self) -> bool {
        matches!(self, Var::Param(_) | Var::Platform(_))
    }
}

impl Value {
    pub fn literal(text: impl Into<String>) -> Self {
        Value(vec![ValuePart::Literal(text.into())])
    }

    pub fn vars(&self) -> impl Iterator<Item = &Var> {
        self.0.iter().filter_map(|p| match p {
            ValuePart::Var(v) => Some(v),
            ValuePart::Literal(_) => None,
        })
    }

    pub fn as_literal(&self) -> Option<String> {
        let mut out = String::new();
        for part in &self.0 {
            match part {
                ValuePart::Literal(s) => out.push_str(s),
                ValuePart::Var(_) => return None,
            }
        }
        Some(out)
    }

    /// Written back the way a program spells it.
    pub fn display(&self) -> String {
        self.0
            .iter()
            .map(|p| match p {
                ValuePart::Literal(s) => s.clone(),
                ValuePart::Var(v) => format!("${{{}}}", v.name()),
            })
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheMount {
    pub target: String,
    pub locked: bool,
}

/// A secret mounted for one run step: a file at `target` (by default
/// `/run/secrets/<id>`), and with `env` also exported to the command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretMount {
    pub id: String,
    pub target: Option<String>,
    pub env: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Ownership {
    pub chown: Option<Value>,
    pub chmod: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Healthcheck {
    pub command: Vec<Value>,
    pub interval: Option<String>,
    pub timeout: Option<String>,
    pub start_period: Option<String>,
    pub retries: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Workdir(Value),
    Env(String, Value),
    CopyContext {
        sources: Vec<Value>,
        dest: Value,
        ownership: Ownership,
    },
    CopyArtifact {
        from: StageId,
        artifact: String,
        kind: ArtifactKind,
        source: String,
        dest: Value,
        ownership: Ownership,
    },
    Run {
        /// Passed to the shell as written.
        command: Value,
        caches: Vec<CacheMount>,
        secrets: Vec<SecretMount>,
        ssh: bool,
        /// Kept in a layer of its own: never merged with its neighbours.
        layer: bool,
    },
    /// System packages, as `name` or `name=version`, installed with the
    /// image's package manager (never `PackageManager::None`).
    Install {
        manager: PackageManager,
        packages: Vec<Value>,
    },
    User(Value),
    Expose(u32, Option<String>),
    Label(Value, Value),
    /// Exec form; a shell-form command arrives as `["/bin/sh", "-c", ...]`.
    Entrypoint(Vec<Value>),
    Cmd(Vec<Value>),
    Healthcheck(Healthcheck),
    /// A comment line above the steps a toolchain preset expanded to.
    Comment(String),
}

impl Step {
    /// Every value the step holds, for finding the variables it reads.
    pub fn values(&self) -> Vec<&Value> {
        match self {
            Step::Workdir(v) | Step::User(v) => vec![v],
            Step::Env(_, v) => vec![v],
            Step::CopyContext {
                sources,
                dest,
                ownership,
            } => sources
                .iter()
                .chain([dest])
                .chain(ownership.chown.iter())
                .collect(),
            Step::CopyArtifact { dest, ownership, .. } => {
                std::iter::once(dest).chain(ownership.chown.iter()).collect()
            }
            Step::Run { command, .. } => vec![command],
            Step::Install { packages, .. } => packages.iter().collect(),
            Step::Label(k, v) => vec![k, v],
            Step::Expose(..) => vec![],
            Step::Entrypoint(args) | Step::Cmd(args) => args.iter().collect(),
            Step::Healthcheck(h) => h.command.iter().collect(),
            Step::Comment(_) => vec![],
        }
    }
}
