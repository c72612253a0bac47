//! The long explanation of every diagnostic code, printed by `msbc explain`.
//!
//! Each text starts with `CODE: title`, says what the rule is and why it
//! exists, and ends with a program that breaks the rule and the same program
//! fixed. The match has no wildcard arm: a new code does not compile until it
//! is explained here.

use crate::diagnostic::Code;

/// The explanation of `code`: what the rule is, why, a program that breaks
/// it and the same program fixed.
pub fn explain(code: Code) -> &'static str {
    match code {
        Code::SyntaxError => SYNTAX_ERROR,
        Code::InputTooLarge => INPUT_TOO_LARGE,
        Code::NotUtf8 => NOT_UTF8,
        Code::UnknownStage => UNKNOWN_STAGE,
        Code::UnknownArtifact => UNKNOWN_ARTIFACT,
        Code::UnknownImage => UNKNOWN_IMAGE,
        Code::UnknownVariable => UNKNOWN_VARIABLE,
        Code::DuplicateName => DUPLICATE_NAME,
        Code::Cycle => CYCLE,
        Code::NotExecutable => NOT_EXECUTABLE,
        Code::DirOnFile => DIR_ON_FILE,
        Code::PathClash => PATH_CLASH,
        Code::ArtifactInCache => ARTIFACT_IN_CACHE,
        Code::LibcMismatch => LIBC_MISMATCH,
        Code::RunWithoutShell => RUN_WITHOUT_SHELL,
        Code::ShellFormWithoutShell => SHELL_FORM_WITHOUT_SHELL,
        Code::UserNameWithoutPasswd => USER_NAME_WITHOUT_PASSWD,
        Code::NoPackageManager => NO_PACKAGE_MANAGER,
        Code::NoRuntime => NO_RUNTIME,
        Code::DefaultTarget => DEFAULT_TARGET,
        Code::InvalidValue => INVALID_VALUE,
        Code::ParamType => PARAM_TYPE,
        Code::StageNameCase => STAGE_NAME_CASE,
        Code::ReservedStageName => RESERVED_STAGE_NAME,
        Code::DefaultIsBase => DEFAULT_IS_BASE,
        Code::RepeatedInstruction => REPEATED_INSTRUCTION,
        Code::UnusedArtifact => UNUSED_ARTIFACT,
        Code::UnreachableStage => UNREACHABLE_STAGE,
        Code::RootRuntime => ROOT_RUNTIME,
        Code::UnpinnedImage => UNPINNED_IMAGE,
        Code::NoEntrypoint => NO_ENTRYPOINT,
        Code::UnknownCapabilities => UNKNOWN_CAPABILITIES,
        Code::SecretAsValue => SECRET_AS_VALUE,
        Code::UnknownSecret => UNKNOWN_SECRET,
        Code::SecretLikeName => SECRET_LIKE_NAME,
        Code::UnknownToolchain => UNKNOWN_TOOLCHAIN,
        Code::ToolchainOption => TOOLCHAIN_OPTION,
        Code::ToolchainFiles => TOOLCHAIN_FILES,
        Code::ToolchainImage => TOOLCHAIN_IMAGE,
        Code::VenvInterpreter => VENV_INTERPRETER,
        Code::CrossNotBuilder => CROSS_NOT_BUILDER,
        Code::RuntimeOnBuildPlatform => RUNTIME_ON_BUILD_PLATFORM,
        Code::CrossIgnoresTarget => CROSS_IGNORES_TARGET,
        Code::ImageNotLocked => IMAGE_NOT_LOCKED,
        Code::StaleLock => STALE_LOCK,
        Code::InvalidLock => INVALID_LOCK,
        Code::UnlockableImage => UNLOCKABLE_IMAGE,
        Code::UnpinnedPackage => UNPINNED_PACKAGE,
    }
}

const NO_PACKAGE_MANAGER: &str = r#"E0305: install in a stage with no known package manager

An `install` step becomes the package manager's command for the stage's
image: `apt-get` on Debian and Ubuntu, `apk` on Alpine and Wolfi, `dnf` on
Fedora and RHEL. msbc knows the manager of the images in its built-in table
and of declared images whose capability block says `packages apt` (or
`apk`, `dnf`). Distroless images and `scratch` have none, and msbc does not
guess for an image it does not know: the wrong command would fail the
build. Install the packages in a builder and copy what the runtime needs, or
name the image's package manager.

Erroneous example:

    image tools = "registry.example.com/tools:2.1" {
      libc glibc
      shell yes
      passwd yes
      user 0
    }

    runtime app from tools {
      install "curl=7.88.1-10+deb12u8"
      cmd ["curl", "--version"]
    }

Fixed:

    image tools = "registry.example.com/tools:2.1" {
      libc glibc
      shell yes
      passwd yes
      user 0
      packages apt
    }

    runtime app from tools {
      install "curl=7.88.1-10+deb12u8"
      cmd ["curl", "--version"]
    }
"#;

const UNPINNED_PACKAGE: &str = r#"W0008: package version not pinned

A package named without a version installs whatever the archive holds on
the day of the build, so two builds of the same commit can get different
files (hadolint reports this as DL3008, DL3018 and DL3041). Write
`"name=version"`; msbc passes the version to the package manager, spelt the
way it wants (`name-version` for dnf). Pins can stop working when an archive
drops an old version, which is why some projects prefer to follow the
archive: to silence the warning for a project, set `W0008 = "allow"` in the
`[lints]` table of msbc.toml (levels: allow, warn, deny).

Erroneous example:

    runtime app from "debian:bookworm-slim" {
      install "curl"
      cmd ["curl", "--version"]
    }

Fixed:

    runtime app from "debian:bookworm-slim" {
      install "curl=7.88.1-10+deb12u8"
      cmd ["curl", "--version"]
    }
"#;

const CROSS_NOT_BUILDER: &str = r#"E0408: `cross` on a stage that is not a builder

`cross builder NAME from IMAGE` runs the builder on the platform of the
machine doing the build (`FROM --platform=$BUILDPLATFORM`) and leaves it to
the builder's commands to compile for the target platform, which they read
from `${TARGETOS}`, `${TARGETARCH}` and the other platform params. Only a
builder can do that: a base or a runtime is part of an image that ships, so
it must be built for the target platform itself.

