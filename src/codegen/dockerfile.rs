//! A typed picture of a Dockerfile. Codegen builds it, optimization passes
//! rewrite it, and `printer` alone turns it into text.

/// A piece of an instruction argument: literal text, or a `${name}` the
/// builder expands (an ARG or ENV).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    Var(String),
}

/// An instruction argument, escaped only when printed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Word(pub Vec<Piece>);

impl Word {
    pub fn text(s: impl Into<String>) -> Self {
        Word(vec![Piece::Text(s.into())])
    }

    pub fn as_text(&self) -> Option<String> {
        let mut out = String::new();
        for piece in &self.0 {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Var(_) => return None,
            }
        }
        Some(out)
    }

    pub fn ends_with(&self, suffix: &str) -> bool {
        matches!(self.0.last(), Some(Piece::Text(t)) if t.ends_with(suffix))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dockerfile {
    /// Comment lines at the top, without the `# `.
    pub header: Vec<String>,
    /// ARGs before the first FROM: usable in FROM lines, re-declared in stages.
    pub global_args: Vec<Arg>,
    pub stages: Vec<Stage>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg {
    pub name: String,
    pub default: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// `# <name> <description>` above FROM, as `docker buildx build --call=outline` reads it.
    pub description: Option<String>,
    /// `--platform=$BUILDPLATFORM` for a cross builder: only ever a platform
    /// ARG, never a constant (BuildKit's FromPlatformFlagConstDisallowed).
    pub platform: Option<PlatformArg>,
    pub from: Word,
    pub name: String,
    pub instructions: Vec<Instruction>,
}

/// The platform a stage's FROM runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlatformArg {
    /// The machine running the build.
    Build,
}

/// A `RUN --mount`: what the step sees that no layer keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mount {
    Cache {
        target: String,
        locked: bool,
    },
    /// `type=secret,id=...`, at `target` or `/run/secrets/<id>`.
    Secret {
        id: String,
        target: Option<String>,
    },
    /// `type=ssh`: the SSH agent the build is given.
    Ssh,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Script {
    /// One line, given to `/bin/sh -c` by the builder.
    Line(Word),
    /// Several lines, run as one script that stops at the first failure.
    Lines(Vec<Word>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Healthcheck {
    pub interval: Option<String>,
    pub timeout: Option<String>,
    pub start_period: Option<String>,
    pub retries: Option<String>,
    pub command: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Instruction {
    Arg(Arg),
    Workdir(Word),
    Env(Vec<(String, Word)>),
    Label(Vec<(Word, Word)>),
    Copy {
        from: Option<String>,
        link: bool,
        /// A source may be a folder, so the copy may write any path below
        /// its destination (a file lands at the destination, or inside it
        /// when that ends in `/`).
        folder: bool,
        chown: Option<Word>,
        chmod: Option<String>,
        sources: Vec<Word>,
        dest: Word,
    },
    Run {
        mounts: Vec<Mount>,
        script: Script,
        /// The stage's `/bin/sh` knows `set -o pipefail` and the script
        /// pipes: it runs as a script that sets it.
        pipefail: bool,
        /// Kept in a layer of its own (the program asked, or the step is an
        /// install): the merge pass leaves it apart.
        layer: bool,
    },
    User(Word),
    Expose(u32, Option<String>),
    Entrypoint(Vec<String>),
    Cmd(Vec<String>),
    Healthcheck(Healthcheck),
    /// `# text` on a line of its own.
    Comment(String),
}
