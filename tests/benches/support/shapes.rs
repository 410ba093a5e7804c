//! Which workload each tracer runs for each shape, and the set-up each needs around it.

use std::sync::atomic::Ordering;

use trace_core::{Sampler, TracerGuard};

use crate::support::{ours, ours_api, plain, with_fastrace, with_tracing};

/// A tracer under test (or the plain baseline).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Peer {
    /// This project's `trace-core` with `#[traced]`.
    Ours,
    /// This project's `trace-core` through the runtime API the macro expands to.
    OursApi,
    /// `tracing` + `#[instrument]` + a recording layer.
    Tracing,
    /// `fastrace` + `#[trace]` + a counting reporter.
    Fastrace,
    /// `fastrace` with `#[trace(enter_on_poll = true)]` (async shape only).
    FastracePoll,
    /// The same functions with no span.
    Plain,
}

impl Peer {
    pub const ALL: [Peer; 6] = [
        Peer::Ours,
        Peer::OursApi,
        Peer::Tracing,
        Peer::Fastrace,
        Peer::FastracePoll,
        Peer::Plain,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Peer::Ours => "ours",
            Peer::OursApi => "ours_api",
            Peer::Tracing => "tracing",
            Peer::Fastrace => "fastrace",
            Peer::FastracePoll => "fastrace_poll",
            Peer::Plain => "plain",
        }
    }

    pub fn parse(name: &str) -> Option<Peer> {
        Peer::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// One workload; an iteration of it runs [`Shape::spans`] spans beyond its [`Shape::base`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// No tracer, subscriber or root: one traced call.
    Disabled,
    /// A one-span trace.
    Root,
    /// A root and 100 sequential children; per span = (iteration - root) / 100.
    Child,
    /// A root and 10 nested children.
    Deep,
    /// A root and 100 awaited `async fn` children.
    Async,
    /// As `Child`, each child with an i64 tag.
    TagI64,
    /// As `Child`, each child with a `&'static str` tag.
    TagStr,
    /// A trace that is not sampled: its root alone.
    UnsampledRoot,
    /// A trace that is not sampled: root and 100 children.
    Unsampled,
}

