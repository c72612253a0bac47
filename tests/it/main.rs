//! The one integration test binary: data-driven fixtures, the examples,
//! the command-line contract, hostile input and generated programs.

mod build_checks;
mod cli;
mod compile_check;
mod e2e;
mod editors;
mod examples;
mod explain_examples;
mod fixtures;
mod fmt;
mod graph;
mod help;
mod hostile;
mod lsp;
mod properties;
mod schema;
mod support;
