use trace_core::trace;

fn main() {
    let n = trace!("a", nmae = 1, { 1 });
    let m = trace!("b", knd = client, { 2 });
    let _ = (n, m);
}
