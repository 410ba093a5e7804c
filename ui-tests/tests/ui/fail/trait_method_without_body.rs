use trace_core::traced;

trait T {
    #[traced]
    fn m(&self);
}

struct S;

impl T for S {
    fn m(&self) {}
}

fn main() {
    S.m();
}
