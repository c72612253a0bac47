//! What msbc knows about well-known base images: libc, shell, user database
//! and default user. The checker proves runtime compatibility from this.

use crate::syntax::ast::Libc;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Capabilities {
    pub libc: Option<Libc>,
    pub shell: Option<bool>,
    pub passwd: Option<bool>,
    pub user: Option<String>,
}

impl Capabilities {
    fn known(libc: Libc, shell: bool, passwd: bool, user: &str) -> Self {
        Capabilities {
            libc: Some(libc),
            shell: Some(shell),
            passwd: Some(passwd),
            user: Some(user.to_string()),
        }
    }

    pub fn is_unknown(&self) -> bool {
        *self == Capabilities::default()
    }
}

/// An image reference split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef<'a> {
    /// `gcr.io`, or empty for Docker Hub.
    pub registry: &'a str,
    /// `library/`-less repository path: `golang`, `distroless/static-debian12`.
    pub repository: &'a str,
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
}

pub fn split_reference(reference: &str) -> ImageRef<'_> {
    let (name, digest) = match reference.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (reference, None),
    };
    let last_slash = name.rfind('/').map(|i| i + 1).unwrap_or(0);
    let (name, tag) = match name[last_slash..].rfind(':') {
        Some(i) => (&name[..last_slash + i], Some(&name[last_slash + i + 1..])),
        None => (name, None),
    };
    let (registry, repository) = match name.split_once('/') {
        Some((first, rest)) if first.contains(['.', ':']) || first == "localhost" => (first, rest),
        _ => ("", name),
    };
    let registry = if registry == "docker.io" || registry == "index.docker.io" {
        ""
    } else {
        registry
    };
    let repository = repository.strip_prefix("library/").unwrap_or(repository);
    ImageRef {
        registry,
        repository,
        tag,
        digest,
    }
}

/// The built-in table. `None` when msbc knows nothing of the image.
pub fn builtin(reference: &str) -> Option<Capabilities> {
    if reference == "scratch" {
        return Some(Capabilities::known(Libc::None, false, false, "0"));
    }
    let r = split_reference(reference);
    let tag = r.tag.unwrap_or("latest");
    let nonroot = tag.contains("nonroot");
    let distroless_user = if nonroot { "65532" } else { "0" };
    let debug = tag.contains("debug");
    let last = r.repository.rsplit('/').next().unwrap_or(r.repository);

    if r.registry == "gcr.io" && r.repository.starts_with("distroless/") {
        let libc = if last.starts_with("static") {
            Libc::None
        } else {
            Libc::Glibc
        };
        return Some(Capabilities::known(libc, debug, true, distroless_user));
    }
    if r.registry == "cgr.dev" && r.repository.starts_with("chainguard/") {
        let user = if tag.contains("dev") { "0" } else { "65532" };
        return Some(match last {
            "static" => Capabilities::known(Libc::None, false, true, "65532"),
            "wolfi-base" | "busybox" => Capabilities::known(Libc::Glibc, true, true, "0"),
            _ => Capabilities::known(Libc::Glibc, tag.contains("dev"), true, user),
        });
    }
    if !r.registry.is_empty() {
        return None;
    }
    let alpine = tag.contains("alpine");
    let toolchain_libc = if alpine { Libc::Musl } else { Libc::Glibc };
    match r.repository {
        "alpine" => Some(Capabilities::known(Libc::Musl, true, true, "0")),
        "busybox" => {
            let libc = if tag.contains("musl") {
                Libc::Musl
            } else if tag.contains("uclibc") {
                // Statically linked, with no shared libc to offer other binaries.
                Libc::None
            } else {
                Libc::Glibc
            };
            Some(Capabilities::known(libc, true, true, "0"))
        }
        "debian"
        | "ubuntu"
        | "fedora"
        | "centos"
        | "rockylinux"
        | "almalinux"
        | "amazonlinux"
        | "oraclelinux"
        | "redhat/ubi8"
        | "redhat/ubi9"
        | "redhat/ubi9-minimal"
        | "archlinux" => Some(Capabilities::known(Libc::Glibc, true, true, "0")),
        "golang" | "rust" | "node" | "python" | "gcc" | "eclipse-temurin" | "openjdk" | "maven"
        | "gradle" | "ruby" | "php" | "perl" | "buildpack-deps" | "haskell" | "erlang" | "elixir"
        | "swift" | "dart" | "nginx" | "httpd" | "postgres" | "redis" => {
            Some(Capabilities::known(toolchain_libc, true, true, "0"))
        }
        _ => None,
    }
}

/// Whether a reference is pinned to a tag other than `latest`, or to a digest.
pub fn is_pinned(reference: &str) -> bool {
    if reference == "scratch" {
        return true;
    }
    let r = split_reference(reference);
    r.digest.is_some() || r.tag.is_some_and(|t| t != "latest")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_references() {
        let r = split_reference("gcr.io/distroless/static-debian12:nonroot");
        assert_eq!(
            (r.registry, r.repository, r.tag),
            ("gcr.io", "distroless/static-debian12", Some("nonroot"))
        );
        let r = split_reference("localhost:5000/app:1.2@sha256:abc");
        assert_eq!(
            (r.registry, r.repository, r.tag, r.digest),
            ("localhost:5000", "app", Some("1.2"), Some("sha256:abc"))
        );
        let r = split_reference("docker.io/library/golang");
        assert_eq!((r.registry, r.repository, r.tag), ("", "golang", None));
    }

    #[test]
    fn knows_the_common_images() {
        assert_eq!(builtin("scratch").unwrap().libc, Some(Libc::None));
        assert_eq!(builtin("alpine:3.20").unwrap().libc, Some(Libc::Musl));
        assert_eq!(builtin("golang:1.22-alpine").unwrap().libc, Some(Libc::Musl));
        assert_eq!(
            builtin("gcr.io/distroless/cc-debian12").unwrap().shell,
            Some(false)
        );
        assert_eq!(
            builtin("gcr.io/distroless/static-debian12:nonroot")
                .unwrap()
                .user
                .as_deref(),
            Some("65532")
        );
        assert_eq!(builtin("example.com/tools:1"), None);
        assert!(!is_pinned("debian"));
        assert!(!is_pinned("debian:latest"));
        assert!(is_pinned("debian@sha256:0123"));
    }
}
