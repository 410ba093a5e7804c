use trace_core::traced;

#[traced(name = 42)]
fn f() {}

#[traced(name = checkout)]
fn g() {}

#[traced(name)]
fn h() {}

fn main() {
    f();
    g();
    h();
}
