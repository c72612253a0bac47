//! A generator of large valid msb programs, for the scaling benchmark and
//! the fuzz corpus: `stages` builder stages chained through artifacts, each
//! with `steps` steps, and one runtime stage at the end that ships the last
//! artifact.
//!
//! Every kind of step the checker resolves appears: `workdir`, `env` with a
//! `${name}` reference, context `copy`, `run` with a cache mount, `label`,
//! and the artifact `copy` and `produce` that chain the stages. The program
//! checks with no diagnostic at all.

use std::fmt::Write as _;

/// The program text for `stages` chained stages of `steps` steps each.
pub fn program(stages: usize, steps: usize) -> String {
    let stages = stages.max(1);
    let mut out = String::with_capacity(stages * (160 + steps * 40));
    out.push_str("# Generated: ");
    let _ = writeln!(
        out,
        "{stages} stages of {steps} steps, chained through artifacts.\n"
    );
    out.push_str("image deb = \"debian:12\"\n");
    out.push_str("image static = \"gcr.io/distroless/static-debian12:nonroot\"\n\n");
    out.push_str("param version: string = \"1.0\"\n\n");
    for s in 0..stages {
        let _ = writeln!(out, "## Stage {s} of the chain.");
        let _ = writeln!(out, "builder s{s} from deb {{");
        let _ = writeln!(out, "  workdir /work/s{s}");
        if s > 0 {
            let _ = writeln!(out, "  copy s{}.out to /in/prev", s - 1);
        }
        for j in 0..steps {
            match j % 5 {
                0 => {
                    let _ = writeln!(
                        out,
                        "  env V{j} = \"step {j} of stage {s}, version ${{version}}\""
                    );
                }
                1 => {
                    let _ = writeln!(out, "  copy src/s{s}/f{j}.txt ./");
                }
                2 => {
                    let _ = writeln!(
                        out,
                        "  run \"cat /in/prev f{} > out{j}.txt 2>/dev/null || true\" cache /var/cache/s{s}",
                        j.saturating_sub(1)
                    );
                }
                3 => {
                    let _ = writeln!(out, "  label org.example.s{s}.step{j} = \"value {j}\"");
                }
                _ => {
                    let _ = writeln!(out, "  workdir sub{j}");
                }
            }
        }
        let _ = writeln!(out, "  run \"mkdir -p /out && echo {s} > /out/s{s}\"");
        let _ = writeln!(out, "  produce out: file = /out/s{s}");
        out.push_str("}\n\n");
    }
    out.push_str("## The image to ship: the last stage's file.\n");
    out.push_str("runtime app from static {\n");
    let _ = writeln!(out, "  copy s{}.out to /app/result", stages - 1);
    out.push_str("  cmd [\"/app/result\"]\n}\n");
    out
}
