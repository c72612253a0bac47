//! `msbc fmt`: never changes meaning, keeps every comment, is idempotent,
//! and gives one layout whatever the input's white space.
//!
//! - Every example and every fixture that parses is formatted: the result
//!   parses to an equal tree, and formatting it again changes nothing.
//! - `tests/data/fmt/*.msb` are odd inputs; `snapshots/fmt/` holds their
//!   formatted text.
//! - Mutants of the fixtures (characters deleted, inserted, lines
//!   duplicated) that still parse are formatted the same way.
//! - The command line: in place, `--check`, standard input, syntax errors.

use crate::cli::{run, run_with_stdin, text};
use crate::examples::example_programs;
use crate::support::root;
use msbc::format::{self, lex_comments, FormatError};
use msbc::span::FileId;
use std::path::{Path, PathBuf};

fn fmt(source: &str) -> Result<String, FormatError> {
    format::format(FileId(0), source)
}

/// Every `.msb` file under `dir`, at any depth, sorted.
fn msb_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "msb") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Every program the tests know: examples and fixtures, UTF-8 ones.
fn corpus() -> Vec<(PathBuf, String)> {
    let mut files = example_programs();
    files.extend(msb_files(&root().join("tests/data")));
    files
        .into_iter()
        .filter_map(|p| String::from_utf8(std::fs::read(&p).unwrap()).ok().map(|t| (p, t)))
        .collect()
}

fn parse(source: &str) -> Option<msbc::syntax::ast::Program> {
    msbc::syntax::parse(FileId(0), source).ok()
}

fn comment_texts(source: &str) -> Vec<String> {
    lex_comments(source).iter().map(|c| c.text(source)).collect()
}

/// The properties every formatted program has.
fn assert_formats_well(name: &str, source: &str) -> String {
    let original = parse(source).expect("only programs that parse");
    let once = match fmt(source) {
        Ok(text) => text,
        Err(FormatError::Syntax(d)) => panic!("{name}: {d:?}"),
        Err(FormatError::Unsafe(why)) => panic!("{name}: refused: {why}\n{source}"),
    };
    assert_eq!(
        parse(&once).as_ref(),
        Some(&original),
        "{name}: the formatted program means something else:\n{once}"
    );
    assert_eq!(
        comment_texts(&once),
        comment_texts(source),
        "{name}: comments changed"
    );
    let twice = fmt(&once).unwrap_or_else(|_| panic!("{name}: formatted output does not format"));
    assert_eq!(once, twice, "{name}: formatting is not idempotent");
    assert!(
        once.is_empty() || (once.ends_with('\n') && !once.ends_with("\n\n")),
        "{name}: one line break at the end"
    );
    // A carriage return inside a `"""` block is text, and stays.
    assert!(
        !once.contains('\r') || once.contains("\"\"\""),
        "{name}: LF line endings"
    );
    assert!(!once.starts_with('\n'), "{name}: no blank line at the start");
    assert!(
        !once.contains("\n\n\n") || once.contains("\"\"\""),
        "{name}: at most one blank line (outside blocks)"
    );
    once
}

#[test]
fn every_program_keeps_its_meaning_and_formats_once() {
    let mut formatted = 0;
    for (path, source) in corpus() {
        if parse(&source).is_none() {
            // A file with syntax errors is refused, never formatted.
            assert!(
                matches!(fmt(&source), Err(FormatError::Syntax(_))),
                "{}",
                path.display()
            );
            continue;
        }
        assert_formats_well(&path.display().to_string(), &source);
        formatted += 1;
    }
    assert!(formatted > 50, "only {formatted} programs were formatted");
}

/// The examples are written in the canonical layout already, so
/// `msbc fmt --check examples/*/app.msb` passes.
#[test]
fn examples_are_formatted() {
    for program in example_programs() {
        let source = std::fs::read_to_string(&program).unwrap();
        let formatted = fmt(&source).unwrap_or_else(|e| panic!("{}: {e:?}", program.display()));
        assert_eq!(
            formatted,
            source,
            "{} is not formatted: run `msbc fmt` on it",
            program.display()
        );
    }
}

