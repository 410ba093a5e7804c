use trace_core::trace;

fn main() {
    let g = trace!("a");
    let _ = g;
}
