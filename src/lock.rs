//! `msbc.lock`: the digest of every base image a program names, so that
//! `msbc compile --locked` can pin each `FROM` to the exact image that was
//! resolved. Reading and writing the format lives here; resolving digests
//! (which needs an engine or a registry) lives in [`crate::resolve`].

use crate::diagnostic::{Code, Diagnostic};
use crate::span::{FileId, Span};
use crate::syntax::ast::{self, Item};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The lock's format version; a newer one is refused rather than misread.
pub const VERSION: u32 = 1;

/// A parsed lock: reference -> digest, each with where it was written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lock {
    pub file: FileId,
    pub images: BTreeMap<String, LockedImage>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockedImage {
    pub digest: String,
    /// The entry's table in the lock file, for diagnostics.
    pub span: Span,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLock {
    version: toml::Spanned<u32>,
    #[serde(default)]
    images: BTreeMap<String, toml::Spanned<RawImage>>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawImage {
    digest: toml::Spanned<String>,
}

#[derive(Serialize)]
struct WrittenLock<'a> {
    version: u32,
    images: BTreeMap<&'a str, WrittenImage<'a>>,
}

#[derive(Serialize)]
struct WrittenImage<'a> {
    digest: &'a str,
}

/// Whether `digest` is a well-formed sha256 content digest. Nothing else may
/// reach a `FROM` line: a lock file is input like any other.
pub fn is_digest(digest: &str) -> bool {
    digest.strip_prefix("sha256:").is_some_and(|hex| {
        hex.len() == 64
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

impl Lock {
    /// Parses a lock file's text, with every problem as a diagnostic in it.
    pub fn parse(file: FileId, text: &str) -> Result<Lock, Vec<Diagnostic>> {
        let raw: RawLock = toml::from_str(text).map_err(|e| {
            let range = e.span().unwrap_or(0..0);
            vec![invalid(
                Span::new(file, range.start, range.end.max(range.start + 1)),
                e.message(),
            )]
        })?;
        let mut diagnostics = Vec::new();
        if *raw.version.get_ref() != VERSION {
            let range = raw.version.span();
            diagnostics.push(invalid(
                Span::new(file, range.start, range.end),
                &format!(
                    "this lock has format version {}, and this msbc reads version {VERSION}",
                    raw.version.get_ref()
                ),
            ));
        }
        let mut images = BTreeMap::new();
        for (reference, entry) in raw.images {
            let span = entry.span();
            let entry = entry.into_inner();
            let digest_span = entry.digest.span();
            let digest = entry.digest.into_inner();
            if !is_digest(&digest) {
                diagnostics.push(invalid(
                    Span::new(file, digest_span.start, digest_span.end),
                    "a digest is `sha256:` and 64 lowercase hex digits",
                ));
                continue;
            }
            images.insert(
                reference,
                LockedImage {
                    digest,
                    span: Span::new(file, span.start, span.end),
                },
            );
        }
        if diagnostics.is_empty() {
            Ok(Lock { file, images })
        } else {
            Err(diagnostics)
        }
    }

    /// The lock file's text for `images` (reference -> digest): sorted, so
    /// the same images always give the same bytes.
    pub fn render(program_name: &str, images: &BTreeMap<String, String>) -> String {
        let written = WrittenLock {
            version: VERSION,
            images: images
                .iter()
                .map(|(reference, digest)| (reference.as_str(), WrittenImage { digest }))
                .collect(),
        };
        let body = toml::to_string(&written).expect("a lock always serializes");
        format!(
            "# Written by `msbc lock` from {program_name}: the digest of each base image.\n\
             # `msbc compile --locked` pins every FROM to these. Commit this file.\n\n{body}"
        )
    }
}

fn invalid(span: Span, reason: &str) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidLock,
        format!("the lock file cannot be read: {reason}"),
    )
    .primary(span, "here")
    .help("write it anew with `msbc lock`")
}

/// E0604: a reference with `${...}` has no one digest.
pub fn unlockable(span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::UnlockableImage,
        "an image reference that reads a param cannot be locked",
    )
    .primary(span, "its digest would depend on the build's arguments")
    .help("write the reference without `${...}`, or pin it in place: `\"repository:tag@sha256:...\"`")
}

/// The references `msbc lock` resolves: each distinct literal reference the
/// program names that is not already pinned to a digest, with where it is
/// written. Parameterised references cannot be locked and are returned apart.
pub struct LockableImages {
    pub references: BTreeMap<String, Span>,
    pub parameterised: Vec<Span>,
}

pub fn lockable_images(program: &ast::Program) -> LockableImages {
    let mut references = BTreeMap::new();
    let mut parameterised = Vec::new();
    let mut add = |text: &ast::Text| {
        if text.vars().next().is_some() {
            parameterised.push(text.span);
            return;
        }
        let reference = text.display();
        if reference != "scratch" && !reference.contains('@') {
            references.entry(reference).or_insert(text.span);
        }
    };
    for item in &program.items {
        match item {
            Item::Image(image) => add(&image.reference),
            Item::Stage(stage) => {
                if let ast::BaseRef::Image(text) = &stage.base {
                    add(text)
                }
            }
            _ => {}
        }
    }
    LockableImages {
        references,
        parameterised,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn render_then_parse_gives_the_same_images() {
        let images = BTreeMap::from([
            ("golang:1.23".to_string(), DIGEST.to_string()),
            (
                "gcr.io/distroless/static-debian12:nonroot".to_string(),
                DIGEST.to_string(),
            ),
        ]);
        let text = Lock::render("app.msb", &images);
        let lock = Lock::parse(FileId(0), &text).unwrap();
        let parsed: BTreeMap<String, String> = lock.images.into_iter().map(|(r, i)| (r, i.digest)).collect();
        assert_eq!(parsed, images);
    }

    #[test]
    fn digests_are_exactly_sha256_hex() {
        assert!(is_digest(DIGEST));
        assert!(!is_digest("sha256:ABCDEF"));
        assert!(!is_digest(&format!("{DIGEST}\nRUN id")));
        assert!(!is_digest(&DIGEST.replace('a', "A")));
        assert!(!is_digest("md5:0123"));
    }
}
