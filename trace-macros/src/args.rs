//! The arguments of `#[traced(..)]`, parsed into a typed model. Each comma-separated argument is
//! parsed on its own, so every mistake is reported, each at its own token.

use std::collections::HashSet;

use proc_macro2::{Delimiter, Ident, Span, TokenStream, TokenTree};
use quote::quote;
use syn::{LitStr, Path};

use crate::errors::Errors;
use crate::split;
use crate::suggest::{backticked, closest};
use crate::tags::{self, Tag};

/// Everything `#[traced(..)]` was asked to do.
#[derive(Default)]
pub(crate) struct TracedArgs {
    pub(crate) name: Option<LitStr>,
    pub(crate) kind: Option<Kind>,
    /// Parameters to record, as written (the identifiers keep the user's spans and hygiene).
    pub(crate) args: Vec<Ident>,
    pub(crate) tags: Vec<Tag>,
    pub(crate) err: Option<ErrMode>,
    /// The `ret` token.
    pub(crate) ret: Option<Span>,
    /// The `root` token.
    pub(crate) root: Option<Span>,
    pub(crate) krate: Option<Path>,
}

/// A span kind, as the `SpanKind` variant it names.
pub(crate) struct Kind {
    pub(crate) variant: &'static str,
}

/// How `err` describes an error.
pub(crate) struct ErrMode {
    pub(crate) debug: bool,
    /// The `err` token.
    pub(crate) span: Span,
}

pub(crate) const ARGUMENTS: [&str; 8] = [
    "name", "kind", "args", "tags", "err", "ret", "root", "crate",
];
pub(crate) const KINDS: [(&str, &str); 5] = [
    ("server", "Server"),
    ("client", "Client"),
    ("producer", "Producer"),
    ("consumer", "Consumer"),
    ("internal", "Internal"),
];

/// What follows an argument's name.
pub(crate) enum Value<'a> {
    /// `root`
    Flag,
    /// `name = "x"`: the tokens after `=` (the `=` is the span for an empty value).
    Assign(&'a [TokenTree], Span),
    /// `args(a, b)`
    List(&'a proc_macro2::Group),
}

/// Splits an argument into its name and what follows; `None` after reporting a malformed one.
pub(crate) fn split_argument<'a>(
    entry: &'a split::Entry,
    what: &str,
    errors: &mut Errors,
) -> Option<(&'a Ident, Value<'a>)> {
    let Some((first, rest)) = entry.tokens.split_first() else {
        errors.at(entry.after, format!("expected {what} before this comma"));
        return None;
    };
    let TokenTree::Ident(key) = first else {
        errors.spanned(first, format!("expected {what}, found `{first}`"));
        return None;
    };
    let value = match rest {
        [] => Value::Flag,
        [TokenTree::Punct(eq), value @ ..] if eq.as_char() == '=' => {
            Value::Assign(value, eq.span())
        }
        [TokenTree::Group(g)] if g.delimiter() == Delimiter::Parenthesis => Value::List(g),
        [other, ..] => {
            errors.spanned(other, format!("expected `=`, `(..)` or `,` after `{key}`"));
            return None;
        }
    };
    Some((key, value))
}

/// Parses the attribute's arguments; what is well-formed is kept even when other parts are not.
pub(crate) fn parse(attr: TokenStream, errors: &mut Errors) -> TracedArgs {
    let mut out = TracedArgs::default();
    let mut seen = HashSet::new();
    for entry in split::entries(attr, Span::call_site()) {
        let Some((key, value)) = split_argument(&entry, "an argument", errors) else {
            continue;
        };
        let name = key.to_string();
        if !ARGUMENTS.contains(&name.as_str()) {
            errors.at(key.span(), unknown_argument(&name));
            continue;
        }
        if !seen.insert(name.clone()) {
            errors.at(key.span(), format!("duplicate argument `{name}`"));
            continue;
        }
        match name.as_str() {
            "name" => out.name = parse_name(key, &value, errors),
            "kind" => out.kind = parse_kind(key, &value, errors),
            "args" => out.args = parse_args(key, &value, errors),
            "tags" => match value {
                Value::List(g) => out.tags = tags::parse(g, errors),
                _ => errors.at(
                    key.span(),
                    "`tags` expects a list, e.g. `tags(http.method = method)`",
                ),
            },
            "err" => out.err = parse_err(key, &value, errors),
            "ret" => out.ret = parse_flag(key, &value, errors),
            "root" => out.root = parse_flag(key, &value, errors),
            _ => out.krate = parse_crate(key, &value, errors),
        }
    }
    out
}

pub(crate) fn unknown_argument(name: &str) -> String {
    let expected = backticked(&ARGUMENTS);
    match closest(name, &ARGUMENTS) {
        Some(near) => {
            format!("unknown argument `{name}`; did you mean `{near}`? expected one of {expected}")
        }
        None => format!("unknown argument `{name}`; expected one of {expected}"),
    }
}

