use std::borrow::Cow;
use std::panic::Location;

use crate::context::SpanContext;
use crate::local;
use crate::span::data::SpanData;
use crate::span::raw::Code;
use crate::span::start::{Meta, Parent};
use crate::span::{Span, SpanGuard, SpanKind, TagValue};

/// Starts building a span named `name`, opened at the caller's location.
///
/// For names known at compile time, `#[traced]`, `trace!` and [`Callsite`](crate::Callsite)s are
/// cheaper; the builder is for names made at run time (`GET /users/:id`), explicit parents
/// (a context extracted from a request) and initial tags.
///
/// ```
/// use trace_core::{span, SpanKind};
/// let method = "GET";
/// let mut request = span(format!("{method} /users/:id")).kind(SpanKind::Server).tag("http.request.method", method).enter();
/// request.set_tag("http.response.status_code", 200);
/// ```
#[track_caller]
pub fn span(name: impl Into<Cow<'static, str>>) -> SpanBuilder {
    SpanBuilder {
        name: name.into(),
        kind: SpanKind::Internal,
        parent: BuilderParent::Current,
        code: Code::Caller(Location::caller()),
        data: None,
    }
}

/// Options for a span; see [`span()`].
#[derive(Debug)]
#[must_use = "call `.enter()` or `.start()` to open the span"]
pub struct SpanBuilder {
    name: Cow<'static, str>,
    kind: SpanKind,
    parent: BuilderParent,
    code: Code,
    /// Initial tags and links, in a recycled box taken on the first one: a builder is moved at
    /// every call, and a `SpanData` inline would make each move a copy of half a kilobyte.
    data: Option<Box<SpanData>>,
}

#[derive(Debug)]
enum BuilderParent {
    Current,
    Root,
    Explicit(SpanContext),
}

impl BuilderParent {
    fn as_parent(&self) -> Parent<'_> {
        match self {
            Self::Current => Parent::Current,
            Self::Root => Parent::Root,
            Self::Explicit(p) => Parent::Explicit(p),
        }
    }
}

impl SpanBuilder {
    /// The span's kind (default [`SpanKind::Internal`]).
    pub fn kind(mut self, kind: SpanKind) -> Self {
        self.kind = kind;
        self
    }

    /// Starts a new trace instead of joining the current one.
    pub fn root(mut self) -> Self {
        self.parent = BuilderParent::Root;
        self
    }

    /// Makes the span a child of `parent`: a context from another thread, or one extracted from a
    /// request (a remote parent, so this span becomes the local root of its trace here).
    pub fn child_of(mut self, parent: SpanContext) -> Self {
        self.parent = BuilderParent::Explicit(parent);
        self
    }

    /// Makes the span a child of `parent` if there is one, of the current span otherwise.
    pub fn child_of_opt(self, parent: Option<SpanContext>) -> Self {
        match parent {
            Some(p) => self.child_of(p),
            None => self,
        }
    }

    /// Sets a tag from the start.
    pub fn tag(mut self, key: impl Into<Cow<'static, str>>, value: impl Into<TagValue>) -> Self {
        self.data
            .get_or_insert_with(local::spare_data)
            .tags
            .set(key, value);
        self
    }

    /// Links the span to another one that is not its parent.
    pub fn link(mut self, other: &SpanContext) -> Self {
        self.data
            .get_or_insert_with(local::spare_data)
            .links
            .push(other.into());
        self
    }

    /// Opens the span as the current one until the guard drops.
    pub fn enter(self) -> SpanGuard {
        let Self {
            name,
            kind,
            parent,
            code,
            data,
        } = self;
        SpanGuard::open(parent.as_parent(), Meta::named(name, kind, code, data))
    }

    /// Opens the span without entering it.
    pub fn start(self) -> Span {
        let Self {
            name,
            kind,
            parent,
            code,
            data,
        } = self;
        Span::open(parent.as_parent(), Meta::named(name, kind, code, data))
    }
}
