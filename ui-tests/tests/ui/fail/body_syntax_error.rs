use trace_core::traced;

// Bodies the user is still typing: rustc's own parse error, once each, nothing from the macro,
// and the functions still exist for `main`.
#[traced(err)]
fn with_err() -> Result<u32, String> {
    let x = ;
    Ok(1)
}

#[traced]
fn plain() -> u32 {
    let y = 1 +;
    2
}

#[traced]
async fn asynchronous() -> u32 {
    let z = * ;
    3
}

fn main() {
    let _ = with_err();
    let _ = plain();
    drop(asynchronous());
}
