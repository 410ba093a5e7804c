//! Checks the arguments against the function they annotate.

use quote::ToTokens;
use syn::ReturnType;

use crate::args::TracedArgs;
use crate::errors::Errors;
use crate::signature::{self, Binding};
use crate::suggest::backticked;

pub(crate) fn check(args: &TracedArgs, sig: &syn::Signature, errors: &mut Errors) {
    if let Some(constness) = &sig.constness {
        errors.at(
            constness.span,
            "`#[traced]` cannot be used on a `const fn`: spans are recorded at run time",
        );
    }
    let bindings = signature::bindings(sig);
    for arg in &args.args {
        check_arg(arg, &bindings, errors);
    }
    for tag in &args.tags {
        if args.args.iter().any(|a| *a == tag.key) {
            errors.spanned(
                &tag.key_tokens,
                format!("tag `{}` is also recorded from `args`; remove one", tag.key),
            );
        }
    }
    if let Some(err) = &args.err {
        match signature::value_type(sig) {
            None => errors.at(
                err.span,
                "`err` needs a `Result` return type; this function returns `()`",
            ),
            Some(Some(ty)) if !signature::is_result(ty) => errors.spanned(
                ty.to_token_stream(),
                format!(
                    "`err` needs a function that returns `Result<_, _>`; this one returns `{}`",
                    signature::display(ty)
                ),
            ),
            // A `Result`, or a future whose output the signature does not show.
            Some(_) => {}
        }
    }
    if let (Some(ret), ReturnType::Default) = (args.ret, &sig.output) {
        errors.at(
            ret,
            "`ret` records the return value, but this function returns `()`; remove `ret`",
        );
    }
}

fn check_arg(arg: &proc_macro2::Ident, bindings: &[Binding], errors: &mut Errors) {
    if bindings.iter().any(|b| *arg == b.name) {
        return;
    }
    if arg == "self" {
        errors.at(
            arg.span(),
            "cannot record `self`: this function has no receiver",
        );
        return;
    }
    let names: Vec<&str> = bindings.iter().map(|b| b.name.as_str()).collect();
    let message = if names.is_empty() {
        format!("no parameter named `{arg}`; this function has no parameters")
    } else {
        format!(
            "no parameter named `{arg}`; this function's parameters are {}",
            backticked(&names)
        )
    };
    errors.at(arg.span(), message);
}
