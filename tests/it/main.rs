//! The one integration test binary: data-driven fixtures, the examples,
//! the command-line contract and hostile input.

mod cli;
mod e2e;
mod editors;
mod examples;
mod fixtures;
mod hostile;
mod support;
