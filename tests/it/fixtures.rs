//! Fixture folders: adding a test means adding a file.
//!
//! - `parse/*.msb`: the syntax tree, or the syntax errors.
//! - `check/ok/*.msb`: programs that check (warnings allowed) and their Dockerfile.
//! - `check/err/*.msb`: programs with errors, named after the code they must raise
//!   (`e0301_glibc_into_scratch.msb` must raise E0301), and their diagnostics.
//! - `codegen/*.msb`: the Dockerfile under each profile.
//!
//! A `name.lock` beside `name.msb` compiles it as `--locked` with that lock,
//! and a `name.toml` beside it is its msbc.toml.

use crate::support::{codes, compile_fixture, load, render};
use msbc::codegen::Profile;
use msbc::diagnostic::Code;
use msbc::driver;
use std::collections::BTreeSet;
use std::path::Path;

fn settings(folder: &str) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(format!("../../snapshots/{folder}"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings
}

/// The code a fixture's name promises, from `e0301_...` or `w0002_...`.
fn promised_code(path: &Path) -> Option<Code> {
    let stem = path.file_stem()?.to_string_lossy().into_owned();
    Code::parse(stem.split('_').next()?)
}

#[test]
fn parse_fixtures() {
    settings("parse").bind(|| {
        insta::glob!("../data", "parse/*.msb", |path| {
            let (sources, id) = load(path);
            let snapshot = match driver::parse(&sources, id) {
                Ok(program) => {
                    assert!(
                        promised_code(path).is_none(),
                        "{} should not parse",
                        path.display()
                    );
                    format!("{program:#?}")
                }
                Err(diagnostics) => {
                    let code =
                        promised_code(path).expect("a parse fixture that fails is named after its code");
                    assert!(
                        codes(&diagnostics).contains(&code.as_str()),
                        "{} should raise {code}",
                        path.display()
                    );
                    render(&sources, &diagnostics)
                }
            };
            insta::assert_snapshot!(snapshot);
        });
    });
}

#[test]
fn check_ok_fixtures() {
    settings("check-ok").bind(|| {
        insta::glob!("../data", "check/ok/*.msb", |path| {
            let (mut sources, id) = load(path);
            let outcome = compile_fixture(&mut sources, id, path, Profile::Modern);
            assert!(
                !outcome.has_errors(),
                "{} should check:\n{}",
                path.display(),
                render(&sources, &outcome.diagnostics)
            );
            if let Some(code) = promised_code(path) {
                assert!(
                    codes(&outcome.diagnostics).contains(&code.as_str()),
                    "{} should warn {code}",
                    path.display()
                );
            }
            let snapshot = format!(
                "{}\n----- Dockerfile -----\n{}",
                render(&sources, &outcome.diagnostics),
                outcome.dockerfile.unwrap_or_default()
            );
            insta::assert_snapshot!(snapshot);
        });
    });
}

#[test]
fn check_err_fixtures() {
    settings("check-err").bind(|| {
        insta::glob!("../data", "check/err/*.msb", |path| {
            let (mut sources, id) = match crate::support::load_bytes(path) {
                (sources, Ok(id)) => (sources, id),
                // Bytes that are not UTF-8 never reach the parser.
                (sources, Err(d)) => {
                    assert_eq!(Some(d.code), promised_code(path), "{}", path.display());
                    insta::assert_snapshot!(render(&sources, &[d]));
                    return;
                }
            };
            let outcome = compile_fixture(&mut sources, id, path, Profile::Modern);
            assert!(outcome.has_errors(), "{} should fail", path.display());
            assert!(
                outcome.dockerfile.is_none(),
                "no Dockerfile from a program with errors"
            );
            let code = promised_code(path).expect("an err fixture's name starts with its code");
            assert!(
                codes(&outcome.diagnostics).contains(&code.as_str()),
                "{} should raise {code}, raised {:?}",
                path.display(),
                codes(&outcome.diagnostics)
            );
            for d in &outcome.diagnostics {
                assert!(!d.labels.is_empty(), "{}: every diagnostic has a span", d.code);
                assert!(d.help.is_some(), "{}: every diagnostic has a help line", d.code);
            }
            insta::assert_snapshot!(render(&sources, &outcome.diagnostics));
        });
    });
}

#[test]
fn codegen_fixtures() {
    settings("codegen").bind(|| {
        insta::glob!("../data", "codegen/*.msb", |path| {
            let (sources, id) = load(path);
            let mut snapshot = String::new();
            for profile in [Profile::Modern, Profile::Legacy] {
                let outcome = compile_fixture(&mut sources.clone(), id, path, profile);
                assert!(
                    !outcome.has_errors(),
                    "{}",
                    render(&sources, &outcome.diagnostics)
                );
                snapshot.push_str(&format!(
                    "----- {profile:?} -----\n{}",
                    outcome.dockerfile.unwrap_or_default()
                ));
            }
            insta::assert_snapshot!(snapshot);
        });
    });
}

/// Every rule of the checker is shown by a fixture: each code is promised
/// by the name of at least one fixture (E0002, input too large, is shown by
/// the hostile-input tests instead).
#[test]
fn every_code_has_a_fixture() {
    let data = crate::support::root().join("tests/data");
    let mut covered = BTreeSet::new();
    for folder in ["check/err", "check/ok", "parse"] {
        for entry in std::fs::read_dir(data.join(folder)).unwrap() {
            if let Some(code) = promised_code(&entry.unwrap().path()) {
                covered.insert(code);
            }
        }
    }
    let missing: Vec<&str> = Code::ALL
        .iter()
        .filter(|c| !covered.contains(c) && **c != Code::InputTooLarge)
        .map(|c| c.as_str())
        .collect();
    assert!(missing.is_empty(), "codes without a fixture: {missing:?}");
}