Erroneous example:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    cross builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 GOOS=${TARGETOS} GOARCH=${TARGETARCH} go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    cross runtime app from static {
      copy build.server to /app/server
      entrypoint server
    }

Fixed:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    cross builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 GOOS=${TARGETOS} GOARCH=${TARGETARCH} go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from static {
      copy build.server to /app/server
      entrypoint server
    }
"#;

const RUNTIME_ON_BUILD_PLATFORM: &str = r#"E0409: runtime built on a cross builder

A stage built `from` another stage inherits its platform. A runtime built
from a cross builder (directly, or through a base that is) would be an
image for the build machine's platform: built on an amd64 laptop for arm64,
it would hold amd64 binaries and fail to start on the target. Build the
runtime from an image, and copy the cross builder's artifacts into it.

Erroneous example:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    cross builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 GOOS=${TARGETOS} GOARCH=${TARGETARCH} go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from build {
      entrypoint server
    }

Fixed:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    cross builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 GOOS=${TARGETOS} GOARCH=${TARGETARCH} go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from static {
      copy build.server to /app/server
      entrypoint server
    }
"#;

const CROSS_IGNORES_TARGET: &str = r#"W0009: cross builder never reads the target platform

A cross builder runs on the build machine's platform. Unless its commands
pass the target platform to the compiler, what it builds is for the build
machine: on an amd64 host building for arm64, a Go binary built without
`GOARCH=${TARGETARCH}` is amd64 and fails on the target with "exec format
error". msbc warns when no step of a cross builder reads `${TARGETOS}`,
`${TARGETARCH}`, `${TARGETVARIANT}` or `${TARGETPLATFORM}` (written as msb
interpolations, so that the generator declares their ARGs in the stage).
Where the builder's output is platform-independent (a JavaScript bundle,
documentation), remove `cross` or set `W0009 = "allow"` in the `[lints]`
table of msbc.toml.

Erroneous example:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    cross builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from static {
      copy build.server to /app/server
      entrypoint server
    }

Fixed:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    cross builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 GOOS=${TARGETOS} GOARCH=${TARGETARCH} go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from static {
      copy build.server to /app/server
      entrypoint server
    }
"#;

const IMAGE_NOT_LOCKED: &str = r#"E0601: base image missing from the lock

With `msbc compile --locked`, every FROM is pinned to the digest msbc.lock
records for its image, so that a build next month starts from the very
bytes this one did, whatever the tag has moved to since. An image with no
entry in the lock has no digest to pin, and compiling stops rather than
emit an unpinned FROM. The usual cause is an edit of the program since
the lock was written: a new image, or a new tag for an old one (then the
old entry is shown too). Run `msbc lock` again and commit msbc.lock.
References already pinned in the program (`name:tag@sha256:...`) and
`scratch` need no entry.

Erroneous example:

    image go     = "golang:1.23-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from static {
      copy build.server to /app/server
      entrypoint server
    }

Erroneous lock:

    version = 1

    [images."gcr.io/distroless/static-debian12:nonroot"]
    digest = "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"

    [images."golang:1.22-bookworm"]
    digest = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

Fixed:

    image go     = "golang:1.23-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from static {
      copy build.server to /app/server
      entrypoint server
    }

Fixed lock:

    version = 1

    [images."gcr.io/distroless/static-debian12:nonroot"]
    digest = "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"

    [images."golang:1.23-bookworm"]
    digest = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
"#;

const STALE_LOCK: &str = r#"E0602: lock entry the program no longer names

Under `--locked` the lock must describe the program exactly, as
`cargo --locked` demands of Cargo.lock: an entry for an image the program no
longer names means the lock was written for another version of the
program, and what it pins cannot be trusted to be what was reviewed. Run
`msbc lock` again, which writes only the program's images, and commit the
result.

Erroneous example:

    image go     = "golang:1.23-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from static {
      copy build.server to /app/server
      entrypoint server
    }

Erroneous lock:

    version = 1

    [images."gcr.io/distroless/static-debian12:nonroot"]
    digest = "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"

    [images."golang:1.23-bookworm"]
    digest = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

    [images."alpine:3.20"]
    digest = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

Fixed:

    image go     = "golang:1.23-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from static {
      copy build.server to /app/server
      entrypoint server
    }

Fixed lock:

    version = 1

    [images."gcr.io/distroless/static-debian12:nonroot"]
    digest = "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"

    [images."golang:1.23-bookworm"]
    digest = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
"#;

const INVALID_LOCK: &str = r#"E0603: lock file cannot be read

msbc.lock is TOML that `msbc lock` writes: `version = 1`, then one
`[images."reference"]` table per base image with its `digest`. A lock that
is not valid TOML, has another format version, an unknown key, or a digest
that is not `sha256:` followed by 64 lowercase hex digits is refused: a
digest goes into a FROM line, and nothing but a digest may. Write the lock
anew with `msbc lock` rather than by hand.

Erroneous example:

    image go     = "golang:1.23-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from static {
      copy build.server to /app/server
      entrypoint server
    }

Erroneous lock:

    version = 1

    [images."gcr.io/distroless/static-debian12:nonroot"]
    digest = "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"

    [images."golang:1.23-bookworm"]
    digest = "sha256:latest"

Fixed:

    image go     = "golang:1.23-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from static {
      copy build.server to /app/server
      entrypoint server
    }

Fixed lock:

    version = 1

    [images."gcr.io/distroless/static-debian12:nonroot"]
    digest = "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"

    [images."golang:1.23-bookworm"]
    digest = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
"#;

const UNLOCKABLE_IMAGE: &str = r#"E0604: parameterised image reference under --locked

A reference that reads a param, such as `"golang:${GO_VERSION}"`, names a
different image for each value of the build argument, so no single digest
can pin it, and `msbc lock` and `msbc compile --locked` refuse it. Write
the version in the reference (and let the lock pin it), or pin the digest
in the reference yourself.

Erroneous example:

    param GO_VERSION: string = "1.23"

    image go     = "golang:${GO_VERSION}-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from static {
      copy build.server to /app/server
      entrypoint server
    }

Erroneous lock:

    version = 1

    [images."gcr.io/distroless/static-debian12:nonroot"]
    digest = "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"

    [images."golang:1.23-bookworm"]
    digest = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

Fixed:

    image go     = "golang:1.23-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from static {
      copy build.server to /app/server
      entrypoint server
    }

