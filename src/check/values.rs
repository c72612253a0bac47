//! Resolving the variables in a value and refusing what no Dockerfile line
//! may hold. Every value that reaches codegen passed through here.

use super::ir::{Value, ValuePart, Var};
use super::{Checker, PLATFORM_ARGS};
use crate::diagnostic::{did_you_mean, Code, Diagnostic};
use crate::span::Span;
use crate::syntax::ast::{Text, TextPart};
use std::collections::BTreeSet;

/// Where a value is used decides what its variables may name and which
/// characters it may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// An image reference in FROM: params only.
    Image,
    /// A path or other single token of an instruction.
    Path,
    /// The value of ENV or LABEL, or a shell-form command's script.
    Instruction,
    /// An exec-form argument: never expanded, any character allowed.
    Exec,
    /// The script of a shell-form entrypoint, cmd or healthcheck: runs when
    /// the container starts, where ENV variables exist and params do not.
    CommandShell,
    /// A run command: unknown names are the shell's.
    Run,
}

pub(super) fn resolve(
    checker: &mut Checker<'_>,
    text: &Text,
    context: Context,
    env: &BTreeSet<String>,
) -> Value {
    let mut parts = Vec::new();
    for part in &text.parts {
        match part {
            TextPart::Literal(s) => {
                let control = s.chars().any(char::is_control);
                let odd_space = s.chars().any(|c| c.is_whitespace() && c != ' ');
                if matches!(context, Context::Image | Context::Path | Context::Instruction) && control
                    || matches!(context, Context::Image | Context::Path) && odd_space
                    || context == Context::Run && s.chars().any(|c| c.is_control() && c != '\n' && c != '\t')
                {
                    checker.report(control_character(text.span));
                }
                if context == Context::Image && s.contains(' ') {
                    checker.report(
                        Diagnostic::new(Code::InvalidValue, "an image reference cannot hold a space")
                            .primary(text.span, "not an image reference")
                            .help("write it as `repository:tag`, such as \"debian:bookworm-slim\""),
                    );
                }
                parts.push(ValuePart::Literal(s.clone()));
            }
            TextPart::Var(ident) => {
                let name = ident.name.as_str();
                if let Some(secret) = checker.secrets.get(name).copied().filter(|_| !env.contains(name)) {
                    checker.report(
                        Diagnostic::new(Code::SecretAsValue, format!("secret `{name}` is used as a value"))
                            .primary(ident.span, "its value would be written into the image")
                            .secondary(secret.name.span, "declared a secret here")
                            .help(format!(
                                "a secret only reaches a run step, through a mount: `run \"...\" secret {name}` reads it at /run/secrets/{name}, or `secret {name} env NAME` exports it to that command"
                            )),
                    );
                    parts.push(ValuePart::Literal(String::new()));
                    continue;
                }
                let is_param = checker.params.contains_key(name);
                let var = if context == Context::Exec {
                    None
                } else if context == Context::CommandShell {
                    if is_param || PLATFORM_ARGS.contains(&name) {
                        None
                    } else if env.contains(name) {
                        Some(Var::Env(name.to_string()))
                    } else {
                        Some(Var::Shell(name.to_string()))
                    }
                } else if is_param {
                    Some(Var::Param(name.to_string()))
                } else if context == Context::Image {
                    None
                } else if PLATFORM_ARGS.contains(&name) {
                    Some(Var::Platform(name.to_string()))
                } else if env.contains(name) && context != Context::Exec {
                    Some(Var::Env(name.to_string()))
                } else if context == Context::Run {
                    Some(Var::Shell(name.to_string()))
                } else if looks_like_image_env(name) && !near_a_known_name(checker, name, env) {
                    // An upper-case name not set in the program is taken as one
                    // the base image sets (PATH, JAVA_HOME, ...).
                    Some(Var::Env(name.to_string()))
                } else {
                    None
                };
                match var {
                    Some(var) => parts.push(ValuePart::Var(var)),
                    None => {
                        let mut candidates: Vec<&str> = checker.params.keys().copied().collect();
                        if context != Context::Image {
                            candidates.extend(env.iter().map(String::as_str));
                        }
                        let mut d = Diagnostic::new(
                            Code::UnknownVariable,
                            format!(
                                "`${{{name}}}` names no param{}",
                                if context == Context::Image {
                                    ""
                                } else {
                                    " or variable"
                                }
                            ),
                        )
                        .primary(ident.span, "unknown here");
                        let known = is_param || PLATFORM_ARGS.contains(&name) || env.contains(name);
                        if context == Context::Exec && known {
                            d.message = format!("`${{{name}}}` is not expanded in an exec-form argument");
                            d.labels[0].message = "passed to the program as written".to_string();
                        }
                        if context == Context::CommandShell {
                            d.message = format!("`${{{name}}}` exists only while the image builds");
                            d = d.help(format!(
                                "params and platform args are gone when the container runs: copy the value into the image with `env {} = \"${{{name}}}\"` first",
                                name.to_ascii_uppercase()
                            ));
                            checker.report(d);
                            parts.push(ValuePart::Literal(String::new()));
                            continue;
                        }
                        d = match did_you_mean(name, candidates) {
                            _ if context == Context::Exec => d.help(
                                "exec-form arguments are passed to the program as written: no variable is expanded; use a shell string command to expand ENV variables",
                            ),
                            Some(s) => d.help(format!("did you mean `${{{s}}}`?")),
                            None if context == Context::Image => {
                                d.help(format!("declare it: `param {name}: string = \"...\"`"))
                            }
                            None => d.help(format!(
                                "declare it with `param {name}: string = \"...\"`, set it earlier with `env {name} = \"...\"`, or write `\\$` for a literal dollar sign"
                            )),
                        };
                        checker.report(d);
                        parts.push(ValuePart::Literal(String::new()));
                    }
                }
            }
        }
    }
    Value(parts)
}

