use trace_core::traced;

#[derive(Debug)]
struct OnlyDebug;

#[traced(err)]
fn f() -> Result<(), OnlyDebug> {
    Err(OnlyDebug)
}

fn main() {
    let _ = f();
}
