//! Whatever parses goes through the checker: a graph exactly when no error
//! is reported, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use msbc::check::{self, CheckOptions};
use msbc::diagnostic::Diagnostic;
use msbc::source::Sources;

fuzz_target!(|data: &[u8]| {
    let mut sources = Sources::new();
    let Ok(file) = msbc::driver::add_file(&mut sources, "fuzz.msb", data.to_vec()) else {
        return;
    };
    let Ok(program) = msbc::driver::parse(&sources, file) else {
        return;
    };
    let checked = check::check(&program, "fuzz.msb", &CheckOptions::default());
    let has_errors = checked.diagnostics.iter().any(Diagnostic::is_error);
    assert_eq!(checked.graph.is_some(), !has_errors, "{:?}", checked.diagnostics);
    for d in &checked.diagnostics {
        let span = d.primary_span();
        assert!(span.start <= span.end && span.end as usize <= data.len(), "{span:?}");
    }
});
