//! Properties over generated programs (proptest; `PROPTEST_CASES` sets the
//! number of cases, 256 by default here).
//!
//! - Every generated program checks, and its Dockerfile is read by
//!   `dockerfile-parser`, which shares no code with msbc, as the same stages
//!   in the same order, with the same bases, the same `COPY --from` edges,
//!   the same number of `RUN`s and the same `ENV` and `LABEL` values.
//! - Values drawn from hostile strings (quotes, `$`, backslashes, heredoc
//!   markers, line breaks where a value may hold them, Unicode) stay inside
//!   their instruction under both profiles: read back by Docker's rules, each
//!   `ENV`, `LABEL`, `CMD` and `RUN` holds exactly the value written, and no
//!   other instruction appears.

use dockerfile_parser::{Dockerfile, Instruction};
use msbc::codegen::Profile;
use msbc::driver::{self, Options};
use msbc::source::Sources;
use proptest::prelude::*;

/// Pieces that break naive quoting: quotes, escapes, variables, heredoc
/// markers, instruction look-alikes, comment and JSON characters, Unicode
/// (wide, zero-width, a byte-order mark, a line separator) and control
/// characters. Each use filters out what its place may not hold.
const FRAGMENTS: &[&str] = &[
    "\"",
    "\\",
    "\\\\",
    "$",
    "${",
    "}",
    "$HOME",
    "${PATH}",
    "\\$",
    "$(id)",
    "<<EOF",
    "EOF",
    "EOF_1",
    "<<-'END'",
    "'",
    "`",
    "#",
    " ",
    "  ",
    "&&",
    ";",
    "|",
    "--mount=type=secret,id=x",
    "RUN evil",
    "FROM x AS y",
    "[",
    "]",
    "[\"/bin/sh\"]",
    ",",
    "{",
    "=",
    "%s",
    "\\n",
    "é",
    "🦀",
    "日本語",
    "\u{200b}",
    "\u{feff}",
    "\u{2028}",
    "a",
    "echo",
    "0",
    "\n",
    "\t",
    "\r",
    "\u{0}",
    "\u{1b}",
    "\u{85}",
];

fn hostile(allow: fn(char) -> bool) -> impl Strategy<Value = String> {
    let fragments: Vec<&'static str> = FRAGMENTS
        .iter()
        .copied()
        .filter(|f| f.chars().all(allow))
        .collect();
    prop::collection::vec(prop::sample::select(fragments), 0..8).prop_map(|parts| parts.concat())
}

/// ENV and LABEL values: no control character (msbc refuses those there).
fn instruction_char(c: char) -> bool {
    !c.is_control()
}

/// The same, without `$`: `dockerfile-parser` unquotes with rules that lack
/// Docker's `\$` escape, so values it reads back hold no `$`. The escaping
/// property covers `$` with Docker's own rules.
fn unquotable_char(c: char) -> bool {
    !c.is_control() && c != '$'
}

/// A run command may span lines and hold tabs, and nothing else of the kind.
fn run_char(c: char) -> bool {
    !c.is_control() || c == '\n' || c == '\t'
}