Fixed lock:

    version = 1

    [images."gcr.io/distroless/static-debian12:nonroot"]
    digest = "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"

    [images."golang:1.23-bookworm"]
    digest = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
"#;

const UNKNOWN_TOOLCHAIN: &str = r#"E0701: unknown toolchain

A `toolchain` step names a preset msbc does not have. The presets are `go`,
`rust`, `node`, `python`, `java` and `c` (C and C++); each expands into the
steps a careful hand-written Dockerfile holds for that tool. For any other
toolchain, write the steps yourself: `copy`, `run` with `cache` mounts and
`produce` say everything a preset says.

Erroneous example:

    image go     = "golang:1.24-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      toolchain golang
    }

    runtime app from static {
      copy build.binary to /app/server
      entrypoint ["/app/server"]
    }

Fixed:

    image go     = "golang:1.24-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      toolchain go
    }

    runtime app from static {
      copy build.binary to /app/server
      entrypoint ["/app/server"]
    }
"#;

const TOOLCHAIN_OPTION: &str = r#"E0702: toolchain option unknown, missing or invalid

A toolchain block holds `name value` lines, and each preset knows its own
options: `go` has `main`, `name`, `workdir`, `deps` and `build`; `rust` has
`bin` (required), `target` (`glibc` or `musl`), `workdir`, `deps` and
`build`; `node` has `tool`, `workdir` and `deps`; `python` has `tool`,
`venv`, `workdir`, `install` and `deps`; `java` has `tool`, `workdir`, `deps`
and `build`; `c` has `bin` (required), `tool`, `packages`, `workdir`, `deps`
and `build`. This error names an option the preset does not have, an option
given twice, a value outside its choices, or a required option left out.
msbc reads these values when it compiles, so only the `deps`, `build` and
`install` commands may hold `${...}`.

Erroneous example:

    image rust = "rust:1.85-trixie"
    image cc   = "gcr.io/distroless/cc-debian13:nonroot"

    builder build from rust {
      toolchain rust {
        target glibc
      }
    }

    runtime app from cc {
      copy build.binary to /app/server
      entrypoint ["/app/server"]
    }

Fixed:

    image rust = "rust:1.85-trixie"
    image cc   = "gcr.io/distroless/cc-debian13:nonroot"

    builder build from rust {
      toolchain rust {
        bin server
        target glibc
      }
    }

    runtime app from cc {
      copy build.binary to /app/server
      entrypoint ["/app/server"]
    }
"#;

const TOOLCHAIN_FILES: &str = r#"E0703: toolchain files missing from the build context

A preset copies the project's manifest and lockfile before its sources
(go.mod, Cargo.toml and Cargo.lock, package.json and its lockfile,
requirements.txt or pyproject.toml with uv.lock or poetry.lock, pom.xml or
the Gradle scripts). When msbc compiles a file, it looks at the files next
to it, the build context: a file the preset copies must be there, or the
build would fail at that `COPY`. Node, Python, Java and C presets also pick
their tool from what they find: `pnpm-lock.yaml` means pnpm, `uv.lock`
means uv, `CMakeLists.txt` means cmake. When none is there, when two would
fit, or when the program comes from standard input and msbc cannot look,
name the tool with `tool`.

Erroneous example:

    image node = "node:20-trixie-slim"

    builder deps from node {
      toolchain node
    }

    runtime app from node {
      workdir /app
      copy deps.modules to /app/node_modules
      copy server.js ./
      cmd ["node", "server.js"]
    }

Fixed:

    image node = "node:20-trixie-slim"

    builder deps from node {
      toolchain node {
        tool npm
      }
    }

    runtime app from node {
      workdir /app
      copy deps.modules to /app/node_modules
      copy server.js ./
      cmd ["node", "server.js"]
    }
"#;

const TOOLCHAIN_IMAGE: &str = r#"E0704: toolchain tool missing from the image

The stage's image is one msbc knows, and it lacks the tool the preset runs:
a Go preset on a Node image, Maven on a plain JDK image, cmake on the gcc
image. The build would stop with `command not found`. Build the stage from
an image that has the tool, or for C and C++ name the missing package in
`packages`, which the preset installs with apt before anything else.

Erroneous example:

    image gcc = "gcc:14-bookworm"
    image cc  = "gcr.io/distroless/cc-debian12:nonroot"

    builder build from gcc {
      toolchain c {
        tool cmake
        bin server
      }
    }

    runtime app from cc {
      copy build.binary to /app/server
      entrypoint ["/app/server"]
    }

Fixed:

    image gcc = "gcc:14-bookworm"
    image cc  = "gcr.io/distroless/cc-debian12:nonroot"

    builder build from gcc {
      toolchain c {
        tool cmake
        bin server
        packages cmake
      }
    }

    runtime app from cc {
      copy build.binary to /app/server
      entrypoint ["/app/server"]
    }
"#;

const VENV_INTERPRETER: &str = r#"E0705: venv copied onto an image with another Python

A virtual environment is not self-contained: its `bin/python3` is a link to
the interpreter of the image that made it, and its packages sit under
`lib/pythonX.Y` for that interpreter's version. Copied onto an image whose
Python lies elsewhere, or is another version, the venv's `python3` fails
with "no such file or directory", or starts without the packages. The
official `python` images build their own Python into /usr/local/bin;
Debian's python3 and gcr.io/distroless/python3-debian12 (Debian 12's
Python 3.11) have it in /usr/bin. msbc raises this when a `toolchain python`
stage's venv is copied into a stage whose image it knows, and the two do not
match: a venv built on `python:3.11-slim-bookworm` is no use on distroless.

Erroneous example:

    image python     = "python:3.11-slim-bookworm"
    image distroless = "gcr.io/distroless/python3-debian12:nonroot"

    builder venv from python {
      toolchain python {
        tool pip
      }
    }

    runtime app from distroless {
      copy venv.venv to /opt/venv
      workdir /app
      copy app.py ./
      entrypoint ["/opt/venv/bin/python3", "app.py"]
    }

Fixed:

    image debian     = "debian:12-slim"
    image distroless = "gcr.io/distroless/python3-debian12:nonroot"

    builder venv from debian {
      install "python3-venv=3.11.2-1+b1" "python3-pip=23.0.1+dfsg-1"
      toolchain python {
        tool pip
      }
    }

    runtime app from distroless {
      copy venv.venv to /opt/venv
      workdir /app
      copy app.py ./
      entrypoint ["/opt/venv/bin/python3", "app.py"]
    }
