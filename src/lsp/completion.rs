//! Completion from the text before the cursor, so that it works on the line
//! being typed, which seldom parses: keywords where a declaration, a step or
//! a capability starts, names after `from`, `stage.artifact` where an
//! artifact goes, artifact kinds after `produce name:`, params in `${`.

use super::analysis::{Analysis, SymbolKind};
use super::hover;
use crate::check::builtin_capabilities;
use crate::syntax::{STEP_KEYWORDS, TOP_KEYWORDS};

/// What a completion inserts, and how an editor should show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub label: String,
    pub kind: Kind,
    pub detail: Option<String>,
    /// Markdown, for the side panel.
    pub documentation: Option<String>,
    /// Bytes before the cursor that the candidate replaces.
    pub replace: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Keyword,
    Stage,
    Artifact,
    Image,
    Param,
    Secret,
    Value,
}

/// Image references msbc's table knows, offered after `image name =` and `from`.
pub const KNOWN_IMAGES: &[&str] = &[
    "alpine:3.20",
    "busybox:1.36",
    "debian:bookworm-slim",
    "ubuntu:24.04",
    "golang:1.22-bookworm",
    "rust:1.85-trixie",
    "node:20-trixie-slim",
    "python:3.11-slim-bookworm",
    "eclipse-temurin:21-jre",
    "gcr.io/distroless/static-debian12:nonroot",
    "gcr.io/distroless/cc-debian12:nonroot",
    "gcr.io/distroless/base-debian12:nonroot",
    "gcr.io/distroless/python3-debian12:nonroot",
    "cgr.dev/chainguard/static:latest",
    "scratch",
];

const ARTIFACT_KINDS: &[&str] = &["file", "dir", "exe(static)", "exe(glibc)", "exe(musl)"];
const CAPABILITIES: &[&str] = &["libc", "shell", "passwd", "user"];
const ROLES: &[&str] = &["base", "builder", "runtime"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Block {
    Top,
    Stage,
    Image,
}

pub fn complete(analysis: &Analysis, offset: usize) -> Vec<Candidate> {
    let text = analysis.text();
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..offset];
    let block = block_at(&text[..line_start]);
    let mut c = Completer {
        analysis,
        out: Vec::new(),
    };
    // Inside a string: only `${` takes a completion.
    if before.matches('"').count() % 2 == 1 || in_triple_quotes(&text[..offset]) {
        if let Some(open) = before.rfind("${") {
            let partial = &before[open + 2..];
            if partial.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_') {
                c.symbols(SymbolKind::Param, partial.len());
            }
        }
        return c.out;
    }
    let code = before.split_once('#').map_or(before, |(code, _)| code);
    if code.len() < before.len() {
        return c.out; // in a comment
    }
    let partial_len = code
        .chars()
        .rev()
        .take_while(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '_' | '-' | '.' | '(' | ')'))
        .map(char::len_utf8)
        .sum::<usize>();
    let partial = &code[code.len() - partial_len..];
    let words: Vec<&str> = code[..code.len() - partial_len]
        .split(|ch: char| ch.is_whitespace() || matches!(ch, '[' | ']' | ','))
        .filter(|w| !w.is_empty())
        .collect();
    match block {
        Block::Top => c.top(&words, partial),
        Block::Stage => c.step(&words, partial),
        Block::Image => c.capability(&words, partial),
    }
    c.out
}

struct Completer<'a> {
    analysis: &'a Analysis,
    out: Vec<Candidate>,
}