/// An msb string literal that decodes to `value`.
fn msb_string(value: &str) -> String {
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '$' => out.push_str("\\$"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:X}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn compile(program: &str, profile: Profile) -> driver::Outcome {
    let mut sources = Sources::new();
    let id = sources.add("app.msb", program.to_string());
    let mut options = Options::default();
    options.codegen.profile = profile;
    driver::compile(&sources, id, &options).expect("no target is requested")
}

fn errors(outcome: &driver::Outcome) -> Vec<String> {
    outcome
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{}: {}", d.code, d.message))
        .collect()
}

// ---- the graph ----------------------------------------------------------

const IMAGES: &[&str] = &["debian:12", "alpine:3.20", "ubuntu:24.04"];

#[derive(Debug, Clone)]
struct StageModel {
    /// An image (index into IMAGES) or an earlier stage.
    base: Result<usize, usize>,
    /// Earlier stages whose artifact this stage copies, in step order.
    copies: Vec<usize>,
    envs: Vec<String>,
    labels: Vec<String>,
    runs: Vec<String>,
}

#[derive(Debug, Clone)]
struct ProgramModel {
    stages: Vec<StageModel>,
    cmd: Vec<String>,
}

impl ProgramModel {
    fn name(index: usize) -> String {
        format!("s{index}")
    }

    fn text(&self) -> String {
        let mut out = String::new();
        for (i, image) in IMAGES.iter().enumerate() {
            out.push_str(&format!("image i{i} = \"{image}\"\n"));
        }
        let last = self.stages.len() - 1;
        for (i, stage) in self.stages.iter().enumerate() {
            let role = if i == last { "runtime" } else { "builder" };
            let base = match stage.base {
                Ok(image) => format!("i{image}"),
                Err(stage) => Self::name(stage),
            };
            out.push_str(&format!("\n{role} {} from {base} {{\n", Self::name(i)));
            for &from in &stage.copies {
                out.push_str(&format!("  copy s{from}.out to /in/s{i}/from{from}\n"));
            }
            for (k, value) in stage.envs.iter().enumerate() {
                out.push_str(&format!("  env E{i}_{k} = {}\n", msb_string(value)));
            }
            for (k, value) in stage.labels.iter().enumerate() {
                out.push_str(&format!(
                    "  label org.example.l{i}.k{k} = {}\n",
                    msb_string(value)
                ));
            }
            for run in &stage.runs {
                out.push_str(&format!("  run {}\n", msb_string(&format!("echo {run}"))));
            }
            if i == last {
                let args: Vec<String> = std::iter::once("/bin/echo".to_string())
                    .chain(self.cmd.iter().cloned())
                    .map(|a| msb_string(&a))
                    .collect();
                out.push_str(&format!("  cmd [{}]\n", args.join(", ")));
            } else {
                out.push_str(&format!("  run \"mkdir -p /out && echo {i} > /out/s{i}\"\n"));
                out.push_str(&format!("  produce out: file = /out/s{i}\n"));
            }
            out.push_str("}\n");
        }
        out
    }
}

/// Programs of one to six stages. Each stage but the last is used by a later
/// one, as its base or through a copy, so that every stage is built and the
/// Dockerfile lists them in declaration order.
fn program_model() -> impl Strategy<Value = ProgramModel> {
    (1usize..=6)
        .prop_flat_map(|n| {
            let stage = (
                any::<u32>(),
                prop::collection::vec(any::<u32>(), 0..3),
                prop::collection::vec(hostile(unquotable_char), 0..3),
                prop::collection::vec(hostile(unquotable_char), 0..3),
                prop::collection::vec(hostile(run_char), 0..3),
            );
            (
                prop::collection::vec(stage, n),
                prop::collection::vec(any::<u32>(), n),
                prop::collection::vec(hostile(|_| true), 0..4),
            )
        })
        .prop_map(|(raw, consumers, cmd)| {
            let n = raw.len();
            let mut stages: Vec<StageModel> = raw
                .into_iter()
                .enumerate()
                .map(|(i, (base, extra, envs, labels, runs))| {
                    let base = if i > 0 && base % 4 == 0 {
                        Err((base as usize / 4) % i)
                    } else {
                        Ok(base as usize % IMAGES.len())
                    };
                    let copies = if i == 0 {
                        Vec::new()
                    } else {
                        extra.into_iter().map(|e| e as usize % i).collect()
                    };
                    StageModel {
                        base,
                        copies,
                        envs,
                        labels,
                        runs,
                    }
                })
                .collect();
            // Give every stage a consumer: a later stage that copies its file.
            for i in 0..n.saturating_sub(1) {
                let used = stages[i + 1..]
                    .iter()
                    .any(|s| s.base == Err(i) || s.copies.contains(&i));
                if !used {
                    let consumer = i + 1 + consumers[i] as usize % (n - 1 - i);
                    stages[consumer].copies.push(i);
                }
            }
            for stage in &mut stages {
                let mut seen = Vec::new();
                stage.copies.retain(|c| {
                    let new = !seen.contains(c);
                    seen.push(*c);
                    new
                });
            }
            ProgramModel { stages, cmd }
        })
}

/// (name, base, copy sources, run count, env pairs, label pairs) per stage.
type Read = (
    String,
    String,
    Vec<String>,
    usize,
    Vec<(String, String)>,
    Vec<(String, String)>,
);

fn read_with_dockerfile_parser(text: &str) -> Vec<Read> {
    let dockerfile = Dockerfile::parse(text).unwrap_or_else(|e| panic!("dockerfile-parser: {e}\n{text}"));
    dockerfile
        .stages()
        .iter()
        .map(|stage| {
            let mut read: Read = (
                stage.name.clone().unwrap_or_default(),
                String::new(),
                vec![],
                0,
                vec![],
                vec![],
            );
            for instruction in &stage.instructions {
                match instruction {
                    Instruction::From(f) => read.1 = f.image.content.clone(),
                    Instruction::Copy(c) => read.2.extend(
                        c.flags
                            .iter()
                            .filter(|f| f.name.content == "from")
                            .map(|f| f.value.content.clone()),
                    ),
                    Instruction::Run(_) => read.3 += 1,
                    Instruction::Env(env) => read.4.extend(
                        env.vars
                            .iter()
                            .map(|v| (v.key.content.clone(), v.value.to_string())),
                    ),
                    Instruction::Label(label) => read.5.extend(
                        label
                            .labels
                            .iter()
                            .map(|l| (l.name.content.clone(), l.value.content.clone())),
                    ),
                    _ => {}
                }
            }
            read
        })
        .collect()
}

fn expected_read(model: &ProgramModel) -> Vec<Read> {
    let last = model.stages.len() - 1;
    model
        .stages
        .iter()
        .enumerate()
        .map(|(i, stage)| {
            let base = match stage.base {
                Ok(image) => IMAGES[image].to_string(),
                Err(stage) => ProgramModel::name(stage),
            };
            let copies = stage.copies.iter().map(|&c| ProgramModel::name(c)).collect();
            // Adjacent single simple commands share one RUN (the run-merging
            // pass); the builder's own `mkdir ... && echo` never merges.
            let mergeable: Vec<bool> = stage
                .runs
                .iter()
                .map(|r| msbc::codegen::optimize::mergeable_command(&format!("echo {r}")))
                .collect();
            let runs = (0..mergeable.len())
                .filter(|&k| k == 0 || !(mergeable[k - 1] && mergeable[k]))
                .count()
                + usize::from(i != last);
            let envs = stage
                .envs
                .iter()
                .enumerate()
                .map(|(k, v)| (format!("E{i}_{k}"), v.clone()))
                .collect();
            // A runtime is labelled with the image at the root of its bases.
            let mut labels = Vec::new();
            if i == last {
                let mut root = stage.base;
                while let Err(b) = root {
                    root = model.stages[b].base;
                }
                let image = IMAGES[root.unwrap_or_default()].to_string();
                labels.push(("org.opencontainers.image.base.name".to_string(), image));
            }
            labels.extend(
                stage
                    .labels
                    .iter()
                    .enumerate()
                    .map(|(k, v)| (format!("org.example.l{i}.k{k}"), v.clone())),
            );
            (ProgramModel::name(i), base, copies, runs, envs, labels)
        })
        .collect()
}

// ---- Docker's rules, for the escaping property ---------------------------

/// The value of a double-quoted ENV or LABEL word, by Docker's rules: a
/// backslash before `"`, `$` or `\` stands for that character; any other
/// backslash is kept.
fn docker_unquote(word: &str) -> Option<(String, &str)> {
    let mut chars = word.strip_prefix('"')?.char_indices();
    let body = &word[1..];
    let mut out = String::new();
    while let Some((at, c)) = chars.next() {
        match c {
            '"' => return Some((out, &body[at + 1..])),
            '\\' => match chars.next() {
                Some((_, e @ ('"' | '$' | '\\'))) => out.push(e),
                Some((_, e)) => {
                    out.push('\\');
                    out.push(e);
                }
                None => return None,
            },
            // An unescaped `$` would be expanded by the builder.
            '$' => return None,
            c => out.push(c),
        }
    }
    None
}

/// `"k"="v" "k2"="v2"` or `K="v" K2="v2"`: the pairs, read by Docker's rules.
fn docker_pairs(mut rest: &str) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    while !rest.is_empty() {
        let (key, after) = if rest.starts_with('"') {
            docker_unquote(rest).unwrap_or_else(|| panic!("a quoted key: {rest}"))
        } else {
            let end = rest.find('=').unwrap_or_else(|| panic!("a key: {rest}"));
            (rest[..end].to_string(), &rest[end..])
        };
        let after = after
            .strip_prefix('=')
            .unwrap_or_else(|| panic!("`=` after {key}: {after}"));
        let (value, after) = docker_unquote(after).unwrap_or_else(|| panic!("a quoted value: {after}"));
        pairs.push((key, value));
        rest = after.strip_prefix(' ').unwrap_or(after);
    }
    pairs
}

