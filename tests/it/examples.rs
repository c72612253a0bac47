//! Every example compiles, its Dockerfile is snapshotted under each profile,
//! and an independent Dockerfile parser reads back the same stage graph.

use crate::support::{compile_in_context, load, render, root};
use dockerfile_parser::{Dockerfile, Instruction};
use msbc::codegen::Profile;
use msbc::driver::{self, Options};
use std::path::PathBuf;

/// `seed-go` for `examples/seed-go/app.msb`.
pub fn example_name(program: &std::path::Path) -> String {
    program
        .parent()
        .unwrap()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

pub fn example_programs() -> Vec<PathBuf> {
    let mut programs: Vec<PathBuf> = std::fs::read_dir(root().join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path().join("app.msb"))
        .filter(|p| p.is_file())
        .collect();
    programs.sort();
    programs
}

#[test]
fn there_are_examples() {
    let names: Vec<String> = example_programs()
        .iter()
        .map(|p| {
            p.parent()
                .unwrap()
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    for expected in ["seed-go", "seed-four-stage"] {
        assert!(
            names.iter().any(|n| n == expected),
            "examples/{expected} is missing: {names:?}"
        );
    }
    assert!(names.len() >= 5, "at least five examples: {names:?}");
}

#[test]
fn examples_compile_cleanly() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../snapshots/examples");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        for program in example_programs() {
            let example = example_name(&program);
            let (sources, id) = load(&program);
            for profile in [Profile::Modern, Profile::Legacy] {
                let outcome = compile_in_context(&sources, id, profile, program.parent().unwrap());
                assert!(
                    outcome.diagnostics.is_empty(),
                    "{example} should check without a diagnostic:\n{}",
                    render(&sources, &outcome.diagnostics)
                );
                let dockerfile = outcome.dockerfile.unwrap();
                insta::assert_snapshot!(format!("{example}-{profile:?}").to_lowercase(), dockerfile);
            }
        }
    });
}

/// Stage names in order, each with its FROM and the stages it copies from.
type StageGraph = Vec<(String, String, Vec<String>)>;

fn graph_from_dockerfile(text: &str) -> StageGraph {
    let dockerfile = Dockerfile::parse(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let stages = dockerfile.stages();
    stages
        .iter()
        .map(|stage| {
            let mut from = String::new();
            let mut copies = Vec::new();
            for instruction in &stage.instructions {
                match instruction {
                    Instruction::From(f) => from = f.image.content.clone(),
                    Instruction::Copy(c) => {
                        for flag in &c.flags {
                            if flag.name.content == "from" {
                                copies.push(flag.value.content.clone());
                            }
                        }
                    }
                    _ => {}
                }
            }
            (stage.name.clone().unwrap_or_default(), from, copies)
        })
        .collect()
}

fn graph_from_program(program: &std::path::Path) -> StageGraph {
    let (sources, id) = load(program);
    let options = Options {
        context: Some(
            std::fs::read_dir(program.parent().unwrap())
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect(),
        ),
        ..Options::default()
    };
    let (graph, _) = driver::check(&sources, id, &options);
    let graph = graph.expect("examples check");
    let dockerfile = msbc::codegen::lower(&graph, &Default::default()).unwrap();
    dockerfile
        .stages
        .iter()
        .map(|stage| {
            let copies = stage
                .instructions
                .iter()
                .filter_map(|i| match i {
                    msbc::codegen::dockerfile::Instruction::Copy { from: Some(f), .. } => Some(f.clone()),
                    _ => None,
                })
                .collect();
            (stage.name.clone(), stage.from.as_text().unwrap(), copies)
        })
        .collect()
}

/// The Dockerfile text, read by a parser msbc does not share code with,
/// holds the stages and copy edges of the program's build graph.
#[test]
fn independent_parser_reads_the_same_stage_graph() {
    for program in example_programs() {
        let (sources, id) = load(&program);
        let outcome = compile_in_context(&sources, id, Profile::Legacy, program.parent().unwrap());
        let text = outcome.dockerfile.unwrap();
        let parsed = graph_from_dockerfile(&text);
        let expected = graph_from_program(&program);
        assert_eq!(parsed, expected, "{}", program.display());
        // Every stage a copy names is an earlier stage.
        for (index, (_, _, copies)) in parsed.iter().enumerate() {
            for from in copies {
                assert!(
                    parsed[..index].iter().any(|(name, _, _)| name == from),
                    "{}: COPY --from={from} names no earlier stage",
                    program.display()
                );
            }
        }
    }
}
