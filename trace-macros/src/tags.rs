//! `tags(key = expr, http.method = expr, ..)`, shared by `#[traced]` and `trace!`.

use std::collections::HashSet;

use proc_macro2::{Group, Span, TokenStream, TokenTree};
use quote::quote;
use syn::Expr;

use crate::errors::Errors;
use crate::split;

/// One tag: a dotted key and the expression giving its value.
pub(crate) struct Tag {
    pub(crate) key: String,
    /// The key's tokens, for errors about it.
    pub(crate) key_tokens: TokenStream,
    pub(crate) value: Expr,
}

const KEY_HELP: &str = "tag names are identifiers or dotted paths like `http.method`";

/// Parses the inside of `tags(..)`, reporting each bad entry and keeping the good ones.
pub(crate) fn parse(group: &Group, errors: &mut Errors) -> Vec<Tag> {
    let mut tags: Vec<Tag> = Vec::new();
    let mut seen = HashSet::new();
    for entry in rejoin(split::entries(group.stream(), group.span_close())) {
        let Some(tag) = parse_entry(entry, errors) else {
            continue;
        };
        if seen.insert(tag.key.clone()) {
            tags.push(tag);
        } else {
            errors.spanned(&tag.key_tokens, format!("duplicate tag `{}`", tag.key));
        }
    }
    tags
}

fn parse_entry(entry: split::Entry, errors: &mut Errors) -> Option<Tag> {
    let split::Entry { tokens, after } = entry;
    let Some(eq) = tokens
        .iter()
        .position(|tt| matches!(tt, TokenTree::Punct(p) if p.as_char() == '='))
    else {
        let key: TokenStream = tokens.into_iter().collect();
        if key.is_empty() {
            errors.at(after, "expected a tag, e.g. `tags(http.method = method)`");
        } else {
            errors.spanned(
                &key,
                "expected `key = value` in `tags`, e.g. `tags(http.method = method)`",
            );
        }
        return None;
    };
    let key_tokens: TokenStream = tokens[..eq].iter().cloned().collect();
    let value_tokens: TokenStream = tokens[eq + 1..].iter().cloned().collect();
    let key = parse_key(&tokens[..eq], errors);
    let value = if value_tokens.is_empty() {
        errors.at(after, "expected an expression after `=`");
        None
    } else {
        match syn::parse2::<Expr>(value_tokens.clone()) {
            Ok(value) => Some(value),
            Err(_) => {
                errors.spanned(
                    &value_tokens,
                    "expected an expression after `=`: this tag value does not parse as one",
                );
                None
            }
        }
    };
    Some(Tag {
        key: key?,
        key_tokens,
        value: value?,
    })
}

/// Commas also separate generic arguments and closure parameters (`f::<A, B>()`): an entry that
/// does not start a new tag continues the previous value when that value does not parse alone.
fn rejoin(entries: Vec<split::Entry>) -> Vec<split::Entry> {
    let mut out: Vec<split::Entry> = Vec::new();
    for entry in entries {
        if let Some(prev) = out.last_mut()
            && !starts_tag(&entry.tokens)
            && !value_parses(&prev.tokens)
        {
            prev.tokens.push(TokenTree::Punct(proc_macro2::Punct::new(
                ',',
                proc_macro2::Spacing::Alone,
            )));
            prev.tokens.extend(entry.tokens);
            prev.after = entry.after;
            continue;
        }
        out.push(entry);
    }
    out
}

/// `key =` or `a.b =` (but not `==`).
fn starts_tag(tokens: &[TokenTree]) -> bool {
    let mut expect_ident = true;
    for (i, tt) in tokens.iter().enumerate() {
        match tt {
            TokenTree::Ident(_) if expect_ident => expect_ident = false,
            TokenTree::Punct(p) if !expect_ident && p.as_char() == '.' => expect_ident = true,
            TokenTree::Punct(p) if !expect_ident && p.as_char() == '=' => {
                return !matches!(tokens.get(i + 1), Some(TokenTree::Punct(n)) if n.as_char() == '=');
            }
            _ => return false,
        }
    }
    false
}

fn value_parses(tokens: &[TokenTree]) -> bool {
    tokens
        .iter()
        .position(|tt| matches!(tt, TokenTree::Punct(p) if p.as_char() == '='))
        .is_none_or(|eq| {
            let value: TokenStream = tokens[eq + 1..].iter().cloned().collect();
            value.is_empty() || syn::parse2::<Expr>(value).is_ok()
        })
}

/// `ident(.ident)*`, joined with dots.
fn parse_key(tokens: &[TokenTree], errors: &mut Errors) -> Option<String> {
    let mut key = String::new();
    let mut expect_ident = true;
    for tt in tokens {
        match tt {
            TokenTree::Ident(i) if expect_ident => {
                key.push_str(i.to_string().trim_start_matches("r#"));
                expect_ident = false;
            }
            TokenTree::Punct(p) if !expect_ident && p.as_char() == '.' => {
                key.push('.');
                expect_ident = true;
            }
            _ => {
                let all: TokenStream = tokens.iter().cloned().collect();
                let bad = if matches!(tt, TokenTree::Literal(_)) {
                    quote!(#tt)
                } else {
                    all
                };
                errors.spanned(bad, KEY_HELP);
                return None;
            }
        }
    }
    if expect_ident {
        let all: TokenStream = tokens.iter().cloned().collect();
        if all.is_empty() {
            errors.at(Span::call_site(), KEY_HELP);
        } else {
            errors.spanned(all, KEY_HELP);
        }
        return None;
    }
    Some(key)
}
