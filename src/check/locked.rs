//! `--locked`: every base image the program names must have a digest in the
//! lock, and every entry of the lock must still be named by the program.

use crate::diagnostic::{Code, Diagnostic};
use crate::lock::{lockable_images, unlockable, Lock};
use crate::syntax::ast;
use std::collections::{BTreeMap, BTreeSet};

/// Reference -> digest for the program's images, and what does not match.
pub fn pin(program: &ast::Program, lock: &Lock) -> (BTreeMap<String, String>, Vec<Diagnostic>) {
    let wanted = lockable_images(program);
    let mut diagnostics = Vec::new();
    diagnostics.extend(wanted.parameterised.iter().map(|&span| unlockable(span)));
    let mut pinned = BTreeMap::new();
    // Old entries already shown beside the reference that replaced them.
    let mut explained = BTreeSet::new();
    for (reference, span) in &wanted.references {
        match lock.images.get(reference) {
            Some(entry) => {
                pinned.insert(reference.clone(), entry.digest.clone());
            }
            None => {
                let mut d = Diagnostic::new(
                    Code::ImageNotLocked,
                    format!("`{reference}` has no digest in the lock"),
                )
                .primary(*span, "not in the lock");
                // The usual cause: the tag changed since the lock was written.
                // (The old entry is named, not quoted: a label shows one file.)
                let repository = repository_of(reference);
                let old = lock
                    .images
                    .keys()
                    .find(|r| !wanted.references.contains_key(*r) && repository_of(r) == repository);
                d = match old {
                    Some(old) => {
                        explained.insert(old.as_str());
                        d.help(format!(
                            "the lock still pins `{old}`: it is out of date; run `msbc lock` and commit msbc.lock"
                        ))
                    }
                    None => d.help("the lock is out of date: run `msbc lock` and commit msbc.lock"),
                };
                diagnostics.push(d);
            }
        }
    }
    for (reference, entry) in &lock.images {
        if !wanted.references.contains_key(reference) && !explained.contains(reference.as_str()) {
            diagnostics.push(
                Diagnostic::new(
                    Code::StaleLock,
                    format!("the lock pins `{reference}`, which the program no longer names"),
                )
                .primary(entry.span, "not named by the program")
                .help("the lock is out of date: run `msbc lock` and commit msbc.lock"),
            );
        }
    }
    (pinned, diagnostics)
}

fn repository_of(reference: &str) -> String {
    let parts = super::images::split_reference(reference);
    format!("{}/{}", parts.registry, parts.repository)
}