impl Shape {
    /// In the order the benchmark runs them: `Disabled` first, before `tracing`'s global
    /// subscriber exists.
    pub const ALL: [Shape; 9] = [
        Shape::Disabled,
        Shape::Root,
        Shape::Child,
        Shape::Deep,
        Shape::Async,
        Shape::TagI64,
        Shape::TagStr,
        Shape::UnsampledRoot,
        Shape::Unsampled,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Shape::Disabled => "disabled",
            Shape::Root => "root",
            Shape::Child => "child",
            Shape::Deep => "deep",
            Shape::Async => "async",
            Shape::TagI64 => "tag_i64",
            Shape::TagStr => "tag_str",
            Shape::UnsampledRoot => "unsampled_root",
            Shape::Unsampled => "unsampled",
        }
    }

    pub fn parse(name: &str) -> Option<Shape> {
        Shape::ALL.into_iter().find(|s| s.name() == name)
    }

    /// Spans an iteration adds over its base.
    pub fn spans(self) -> u64 {
        match self {
            Shape::Disabled | Shape::Root | Shape::UnsampledRoot => 1,
            Shape::Deep => 10,
            Shape::Child | Shape::Async | Shape::TagI64 | Shape::TagStr | Shape::Unsampled => 100,
        }
    }

    /// The shape whose cost is subtracted to get the cost of the spans this one adds.
    pub fn base(self) -> Option<Shape> {
        match self {
            Shape::Disabled | Shape::Root | Shape::UnsampledRoot => None,
            Shape::Child | Shape::Deep | Shape::Async | Shape::TagI64 | Shape::TagStr => {
                Some(Shape::Root)
            }
            Shape::Unsampled => Some(Shape::UnsampledRoot),
        }
    }

    fn env(self) -> Env {
        match self {
            Shape::Disabled => Env::Disabled,
            Shape::UnsampledRoot | Shape::Unsampled => Env::Unsampled,
            _ => Env::Recorded,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Env {
    Recorded,
    Unsampled,
    Disabled,
}

/// The workload of `peer` for `shape`, if it has one.
pub fn workload(peer: Peer, shape: Shape) -> Option<fn() -> u64> {
    let f: fn() -> u64 = match (peer, shape) {
        (Peer::Plain, Shape::Disabled | Shape::Root | Shape::UnsampledRoot) => plain::root,
        (Peer::Plain, Shape::Child | Shape::TagI64 | Shape::TagStr | Shape::Unsampled) => {
            plain::child100
        }
        (Peer::Plain, Shape::Deep) => plain::deep10,
        (Peer::Plain, Shape::Async) => plain::async100,

        (Peer::Ours, Shape::Disabled | Shape::UnsampledRoot) => ours::single,
        (Peer::Ours, Shape::Root) => ours::root,
        (Peer::Ours, Shape::Child | Shape::Unsampled) => ours::child100,
        (Peer::Ours, Shape::Deep) => ours::deep10,
        (Peer::Ours, Shape::Async) => ours::async100,
        (Peer::Ours, Shape::TagI64) => ours::tag_i64_100,
        (Peer::Ours, Shape::TagStr) => ours::tag_str_100,

        (Peer::OursApi, Shape::Root) => ours_api::root,
        (Peer::OursApi, Shape::Child) => ours_api::child100,
        (Peer::OursApi, Shape::Async) => ours_api::async100,
        (Peer::OursApi, Shape::TagI64) => ours_api::tag_i64_100,
        (Peer::OursApi, _) => return None,

        (Peer::Tracing, Shape::Disabled) => with_tracing::single,
        (Peer::Tracing, Shape::Root) => with_tracing::root,
        (Peer::Tracing, Shape::Child) => with_tracing::child100,
        (Peer::Tracing, Shape::Deep) => with_tracing::deep10,
        (Peer::Tracing, Shape::Async) => with_tracing::async100,
        (Peer::Tracing, Shape::TagI64) => with_tracing::tag_i64_100,
        (Peer::Tracing, Shape::TagStr) => with_tracing::tag_str_100,
        (Peer::Tracing, Shape::UnsampledRoot) => with_tracing::unsampled::root,
        (Peer::Tracing, Shape::Unsampled) => with_tracing::unsampled::child100,

        (Peer::Fastrace, Shape::Disabled | Shape::UnsampledRoot) => with_fastrace::single,
        (Peer::Fastrace, Shape::Root) => with_fastrace::root,
        (Peer::Fastrace, Shape::Child) => with_fastrace::child100,
        (Peer::Fastrace, Shape::Deep) => with_fastrace::deep10,
        (Peer::Fastrace, Shape::Async) => with_fastrace::async100,
        (Peer::Fastrace, Shape::TagI64) => with_fastrace::tag_i64_100,
        (Peer::Fastrace, Shape::TagStr) => with_fastrace::tag_str_100,
        (Peer::Fastrace, Shape::Unsampled) => with_fastrace::unsampled100,

        (Peer::FastracePoll, Shape::Async) => with_fastrace::async100_on_poll,
        (Peer::FastracePoll, _) => return None,
    };
    Some(f)
}

/// What a peer needs installed while one shape runs.
#[derive(Debug)]
pub struct Session {
    peer: Peer,
    ours: Option<TracerGuard>,
    /// The peer's delivered-span counter when the session started.
    delivered0: u64,
}

impl Session {
    /// Installs what `peer` needs for `shape`. `None` when that cannot be arranged in this
    /// process (tracing's "no subscriber" after its global subscriber was set).
    pub fn start(peer: Peer, shape: Shape) -> Option<Session> {
        let env = shape.env();
        let mut ours = None;
        match peer {
            Peer::Ours | Peer::OursApi => match env {
                Env::Recorded => ours = Some(ours::install(Sampler::default()).0),
                Env::Unsampled => ours = Some(ours::install(Sampler::never()).0),
                Env::Disabled => {}
            },
            Peer::Tracing => match env {
                Env::Disabled if with_tracing::installed() => return None,
                Env::Disabled => {}
                Env::Recorded | Env::Unsampled => with_tracing::install(),
            },
            Peer::Fastrace | Peer::FastracePoll => with_fastrace::install(),
            Peer::Plain => {}
        }
        let delivered0 = delivered(peer);
        Some(Session {
            peer,
            ours,
            delivered0,
        })
    }

    /// Delivers what was recorded, prints what the peer did with the spans and returns how many
    /// reached its recorder / layer sink / reporter during the session.
    pub fn end(self, label: &str) -> u64 {
        match self.peer {
            Peer::Ours | Peer::OursApi => self
                .ours
                .map_or(0, |guard| ours::finish(label, guard).recorded),
            Peer::Tracing => {
                with_tracing::flush_thread();
                // Full batches travel to the sink thread; give it a moment to count them.
                std::thread::sleep(std::time::Duration::from_millis(20));
                let n = delivered(self.peer) - self.delivered0;
                println!("EXTRA tracing_stats {label} recorded={n}");
                n
            }
            Peer::Fastrace | Peer::FastracePoll => {
                with_fastrace::flush();
                let n = delivered(self.peer) - self.delivered0;
                println!("EXTRA fastrace_stats {label} reported={n}");
                n
            }
            Peer::Plain => 0,
        }
    }
}

/// The running count of spans a peer has delivered (ours counts per tracer instead).
fn delivered(peer: Peer) -> u64 {
    match peer {
        Peer::Tracing => with_tracing::RECORDED.load(Ordering::Relaxed),
        Peer::Fastrace | Peer::FastracePoll => with_fastrace::REPORTED.load(Ordering::Relaxed),
        Peer::Ours | Peer::OursApi | Peer::Plain => 0,
    }
}
