//! `msbc.toml`: project defaults, read next to the program.

use crate::diagnostic::{Code, Diagnostic, Severity};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub runtime: RuntimeConfig,
    #[serde(default)]
    pub compile: CompileConfig,
    /// Warning code -> level.
    #[serde(default)]
    pub lints: BTreeMap<String, LintLevel>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RuntimeConfig {
    /// The numeric `uid:gid` a runtime runs as when the program names no user.
    pub user: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CompileConfig {
    /// `modern` or `legacy`.
    pub profile: Option<String>,
    /// The default for `--reproducible`.
    pub reproducible: Option<bool>,
}

impl CompileConfig {
    /// The code generation settings this section gives, which flags
    /// override. A profile that does not parse was refused by `parse`.
    pub fn codegen_defaults(&self) -> crate::codegen::CodegenOptions {
        crate::codegen::CodegenOptions {
            profile: self
                .profile
                .as_deref()
                .and_then(|p| p.parse().ok())
                .unwrap_or_default(),
            reproducible: self.reproducible.unwrap_or(false),
            ..Default::default()
        }
    }
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LintLevel {
    Allow,
    Warn,
    Deny,
}

impl Config {
    pub fn parse(text: &str) -> Result<Config, String> {
        let config: Config = toml::from_str(text).map_err(|e| e.to_string())?;
        for code in config.lints.keys() {
            match Code::parse(code) {
                Some(c) if c.default_severity() == Severity::Warning => {}
                Some(_) => {
                    return Err(format!(
                        "[lints] {code}: only warnings (W codes) can be allowed or denied"
                    ))
                }
                None => return Err(format!("[lints] {code}: no such diagnostic code")),
            }
        }
        if let Some(user) = &config.runtime.user {
            let numeric = user.split(':').count() <= 2
                && user
                    .split(':')
                    .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
            if !numeric {
                return Err(format!(
                    "[runtime] user = \"{user}\": give a numeric uid or uid:gid, such as \"65532:65532\""
                ));
            }
        }
        if let Some(profile) = &config.compile.profile {
            profile.parse::<crate::codegen::Profile>()?;
        }
        Ok(config)
    }

    /// Applies `[lints]`: drops allowed warnings, turns denied ones into errors.
    pub fn apply_lints(&self, diagnostics: &mut Vec<Diagnostic>) {
        diagnostics.retain_mut(|d| {
            let level = self
                .lints
                .iter()
                .find(|(code, _)| Code::parse(code) == Some(d.code))
                .map(|(_, level)| *level);
            match level {
                Some(LintLevel::Allow) => false,
                Some(LintLevel::Deny) => {
                    d.severity = Severity::Error;
                    true
                }
                _ => true,
            }
        });
    }
}
