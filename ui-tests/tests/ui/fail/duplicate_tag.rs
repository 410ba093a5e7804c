use trace_core::traced;

#[traced(tags(k = 1, k = 2, http.method = "GET", http.method = "PUT"))]
fn f() {}

fn main() {
    f();
}
