use trace_core::traced;

struct S;

#[traced]
impl S {
    fn m(&self) {}
}

fn main() {
    S.m();
}
