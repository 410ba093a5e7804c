use trace_core::trace;

fn main() {
    trace!();
}
