#![deny(warnings)]

use std::fmt::Debug;

use trace_core::traced;

#[traced(args(key), ret)]
fn longest<'a, 'b: 'a, K, const N: usize>(key: &K, a: &'a str, b: &'b str, _n: [u8; N]) -> &'a str
where
    K: Debug + ?Sized,
{
    if a.len() >= b.len() { a } else { b }
}

#[derive(Debug)]
struct Wrapper<T>(T);

impl<T> Wrapper<T>
where
    T: Clone + Debug,
{
    #[traced(args(self), ret)]
    fn get(&self) -> T {
        self.0.clone()
    }
}

trait Describe {
    #[traced(ret)]
    fn describe(&self) -> String
    where
        Self: Sized,
    {
        "thing".to_owned()
    }
}

impl Describe for u8 {}

fn main() {
    assert_eq!(longest("k", "abc", "de", [0; 2]), "abc");
    assert_eq!(Wrapper(vec![1]).get(), vec![1]);
    assert_eq!(7u8.describe(), "thing");
}
