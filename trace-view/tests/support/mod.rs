//! Shared by the CLI and browser tests.

#![allow(dead_code)]

pub mod fixtures;
pub mod webdriver;

use std::path::Path;
use std::process::{Command, Output};

/// Runs the `trace-view` binary.
pub fn trace_view(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trace-view"))
        .args(args)
        .output()
        .expect("trace-view runs")
}

/// The path as an argument.
pub fn arg(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 temp path")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}
