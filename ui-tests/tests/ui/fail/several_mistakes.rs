use trace_core::traced;

// Every mistake is reported in one build, and `checkout` still exists for `main`.
#[traced(nmae = "x", kind = sideways, args(user, nope), tags(k = 1, k = 2), err)]
fn checkout(user: &str) -> usize {
    user.len()
}

fn main() {
    let n: usize = checkout("ann");
    let _ = n;
}