"#;

const SYNTAX_ERROR: &str = r#"E0001: syntax error

The file does not follow the grammar of msb, so msbc cannot read it and
checks nothing else until it is fixed. The message says what msbc expected
and what it found, and the help names the usual slips: a string left open
(a `"..."` string ends on its own line; use a `"""` block for text of
several lines), a Dockerfile flag such as `--from`, a keyword in capitals,
a `;` at the end of a statement. Every broken top-level declaration is
reported, not only the first.

Erroneous example:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server .
      produce server: exe(static) = /out/server
    }

    runtime app from static {
      copy build.server to /app/server
      entrypoint server
    }

Fixed:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from static {
      copy build.server to /app/server
      entrypoint server
    }
"#;

const INPUT_TOO_LARGE: &str = r#"E0002: input too large or too deeply nested

msbc refuses a file larger than 64 MiB, and gives up parsing a file that
would make the parser work past a fixed budget. The limits keep msbc fast
and its memory bounded on any input, such as a generator stuck in a loop or
a file that is not a program at all; a program written by hand never comes
near them. Keep each file to one image family, and let a `base` stage hold
the steps that variants share instead of repeating them.

Erroneous example:

    # app.msb, 70 MB: a generator wrote one builder per service,
    # 400000 times over, each repeating the same steps
    builder svc-000001 from go {
      workdir /src
      copy . .
      run "go build -o /out/svc ./cmd/svc-000001"
      produce svc: exe(static) = /out/svc
    }
    # ... and so on for 70 MB

Fixed:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    param service: string = "api"

    ## The shared steps, written once.
    base deps from go {
      workdir /src
      copy go.mod go.sum ./
      run "go mod download"
    }

    builder build from deps {
      copy . .
      run "CGO_ENABLED=0 go build -o /out/svc ./cmd/${service}"
      produce svc: exe(static) = /out/svc
    }

    runtime app from static {
      copy build.svc to /app/svc
      entrypoint svc
    }
"#;

const NOT_UTF8: &str = r#"E0003: file is not UTF-8

msbc reads programs as UTF-8 text. A file saved in another encoding
(Latin-1, Windows-1252, UTF-16) or a binary file given by mistake is
refused, and the first byte that is not UTF-8 is marked. Guessing the
encoding instead would put different bytes into the Dockerfile than the
author saw. Convert the file, for example with
`iconv -f latin1 -t utf-8 app.msb > app.utf8.msb`, or set the editor to save
UTF-8.

Erroneous example:

    # Saved as Latin-1, so each e-acute below is the single byte 0xE9.
    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from static {
      label org.opencontainers.image.authors = "José Pérez"
      copy build.server to /app/server
      entrypoint server
    }

Fixed:

    # Saved as UTF-8, so each e-acute below is the two bytes 0xC3 0xA9.
    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from static {
      label org.opencontainers.image.authors = "José Pérez"
      copy build.server to /app/server
      entrypoint server
    }
"#;

const UNKNOWN_STAGE: &str = r#"E0101: unknown stage

A copy between stages is written `stage.artifact`, and the part before the
dot must name a stage of the program. Usually it is a typo or a stage that
was renamed; msbc suggests the closest name. In a Dockerfile the same slip,
`COPY --from=bild`, is not caught until the build runs, and then Docker
tries to pull an image called `bild` from a registry. To copy a file from
the build context instead, leave out `to`: `copy config.yaml ./`.

Erroneous example:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from static {
      copy bild.server to /app/server
      entrypoint ["/app/server"]
    }

Fixed:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from static {
      copy build.server to /app/server
      entrypoint ["/app/server"]
    }
"#;

const UNKNOWN_ARTIFACT: &str = r#"E0102: unknown artifact

A stage's files are private to it: another stage can copy only what it
declares with `produce NAME: KIND = PATH`, and an entrypoint, cmd or
healthcheck can name only an artifact that lies in its own stage. This is
what lets msbc know each file's kind and path, and prove that the file the
runtime starts really exists instead of failing at `docker run` with
"no such file or directory". The same code is raised for a copy that leaves
out the stage (`copy server to ...` instead of `copy build.server to ...`)
and for a bare name that two copied artifacts share.

Erroneous example:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
    }

    runtime app from static {
      copy build.server to /app/server
      entrypoint server
    }

Fixed:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from static {
      copy build.server to /app/server
      entrypoint server
    }
"#;

const UNKNOWN_IMAGE: &str = r#"E0103: unknown image

A stage starts `from` an image declared with `image NAME = "reference"`,
from another stage, or from a reference written in place in quotes, such as
`from "alpine:3.20"`. A bare name that is none of these is an error: in a
Dockerfile, `FROM statc` would make Docker try to pull an image called
`statc` from Docker Hub. msbc suggests the closest declared name.

Erroneous example:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from statc {
      copy build.server to /app/server
      entrypoint server
    }

Fixed:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from static {
      copy build.server to /app/server
      entrypoint server
    }
"#;

const UNKNOWN_VARIABLE: &str = r#"E0104: unknown param or variable

`${name}` in a string must name something that exists where the string is
used: a `param`, a variable set earlier in the stage with `env`, or a
platform arg such as `${TARGETARCH}`. An image reference may use params
only; in a `run` command unknown names are left to the shell. A Dockerfile
expands an undeclared `${name}` to nothing without a word, so a typo turns
`golang:${go_version}-bookworm` into `golang:-bookworm` and the build fails
far from the cause. A shell-form entrypoint, cmd or healthcheck runs when the
container starts, where params no longer exist: copy the value with
`env NAME = "${param}"` first. Write `\$` for a literal dollar sign.

Erroneous example:

    image go     = "golang:${go_version}-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from static {
      copy build.server to /app/server
      entrypoint server
    }

Fixed:

    param go_version: string = "1.22"

    image go     = "golang:${go_version}-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from static {
      copy build.server to /app/server
      entrypoint server
    }
"#;

const DUPLICATE_NAME: &str = r#"E0105: duplicate name

