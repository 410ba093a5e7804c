//! Procedural macros of `trace-core`: [`#[traced]`](macro@traced) and [`trace!`].
//!
//! Use them through `trace_core` (`use trace_core::{trace, traced};`), which re-exports them and
//! holds the runtime they expand to.
//!
//! How the expansion is built:
//! - the arguments are parsed into a small typed model (modules `args` and `tags`), each
//!   comma-separated argument on its own, then checked against the function's signature; every
//!   mistake is reported in one build, at its token, and the item is emitted unchanged after the
//!   errors so nothing else breaks;
//! - the signature is parsed strictly and the body kept as tokens (parsed only when `err`/`ret`
//!   need to see its exits, or to find the future a function returns): a body with a syntax error
//!   gets rustc's error only;
//! - the user's tokens keep their spans; the macro's own locals use `Span::mixed_site()`; the
//!   runtime is named by absolute path through `trace_core::__private::v1`.

mod args;
mod errors;
mod expand;
mod item;
mod signature;
mod split;
mod suggest;
mod tags;
mod trace_macro;
mod traced;
mod validate;

use proc_macro::TokenStream;

/// Traces a function: each call runs inside a span.
///
/// ```
/// use trace_core::traced;
///
/// #[derive(Debug)]
/// struct Cart { items: Vec<u32> }
///
/// #[traced(kind = server, args(user), tags(http.method = "POST"), err)]
/// fn checkout(user: &str, cart: &Cart) -> Result<u32, String> {
///     let total: u32 = cart.items.iter().sum();
///     if total == 0 {
///         return Err(format!("{user} has an empty cart"));
///     }
///     Ok(total)
/// }
/// # assert_eq!(checkout("ann", &Cart { items: vec![2, 3] }), Ok(5));
/// ```
///
/// Arguments, all optional:
/// - `name = "..."`: the span name. By default `Type::method` for methods (functions with a
///   receiver or that mention `Self` in their signature; the type comes from
///   `core::any::type_name::<Self>()` without its path and generics, computed the first time the
///   call site runs) and `module::function` for everything else (the innermost module, computed at
///   compile time).
/// - `kind = server | client | producer | consumer | internal` (default `internal`).
/// - `args(a, b, ..)`: record these parameters as tags. Nothing is recorded unless listed.
///   Primitives and strings are typed values; other types are recorded through `Display`, else
///   `Debug`; a type with neither is a compile error at the parameter's type.
/// - `tags(key = expr, http.method = expr, ..)`: extra tags, evaluated at the start of the body
///   with the parameters in scope (only when the span is recording).
/// - `err` / `err(Debug)`: when the function returns `Err(e)`, mark the span as failed with `e`'s
///   `Display` (or `Debug`) text. Needs a `Result` return type.
/// - `ret`: record the returned value as the tag `ret` (with `err`: the `Ok` value).
/// - `root`: always start a new trace.
/// - `crate = path`: where `trace_core` is, for facades that re-export it.
///
/// Works on free functions, methods with any receiver, trait default methods, generic, `unsafe`
/// and `extern "ABI"` functions, `async fn` (also in traits), and functions returning a future
/// built by a final `async` block or `Box::pin(async move { .. })` (what `async-trait` generates).
/// For futures, the span is entered on every poll and lasts until the future completes.
///
/// `err` and `ret` see every exit: the tail expression, `return` and `?`, without wrapping the
/// body in a closure (so `#[track_caller]` and borrowing work as written). Exits inside macro
/// invocations (`vec![f()?]`) are not seen; the span still ends there.
#[proc_macro_attribute]
pub fn traced(attr: TokenStream, item: TokenStream) -> TokenStream {
    traced::expand(attr.into(), item.into()).into()
}

/// Opens a child span of the current one.
///
/// ```
/// use trace_core::trace;
///
/// fn import(rows: &[u32]) -> u32 {
///     trace!("import");                               // until the end of this scope
///     let valid = trace!("validate", tags(rows = rows.len()), {
///         rows.iter().filter(|r| **r > 0).count()     // the block's value
///     });
///     let saved = trace!("save", kind = client, err, { save(valid) });
///     saved.unwrap_or(0)
/// }
///
/// async fn fetch() -> u32 {
///     trace!("fetch", async move { 7 }).await        // spans the future's whole life
/// }
/// # fn save(n: usize) -> Result<u32, String> { Ok(n as u32) }
/// # assert_eq!(import(&[1, 0, 2]), 2);
/// ```
///
/// - `trace!("name");` is a statement: the span lasts until the end of the enclosing scope. It
///   cannot be used as an expression (`let g = trace!("a");` does not compile); use the block
///   form `trace!("name", { .. })` for a value.
/// - `trace!("name", { .. })` runs the block inside the span and evaluates to its value.
/// - `trace!("name", async move { .. })` is a future running inside a span created now and
///   entered on every poll.
///
/// The name is a string literal or a `const` (a SCREAMING_CASE path). Options between the name
/// and the body: `kind = ..`, `tags(..)`, and `err` / `err(Debug)` for a body that evaluates to a
/// `Result`.
#[proc_macro]
pub fn trace(input: TokenStream) -> TokenStream {
    trace_macro::expand(input.into()).into()
}
