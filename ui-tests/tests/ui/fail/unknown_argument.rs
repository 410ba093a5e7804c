use trace_core::traced;

#[traced(nmae = "checkout")]
fn checkout() {}

#[traced(level = "info")]
fn handle() {}

fn main() {
    checkout();
    handle();
}