pub fn control_character(span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidValue,
        "this value holds a line break or another control character",
    )
    .primary(span, "a Dockerfile instruction is one line")
    .help("only a `run` command may span several lines: remove the control character here")
}

/// A path copied from the build context must stay inside it.
pub(super) fn check_context_path(checker: &mut Checker<'_>, path: &Text) {
    let text = path.display();
    if text.starts_with("--") {
        checker.report(
            Diagnostic::new(Code::InvalidValue, format!("`{text}` looks like a Dockerfile flag"))
                .primary(path.span, "msb has no flags")
                .help("a copy from another stage is written `copy build.server to /app/server`; ownership with `chown 65532:65532` after the destination"),
        );
        return;
    }
    let leaves = text.starts_with('/')
        || text
            .split('/')
            .try_fold(0i32, |depth, part| match part {
                ".." if depth == 0 => None,
                ".." => Some(depth - 1),
                "" | "." => Some(depth),
                _ => Some(depth + 1),
            })
            .is_none();
    if leaves {
        checker.report(
            Diagnostic::new(
                Code::InvalidValue,
                format!("`{text}` is outside the build context"),
            )
            .primary(
                path.span,
                "a context path is relative and stays inside the context",
            )
            .help("copy paths relative to the folder `docker build` runs in, such as `go.mod` or `src/`"),
        );
    }
}

/// A cache mount target goes into `--mount=type=cache,target=...`, whose
/// fields are separated by commas.
pub(super) fn check_mount_path(checker: &mut Checker<'_>, target: &str, span: Span) {
    if target.contains([',', '"', '\'', '=']) || target.chars().any(char::is_whitespace) {
        checker.report(
            Diagnostic::new(
                Code::InvalidValue,
                format!("`{target}` cannot be a cache mount path"),
            )
            .primary(span, "holds a comma, quote, `=` or white space")
            .help("choose a plain path such as /root/.cache/go-build"),
        );
    }
}

pub(super) fn check_label_key(checker: &mut Checker<'_>, key: &Text) {
    if let Some(var) = key.vars().next() {
        checker.report(
            Diagnostic::new(Code::InvalidValue, "a label key cannot hold a variable")
                .primary(var.span, "interpolated here")
                .help("write the key out in full; the value may use `${...}`"),
        );
        return;
    }
    let text = key.display();
    let valid = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/'));
    if !valid {
        checker.report(
            Diagnostic::new(Code::InvalidValue, format!("`{text}` is not a label key"))
                .primary(key.span, "keys are letters, digits, `.`, `-`, `_` and `/`")
                .help("use reverse-DNS keys such as `org.opencontainers.image.title`"),
        );
    }
}

