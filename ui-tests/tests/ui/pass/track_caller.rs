#![deny(warnings)]

use std::panic::Location;

use trace_core::traced;

#[traced(err, ret)]
#[track_caller]
fn here() -> Result<u32, String> {
    Ok(Location::caller().line())
}

#[traced]
#[track_caller]
fn file() -> &'static str {
    Location::caller().file()
}

fn main() {
    let (line, expected) = (here(), line!());
    assert_eq!(line, Ok(expected));
    assert!(file().ends_with("track_caller.rs"));
}