/// White space that the layout does not depend on: line endings, trailing
/// blanks, indentation and spacing between tokens.
#[test]
fn layout_does_not_depend_on_white_space() {
    for (path, source) in corpus() {
        let Some(_) = parse(&source) else { continue };
        let canonical = fmt(&source).unwrap();
        let name = path.display().to_string();

        let crlf = source.replace("\r\n", "\n").replace('\n', "\r\n");
        assert_eq!(fmt(&crlf).ok().as_ref(), Some(&canonical), "{name}: CRLF");

        // Outside `"""` blocks: tabs for indentation, trailing blanks, and
        // blanks doubled between tokens (outside strings and comments).
        if source.contains("\"\"\"") {
            continue;
        }
        let mut noisy = String::new();
        for line in canonical.lines() {
            let body = line.trim_start();
            let comment_at = lex_comments(body).first().map_or(body.len(), |c| c.start);
            let (code, comment) = body.split_at(comment_at);
            let mut in_string = false;
            let mut escaped = false;
            noisy.push('\t');
            for c in code.chars() {
                if in_string {
                    in_string = escaped || c != '"';
                    escaped = !escaped && c == '\\';
                } else if c == '"' {
                    in_string = true;
                } else if c == ' ' {
                    noisy.push_str(" \t");
                    continue;
                }
                noisy.push(c);
            }
            noisy.push_str(comment);
            noisy.push_str("  \t\n");
        }
        if parse(&noisy).as_ref() != parse(&canonical).as_ref() {
            // Spacing is significant inside some tokens the simple scan above
            // cannot see (none today); such files are skipped, not failed.
            continue;
        }
        assert_eq!(
            fmt(&noisy).ok().as_ref(),
            Some(&canonical),
            "{name}: spacing\n{noisy}"
        );
    }
}

