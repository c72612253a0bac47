//! Hostile input: whatever the bytes, msbc answers with a diagnostic and
//! exit status 1 (or 0 for a valid program), never a panic or a hang.

use crate::cli::{run_with_stdin, text};

/// A deterministic stream of pseudo-random bytes (xorshift).
fn random_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

fn assert_clean_failure(input: &[u8], expected_code: &str) {
    for command in ["check", "compile"] {
        let out = run_with_stdin(&[command, "-"], input);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{command}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(
            stderr.contains(expected_code),
            "expected {expected_code}: {stderr}"
        );
        assert!(stderr.contains("<stdin>"), "the span names the input: {stderr}");
        assert!(out.stdout.is_empty(), "no partial output");
    }
}

#[test]
fn random_bytes_are_rejected_cleanly() {
    for seed in 1..=20u64 {
        let input = random_bytes(seed * 7919, 512);
        let out = run_with_stdin(&["check", "-"], &input);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("E0003") || stderr.contains("E0001"), "{stderr}");
    }
}

#[test]
fn random_ascii_is_rejected_cleanly() {
    for seed in 1..=20u64 {
        // Printable ASCII with line breaks; a first `x` keeps it from being one long comment.
        let mut input: Vec<u8> = random_bytes(seed, 400)
            .into_iter()
            .map(|b| if b % 16 == 0 { b'\n' } else { b % 95 + 32 })
            .collect();
        input[0] = b'x';
        assert_clean_failure(&input, "E0001");
    }
}

#[test]
fn empty_file_has_no_runtime() {
    assert_clean_failure(b"", "E0401");
    assert_clean_failure(b"\n\n# only a comment\n", "E0401");
}

#[test]
fn unterminated_string() {
    let input = b"runtime app from scratch {\n  cmd \"echo\n}\n";
    assert_clean_failure(input, "E0001");
    let out = run_with_stdin(&["check", "-"], input);
    assert!(
        text(&out.stderr).contains("never closed"),
        "{}",
        text(&out.stderr)
    );
    assert_clean_failure(b"runtime app from scratch {\n  run \"\"\"\n  echo\n", "E0001");
}

#[test]
fn deep_nesting() {
    let mut input = String::from("runtime app from scratch {\n  cmd ");
    input.push_str(&"[".repeat(100_000));
    input.push_str(&"]".repeat(100_000));
    input.push_str("\n}\n");
    assert_clean_failure(input.as_bytes(), "E0001");
    assert_clean_failure("{".repeat(200_000).as_bytes(), "E0001");
    assert_clean_failure("\"${".repeat(50_000).as_bytes(), "E0001");
}

#[test]
fn ten_megabyte_inputs() {
    // Valid: 10 MB of comments around a program.
    let mut valid = String::from("image s = \"scratch\"\n");
    let filler = "# a comment line that pads the file out to ten megabytes of text\n";
    while valid.len() < 10 * 1024 * 1024 {
        valid.push_str(filler);
    }
    valid.push_str("runtime app from s {\n  cmd [\"/x\"]\n}\n");
    let out = run_with_stdin(&["compile", "-"], valid.as_bytes());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // Invalid: 10 MB of one long word.
    assert_clean_failure("x".repeat(10 * 1024 * 1024).as_bytes(), "E0001");
    // Invalid: 10 MB of steps, the last one broken.
    let mut steps = String::from("runtime app from \"debian:12\" {\n");
    while steps.len() < 10 * 1024 * 1024 {
        steps.push_str("  env A = \"1\"\n");
    }
    steps.push_str("  rnu \"x\"\n}\n");
    assert_clean_failure(steps.as_bytes(), "E0001");
}

#[test]
fn too_large_input_is_refused() {
    let input = vec![b'#'; msbc::syntax::MAX_INPUT_BYTES + 1];
    assert_clean_failure(&input, "E0002");
}