/// `user` and `chown` values: `uid[:gid]`, names, or `${param}`.
pub(super) fn owner_value(
    checker: &mut Checker<'_>,
    owner: &str,
    span: Span,
    env: &BTreeSet<String>,
) -> Value {
    let text = crate::syntax::ast::Text {
        parts: split_owner(owner, span),
        span,
        multiline: false,
    };
    let valid = owner.split(':').count() <= 2
        && owner.split(':').all(|part| {
            !part.is_empty()
                && (part.starts_with("${") && part.ends_with('}')
                    || part
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-')))
        });
    if !valid {
        checker.report(
            Diagnostic::new(Code::InvalidValue, format!("`{owner}` is not a user"))
                .primary(span, "expected `user`, `uid` or `uid:gid`")
                .help("write a numeric user such as `65532:65532`"),
        );
        return Value::literal(owner);
    }
    resolve(checker, &text, Context::Path, env)
}

fn split_owner(owner: &str, span: Span) -> Vec<TextPart> {
    let mut parts = Vec::new();
    let mut rest = owner;
    let mut offset = 0;
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start..].find('}') else { break };
        if start > 0 {
            parts.push(TextPart::Literal(rest[..start].to_string()));
        }
        parts.push(TextPart::Var(crate::syntax::ast::Ident {
            name: rest[start + 2..start + len].to_string(),
            span: span.sub(offset + start + 2, offset + start + len),
        }));
        offset += start + len + 1;
        rest = &rest[start + len + 1..];
    }
    if !rest.is_empty() {
        parts.push(TextPart::Literal(rest.to_string()));
    }
    parts
}

fn looks_like_image_env(name: &str) -> bool {
    name.chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// Whether `name` is a likely misspelling of a param or a variable the program sets.
fn near_a_known_name(checker: &Checker<'_>, name: &str, env: &BTreeSet<String>) -> bool {
    let lower = name.to_ascii_lowercase();
    let known: Vec<String> = checker
        .params
        .keys()
        .copied()
        .chain(env.iter().map(String::as_str))
        .map(str::to_ascii_lowercase)
        .collect();
    known.contains(&lower) || did_you_mean(&lower, known.iter().map(String::as_str)).is_some()
}

/// Paths the checker reasons about (where an artifact lies, what a cache
/// mount covers) must be known before the build: no variables.
pub(super) fn require_plain(checker: &mut Checker<'_>, text: &Text, what: &str) {
    if let Some(var) = text.vars().next() {
        checker.report(
            Diagnostic::new(Code::InvalidValue, format!("{what} cannot hold a variable"))
                .primary(var.span, "interpolated here")
                .help("msbc proves where artifacts lie before the build: write the path out in full"),
        );
    }
}

/// A run command must do something: a blank or comment-only script would be
/// an empty RUN, which builders reject.
pub(super) fn check_run_command(checker: &mut Checker<'_>, command: &Text) {
    let text = command.display();
    let empty = text.lines().all(|l| {
        let l = l.trim();
        l.is_empty() || l.starts_with('#')
    });
    if empty {
        checker.report(
            Diagnostic::new(Code::InvalidValue, "this run command does nothing")
                .primary(command.span, "blank, or only comments")
                .help("give the command to run, or remove the step"),
        );
    }
}

/// BuildKit's SecretsUsedInArgOrEnv rule, before the build: a param or ENV
/// whose name reads like a credential would keep its value in the image's
/// history.
pub(super) fn warn_secret_like(checker: &mut Checker<'_>, name: &crate::syntax::ast::Ident, what: &str) {
    const WORDS: &[&str] = &[
        "apikey",
        "auth",
        "credential",
        "credentials",
        "key",
        "password",
        "pword",
        "passwd",
        "secret",
        "token",
    ];
    let lower = name.name.to_ascii_lowercase();
    let secret_like = lower.split(['_', '-']).any(|word| WORDS.contains(&word));
    if secret_like {
        checker.report(
            Diagnostic::new(
                Code::SecretLikeName,
                format!("{what} `{}` is named like a secret", name.name),
            )
            .primary(name.span, "its value stays in the image's history")
            .help(format!(
                "pass credentials as a secret: `secret {lower}` at the top, then `run \"...\" secret {lower}`; or allow W0007 in msbc.toml if this is no secret"
            )),
        );
    }
}

/// Build args and shell variables are letters, digits and `_`: a `-` in a
/// name could never be read back as `${name}`.
pub(super) fn check_variable_name(checker: &mut Checker<'_>, name: &crate::syntax::ast::Ident, what: &str) {
    if name.name.contains('-') {
        let fixed = name.name.replace('-', "_");
        checker.report(
            Diagnostic::new(Code::InvalidValue, format!("`{}` cannot name {what}", name.name))
                .primary(name.span, "a variable name has no `-`")
                .help(format!("write `{fixed}`")),
        );
    }
}
