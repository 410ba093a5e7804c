use trace_core::traced;

#[traced(tags("k" = 1))]
fn f() {}

#[traced(tags(http..method = 1))]
fn g() {}

fn main() {
    f();
    g();
}
