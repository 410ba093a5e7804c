use trace_core::traced;

#[traced]
#[traced(name = "again")]
fn f() {}

fn main() {
    f();
}
