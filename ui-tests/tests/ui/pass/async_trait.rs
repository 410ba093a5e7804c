#![deny(warnings)]

use trace_core::traced;

#[async_trait::async_trait]
trait Repo {
    async fn row(&self, id: u32) -> Result<u32, String>;
    async fn touch(&mut self);
}

struct Memory {
    touched: u32,
}

#[async_trait::async_trait]
impl Repo for Memory {
    #[traced(args(self, id), err, ret)]
    async fn row(&self, id: u32) -> Result<u32, String> {
        if id == 0 {
            return Err("no row 0".to_owned());
        }
        Ok(id + self.touched)
    }

    #[traced]
    async fn touch(&mut self) {
        self.touched += 1;
    }
}

impl std::fmt::Debug for Memory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Memory({})", self.touched)
    }
}

fn main() {
    let mut m = Memory { touched: 0 };
    ui_tests::block_on(m.touch());
    assert_eq!(ui_tests::block_on(m.row(1)), Ok(2));
    assert_eq!(ui_tests::block_on(m.row(0)), Err("no row 0".to_owned()));
}
