#![deny(warnings)]

use trace_core::trace;

mod names {
    pub const LOAD: &str = "load";
}

const SAVE: &str = "save";

fn work(rows: &[u32]) -> Result<usize, String> {
    trace!("work");
    trace!(names::LOAD, kind = client, tags(rows = rows.len(), db.system = "sqlite"));
    let valid = trace!(SAVE, { rows.iter().filter(|r| **r > 0).count() });
    let checked = trace!("check", err(Debug), {
        if valid > 0 { Ok(valid) } else { Err("none".to_owned()) }
    })?;
    Ok(checked)
}

async fn fetch() -> Result<u32, String> {
    let a = trace!("a", async move { 1 }).await;
    let b = trace!("b", kind = client, err, async { Ok::<u32, String>(2) }).await?;
    Ok(a + b)
}

fn main() {
    assert_eq!(work(&[1, 2]), Ok(2));
    assert_eq!(work(&[0]), Err("none".to_owned()));
    assert_eq!(ui_tests::block_on(fetch()), Ok(3));
}
