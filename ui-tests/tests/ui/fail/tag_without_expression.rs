use trace_core::traced;

#[traced(tags(k = ))]
fn f() {}

#[traced(tags(a = , b = 2))]
fn g() {}

#[traced(tags(c = 1 +))]
fn h() {}

fn main() {
    f();
    g();
    h();
}
