use trace_core::trace;

fn main() {
    let name_var = "dynamic";
    let n = trace!(name_var, { 1 });
    let m = trace!(format!("{name_var}"), { 2 });
    let _ = (n, m);
}
