#!/usr/bin/env bash
# Runs each fuzz target (fuzz/fuzz_targets: parse, check, compile) for a
# bounded time and fails on the first crash, timeout or memory overrun.
#
#   scripts/fuzz.sh            # 60 s per target
#   FUZZ_SECONDS=300 scripts/fuzz.sh parse
#
# cargo-fuzz builds with nightly-only flags (sanitizer coverage). The one
# toolchain here is stable, so the build runs with RUSTC_BOOTSTRAP=1, which
# lets stable rustc accept them. The seed corpus is every example and every
# fixture; the working corpus lives in target/fuzz-corpus and is not kept.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-60}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(parse check compile)

if ! command -v cargo-fuzz >/dev/null; then
  echo "== installing cargo-fuzz 0.13.2"
  cargo install cargo-fuzz --version 0.13.2 --locked
fi

export RUSTC_BOOTSTRAP=1
# The fuzz crate is its own workspace; keep its build apart from the root's.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}/fuzz"

seeds=target/fuzz-seeds
rm -rf "$seeds"
mkdir -p "$seeds"
for f in examples/*/app.msb tests/data/*/*.msb tests/data/*/*/*.msb; do
  [ -f "$f" ] && cp "$f" "$seeds/$(echo "$f" | tr '/' '_')"
done
echo "seed corpus: $(ls "$seeds" | wc -l) files"

for target in "${targets[@]}"; do
  corpus=target/fuzz-corpus/$target
  mkdir -p "$corpus"
  log=target/fuzz-$target.log
  echo "== fuzz $target for ${seconds}s"
  # -timeout: one input taking over 10 s is a hang. -rss_limit_mb: a run
  # growing past 2 GiB is a memory bug. -max_len: inputs up to 64 KiB.
  if ! cargo fuzz run --fuzz-dir fuzz "$target" "$corpus" "$seeds" -- \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
      -dict=fuzz/msb.dict -print_final_stats=1 >"$log" 2>&1; then
    tail -n 60 "$log"
    echo "fuzz $target FAILED: the reproducer is in fuzz/artifacts/$target/"
    exit 1
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
  echo "fuzz $target: ${seconds}s, $runs runs, no crash"
done
