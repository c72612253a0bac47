//! Code generation: the checked build graph to a Dockerfile IR, through the
//! optimization passes, to text. Nothing here sees the syntax tree.

pub mod dockerfile;
pub mod dockerignore;
mod lower;
pub mod optimize;
mod printer;

use crate::check::ir::BuildGraph;
use std::str::FromStr;

/// Which builders the output must work on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Profile {
    /// BuildKit as in Docker Engine 23 and later: heredocs, `COPY --link`.
    #[default]
    Modern,
    /// Docker Engine 20.10's builder and buildah 1.28: no heredocs, no `COPY --link`.
    Legacy,
}

impl FromStr for Profile {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "modern" => Ok(Profile::Modern),
            "legacy" => Ok(Profile::Legacy),
            other => Err(format!(
                "unknown profile `{other}`: expected `modern` or `legacy`"
            )),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct CodegenOptions {
    pub profile: Profile,
    /// Build only this stage and what it needs, placed last. The default
    /// target otherwise, with every other reachable runtime before it.
    pub target: Option<String>,
    /// Declare `SOURCE_DATE_EPOCH` for the steps that build from the
    /// context, so that tools which stamp a date take the build's.
    pub reproducible: bool,
}

/// Errors of the request rather than the program: an unknown `--target`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodegenError {
    #[error("no stage is named `{name}`{}", suggestion.as_ref().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default())]
    UnknownTarget {
        name: String,
        suggestion: Option<String>,
    },
}

/// The Dockerfile IR for a checked program, optimized for the profile.
pub fn lower(graph: &BuildGraph, options: &CodegenOptions) -> Result<dockerfile::Dockerfile, CodegenError> {
    let mut dockerfile = lower::lower(graph, options)?;
    optimize::run(&mut dockerfile, options.profile);
    if options.reproducible {
        optimize::declare_source_date_epoch(&mut dockerfile);
    }
    Ok(dockerfile)
}

/// The Dockerfile text for a checked program.
pub fn generate(graph: &BuildGraph, options: &CodegenOptions) -> Result<String, CodegenError> {
    let dockerfile = lower(graph, options)?;
    Ok(printer::print(&dockerfile, options.profile))
}

/// The Dockerfile and its `.dockerignore` allowlist (when one can be exact).
pub fn generate_with_ignore(
    graph: &BuildGraph,
    options: &CodegenOptions,
) -> Result<(String, Option<String>), CodegenError> {
    let dockerfile = lower(graph, options)?;
    let ignore = dockerignore::allowlist(&dockerfile, &graph.source_name);
    Ok((printer::print(&dockerfile, options.profile), ignore))
}

/// Prints a Dockerfile IR.
pub fn print(dockerfile: &dockerfile::Dockerfile, profile: Profile) -> String {
    printer::print(dockerfile, profile)
}