/// One instruction as the builder splits a Dockerfile.
struct Read2 {
    keyword: String,
    /// The text after the keyword on its first line, or the whole
    /// instruction when continued lines make it up.
    pieces: Vec<String>,
    /// The body of a heredoc.
    body: Vec<String>,
}

/// A Dockerfile as the builder splits it: a line that ends in a backslash
/// (blanks may follow it) goes on, comment lines inside such an instruction
/// are dropped, and a `RUN <<'DELIM'` takes the lines up to `DELIM`.
fn docker_instructions(text: &str) -> Vec<Read2> {
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let (keyword, rest) = line.split_once(' ').unwrap_or((line, ""));
        let mut pieces = vec![rest.to_string()];
        while let Some(continued) = pieces
            .last()
            .unwrap()
            .trim_end_matches([' ', '\t'])
            .strip_suffix('\\')
        {
            let continued = continued.to_string();
            *pieces.last_mut().unwrap() = continued;
            let next = lines
                .by_ref()
                .find(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty());
            pieces.push(next.expect("a continued line goes on").to_string());
        }
        let mut body = Vec::new();
        if keyword == "RUN" {
            if let Some(at) = rest.find("<<'") {
                let delimiter = rest[at + 3..].split('\'').next().unwrap().to_string();
                for body_line in lines.by_ref() {
                    if body_line == delimiter {
                        break;
                    }
                    body.push(body_line.to_string());
                }
            }
        }
        out.push(Read2 {
            keyword: keyword.to_string(),
            pieces,
            body,
        });
    }
    out
}

