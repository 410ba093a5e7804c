#![deny(warnings)]

use std::pin::Pin;
use std::rc::Rc;

use trace_core::traced;

#[derive(Debug, Default)]
struct S {
    n: u32,
}

impl S {
    #[traced]
    fn new() -> Self {
        Self::default()
    }

    #[traced(args(self))]
    fn by_ref(&self) -> u32 {
        self.n
    }

    #[traced]
    fn by_mut(&mut self) {
        self.n += 1;
    }

    #[traced]
    fn by_value(self) -> u32 {
        self.n
    }

    #[traced]
    fn by_mut_value(mut self) -> u32 {
        self.n += 1;
        self.n
    }

    #[traced]
    fn boxed(self: Box<Self>) -> u32 {
        self.n
    }

    #[traced]
    fn rc(self: Rc<Self>) -> u32 {
        self.n
    }

    #[traced]
    fn pinned(self: Pin<&mut Self>) -> u32 {
        self.n
    }

    #[traced]
    fn explicit<'a>(self: &'a Self) -> &'a u32 {
        &self.n
    }

    #[traced]
    fn associated(n: u32) -> u32 {
        n
    }
}

fn main() {
    let mut s = S::new();
    s.by_mut();
    assert_eq!(s.by_ref(), 1);
    assert_eq!(*s.explicit(), 1);
    assert_eq!(Pin::new(&mut s).pinned(), 1);
    assert_eq!(Box::new(S { n: 2 }).boxed(), 2);
    assert_eq!(Rc::new(S { n: 3 }).rc(), 3);
    assert_eq!(S { n: 4 }.by_mut_value(), 5);
    assert_eq!(s.by_value(), 1);
    assert_eq!(S::associated(6), 6);
}
