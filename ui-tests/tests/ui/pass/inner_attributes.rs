#![deny(warnings)]

use trace_core::traced;

#[traced(err)]
fn f() -> Result<u32, String> {
    #![allow(unused_variables)]
    //! Inner doc comments are inner attributes too.
    let unused = 1;
    Ok(2)
}

#[traced]
async fn g() -> u32 {
    #![allow(unused_mut)]
    let mut n = 3;
    n
}

fn main() {
    assert_eq!(f(), Ok(2));
    assert_eq!(ui_tests::block_on(g()), 3);
}
