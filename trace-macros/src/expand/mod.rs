//! Code generation. The user's tokens are re-emitted with their own spans; everything the macro
//! adds is spanned with `Span::mixed_site()` (so hidden locals can neither be seen nor shadowed by
//! user code) and names the runtime by absolute path through its versioned private module.

mod exits;
mod future;
mod record;
mod sync;

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};
use syn::ext::IdentExt;
use syn::{Path, Signature};

use crate::args::{Kind, TracedArgs};
use crate::errors::Errors;
use crate::item::FnItem;
use crate::signature::{self, Shape};
use crate::tags::Tag;

pub(crate) use record::{Recording, at, record_err, record_err_in_future, respan};

/// What the expansion of a function came to.
pub(crate) enum Expansion {
    Traced(TokenStream),
    /// The body does not parse: emit it unchanged and let rustc report it.
    Unchanged,
    Failed(Errors),
}

/// `<crate>::__private::v1`.
pub(crate) fn runtime(krate: Option<&Path>) -> TokenStream {
    match krate {
        Some(path) => quote!(#path::__private::v1),
        None => quote!(::trace_core::__private::v1),
    }
}

/// A hidden local: invisible to, and unaffected by, the user's code.
pub(crate) fn hidden(name: &str) -> Ident {
    Ident::new(name, Span::mixed_site())
}

/// `SpanKind::X`.
pub(crate) fn kind(v1: &TokenStream, kind: Option<&Kind>) -> TokenStream {
    let variant = format_ident!("{}", kind.map_or("Internal", |k| k.variant));
    quote!(#v1::SpanKind::#variant)
}

/// How the call site's static metadata is named.
pub(crate) enum SiteName<'a> {
    /// A name given as an expression of type `&'static str` (a literal or a const).
    Given(TokenStream),
    /// The default for this function.
    Default(&'a Signature),
}

/// The expression that yields the call site's `&'static Callsite`. For anything but a method it
/// is a constant the compiler promotes to a `'static` (`&const { .. }`), so no item is declared;
/// a method's call site is a `static`, as it caches its `Self` type's name.
pub(crate) fn callsite(v1: &TokenStream, name: SiteName<'_>, kind: Option<&Kind>) -> TokenStream {
    let location = quote!(::core::file!(), ::core::line!());
    match name {
        SiteName::Given(name) => {
            let kind = self::kind(v1, kind);
            quote!(&const { #v1::Callsite::new(#name, #kind, ::core::module_path!(), #location) })
        }
        SiteName::Default(sig) if signature::is_method(sig) => {
            let site = hidden("CALLSITE");
            let method = sig.ident.unraw().to_string();
            let kind = self::kind(v1, kind);
            quote!({
                static #site: #v1::MethodCallsite =
                    #v1::MethodCallsite::new(#method, #kind, ::core::module_path!(), #location);
                #site.get(::core::any::type_name::<Self>())
            })
        }
        SiteName::Default(sig) => {
            let path = format!("::{}", sig.ident.unraw());
            let path = quote!(::core::concat!(::core::module_path!(), #path));
            match kind.filter(|k| k.variant != "Internal") {
                None => quote!(&const { #v1::site(#path, #location) }),
                Some(kind) => {
                    let kind = self::kind(v1, Some(kind));
                    quote!(&const { #v1::site_kind(#path, #kind, #location) })
                }
            }
        }
    }
}

/// Shared by the expansions of one function.
pub(crate) struct Expander<'a> {
    pub(crate) v1: TokenStream,
    pub(crate) args: &'a TracedArgs,
    pub(crate) item: &'a FnItem,
}

impl Expander<'_> {
    /// `SpanGuard::enter(<call site>)` or the `Span::start` equivalent.
    fn open(&self, guard: bool) -> TokenStream {
        let v1 = &self.v1;
        let name = match &self.args.name {
            Some(lit) => SiteName::Given(quote!(#lit)),
            None => SiteName::Default(&self.item.sig),
        };
        let site = callsite(v1, name, self.args.kind.as_ref());
        let open = match (guard, self.args.root.is_some()) {
            (true, false) => quote!(#v1::SpanGuard::enter),
            (true, true) => quote!(#v1::SpanGuard::enter_root),
            (false, false) => quote!(#v1::Span::start),
            (false, true) => quote!(#v1::Span::start_root),
        };
        quote!(#open(#site))
    }

    fn recording(&self) -> Recording<'_> {
        let value_type = signature::value_type(&self.item.sig).flatten();
        Recording {
            v1: &self.v1,
            args: &self.args.args,
            bindings: signature::bindings(&self.item.sig),
            tags: &self.args.tags,
            err: self.args.err.as_ref(),
            ret: self.args.ret.is_some(),
            value_type_span: value_type.map(syn::spanned::Spanned::span),
        }
    }

    /// The traced function, or why it cannot be.
    pub(crate) fn expand(&self) -> Expansion {
        match signature::shape(&self.item.sig) {
            Shape::Sync => self.sync_fn(),
            Shape::AsyncFn => Expansion::Traced(self.async_fn()),
            Shape::ReturnsFuture => self.future_fn(),
        }
    }

    /// `#attrs #vis #sig { #inner_attrs #body }`.
    fn function(&self, body: TokenStream) -> TokenStream {
        let FnItem {
            attrs, vis, sig, ..
        } = self.item;
        let inner = &self.item.body.inner_attrs;
        let mut block =
            proc_macro2::Group::new(proc_macro2::Delimiter::Brace, quote!(#(#inner)* #body));
        block.set_span(self.item.body.brace_span.join());
        quote!(#(#attrs)* #vis #sig #block)
    }
}

/// Statements that set `tags` (and the recorded `args`) on `target` when it records.
pub(crate) fn tag_statements(v1: &TokenStream, target: &Ident, tags: &[Tag]) -> TokenStream {
    Recording {
        v1,
        args: &[],
        bindings: Vec::new(),
        tags,
        err: None,
        ret: false,
        value_type_span: None,
    }
    .tag_statements(target)
}

/// Errors for one function, spanned where the user must act.
pub(crate) fn fail(errors: Errors) -> Expansion {
    Expansion::Failed(errors)
}
