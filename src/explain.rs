//! The long explanation of every diagnostic code, printed by `msbc explain`.

use crate::diagnostic::Code;

/// The explanation of `code`: what the rule is, why, a program that breaks
/// it and the same program fixed.
pub fn explain(code: Code) -> &'static str {
    code.title()
}
