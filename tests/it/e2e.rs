//! Real builds: every example compiled, built on a real engine, run, and
//! inspected. Slow, so gated: `MSBC_E2E=1 cargo test --test it e2e` with the
//! engines started by `scripts/engine/start.sh` (`.ci/run` does all of it).
//! Under `MSBC_E2E=1` a missing engine fails the run: it never passes silently.
//! `MSBC_E2E_EXAMPLES=python-app,go-module` limits the tests that go over
//! every example to those (all of them when it is unset).

use crate::cli::text;
use crate::examples::{example_name, example_programs};
use crate::support::root;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// How to run one example's image and what it must print.
struct Expectation {
    example: &'static str,
    /// Arguments after the image name.
    args: &'static [&'static str],
    stdout: &'static str,
    /// Whether the build downloads packages (host network) or needs none.
    network: bool,
    /// The build secret `token` the example's program declares, if any.
    secret: bool,
}

const EXPECTATIONS: &[Expectation] = &[
    Expectation {
        example: "with-secret",
        args: &[],
        stdout: "token received (34 bytes)\n",
        network: false,
        secret: true,
    },
    Expectation {
        example: "seed-go",
        args: &["--version"],
        stdout: "seed-go 1.0.0\n",
        network: false,
        secret: false,
    },
    Expectation {
        example: "multi-platform",
        args: &[],
        stdout: if cfg!(target_arch = "aarch64") {
            "built for linux/arm64\n"
        } else {
            "built for linux/amd64\n"
        },
        network: false,
        secret: false,
    },
    Expectation {
        example: "c-app",
        args: &["--version"],
        stdout: "c-app 1.0.0\n",
        network: false,
        secret: false,
    },
    Expectation {
        example: "go-module",
        args: &["--version"],
        stdout: "go-module 1.0.0\n",
        network: false,
        secret: false,
    },
    Expectation {
        example: "java-app",
        args: &["--version"],
        stdout: "java-app 1.0.0\n",
        network: false,
        secret: false,
    },
    Expectation {
        example: "seed-four-stage",
        args: &[],
        stdout: "hello\nconference\n",
        network: false,
        secret: false,
    },
    Expectation {
        example: "rust-service",
        args: &["--version"],
        stdout: "rust-service 1.0.0\n",
        network: true,
        secret: false,
    },
    Expectation {
        example: "node-app",
        args: &["node", "server.js", "--version"],
        stdout: "node-app 1.0.0\n",
        network: true,
        secret: false,
    },
    Expectation {
        example: "python-app",
        // The image's entrypoint is the venv's python3 with app.py.
        args: &["--version"],
        stdout: "python-app 1.0.0\n",
        network: true,
        secret: false,
    },
];

fn enabled() -> bool {
    std::env::var_os("MSBC_E2E").is_some_and(|v| v == "1")
}

/// Whether `MSBC_E2E_EXAMPLES` (a comma-separated list) selects `example`.
fn selected(example: &str) -> bool {
    std::env::var("MSBC_E2E_EXAMPLES").map_or(true, |list| list.split(',').any(|e| e.trim() == example))
}

/// One build at a time: parallel builds of one example race for BuildKit's
/// cache, and the rebuild test reads what that cache holds.
fn engine_lock() -> std::sync::MutexGuard<'static, ()> {
    static ENGINE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    ENGINE.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The environment of the private modern engine, required under MSBC_E2E=1.
fn docker() -> Command {
    let host = std::env::var("DOCKER_HOST")
        .expect("MSBC_E2E=1 needs DOCKER_HOST: eval \"$(scripts/engine/start.sh docker26)\" first");
    let mut command = Command::new("docker");
    command.env("DOCKER_HOST", host);
    command
}

fn run_ok(command: &mut Command) -> Output {
    let output = command.output().unwrap_or_else(|e| panic!("{command:?}: {e}"));
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}\n{}",
        text(&output.stdout),
        text(&output.stderr)
    );
    output
}

