//! pest's errors name grammar rules; users should read sentences. This module
//! turns a pest error into a diagnostic with a span, an expectation written
//! in words, and a hint for the common slips.

use super::parser::Rule;
use crate::diagnostic::{did_you_mean, Code, Diagnostic};
use crate::span::{FileId, Span};
use pest::error::{ErrorVariant, InputLocation};
use std::num::NonZeroUsize;
use std::sync::Once;

/// Bounds the work pest may do on one input, so that no input can make the
/// parser run away; hitting the bound is reported as E0002.
const CALL_LIMIT: usize = 400_000_000;

pub fn install_call_limit() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| pest::set_call_limit(NonZeroUsize::new(CALL_LIMIT)));
}

/// The keywords that start a step inside a stage block.
pub const STEP_KEYWORDS: &[&str] = &[
    "workdir",
    "env",
    "copy",
    "run",
    "user",
    "expose",
    "label",
    "entrypoint",
    "cmd",
    "healthcheck",
    "produce",
    "install",
    "toolchain",
];
const DECLARATION: &str = "a declaration (`image`, `param`, `secret`, `base`, `builder` or `runtime`)";
const STEP: &str = "a step (`copy`, `run`, `workdir`, `env`, `produce`, ...)";

/// The keywords that start a top-level declaration.
pub const TOP_KEYWORDS: &[&str] = &[
    "image", "param", "secret", "base", "builder", "runtime", "default", "cross",
];

/// What a rule looks like to a reader, or `None` for rules that are only
/// ever part of a larger expectation.
fn phrase(rule: Rule) -> Option<&'static str> {
    use Rule::*;
    Some(match rule {
        EOI => "the end of the file",
        ident => "a name",
        k_image | k_param | role | k_default | k_cross | item | secret_decl => DECLARATION,
        k_from => "`from`",
        k_to => "`to`",
        k_required => "`required`",
        k_libc | k_shell | k_passwd | k_user | k_packages | capability | cap_packages => {
            "a capability (`libc`, `shell`, `passwd`, `user` or `packages`)"
        }
        package_manager => "a package manager (`apt`, `apk`, `dnf` or `none`)",
        k_workdir | k_env | k_copy | k_run | k_expose | k_label | k_entrypoint | k_cmd | k_healthcheck
        | k_produce | k_install | k_toolchain | step => STEP,
        k_layer | layer_option => "`layer`",
        toolchain_block => "`{`",
        toolchain_option => "a toolchain option such as `main ./cmd/server`",
        k_cache | cache_mount => "`cache`",
        k_locked => "`locked`",
        k_secret | secret_mount => "`secret`",
        k_ssh | ssh_mount => "`ssh`",
        k_chown | k_chmod | copy_option => "`chown` or `chmod`",
        k_enum | enum_type => "`enum(...)`",
        k_exe | exe_kind => "`exe(...)`",
        k_yes | k_no | yes_no => "`yes` or `no`",
        libc => "a libc (`none`, `glibc` or `musl`)",
        linkage => "a linkage (`static`, `glibc` or `musl`)",
        kind_word | artifact_kind => "an artifact kind (`file`, `dir` or `exe(...)`)",
        type_word | param_type => "a type (`string`, `bool`, `int` or `enum(...)`)",
        boolean => "`true` or `false`",
        hc_key | healthcheck_option => {
            "a healthcheck option (`interval`, `timeout`, `start-period` or `retries`)"
        }
        string | quoted | raw_string => "a string",
        number => "a number",
        duration => "a duration such as `30s`",
        word | path => "a path",
        owner => "a user such as `65532` or `65532:65532`",
        mode => "a mode such as `0755`",
        label_key | dotted_key => "a label key",
        value => "a value (a string, a number, `true` or `false`)",
        artifact_ref => "an artifact such as `build.server`",
        port => "a port such as `8080` or `53/udp`",
        image_caps | block => "`{`",
        command | command_list => "a command (`[\"prog\", \"arg\"]`, an artifact, or a shell string)",
        command_arg => "a command argument",
        base_ref => "an image or stage name",
        _ => return None,
    })
}

fn join_words(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}

/// What stands at `at`: a word, a character, or the end of the file.
fn found(source: &str, at: usize) -> String {
    let rest = &source[at..];
    match rest.chars().next() {
        None => "the end of the file".to_string(),
        Some('\n') | Some('\r') => "the end of the line".to_string(),
        Some(c) if c.is_alphanumeric() || c == '_' => {
            let word: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
                .take(40)
                .collect();
            format!("`{word}`")
        }
        Some(c) if c.is_control() => format!("the control character U+{:04X}", c as u32),
        Some(c) => format!("`{c}`"),
    }
}

