//! `msbc compile --check` (is the file on disk current?), `--output-beside`
//! (one Dockerfile per program) and `--bake` (a docker-bake.hcl).

use crate::cli::{run, text};
use crate::support::root;
use std::path::{Path, PathBuf};

fn seed_copy(dir: &Path, folder: &str) -> PathBuf {
    let folder = dir.join(folder);
    std::fs::create_dir_all(&folder).unwrap();
    let program = folder.join("app.msb");
    std::fs::copy(root().join("examples/seed-go/app.msb"), &program).unwrap();
    program
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn check_reports_a_missing_then_a_stale_then_a_current_dockerfile() {
    let dir = tempfile::tempdir().unwrap();
    let program = seed_copy(dir.path(), "app");
    let dockerfile = program.with_file_name("Dockerfile");

    // Missing: exit 1, the whole file as a diff, nothing written.
    let out = run(&["compile", s(&program), "-o", s(&dockerfile), "--check"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("+FROM gcr.io/distroless/static-debian12:nonroot AS app"),
        "{stdout}"
    );
    assert!(
        text(&out.stderr).contains("does not exist"),
        "{}",
        text(&out.stderr)
    );
    assert!(!dockerfile.exists(), "--check writes nothing");

    // Written: current, exit 0, silent.
    let out = run(&["compile", s(&program), "-o", s(&dockerfile)]);
    assert_eq!(out.status.code(), Some(0));
    let out = run(&["compile", s(&program), "-o", s(&dockerfile), "--check"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty() && out.stderr.is_empty());

    // The program changes: stale, exit 1, a diff of what would change.
    let changed = std::fs::read_to_string(&program)
        .unwrap()
        .replace("expose 9000", "expose 9001");
    std::fs::write(&program, changed).unwrap();
    let before = std::fs::read_to_string(&dockerfile).unwrap();
    let out = run(&["compile", s(&program), "-o", s(&dockerfile), "--check"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("-EXPOSE 9000") && stdout.contains("+EXPOSE 9001"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("--- {}", dockerfile.display())),
        "{stdout}"
    );
    assert!(
        text(&out.stderr).contains("is out of date"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&dockerfile).unwrap(), before);
}

#[test]
fn check_follows_profile_and_config() {
    let dir = tempfile::tempdir().unwrap();
    let program = seed_copy(dir.path(), "app");
    let dockerfile = program.with_file_name("Dockerfile");
    run(&[
        "compile",
        s(&program),
        "-o",
        s(&dockerfile),
        "--profile",
        "legacy",
    ]);
    let out = run(&["compile", s(&program), "-o", s(&dockerfile), "--check"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "written for legacy, checked for modern"
    );
    let out = run(&[
        "compile",
        s(&program),
        "-o",
        s(&dockerfile),
        "--check",
        "--profile",
        "legacy",
    ]);
    assert_eq!(out.status.code(), Some(0));
    std::fs::write(
        program.with_file_name("msbc.toml"),
        "[compile]\nprofile = \"legacy\"\n",
    )
    .unwrap();
    let out = run(&["compile", s(&program), "-o", s(&dockerfile), "--check"]);
    assert_eq!(out.status.code(), Some(0), "msbc.toml sets the profile");
}

#[test]
fn a_program_with_errors_fails_the_check() {
    let dir = tempfile::tempdir().unwrap();
    let program = dir.path().join("app.msb");
    std::fs::write(&program, "runtime app from og {\n}\n").unwrap();
    let out = run(&[
        "compile",
        s(&program),
        "-o",
        s(&dir.path().join("Dockerfile")),
        "--check",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("E0103"), "{}", text(&out.stderr));
}

#[test]
fn output_beside_takes_several_programs() {
    let dir = tempfile::tempdir().unwrap();
    let a = seed_copy(dir.path(), "a");
    let b = seed_copy(dir.path(), "b");
    let out = run(&[
        "compile",
        "--output-beside",
        "Dockerfile",
        "--check",
        s(&a),
        s(&b),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("a/Dockerfile does not exist"), "{stderr}");
    assert!(stderr.contains("b/Dockerfile does not exist"), "{stderr}");

    let out = run(&["compile", "--output-beside", "Dockerfile", s(&a), s(&b)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(a.with_file_name("Dockerfile").is_file() && b.with_file_name("Dockerfile").is_file());
    let out = run(&[
        "compile",
        "--output-beside",
        "Dockerfile",
        "--check",
        s(&a),
        s(&b),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));

    std::fs::write(b.with_file_name("Dockerfile"), "FROM scratch\n").unwrap();
    let out = run(&[
        "compile",
        "--output-beside",
        "Dockerfile",
        "--check",
        s(&a),
        s(&b),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("b/Dockerfile is out of date") && !stderr.contains("a/Dockerfile"),
        "{stderr}"
    );
}

#[test]
fn usage_errors() {
    let seed = root().join("examples/seed-go/app.msb");
    for args in [
        vec!["compile", s(&seed), "--check"],
        vec!["compile", s(&seed), s(&seed)],
        vec!["compile", s(&seed), "--bake", "docker-bake.hcl"],
        vec!["compile", s(&seed), "-o", "x", "--output-beside", "y"],
        vec!["compile", "--output-beside", "Dockerfile", "-"],
        vec!["compile", s(&seed), "--bake-tag", "x:{stage}"],
    ] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out.stderr));
    }
}

const TWO_RUNTIMES: &str = r#"image node = "node:20-bookworm-slim"

## Dependencies shared by the dev and prod images.
base deps from node {
  workdir /app
  copy package.json package-lock.json ./
  run "npm ci"
}

runtime dev from deps {
  copy . .
  cmd ["npm", "run", "dev"]
}

default runtime prod from deps {
  copy . .
  env NODE_ENV = "production"
  cmd ["node", "server.js"]
}
"#;

#[test]
fn bake_file_names_every_runtime() {
    let dir = tempfile::tempdir().unwrap();
    let program = dir.path().join("app.msb");
    std::fs::write(&program, TWO_RUNTIMES).unwrap();
    let dockerfile = dir.path().join("Dockerfile");
    let bake = dir.path().join("docker-bake.hcl");
    let out = run(&["compile", s(&program), "-o", s(&dockerfile), "--bake", s(&bake)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let hcl = std::fs::read_to_string(&bake).unwrap();
    insta::with_settings!({snapshot_path => "../../snapshots/bake", prepend_module_to_snapshot => false, omit_expression => true}, {
        insta::assert_snapshot!("two_runtimes", hcl);
    });
    assert!(hcl.contains("targets = [\"dev\", \"prod\"]"), "{hcl}");

    // Tags from templates, one target with --target, paths relative to the bake file.
    let out_dir = dir.path().join("build");
    std::fs::create_dir(&out_dir).unwrap();
    let bake = out_dir.join("docker-bake.hcl");
    let out = run(&[
        "compile",
        s(&program),
        "-o",
        s(&out_dir.join("Dockerfile.prod")),
        "--target",
        "prod",
        "--bake",
        s(&bake),
        "--bake-tag",
        "registry.example.com/shop/{stage}:1.2",
        "--bake-tag",
        "shop-{stage}:latest",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let hcl = std::fs::read_to_string(&bake).unwrap();
    insta::with_settings!({snapshot_path => "../../snapshots/bake", prepend_module_to_snapshot => false, omit_expression => true}, {
        insta::assert_snapshot!("target_and_tags", hcl);
    });

    // --check covers the bake file too.
    let out = run(&[
        "compile",
        s(&program),
        "-o",
        s(&dockerfile),
        "--bake",
        s(&dir.path().join("docker-bake.hcl")),
        "--check",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = run(&[
        "compile",
        s(&program),
        "-o",
        s(&dockerfile),
        "--bake",
        s(&dir.path().join("docker-bake.hcl")),
        "--bake-tag",
        "other:{stage}",
        "--check",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).contains("+  tags       = [\"other:dev\"]"),
        "{}",
        text(&out.stdout)
    );
}
