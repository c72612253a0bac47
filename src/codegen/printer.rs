//! The one place that turns the Dockerfile IR into text. All quoting and
//! escaping happens here, so that no value can end a line early, start an
//! instruction, or be expanded by the builder where it was meant literally.

use super::dockerfile::*;
use super::Profile;
use std::fmt::Write;

pub fn print(dockerfile: &Dockerfile, profile: Profile) -> String {
    let mut out = String::new();
    for line in &dockerfile.header {
        comment(&mut out, line);
    }
    let out = print_body(out, dockerfile, profile);
    // A heredoc that ends the file leaves one blank line too many.
    match out.strip_suffix("\n\n") {
        Some(trimmed) => format!("{trimmed}\n"),
        None => out,
    }
}

fn print_body(mut out: String, dockerfile: &Dockerfile, profile: Profile) -> String {
    if !dockerfile.global_args.is_empty() {
        out.push('\n');
        for arg in &dockerfile.global_args {
            print_arg(&mut out, arg);
        }
    }
    for stage in &dockerfile.stages {
        if !out.ends_with("\n\n") {
            out.push('\n');
        }
        if let Some(description) = &stage.description {
            comment(&mut out, &format!("{} {}", stage.name, description));
        }
        let platform = match stage.platform {
            Some(PlatformArg::Build) => "--platform=$BUILDPLATFORM ",
            None => "",
        };
        let _ = writeln!(out, "FROM {platform}{} AS {}", bare(&stage.from), stage.name);
        for instruction in &stage.instructions {
            print_instruction(&mut out, instruction, profile);
        }
    }
    out
}

fn comment(out: &mut String, text: &str) {
    // A comment is one line: control characters become spaces.
    let text: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let _ = writeln!(out, "# {}", text.trim_end());
}

fn print_arg(out: &mut String, arg: &Arg) {
    match &arg.default {
        Some(default) => {
            let _ = writeln!(out, "ARG {}={}", arg.name, quoted(&Word::text(default.clone())));
        }
        None => {
            let _ = writeln!(out, "ARG {}", arg.name);
        }
    }
}

