//! `msbc graph`: snapshots of each format for two examples, every example's
//! DOT rendered by Graphviz, pruned stages, and the JSON schema.

use crate::cli::{run, run_with_stdin, text};
use crate::examples::{example_name, example_programs};
use crate::schema::{emitted, schema, violations};
use crate::support::root;
use msbc::driver::{self, Options};
use msbc::graph::{render, GraphFormat};
use msbc::source::Sources;
use std::collections::BTreeSet;
use std::process::{Command, Stdio};

fn graph_of(program: &str, format: GraphFormat) -> String {
    graph_in(program, format, None)
}

/// The graph of a program whose build context is `dir` (toolchain presets
/// read its lockfiles).
fn graph_in(program: &str, format: GraphFormat, dir: Option<&std::path::Path>) -> String {
    let mut sources = Sources::new();
    let id = sources.add("app.msb", program.to_string());
    let options = Options {
        context: dir.map(|d| {
            std::fs::read_dir(d)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        }),
        ..Options::default()
    };
    let (graph, diagnostics) = driver::check(&sources, id, &options);
    let graph = graph.unwrap_or_else(|| panic!("{diagnostics:?}"));
    render(&graph, format)
}

/// Stages no runtime needs are drawn dashed and grey.
const PRUNED: &str = r#"image go = "golang:1.22-bookworm"

base src from go {
  workdir /src
  copy . .
}

builder lint from src {
  run "go vet ./... > /out/report"
  produce report: file = /out/report
}

builder build from src {
  run "CGO_ENABLED=0 go build -o /out/server ."
  produce server: exe(static) = /out/server
}

runtime app from "gcr.io/distroless/static-debian12:nonroot" {
  copy build.server to /app/server
  entrypoint server
}
"#;

#[test]
fn graph_snapshots() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../snapshots/graph");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        for name in ["seed-go", "seed-four-stage"] {
            let program =
                std::fs::read_to_string(root().join("examples").join(name).join("app.msb")).unwrap();
            for (format, ext) in [
                (GraphFormat::Dot, "dot"),
                (GraphFormat::Mermaid, "mermaid"),
                (GraphFormat::Json, "json"),
            ] {
                insta::assert_snapshot!(format!("{name}.{ext}"), graph_of(&program, format));
            }
        }
        insta::assert_snapshot!("pruned.dot", graph_of(PRUNED, GraphFormat::Dot));
        insta::assert_snapshot!("pruned.mermaid", graph_of(PRUNED, GraphFormat::Mermaid));
    });
}

#[test]
fn pruned_stages_are_marked() {
    let dot = graph_of(PRUNED, GraphFormat::Dot);
    let lint = dot.lines().find(|l| l.starts_with("  \"stage:lint\" [")).unwrap();
    assert!(lint.contains("dashed") && lint.contains("pruned"), "{lint}");
    let build = dot
        .lines()
        .find(|l| l.starts_with("  \"stage:build\" ["))
        .unwrap();
    assert!(!build.contains("dashed"), "{build}");
    let json: serde_json::Value = serde_json::from_str(&graph_of(PRUNED, GraphFormat::Json)).unwrap();
    let pruned: Vec<&str> = json["stages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["pruned"] == true)
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(pruned, ["lint"]);
}

#[test]
fn graph_output_is_deterministic_and_json_matches_its_schema() {
    let s = schema("graph.schema.json");
    let mut keys = BTreeSet::new();
    for program in example_programs() {
        let text = std::fs::read_to_string(&program).unwrap();
        let dir = program.parent();
        for format in [GraphFormat::Dot, GraphFormat::Mermaid, GraphFormat::Json] {
            assert_eq!(graph_in(&text, format, dir), graph_in(&text, format, dir));
        }
        let json: serde_json::Value = serde_json::from_str(&graph_in(&text, GraphFormat::Json, dir)).unwrap();
        let problems = violations(&s, &json);
        assert!(
            problems.is_empty(),
            "{}: {}",
            program.display(),
            problems.join("\n")
        );
        emitted(&json, &mut keys);
    }
    let json: serde_json::Value = serde_json::from_str(&graph_of(PRUNED, GraphFormat::Json)).unwrap();
    assert!(violations(&s, &json).is_empty());
}

/// Graphviz reads every example's DOT. Skipped when `dot` is missing,
/// unless MSBC_REQUIRE_TOOLS=1 (then it fails).
#[test]
fn graphviz_renders_every_example() {
    let has_dot = Command::new("dot")
        .arg("-V")
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !has_dot {
        assert!(
            std::env::var("MSBC_REQUIRE_TOOLS").as_deref() != Ok("1"),
            "MSBC_REQUIRE_TOOLS=1 but Graphviz `dot` is not installed (apt-get install graphviz)"
        );
        eprintln!("skipped: Graphviz `dot` is not installed");
        return;
    }
    // Each example with its folder as the build context, as `msbc graph
    // FILE` reads it (toolchain presets look for their lockfiles there).
    let mut programs: Vec<(String, String, Option<std::path::PathBuf>)> = example_programs()
        .iter()
        .map(|p| {
            let dir = p.parent().map(std::path::Path::to_path_buf);
            (example_name(p), std::fs::read_to_string(p).unwrap(), dir)
        })
        .collect();
    programs.push(("pruned".into(), PRUNED.into(), None));
    for (name, program, dir) in programs {
        let dot = graph_in(&program, GraphFormat::Dot, dir.as_deref());
        let out = run_dot(&dot);
        assert!(out.status.success(), "{name}: dot failed: {}", text(&out.stderr));
        assert!(out.stderr.is_empty(), "{name}: dot warned: {}", text(&out.stderr));
        let svg = text(&out.stdout);
        assert!(svg.contains("<svg"), "{name}");
        assert!(svg.contains("runtime"), "{name}: the roles are drawn");
    }
}

fn run_dot(input: &str) -> std::process::Output {
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn graph_command_line() {
    let seed = root().join("examples/seed-go/app.msb");
    let out = run(&["graph", seed.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("digraph msbc {"));
    let out = run(&["graph", "--format", "mermaid", seed.to_str().unwrap()]);
    assert!(text(&out.stdout).contains("flowchart LR"));
    let out = run(&["graph", "--format", "json", seed.to_str().unwrap()]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["default_target"], "app");

    // Errors: diagnostics on standard error, nothing on standard output, exit 1.
    let broken = "image go = \"golang:1.22\"\nruntime app from og {\n  entrypoint [\"/x\"]\n}\n";
    let out = run_with_stdin(&["graph", "--color", "never", "-"], broken.as_bytes());
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(text(&out.stderr).contains("E0103"), "{}", text(&out.stderr));

    let out = run(&["graph", "--format", "png", seed.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
}

/// The picture the README shows is what msbc draws today.
#[test]
fn readme_picture_is_current() {
    let picture = root().join("docs/graph-seed-four-stage.svg");
    // Graphviz writes `-` as `&#45;`.
    let svg = std::fs::read_to_string(&picture).unwrap().replace("&#45;", "-");
    let program = std::fs::read_to_string(root().join("examples/seed-four-stage/app.msb")).unwrap();
    let dot = graph_of(&program, GraphFormat::Dot);
    // Every node and edge label of the DOT appears in the picture.
    for label in dot
        .split("label=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap())
    {
        for part in label.split("\\n") {
            assert!(
                svg.contains(&part.replace('&', "&amp;")),
                "{part:?} is missing from {}: regenerate it with\n  \
                 msbc graph examples/seed-four-stage/app.msb | dot -Tsvg > docs/graph-seed-four-stage.svg",
                picture.display()
            );
        }
    }
}