impl Completer<'_> {
    fn push(&mut self, label: &str, kind: Kind, detail: Option<String>, replace: usize) {
        self.out.push(Candidate {
            label: label.to_string(),
            kind,
            detail,
            documentation: None,
            replace,
        });
    }

    fn keywords(&mut self, words: &[&str], replace: usize) {
        for w in words {
            self.push(w, Kind::Keyword, None, replace);
        }
    }

    fn symbols(&mut self, kind: SymbolKind, replace: usize) {
        let analysis = self.analysis;
        for (id, s) in analysis.symbols_of(kind) {
            if self.out.iter().any(|c| c.label == s.name) {
                continue;
            }
            self.out.push(Candidate {
                label: s.name.clone(),
                kind: candidate_kind(kind),
                detail: Some(kind.as_str().to_string()),
                documentation: Some(hover::describe(analysis, id)),
                replace,
            });
        }
    }

    fn known_images(&mut self, replace: usize) {
        for reference in KNOWN_IMAGES {
            let caps = builtin_capabilities(reference).unwrap_or_default();
            let detail = format!(
                "libc {}, shell {}",
                caps.libc.map_or("unknown", |l| l.as_str()),
                if caps.shell == Some(true) { "yes" } else { "no" }
            );
            self.push(&format!("\"{reference}\""), Kind::Value, Some(detail), replace);
        }
    }

    /// `stage.artifact` for every produced artifact; after `stage.`, that
    /// stage's artifacts alone.
    fn artifacts(&mut self, partial: &str) {
        let analysis = self.analysis;
        if let Some((stage, rest)) = partial.split_once('.') {
            let Some(stage) = analysis.lookup(SymbolKind::Stage, stage) else {
                return;
            };
            for (id, s) in analysis.symbols_of(SymbolKind::Artifact) {
                if s.parent == Some(stage) {
                    self.out.push(Candidate {
                        label: s.name.clone(),
                        kind: Kind::Artifact,
                        detail: Some(artifact_detail(analysis, id)),
                        documentation: Some(hover::describe(analysis, id)),
                        replace: rest.len(),
                    });
                }
            }
            return;
        }
        for (id, s) in analysis.symbols_of(SymbolKind::Artifact) {
            let Some(stage) = s.parent else { continue };
            self.out.push(Candidate {
                label: format!("{}.{}", analysis.symbols[stage].name, s.name),
                kind: Kind::Artifact,
                detail: Some(artifact_detail(analysis, id)),
                documentation: Some(hover::describe(analysis, id)),
                replace: partial.len(),
            });
        }
    }

    fn top(&mut self, words: &[&str], partial: &str) {
        let replace = partial.len();
        let role_at = usize::from(words.first() == Some(&"default"));
        let is_stage = words.get(role_at).is_some_and(|w| ROLES.contains(w));
        match words {
            [] => self.keywords(TOP_KEYWORDS, replace),
            ["default"] => self.keywords(ROLES, replace),
            ["image", _, "="] => self.known_images(replace),
            ["param", _] if partial.is_empty() => self.keywords(&[":"], 0),
            ["param", name] if name.ends_with(':') => {
                self.keywords(&["string", "bool", "int", "enum(\"a\", \"b\")"], replace)
            }
            ["param", _, ":"] => self.keywords(&["string", "bool", "int", "enum(\"a\", \"b\")"], replace),
            [.., "from"] if is_stage => {
                self.symbols(SymbolKind::Stage, replace);
                self.symbols(SymbolKind::Image, replace);
                self.known_images(replace);
            }
            _ if is_stage && words.len() == role_at + 2 => self.keywords(&["from"], replace),
            _ => {}
        }
    }

    fn step(&mut self, words: &[&str], partial: &str) {
        let replace = partial.len();
        let Some(&first) = words.first() else {
            return self.keywords(STEP_KEYWORDS, replace);
        };
        match (first, words) {
            ("copy", ["copy"]) => self.artifacts(partial),
            ("copy", [_, source]) if source.contains('.') => self.keywords(&["to"], replace),
            ("copy", [.., "to", _]) => self.keywords(&["chown", "chmod"], replace),
            ("entrypoint" | "cmd" | "healthcheck", _) => {
                self.artifacts(partial);
                if !partial.contains('.') {
                    self.placed_here(replace);
                }
            }
            ("produce", [_, name]) if name.ends_with(':') => self.keywords(ARTIFACT_KINDS, replace),
            ("produce", [_, _, ":"]) => self.keywords(ARTIFACT_KINDS, replace),
            ("run", [.., "secret"]) => self.symbols(SymbolKind::Secret, replace),
            ("run", [_, ..]) if words.last().is_some_and(|w| w.ends_with('"')) => {
                self.keywords(&["cache", "secret", "ssh"], replace)
            }
            _ => {}
        }
    }

    /// Bare artifact names: what a command in a stage may run.
    fn placed_here(&mut self, replace: usize) {
        let analysis = self.analysis;
        for (id, s) in analysis.symbols_of(SymbolKind::Artifact) {
            if self.out.iter().any(|c| c.label == s.name) {
                continue;
            }
            self.out.push(Candidate {
                label: s.name.clone(),
                kind: Kind::Artifact,
                detail: Some(artifact_detail(analysis, id)),
                documentation: None,
                replace,
            });
        }
    }

    fn capability(&mut self, words: &[&str], partial: &str) {
        let replace = partial.len();
        match words {
            [] => self.keywords(CAPABILITIES, replace),
            ["libc"] => self.keywords(&["none", "glibc", "musl"], replace),
            ["shell" | "passwd"] => self.keywords(&["yes", "no"], replace),
            _ => {}
        }
    }
}

