//! The programs in `msbc explain` texts are real: each erroneous example
//! raises its code, and each fixed example checks without any diagnostic.

use crate::support::{codes, render};
use msbc::diagnostic::Code;
use msbc::driver::{self, Options};
use msbc::source::Sources;

/// The indented block after the line `heading` (four spaces removed).
fn block_after(text: &str, heading: &str) -> Option<String> {
    let mut lines = text.lines().skip_while(|l| *l != heading);
    lines.next()?;
    let mut block = Vec::new();
    for line in lines {
        if !line.trim().is_empty() && !line.starts_with("    ") {
            break;
        }
        block.push(line.strip_prefix("    ").unwrap_or(""));
    }
    let program = block.join("\n").trim_matches('\n').to_string() + "\n";
    (program.trim() != "").then_some(program)
}

/// Checks a program, against a lock (as `compile --locked` does) when the
/// text gives one.
fn check(name: &str, program: &str, lock: Option<String>) -> (Sources, Vec<msbc::diagnostic::Diagnostic>) {
    let mut sources = Sources::new();
    let id = sources.add(name, program.to_string());
    let mut options = Options::default();
    if let Some(lock) = lock {
        let lock_id = sources.add("msbc.lock", lock);
        match msbc::lock::Lock::parse(lock_id, &sources.get(lock_id).text) {
            Ok(lock) => options.lock = Some(lock),
            Err(diagnostics) => return (sources, diagnostics),
        }
    }
    let (_, diagnostics) = driver::check(&sources, id, &options);
    (sources, diagnostics)
}

#[test]
fn explanations_hold_real_programs() {
    let mut checked = 0;
    for &code in Code::ALL {
        // The triggers of these cannot be written as text: a file over
        // 64 MiB, and bytes that are not UTF-8.
        if matches!(code, Code::InputTooLarge | Code::NotUtf8) {
            continue;
        }
        let text = msbc::explain::explain(code);
        let erroneous = block_after(text, "Erroneous example:")
            .unwrap_or_else(|| panic!("{code}: no indented block after `Erroneous example:`"));
        let fixed =
            block_after(text, "Fixed:").unwrap_or_else(|| panic!("{code}: no indented block after `Fixed:`"));

        let (sources, diagnostics) = check("erroneous.msb", &erroneous, block_after(text, "Erroneous lock:"));
        assert!(
            codes(&diagnostics).contains(&code.as_str()),
            "the erroneous example of {code} raises {:?}, not {code}:\n{erroneous}\n{}",
            codes(&diagnostics),
            render(&sources, &diagnostics)
        );
        let (sources, diagnostics) = check("fixed.msb", &fixed, block_after(text, "Fixed lock:"));
        assert!(
            diagnostics.is_empty(),
            "the fixed example of {code} is not clean:\n{fixed}\n{}",
            render(&sources, &diagnostics)
        );
        checked += 1;
    }
    assert_eq!(checked, Code::ALL.len() - 2);
}
