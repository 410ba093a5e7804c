//! Every way a sync function can return a value, rewritten to pass the value through the
//! recording code first, without a closure around the body (which would break `#[track_caller]`,
//! `return` in nested positions and borrow-checking of the body as written).
//!
//! - the tail expression `e` becomes `{ let r: R = e; <record r and yield it> }`;
//! - `return e` becomes `return { let r: R = e; <record r and yield it> }`;
//! - `e?` becomes `match e { Ok(v) => v, Err(e) => return <as above>(Err(From::from(e))) }`
//!   (`Some`/`None` for a function returning `Option`), which is what `?` desugars to for these
//!   two types.
//!
//! Closures, async blocks, const blocks and nested items have their own `return` and `?` and are
//! left alone; so are macro invocations, whose tokens are not parsed (a `?` or `return` inside
//! `vec![..]` or similar leaves the function without being recorded, though the span still ends).

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::visit_mut::{self, VisitMut};
use syn::{Expr, Item, Stmt};

use super::hidden;
use super::record::at;

/// What `?` means in this function, as far as the rewrite is concerned.
#[derive(Clone, Copy)]
pub(crate) enum Question {
    Result,
    Option,
    /// Some other `Try` type: left as is, so such exits are not recorded.
    Leave,
}

pub(crate) struct Exits<'a> {
    /// Wraps a returned value (tokens) into an expression that records it and yields it; the flag
    /// says whether the value is the user's (which may diverge) rather than the macro's.
    pub(crate) wrap: &'a dyn Fn(TokenStream, Span, bool) -> TokenStream,
    pub(crate) question: Question,
}

impl Exits<'_> {
    /// Rewrites the body's statements; the tail expression, if any, is wrapped too.
    pub(crate) fn rewrite(&mut self, stmts: &mut [Stmt]) {
        for stmt in stmts.iter_mut() {
            self.visit_stmt_mut(stmt);
        }
        if let Some(Stmt::Expr(tail, None)) = stmts.last_mut()
            && !diverges(tail)
        {
            let span = tail.span();
            let wrapped = (self.wrap)(tail.to_token_stream(), span, true);
            *tail = Expr::Verbatim(wrapped);
        }
    }
}

impl VisitMut for Exits<'_> {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        match expr {
            Expr::Closure(_)
            | Expr::Async(_)
            | Expr::Const(_)
            | Expr::Macro(_)
            | Expr::TryBlock(_) => {}
            Expr::Return(ret) => {
                if let Some(value) = &mut ret.expr {
                    self.visit_expr_mut(value);
                }
                let span = ret
                    .expr
                    .as_ref()
                    .map_or(ret.return_token.span, |e| e.span());
                let value = ret
                    .expr
                    .take()
                    .map_or_else(|| quote_spanned!(at(span)=> ()), |e| e.to_token_stream());
                ret.expr = Some(Box::new(Expr::Verbatim((self.wrap)(value, span, true))));
            }
            Expr::Try(t) => {
                self.visit_expr_mut(&mut t.expr);
                let span = at(t.question_token.span);
                let inner = &t.expr;
                let v = hidden("__trace_value");
                let e = hidden("__trace_error");
                let rewritten = match self.question {
                    Question::Leave => return,
                    Question::Result => {
                        let exit = (self.wrap)(
                            quote_spanned!(span=> ::core::result::Result::Err(::core::convert::From::from(#e))),
                            t.question_token.span,
                            false,
                        );
                        quote_spanned! {span=>
                            match #inner {
                                ::core::result::Result::Ok(#v) => #v,
                                ::core::result::Result::Err(#e) => return #exit,
                            }
                        }
                    }
                    Question::Option => {
                        let exit = (self.wrap)(
                            quote_spanned!(span=> ::core::option::Option::None),
                            t.question_token.span,
                            false,
                        );
                        quote_spanned! {span=>
                            match #inner {
                                ::core::option::Option::Some(#v) => #v,
                                ::core::option::Option::None => return #exit,
                            }
                        }
                    }
                };
                *expr = Expr::Verbatim(rewritten);
            }
            _ => visit_mut::visit_expr_mut(self, expr),
        }
    }

    fn visit_item_mut(&mut self, _: &mut Item) {}
}

/// Whether a tail expression obviously never yields a value (`panic!()`, `return x`, `loop {}`
/// without `break`): it is left as it is, since binding it would only make clippy report it as a
/// diverging sub-expression.
fn diverges(expr: &Expr) -> bool {
    match expr {
        Expr::Return(_) | Expr::Break(_) | Expr::Continue(_) => true,
        Expr::Macro(m) => m.mac.path.segments.last().is_some_and(|s| {
            ["panic", "unreachable", "todo", "unimplemented"]
                .contains(&s.ident.to_string().as_str())
        }),
        Expr::Loop(l) => !mentions_break(l.body.to_token_stream()),
        _ => false,
    }
}

fn mentions_break(tokens: TokenStream) -> bool {
    tokens.into_iter().any(|tt| match tt {
        proc_macro2::TokenTree::Ident(i) => i == "break",
        proc_macro2::TokenTree::Group(g) => mentions_break(g.stream()),
        _ => false,
    })
}

/// `{ let r: R = value; <record r and yield it> }`. A value the user wrote may diverge
/// (`std::process::exit(1)` as the tail): the recording is then unreachable, which is fine and not
/// the user's concern, so rustc is told so (it warns once per block, at the first unreachable
/// statement).
pub(crate) fn through(
    value: &TokenStream,
    span: Span,
    annotation: Option<&syn::Type>,
    record: &TokenStream,
    may_diverge: bool,
) -> TokenStream {
    let r = hidden("__trace_ret");
    let annotation = annotation.map(|ty| quote!(: #ty));
    let record = if may_diverge {
        quote! {
            #[allow(unreachable_code)]
            let #r = { #record };
            #r
        }
    } else {
        record.clone()
    };
    quote_spanned! {at(span)=>
        {
            let #r #annotation = #value;
            #record
        }
    }
}
