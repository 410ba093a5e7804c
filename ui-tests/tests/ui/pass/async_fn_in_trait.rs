#![deny(warnings)]

use trace_core::traced;

trait Store {
    async fn load(&self, key: u32) -> Option<u32>;

    #[traced(ret)]
    async fn load_twice(&self, key: u32) -> Option<u32> {
        Some(self.load(key).await? + self.load(key).await?)
    }
}

struct Memory;

impl Store for Memory {
    #[traced(args(key))]
    async fn load(&self, key: u32) -> Option<u32> {
        Some(key)
    }
}

fn main() {
    assert_eq!(ui_tests::block_on(Memory.load_twice(2)), Some(4));
}