fn candidate_kind(kind: SymbolKind) -> Kind {
    match kind {
        SymbolKind::Stage => Kind::Stage,
        SymbolKind::Artifact => Kind::Artifact,
        SymbolKind::Image => Kind::Image,
        SymbolKind::Param => Kind::Param,
        SymbolKind::Secret => Kind::Secret,
    }
}

fn artifact_detail(analysis: &Analysis, id: usize) -> String {
    let s = &analysis.symbols[id];
    let kind = analysis.stage(id).and_then(|stage| {
        stage.steps.iter().find_map(|step| match &step.kind {
            crate::syntax::ast::StepKind::Produce { name, kind, .. } if name.name == s.name => {
                Some(kind.to_string())
            }
            _ => None,
        })
    });
    kind.unwrap_or_else(|| "artifact".to_string())
}

/// Whether the text ends inside a `"""` block.
fn in_triple_quotes(text: &str) -> bool {
    text.matches("\"\"\"").count() % 2 == 1
}

/// The kind of block the next line is in: the innermost `{` still open,
/// skipping strings and comments.
fn block_at(text: &str) -> Block {
    let mut stack: Vec<Block> = Vec::new();
    let mut line_start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, ch)) = chars.next() {
        match ch {
            '\n' => line_start = i + 1,
            '#' => {
                while chars.peek().is_some_and(|&(_, c)| c != '\n') {
                    chars.next();
                }
            }
            '"' if text[i..].starts_with("\"\"\"") => {
                chars.next();
                chars.next();
                let end = text[i + 3..].find("\"\"\"").map_or(text.len(), |e| i + 3 + e + 3);
                while chars.peek().is_some_and(|&(j, _)| j < end) {
                    let (j, c) = chars.next().unwrap_or((end, ' '));
                    if c == '\n' {
                        line_start = j + 1;
                    }
                }
            }
            '"' => {
                let mut escaped = false;
                while let Some(&(_, c)) = chars.peek() {
                    if c == '\n' {
                        break;
                    }
                    chars.next();
                    if escaped {
                        escaped = false;
                    } else if c == '\\' {
                        escaped = true;
                    } else if c == '"' {
                        break;
                    }
                }
            }
            '{' => {
                let line = text[line_start..i].trim_start();
                stack.push(if line.starts_with("image") {
                    Block::Image
                } else {
                    Block::Stage
                });
            }
            '}' => {
                stack.pop();
            }
            _ => {}
        }
    }
    stack.last().copied().unwrap_or(Block::Top)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::driver::Options;

    fn labels(text: &str) -> Vec<String> {
        let offset = text.find('|').unwrap();
        let text = text.replace('|', "");
        let analysis = Analysis::new("app.msb", text, &Options::default());
        complete(&analysis, offset).into_iter().map(|c| c.label).collect()
    }

    #[test]
    fn blocks_are_found_past_strings_and_comments() {
        assert_eq!(block_at("image a = \"x\" {\n"), Block::Image);
        assert_eq!(block_at("runtime a from b { # }\n  run \"}\"\n"), Block::Stage);
        assert_eq!(block_at("runtime a from b {\n}\n"), Block::Top);
        assert_eq!(
            block_at("runtime a from b {\n run \"\"\"\n}\n\"\"\"\n"),
            Block::Stage
        );
    }

    #[test]
    fn contexts() {
        let program = "image go = \"golang:1.22\"\nbuilder build from go {\n  produce server: exe(static) = /out/server\n}\n";
        assert_eq!(
            labels(&format!("{program}runtime app from |")),
            ["build", "go"]
                .iter()
                .map(|s| s.to_string())
                .chain(KNOWN_IMAGES.iter().map(|i| format!("\"{i}\"")))
                .collect::<Vec<_>>()
        );
        assert_eq!(
            labels(&format!("{program}runtime app from go {{\n  copy build.|\n}}\n")),
            ["server"]
        );
        assert_eq!(
            labels(&format!("{program}runtime app from go {{\n  copy b|\n}}\n")),
            ["build.server"]
        );
        assert!(
            labels(&format!("{program}runtime app from go {{\n  |\n}}\n")).contains(&"workdir".to_string())
        );
        assert!(labels(&format!("{program}|")).contains(&"runtime".to_string()));
        assert_eq!(
            labels(&format!("{program}runtime app from go {{\n  produce x: |\n}}\n")),
            ARTIFACT_KINDS
        );
        assert_eq!(
            labels("image a = \"x\" {\n  libc |\n}\n"),
            ["none", "glibc", "musl"]
        );
    }
}
