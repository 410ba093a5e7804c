use trace_core::traced;

#[traced(err)]
fn f() {}

#[traced(ret)]
fn g() {}

fn main() {
    f();
    g();
}
