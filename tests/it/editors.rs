//! Editor support (editors/): the tree-sitter grammar parses every program
//! msbc accepts, its queries compile, and the keyword lists of msbc's own
//! grammar and of every editor grammar agree.
//!
//! The TextMate tests (node), the regeneration check of the committed
//! parser.c and `tree-sitter test` (tree-sitter CLI) and the Vim check need
//! tools `cargo test` does not have: scripts/editors-test.sh runs them.
//!
//! How the tree-sitter parser gets into this test: the generated
//! `editors/tree-sitter-msb/src/parser.c` (and the external scanner,
//! `scanner.c`) are committed. The test compiles them with the system C
//! compiler (`$CC`, else `cc`) into a shared library under
//! CARGO_TARGET_TMPDIR and loads it with `libloading`. The alternatives need a
//! build script (`cc` crate + `cargo:rustc-link-lib`), which would compile C
//! for every build of msbc, tests or not, and touch the main crate's build;
//! the tree-sitter CLI is a 5-minute build. Compiling two C files takes under
//! a second, and the library is named by a hash of its sources, so it is
//! rebuilt only when they change.

use crate::support::root;
use msbc::source::Sources;
use std::collections::{BTreeMap, BTreeSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use tree_sitter::{ffi::TSLanguage, Language, Node, Parser, Query};

fn grammar_dir() -> PathBuf {
    root().join("editors/tree-sitter-msb")
}

// ---- the tree-sitter parser --------------------------------------------------

/// The committed parser, compiled and loaded once per test process.
fn language() -> &'static Language {
    static LANGUAGE: OnceLock<Language> = OnceLock::new();
    LANGUAGE.get_or_init(|| {
        let library = build_parser_library();
        // SAFETY: the library is the tree-sitter parser built just above from
        // the committed C sources; `tree_sitter_msb` is the function the
        // generator emits, with this signature. The library is leaked, so the
        // function stays loaded as long as the language is used.
        unsafe {
            let library = Box::leak(Box::new(
                libloading::Library::new(&library)
                    .unwrap_or_else(|e| panic!("cannot load {}: {e}", library.display())),
            ));
            let function = library
                .get::<unsafe extern "C" fn() -> *const TSLanguage>(b"tree_sitter_msb\0")
                .expect("the parser exports tree_sitter_msb");
            Language::from_raw(function())
        }
    })
}

/// Builds `editors/tree-sitter-msb/src/{parser,scanner}.c` into a shared
/// library, unless one built from the same sources is already there.
fn build_parser_library() -> PathBuf {
    let src = grammar_dir().join("src");
    let sources = [src.join("parser.c"), src.join("scanner.c")];
    let mut hasher = DefaultHasher::new();
    for file in sources.iter().chain([&src.join("tree_sitter/parser.h")]) {
        std::fs::read(file)
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()))
            .hash(&mut hasher);
    }
    let (flag, extension) = if cfg!(target_os = "macos") {
        ("-dynamiclib", "dylib")
    } else {
        ("-shared", "so")
    };
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("tree-sitter-msb");
    let library = dir.join(format!("msb-{:016x}.{extension}", hasher.finish()));
    if library.is_file() {
        return library;
    }
    std::fs::create_dir_all(&dir).unwrap();
    // Built under a name of its own, then renamed: a concurrent test process
    // never loads a half-written library.
    let partial = dir.join(format!("partial-{}.{extension}", std::process::id()));
    let compiler = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
    let output = Command::new(&compiler)
        .args([flag, "-fPIC", "-O1", "-std=c11", "-w", "-I"])
        .arg(&src)
        .args(&sources)
        .arg("-o")
        .arg(&partial)
        .output()
        .unwrap_or_else(|e| panic!("cannot run the C compiler `{compiler}` (set CC to another): {e}"));
    assert!(
        output.status.success(),
        "`{compiler}` failed to build the tree-sitter parser:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::rename(&partial, &library).unwrap();
    library
}

fn parse(text: &str) -> tree_sitter::Tree {
    let mut parser = Parser::new();
    parser
        .set_language(language())
        .expect("the parser's ABI fits the tree-sitter crate");
    parser
        .parse(text, None)
        .expect("no timeout or cancellation is set")
}

/// The first ERROR or MISSING node, as `line:column: what`.
fn first_error(node: Node, text: &str) -> Option<String> {
    if node.is_error() || node.is_missing() {
        let at = node.start_position();
        let what = if node.is_missing() {
            format!("missing `{}`", node.kind())
        } else {
            let snippet: String = text[node.byte_range()].chars().take(40).collect();
            format!("syntax error at {snippet:?}")
        };
        return Some(format!("{}:{}: {what}", at.row + 1, at.column + 1));
    }
    if !node.has_error() {
        return None;
    }
    let mut cursor = node.walk();
    let children: Vec<Node> = node.children(&mut cursor).collect();
    children.into_iter().find_map(|child| first_error(child, text))
}