fn print_instruction(out: &mut String, instruction: &Instruction, profile: Profile) {
    match instruction {
        Instruction::Arg(arg) => print_arg(out, arg),
        Instruction::Workdir(dir) => {
            let _ = writeln!(out, "WORKDIR {}", token(dir));
        }
        Instruction::Env(pairs) => {
            let pairs: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={}", quoted(v))).collect();
            let _ = writeln!(out, "ENV {}", pairs.join(" "));
        }
        Instruction::Label(pairs) => {
            let pairs: Vec<String> = pairs
                .iter()
                .map(|(k, v)| format!("{}={}", quoted(k), quoted(v)))
                .collect();
            let _ = writeln!(out, "LABEL {}", pairs.join(" "));
        }
        Instruction::Copy {
            from,
            link,
            chown,
            chmod,
            sources,
            dest,
            ..
        } => {
            out.push_str("COPY");
            if *link {
                out.push_str(" --link");
            }
            if let Some(from) = from {
                let _ = write!(out, " --from={from}");
            }
            if let Some(chown) = chown {
                let _ = write!(out, " --chown={}", bare(chown));
            }
            if let Some(chmod) = chmod {
                let _ = write!(out, " --chmod={chmod}");
            }
            let paths: Vec<&Word> = sources.iter().chain(std::iter::once(dest)).collect();
            if paths.iter().any(|p| needs_quotes(p)) {
                // The JSON form holds spaces; the builder still expands `$`,
                // so the escaped word goes inside the JSON string.
                let items: Vec<String> = paths.iter().map(|p| escaped(p)).collect();
                let _ = writeln!(out, " {}", json_array(&items));
            } else {
                for p in paths {
                    let _ = write!(out, " {}", escaped(p));
                }
                out.push('\n');
            }
        }
        Instruction::Run {
            mounts,
            script,
            pipefail,
            ..
        } => {
            out.push_str("RUN");
            for mount in mounts {
                match mount {
                    Mount::Cache { target, locked } => {
                        let _ = write!(out, " --mount=type=cache,target={target}");
                        if *locked {
                            out.push_str(",sharing=locked");
                        }
                    }
                    Mount::Secret { id, target } => {
                        let _ = write!(out, " --mount=type=secret,id={id}");
                        if let Some(target) = target {
                            let _ = write!(out, ",target={target}");
                        }
                    }
                    Mount::Ssh => out.push_str(" --mount=type=ssh"),
                }
            }
            print_script(out, script, *pipefail, profile);
        }
        Instruction::User(user) => {
            let _ = writeln!(out, "USER {}", token(user));
        }
        Instruction::Expose(port, protocol) => match protocol {
            Some(p) => {
                let _ = writeln!(out, "EXPOSE {port}/{p}");
            }
            None => {
                let _ = writeln!(out, "EXPOSE {port}");
            }
        },
        Instruction::Entrypoint(args) => {
            let _ = writeln!(out, "ENTRYPOINT {}", json_array(args));
        }
        Instruction::Cmd(args) => {
            let _ = writeln!(out, "CMD {}", json_array(args));
        }
        Instruction::Healthcheck(check) => {
            out.push_str("HEALTHCHECK");
            for (flag, value) in [
                ("interval", &check.interval),
                ("timeout", &check.timeout),
                ("start-period", &check.start_period),
                ("retries", &check.retries),
            ] {
                if let Some(value) = value {
                    let _ = write!(out, " --{flag}={value}");
                }
            }
            let _ = writeln!(out, " CMD {}", json_array(&check.command));
        }
        Instruction::Comment(text) => {
            // One line: a line break would end the comment and start an instruction.
            let _ = writeln!(out, "# {}", text.replace(['\n', '\r'], " "));
        }
    }
}

/// A run script. One plain line goes on the RUN line itself; anything the
/// Dockerfile parser could read as more than a command (a line break, a
/// trailing backslash, a heredoc marker, a leading flag or JSON array) goes
/// into a heredoc, or under the legacy profile into a quoted `sh -c` script.
/// A script that sets `pipefail` is always written as a script.
fn print_script(out: &mut String, script: &Script, pipefail: bool, profile: Profile) {
    let lines: Vec<String> = match script {
        Script::Line(word) => vec![shell_text(word)],
        Script::Lines(words) => words.iter().map(shell_text).collect(),
    };
    // What a script starts with: stop at the first failing line and, where
    // the shell knows it, at a failure anywhere in a pipeline.
    let prelude: &[&str] = if pipefail {
        &["set -e", "set -o pipefail"]
    } else {
        &["set -e"]
    };
    if let [line] = lines.as_slice() {
        if is_plain_line(line) && !pipefail {
            let _ = writeln!(out, " {line}");
            return;
        }
    }
    match profile {
        Profile::Modern => {
            let mut delimiter = "EOF".to_string();
            let mut n = 0;
            while lines.iter().any(|l| l.trim() == delimiter) {
                n += 1;
                delimiter = format!("EOF_{n}");
            }
            let _ = writeln!(out, " <<'{delimiter}'");
            for line in prelude {
                out.push_str(line);
                out.push('\n');
            }
            for line in &lines {
                out.push_str(line);
                out.push('\n');
            }
            // A blank line after the heredoc: hadolint's parser needs it
            // to find the next instruction, and it reads better.
            let _ = writeln!(out, "{delimiter}\n");
        }
        // The first command stands right after RUN, where a leading `-` reads
        // as a flag and a `[` as exec form: those go to `sh` below.
        Profile::Legacy
            if !pipefail
                && lines.iter().all(|l| joins_with_and(l))
                && lines
                    .iter()
                    .map(|l| l.trim())
                    .find(|l| !l.is_empty() && !l.starts_with('#'))
                    .is_some_and(|first| !first.starts_with(['-', '['])) =>
        {
            let commands: Vec<&str> = lines
                .iter()
                .map(|l| l.trim())
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .collect();
            let _ = writeln!(out, " {}", commands.join(" \\\n    && "));
        }
        Profile::Legacy => {
            // Lines that are not commands of their own (`if ...; then`, a
            // pipe at the end) cannot be joined with `&&`: `printf` writes
            // the script line by line, each line one single-quoted word.
            let quoted: Vec<String> = prelude
                .iter()
                .map(|l| l.to_string())
                .chain(lines)
                .map(|l| format!("'{}'", l.replace('\'', r"'\''")))
                .collect();
            let _ = writeln!(out, " printf '%s\\n' {} | sh", quoted.join(" "));
        }
    }
}