fn found_len(source: &str, at: usize) -> usize {
    let rest = &source[at..];
    match rest.chars().next() {
        None | Some('\n') | Some('\r') => 0,
        Some(c) if c.is_alphanumeric() || c == '_' => rest
            .char_indices()
            .take_while(|(_, c)| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
            .map(|(i, c)| i + c.len_utf8())
            .last()
            .unwrap_or(1),
        Some(c) => c.len_utf8(),
    }
}

pub fn syntax_error(
    file: FileId,
    source: &str,
    offset: usize,
    error: pest::error::Error<Rule>,
) -> Diagnostic {
    let at = match error.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    }
    .min(source.len());
    let expected: Vec<&str> = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            let mut words: Vec<&str> = positives.iter().filter_map(|r| phrase(*r)).collect();
            words.sort_unstable();
            words.dedup();
            words
        }
        ErrorVariant::CustomError { message } if message.contains("call limit") => {
            return Diagnostic::new(Code::InputTooLarge, "the file is too complex for msbc to parse")
                .primary(Span::new(file, offset + at, offset + at), "parsing gave up here")
                .help("split the program into smaller files");
        }
        ErrorVariant::CustomError { .. } => Vec::new(),
    };
    // pest sometimes names nothing it expected (at the very start of a
    // file, say): what belongs there follows from whether a block is open.
    let expected = if expected.is_empty() {
        match unclosed_brace(&source[..at]) {
            None => vec![DECLARATION],
            Some(_) => vec![STEP],
        }
    } else {
        expected
    };
    let span = Span::new(file, offset + at, offset + at + found_len(source, at));
    let found_text = found(source, at);
    let rest = &source[at..];
    let line_rest = rest.lines().next().unwrap_or("");

    // Slips with a message of their own. pest reads the first two quotes of
    // an unclosed `"""` as an empty string, so look back for the block.
    let block_start = (at >= 2 && source.as_bytes()[at - 2..].starts_with(b"\"\"\"")).then(|| at - 2);
    if let Some(start) = block_start.filter(|s| !source[s + 3..].contains("\"\"\"")) {
        return Diagnostic::new(Code::SyntaxError, "this `\"\"\"` block is never closed")
            .primary(
                Span::new(file, offset + start, offset + start + 3),
                "the block starts here",
            )
            .help("end the block with `\"\"\"` on a line of its own");
    }
    if rest.starts_with('"') && !rest.starts_with("\"\"\"") && !line_rest[1..].contains('"') {
        return Diagnostic::new(Code::SyntaxError, "this string is never closed")
            .primary(
                Span::new(file, offset + at, offset + at + line_rest.len()),
                "the string starts here and runs to the end of the line",
            )
            .help(
                "close it with `\"` on the same line, or write a `\"\"\"` block for text of several lines",
            );
    }
    if rest.starts_with("\"\"\"") && !rest[3..].contains("\"\"\"") {
        return Diagnostic::new(Code::SyntaxError, "this `\"\"\"` block is never closed")
            .primary(
                Span::new(file, offset + at, offset + at + 3),
                "the block starts here",
            )
            .help("end the block with `\"\"\"`");
    }

    let message = if expected.is_empty() {
        format!("unexpected {found_text}")
    } else {
        format!("expected {}, found {found_text}", join_words(&expected))
    };
    let mut diagnostic = Diagnostic::new(Code::SyntaxError, message).primary(span, label_for(&expected));
    if let Some(help) = hint(source, at, &expected) {
        diagnostic = diagnostic.help(help);
    } else {
        diagnostic = diagnostic.help("see docs/language.md for the syntax of each statement");
    }
    if rest.trim().is_empty() && (expected.contains(&"`}`") || expected.contains(&STEP)) {
        if let Some(open) = unclosed_brace(source) {
            return Diagnostic::new(Code::SyntaxError, "this block is never closed")
                .primary(
                    Span::new(file, offset + open, offset + open + 1),
                    "the block opens here",
                )
                .secondary(span, "the file ends before its `}`")
                .help("close the block with `}` on a line of its own");
        }
    }
    diagnostic
}

fn label_for(expected: &[&str]) -> String {
    match expected {
        [] => "unexpected here".to_string(),
        [one] => format!("expected {one}"),
        _ => "unexpected here".to_string(),
    }
}