/// Undoes the legacy profile's `printf '%s\n' 'line' ... | sh`: the lines.
fn printf_lines(rest: &str) -> Option<Vec<String>> {
    let words = rest.strip_prefix("printf '%s\\n' ")?.strip_suffix(" | sh")?;
    let mut lines = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut chars = words.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('\'', _) => quoted = !quoted,
            ('\\', false) => current.push(chars.next()?),
            (' ', false) => lines.push(std::mem::take(&mut current)),
            (c, _) => current.push(c),
        }
    }
    lines.push(current);
    Some(lines)
}

#[derive(Debug, Clone)]
struct ValuesModel {
    env: String,
    label: String,
    run: String,
    cmd: Vec<String>,
}

fn values_model() -> impl Strategy<Value = ValuesModel> {
    (
        hostile(instruction_char),
        hostile(instruction_char),
        hostile(run_char),
        prop::collection::vec(hostile(|_| true), 0..4),
    )
        .prop_map(|(env, label, run, cmd)| ValuesModel { env, label, run, cmd })
}

fn values_program(v: &ValuesModel) -> String {
    let args: Vec<String> = std::iter::once("/bin/echo".to_string())
        .chain(v.cmd.iter().cloned())
        .map(|a| msb_string(&a))
        .collect();
    format!(
        "runtime app from \"debian:12\" {{\n  env V = {}\n  label \"org.example.v\" = {}\n  run {}\n  cmd [{}]\n}}\n",
        msb_string(&v.env),
        msb_string(&v.label),
        msb_string(&format!("echo {}", v.run)),
        args.join(", ")
    )
}