Images, params and stages share one namespace, so each top-level name may be
declared once: `from app` or `copy app.server` must mean one thing. The same
code is raised when a stage produces two artifacts with one name and when an
`enum(...)` lists a choice twice. The usual cause is a stage copied to make
a variant and not renamed; the second declaration is ignored.

Erroneous example:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"
    image debug  = "gcr.io/distroless/static-debian12:debug-nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from static {
      copy build.server to /app/server
      entrypoint server
    }

    ## The same, with a busybox shell for debugging.
    runtime app from debug {
      copy build.server to /app/server
      entrypoint server
    }

Fixed:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"
    image debug  = "gcr.io/distroless/static-debian12:debug-nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    default runtime app from static {
      copy build.server to /app/server
      entrypoint server
    }

    ## The same, with a busybox shell for debugging.
    runtime app-debug from debug {
      copy build.server to /app/server
      entrypoint server
    }
"#;

const CYCLE: &str = r#"E0106: stages depend on each other in a cycle

A stage needs another when it is built `from` it or copies one of its
artifacts, and the stage it needs must be built first. When stages need
each other in a ring, no order works: a Dockerfile cannot even write it,
since `COPY --from` may only name a stage declared above. The message lists
the ring. Move the steps both need into a `base` stage that both build from,
or copy the file from the build context instead.

Erroneous example:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    base tools from go {
      run "go install golang.org/x/tools/cmd/stringer@v0.20.0"
      copy build.server to /usr/local/bin/server
    }

    builder build from tools {
      workdir /src
      copy . .
      run "go generate ./... && CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from static {
      copy build.server to /app/server
      entrypoint server
    }

Fixed:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    base tools from go {
      run "go install golang.org/x/tools/cmd/stringer@v0.20.0"
    }

    builder build from tools {
      workdir /src
      copy . .
      run "go generate ./... && CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from static {
      copy build.server to /app/server
      entrypoint server
    }
"#;

const NOT_EXECUTABLE: &str = r#"E0201: command needs an exe artifact

An entrypoint, cmd or healthcheck that names an artifact runs it, so the
artifact must be declared `exe(static)`, `exe(glibc)` or `exe(musl)`. The
kind is what lets msbc check that the runtime image can load the program
(see E0301); a `file` or `dir` started as a program fails at `docker run`
with "permission denied" or "exec format error". A script is run through its
interpreter with its path as a string: `entrypoint ["python3", "/app/main.py"]`.

Erroneous example:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: file = /out/server
    }

    runtime app from static {
      copy build.server to /app/server
      entrypoint server
    }

Fixed:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from static {
      copy build.server to /app/server
      entrypoint server
    }
"#;

const DIR_ON_FILE: &str = r#"E0202: a dir cannot land on a file

msbc tracks where each artifact lies in a stage. A dir artifact copied onto
a file, or below one, cannot work: a file cannot hold other files, and the
build stops with "not a directory" (or one silently replaces the other).
A frequent cause is `copy build.server to /app`, which puts the binary at
the path `/app` itself, not into a folder `/app`. Copy into a folder with a
trailing slash (`to /app/`) or give the full path.

Erroneous example:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server . && cp -r static /out/static"
      produce server: exe(static) = /out/server
      produce assets: dir = /out/static
    }

    runtime app from static {
      copy build.server to /app
      copy build.assets to /app/static
      entrypoint server
    }

Fixed:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server . && cp -r static /out/static"
      produce server: exe(static) = /out/server
      produce assets: dir = /out/static
    }

    runtime app from static {
      copy build.server to /app/server
      copy build.assets to /app/static
      entrypoint server
    }
"#;

const PATH_CLASH: &str = r#"E0203: two artifacts on one path

Two artifacts copied or produced to the same path in one stage: the second
overwrites the first, so the image silently lacks a file the program was
written to ship, and an entrypoint naming the first would start the second.
msbc reports the clash instead of letting the later step win. Give each
artifact its own path, or copy both into a folder with a trailing slash
(`to /app/`), which keeps each file's name.

Erroneous example:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/ ./cmd/server ./cmd/migrate"
      produce server: exe(static) = /out/server
      produce migrate: exe(static) = /out/migrate
    }

    runtime app from static {
      copy build.server to /app/bin
      copy build.migrate to /app/bin
      entrypoint server
    }

Fixed:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/ ./cmd/server ./cmd/migrate"
      produce server: exe(static) = /out/server
      produce migrate: exe(static) = /out/migrate
    }

    runtime app from static {
      copy build.server to /app/
      copy build.migrate to /app/
      entrypoint server
    }
"#;

const ARTIFACT_IN_CACHE: &str = r#"E0204: artifact inside a cache mount

A `cache` mount on a `run` step (`--mount=type=cache` in the Dockerfile)
lends the step a folder that lives outside the image and is kept between
builds. What the step writes there is not in the stage afterwards, so
producing an artifact from inside the mount fails when a later stage copies
it: "/src/target/release/server: not found". This is the classic trap of
caching Rust's `target` folder. Copy the output out of the mount within the
same `run` step, and produce it from there.

Erroneous example:

    image rust = "rust:1.79-bookworm"
    image cc   = "gcr.io/distroless/cc-debian12:nonroot"

    builder build from rust {
      workdir /src
      copy . .
      run "cargo build --release" cache /usr/local/cargo/registry cache target
      produce server: exe(glibc) = target/release/server
    }

    runtime app from cc {
      copy build.server to /app/server
      entrypoint server
    }

Fixed:

    image rust = "rust:1.79-bookworm"
    image cc   = "gcr.io/distroless/cc-debian12:nonroot"

    builder build from rust {
      workdir /src
      copy . .
      run "cargo build --release && mkdir -p /out && cp target/release/server /out/server" cache /usr/local/cargo/registry cache target
      produce server: exe(glibc) = /out/server
    }

    runtime app from cc {
      copy build.server to /app/server
      entrypoint server
    }
"#;

const LIBC_MISMATCH: &str = r#"E0301: exe linked against a libc the stage lacks

An exe declared `exe(glibc)` or `exe(musl)` needs that C library at run
time, and msbc knows which libc the common runtime images have: none for
`scratch` and distroless `static`, musl for Alpine, glibc for Debian and
distroless `base` and `cc`. Copying the exe into a runtime without its libc
builds fine and then fails at start with the misleading
"exec /app/server: no such file or directory" (the missing file is the
dynamic loader). Link statically (Go: `CGO_ENABLED=0`; Rust: a musl target)
and declare `exe(static)`, or ship on an image with that libc, such as
gcr.io/distroless/base-debian12.

