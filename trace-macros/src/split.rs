//! Splitting a list at its top-level commas, so one bad entry does not hide the others.

use proc_macro2::{Span, TokenStream, TokenTree};

/// One comma-separated entry, with the span just after it (the comma, or the list's end) for
/// errors about what is missing.
pub(crate) struct Entry {
    pub(crate) tokens: Vec<TokenTree>,
    pub(crate) after: Span,
}

/// The entries of `stream`; `end` is where the list closes. A trailing comma adds no entry.
pub(crate) fn entries(stream: TokenStream, end: Span) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut current = Vec::new();
    for tt in stream {
        match &tt {
            TokenTree::Punct(p) if p.as_char() == ',' => {
                out.push(Entry {
                    tokens: std::mem::take(&mut current),
                    after: p.span(),
                });
            }
            _ => current.push(tt),
        }
    }
    if !current.is_empty() {
        out.push(Entry {
            tokens: current,
            after: end,
        });
    }
    out
}
