//! `trace!`: a child span for a scope, a block or an async block.

use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};
use quote::quote;
use syn::LitStr;

use crate::args::{self, ErrMode, Kind, Value};
use crate::errors::Errors;
use crate::expand::{SiteName, callsite, hidden, runtime, tag_statements};
use crate::split;
use crate::suggest::{backticked, closest};
use crate::tags::{self, Tag};

const OPTIONS: [&str; 3] = ["kind", "tags", "err"];

enum Body {
    Block(TokenStream),
    Async(TokenStream),
}

#[derive(Default)]
struct Options {
    kind: Option<Kind>,
    tags: Vec<Tag>,
    err: Option<ErrMode>,
}

pub(crate) fn expand(input: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let entries = split::entries(input, Span::call_site());
    let Some((first, rest)) = entries.split_first() else {
        errors.at(
            Span::call_site(),
            "expected a span name: `trace!(\"name\")`, `trace!(\"name\", { .. })` or \
             `trace!(\"name\", async { .. })`",
        );
        return errors.to_compile_errors();
    };
    let name = parse_name(first, &mut errors);
    let (options, body) = match rest.split_last() {
        Some((last, options)) if starts_body(&last.tokens) => {
            (options, Some(parse_body(last, &mut errors)))
        }
        _ => (rest, None),
    };
    let options = parse_options(options, &mut errors);
    if let (Some(err), None) = (&options.err, &body) {
        errors.at(
            err.span,
            "`err` needs a body that evaluates to a `Result`: `trace!(\"name\", err, { .. })`",
        );
    }
    if !errors.is_empty() || cfg!(feature = "off") {
        let out = errors.to_compile_errors();
        return match body {
            Some(Body::Block(b) | Body::Async(b)) => quote!({ #out #b }),
            None => out,
        };
    }
    let Some(name) = name else {
        return errors.to_compile_errors();
    };
    generate(&name, &options, body)
}

fn parse_name(entry: &split::Entry, errors: &mut Errors) -> Option<TokenStream> {
    const HELP: &str =
        "span name must be a string literal or a `const`; put dynamic values in a tag";
    match entry.tokens.as_slice() {
        [TokenTree::Literal(lit)] => match syn::parse2::<LitStr>(quote!(#lit)) {
            Ok(s) if s.value().is_empty() => {
                errors.at(s.span(), "span name must not be empty");
                None
            }
            Ok(s) => Some(quote!(#s)),
            Err(_) => {
                errors.at(lit.span(), HELP);
                None
            }
        },
        tokens if is_const_path(tokens) => Some(tokens.iter().cloned().collect()),
        [] => {
            errors.at(entry.after, HELP);
            None
        }
        tokens => {
            errors.spanned(tokens.iter().cloned().collect::<TokenStream>(), HELP);
            None
        }
    }
}

/// `NAME` or `names::CHECKOUT`: a path whose last segment is in SCREAMING_CASE, as constants are.
fn is_const_path(tokens: &[TokenTree]) -> bool {
    let Ok(path) = syn::parse2::<syn::Path>(tokens.iter().cloned().collect()) else {
        return false;
    };
    path.segments.last().is_some_and(|s| {
        let name = s.ident.to_string();
        s.arguments.is_empty()
            && name.chars().any(|c| c.is_ascii_uppercase())
            && name
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    })
}

fn starts_body(tokens: &[TokenTree]) -> bool {
    match tokens {
        [TokenTree::Group(g), ..] => g.delimiter() == Delimiter::Brace,
        [TokenTree::Ident(a), ..] => *a == "async",
        _ => false,
    }
}

fn parse_body(entry: &split::Entry, errors: &mut Errors) -> Body {
    let tokens = &entry.tokens;
    let (is_async, len) = match tokens.as_slice() {
        [
            TokenTree::Ident(a),
            TokenTree::Ident(m),
            TokenTree::Group(g),
            ..,
        ] if *a == "async" && *m == "move" && g.delimiter() == Delimiter::Brace => (true, 3),
        [TokenTree::Ident(a), TokenTree::Group(g), ..]
            if *a == "async" && g.delimiter() == Delimiter::Brace =>
        {
            (true, 2)
        }
        [TokenTree::Group(_), ..] if !tokens.is_empty() => (false, 1),
        _ => {
            errors.spanned(
                tokens.iter().cloned().collect::<TokenStream>(),
                "expected a block `{ .. }` or an async block `async move { .. }`",
            );
            (false, tokens.len())
        }
    };
    let (body, extra) = tokens.split_at(len.min(tokens.len()));
    if !extra.is_empty() {
        errors.spanned(
            extra.iter().cloned().collect::<TokenStream>(),
            "unexpected tokens after the body",
        );
    }
    let body: TokenStream = body.iter().cloned().map(rebrace).collect();
    if is_async {
        Body::Async(body)
    } else {
        Body::Block(body)
    }
}

/// The block's braces become the macro's (same place, macro hygiene): they now delimit the span's
/// scope, so `unused_braces` must not fire on them as if the user had written `{ { .. } }`.
fn rebrace(tt: TokenTree) -> TokenTree {
    match tt {
        TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => {
            let mut rebraced = proc_macro2::Group::new(Delimiter::Brace, g.stream());
            rebraced.set_span(crate::expand::at(g.span()));
            TokenTree::Group(rebraced)
        }
        other => other,
    }
}

fn parse_options(entries: &[split::Entry], errors: &mut Errors) -> Options {
    let mut out = Options::default();
    let mut seen = Vec::new();
    for entry in entries {
        if starts_body(&entry.tokens) {
            errors.spanned(
                entry.tokens.iter().cloned().collect::<TokenStream>(),
                "the body goes last: `trace!(\"name\", kind = client, { .. })`",
            );
            continue;
        }
        let Some((key, value)) = args::split_argument(entry, "an option", errors) else {
            continue;
        };
        let name = key.to_string();
        if !OPTIONS.contains(&name.as_str()) {
            errors.at(key.span(), unknown_option(&name));
            continue;
        }
        if seen.contains(&name) {
            errors.at(key.span(), format!("duplicate option `{name}`"));
            continue;
        }
        seen.push(name.clone());
        match (name.as_str(), &value) {
            ("kind", _) => out.kind = args::parse_kind(key, &value, errors),
            ("tags", Value::List(group)) => out.tags = tags::parse(group, errors),
            ("tags", _) => errors.at(
                key.span(),
                "`tags` expects a list, e.g. `tags(http.method = method)`",
            ),
            (_, Value::Flag) => {
                out.err = Some(ErrMode {
                    debug: false,
                    span: key.span(),
                });
            }
            (_, Value::List(group)) => {
                let inner: Vec<TokenTree> = group.stream().into_iter().collect();
                match inner.as_slice() {
                    [TokenTree::Ident(i)] if i == "Debug" || i == "Display" => {
                        out.err = Some(ErrMode {
                            debug: i == "Debug",
                            span: key.span(),
                        });
                    }
                    _ => errors.at(
                        group.span(),
                        "`err` takes `Debug` or `Display`: write `err` or `err(Debug)`",
                    ),
                }
            }
            (_, Value::Assign(..)) => errors.at(
                key.span(),
                "`err` takes no value; write `err` or `err(Debug)`",
            ),
        }
    }
    out
}

fn unknown_option(name: &str) -> String {
    let expected = backticked(&OPTIONS);
    if closest(name, &["name"]).is_some() {
        return format!(
            "unknown option `{name}`; the span name is the first argument, \
             `trace!(\"name\", ..)`; expected one of {expected}"
        );
    }
    match closest(name, &OPTIONS) {
        Some(near) => {
            format!("unknown option `{name}`; did you mean `{near}`? expected one of {expected}")
        }
        None => format!("unknown option `{name}`; expected one of {expected}"),
    }
}

fn generate(name: &TokenStream, options: &Options, body: Option<Body>) -> TokenStream {
    let v1 = runtime(None);
    let site = callsite(&v1, SiteName::Given(name.clone()), options.kind.as_ref());
    let mutable = (!options.tags.is_empty()).then(|| quote!(mut));
    match body {
        None => {
            let guard = hidden("__trace_guard");
            let tags = tag_statements(&v1, &guard, &options.tags);
            // The leading `();` does nothing as a statement; used as an expression
            // (`let g = trace!("a");`) it makes rustc say that `trace!` is "likely invalid in
            // expression context" rather than something about `let` in conditions.
            quote! {
                ();
                let #mutable #guard = #v1::SpanGuard::enter(#site);
                #tags
            }
        }
        Some(Body::Block(block)) => {
            let guard = hidden("__trace_guard");
            let tags = tag_statements(&v1, &guard, &options.tags);
            let Some(err) = &options.err else {
                return quote!({
                    let #mutable #guard = #v1::SpanGuard::enter(#site);
                    #tags
                    #block
                });
            };
            let value = hidden("__trace_value");
            let record = crate::expand::record_err(&v1, err, &guard, &value);
            quote!({
                let mut #guard = #v1::SpanGuard::enter(#site);
                #tags
                let #value = #block;
                #record
            })
        }
        Some(Body::Async(future)) => {
            let span = hidden("__trace_span");
            let tags = tag_statements(&v1, &span, &options.tags);
            let Some(err) = &options.err else {
                return quote!({
                    let #mutable #span = #v1::Span::start(#site);
                    #tags
                    #v1::FutureExt::in_span(#future, #span)
                });
            };
            let record = crate::expand::record_err_in_future(&v1, err, &span, &future);
            quote!({
                let #mutable #span = #v1::Span::start(#site);
                #tags
                #record
            })
        }
    }
}
