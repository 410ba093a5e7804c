//! Static metadata of the place in the code that opens spans.

use crate::span::SpanKind;

/// What is fixed about every span one place in the code opens: name, kind and source location.
///
/// The macros put one in a `static` per call site, so a span carries a pointer to it instead of
/// copying strings.
///
/// ```
/// use trace_core::{Callsite, SpanKind};
/// static LOAD: Callsite = Callsite::new("db::load", SpanKind::Client, module_path!(), file!(), line!());
/// let span = trace_core::SpanGuard::enter(&LOAD);
/// # drop(span);
/// ```
#[derive(Debug)]
pub struct Callsite {
    name: &'static str,
    kind: SpanKind,
    module_path: &'static str,
    file: &'static str,
    line: u32,
}

impl Callsite {
    /// Metadata for one call site.
    pub const fn new(
        name: &'static str,
        kind: SpanKind,
        module_path: &'static str,
        file: &'static str,
        line: u32,
    ) -> Self {
        Self {
            name,
            kind,
            module_path,
            file,
            line,
        }
    }

    /// The span name.
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The span kind.
    pub const fn kind(&self) -> SpanKind {
        self.kind
    }

    /// The module that holds the call site.
    pub const fn module_path(&self) -> &'static str {
        self.module_path
    }

    /// The source file.
    pub const fn file(&self) -> &'static str {
        self.file
    }

    /// The line.
    pub const fn line(&self) -> u32 {
        self.line
    }
}
