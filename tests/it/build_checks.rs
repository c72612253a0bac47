//! BuildKit's build checks (`docker build --check`, Dockerfile frontend 1.8
//! and later), applied to everything msbc writes. The engines these tests
//! run on (Engine 26.1, buildx 0.13) predate `--check`, so the rules that
//! read only the Dockerfile are implemented here, after BuildKit's
//! definitions (frontend/dockerfile/linter); each is shown to fire on a
//! Dockerfile that breaks it, so none can pass by accident. The table in
//! docs/language.md ("Lint parity") lists every rule and where it is checked.

use crate::examples::example_programs;
use crate::support::{compile_fixture, compile_in_context, load, root};
use msbc::codegen::Profile;
use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

/// One instruction as BuildKit's parser sees it.
#[derive(Debug)]
struct Instruction {
    /// As written, for the casing rules.
    keyword: String,
    /// Everything after the keyword, continuation lines joined.
    args: String,
    line: usize,
    /// The comment lines directly above, without `#`.
    comments: Vec<String>,
    empty_continuation: bool,
}

fn heredoc_delimiters(args: &str) -> Vec<String> {
    static HEREDOC: OnceLock<Regex> = OnceLock::new();
    let re = HEREDOC.get_or_init(|| Regex::new(r#"<<-?(["']?)([A-Za-z_][A-Za-z0-9_]*)(["']?)"#).unwrap());
    re.captures_iter(args).map(|c| c[2].to_string()).collect()
}

fn instructions(dockerfile: &str) -> Vec<Instruction> {
    let lines: Vec<&str> = dockerfile.lines().collect();
    let mut out = Vec::new();
    let mut comments = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim_start();
        i += 1;
        if line.is_empty() {
            comments.clear();
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            comments.push(comment.trim().to_string());
            continue;
        }
        let start = i;
        let (keyword, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let mut args = rest.to_string();
        let mut empty_continuation = false;
        while args.ends_with('\\') && i < lines.len() {
            args.pop();
            if lines[i].trim().is_empty() {
                empty_continuation = true;
            }
            args.push(' ');
            args.push_str(lines[i].trim());
            i += 1;
        }
        if keyword.eq_ignore_ascii_case("RUN") || keyword.eq_ignore_ascii_case("COPY") {
            for delimiter in heredoc_delimiters(&args) {
                while i < lines.len() && lines[i].trim() != delimiter {
                    i += 1;
                }
                i += 1;
            }
        }
        out.push(Instruction {
            keyword: keyword.to_string(),
            args,
            line: start,
            comments: std::mem::take(&mut comments),
            empty_continuation,
        });
    }
    out
}

/// Variables an instruction expands, `\$` and single-quoted text aside.
fn expanded_vars(args: &str) -> Vec<String> {
    static VAR: OnceLock<Regex> = OnceLock::new();
    let re = VAR.get_or_init(|| {
        Regex::new(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)[^}]*\}|([A-Za-z_][A-Za-z0-9_]*))").unwrap()
    });
    let mut unquoted = String::new();
    let mut chars = args.chars();
    let mut single = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '\'' => single = !single,
            _ if !single => unquoted.push(c),
            _ => {}
        }
    }
    re.captures_iter(&unquoted)
        .map(|c| c.get(1).or(c.get(2)).unwrap().as_str().to_string())
        .collect()
}

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

/// Variables every image's config sets, which BuildKit also knows.
const IMAGE_ENV: &[&str] = &["PATH"];

fn is_secret_name(name: &str) -> bool {
    static SECRET: OnceLock<Regex> = OnceLock::new();
    let re = SECRET.get_or_init(|| {
        Regex::new(r"(?i)(?:_|^)(?:apikey|auth|credential|credentials|key|password|pword|passwd|secret|token)(?:_|$)")
            .unwrap()
    });
    re.is_match(name) && !name.to_ascii_lowercase().contains("public")
}

