//! Help good enough to learn from, and shell completions.

use crate::cli::{run, text};
use std::process::Command;

const COMMANDS: &[&str] = &["compile", "check", "fmt", "graph", "explain", "completions"];

#[test]
fn every_command_has_help_with_examples() {
    let out = run(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = text(&out.stdout);
    for command in COMMANDS {
        assert!(help.contains(command), "{help}");
    }
    assert!(help.contains("Examples:"), "{help}");
    for command in COMMANDS {
        let out = run(&[command, "--help"]);
        assert_eq!(out.status.code(), Some(0), "{command}");
        let help = text(&out.stdout);
        assert!(
            help.contains("Examples:"),
            "{command} --help has examples:\n{help}"
        );
        assert!(help.contains(&format!("msbc {command}")), "{command}:\n{help}");
        // `-h` is the short form, without the examples.
        let short = text(&run(&[command, "-h"]).stdout);
        assert!(short.len() < help.len(), "{command}: -h is shorter than --help");
    }
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = run(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", text(&out.stderr));
        let script = text(&out.stdout);
        for command in COMMANDS {
            assert!(script.contains(command), "{shell} completes `{command}`");
        }
        // Fish writes `-l output-beside`, the others `--output-beside`.
        for flag in ["output-beside", "bake-tag", "check", "format"] {
            assert!(script.contains(flag), "{shell} completes `--{flag}`");
        }
    }
    let out = run(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
}

/// The bash script is valid bash, and completes subcommands.
#[test]
fn bash_completion_works_in_bash() {
    if Command::new("bash").arg("--version").output().is_err() {
        eprintln!("skipped: no bash");
        return;
    }
    let script = text(&run(&["completions", "bash"]).stdout);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("msbc.bash");
    std::fs::write(&path, script).unwrap();
    let test = format!(
        "source {}\nCOMP_WORDS=(msbc gr)\nCOMP_CWORD=1\nCOMP_LINE='msbc gr'\nCOMP_POINT=7\n_msbc msbc gr msbc\necho \"${{COMPREPLY[@]}}\"",
        path.display()
    );
    let out = Command::new("bash").arg("-c").arg(&test).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), "graph", "{}", text(&out.stderr));
}