fn msbc_compile(program: &Path, profile: &str) -> PathBuf {
    let dir = tempfile::Builder::new()
        .prefix("msbc-e2e")
        .tempdir()
        .unwrap()
        .keep();
    let dockerfile = dir.join("Dockerfile");
    run_ok(crate::cli::msbc().args([
        "compile",
        "--profile",
        profile,
        program.to_str().unwrap(),
        "-o",
        dockerfile.to_str().unwrap(),
    ]));
    dockerfile
}

fn expectation(example: &str) -> &'static Expectation {
    EXPECTATIONS
        .iter()
        .find(|e| e.example == example)
        .unwrap_or_else(|| panic!("examples/{example} has no entry in EXPECTATIONS in tests/it/e2e.rs"))
}

/// The secret examples are built with: 34 bytes.
const EXAMPLE_SECRET: &str = "an example secret, 34 bytes long!\n";

fn build(example: &str, profile: &str, tag: &str) -> String {
    let context = root().join("examples").join(example);
    let dockerfile = msbc_compile(&context.join("app.msb"), profile);
    let expected = expectation(example);
    let secret = expected.secret.then_some(EXAMPLE_SECRET);
    docker_build(&context, &dockerfile, tag, expected.network, secret)
}

/// `docker build` with plain progress; returns that progress log. A secret
/// is passed as `--secret id=token` from a file outside the context.
fn docker_build(context: &Path, dockerfile: &Path, tag: &str, network: bool, secret: Option<&str>) -> String {
    let network = if network { "host" } else { "none" };
    let secret_file = tempfile::NamedTempFile::new().unwrap();
    let mut command = docker();
    command.args(["build", "--progress=plain", "--network", network]);
    if let Some(value) = secret {
        // BuildKit keys its cache without the secret's value: a cached step
        // would show another build's secret.
        command.arg("--no-cache");
        std::fs::write(secret_file.path(), value).unwrap();
        command
            .arg("--secret")
            .arg(format!("id=token,src={}", secret_file.path().display()));
    }
    command.args([
        "-f",
        dockerfile.to_str().unwrap(),
        "-t",
        tag,
        context.to_str().unwrap(),
    ]);
    text(&run_ok(&mut command).stderr)
}

fn run_image(tag: &str, args: &[&str]) -> String {
    let output = run_ok(docker().args(["run", "--rm", "--network=none", tag]).args(args));
    text(&output.stdout)
}

