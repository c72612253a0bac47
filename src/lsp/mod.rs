//! `msbc lsp`: a language server for `.msb` programs.
//!
//! It reuses the compiler: diagnostics are what `msbc check` reports
//! ([`crate::driver::check`]), formatting is `msbc fmt` ([`crate::format`]),
//! and names resolve as the checker resolves them.
//!
//! - [`server`]: the loop over messages, with debounced diagnostics.
//! - [`analysis`]: one document's diagnostics and its index of
//!   declarations and the places that name them.
//! - [`convert`]: byte offsets to LSP positions (UTF-16 columns) and back.
//! - [`hover`], [`completion`], [`outline`]: the answers to requests.
//!
//! The server speaks over a [`lsp_server::Connection`] it is given, so the
//! library does no IO: `main.rs` connects it to standard input and output.

pub mod analysis;
pub mod completion;
pub mod convert;
pub mod hover;
pub mod outline;
pub mod server;

pub use server::{run, ConfigLoader, ExplainPage, DEBOUNCE};