#[test]
fn injection_attempts_stay_inside_their_line() {
    // Values that would end a Dockerfile line or start an instruction.
    let program = r#"
param version: string = "1"
builder build from "debian:12" {
  run "echo ok \\"
  run "cat <<EOF"
  run "--mount=type=secret,id=x cat /run/secrets/x"
  run "[\"/bin/evil\"]"
  run """
    echo one
    EOF
    echo two
  """
  produce out: file = /out
}
runtime app from "debian:12" {
  copy build.out to "/app/a b$c\\d"
  label "org.example.note" = "say \"hi\" $HOME \\ ${version}"
  env GREETING = "a\"b $x"
  cmd ["/bin/echo", "\n\"]\nRUN evil", "${version}"]
}
"#;
    let out = run_with_stdin(&["compile", "-"], program.as_bytes());
    let stderr = text(&out.stderr);
    // ${version} in an exec-form argument is refused: nothing expands it there.
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("E0104"), "{stderr}");

    let program = program.replace(r#", "${version}"]"#, "]");
    let out = run_with_stdin(&["compile", "-"], program.as_bytes());
    let dockerfile = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let instructions: Vec<&str> = dockerfile
        .lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_uppercase()))
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    for word in &instructions {
        assert!(
            ["FROM", "ARG", "RUN", "COPY", "LABEL", "ENV", "CMD", "USER", "EOF", "EOF_1", "WORKDIR"]
                .contains(word),
            "unexpected line start {word}:\n{dockerfile}"
        );
    }
    assert!(
        !dockerfile.lines().any(|l| l.starts_with("RUN evil")),
        "{dockerfile}"
    );
    assert!(
        !dockerfile
            .lines()
            .any(|l| l.starts_with("RUN --mount=type=secret")),
        "{dockerfile}"
    );
    assert!(
        dockerfile.contains("LABEL \"org.example.note\"=\"say \\\"hi\\\" \\$HOME \\\\ ${version}\""),
        "{dockerfile}"
    );
    assert!(
        dockerfile.contains("ENV GREETING=\"a\\\"b \\$x\""),
        "{dockerfile}"
    );
    assert!(
        dockerfile.contains(r#"CMD ["/bin/echo","\n\"]\nRUN evil"]"#),
        "{dockerfile}"
    );
}

/// The stage graph nests too: a base chain 20,000 stages deep compiles, and
/// a cycle through all of them is one diagnostic. Nothing walks the chain
/// by recursion, so neither overflows the stack.
#[test]
fn a_deep_chain_of_stages_is_walked_without_recursion() {
    const DEPTH: usize = 20_000;
    let mut chain = String::from("base s0 from \"debian:12\" {\n  workdir /w\n}\n");
    for i in 1..DEPTH {
        chain.push_str(&format!("base s{i} from s{} {{\n  workdir /w{i}\n}}\n", i - 1));
    }
    chain.push_str(&format!(
        "runtime app from s{} {{\n  cmd [\"/bin/true\"]\n}}\n",
        DEPTH - 1
    ));
    let out = run_with_stdin(&["compile", "-"], chain.as_bytes());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).matches("\nFROM ").count(), DEPTH + 1);

    let cycle = chain.replacen(
        "base s0 from \"debian:12\"",
        &format!("base s0 from s{}", DEPTH - 1),
        1,
    );
    let out = run_with_stdin(&["check", "-"], cycle.as_bytes());
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("overflow"),
        "{stderr}"
    );
    assert!(stderr.contains("E0106"), "{}", &stderr[..stderr.len().min(2000)]);
    // Its first and last edges, not 20,000 of them.
    assert!(
        stderr.contains("s19996 -> ... -> s5"),
        "{}",
        &stderr[..stderr.len().min(2000)]
    );
    assert!(
        stderr.contains("(20000 stages)"),
        "{}",
        &stderr[..stderr.len().min(2000)]
    );
    assert!(stderr.len() < 10_000, "{} bytes of diagnostics", stderr.len());
}