/// Every violation of the build checks in one Dockerfile, as `Rule: detail (line N)`.
fn violations(dockerfile: &str, dockerignore: Option<&str>) -> Vec<String> {
    let instructions = instructions(dockerfile);
    let mut found = Vec::new();
    let mut report =
        |rule: &str, detail: String, line: usize| found.push(format!("{rule}: {detail} (line {line})"));

    let upper = instructions
        .iter()
        .filter(|i| i.keyword == i.keyword.to_uppercase())
        .count();
    let lower = instructions
        .iter()
        .filter(|i| i.keyword == i.keyword.to_lowercase())
        .count();
    let mut global_args: BTreeMap<String, bool> = BTreeMap::new();
    let mut stages: BTreeSet<String> = BTreeSet::new();
    // Per stage: ARGs and ENVs defined so far; stage name -> its definitions.
    let mut defined: BTreeSet<String> = BTreeSet::new();
    let mut stage_defined: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut current: Option<String> = None;
    let mut once: BTreeMap<String, usize> = BTreeMap::new();
    let mut seen_from = false;

    for ins in &instructions {
        let keyword = ins.keyword.to_uppercase();
        if upper != instructions.len() && lower != instructions.len() {
            report("ConsistentInstructionCasing", ins.keyword.clone(), ins.line);
        }
        if ins.empty_continuation {
            report("NoEmptyContinuation", ins.keyword.clone(), ins.line);
        }
        match keyword.as_str() {
            "FROM" => {
                if let Some(name) = &current {
                    stage_defined.insert(name.clone(), std::mem::take(&mut defined));
                }
                seen_from = true;
                once.clear();
                let words: Vec<&str> = ins.args.split_whitespace().collect();
                let mut image = None;
                let mut name = None;
                let mut k = 0;
                while k < words.len() {
                    let w = words[k];
                    if let Some(platform) = w.strip_prefix("--platform=") {
                        if !platform.contains('$') {
                            report("FromPlatformFlagConstDisallowed", platform.to_string(), ins.line);
                        }
                        if platform == "$TARGETPLATFORM" || platform == "${TARGETPLATFORM}" {
                            report("RedundantTargetPlatform", platform.to_string(), ins.line);
                        }
                    } else if w.eq_ignore_ascii_case("AS") && k + 1 < words.len() {
                        if (w == w.to_uppercase()) != (ins.keyword == ins.keyword.to_uppercase()) {
                            report("FromAsCasing", format!("{} {w}", ins.keyword), ins.line);
                        }
                        name = Some(words[k + 1].to_string());
                        k += 1;
                    } else if image.is_none() {
                        image = Some(w.to_string());
                    }
                    k += 1;
                }
                for var in expanded_vars(&ins.args) {
                    match global_args.get(&var) {
                        None if !PLATFORM_ARGS.contains(&var.as_str()) => {
                            report("UndefinedArgInFrom", var, ins.line)
                        }
                        Some(false) => report("InvalidDefaultArgInFrom", var, ins.line),
                        _ => {}
                    }
                }
                let image = image.unwrap_or_default();
                defined = stage_defined.get(&image).cloned().unwrap_or_default();
                if let Some(name) = &name {
                    if name != &name.to_lowercase() {
                        report("StageNameCasing", name.clone(), ins.line);
                    }
                    if !stages.insert(name.to_lowercase()) {
                        report("DuplicateStageName", name.clone(), ins.line);
                    }
                    if ["scratch", "context"].contains(&name.to_lowercase().as_str()) {
                        report("ReservedStageName", name.clone(), ins.line);
                    }
                    if let Some(comment) = ins.comments.last() {
                        if !comment.starts_with(&format!("{name} ")) {
                            report("InvalidDefinitionDescription", comment.clone(), ins.line);
                        }
                    }
                }
                current = name;
            }
            "ARG" => {
                for word in ins.args.split_whitespace() {
                    let (arg, default) = match word.split_once('=') {
                        Some((a, _)) => (a, true),
                        None => (word, false),
                    };
                    if is_secret_name(arg) {
                        report("SecretsUsedInArgOrEnv", arg.to_string(), ins.line);
                    }
                    if seen_from {
                        defined.insert(arg.to_string());
                    } else {
                        global_args.insert(arg.to_string(), default);
                        if let Some(comment) = ins.comments.last() {
                            if !comment.starts_with(&format!("{arg} ")) {
                                report("InvalidDefinitionDescription", comment.clone(), ins.line);
                            }
                        }
                    }
                }
            }
            "MAINTAINER" => report("MaintainerDeprecated", ins.args.clone(), ins.line),
            "CMD" | "ENTRYPOINT" | "HEALTHCHECK" => {
                let count = once.entry(keyword.clone()).or_insert(0);
                *count += 1;
                if *count > 1 {
                    report("MultipleInstructionsDisallowed", keyword.clone(), ins.line);
                }
                let json = if keyword == "HEALTHCHECK" {
                    ins.args.trim() == "NONE" || ins.args.contains("CMD [")
                } else {
                    ins.args.trim_start().starts_with('[')
                };
                if !json && keyword != "HEALTHCHECK" {
                    report("JSONArgsRecommended", keyword.clone(), ins.line);
                }
            }
            "WORKDIR" => {
                let path = ins.args.trim().trim_matches('"');
                if !path.starts_with('/') && !path.starts_with('$') {
                    report("WorkdirRelativePath", path.to_string(), ins.line);
                }
            }
            "EXPOSE" => {
                for port in ins.args.split_whitespace() {
                    if port.contains(':') {
                        report("ExposeInvalidFormat", port.to_string(), ins.line);
                    }
                    if let Some((_, proto)) = port.split_once('/') {
                        if proto != proto.to_lowercase() {
                            report("ExposeProtoCasing", port.to_string(), ins.line);
                        }
                    }
                }
            }
            "COPY" | "ADD" => {
                if let Some(ignore) = dockerignore {
                    if !ins.args.contains("--from=") {
                        for source in copy_sources(&ins.args) {
                            if !admitted(ignore, &source) {
                                report("CopyIgnoredFile", source, ins.line);
                            }
                        }
                    }
                }
            }
            _ => {}
        }
        if matches!(keyword.as_str(), "ENV" | "LABEL") {
            let first = ins.args.split_whitespace().next().unwrap_or("");
            if !first.contains('=') {
                report("LegacyKeyValueFormat", keyword.clone(), ins.line);
            }
        }
        // Every instruction BuildKit expands (not RUN, whose shell expands,
        // nor FROM and ARG, handled above) reads only defined variables.
        if !matches!(
            keyword.as_str(),
            "RUN" | "FROM" | "ARG" | "CMD" | "ENTRYPOINT" | "HEALTHCHECK"
        ) {
            for var in expanded_vars(&ins.args) {
                if !defined.contains(&var) && !IMAGE_ENV.contains(&var.as_str()) {
                    report("UndefinedVar", var, ins.line);
                }
            }
        }
        if keyword == "ENV" {
            for (name, _) in env_pairs(&ins.args) {
                if is_secret_name(&name) {
                    report("SecretsUsedInArgOrEnv", name.clone(), ins.line);
                }
                defined.insert(name);
            }
        }
    }
    found
}