Erroneous example:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "go build -o /out/server ."
      produce server: exe(glibc) = /out/server
    }

    runtime app from static {
      copy build.server to /app/server
      entrypoint server
    }

Fixed:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from static {
      copy build.server to /app/server
      entrypoint server
    }
"#;

const RUN_WITHOUT_SHELL: &str = r#"E0302: run step in a stage with no shell

A `run` step executes its command with `/bin/sh -c`, so it needs an image
with a shell. `scratch` and the distroless images have none, and the build
would stop with `/bin/sh: no such file or directory`. Do the work in a
builder, where the tools are, and copy the result into the runtime; a
folder the program writes to can be produced as a `dir` artifact.

Erroneous example:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from static {
      copy build.server to /app/server
      run "mkdir -p /data"
      entrypoint server
    }

Fixed:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server . && mkdir -p /out/data"
      produce server: exe(static) = /out/server
      produce data: dir = /out/data
    }

    runtime app from static {
      copy build.server to /app/server
      copy build.data to /data chown 65532:65532
      entrypoint server
    }
"#;

const SHELL_FORM_WITHOUT_SHELL: &str = r#"E0303: shell-form command in a stage with no shell

An entrypoint, cmd or healthcheck written as one string is run through
`/bin/sh -c` when the container starts. On an image without a shell, such
as `scratch` or distroless, the image builds and then fails at
`docker run` with `exec: "/bin/sh": stat /bin/sh: no such file or
directory`. Write the command in exec form, a list of arguments that runs
the program directly; the program itself may be named by its artifact.

Erroneous example:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from static {
      copy build.server to /app/server
      entrypoint "/app/server --port 9000"
    }

Fixed:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from static {
      copy build.server to /app/server
      entrypoint [server, "--port", "9000"]
    }
"#;

const USER_NAME_WITHOUT_PASSWD: &str = r#"E0304: user given by name in a stage with no user database

A user or group given by name in `user` or `chown` is looked up in the
image's /etc/passwd and /etc/group. `scratch` has no such files, so the
name cannot resolve: `user app` makes the container fail to start with
"unable to find user app: no matching entries in passwd file", and
`chown app` fails the build. Give the user as numbers, `uid` or `uid:gid`,
which need no lookup.

Erroneous example:

    image go = "golang:1.22-bookworm"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from "scratch" {
      copy build.server to /app/server
      user app
      entrypoint server
    }

Fixed:

    image go = "golang:1.22-bookworm"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from "scratch" {
      copy build.server to /app/server
      user 65532:65532
      entrypoint server
    }
"#;

const NO_RUNTIME: &str = r#"E0401: no runtime stage

A program describes at least one image to ship, a `runtime` stage. msbc
writes only the stages a runtime needs into the Dockerfile, and the default
runtime becomes its last stage, which `docker build` makes when given no
`--target`. A program of builders alone has nothing to build. Declare the
image you ship with the role `runtime`. (Its stages are also reported as
unreachable, W0002, since no runtime needs them.)

Erroneous example:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    builder app from static {
      copy build.server to /app/server
      entrypoint server
    }

Fixed:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from static {
      copy build.server to /app/server
      entrypoint server
    }
"#;

const DEFAULT_TARGET: &str = r#"E0402: no single default runtime

The default runtime is the image `docker build` makes when given no
`--target`: msbc puts it last in the Dockerfile. With one runtime it is the
default; with several, exactly one must be marked `default runtime`, or the
image a plain `docker build` ships would depend on the order of the file.
The same code is raised when two runtimes are marked `default`, and when
`default` marks a builder or base, which is never shipped.

Erroneous example:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"
    image debug  = "gcr.io/distroless/static-debian12:debug-nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from static {
      copy build.server to /app/server
      entrypoint server
    }

    runtime app-debug from debug {
      copy build.server to /app/server
      entrypoint server
    }

Fixed:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"
    image debug  = "gcr.io/distroless/static-debian12:debug-nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    default runtime app from static {
      copy build.server to /app/server
      entrypoint server
    }

    runtime app-debug from debug {
      copy build.server to /app/server
      entrypoint server
    }
"#;

const INVALID_VALUE: &str = r#"E0403: invalid value

A value has the right syntax but cannot mean anything in a Dockerfile, and
would fail the build or, worse, be read as something else. msbc checks:
ports (1 to 65535), file modes (three or four octal digits), users
(`uid`, `uid:gid` or a name), label keys, healthcheck durations and
retries, cache mount paths (no commas, quotes, `=` or spaces), image
references (no spaces), context paths (relative, inside the build context),
and control characters or line breaks outside a `run` command. Param
defaults are plain text, without `${...}`.

Erroneous example:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from static {
      copy build.server to /app/server chmod 0855
      expose 80800
      entrypoint server
    }

Fixed:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from static {
      copy build.server to /app/server chmod 0555
      expose 8080
      entrypoint server
    }
"#;

const PARAM_TYPE: &str = r#"E0404: param value does not fit its type

A param is typed: `string`, `bool`, `int` or `enum("a", "b", ...)`, and its
default must fit the type (an enum's default must be one of its choices).
The type documents the param and lets msbc refuse a bad value before a
build, instead of a tool deep inside a `run` step rejecting it. A param
marked `required` must be given at build time, so it may not have a default
as well.

Erroneous example:

    param port: int = "8080"

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from static {
      copy build.server to /app/server
      env PORT = "${port}"
      entrypoint server
    }

Fixed:

    param port: int = 8080

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from static {
      copy build.server to /app/server
      env PORT = "${port}"
      entrypoint server
    }
"#;

const STAGE_NAME_CASE: &str = r#"E0405: stage name not lowercase

A stage's name becomes its Dockerfile stage name (`FROM ... AS build`) and
the value of `docker build --target`. Docker compares stage names without
regard to case, and its build checks flag mixed case (StageNameCasing): two
stages msbc would tell apart, `Build` and `build`, would be one name in the
Dockerfile. Name stages in lowercase letters, digits, `-` and `_`.

Erroneous example:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder Build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from static {
      copy Build.server to /app/server
      entrypoint server
    }

Fixed:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from static {
      copy build.server to /app/server
      entrypoint server
    }
"#;

const RESERVED_STAGE_NAME: &str = r#"E0410: stage name Docker would read as an image

A stage's name becomes its Dockerfile stage name, and BuildKit reads
`FROM name` as the stage of that name (in any case) when there is one, and
as an image only otherwise. So a stage named `scratch` would become the
base of every stage built `from "scratch"`, in place of the empty image,
and a stage named `alpine` the base of every stage built `from "alpine"`.
BuildKit's build checks flag `scratch` and `context` (which it reserves for
the build context) as stage names (ReservedStageName); msbc refuses those
two, and any stage named like an untagged image the program builds on.
Rename the stage, or give the image its tag, which no stage name can hold.