/// The programs msbc's parser accepts: the examples and every fixture under
/// tests/data (parse, check and codegen), minus the syntax errors and the
/// file that is not UTF-8.
fn accepted_programs() -> Vec<(PathBuf, String)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path().join("app.msb"))
        .filter(|p| p.is_file())
        .collect();
    collect_msb(&root().join("tests/data"), &mut files);
    files.sort();
    files
        .into_iter()
        .filter_map(|path| {
            let text = String::from_utf8(std::fs::read(&path).unwrap()).ok()?;
            let mut sources = Sources::new();
            let id = sources.add(path.display().to_string(), text.clone());
            msbc::syntax::parse(id, &text).is_ok().then_some((path, text))
        })
        .collect()
}

fn collect_msb(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect_msb(&path, out);
        } else if path.extension().is_some_and(|e| e == "msb") {
            out.push(path);
        }
    }
}

#[test]
fn tree_sitter_parses_every_program_msbc_accepts() {
    let programs = accepted_programs();
    assert!(
        programs.len() >= 100,
        "only {} programs found: are tests/data and examples in place?",
        programs.len()
    );
    let failures: Vec<String> = programs
        .iter()
        .filter_map(|(path, text)| {
            let tree = parse(text);
            let shown = path.strip_prefix(root()).unwrap_or(path).display().to_string();
            first_error(tree.root_node(), text).map(|e| format!("{shown}:{e}"))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "the tree-sitter grammar (editors/tree-sitter-msb) rejects programs msbc accepts; \
         fix grammar.js, then run scripts/editors-test.sh (it regenerates src/):\n{}",
        failures.join("\n")
    );
}

#[test]
fn tree_sitter_rejects_a_syntax_error() {
    let tree = parse("builder build from go {\n  rnu \"make\"\n}\n");
    assert!(tree.root_node().has_error());
}

#[test]
fn tree_sitter_queries_compile() {
    let queries = grammar_dir().join("queries");
    let zed = root().join("editors/zed/languages/msb");
    let mut files = vec![];
    for dir in [queries.clone(), queries.join("helix"), zed.clone()] {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "scm") {
                files.push(path);
            }
        }
    }
    assert!(files.iter().any(|f| f.ends_with("highlights.scm")));
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap();
        if let Err(e) = Query::new(language(), &source) {
            panic!("{}: {e}", file.display());
        }
    }
}

/// Zed reads queries from the extension, not from the grammar: the shared
/// ones are copies.
#[test]
fn zed_extension_queries_are_copies_of_the_grammar_queries() {
    for name in ["highlights.scm", "injections.scm"] {
        let grammar = grammar_dir().join("queries").join(name);
        let zed = root().join("editors/zed/languages/msb").join(name);
        assert!(
            std::fs::read(&grammar).unwrap() == std::fs::read(&zed).unwrap(),
            "{} differs from {}: copy it over",
            zed.display(),
            grammar.display()
        );
    }
}

// ---- keywords ------------------------------------------------------------------

/// The rules of grammar/msb.pest whose word alternatives are keywords, next to
/// the `k_*` rules.
const PEST_WORD_RULES: &[&str] = &[
    "role",
    "libc",
    "linkage",
    "kind_word",
    "type_word",
    "boolean",
    "hc_key",
    "package_manager",
];

/// Rules whose words are parts of literals, not keywords (`5353/udp`,
/// `30s`): an editor grammar may spell them in a regex next to keywords.
const PEST_LITERAL_RULES: &[&str] = &["port", "duration"];

/// The `"..."` strings of the pest rules whose names satisfy `wanted`.
fn pest_words(pest: &str, wanted: impl Fn(&str) -> bool) -> BTreeSet<String> {
    let mut words = BTreeSet::new();
    for line in pest.lines() {
        let Some((name, body)) = line.split_once('=') else {
            continue;
        };
        let name = name.trim();
        if name.is_empty() || name.starts_with("//") || !wanted(name) {
            continue;
        }
        words.extend(quoted(body, '"'));
    }
    words
}

/// The lowercase words quoted with `quote` in `text`.
fn quoted(text: &str, quote: char) -> Vec<String> {
    text.split(quote)
        .skip(1)
        .step_by(2)
        .filter(|w| is_word(w))
        .map(str::to_string)
        .collect()
}

fn is_word(w: &str) -> bool {
    w.starts_with(|c: char| c.is_ascii_lowercase()) && w.chars().all(|c| c.is_ascii_lowercase() || c == '-')
}

/// From the TextMate grammar: every word of every regex group made only of
/// words, `(copy)`, `(?:tcp|udp)` or `(base|builder|runtime)`.
fn textmate_words(json: &serde_json::Value, out: &mut BTreeSet<String>) {
    match json {
        serde_json::Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    ("match" | "begin" | "end" | "while", serde_json::Value::String(regex)) => {
                        out.extend(regex_word_groups(regex))
                    }
                    _ => textmate_words(value, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| textmate_words(v, out)),
        _ => {}
    }
}

