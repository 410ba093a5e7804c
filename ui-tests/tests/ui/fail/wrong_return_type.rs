use trace_core::traced;

#[traced]
fn f() -> u32 {
    "not a number"
}

#[traced(err, ret)]
fn g() -> Result<u32, String> {
    Ok("not a number")
}

fn main() {
    f();
    let _ = g();
}