/// Every file and directory in an image's filesystem.
fn image_files(tag: &str) -> Vec<String> {
    let created = run_ok(docker().args(["create", tag, "/nothing"]));
    let id = text(&created.stdout).trim().to_string();
    let export = docker().args(["export", &id]).output().unwrap();
    run_ok(docker().args(["rm", &id]));
    let mut tar = Command::new("tar")
        .args(["-t"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    let mut stdin = tar.stdin.take().unwrap();
    let bytes = export.stdout;
    let writer = std::thread::spawn(move || stdin.write_all(&bytes));
    let listing = tar.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    let mut files: Vec<String> = text(&listing.stdout)
        .lines()
        .map(|l| l.trim_end_matches('/').to_string())
        .filter(|l| {
            !l.is_empty()
                && !matches!(
                    l.as_str(),
                    ".dockerenv"
                        | "etc/hostname"
                        | "etc/hosts"
                        | "etc/resolv.conf"
                        | "dev"
                        | "proc"
                        | "sys"
                        | "etc"
                        | "dev/console"
                        | "dev/pts"
                        | "dev/shm"
                        | "etc/mtab"
                )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn every_example_builds_and_runs_on_the_modern_engine() {
    if !enabled() {
        eprintln!("skipped: set MSBC_E2E=1 (with a running engine) to build the examples for real");
        return;
    }
    let _engine = engine_lock();
    for program in example_programs() {
        let example = example_name(&program);
        if !selected(&example) {
            continue;
        }
        let expected = expectation(&example);
        let tag = format!("msbc-e2e/{example}:modern");
        build(&example, "modern", &tag);
        let stdout = run_image(&tag, expected.args);
        assert_eq!(stdout, expected.stdout, "{example}");
        let user = text(&run_ok(docker().args(["image", "inspect", "-f", "{{.Config.User}}", &tag])).stdout);
        assert_eq!(
            user.trim(),
            "65532:65532",
            "{example} runs as the numeric non-root user"
        );
    }
}

/// The seed's final image holds the binary and what the runtime base
/// brings, nothing else: no toolchain, no sources.
#[test]
fn seed_go_image_holds_only_the_binary() {
    if !enabled() {
        return;
    }
    let _engine = engine_lock();
    let tag = "msbc-e2e/seed-go:only-binary";
    build("seed-go", "modern", tag);
    let base = image_files("gcr.io/distroless/static-debian12:nonroot");
    let files = image_files(tag);
    let added: Vec<&String> = files.iter().filter(|f| !base.contains(f)).collect();
    assert_eq!(added, ["app", "app/server"], "files beyond the base image");
    assert!(!files
        .iter()
        .any(|f| f.contains("go/bin") || f.ends_with("main.go")));
}

/// After an edit of a source file only, the dependency download comes from
/// the cache, and the compile step and what follows run again.
#[test]
fn seed_go_source_edit_reruns_only_the_compile() {
    if !enabled() {
        return;
    }
    let _engine = engine_lock();
    let work = tempfile::tempdir().unwrap();
    let context = work.path().join("seed-go");
    std::fs::create_dir(&context).unwrap();
    for file in ["app.msb", "go.mod", "main.go"] {
        std::fs::copy(root().join("examples/seed-go").join(file), context.join(file)).unwrap();
    }
    let dockerfile = msbc_compile(&context.join("app.msb"), "modern");
    let build = |tag: &str| docker_build(&context, &dockerfile, tag, false, None);
    build("msbc-e2e/seed-go:rebuild");
    let main = context.join("main.go");
    let source = std::fs::read_to_string(&main).unwrap();
    std::fs::write(
        &main,
        format!("{source}\n// edited at {:?}\n", std::time::SystemTime::now()),
    )
    .unwrap();
    let log = build("msbc-e2e/seed-go:rebuild");
    let steps = plain_progress_steps(&log);
    let step = |needle: &str| {
        steps
            .iter()
            .find(|s| s.name.contains(needle))
            .unwrap_or_else(|| panic!("no step {needle} in:\n{log}"))
    };
    assert!(
        step("go mod download").cached,
        "the dependency step comes from the cache:\n{log}"
    );
    assert!(!step("go build").cached, "the compile step runs again:\n{log}");
    assert!(
        !step("COPY main.go").cached,
        "the sources are copied again:\n{log}"
    );
    let executed: Vec<&str> = steps
        .iter()
        .filter(|s| !s.cached)
        .map(|s| s.name.as_str())
        .collect();
    let cached: Vec<&str> = steps
        .iter()
        .filter(|s| s.cached)
        .map(|s| s.name.as_str())
        .collect();
    eprintln!(
        "rebuild after a source edit: {} steps cached {cached:?}, {} executed {executed:?}",
        cached.len(),
        executed.len()
    );
    // Nothing before the source copy runs again.
    for name in ["WORKDIR /src", "COPY go.mod ./", "go mod download"] {
        assert!(step(name).cached, "{name} runs again:\n{log}");
    }
}

/// Per toolchain preset: the source file a source-only edit touches, the
/// stage the preset is in, and the step that copies the sources into it
/// (none where the sources go straight to the runtime). Every step of that
/// stage before the source copy (the manifests and the dependency step) must
/// come from the cache.
struct Rebuild {
    example: &'static str,
    source: &'static str,
    stage: &'static str,
    source_copy: Option<&'static str>,
}

const REBUILDS: &[Rebuild] = &[
    Rebuild {
        example: "c-app",
        source: "main.c",
        stage: "build",
        source_copy: Some("COPY . ."),
    },
    Rebuild {
        example: "go-module",
        source: "cmd/server/main.go",
        stage: "build",
        source_copy: Some("COPY . ."),
    },
    Rebuild {
        example: "java-app",
        source: "src/main/java/dev/msbc/example/App.java",
        stage: "build",
        source_copy: Some("COPY src ./src"),
    },
    Rebuild {
        example: "rust-service",
        source: "src/main.rs",
        stage: "build",
        source_copy: Some("COPY src ./src"),
    },
    Rebuild {
        example: "node-app",
        source: "server.js",
        stage: "deps",
        source_copy: None,
    },
    Rebuild {
        example: "python-app",
        source: "app.py",
        stage: "venv",
        source_copy: None,
    },
];

/// `("build", 4)` from a progress step at `[build 4/7]`.
fn stage_position(name: &str) -> Option<(&str, usize)> {
    let inner = name.strip_prefix('[')?.split(']').next()?;
    let (stage, position) = inner.rsplit_once(' ')?;
    Some((stage, position.split('/').next()?.parse().ok()?))
}

/// A copy of an example's folder, to edit without touching the checkout.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let path = entry.path();
        let name = entry.file_name();
        if name == "target" || name == "node_modules" || name == ".dockerignore" {
            continue;
        }
        if path.is_dir() {
            copy_tree(&path, &to.join(&name));
        } else {
            std::fs::copy(&path, to.join(&name)).unwrap();
        }
    }
}

/// Per toolchain preset: after an edit of a source file only, the
/// dependency step comes from the cache (the layer is re-used), and the
/// build step runs again.
#[test]
fn toolchain_source_edit_reuses_the_dependency_layer() {
    if !enabled() {
        return;
    }
    let _engine = engine_lock();
    for case in REBUILDS.iter().filter(|c| selected(c.example)) {
        let work = tempfile::tempdir().unwrap();
        let context = work.path().join(case.example);
        copy_tree(&root().join("examples").join(case.example), &context);
        let dockerfile = msbc_compile(&context.join("app.msb"), "modern");
        let network = expectation(case.example).network;
        let tag = format!("msbc-e2e/{}:rebuild", case.example);
        docker_build(&context, &dockerfile, &tag, network, None);
        let source = context.join(case.source);
        let text = std::fs::read_to_string(&source).unwrap();
        let comment = if case.source.ends_with(".py") { "#" } else { "//" };
        std::fs::write(
            &source,
            format!("{text}\n{comment} edited at {:?}\n", std::time::SystemTime::now()),
        )
        .unwrap();
        let log = docker_build(&context, &dockerfile, &tag, network, None);
        let steps = plain_progress_steps(&log);
        let in_stage: Vec<(usize, &ProgressStep)> = steps
            .iter()
            .filter_map(|s| match stage_position(&s.position) {
                Some((stage, position)) if stage == case.stage => Some((position, s)),
                _ => None,
            })
            .collect();
        let limit = match case.source_copy {
            Some(needle) => in_stage
                .iter()
                .find(|(_, s)| s.name.contains(needle))
                .map(|(p, _)| *p)
                .unwrap_or_else(|| panic!("{}: no step {needle} in:\n{log}", case.example)),
            None => usize::MAX,
        };
        // Position 1 is the FROM line, which BuildKit never reports cached.
        let before: Vec<&&ProgressStep> = in_stage
            .iter()
            .filter(|(p, _)| *p > 1 && *p < limit)
            .map(|(_, s)| s)
            .collect();
        assert!(
            !before.is_empty(),
            "{}: no step before the sources:\n{log}",
            case.example
        );
        for step in &before {
            assert!(
                step.cached,
                "{}: `{}` runs again after a source-only edit:\n{log}",
                case.example, step.name
            );
        }
        if case.source_copy.is_some() {
            let build = in_stage
                .iter()
                .find(|(p, _)| *p == limit + 1)
                .unwrap_or_else(|| panic!("{}: no build step in:\n{log}", case.example));
            assert!(
                !build.1.cached,
                "{}: the build step runs again:\n{log}",
                case.example
            );
        }
        let executed = steps.iter().filter(|s| !s.cached).count();
        eprintln!(
            "{}: rebuild after a source edit: {} steps executed, {} cached",
            case.example,
            executed,
            steps.len() - executed
        );
    }
}

/// A build step as BuildKit's plain progress output reports it.
#[derive(Debug)]
pub struct ProgressStep {
    pub name: String,
    /// `[build 4/7]`: the stage and the step's place in it.
    pub position: String,
    pub cached: bool,
}

/// Steps of `docker build --progress=plain`: lines `#7 [build 4/6] RUN ...`
/// name a step; a later `#7 CACHED` marks it cached.
pub fn plain_progress_steps(log: &str) -> Vec<ProgressStep> {
    let mut steps: Vec<(String, ProgressStep)> = Vec::new();
    for line in log.lines() {
        let Some(rest) = line.strip_prefix('#') else {
            continue;
        };
        let Some((id, body)) = rest.split_once(' ') else {
            continue;
        };
        if body.starts_with('[') && body.contains("] ") && !body.starts_with("[internal]") {
            let (position, name) = body
                .split_once("] ")
                .map(|(p, n)| (format!("{p}]"), n.to_string()))
                .unwrap_or_default();
            if !steps.iter().any(|(i, _)| i == id) {
                steps.push((
                    id.to_string(),
                    ProgressStep {
                        name,
                        position,
                        cached: false,
                    },
                ));
            }
        } else if body.trim() == "CACHED" {
            if let Some((_, step)) = steps.iter_mut().find(|(i, _)| i == id) {
                step.cached = true;
            }
        }
    }
    steps.into_iter().map(|(_, s)| s).collect()
}

#[test]
fn plain_progress_is_read() {
    let log = "#5 [build 1/4] FROM docker.io/library/golang:1.19-bookworm\n#5 CACHED\n\n#6 [build 2/4] RUN go mod download\n#6 CACHED\n#7 [build 3/4] COPY . .\n#7 DONE 0.1s\n#8 [internal] load build context\n";
    let steps = plain_progress_steps(log);
    let summary: Vec<(&str, bool)> = steps.iter().map(|s| (s.name.as_str(), s.cached)).collect();
    assert_eq!(
        summary,
        [
            ("FROM docker.io/library/golang:1.19-bookworm", true),
            ("RUN go mod download", true),
            ("COPY . .", false)
        ]
    );
}

/// The secret a build reads is in no layer, no config and no history entry
/// of the image: `docker save` holds every byte of all three.
#[test]
fn secret_reaches_no_layer_config_or_history() {
    if !enabled() {
        return;
    }
    let _engine = engine_lock();
    let value = format!(
        "msbc-secret-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    let context = root().join("examples/with-secret");
    for profile in ["modern", "legacy"] {
        let tag = format!("msbc-e2e/with-secret:{profile}-leak-test");
        let dockerfile = msbc_compile(&context.join("app.msb"), profile);
        docker_build(&context, &dockerfile, &tag, false, Some(&value));
        let stdout = run_image(&tag, &[]);
        assert_eq!(
            stdout,
            format!("token received ({} bytes)\n", value.len()),
            "the build saw the secret"
        );
        // Every builder stage too: build it as a target and search it as well.
        let builder_tag = format!("msbc-e2e/with-secret:{profile}-fetch");
        let mut command = docker();
        let secret_file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(secret_file.path(), &value).unwrap();
        command.args([
            "build",
            "--no-cache",
            "--network=none",
            "--target",
            "fetch",
            "--secret",
        ]);
        command.arg(format!("id=token,src={}", secret_file.path().display()));
        command.args([
            "-f",
            dockerfile.to_str().unwrap(),
            "-t",
            &builder_tag,
            context.to_str().unwrap(),
        ]);
        run_ok(&mut command);
        for image in [&tag, &builder_tag] {
            let saved = run_ok(docker().args(["save", image])).stdout;
            assert!(saved.len() > 1000, "docker save wrote the image");
            let found = find_in_archive(&saved, value.as_bytes());
            assert!(found.is_empty(), "{image} holds the secret in {found:?}");
            let history = text(&run_ok(docker().args(["history", "--no-trunc", image])).stdout);
            assert!(!history.contains(&value), "{image} history holds the secret");
            let inspect = text(&run_ok(docker().args(["image", "inspect", image])).stdout);
            assert!(!inspect.contains(&value), "{image} config holds the secret");
        }
    }
}

/// Names of the members of a tar archive (layers are tars inside it,
/// searched as they are: uncompressed) that contain `needle`.
fn find_in_archive(archive: &[u8], needle: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    let mut offset = 0;
    while offset + 512 <= archive.len() {
        let header = &archive[offset..offset + 512];
        if header.iter().all(|&b| b == 0) {
            break;
        }
        let name = String::from_utf8_lossy(&header[..100])
            .trim_end_matches('\0')
            .to_string();
        let size_field = String::from_utf8_lossy(&header[124..136])
            .trim_matches(|c: char| c == '\0' || c == ' ')
            .to_string();
        let size = usize::from_str_radix(&size_field, 8).unwrap_or(0);
        let body = &archive[offset + 512..(offset + 512 + size).min(archive.len())];
        if contains(body, needle) || (body.starts_with(&[0x1f, 0x8b]) && contains(&gunzip(body), needle)) {
            found.push(name);
        }
        offset += 512 + size.div_ceil(512) * 512;
    }
    if found.is_empty() && contains(archive, needle) {
        found.push("<somewhere in the archive>".to_string());
    }
    found
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut child = Command::new("gzip")
        .args(["-dc"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = bytes.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().unwrap();
    let _ = writer.join();
    out.stdout
}

/// The generated .dockerignore works: the build with it succeeds, and a
/// file the program does not copy never reaches the build context.
#[test]
fn dockerignore_keeps_undeclared_files_out_of_the_context() {
    if !enabled() {
        return;
    }
    let _engine = engine_lock();
    let work = tempfile::tempdir().unwrap();
    let context = work.path();
    for file in ["app.msb", "go.mod", "main.go"] {
        std::fs::copy(root().join("examples/seed-go").join(file), context.join(file)).unwrap();
    }
    std::fs::write(context.join("credentials.env"), "API_KEY=do-not-ship\n").unwrap();
    let dockerfile = context.join("Dockerfile");
    run_ok(crate::cli::msbc().args([
        "compile",
        context.join("app.msb").to_str().unwrap(),
        "-o",
        dockerfile.to_str().unwrap(),
    ]));
    assert!(context.join(".dockerignore").is_file());
    docker_build(context, &dockerfile, "msbc-e2e/seed-go:ignore", false, None);
    assert_eq!(
        run_image("msbc-e2e/seed-go:ignore", &["--version"]),
        "seed-go 1.0.0\n"
    );
    // A probe that copies the whole context shows what the builder received.
    let probe = work.path().join("probe.Dockerfile");
    std::fs::write(&probe, "FROM busybox:1.36\nCOPY . /context\n").unwrap();
    docker_build(context, &probe, "msbc-e2e/context-probe", false, None);
    let listing = run_image("msbc-e2e/context-probe", &["ls", "-A", "/context"]);
    let mut files: Vec<&str> = listing.lines().collect();
    files.sort();
    assert_eq!(
        files,
        ["go.mod", "main.go"],
        "the context holds only the declared inputs"
    );
}

/// `docker buildx bake` builds every runtime of a two-runtime program from
/// the Bake file `compile --bake` writes, in one invocation.
#[test]
fn bake_builds_every_runtime() {
    if !enabled() {
        return;
    }
    let _engine = engine_lock();
    let work = tempfile::tempdir().unwrap();
    let context = work.path();
    for file in ["go.mod", "main.go"] {
        std::fs::copy(root().join("examples/seed-go").join(file), context.join(file)).unwrap();
    }
    std::fs::write(
        context.join("app.msb"),
        r#"image go     = "golang:1.19-bookworm"
image static = "gcr.io/distroless/static-debian12:nonroot"

builder build from go {
  workdir /src
  copy go.mod main.go ./
  run "CGO_ENABLED=0 go build -o /out/server ." cache /root/.cache/go-build
  produce server: exe(static) = /out/server
}

## The server alone.
default runtime app from static {
  copy build.server to /app/server
  entrypoint server
}

## The server with a busybox shell beside it, for debugging.
runtime debug from "busybox:1.36" {
  copy build.server to /app/server
  entrypoint server
}
"#,
    )
    .unwrap();
    run_ok(crate::cli::msbc().current_dir(context).args([
        "compile",
        "app.msb",
        "-o",
        "Dockerfile",
        "--bake",
        "docker-bake.hcl",
        "--bake-tag",
        "msbc-e2e/bake-{stage}:latest",
    ]));
    let output = run_ok(docker().current_dir(context).args([
        "buildx",
        "bake",
        "--progress=plain",
        "-f",
        "docker-bake.hcl",
    ]));
    let log = text(&output.stderr);
    for image in ["msbc-e2e/bake-app:latest", "msbc-e2e/bake-debug:latest"] {
        assert_eq!(
            run_image(image, &["--version"]),
            "seed-go 1.0.0\n",
            "{image} from bake:\n{log}"
        );
    }
    // The debug image has the shell the app image lacks.
    let shell = run_ok(docker().args([
        "run",
        "--rm",
        "--network=none",
        "--entrypoint",
        "/bin/sh",
        "msbc-e2e/bake-debug:latest",
        "-c",
        "echo shell",
    ]));
    assert_eq!(text(&shell.stdout), "shell\n");
}

/// `msbc lock` then `msbc compile --locked` on a real engine: an image
/// pushed to the private registry (scripts/engine/registry.sh) has a
/// registry digest; the lock records it from the local image store and from
/// the registry alike, the pinned Dockerfile builds and runs with the
/// digest in its label, and a lock made stale by a new tag fails with E0601.
#[test]
fn lock_pins_base_images_and_a_stale_lock_fails() {
    if !enabled() {
        return;
    }
    let registry = std::env::var("MSBC_REGISTRY")
        .expect("MSBC_E2E=1 needs MSBC_REGISTRY: eval \"$(scripts/engine/registry.sh start)\" first");
    let _engine = engine_lock();
    let base = format!("{registry}/msbc-e2e/busybox:1.36");
    run_ok(docker().args(["tag", "busybox:1.36", &base]));
    run_ok(docker().args(["push", "--quiet", &base]));

    let work = tempfile::tempdir().unwrap();
    let context = work.path();
    let program = |tag: &str| {
        format!(
            r#"image tools = "{registry}/msbc-e2e/busybox:{tag}"

builder build from tools {{
  run "mkdir -p /out && printf 'built on a locked base\n' > /out/message"
  produce message: file = /out/message
}}

runtime app from tools {{
  copy build.message to /app/message
  cmd ["cat", "/app/message"]
}}
"#
        )
    };
    std::fs::write(context.join("app.msb"), program("1.36")).unwrap();
    let lock_with = |from: &str| {
        let output = run_ok(
            crate::cli::msbc()
                .current_dir(context)
                .args(["lock", "app.msb", "--from", from]),
        );
        assert!(
            text(&output.stderr).contains(&format!("1 from the {from}")),
            "{}",
            text(&output.stderr)
        );
        std::fs::read_to_string(context.join("msbc.lock")).unwrap()
    };
    let from_registry = lock_with("registry");
    let from_engine = lock_with("engine");
    assert_eq!(
        from_engine, from_registry,
        "the engine and the registry agree on the digest"
    );
    let inspect = run_ok(docker().args(["image", "inspect", "--format", "{{json .RepoDigests}}", &base]));
    let digest = text(&inspect.stdout)
        .split('@')
        .nth(1)
        .and_then(|d| d.get(..71))
        .expect("a pushed image has a repo digest")
        .to_string();
    assert!(
        from_engine.contains(&format!("digest = \"{digest}\"")),
        "{from_engine}"
    );

    run_ok(crate::cli::msbc().current_dir(context).args([
        "compile",
        "app.msb",
        "--locked",
        "-o",
        "Dockerfile",
    ]));
    let dockerfile = std::fs::read_to_string(context.join("Dockerfile")).unwrap();
    assert!(
        dockerfile.contains(&format!("FROM {base}@{digest} AS build")),
        "{dockerfile}"
    );
    docker_build(
        context,
        &context.join("Dockerfile"),
        "msbc-e2e/locked",
        false,
        None,
    );
    assert_eq!(run_image("msbc-e2e/locked", &[]), "built on a locked base\n");
    let label = run_ok(docker().args([
        "image",
        "inspect",
        "--format",
        "{{index .Config.Labels \"org.opencontainers.image.base.digest\"}}",
        "msbc-e2e/locked",
    ]));
    assert_eq!(text(&label.stdout).trim(), digest);

    // A new tag in the program: the lock is stale, nothing is written.
    std::fs::remove_file(context.join("Dockerfile")).unwrap();
    std::fs::write(context.join("app.msb"), program("1.37")).unwrap();
    let stale = crate::cli::msbc()
        .current_dir(context)
        .args(["compile", "app.msb", "--locked", "-o", "Dockerfile"])
        .output()
        .unwrap();
    assert_eq!(stale.status.code(), Some(1));
    let stderr = text(&stale.stderr);
    assert!(
        stderr.contains("E0601") && stderr.contains("the lock still pins"),
        "{stderr}"
    );
    assert!(
        !context.join("Dockerfile").exists(),
        "no Dockerfile from a stale lock"
    );
}

/// `compile --reproducible`: two builds from nothing with the same
/// SOURCE_DATE_EPOCH give byte-identical image files, the compiler inside
/// the build stamps that date rather than the clock's, and the image's
/// creation time is that date. Without the option the build's steps never
/// see the value (BuildKit passes a build argument only to stages that
/// declare it), so the binary carries the day it was built.
#[test]
fn reproducible_builds_give_the_same_files_twice() {
    if !enabled() {
        return;
    }
    const EPOCH: &str = "1700000000";
    let _engine = engine_lock();
    let context = root().join("examples/c-app");
    let work = tempfile::tempdir().unwrap();
    let compile = |reproducible: bool| {
        let dockerfile = work.path().join(if reproducible {
            "reproducible.Dockerfile"
        } else {
            "plain.Dockerfile"
        });
        let mut command = crate::cli::msbc();
        command.args(["compile", context.join("app.msb").to_str().unwrap(), "-o"]);
        command.arg(&dockerfile);
        if reproducible {
            command.arg("--reproducible");
        }
        run_ok(&mut command);
        dockerfile
    };
    let build = |dockerfile: &Path, output: &str| {
        run_ok(docker().args([
            "buildx",
            "build",
            "--no-cache",
            "--progress=plain",
            "--network=none",
            "--build-arg",
            &format!("SOURCE_DATE_EPOCH={EPOCH}"),
            "--output",
            output,
            "-f",
            dockerfile.to_str().unwrap(),
            context.to_str().unwrap(),
        ]));
    };

    let reproducible = compile(true);
    let mut archives = Vec::new();
    for n in 0..2 {
        let tar = work.path().join(format!("files-{n}.tar"));
        build(&reproducible, &format!("type=tar,dest={}", tar.display()));
        archives.push(std::fs::read(&tar).unwrap());
    }
    assert!(archives[0].len() > 10_000, "the archive holds the image's files");
    assert!(
        archives[0] == archives[1],
        "two builds from nothing gave different files ({} and {} bytes)",
        archives[0].len(),
        archives[1].len()
    );

    build(&reproducible, "type=docker,name=msbc-e2e/c-app:reproducible");
    assert_eq!(
        run_image("msbc-e2e/c-app:reproducible", &["--built"]),
        "built Nov 14 2023 22:13:20\n"
    );
    let created = run_ok(docker().args([
        "image",
        "inspect",
        "-f",
        "{{.Created}}",
        "msbc-e2e/c-app:reproducible",
    ]));
    assert_eq!(text(&created.stdout).trim(), "2023-11-14T22:13:20Z");

    build(&compile(false), "type=docker,name=msbc-e2e/c-app:plain");
    let plain = run_image("msbc-e2e/c-app:plain", &["--built"]);
    assert!(
        plain.starts_with("built ") && !plain.contains("Nov 14 2023"),
        "without --reproducible the steps do not see SOURCE_DATE_EPOCH: {plain}"
    );
}
