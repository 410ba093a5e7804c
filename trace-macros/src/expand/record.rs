//! Recording parameters, tags, errors and return values.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::hidden;
use crate::args::ErrMode;
use crate::signature::Binding;
use crate::tags::Tag;

/// What to record on a span, and how to reach the runtime.
pub(crate) struct Recording<'a> {
    pub(crate) v1: &'a TokenStream,
    pub(crate) args: &'a [Ident],
    pub(crate) bindings: Vec<Binding>,
    pub(crate) tags: &'a [Tag],
    pub(crate) err: Option<&'a ErrMode>,
    pub(crate) ret: bool,
    /// Where errors about the returned value point: the return type.
    pub(crate) value_type_span: Option<Span>,
}

/// `span`'s location with the macro's hygiene: errors point at the user's token while the code
/// stays the macro's (hidden from lints on the user's code).
pub(crate) fn at(span: Span) -> Span {
    Span::mixed_site().located_at(span)
}

impl Recording<'_> {
    pub(crate) fn records_exit(&self) -> bool {
        self.err.is_some() || self.ret
    }

    pub(crate) fn sets_tags(&self) -> bool {
        !self.args.is_empty() || !self.tags.is_empty()
    }

    /// `if target.is_recording() { target.set_tag(..); .. }`, or nothing.
    pub(crate) fn tag_statements(&self, target: &Ident) -> TokenStream {
        if !self.sets_tags() {
            return TokenStream::new();
        }
        let v1 = self.v1;
        let mut sets = Vec::new();
        for arg in self.args {
            let key = arg.to_string();
            let span = self
                .bindings
                .iter()
                .find(|b| *arg == b.name)
                .map_or(arg.span(), |b| b.type_span);
            let value = quote_spanned!(at(span)=> (&&&#v1::TagWrap(&#arg)).__trace_tag());
            sets.push(quote!(#target.set_tag(#key, #value);));
        }
        for tag in self.tags {
            let key = &tag.key;
            let expr = &tag.value;
            let value = if is_str_literal(expr) {
                // A literal is `&'static str`, which a tag can keep without copying; autoref
                // specialization cannot tell `'static` apart, so it would copy the text per call.
                quote_spanned!(at(expr.span())=> #v1::TagValue::from(#expr))
            } else {
                quote_spanned!(at(expr.span())=> (&&&#v1::TagWrap(&(#expr))).__trace_tag())
            };
            sets.push(quote!(#target.set_tag(#key, #value);));
        }
        quote! {
            if #target.is_recording() {
                use #v1::tag::*;
                #(#sets)*
            }
        }
    }

    /// Statements recording the value in `value` (by reference) on `target`: `ret`, then `err`;
    /// then `value` is the block's value.
    pub(crate) fn exit_statements(&self, target: &Ident, value: &Ident) -> TokenStream {
        let v1 = self.v1;
        let ret_span = at(self.value_type_span.unwrap_or_else(Span::call_site));
        let ret = self.ret.then(|| {
            let uses = quote! {
                #[allow(unused_imports)]
                use #v1::{RetViaDebug as _, RetViaDisplay as _, RetViaTyped as _};
            };
            // The value may diverge (`panic!()` as the tail); the recording is then unreachable,
            // which is fine and not the user's concern.
            if self.err.is_some() {
                // With `err`, the error is the status and `ret` is the `Ok` value.
                let ok = hidden("__trace_ok");
                let tag = quote_spanned!(ret_span=> (&&&#v1::RetWrap(#ok)).__trace_ret());
                quote! {
                    #[allow(unreachable_code)]
                    if let ::core::result::Result::Ok(#ok) = &#value {
                        if #target.is_recording() {
                            #uses
                            #target.set_tag("ret", #tag);
                        }
                    }
                }
            } else {
                let tag = quote_spanned!(ret_span=> (&&&#v1::RetWrap(&#value)).__trace_ret());
                quote! {
                    #[allow(unreachable_code)]
                    if #target.is_recording() {
                        #uses
                        #target.set_tag("ret", #tag);
                    }
                }
            }
        });
        match self.err {
            Some(mode) => {
                let record = record_err(v1, mode, target, value);
                quote!(#ret #record)
            }
            None => quote!(#ret #value),
        }
    }
}

/// `record_err_display(value, &mut target)`: an expression that gives `value` back. Every token
/// sits at `err` (the runtime's path and the hidden locals re-located, same hygiene), so a missing
/// `Display`/`Debug` on the error type is reported there.
pub(crate) fn record_err(
    v1: &TokenStream,
    mode: &ErrMode,
    target: &Ident,
    value: &Ident,
) -> TokenStream {
    let span = at(mode.span);
    let f = record_err_fn(v1, mode);
    let target = Ident::new(&target.to_string(), span);
    let value = Ident::new(&value.to_string(), span);
    quote_spanned!(span=> #f(#value, &mut #target))
}

/// `future` in the span `span`, its error recorded when it completes (an expression).
pub(crate) fn record_err_in_future(
    v1: &TokenStream,
    mode: &ErrMode,
    span: &Ident,
    future: &TokenStream,
) -> TokenStream {
    let f = record_err_fn(v1, mode);
    quote!(#v1::Recorded::new(#future, #span, #f))
}

/// The path of `record_err_display` (or `record_err_debug`), every token at `err`.
fn record_err_fn(v1: &TokenStream, mode: &ErrMode) -> TokenStream {
    let span = at(mode.span);
    let f = Ident::new(
        if mode.debug {
            "record_err_debug"
        } else {
            "record_err_display"
        },
        span,
    );
    let path = respan(v1.clone(), span);
    quote_spanned!(span=> #path::#f)
}

/// `tokens` with every span replaced by `span`.
pub(crate) fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tt| {
            if let proc_macro2::TokenTree::Group(g) = &tt {
                let mut group = proc_macro2::Group::new(g.delimiter(), respan(g.stream(), span));
                group.set_span(span);
                tt = proc_macro2::TokenTree::Group(group);
            } else {
                tt.set_span(span);
            }
            tt
        })
        .collect()
}

/// Whether `expr` is a plain string literal such as `"POST"`.
fn is_str_literal(expr: &syn::Expr) -> bool {
    matches!(
        expr,
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(_),
            ..
        })
    )
}
