//! msbc: a compiler from the msb build language to multi-stage Dockerfiles.
//!
//! The pipeline has hard boundaries: [`syntax`] (text to an owned tree),
//! [`check`] (tree to a resolved build graph, with every diagnostic), and
//! [`codegen`] (graph to a typed Dockerfile IR, optimized, then printed).
//! The core does no IO; `main.rs` reads files and writes output.

pub mod bake;
pub mod check;
pub mod codegen;
pub mod config;
pub mod diagnostic;
pub mod driver;
pub mod explain;
pub mod format;
pub mod graph;
pub mod lock;
pub mod lsp;
pub mod render;
pub mod source;
pub mod span;
pub mod syntax;