/// A small deterministic generator, so that failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Programs a person could have typed: fixtures with characters deleted or
/// inserted and lines duplicated, moved or blanked. Those that still parse
/// must format with every property above.
#[test]
fn mutants_that_parse_format_well() {
    const INSERTS: &[&str] = &[
        " ", "\t", "\n", "\r\n", "  ", "#", "# x", "##", "## d", ",", "\"", "\"\"\"", "{", "}", "[", "]",
        "(", ")", "=", ":", "a", "\n\n", "\\",
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut parsed = 0;
    for (path, source) in corpus() {
        if parse(&source).is_none() || source.len() > 20_000 {
            continue;
        }
        for _ in 0..40 {
            let mut text = source.clone();
            for _ in 0..=rng.below(3) {
                let mut at = rng.below(text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                match rng.below(4) {
                    0 => {
                        let mut end = (at + 1 + rng.below(3)).min(text.len());
                        while !text.is_char_boundary(end) {
                            end += 1;
                        }
                        text.replace_range(at..end, "");
                    }
                    1 => text.insert_str(at, INSERTS[rng.below(INSERTS.len())]),
                    _ => {
                        let lines: Vec<&str> = text.split_inclusive('\n').collect();
                        let i = rng.below(lines.len());
                        let j = rng.below(lines.len());
                        let mut new: Vec<&str> = lines.clone();
                        let line = lines.get(i).copied().unwrap_or("\n");
                        new.insert(j.min(new.len()), line);
                        text = new.concat();
                    }
                }
            }
            if parse(&text).is_none() {
                continue;
            }
            parsed += 1;
            assert_formats_well(&format!("mutant of {}:\n{text}", path.display()), &text);
        }
    }
    assert!(parsed > 200, "only {parsed} mutants parsed");
}

#[test]
fn fmt_fixtures() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../snapshots/fmt");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        insta::glob!("../data", "fmt/*.msb", |path| {
            let source = std::fs::read_to_string(path).unwrap();
            let formatted = assert_formats_well(&path.display().to_string(), &source);
            insta::assert_snapshot!(formatted);
        });
    });
}

// ---- the command line ---------------------------------------------------------

const UNFORMATTED: &str =
    "image go=\"golang:1.22\"\nruntime   app from go{\n\tentrypoint [ \"/x\" ] # run it\n}\n";
const FORMATTED: &str =
    "image go = \"golang:1.22\"\n\nruntime app from go {\n  entrypoint [\"/x\"] # run it\n}\n";

#[test]
fn fmt_rewrites_files_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("app.msb");
    let clean = dir.path().join("clean.msb");
    std::fs::write(&file, UNFORMATTED).unwrap();
    std::fs::write(&clean, FORMATTED).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
    }
    let clean_modified = std::fs::metadata(&clean).unwrap().modified().unwrap();
    let out = run(&["fmt", file.to_str().unwrap(), clean.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    assert_eq!(std::fs::read_to_string(&file).unwrap(), FORMATTED);
    assert!(text(&out.stderr).contains("reformatted"), "{}", text(&out.stderr));
    assert!(!text(&out.stderr).contains("clean.msb"), "{}", text(&out.stderr));
    // A formatted file is not written again; a rewritten one keeps its mode.
    assert_eq!(
        std::fs::metadata(&clean).unwrap().modified().unwrap(),
        clean_modified
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
    }
    let entries = std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(entries, 2, "no temporary file is left");
}

#[test]
fn fmt_check_lists_files_with_a_diff() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("app.msb");
    std::fs::write(&file, UNFORMATTED).unwrap();
    let out = run(&["fmt", "--check", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert!(stdout.contains(&format!("--- {}", file.display())), "{stdout}");
    assert!(stdout.contains("-runtime   app from go{"), "{stdout}");
    assert!(stdout.contains("+runtime app from go {"), "{stdout}");
    assert!(
        stderr.contains(&format!("would reformat {}", file.display())),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        UNFORMATTED,
        "--check writes nothing"
    );

    std::fs::write(&file, FORMATTED).unwrap();
    let out = run(&["fmt", "--check", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty() && out.stderr.is_empty());
}

#[test]
fn fmt_reads_standard_input() {
    let out = run_with_stdin(&["fmt", "-"], UNFORMATTED.as_bytes());
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), FORMATTED);
    let out = run_with_stdin(&["fmt", "--check", "-"], UNFORMATTED.as_bytes());
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("+runtime app from go {"));
    let out = run_with_stdin(&["fmt", "--check", "-"], FORMATTED.as_bytes());
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn fmt_refuses_a_file_with_syntax_errors() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.msb");
    let good = dir.path().join("good.msb");
    let broken_text = "runtime app from go {\n  wrokdir /x\n}\n";
    std::fs::write(&broken, broken_text).unwrap();
    std::fs::write(&good, UNFORMATTED).unwrap();
    let out = run(&[
        "fmt",
        "--color",
        "never",
        broken.to_str().unwrap(),
        good.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("E0001"), "{stderr}");
    assert!(stderr.contains("broken.msb:2:"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&broken).unwrap(),
        broken_text,
        "left untouched"
    );
    assert_eq!(
        std::fs::read_to_string(&good).unwrap(),
        FORMATTED,
        "the others are formatted"
    );

    let out = run_with_stdin(&["fmt", "-"], &[0xff, 0xfe, b'\n']);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("E0003"));

    let out = run(&["fmt", "/no/such/file.msb"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot read /no/such/file.msb"));
}

/// Bytes nobody meant as a program never crash the formatter.
#[test]
fn fmt_survives_random_bytes() {
    const ALPHABET: &[u8] = b" \t\n\r#\"{}[](),=:abcimageruntimefrom\\$";
    let mut rng = Rng(42);
    for _ in 0..300 {
        let len = rng.below(200);
        let bytes: Vec<u8> = (0..len).map(|_| ALPHABET[rng.below(ALPHABET.len())]).collect();
        if let Ok(source) = String::from_utf8(bytes) {
            if parse(&source).is_some() {
                assert_formats_well(&format!("{source:?}"), &source);
            } else {
                assert!(matches!(fmt(&source), Err(FormatError::Syntax(_))));
            }
        }
    }
}
