//! The whole compile path under both profiles, and every diagnostic
//! rendered the way a person sees it: never a panic. A Dockerfile comes
//! out exactly when no error is reported, and it is the same bytes twice.
#![no_main]

use libfuzzer_sys::fuzz_target;
use msbc::codegen::Profile;
use msbc::driver::{self, Options};
use msbc::render::{self, Style};
use msbc::source::Sources;

fuzz_target!(|data: &[u8]| {
    let mut sources = Sources::new();
    let file = match driver::add_file(&mut sources, "fuzz.msb", data.to_vec()) {
        Ok(file) => file,
        Err((_, d)) => {
            let _ = render::human(&sources, &d, Style::PLAIN);
            return;
        }
    };
    for profile in [Profile::Modern, Profile::Legacy] {
        let mut options = Options::default();
        options.codegen.profile = profile;
        let outcome = driver::compile(&sources, file, &options).expect("no target is requested");
        assert_eq!(outcome.dockerfile.is_some(), !outcome.has_errors());
        for d in &outcome.diagnostics {
            let _ = render::human(&sources, d, Style::PLAIN);
        }
        let _ = render::json_document(&sources, &outcome.diagnostics);
        if let Some(dockerfile) = &outcome.dockerfile {
            let again = driver::compile(&sources, file, &options).expect("no target is requested");
            assert_eq!(again.dockerfile.as_deref(), Some(dockerfile.as_str()), "deterministic");
            assert!(dockerfile.starts_with('#') && dockerfile.contains("\nFROM "), "{dockerfile}");
        }
    }
});
