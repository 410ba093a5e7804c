#![deny(warnings)]

use std::fmt::Display;

use trace_core::traced;

#[traced(args(label), ret)]
fn show(label: impl Display, n: u32) -> impl Display {
    format!("{label}={n}")
}

#[traced(err)]
fn parse(input: impl AsRef<str>) -> Result<impl Display, std::num::ParseIntError> {
    let n: i64 = input.as_ref().parse()?;
    Ok(n)
}

fn main() {
    assert_eq!(show("a", 1).to_string(), "a=1");
    assert_eq!(parse("5").map(|v| v.to_string()), Ok("5".to_owned()));
}
