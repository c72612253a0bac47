//! Parsing: source text to an owned syntax tree. No pest type leaves this module.

pub mod ast;
mod errors;
mod parser;
mod text;

pub use parser::{parse, MAX_INPUT_BYTES};
