//! `#[traced]`: parse, validate, expand; on any error, the errors and the item as it was.

use proc_macro2::TokenStream;

use crate::args;
use crate::errors::Errors;
use crate::expand::{Expander, Expansion, runtime};
use crate::item::{self, NotTraceable};
use crate::validate;

pub(crate) fn expand(attr: TokenStream, input: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let args = args::parse(attr, &mut errors);
    let item = match item::parse(input.clone()) {
        Ok(item) => item,
        Err(NotTraceable::NoBody(semi)) => {
            errors.at(
                semi,
                "`#[traced]` needs a function body; put it on the method in the `impl`",
            );
            return with_item(&errors, input);
        }
        Err(NotTraceable::Other(error)) => {
            errors.push(error);
            return with_item(&errors, input);
        }
        Err(NotTraceable::Unparsable) => return with_item(&errors, input),
    };
    for attr in item.attrs.iter().filter(|a| item::is_traced(a)) {
        errors.spanned(attr, "`#[traced]` is applied twice; remove one");
    }
    validate::check(&args, &item.sig, &mut errors);
    if !errors.is_empty() {
        return with_item(&errors, input);
    }
    let expander = Expander {
        v1: runtime(args.krate.as_ref()),
        args: &args,
        item: &item,
    };
    match expander.expand() {
        Expansion::Failed(errors) => with_item(&errors, input),
        // Compiled out: the same checks ran, the code stays as written.
        _ if cfg!(feature = "off") => input,
        Expansion::Traced(tokens) => tokens,
        Expansion::Unchanged => input,
    }
}

/// The errors, then the item unchanged: the function still exists for the rest of the crate and
/// for rust-analyzer, so there are no knock-on errors.
fn with_item(errors: &Errors, item: TokenStream) -> TokenStream {
    let mut out = errors.to_compile_errors();
    out.extend(item);
    out
}
