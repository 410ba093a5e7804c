#![deny(warnings)]
#![deny(dead_code)]
#![deny(clippy::all)]

use trace_core::{trace, traced};

#[traced]
fn one() -> u32 { 1 }

#[traced(ret)]
fn two() -> u32 { 2 }

#[traced(err)]
fn three() -> Result<u32, String> { Ok(3) }

#[traced]
fn unit() {}

#[traced]
async fn four() -> u32 { 4 }

fn main() {
    let five = trace!("five", { 5 });
    let six = trace!("six", err, { Ok::<_, String>(6) });
    unit();
    assert_eq!(
        (one(), two(), three(), ui_tests::block_on(four()), five, six),
        (1, 2, Ok(3), 4, 5, Ok(6))
    );
}