fn hint(source: &str, at: usize, expected: &[&str]) -> Option<String> {
    let rest = &source[at..];
    let word: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    let wants_step = expected.iter().any(|e| e.starts_with("a step"));
    let wants_decl = expected.iter().any(|e| e.starts_with("a declaration"));
    if rest.starts_with(';') {
        return Some("statements end at a line break: remove the `;`".to_string());
    }
    if rest.starts_with("--") {
        return Some(
            "msb has no flags: a copy from another stage is written `copy build.server to /app/server`"
                .to_string(),
        );
    }
    let lower = word.to_ascii_lowercase();
    if !word.is_empty()
        && word != lower
        && (STEP_KEYWORDS.contains(&lower.as_str())
            || TOP_KEYWORDS.contains(&lower.as_str())
            || lower == "from")
    {
        return Some(format!("msb keywords are lowercase: write `{lower}`"));
    }
    if wants_step && !word.is_empty() {
        if let Some(keyword) = did_you_mean(&word, STEP_KEYWORDS.iter().copied()) {
            return Some(format!("did you mean `{keyword}`?"));
        }
        if matches!(
            lower.as_str(),
            "add" | "arg" | "volume" | "shell" | "onbuild" | "stopsignal"
        ) {
            return Some(format!(
                "msb has no `{lower}` step; the steps are {}",
                STEP_KEYWORDS.join(", ")
            ));
        }
    }
    if wants_decl && !word.is_empty() {
        if lower == "stage" || lower == "from" {
            return Some("a stage starts with its role: `builder build from go { ... }` (roles: base, builder, runtime)".to_string());
        }
        if let Some(keyword) = did_you_mean(&word, TOP_KEYWORDS.iter().copied()) {
            return Some(format!("did you mean `{keyword}`?"));
        }
        if STEP_KEYWORDS.contains(&lower.as_str()) {
            return Some("steps belong inside a stage's `{ ... }` block".to_string());
        }
    }
    if expected.contains(&"`from`") {
        return Some("a stage names what it starts from: `builder build from go {`".to_string());
    }
    if expected.contains(&"`to`") && rest.starts_with(|c: char| c.is_whitespace() || c == '\n') {
        return Some(
            "a copy from another stage names its destination: `copy build.server to /app/server`".to_string(),
        );
    }
    if rest.starts_with('=') && expected.contains(&"`{`") {
        return Some("a stage's steps go in a `{ ... }` block".to_string());
    }
    if rest.starts_with('\'') {
        return Some("strings use double quotes: \"like this\"".to_string());
    }
    if rest.starts_with(':') && expected.iter().any(|e| e.contains("`=`")) {
        return Some("write `=` here".to_string());
    }
    None
}

/// The offset of the last `{` left open at the end of the file, skipping
/// strings and comments.
fn unclosed_brace(source: &str) -> Option<usize> {
    let mut open = Vec::new();
    let bytes = source.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' if source[i..].starts_with("\"\"\"") => {
                i = source[i + 3..]
                    .find("\"\"\"")
                    .map(|e| i + 3 + e + 3)
                    .unwrap_or(bytes.len());
                continue;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'{' => open.push(i),
            b'}' => {
                open.pop();
            }
            _ => {}
        }
        i += 1;
    }
    open.pop()
}

/// Byte ranges of the top-level declarations: each starts at a line that
/// begins (in column one) with a declaration keyword or a `##` doc comment
/// above one. Lines inside a `"""` block never start a piece.
pub fn top_level_pieces(source: &str) -> Vec<(usize, usize)> {
    let mut starts = Vec::new();
    let mut in_block = false;
    let mut doc_start: Option<usize> = None;
    let mut offset = 0;
    for line in source.split_inclusive('\n') {
        let starts_decl = !in_block
            && TOP_KEYWORDS
                .iter()
                .any(|k| line.strip_prefix(k).is_some_and(|r| r.starts_with([' ', '\t'])));
        if !in_block && line.starts_with("##") {
            doc_start.get_or_insert(offset);
        } else if starts_decl {
            starts.push(doc_start.take().unwrap_or(offset));
        } else if !line.trim().is_empty() {
            doc_start = None;
        }
        if line.matches("\"\"\"").count() % 2 == 1 {
            in_block = !in_block;
        }
        offset += line.len();
    }
    let mut pieces = Vec::new();
    for (i, &start) in starts.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(source.len());
        pieces.push((start, end));
    }
    pieces
}
