//! Finding the digest of a base image, for `msbc lock`. Both sources go
//! through the Docker CLI, so they use the engine and the registry
//! credentials the user already has (`docker login`, `DOCKER_HOST`,
//! `DOCKER_CONFIG`): a registry through `docker buildx imagetools inspect`,
//! and the local engine's image store through `docker image inspect`.

use msbc::check::images::split_reference;
use msbc::lock::is_digest;
use std::process::Command;

/// Where `msbc lock` looks for digests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The registry when it answers, the local engine otherwise.
    Auto,
    Registry,
    Engine,
}

/// A resolved digest and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub digest: String,
    pub from: &'static str,
}

/// Resolves image references by running a Docker CLI.
pub struct Resolver {
    /// The CLI to run: `$MSBC_DOCKER`, else `docker`.
    pub docker: String,
}

impl Resolver {
    pub fn from_env() -> Resolver {
        Resolver {
            docker: std::env::var("MSBC_DOCKER")
                .ok()
                .filter(|d| !d.trim().is_empty())
                .unwrap_or_else(|| "docker".to_string()),
        }
    }

    pub fn resolve(&self, reference: &str, source: Source) -> Result<Resolved, String> {
        match source {
            Source::Registry => self.ask_registry(reference),
            Source::Engine => self.ask_engine(reference),
            Source::Auto => self.ask_registry(reference).or_else(|registry| {
                self.ask_engine(reference)
                    .map_err(|engine| format!("{registry}; {engine}"))
            }),
        }
    }

    /// The digest a registry serves for the reference (the index digest for
    /// a multi-platform image, so every platform stays buildable).
    fn ask_registry(&self, reference: &str) -> Result<Resolved, String> {
        let output = self.run(&[
            "buildx",
            "imagetools",
            "inspect",
            "--format",
            "{{json .Manifest}}",
            reference,
        ])?;
        let manifest: serde_json::Value = serde_json::from_str(output.trim())
            .map_err(|_| format!("the registry's answer for `{reference}` is not a manifest"))?;
        let digest = manifest
            .get("digest")
            .and_then(serde_json::Value::as_str)
            .filter(|d| is_digest(d))
            .ok_or_else(|| format!("the registry gave no sha256 digest for `{reference}`"))?;
        Ok(Resolved {
            digest: digest.to_string(),
            from: "registry",
        })
    }

    /// The digest under which the local engine pulled (or pushed) the image.
    /// An image built or loaded locally has none: it was never in a registry,
    /// so no `FROM name@digest` could find it.
    fn ask_engine(&self, reference: &str) -> Result<Resolved, String> {
        let output = self.run(&["image", "inspect", "--format", "{{json .RepoDigests}}", reference])?;
        let repo_digests: Vec<String> = serde_json::from_str(output.trim())
            .map_err(|_| format!("the engine's answer for `{reference}` is not a list of digests"))?;
        let wanted = split_reference(reference);
        repo_digests
            .iter()
            .filter_map(|entry| entry.split_once('@'))
            .find(|(name, digest)| {
                let have = split_reference(name);
                have.registry == wanted.registry && have.repository == wanted.repository && is_digest(digest)
            })
            .map(|(_, digest)| Resolved {
                digest: digest.to_string(),
                from: "engine",
            })
            .ok_or_else(|| {
                format!(
                    "the local image `{reference}` has no registry digest (it was built or loaded here, not pulled or pushed)"
                )
            })
    }

    fn run(&self, args: &[&str]) -> Result<String, String> {
        let output = Command::new(&self.docker)
            .args(args)
            .output()
            .map_err(|e| format!("cannot run `{}`: {e}", self.docker))?;
        if output.status.success() {
            return String::from_utf8(output.stdout).map_err(|_| {
                format!(
                    "`{} {}` printed something that is not UTF-8",
                    self.docker, args[0]
                )
            });
        }
        let stderr = String::from_utf8_lossy(&output.stderr);
        let reason = stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("no message");
        Err(format!(
            "`{} {} {}` failed: {}",
            self.docker,
            args[0],
            args[1],
            reason.trim()
        ))
    }
}
