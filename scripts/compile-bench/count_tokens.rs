//! Counts the tokens of Rust source read from stdin, as a proc macro sees them: every identifier,
//! punctuation character and literal is one token, every delimited group (`(..)`, `[..]`, `{..}`)
//! one more. Used by the compile-time benchmark on `-Zunpretty=expanded` output.

use std::io::Read;
use std::str::FromStr;

use proc_macro2::{TokenStream, TokenTree};

fn count(stream: TokenStream) -> u64 {
    stream
        .into_iter()
        .map(|tree| match tree {
            TokenTree::Group(group) => 1 + count(group.stream()),
            _ => 1,
        })
        .sum()
}

fn main() {
    let mut source = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut source) {
        eprintln!("count-tokens: cannot read stdin: {e}");
        std::process::exit(2);
    }
    match TokenStream::from_str(&source) {
        Ok(tokens) => println!("{}", count(tokens)),
        Err(e) => {
            eprintln!("count-tokens: the input is not Rust tokens: {e}");
            std::process::exit(1);
        }
    }
}
