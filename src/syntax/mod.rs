//! Parsing: source text to an owned syntax tree. No pest type leaves this module.

pub mod ast;
mod errors;
mod parser;
mod text;

pub use errors::{STEP_KEYWORDS, TOP_KEYWORDS};
pub use parser::{parse, parse_lenient, MAX_INPUT_BYTES};