fn parse_name(key: &Ident, value: &Value<'_>, errors: &mut Errors) -> Option<LitStr> {
    const HELP: &str = "`name` expects a string literal, e.g. `name = \"checkout\"`";
    match value {
        Value::Assign([TokenTree::Literal(lit)], _) => match syn::parse2::<LitStr>(quote!(#lit)) {
            Ok(s) if s.value().is_empty() => {
                errors.at(s.span(), "span name must not be empty");
                None
            }
            Ok(s) => Some(s),
            Err(_) => {
                errors.at(lit.span(), HELP);
                None
            }
        },
        Value::Assign([], eq) => {
            errors.at(*eq, HELP);
            None
        }
        Value::Assign(tokens, _) => {
            errors.spanned(tokens.iter().cloned().collect::<TokenStream>(), HELP);
            None
        }
        _ => {
            errors.at(key.span(), HELP);
            None
        }
    }
}

pub(crate) fn kind_message(found: &str) -> String {
    let expected: Vec<&str> = KINDS.iter().map(|(k, _)| *k).collect();
    format!(
        "unknown kind `{found}`; expected one of {}",
        backticked(&expected)
    )
}

pub(crate) fn parse_kind(key: &Ident, value: &Value<'_>, errors: &mut Errors) -> Option<Kind> {
    let expected: Vec<&str> = KINDS.iter().map(|(k, _)| *k).collect();
    let help = format!(
        "`kind` expects one of {}, e.g. `kind = server`",
        backticked(&expected)
    );
    match value {
        Value::Assign([TokenTree::Ident(ident)], _) => {
            let found = ident.to_string();
            if let Some((_, variant)) = KINDS.iter().find(|(k, _)| *k == found) {
                Some(Kind { variant })
            } else {
                errors.at(ident.span(), kind_message(&found));
                None
            }
        }
        Value::Assign([], eq) => {
            errors.at(*eq, help);
            None
        }
        Value::Assign(tokens, _) => {
            errors.spanned(tokens.iter().cloned().collect::<TokenStream>(), help);
            None
        }
        _ => {
            errors.at(key.span(), help);
            None
        }
    }
}

fn parse_args(key: &Ident, value: &Value<'_>, errors: &mut Errors) -> Vec<Ident> {
    const HELP: &str = "`args` lists parameters to record, e.g. `args(user_id, limit)`";
    let Value::List(group) = value else {
        errors.at(key.span(), HELP);
        return Vec::new();
    };
    let mut out: Vec<Ident> = Vec::new();
    for entry in split::entries(group.stream(), group.span_close()) {
        match entry.tokens.as_slice() {
            [TokenTree::Ident(ident)] => {
                if out.iter().any(|seen| seen == ident) {
                    errors.at(ident.span(), format!("`{ident}` is listed twice"));
                } else {
                    out.push(ident.clone());
                }
            }
            [] => errors.at(entry.after, HELP),
            tokens => errors.spanned(tokens.iter().cloned().collect::<TokenStream>(), HELP),
        }
    }
    out
}

fn parse_err(key: &Ident, value: &Value<'_>, errors: &mut Errors) -> Option<ErrMode> {
    const HELP: &str = "`err` takes `Debug` or `Display`: write `err` or `err(Debug)`";
    let debug = match value {
        Value::Flag => false,
        Value::List(group) => {
            let tokens: Vec<TokenTree> = group.stream().into_iter().collect();
            match tokens.as_slice() {
                [TokenTree::Ident(i)] if i == "Debug" => true,
                [TokenTree::Ident(i)] if i == "Display" => false,
                [] => {
                    errors.at(group.span(), HELP);
                    return None;
                }
                other => {
                    errors.spanned(other.iter().cloned().collect::<TokenStream>(), HELP);
                    return None;
                }
            }
        }
        Value::Assign(tokens, eq) => {
            let message = "`err` takes no value; write `err` or `err(Debug)`";
            if tokens.is_empty() {
                errors.at(*eq, message);
            } else {
                errors.spanned(tokens.iter().cloned().collect::<TokenStream>(), message);
            }
            return None;
        }
    };
    Some(ErrMode {
        debug,
        span: key.span(),
    })
}

pub(crate) fn parse_flag(key: &Ident, value: &Value<'_>, errors: &mut Errors) -> Option<Span> {
    let message = format!("`{key}` takes no value");
    match value {
        Value::Flag => Some(key.span()),
        Value::Assign([], eq) => {
            errors.at(*eq, message);
            None
        }
        Value::Assign(tokens, _) => {
            errors.spanned(tokens.iter().cloned().collect::<TokenStream>(), message);
            None
        }
        Value::List(group) => {
            errors.at(group.span(), message);
            None
        }
    }
}

fn parse_crate(key: &Ident, value: &Value<'_>, errors: &mut Errors) -> Option<Path> {
    const HELP: &str = "`crate` expects a path, e.g. `crate = ::my_facade::trace`";
    match value {
        Value::Assign([], eq) => {
            errors.at(*eq, HELP);
            None
        }
        Value::Assign(tokens, _) => {
            let tokens: TokenStream = tokens.iter().cloned().collect();
            match syn::parse2::<Path>(tokens.clone()) {
                Ok(path) => Some(path),
                Err(_) => {
                    errors.spanned(tokens, HELP);
                    None
                }
            }
        }
        _ => {
            errors.at(key.span(), HELP);
            None
        }
    }
}
