use trace_core::trace;

fn main() {
    let n = trace!("a", { 1 } extra);
    let _ = n;
}
