#!/usr/bin/env bash
# Sets up everything the tests need on a fresh machine, runs every check and test, and stops what
# it started. Services the tests talk to (a local DynamoDB-compatible server, the OpenTelemetry
# Python SDK for interop) are set up by the scripts in scripts/services/, one per service, each
# sourced here: they export what the tests read and push their cleanup onto CLEANUP.
set -euo pipefail
cd "$(dirname "$0")/.."

CLEANUP=()
cleanup() {
  local i
  for ((i = ${#CLEANUP[@]} - 1; i >= 0; i--)); do eval "${CLEANUP[i]}" || true; done
}
trap cleanup EXIT

step() { printf '\n==> %s\n' "$*"; }

# Every optional feature except `trace-core/macros-off`, which compiles `#[traced]` out and so
# would turn every macro test into a no-op; it has a check of its own (scripts/checks/).
FEATURES="trace-core/tokio trace-core/axum trace-core/reqwest trace-record/dynamodb trace-core/tracing examples/tracing-bridge examples/http trace-view/dynamodb trace-record/otlp trace-record/otlp-grpc examples/otlp trace-core/tonic examples/grpc"

step "format"
cargo fmt --all -- --check

for service in scripts/services/*.sh; do
  [ -e "$service" ] || continue
  step "service: $service"
  # shellcheck source=/dev/null
  source "$service"
done

step "clippy"
cargo clippy --workspace --all-targets --features "$FEATURES" --locked -- -D warnings

step "docs"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --features "$FEATURES" --locked

step "tests"
cargo test --workspace --features "$FEATURES" --locked

# Further checks, one script each (e.g. the macro expansion under clippy's pedantic groups).
for check in scripts/checks/*.sh; do
  [ -e "$check" ] || continue
  step "check: $check"
  bash "$check"
done