fn config() -> ProptestConfig {
    // PROPTEST_CASES, when set, overrides the count.
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(256),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn accepted_programs_keep_their_graph(model in program_model()) {
        let program = model.text();
        for profile in [Profile::Legacy, Profile::Modern] {
            let outcome = compile(&program, profile);
            prop_assert!(errors(&outcome).is_empty(), "{:?}\n{program}", errors(&outcome));
            let dockerfile = outcome.dockerfile.expect("a Dockerfile when there is no error");
            if profile == Profile::Legacy {
                // dockerfile-parser knows no heredocs: it reads the legacy form.
                prop_assert_eq!(read_with_dockerfile_parser(&dockerfile), expected_read(&model), "{}", dockerfile);
            }
            let froms = docker_instructions(&dockerfile)
                .into_iter()
                .filter(|i| i.keyword == "FROM")
                .map(|i| i.pieces[0].rsplit(' ').next().unwrap().to_string())
                .collect::<Vec<_>>();
            let names = (0..model.stages.len()).map(ProgramModel::name).collect::<Vec<_>>();
            prop_assert_eq!(froms, names, "{}", dockerfile);
        }
    }

    #[test]
    fn hostile_values_stay_inside_their_instruction(v in values_model()) {
        let program = values_program(&v);
        for profile in [Profile::Modern, Profile::Legacy] {
            let outcome = compile(&program, profile);
            prop_assert!(errors(&outcome).is_empty(), "{:?}\n{program}", errors(&outcome));
            let dockerfile = outcome.dockerfile.expect("a Dockerfile when there is no error");
            let instructions = docker_instructions(&dockerfile);
            let keywords: Vec<&str> = instructions.iter().map(|i| i.keyword.as_str()).collect();
            // The runtime's base-image label, the program's steps, the default user.
            prop_assert_eq!(&keywords, &["FROM", "LABEL", "ENV", "LABEL", "RUN", "USER", "CMD"], "{}", dockerfile);
            let env = docker_pairs(&instructions[2].pieces.concat());
            prop_assert_eq!(env, vec![("V".to_string(), v.env.clone())], "{}", dockerfile);
            let label = docker_pairs(&instructions[3].pieces.concat());
            prop_assert_eq!(label, vec![("org.example.v".to_string(), v.label.clone())], "{}", dockerfile);
            let run = format!("echo {}", v.run);
            let Read2 { pieces, body, .. } = &instructions[4];
            let script = if !body.is_empty() {
                prop_assert_eq!(body.first().map(String::as_str), Some("set -e"), "{}", dockerfile);
                body[1..].join("\n")
            } else if let Some(lines) = printf_lines(&pieces.concat()) {
                prop_assert_eq!(lines.first().map(String::as_str), Some("set -e"), "{}", dockerfile);
                lines[1..].join("\n")
            } else {
                // One plain line, or lines joined with `&&`.
                pieces
                    .iter()
                    .map(|p| p.trim().strip_prefix("&& ").unwrap_or(p.trim()))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            let trimmed: Vec<&str> = run.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
            let got: Vec<&str> = script.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
            prop_assert_eq!(got, trimmed, "{}", dockerfile);
            let cmd: Vec<String> = serde_json::from_str(&instructions[6].pieces.concat()).expect("CMD is a JSON array");
            let mut expected = vec!["/bin/echo".to_string()];
            expected.extend(v.cmd.iter().cloned());
            prop_assert_eq!(cmd, expected, "{}", dockerfile);
        }
    }
}