Erroneous example:

    image debian = "debian:bookworm-slim"

    builder scratch from debian {
      run "mkdir -p /out && echo ok > /out/status"
      produce status: file = /out/status
    }

    runtime app from debian {
      copy scratch.status to /app/status
      cmd ["cat", "/app/status"]
    }

Fixed:

    image debian = "debian:bookworm-slim"

    builder notes from debian {
      run "mkdir -p /out && echo ok > /out/status"
      produce status: file = /out/status
    }

    runtime app from debian {
      copy notes.status to /app/status
      cmd ["cat", "/app/status"]
    }
"#;

const DEFAULT_IS_BASE: &str = r#"E0406: default runtime used as a base

The default runtime must be the last stage of the Dockerfile, since that is
the image `docker build` makes without `--target`, and a stage can only
build from or copy out of a stage above it. So no other stage may build
from the default runtime or copy its artifacts. Move what both share into a
`base` stage that both build from, or make the other runtime the default.

Erroneous example:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    default runtime app from static {
      copy build.server to /app/server
      entrypoint server
    }

    runtime app-verbose from app {
      env LOG_LEVEL = "debug"
    }

Fixed:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    base common from static {
      copy build.server to /app/server
      entrypoint server
    }

    default runtime app from common {
    }

    runtime app-verbose from common {
      env LOG_LEVEL = "debug"
    }
"#;

const REPEATED_INSTRUCTION: &str = r#"E0407: instruction given twice in one stage

A stage has one entrypoint, one cmd and one healthcheck: when a Dockerfile
gives one twice, the last silently wins and the first is dead text that
misleads the reader. Keep one. To pass default arguments to the program,
give them with `cmd` next to the `entrypoint`; a stage built from another
may replace what it inherits.

Erroneous example:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from static {
      copy build.server to /app/server
      entrypoint server
      entrypoint [server, "--port", "9000"]
    }

Fixed:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from static {
      copy build.server to /app/server
      entrypoint server
      cmd ["--port", "9000"]
    }
"#;

const UNUSED_ARTIFACT: &str = r#"W0001: unused artifact

A stage produces an artifact that no other stage copies. Either a `copy` is
missing, and the image lacks a file it was meant to ship, or the `produce`
line is left over and says something untrue about the build. Copy the
artifact where it is needed, or remove the `produce` line. To silence the
warning for a project, set `W0001 = "allow"` in the `[lints]` table of
msbc.toml (levels: allow, warn, deny).

Erroneous example:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/ ./cmd/server ./cmd/migrate"
      produce server: exe(static) = /out/server
      produce migrate: exe(static) = /out/migrate
    }

    runtime app from static {
      copy build.server to /app/server
      entrypoint server
    }

Fixed:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/ ./cmd/server ./cmd/migrate"
      produce server: exe(static) = /out/server
      produce migrate: exe(static) = /out/migrate
    }

    runtime app from static {
      copy build.server to /app/server
      copy build.migrate to /app/migrate
      entrypoint server
    }
"#;

const UNREACHABLE_STAGE: &str = r#"W0002: stage no target reaches

A stage that no runtime needs, directly or through other stages, is left
out of the Dockerfile, so its steps never run. A `test` stage meant to fail
the build when tests fail is the usual case: with nothing depending on it,
BuildKit skips it and a broken build ships. Copy one of its artifacts into
a runtime, build a stage from it, or delete it. To silence the warning for
a project, set `W0002 = "allow"` in the `[lints]` table of msbc.toml
(levels: allow, warn, deny).

