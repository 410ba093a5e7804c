//! What the macro needs to know about a function's signature: its parameter names, whether it is
//! a method, and what it returns (directly, or as the output of the future it returns).

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{
    FnArg, GenericArgument, Pat, PathArguments, ReturnType, Signature, Type, TypeParamBound,
};

/// A name a parameter binds, with the span of its type (where errors about recording it go).
pub(crate) struct Binding {
    pub(crate) name: String,
    pub(crate) type_span: Span,
}

/// Names bound by the parameters, in order; `self` for a receiver.
pub(crate) fn bindings(sig: &Signature) -> Vec<Binding> {
    let mut out = Vec::new();
    for input in &sig.inputs {
        match input {
            FnArg::Receiver(r) => out.push(Binding {
                name: "self".to_owned(),
                type_span: r.span(),
            }),
            FnArg::Typed(t) => pattern_names(&t.pat, t.ty.span(), &mut out),
        }
    }
    out
}

fn pattern_names(pat: &Pat, type_span: Span, out: &mut Vec<Binding>) {
    match pat {
        Pat::Ident(p) => {
            out.push(Binding {
                name: p.ident.to_string(),
                type_span,
            });
            if let Some((_, sub)) = &p.subpat {
                pattern_names(sub, type_span, out);
            }
        }
        Pat::Tuple(t) => t
            .elems
            .iter()
            .for_each(|p| pattern_names(p, type_span, out)),
        Pat::TupleStruct(t) => t
            .elems
            .iter()
            .for_each(|p| pattern_names(p, type_span, out)),
        Pat::Struct(s) => s
            .fields
            .iter()
            .for_each(|f| pattern_names(&f.pat, type_span, out)),
        Pat::Slice(s) => s
            .elems
            .iter()
            .for_each(|p| pattern_names(p, type_span, out)),
        Pat::Reference(r) => pattern_names(&r.pat, type_span, out),
        Pat::Type(t) => pattern_names(&t.pat, t.ty.span(), out),
        Pat::Paren(p) => pattern_names(&p.pat, type_span, out),
        _ => {}
    }
}

/// Whether the function is a method whose `Self` type can name its span: it has a receiver or
/// mentions `Self` in its signature. Other associated functions look like free functions to an
/// attribute and are named like them.
pub(crate) fn is_method(sig: &Signature) -> bool {
    sig.receiver().is_some() || mentions_self(sig.to_token_stream())
}

fn mentions_self(tokens: TokenStream) -> bool {
    tokens.into_iter().any(|tt| match tt {
        TokenTree::Ident(i) => i == "Self",
        TokenTree::Group(g) => mentions_self(g.stream()),
        _ => false,
    })
}

/// How the function produces its value.
pub(crate) enum Shape {
    /// A plain function.
    Sync,
    /// `async fn`.
    AsyncFn,
    /// Returns a future (`impl Future`, `Pin<Box<dyn Future>>`, `BoxFuture`) its body builds.
    ReturnsFuture,
}

pub(crate) fn shape(sig: &Signature) -> Shape {
    if sig.asyncness.is_some() {
        return Shape::AsyncFn;
    }
    match &sig.output {
        ReturnType::Type(_, ty) if future_output(ty).is_some() => Shape::ReturnsFuture,
        _ => Shape::Sync,
    }
}

/// What the caller eventually gets: the return type, or the future's output. `None` for `()`;
/// `Some(None)` for a future whose output type cannot be read off the signature.
pub(crate) fn value_type(sig: &Signature) -> Option<Option<&Type>> {
    let ReturnType::Type(_, ty) = &sig.output else {
        return None;
    };
    if sig.asyncness.is_some() {
        return Some(Some(ty));
    }
    match future_output(ty) {
        Some(output) => Some(output),
        None => Some(Some(ty)),
    }
}

/// `Some(output)` if `ty` is a future type, with its output type if visible.
fn future_output(ty: &Type) -> Option<Option<&Type>> {
    match ty {
        Type::ImplTrait(t) => bounds_output(t.bounds.iter()),
        Type::TraitObject(t) => bounds_output(t.bounds.iter()),
        Type::Paren(p) => future_output(&p.elem),
        Type::Group(g) => future_output(&g.elem),
        Type::Path(p) if p.qself.is_none() => {
            let last = p.path.segments.last()?;
            let name = last.ident.to_string();
            let PathArguments::AngleBracketed(args) = &last.arguments else {
                return None;
            };
            let types = args.args.iter().filter_map(|a| match a {
                GenericArgument::Type(t) => Some(t),
                _ => None,
            });
            if name == "Pin" || name == "Box" {
                types.clone().find_map(future_output)
            } else if name.ends_with("Future") {
                // `BoxFuture<'a, T>` and friends: the output is the last type argument.
                Some(types.last())
            } else {
                None
            }
        }
        _ => None,
    }
}

