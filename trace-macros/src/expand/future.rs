//! Functions whose value is a future: the span is opened when the future is made (for `async fn`,
//! when it is first polled, which is when its body starts) and is entered on every poll until the
//! future completes, so spans opened inside find it as their parent after every `.await`.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote, quote_spanned};
use syn::parse::Parser;
use syn::{Block, Expr, Stmt};

use super::{Expander, Expansion, fail, hidden, respan};
use crate::errors::Errors;
use crate::signature;

const CANNOT_FOLLOW: &str = "`#[traced]` can only follow the future when the body ends in an \
                             `async` block or `Box::pin(async move { .. })`; rewrite it as `async fn`";

impl Expander<'_> {
    /// `async fn`: the body moves into an `async move` block run inside the span.
    pub(super) fn async_fn(&self) -> TokenStream {
        let span = hidden("__trace_span");
        let recording = self.recording();
        let open = self.open(false);
        let tags = recording.tag_statements(&span);
        let mutability = recording.sets_tags().then(|| quote!(mut));
        let hint = self.output_hint();
        let stmts = &self.item.body.stmts;
        let future = quote!(async move { #hint #stmts });
        let run = self.run_in_span(&future, &span);
        self.function(quote! {
            let #mutability #span = #open;
            #tags
            #run.await
        })
    }

    /// A function returning a future its body builds: the final `async` block (possibly inside
    /// `Box::pin`) runs inside the span; statements before it run before the future exists.
    pub(super) fn future_fn(&self) -> Expansion {
        let Ok(mut stmts) = Block::parse_within.parse2(self.item.body.stmts.clone()) else {
            return Expansion::Unchanged;
        };
        let span = hidden("__trace_span");
        let Some(slot) = stmts.last_mut().and_then(final_async_block) else {
            let mut errors = Errors::default();
            match stmts.last() {
                Some(Stmt::Expr(tail, None)) => errors.spanned(tail, CANNOT_FOLLOW),
                _ => errors.at(self.item.body.brace_span.close(), CANNOT_FOLLOW),
            }
            return fail(errors);
        };
        if let (Expr::Async(block), Some(hint)) = (&mut *slot, self.output_hint())
            && let Ok(hint) = syn::parse2::<Stmt>(hint)
        {
            block.block.stmts.insert(0, hint);
        }
        let run = self.run_in_span(&slot.to_token_stream(), &span);
        *slot = Expr::Verbatim(run);
        let recording = self.recording();
        let open = self.open(false);
        let tags = recording.tag_statements(&span);
        let mutability = recording.sets_tags().then(|| quote!(mut));
        Expansion::Traced(self.function(quote! {
            let #mutability #span = #open;
            #tags
            #(#stmts)*
        }))
    }

    /// `future` in the span `span`, recording its output when asked to (an expression).
    fn run_in_span(&self, future: &TokenStream, span: &proc_macro2::Ident) -> TokenStream {
        let v1 = &self.v1;
        let recording = self.recording();
        if !recording.records_exit() {
            return quote!(#v1::FutureExt::in_span(#future, #span));
        }
        if let (Some(mode), false) = (recording.err, recording.ret) {
            return crate::expand::record_err_in_future(v1, mode, span, future);
        }
        let value = hidden("__trace_ret");
        let inner = hidden("__trace_future");
        let record = recording.exit_statements(span, &value);
        quote!({
            let #inner = #future;
            async move {
                let (#value, mut #span) = #v1::Instrumented::new(#inner, #span).await;
                #record
            }
        })
    }

    /// `if false { return hint::<T>(); }`: an exit that never runs and tells type inference what
    /// the async block returns, so `?` and `.into()` in it work as they did in the function.
    fn output_hint(&self) -> Option<TokenStream> {
        let ty = signature::value_type(&self.item.sig).flatten()?;
        let ty = signature::annotation(ty)?;
        // Spanned at the return type, which rustc then names as where the type comes from.
        let span = crate::expand::at(syn::spanned::Spanned::span(&ty));
        let v1 = respan(self.v1.clone(), span);
        Some(quote_spanned! {span=>
            if false {
                return #v1::hint::<#ty>();
            }
        })
    }
}

/// The `async` block a body ends in: `async { .. }` or `Box::pin(async move { .. })`.
fn final_async_block(stmt: &mut Stmt) -> Option<&mut Expr> {
    let Stmt::Expr(tail, None) = stmt else {
        return None;
    };
    match tail {
        Expr::Async(_) => Some(tail),
        Expr::Call(call) if call.args.len() == 1 && is_pin(&call.func) => {
            match call.args.first_mut() {
                Some(block @ Expr::Async(_)) => Some(block),
                _ => None,
            }
        }
        _ => None,
    }
}

/// `Box::pin`, `std::boxed::Box::pin`, `pin` (as imported from `Box`).
fn is_pin(func: &Expr) -> bool {
    let Expr::Path(path) = func else {
        return false;
    };
    let segments: Vec<String> = path
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    matches!(segments.as_slice(), [.., box_, pin] if box_ == "Box" && pin == "pin")
}
