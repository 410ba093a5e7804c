//! The macros' compile-time behaviour, pinned: every mistake in `ui/fail` must fail with the
//! `.stderr` next to it (our message, at the offending token), and every shape in `ui/pass` must
//! compile without warnings and run. One trybuild run for both, as each run builds the
//! dependencies again.
//!
//! Regenerate the `.stderr` files with `TRYBUILD=overwrite cargo test -p ui-tests --test ui`, and
//! read every changed one before committing it.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/fail/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
