#![deny(warnings)]

use trace_core::traced;

#[traced(args(n), err, ret)]
async fn handle(n: u32) -> Result<u32, String> {
    let m = inner(n).await?;
    if m > 10 {
        return Err("too big".to_owned());
    }
    Ok(m)
}

#[traced]
async fn inner(n: u32) -> Result<u32, String> {
    let parsed: u32 = format!("{n}").parse().map_err(|e: std::num::ParseIntError| e.to_string())?;
    Ok(parsed + 1)
}

#[traced]
async fn unit() {}

fn main() {
    assert_eq!(ui_tests::block_on(handle(1)), Ok(2));
    assert_eq!(ui_tests::block_on(handle(20)), Err("too big".to_owned()));
    ui_tests::block_on(unit());
}
