//! Plain functions: a guard local opened before the body, so the span is current for the whole
//! body and ends after the body's own locals are dropped, whichever way it returns or unwinds.

use quote::quote;
use syn::Block;
use syn::parse::Parser;

use super::exits::{self, Exits, Question};
use super::{Expander, Expansion, hidden};
use crate::signature;

impl Expander<'_> {
    pub(super) fn sync_fn(&self) -> Expansion {
        let guard = hidden("__trace_guard");
        let recording = self.recording();
        let open = self.open(true);
        let tags = recording.tag_statements(&guard);
        let mutability = (recording.sets_tags() || recording.records_exit()).then(|| quote!(mut));
        let stmts = &self.item.body.stmts;
        let body = if recording.records_exit() {
            // Only now is the body parsed: a body that does not parse is the user's to fix, and
            // rustc says so once.
            let Ok(mut stmts) = Block::parse_within.parse2(stmts.clone()) else {
                return Expansion::Unchanged;
            };
            let value_type = signature::value_type(&self.item.sig).flatten();
            let annotation = value_type.and_then(signature::annotation);
            let question = match value_type {
                Some(ty) if signature::is_result(ty) => Question::Result,
                Some(ty) if signature::is_option(ty) => Question::Option,
                _ => Question::Leave,
            };
            let value = hidden("__trace_ret");
            let record = recording.exit_statements(&guard, &value);
            let wrap = |tokens: proc_macro2::TokenStream, span, may_diverge| {
                exits::through(&tokens, span, annotation.as_ref(), &record, may_diverge)
            };
            Exits {
                wrap: &wrap,
                question,
            }
            .rewrite(&mut stmts);
            quote!(#(#stmts)*)
        } else {
            stmts.clone()
        };
        Expansion::Traced(self.function(quote! {
            let #mutability #guard = #open;
            #tags
            #body
        }))
    }
}
