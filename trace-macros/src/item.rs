//! The annotated item: a function whose signature is parsed strictly and whose body is kept as
//! tokens, so a body the user is still typing gets rustc's own error, not ours.

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::parse::{ParseStream, Parser};
use syn::{Attribute, Signature, Token, Visibility, braced};

/// A function item or a method.
pub(crate) struct FnItem {
    pub(crate) attrs: Vec<Attribute>,
    pub(crate) vis: Visibility,
    pub(crate) sig: Signature,
    pub(crate) body: Body,
}

/// The body, split after its inner attributes (`#![allow(..)]` must stay first).
pub(crate) struct Body {
    pub(crate) brace_span: proc_macro2::extra::DelimSpan,
    pub(crate) inner_attrs: Vec<Attribute>,
    pub(crate) stmts: TokenStream,
}

/// Why the item cannot be traced.
pub(crate) enum NotTraceable {
    /// A trait method declaration: the `;` where the body should be.
    NoBody(Span),
    /// Not a function at all; the error says what to do.
    Other(syn::Error),
    /// Tokens that do not parse as an item (the user is mid-edit): rustc reports that itself.
    Unparsable,
}

pub(crate) fn parse(item: TokenStream) -> Result<FnItem, NotTraceable> {
    let parser = |input: ParseStream<'_>| -> syn::Result<Result<FnItem, NotTraceable>> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        if let Some(error) = not_a_function(input) {
            let _rest: TokenStream = input.parse()?;
            return Ok(Err(NotTraceable::Other(error)));
        }
        let sig: Signature = input.parse()?;
        if input.peek(Token![;]) {
            let semi: Token![;] = input.parse()?;
            return Ok(Err(NotTraceable::NoBody(semi.span)));
        }
        let content;
        let brace = braced!(content in input);
        let inner_attrs = content.call(Attribute::parse_inner)?;
        let stmts: TokenStream = content.parse()?;
        Ok(Ok(FnItem {
            attrs,
            vis,
            sig,
            body: Body {
                brace_span: brace.span,
                inner_attrs,
                stmts,
            },
        }))
    };
    parser.parse2(item).unwrap_or(Err(NotTraceable::Unparsable))
}

/// The error for an item that is not a function, at the keyword that says what it is.
fn not_a_function(input: ParseStream<'_>) -> Option<syn::Error> {
    let fork = input.fork();
    loop {
        if fork.peek(Token![fn]) {
            return None;
        }
        if fork.peek(Token![const]) || fork.peek(Token![async]) || fork.peek(Token![unsafe]) {
            let _: TokenTree = fork.parse().ok()?;
            continue;
        }
        if fork.peek(Token![extern]) {
            let _: TokenTree = fork.parse().ok()?;
            if fork.peek(syn::LitStr) {
                let _: TokenTree = fork.parse().ok()?;
            }
            continue;
        }
        break;
    }
    // After any qualifiers: `impl` means a whole block; anything else is some other item.
    let (span, message) = if fork.peek(Token![impl]) {
        (
            fork.span(),
            "`#[traced]` goes on each method, not on the `impl` block",
        )
    } else {
        (
            input.span(),
            "`#[traced]` can only be applied to functions and methods",
        )
    };
    Some(syn::Error::new(span, message))
}

/// Whether an attribute is `#[traced]` (by any path ending in `traced`).
pub(crate) fn is_traced(attr: &Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|s| s.ident == "traced")
}
