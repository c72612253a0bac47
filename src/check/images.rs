//! What msbc knows about well-known base images: libc, shell, user database
//! and default user. The checker proves runtime compatibility from this.

use crate::syntax::ast::{Libc, PackageManager};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Capabilities {
    pub libc: Option<Libc>,
    pub shell: Option<bool>,
    pub passwd: Option<bool>,
    pub user: Option<String>,
    /// What `install` runs on the image.
    pub packages: Option<PackageManager>,
}

impl Capabilities {
    fn known(libc: Libc, shell: bool, passwd: bool, user: &str) -> Self {
        Capabilities {
            libc: Some(libc),
            shell: Some(shell),
            passwd: Some(passwd),
            user: Some(user.to_string()),
            packages: None,
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
    let mut capabilities = builtin_table(reference)?;
    capabilities.packages = builtin_packages(reference);
    Some(capabilities)
}

/// The package manager of a well-known image. Only what each image family
/// ships in every tag is listed: `amazonlinux:2`, `centos:7` and `oraclelinux:7`
/// have yum, `redhat/ubi9-minimal` microdnf, `archlinux` pacman, and the
/// `openjdk`, `maven`, `gradle` and `swift` images come on several
/// distributions, so none of them is known.
pub fn builtin_packages(reference: &str) -> Option<PackageManager> {
    if reference == "scratch" {
        return Some(PackageManager::None);
    }
    let r = split_reference(reference);
    let tag = r.tag.unwrap_or("latest");
    let last = r.repository.rsplit('/').next().unwrap_or(r.repository);
    if r.registry == "gcr.io" && r.repository.starts_with("distroless/") {
        return Some(PackageManager::None);
    }
    if r.registry == "cgr.dev" && r.repository.starts_with("chainguard/") {
        let apk = last == "wolfi-base" || tag.contains("dev") && last != "static";
        return Some(if apk {
            PackageManager::Apk
        } else {
            PackageManager::None
        });
    }
    if !r.registry.is_empty() {
        return None;
    }
    let debian_or_alpine = if tag.contains("alpine") {
        PackageManager::Apk
    } else {
        PackageManager::Apt
    };
    match r.repository {
        "alpine" => Some(PackageManager::Apk),
        "busybox" => Some(PackageManager::None),
        "debian" | "ubuntu" | "buildpack-deps" => Some(PackageManager::Apt),
        "fedora" | "rockylinux" | "almalinux" | "redhat/ubi8" | "redhat/ubi9" => Some(PackageManager::Dnf),
        "golang" | "rust" | "node" | "python" | "gcc" | "eclipse-temurin" | "ruby" | "php" | "perl"
        | "haskell" | "erlang" | "elixir" | "dart" | "nginx" | "httpd" | "postgres" | "redis"
            if !tag.contains("windows") && !tag.contains("nanoserver") =>
        {
            Some(debian_or_alpine)
        }
        _ => None,
    }
}

fn builtin_table(reference: &str) -> Option<Capabilities> {
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
        let python = builtin("gcr.io/distroless/python3-debian12:nonroot").unwrap();
        assert_eq!(
            (python.libc, python.shell, python.user.as_deref()),
            (Some(Libc::Glibc), Some(false), Some("65532"))
        );
        assert_eq!(python.packages, Some(PackageManager::None));
        assert_eq!(builtin("example.com/tools:1"), None);
        assert!(!is_pinned("debian"));
        assert!(!is_pinned("debian:latest"));
        assert!(is_pinned("debian@sha256:0123"));
    }

    #[test]
    fn knows_the_package_managers() {
        let manager = |r: &str| builtin(r).and_then(|c| c.packages);
        assert_eq!(manager("debian:bookworm-slim"), Some(PackageManager::Apt));
        assert_eq!(manager("golang:1.22-bookworm"), Some(PackageManager::Apt));
        assert_eq!(manager("python:3.12-alpine"), Some(PackageManager::Apk));
        assert_eq!(manager("alpine:3.20"), Some(PackageManager::Apk));
        assert_eq!(manager("fedora:40"), Some(PackageManager::Dnf));
        assert_eq!(manager("scratch"), Some(PackageManager::None));
        assert_eq!(
            manager("gcr.io/distroless/static-debian12:nonroot"),
            Some(PackageManager::None)
        );
        assert_eq!(
            manager("cgr.dev/chainguard/wolfi-base"),
            Some(PackageManager::Apk)
        );
        assert_eq!(manager("amazonlinux:2"), None);
        assert_eq!(manager("example.com/tools:1"), None);
    }
}
