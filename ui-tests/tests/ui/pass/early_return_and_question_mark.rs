#![deny(warnings)]

use trace_core::traced;

#[derive(Debug, PartialEq)]
enum Error {
    Parse,
    Zero,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self:?}")
    }
}

impl From<std::num::ParseIntError> for Error {
    fn from(_: std::num::ParseIntError) -> Self {
        Self::Parse
    }
}

#[traced(err, ret)]
fn parse(input: &str) -> Result<u32, Error> {
    let n: u32 = input.parse()?;
    if n == 0 {
        return Err(Error::Zero);
    }
    let doubled = match n {
        1 => return Ok(100),
        m => m * 2,
    };
    let closure = |s: &str| -> Result<u32, Error> { Ok(s.parse::<u32>()?) };
    fn nested() -> Option<u32> {
        Some(1)
    }
    Ok(doubled + closure("0")? + nested().unwrap_or(0))
}

#[traced(ret)]
fn first(values: &[u32]) -> Option<u32> {
    let v = values.first()?;
    Some(*v)
}

#[traced(err)]
fn diverges() -> Result<u32, Error> {
    loop {
        return Err(Error::Zero);
    }
}

// `err` alone: every exit passes through the recording call, `?` nested inside a `return`
// included, and the error type is still inferred from the signature (`.into()`).
#[traced(err)]
fn err_only(input: &str) -> Result<u32, Error> {
    if input.is_empty() {
        return Ok(input.len() as u32 + "7".parse::<u32>()?);
    }
    let n: u32 = input.parse()?;
    if n == 0 {
        return Err(Error::Zero.into());
    }
    Ok(n)
}

// A tail that never returns: the recording after it is unreachable, silently.
#[traced(err)]
fn exits() -> Result<u32, Error> {
    std::process::exit(3)
}

#[traced(err)]
async fn err_async(input: &str) -> Result<u32, Error> {
    let n: u32 = input.parse()?;
    if n == 0 {
        return Err(Error::Zero.into());
    }
    Ok(n)
}

fn main() {
    assert_eq!(err_only(""), Ok(7));
    assert_eq!(err_only("x"), Err(Error::Parse));
    assert_eq!(err_only("0"), Err(Error::Zero));
    assert_eq!(err_only("4"), Ok(4));
    let _never_called: fn() -> Result<u32, Error> = exits;
    assert_eq!(ui_tests::block_on(err_async("x")), Err(Error::Parse));
    assert_eq!(ui_tests::block_on(err_async("0")), Err(Error::Zero));
    assert_eq!(ui_tests::block_on(err_async("5")), Ok(5));
    assert_eq!(parse("x"), Err(Error::Parse));
    assert_eq!(parse("0"), Err(Error::Zero));
    assert_eq!(parse("1"), Ok(100));
    assert_eq!(parse("2"), Ok(5));
    assert_eq!(first(&[]), None);
    assert_eq!(diverges(), Err(Error::Zero));
}
