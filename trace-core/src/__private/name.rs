//! Default span names, computed at most once per call site and never formatted per call.
//!
//! Free functions are named `module::function` (the innermost module), cut at compile time from
//! `module_path!()` (see [`site`](super::site)). Methods are named `Type::method`: an attribute on
//! a method cannot see its `Self` type, so the name is made from `core::any::type_name::<Self>()`
//! the first time the call site runs, and cached.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, PoisonError};

use crate::callsite::Callsite;
use crate::span::SpanKind;

/// The static part of a method's call site; the `Self` type is added when it first runs.
#[derive(Debug)]
pub struct MethodCallsite {
    method: &'static str,
    kind: SpanKind,
    module_path: &'static str,
    file: &'static str,
    line: u32,
    /// The first `Self` type seen here, which is the only one outside trait default methods.
    first: OnceLock<(&'static str, &'static Callsite)>,
}

/// Call sites for further `Self` types (a trait default method runs for each implementor), keyed
/// by the method call site's address and the type name.
type Others = HashMap<(usize, &'static str), &'static Callsite>;
static OTHERS: Mutex<Option<Others>> = Mutex::new(None);

impl MethodCallsite {
    /// Metadata for one method's call site.
    pub const fn new(
        method: &'static str,
        kind: SpanKind,
        module_path: &'static str,
        file: &'static str,
        line: u32,
    ) -> Self {
        Self {
            method,
            kind,
            module_path,
            file,
            line,
            first: OnceLock::new(),
        }
    }

    /// The call site for `Self` = the type named `type_name`: formatted and leaked once per
    /// (call site, type), then a load and a comparison.
    #[inline]
    pub fn get(&'static self, type_name: &'static str) -> &'static Callsite {
        let (first_type, callsite) = *self.first.get_or_init(|| (type_name, self.leak(type_name)));
        if first_type == type_name {
            callsite
        } else {
            self.other(type_name)
        }
    }

    #[cold]
    fn other(&'static self, type_name: &'static str) -> &'static Callsite {
        let mut others = OTHERS.lock().unwrap_or_else(PoisonError::into_inner);
        let key = (std::ptr::from_ref(self) as usize, type_name);
        others
            .get_or_insert_with(HashMap::new)
            .entry(key)
            .or_insert_with(|| self.leak(type_name))
    }

    fn leak(&self, type_name: &str) -> &'static Callsite {
        let name = format!("{}::{}", short_type_name(type_name), self.method);
        Box::leak(Box::new(Callsite::new(
            Box::leak(name.into_boxed_str()),
            self.kind,
            self.module_path,
            self.file,
            self.line,
        )))
    }
}

/// `app::db::Store<u8>` gives `Store`; `&mut app::Conn` gives `Conn`; tuples, slices and the like
/// are kept whole.
fn short_type_name(full: &str) -> &str {
    let mut t = full.trim_start_matches('&');
    t = t.strip_prefix("mut ").unwrap_or(t);
    t = t.strip_prefix("dyn ").unwrap_or(t);
    if t.starts_with(['(', '[', '*']) {
        return full;
    }
    let base = t.split('<').next().unwrap_or(t);
    match base.rsplit("::").next() {
        Some(last) if !last.is_empty() => last,
        _ => full,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_lose_paths_and_generics() {
        assert_eq!(
            short_type_name("app::db::Store<alloc::vec::Vec<u8>>"),
            "Store"
        );
        assert_eq!(short_type_name("&mut app::Conn"), "Conn");
        assert_eq!(short_type_name("dyn app::Handler"), "Handler");
        assert_eq!(short_type_name("u32"), "u32");
        assert_eq!(short_type_name("(u8, u16)"), "(u8, u16)");
    }

    #[test]
    fn method_callsites_follow_self() {
        static CS: MethodCallsite =
            MethodCallsite::new("run", SpanKind::Client, "app", "app.rs", 3);
        let a = CS.get("app::A");
        assert_eq!(a.name(), "A::run");
        assert_eq!(a.kind(), SpanKind::Client);
        assert!(std::ptr::eq(CS.get("app::A"), a));
        let b = CS.get("app::B<u8>");
        assert_eq!(b.name(), "B::run");
        assert!(std::ptr::eq(CS.get("app::B<u8>"), b));
        assert!(std::ptr::eq(CS.get("app::A"), a));
    }
}
