#!/usr/bin/env bash
# The macros' expansion must not trigger lints in user code. The fixture (ui-tests/src/lib.rs)
# uses every shape `#[traced]` and `trace!` support, under `#![deny(warnings)]`; here it is
# linted with clippy's pedantic, nursery and restriction groups as errors. The restriction lints
# allowed below fire on any ordinary code (the fixture's own, hand-written parts), not on the
# expansion: each is a style choice a user would opt into, and the fixture keeps to common style.
#
# It also runs the macros' runtime tests with `trace-core/macros-off` (tracing compiled out): the
# workspace run (scripts/test.sh) leaves that feature off and exercises the real expansion, so
# this is where the compiled-out expansion is checked to build and behave.
set -euo pipefail
cd "$(dirname "$0")/../.."

USER_CODE_RESTRICTION_LINTS=(
  absolute_paths                  # `std::error::Error` written in full
  arbitrary_source_item_ordering  # items in reading order, not alphabetical
  arithmetic_side_effects         # `a + b`
  exhaustive_structs              # plain public structs
  impl_trait_in_params            # the fixture tests `impl Trait` parameters
  implicit_return                 # every function without `return`
  min_ident_chars                 # `a`, `b`, `n`
  missing_inline_in_public_items  # every public function
  missing_trait_methods           # `impl Error for Failure {}`
  separated_literal_suffix        # contradicts unseparated_literal_suffix
  shadow_reuse                    # the fixture tests shadowed parameters
  single_char_lifetime_names      # `'a`
  std_instead_of_alloc            # `use std::fmt`
  std_instead_of_core             # `use std::pin::Pin`
  unseparated_literal_suffix      # contradicts separated_literal_suffix
)
allow=()
for lint in "${USER_CODE_RESTRICTION_LINTS[@]}"; do allow+=(-A "clippy::$lint"); done

echo "macro-lints: clippy pedantic + nursery + restriction on the fixture"
cargo clippy -p ui-tests --lib --no-deps --locked -- \
  -D warnings -W clippy::pedantic -W clippy::nursery -W clippy::restriction \
  -A clippy::blanket_clippy_restriction_lints "${allow[@]}"

echo "macro-lints: macro runtime tests with tracing compiled out (trace-core/macros-off)"
cargo test -p tests --locked --features trace-core/macros-off --test macros_sync --test macros_async
