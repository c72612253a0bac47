//! Diagnostics as data: a stable code, a severity, labelled spans and help.
//! Rendering lives in `render`; nothing here knows about terminals or JSON.

use crate::span::Span;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

macro_rules! codes {
    ($( $variant:ident = $code:literal, $severity:ident, $title:literal; )*) => {
        /// Every diagnostic msbc can report. Codes are stable: a code is never
        /// reused for another meaning. The long explanation of each lives in
        /// src/explain.rs and is printed by `msbc explain CODE`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $( $variant, )* }

        impl Code {
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )* ];

            pub fn as_str(self) -> &'static str {
                match self { $( Code::$variant => $code, )* }
            }

            pub fn default_severity(self) -> Severity {
                match self { $( Code::$variant => Severity::$severity, )* }
            }

            /// A few words naming the rule, for listings.
            pub fn title(self) -> &'static str {
                match self { $( Code::$variant => $title, )* }
            }
        }
    };
}

codes! {
    SyntaxError          = "E0001", Error, "syntax error";
    InputTooLarge        = "E0002", Error, "input too large or too deeply nested";
    NotUtf8              = "E0003", Error, "file is not UTF-8";
    UnknownStage         = "E0101", Error, "unknown stage";
    UnknownArtifact      = "E0102", Error, "unknown artifact";
    UnknownImage         = "E0103", Error, "unknown image";
    UnknownVariable      = "E0104", Error, "unknown param or variable";
    DuplicateName        = "E0105", Error, "duplicate name";
    Cycle                = "E0106", Error, "stages depend on each other in a cycle";
    NotExecutable        = "E0201", Error, "command needs an exe artifact";
    DirOnFile            = "E0202", Error, "a dir cannot land on a file";
    PathClash            = "E0203", Error, "two artifacts on one path";
    ArtifactInCache      = "E0204", Error, "artifact inside a cache mount";
    LibcMismatch         = "E0301", Error, "exe linked against a libc the stage lacks";
    RunWithoutShell      = "E0302", Error, "run step in a stage with no shell";
    ShellFormWithoutShell = "E0303", Error, "shell-form command in a stage with no shell";
    UserNameWithoutPasswd = "E0304", Error, "user given by name in a stage with no user database";
    NoPackageManager     = "E0305", Error, "install in a stage with no known package manager";
    NoRuntime            = "E0401", Error, "no runtime stage";
    DefaultTarget        = "E0402", Error, "no single default runtime";
    InvalidValue         = "E0403", Error, "invalid value";
    ParamType            = "E0404", Error, "param value does not fit its type";
    StageNameCase        = "E0405", Error, "stage name not lowercase";
    DefaultIsBase        = "E0406", Error, "default runtime used as a base";
    RepeatedInstruction  = "E0407", Error, "instruction given twice in one stage";
    CrossNotBuilder      = "E0408", Error, "`cross` on a stage that is not a builder";
    RuntimeOnBuildPlatform = "E0409", Error, "runtime built on a cross builder";
    ReservedStageName    = "E0410", Error, "stage name Docker would read as an image";
    SecretAsValue        = "E0501", Error, "secret used as a value";
    UnknownSecret        = "E0502", Error, "unknown secret";
    ImageNotLocked       = "E0601", Error, "base image missing from the lock";
    StaleLock            = "E0602", Error, "lock entry the program no longer names";
    InvalidLock          = "E0603", Error, "lock file cannot be read";
    UnlockableImage      = "E0604", Error, "parameterised image reference under --locked";
    UnknownToolchain     = "E0701", Error, "unknown toolchain";
    ToolchainOption      = "E0702", Error, "toolchain option unknown, missing or invalid";
    ToolchainFiles       = "E0703", Error, "toolchain files missing from the build context";
    ToolchainImage       = "E0704", Error, "toolchain tool missing from the image";
    VenvInterpreter      = "E0705", Error, "venv copied onto an image with another Python";
    UnusedArtifact       = "W0001", Warning, "unused artifact";
    UnreachableStage     = "W0002", Warning, "stage no target reaches";
    RootRuntime          = "W0003", Warning, "runtime runs as root";
    UnpinnedImage        = "W0004", Warning, "base image not pinned";
    NoEntrypoint         = "W0005", Warning, "runtime without entrypoint or cmd";
    UnknownCapabilities  = "W0006", Warning, "image capabilities unknown";
    SecretLikeName       = "W0007", Warning, "param or env named like a secret";
    UnpinnedPackage      = "W0008", Warning, "package version not pinned";
    CrossIgnoresTarget   = "W0009", Warning, "cross builder never reads the target platform";
}

impl Code {
    pub fn parse(text: &str) -> Option<Code> {
        let wanted = text.trim().to_ascii_uppercase();
        Code::ALL.iter().copied().find(|c| c.as_str() == wanted)
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
    pub primary: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    /// The primary label comes first; secondary labels mark the other places involved.
    pub labels: Vec<Label>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.default_severity(),
            message: message.into(),
            labels: Vec::new(),
            help: None,
        }
    }

    pub fn primary(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.insert(
            0,
            Label {
                span,
                message: message.into(),
                primary: true,
            },
        );
        self
    }

    pub fn secondary(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
            primary: false,
        });
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn primary_span(&self) -> Span {
        self.labels
            .iter()
            .find(|l| l.primary)
            .map(|l| l.span)
            .unwrap_or_default()
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// "did you mean `x`?" for a misspelt name, when a close enough candidate exists.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(name, c), c))
        .filter(|&(distance, c)| distance <= (name.len().max(c.len()) / 3).max(1) && c != name)
        .min()
        .map(|(_, c)| c.to_string())
}

/// Diagnostics in the order a reader meets them: by file position, then code.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by_key(|d| {
        let span = d.primary_span();
        (span.file, span.start, span.end, d.code)
    });
}
