use trace_core::traced;

struct NoFmt;

#[traced(ret)]
fn f() -> NoFmt {
    NoFmt
}

fn main() {
    f();
}
