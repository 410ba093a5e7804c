use trace_core::traced;

#[traced]
struct S;

#[traced]
static N: u32 = 1;

fn main() {
    let _ = (S, N);
}
