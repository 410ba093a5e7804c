//! A free function's call site in one constant expression: the expansion writes
//! `&const { site(concat!(module_path!(), "::f"), file!(), line!()) }`, which the compiler
//! promotes to a `'static`, instead of a `static` per call site plus the statics that built its
//! name. The name is the innermost module and the function: `app::db::load` is named `db::load`.

use crate::callsite::Callsite;
use crate::span::SpanKind;

/// The call site of the function `path` (`module_path!()` joined to the function's name by `::`),
/// of kind `internal`.
pub const fn site(path: &'static str, file: &'static str, line: u32) -> Callsite {
    site_kind(path, SpanKind::Internal, file, line)
}

/// [`site`] with another kind.
pub const fn site_kind(
    path: &'static str,
    kind: SpanKind,
    file: &'static str,
    line: u32,
) -> Callsite {
    let bytes = path.as_bytes();
    // `path` is `a::b::module::function`: the name starts after the third `:` from the end, the
    // module path ends before the second.
    let mut name_start = bytes.len();
    let mut module_end = 0;
    let mut colons = 0;
    while name_start > 0 {
        if bytes[name_start - 1] == b':' {
            colons += 1;
            if colons == 2 {
                module_end = name_start - 1;
            }
            if colons == 3 {
                break;
            }
        }
        name_start -= 1;
    }
    assert!(colons >= 2, "a function's path is `module::function`");
    let name = utf8(bytes.split_at(name_start).1);
    let module_path = utf8(bytes.split_at(module_end).0);
    Callsite::new(name, kind, module_path, file, line)
}

/// A part of a `&'static str` cut at a `:`, so still UTF-8.
const fn utf8(bytes: &'static [u8]) -> &'static str {
    match std::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(_) => panic!("a path cut at `::` is UTF-8"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_innermost_module_and_the_function() {
        static NESTED: Callsite = site("app::db::load", "src/db.rs", 7);
        assert_eq!(NESTED.name(), "db::load");
        assert_eq!(NESTED.module_path(), "app::db");
        assert_eq!((NESTED.file(), NESTED.line()), ("src/db.rs", 7));
        assert_eq!(NESTED.kind(), SpanKind::Internal);
        let root: &'static Callsite =
            &const { site_kind("app::main", SpanKind::Server, "m.rs", 1) };
        assert_eq!(root.name(), "app::main");
        assert_eq!(root.module_path(), "app");
        assert_eq!(root.kind(), SpanKind::Server);
        // Raw identifiers come unraw from the macro; non-ASCII names are cut at `:` bytes only.
        assert_eq!(site("app::données::é", "m.rs", 1).name(), "données::é");
    }
}
