#!/usr/bin/env bash
# The compile-time benchmark of issue 18: a generated library crate of 1,000 traced functions,
# built with this project's `#[traced]`, `tracing`'s `#[instrument]`, fastrace's `#[trace]` and
# with no attribute, in interleaved rounds. See scripts/compile-bench/run.py for what is measured.
#
# Output: the Markdown tables on stdout (paste into BENCHMARKS.md) and the raw numbers in
# $CARGO_TARGET_DIR/compile-bench/results.json. The generated crates and their target directories
# live in $CARGO_TARGET_DIR/compile-bench (outside the workspace; delete it to reclaim the disk).
# Environment: COMPILE_BENCH_ROUNDS (default 3) rounds.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
WORK="$CARGO_TARGET_DIR/compile-bench"
ROUNDS="${COMPILE_BENCH_ROUNDS:-3}"
command -v python3 >/dev/null || { echo "python3 is needed (apt-get install python3)" >&2; exit 1; }
command -v strip >/dev/null || { echo "strip is needed (apt-get install binutils)" >&2; exit 1; }
mkdir -p "$WORK"
# The generated crates have their own target directories: cargo must not see ours.
unset CARGO_TARGET_DIR
python3 scripts/compile-bench/run.py "$PWD" "$WORK" "$ROUNDS" | tee "$WORK/report.md"