fn regex_word_groups(regex: &str) -> Vec<String> {
    let bytes = regex.as_bytes();
    let mut words = vec![];
    for (i, _) in regex.match_indices('(') {
        if i > 0 && bytes[i - 1] == b'\\' {
            continue;
        }
        let rest = &regex[i + 1..];
        let rest = rest.strip_prefix("?:").unwrap_or(rest);
        let Some(end) = rest.find(')') else { continue };
        let alternatives: Vec<&str> = rest[..end].split('|').collect();
        if alternatives.iter().all(|w| is_word(w)) {
            words.extend(alternatives.into_iter().map(str::to_string));
        }
    }
    words
}

/// From grammar.js: the quoted words of the rules, except field names.
fn tree_sitter_words(grammar_js: &str) -> BTreeSet<String> {
    let rules = grammar_js.split_once("rules:").expect("grammar.js has rules").1;
    let mut words = BTreeSet::new();
    for line in rules.lines() {
        let code = line.trim_start();
        if code.starts_with("//") || code.starts_with("/*") || code.starts_with('*') {
            continue;
        }
        for (i, piece) in code.split('\'').enumerate() {
            let field_name = i > 0 && code.split('\'').nth(i - 1).is_some_and(|b| b.ends_with("field("));
            if i % 2 == 1 && is_word(piece) && !field_name {
                words.insert(piece.to_string());
            }
        }
    }
    words
}

/// From the Vim syntax file: the lowercase words of its `syntax keyword`
/// lines (not `TODO` and the like, nor options such as `nextgroup=...`).
fn vim_words(vim: &str) -> BTreeSet<String> {
    const OPTIONS: &[&str] = &[
        "contained",
        "transparent",
        "skipwhite",
        "skipnl",
        "skipempty",
        "fold",
        "conceal",
        "display",
        "extend",
        "excludenl",
        "keepend",
        "oneline",
    ];
    let mut words = BTreeSet::new();
    for line in vim.lines() {
        let mut tokens = line.split_whitespace();
        let (Some(command), Some(kind)) = (tokens.next(), tokens.next()) else {
            continue;
        };
        if !matches!(command, "syn" | "syntax") || kind != "keyword" {
            continue;
        }
        tokens.next(); // the group
        words.extend(
            tokens
                .take_while(|t| !t.starts_with('"'))
                .filter(|t| is_word(t) && !OPTIONS.contains(t))
                .map(str::to_string),
        );
    }
    words
}

#[test]
fn keywords_agree_across_msbc_and_every_editor_grammar() {
    let read =
        |path: &str| std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    let pest = read("grammar/msb.pest");
    let keywords = pest_words(&pest, |rule| {
        rule.starts_with("k_") || PEST_WORD_RULES.contains(&rule)
    });
    let literal_words = pest_words(&pest, |rule| PEST_LITERAL_RULES.contains(&rule));
    assert!(
        keywords.len() > 40,
        "too few keywords read from msb.pest: {keywords:?}"
    );
    assert!(keywords.contains("start-period") && keywords.contains("runtime"));

    let textmate: serde_json::Value =
        serde_json::from_str(&read("editors/vscode/syntaxes/msb.tmLanguage.json")).unwrap();
    let mut textmate_set = BTreeSet::new();
    textmate_words(&textmate, &mut textmate_set);
    textmate_set.retain(|w| !literal_words.contains(w));

    let mut sets = BTreeMap::new();
    sets.insert("grammar/msb.pest", keywords);
    sets.insert("editors/vscode/syntaxes/msb.tmLanguage.json", textmate_set);
    sets.insert(
        "editors/tree-sitter-msb/grammar.js",
        tree_sitter_words(&read("editors/tree-sitter-msb/grammar.js")),
    );
    sets.insert(
        "editors/vim/syntax/msb.vim",
        vim_words(&read("editors/vim/syntax/msb.vim")),
    );

    let mut problems = vec![];
    for (from, words) in &sets {
        for (to, other) in &sets {
            for word in words.difference(other) {
                problems.push(format!("`{word}` is a keyword in {from} but missing from {to}"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "keyword lists disagree (after a change to grammar/msb.pest, update every editor grammar: \
         see editors/README.md):\n{}",
        problems.join("\n")
    );
}

#[test]
fn keyword_extraction_reads_each_format() {
    assert_eq!(
        regex_word_groups(r"(?<![A-Za-z0-9_-])(base|builder|runtime)\s+(?:to)\((x)"),
        ["base", "builder", "runtime", "to", "x"]
    );
    assert!(regex_word_groups(r"\(copy\)|(a|B)").is_empty());
    assert_eq!(
        tree_sitter_words(
            "name: 'msb',\nrules: {\n  // 'comment'\n  x: $ => seq('copy', field('name', $.y)),\n}"
        ),
        BTreeSet::from(["copy".to_string()])
    );
    assert_eq!(
        vim_words("syn keyword msbStep contained copy run nextgroup=x skipwhite\nsyn match x \"y\""),
        BTreeSet::from(["copy".to_string(), "run".to_string()])
    );
}
