use trace_core::traced;

struct NoFmt;

#[traced(args(x))]
fn f(x: NoFmt) {
    let _ = x;
}

#[traced(tags(value = NoFmt))]
fn g() {}

fn main() {
    f(NoFmt);
    g();
}
