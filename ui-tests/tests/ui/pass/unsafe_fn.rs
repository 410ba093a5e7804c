#![deny(warnings)]

use trace_core::traced;

/// # Safety
/// `ptr` must be valid for reads.
#[traced(ret)]
unsafe fn read(ptr: *const u32) -> u32 {
    // SAFETY: the caller guarantees `ptr` is valid.
    unsafe { *ptr }
}

/// # Safety
/// Always safe; the test is about the qualifier.
#[traced]
unsafe extern "C" fn both(n: i32) -> i32 {
    n
}

fn main() {
    let x = 3;
    // SAFETY: `x` outlives the call.
    assert_eq!(unsafe { read(&raw const x) }, 3);
    // SAFETY: no requirements.
    assert_eq!(unsafe { both(4) }, 4);
}
