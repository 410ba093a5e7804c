use trace_core::traced;

#[traced(root = yes)]
fn f() {}

#[traced(ret(true))]
fn g() -> u32 {
    1
}

#[traced(err = Debug)]
fn h() -> Result<(), String> {
    Ok(())
}

fn main() {
    f();
    g();
    let _ = h();
}