/// Whether a script line is a whole command that `&&` can join to the next.
fn joins_with_and(line: &str) -> bool {
    let t = line.trim();
    const OPENER_WORDS: &[&str] = &["then", "do", "else", "in"];
    const OPENER_ENDS: &[&str] = &["{", "(", "|", "&&", "||", ";", "\\", "&"];
    const CLOSERS: &[&str] = &["fi", "done", "esac", "}", ")", "then", "do", "else", "elif", ";;"];
    if t.is_empty() || t.starts_with('#') {
        return true;
    }
    let first = t.split_whitespace().next().unwrap_or("");
    !line.contains("<<")
        && !line.chars().any(|c| c.is_control() && c != '\t')
        && !OPENER_ENDS.iter().any(|o| t.ends_with(o))
        && !OPENER_WORDS.contains(&t.split_whitespace().last().unwrap_or(""))
        && !CLOSERS.contains(&first)
        && t.matches('\'').count() % 2 == 0
        && t.matches('"').count() % 2 == 0
}

fn is_plain_line(line: &str) -> bool {
    let trimmed = line.trim();
    !trimmed.is_empty()
        && !line.contains(['\n', '\r'])
        && !line.contains("<<")
        && !trimmed.ends_with('\\')
        && !trimmed.starts_with(['-', '[', '#'])
        && !line.chars().any(|c| c.is_control() && c != '\t')
}

/// Run text: passed to the shell as written, variables as `${name}`.
fn shell_text(word: &Word) -> String {
    word.0
        .iter()
        .map(|p| match p {
            Piece::Text(t) => t.clone(),
            Piece::Var(v) => format!("${{{v}}}"),
        })
        .collect()
}

/// Text for an instruction the builder expands: `\` and `$` escaped,
/// variables as `${name}`.
fn escaped(word: &Word) -> String {
    let mut out = String::new();
    for piece in &word.0 {
        match piece {
            Piece::Text(t) => {
                for c in t.chars() {
                    match c {
                        '\\' | '$' => {
                            out.push('\\');
                            out.push(c);
                        }
                        c if c.is_control() => out.push(' '),
                        c => out.push(c),
                    }
                }
            }
            Piece::Var(v) => {
                let _ = write!(out, "${{{v}}}");
            }
        }
    }
    out
}

fn needs_quotes(word: &Word) -> bool {
    word.0.iter().any(|p| match p {
        Piece::Text(t) => t.is_empty() && word.0.len() == 1 || t.contains([' ', '"', '\'', '#']),
        Piece::Var(_) => false,
    })
}

/// A single token: escaped, and double-quoted when it holds a space.
fn token(word: &Word) -> String {
    if needs_quotes(word) {
        quoted(word)
    } else {
        escaped(word)
    }
}

/// A FROM reference or `--chown` value: already checked to hold no space.
fn bare(word: &Word) -> String {
    escaped(word)
}

/// A double-quoted value, as ENV and LABEL take it.
fn quoted(word: &Word) -> String {
    format!("\"{}\"", escaped(word).replace('"', "\\\""))
}

fn json_array(items: &[String]) -> String {
    serde_json::to_string(items).expect("strings always serialize")
}
