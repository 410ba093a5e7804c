//! Compile-fail and compile-pass cases for the macros, run by trybuild.
