//! Any bytes through the parser: a tree or diagnostics, never a panic.
//! Every diagnostic's span lies inside the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use msbc::source::Sources;

fuzz_target!(|data: &[u8]| {
    let mut sources = Sources::new();
    let Ok(file) = msbc::driver::add_file(&mut sources, "fuzz.msb", data.to_vec()) else {
        return;
    };
    let len = sources.get(file).text.len();
    if let Err(diagnostics) = msbc::driver::parse(&sources, file) {
        assert!(!diagnostics.is_empty(), "a failed parse says why");
        for d in &diagnostics {
            let span = d.primary_span();
            assert!(span.start <= span.end && span.end as usize <= len, "{span:?} outside {len} bytes");
        }
    }
});
