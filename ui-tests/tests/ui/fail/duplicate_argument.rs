use trace_core::traced;

#[traced(name = "a", name = "b")]
fn f() {}

#[traced(err, ret, err)]
fn g() -> Result<(), String> {
    Ok(())
}

fn main() {
    f();
    let _ = g();
}