fn bounds_output<'a>(
    mut bounds: impl Iterator<Item = &'a TypeParamBound>,
) -> Option<Option<&'a Type>> {
    bounds.find_map(|b| {
        let TypeParamBound::Trait(t) = b else {
            return None;
        };
        let last = t.path.segments.last()?;
        if last.ident != "Future" {
            return None;
        }
        let PathArguments::AngleBracketed(args) = &last.arguments else {
            return Some(None);
        };
        Some(args.args.iter().find_map(|a| match a {
            GenericArgument::AssocType(at) if at.ident == "Output" => Some(&at.ty),
            _ => None,
        }))
    })
}

/// The last path segment's name, if `ty` is a path type.
fn last_segment(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        Type::Paren(p) => last_segment(&p.elem),
        Type::Group(g) => last_segment(&g.elem),
        _ => None,
    }
}

/// `Result`, `io::Result<T>`, `anyhow::Result<T>`, `fmt::Result`, ...
pub(crate) fn is_result(ty: &Type) -> bool {
    last_segment(ty).is_some_and(|s| s.ends_with("Result"))
}

pub(crate) fn is_option(ty: &Type) -> bool {
    last_segment(ty).is_some_and(|s| s == "Option")
}

/// `ty` with every `impl Trait` replaced by `_`, for a `let` annotation inside the body; `None`
/// when nothing would be left to annotate.
pub(crate) fn annotation(ty: &Type) -> Option<Type> {
    struct ImplToInfer;
    impl VisitMut for ImplToInfer {
        fn visit_type_mut(&mut self, ty: &mut Type) {
            if let Type::ImplTrait(t) = ty {
                *ty = Type::Infer(syn::TypeInfer {
                    underscore_token: syn::Token![_](t.impl_token.span),
                });
            } else {
                syn::visit_mut::visit_type_mut(self, ty);
            }
        }
    }
    // A copy through tokens: syn's `Clone` impls are a feature (`clone-impls`) whose build costs
    // more than re-parsing one type per function.
    let mut ty: Type = syn::parse2(ty.to_token_stream()).ok()?;
    ImplToInfer.visit_type_mut(&mut ty);
    match ty {
        Type::Infer(_) => None,
        ty => Some(ty),
    }
}

/// A type as a user would write it, for messages.
pub(crate) fn display(ty: &Type) -> String {
    let raw = ty.to_token_stream().to_string();
    let mut out = String::with_capacity(raw.len());
    let chars: Vec<char> = raw.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if *c == ' ' {
            let prev = i.checked_sub(1).map(|p| chars[p]);
            let next = chars.get(i + 1).copied();
            let glue_prev = matches!(prev, Some('<' | '&' | '(' | '[' | ':'));
            let glue_next = matches!(next, Some('<' | '>' | ',' | ')' | ']' | ':'));
            let after_lifetime_amp = prev == Some('\'');
            if glue_prev || glue_next || after_lifetime_amp {
                continue;
            }
        }
        out.push(*c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(s: &str) -> Type {
        syn::parse_str(s).unwrap()
    }

    #[test]
    fn reads_future_outputs() {
        let t = ty("impl Future<Output = Result<u8, E>> + Send");
        assert!(is_result(future_output(&t).unwrap().unwrap()));
        let t = ty("Pin<Box<dyn Future<Output = u8> + Send + 'async_trait>>");
        assert_eq!(display(future_output(&t).unwrap().unwrap()), "u8");
        let t = ty("BoxFuture<'a, io::Result<()>>");
        assert!(is_result(future_output(&t).unwrap().unwrap()));
        assert!(future_output(&ty("Vec<u8>")).is_none());
    }

    #[test]
    fn prints_types_compactly() {
        assert_eq!(display(&ty("Vec < u8 >")), "Vec<u8>");
        assert_eq!(
            display(&ty("& 'a mut HashMap<String, u8>")),
            "&'a mut HashMap<String, u8>"
        );
        assert_eq!(
            display(&ty("Result<impl Display, E>")),
            "Result<impl Display, E>"
        );
    }

    #[test]
    fn annotations_drop_impl_trait() {
        assert!(annotation(&ty("impl Display")).is_none());
        let a = annotation(&ty("Result<impl Display, E>")).unwrap();
        assert_eq!(display(&a), "Result<_, E>");
    }
}