Erroneous example:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    base src from go {
      workdir /src
      copy . .
    }

    builder test from src {
      run "go test ./..."
    }

    builder build from src {
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from static {
      copy build.server to /app/server
      entrypoint server
    }

Fixed:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    base src from go {
      workdir /src
      copy . .
    }

    builder test from src {
      run "go test ./..."
    }

    ## Built from `test`, so the tests pass before the server is built.
    builder build from test {
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from static {
      copy build.server to /app/server
      entrypoint server
    }
"#;

const ROOT_RUNTIME: &str = r#"W0003: runtime runs as root

A runtime stage sets `user 0` or `user root`. A process running as root
inside a container turns any flaw in the program, or in the container
runtime, into root access to everything the container can reach. When a
runtime names no user, msbc runs it as 65532:65532 (the `[runtime] user` of
msbc.toml changes this), so dropping the line is usually the fix; files the
program must write can be given to that user with `chown`. To silence the
warning for a project, set `W0003 = "allow"` in the `[lints]` table of
msbc.toml (levels: allow, warn, deny).

Erroneous example:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from static {
      copy build.server to /app/server
      user root
      entrypoint server
    }

Fixed:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from static {
      copy build.server to /app/server
      user 65532:65532
      entrypoint server
    }
"#;

const UNPINNED_IMAGE: &str = r#"W0004: base image not pinned

An image reference with no tag, or with `latest`, names whatever the
registry holds on the day of the build. Two builds of the same commit can
then get different compilers or libraries, and a new major version can
break the build, or the program, with no change in the repository. Name a
version tag, or pin a digest (`@sha256:...`) for builds that must be
reproducible byte for byte. To silence the warning for a project, set
`W0004 = "allow"` in the `[lints]` table of msbc.toml (levels: allow, warn,
deny).

Erroneous example:

    image go     = "golang"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from static {
      copy build.server to /app/server
      entrypoint server
    }

Fixed:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from static {
      copy build.server to /app/server
      entrypoint server
    }
"#;

const NO_ENTRYPOINT: &str = r#"W0005: runtime without entrypoint or cmd

A runtime with neither `entrypoint` nor `cmd` (of its own or inherited from
a stage it builds from) runs whatever its base image runs. For the minimal
images a runtime is usually built on, that is nothing: `docker run` fails
with "no command specified", or starts a shell instead of the program.
Say what the image runs, usually the exe copied into it. To silence the
warning for a project, set `W0005 = "allow"` in the `[lints]` table of
msbc.toml (levels: allow, warn, deny).

Erroneous example:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from static {
      copy build.server to /app/server
    }

Fixed:

    image go     = "golang:1.22-bookworm"
    image static = "gcr.io/distroless/static-debian12:nonroot"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from static {
      copy build.server to /app/server
      entrypoint server
    }
"#;

const UNKNOWN_CAPABILITIES: &str = r#"W0006: image capabilities unknown

msbc knows the libc, shell, user database and default user of the common
images (scratch, distroless, Chainguard, Alpine, Debian, the language
images), and uses them to prove that a runtime can load its exe (E0301), run
its steps (E0302, E0303) and resolve its users (E0304). For any other image
these checks are skipped. Declare what the image has in a block after its
reference, one capability per line: `libc none|glibc|musl`,
`shell yes|no`, `passwd yes|no`, `user UID`. To silence the warning for a
project, set `W0006 = "allow"` in the `[lints]` table of msbc.toml (levels:
allow, warn, deny).

Erroneous example:

    image go      = "golang:1.22-bookworm"
    image runtime = "registry.example.com/base/static:2024.06"

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from runtime {
      copy build.server to /app/server
      entrypoint server
    }

Fixed:

    image go      = "golang:1.22-bookworm"
    image runtime = "registry.example.com/base/static:2024.06" {
      libc none
      shell no
      passwd yes
      user 65532
    }

    builder build from go {
      workdir /src
      copy . .
      run "CGO_ENABLED=0 go build -o /out/server ."
      produce server: exe(static) = /out/server
    }

    runtime app from runtime {
      copy build.server to /app/server
      entrypoint server
    }
"#;

const SECRET_AS_VALUE: &str = r#"E0501: secret used as a value

A secret is declared with `secret NAME` and reaches the build only through a
mount on a run step: the file /run/secrets/NAME (or a path of your choice),
or a variable exported to that one command. Written as `${NAME}` anywhere
else (an env value, a label, a command, an image reference) its value would
be stored in the image: in a layer, in the image config or in its history,
where anyone who pulls the image can read it. msbc refuses every such use.

Erroneous example:

    secret token

    builder fetch from "debian:bookworm-slim" {
      env TOKEN = "${token}"
      run "mkdir -p /out && echo fetched > /out/data"
      produce data: file = /out/data
    }

    runtime app from "debian:bookworm-slim" {
      copy fetch.data to /app/data
      cmd ["cat", "/app/data"]
    }

Fixed:

    secret token

    builder fetch from "debian:bookworm-slim" {
      run "mkdir -p /out && test -s /run/secrets/token && echo fetched > /out/data" secret token
      produce data: file = /out/data
    }

    runtime app from "debian:bookworm-slim" {
      copy fetch.data to /app/data
      cmd ["cat", "/app/data"]
    }
"#;

const UNKNOWN_SECRET: &str = r#"E0502: unknown secret

A run step mounts a secret that the program does not declare. Secrets are
declared at the top of the file with `secret NAME`, so that every secret the
build needs is listed in one place and `docker build --secret id=NAME,...`
can be checked against it.

Erroneous example:

    builder fetch from "debian:bookworm-slim" {
      run "mkdir -p /out && test -s /run/secrets/token && echo ok > /out/data" secret token
      produce data: file = /out/data
    }

    runtime app from "debian:bookworm-slim" {
      copy fetch.data to /app/data
      cmd ["cat", "/app/data"]
    }

Fixed:

    secret token

    builder fetch from "debian:bookworm-slim" {
      run "mkdir -p /out && test -s /run/secrets/token && echo ok > /out/data" secret token
      produce data: file = /out/data
    }

    runtime app from "debian:bookworm-slim" {
      copy fetch.data to /app/data
      cmd ["cat", "/app/data"]
    }
"#;

const SECRET_LIKE_NAME: &str = r#"W0007: param or env named like a secret

A param becomes a build argument and an env step an ENV instruction; both
keep their values in the image's history (`docker history`), so a password
or token passed that way leaks to everyone who pulls the image. msbc warns
when such a name reads like a credential (a word such as token, password,
secret, key, auth or apikey), as BuildKit's SecretsUsedInArgOrEnv check
does, but before the build. Declare the value as a secret instead. If the
name is no secret, silence the warning with `W0007 = "allow"` in the
`[lints]` table of msbc.toml.

Erroneous example:

    param api_token: string = "dev"

    builder fetch from "debian:bookworm-slim" {
      run "mkdir -p /out && echo ${api_token} | wc -c > /out/data"
      produce data: file = /out/data
    }

    runtime app from "debian:bookworm-slim" {
      copy fetch.data to /app/data
      cmd ["cat", "/app/data"]
    }

Fixed:

    secret api_token

    builder fetch from "debian:bookworm-slim" {
      run "mkdir -p /out && wc -c < /run/secrets/api_token > /out/data" secret api_token
      produce data: file = /out/data
    }

    runtime app from "debian:bookworm-slim" {
      copy fetch.data to /app/data
      cmd ["cat", "/app/data"]
    }
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_explained() {
        for &code in Code::ALL {
            let text = explain(code);
            let first_line = text.lines().next().unwrap_or_default();
            assert_eq!(
                first_line,
                format!("{}: {}", code.as_str(), code.title()),
                "the explanation of {code} must start with its code and title"
            );
            assert!(text.starts_with(code.as_str()), "{code} starts with its code");
            assert!(
                text.contains("Erroneous example"),
                "{code} has an erroneous example"
            );
            assert!(text.contains("Fixed"), "{code} has a fixed example");
        }
    }

    #[test]
    fn warnings_say_how_to_silence_them() {
        for &code in Code::ALL {
            if code.default_severity() == crate::diagnostic::Severity::Warning {
                let text = explain(code);
                assert!(
                    text.contains(&format!("`{} = \"allow\"`", code.as_str())) && text.contains("[lints]"),
                    "{code} says how to allow it in msbc.toml"
                );
            }
        }
    }
}