/// `KEY="value" KEY2=value` pairs of an ENV.
fn env_pairs(args: &str) -> Vec<(String, String)> {
    static PAIR: OnceLock<Regex> = OnceLock::new();
    let re = PAIR.get_or_init(|| Regex::new(r#"([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)"#).unwrap());
    re.captures_iter(args)
        .map(|c| (c[1].to_string(), c[2].to_string()))
        .collect()
}

/// The context paths of a COPY: its words after the flags, but the last.
fn copy_sources(args: &str) -> Vec<String> {
    let args = args.trim();
    let words: Vec<String> = if args.starts_with('[') {
        serde_json::from_str(args).unwrap_or_default()
    } else {
        args.split_whitespace()
            .filter(|w| !w.starts_with("--"))
            .map(str::to_string)
            .collect()
    };
    let n = words.len().saturating_sub(1);
    // BuildKit expands COPY's words, JSON form too: `\$` is a plain `$`.
    words
        .into_iter()
        .take(n)
        .filter(|w| !w.starts_with("<<"))
        .map(|w| w.replace("\\$", "$"))
        .collect()
}

/// Whether an allowlist `.dockerignore` (`**`, then `!path` lines) lets a
/// context path through.
fn admitted(ignore: &str, source: &str) -> bool {
    let source = source.trim_start_matches("./").trim_end_matches('/');
    if source == "." || source.is_empty() {
        return !ignore.lines().any(|l| l.trim() == "**");
    }
    ignore
        .lines()
        .filter_map(|l| l.trim().strip_prefix('!'))
        .any(|allowed| {
            let allowed = allowed.trim_start_matches('/').trim_end_matches('/');
            source == allowed || source.starts_with(&format!("{allowed}/"))
        })
}

/// Each rule fires on a Dockerfile that breaks it.
#[test]
fn each_rule_fires_on_a_dockerfile_that_breaks_it() {
    let cases: &[(&str, &str, Option<&str>)] = &[
        ("StageNameCasing", "FROM alpine AS Build\n", None),
        ("FromAsCasing", "FROM alpine as build\n", None),
        (
            "NoEmptyContinuation",
            "FROM alpine\nRUN echo a \\\n\n  echo b\n",
            None,
        ),
        ("ConsistentInstructionCasing", "FROM alpine\nrun echo\n", None),
        ("DuplicateStageName", "FROM alpine AS a\nFROM alpine AS a\n", None),
        ("ReservedStageName", "FROM alpine AS scratch\n", None),
        ("JSONArgsRecommended", "FROM alpine\nCMD echo hi\n", None),
        ("MaintainerDeprecated", "FROM alpine\nMAINTAINER me\n", None),
        ("UndefinedArgInFrom", "FROM alpine:$V\n", None),
        ("InvalidDefaultArgInFrom", "ARG V\nFROM alpine:$V\n", None),
        ("WorkdirRelativePath", "FROM alpine\nWORKDIR app\n", None),
        ("UndefinedVar", "FROM alpine\nCOPY $SRC /x\n", None),
        (
            "MultipleInstructionsDisallowed",
            "FROM alpine\nCMD [\"a\"]\nCMD [\"b\"]\n",
            None,
        ),
        ("LegacyKeyValueFormat", "FROM alpine\nENV A b\n", None),
        (
            "RedundantTargetPlatform",
            "FROM --platform=$TARGETPLATFORM alpine\n",
            None,
        ),
        (
            "FromPlatformFlagConstDisallowed",
            "FROM --platform=linux/amd64 alpine\n",
            None,
        ),
        ("SecretsUsedInArgOrEnv", "FROM alpine\nARG API_TOKEN\n", None),
        (
            "CopyIgnoredFile",
            "FROM alpine\nCOPY secret.txt /x\n",
            Some("**\n!main.go\n"),
        ),
        (
            "InvalidDefinitionDescription",
            "# builds it\nFROM alpine AS build\n",
            None,
        ),
        ("ExposeProtoCasing", "FROM alpine\nEXPOSE 80/TCP\n", None),
        ("ExposeInvalidFormat", "FROM alpine\nEXPOSE 0.0.0.0:80:80\n", None),
    ];
    for (rule, dockerfile, ignore) in cases {
        let found = violations(dockerfile, *ignore);
        assert!(
            found.iter().any(|v| v.starts_with(&format!("{rule}:"))),
            "{rule} does not fire on:\n{dockerfile}\nfound: {found:?}"
        );
    }
    // And a clean file stays clean: heredoc bodies are not instructions.
    let clean = "ARG V=1\n# build Builds it.\nFROM alpine:$V AS build\nARG V\nENV A=\"$V\"\nWORKDIR /src\nRUN <<EOF\nset -e\ncmd foo\nEOF\nCMD [\"x\"]\n";
    assert_eq!(violations(clean, None), Vec::<String>::new());
}

/// What msbc writes for every example, every codegen and check/ok fixture,
/// under both profiles, raises none of the build checks.
#[test]
fn generated_dockerfiles_pass_the_build_checks() {
    let examples = example_programs();
    let mut programs = examples.clone();
    for folder in ["tests/data/codegen", "tests/data/check/ok"] {
        let mut files: Vec<_> = std::fs::read_dir(root().join(folder))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "msb"))
            .collect();
        files.sort();
        programs.extend(files);
    }
    let mut checked = 0;
    let mut failures = Vec::new();
    for path in &programs {
        // Fixtures of W0007 warn of exactly what SecretsUsedInArgOrEnv flags.
        if path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("w0007"))
        {
            continue;
        }
        for profile in [Profile::Modern, Profile::Legacy] {
            let (mut sources, id) = load(path);
            // Examples compile as `msbc compile FILE` does, with their folder
            // as the context (toolchain presets read their lockfiles there).
            let outcome = if examples.contains(path) {
                compile_in_context(&sources, id, profile, path.parent().unwrap())
            } else {
                compile_fixture(&mut sources, id, path, profile)
            };
            let Some(dockerfile) = outcome.dockerfile else {
                continue;
            };
            for v in violations(&dockerfile, outcome.dockerignore.as_deref()) {
                failures.push(format!("{} ({profile:?}): {v}", path.display()));
            }
            checked += 1;
        }
    }
    assert!(checked > 60, "only {checked} Dockerfiles were checked");
    assert!(
        failures.is_empty(),
        "build-check violations:\n{}",
        failures.join("\n")
    );
}
