//! A finished span as recorders receive it.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::context::{SpanContext, TraceFlags};
use crate::id::{SpanId, TraceId};
use crate::span::{SpanKind, Status, Tags};
use crate::trace_state::TraceState;

/// Everything known about one finished span.
///
/// The collector builds these off the caller's thread and hands them to the recorder in batches; the
/// readers in `trace-record` (YAML file, DynamoDB) return the same type, so tools written against one
/// store work on every store.
#[derive(Clone, Debug, PartialEq)]
pub struct SpanRecord {
    /// The trace the span belongs to.
    pub trace_id: TraceId,
    /// The span's own id.
    pub span_id: SpanId,
    /// The parent span's id; `None` for the root of the trace (written as all zeros, as in Dapper).
    pub parent_id: Option<SpanId>,
    /// The W3C trace flags the span propagated (sampled, random trace id).
    pub flags: TraceFlags,
    /// The trace's W3C `tracestate`, empty unless the trace arrived with one.
    pub trace_state: TraceState,
    /// What the span did, e.g. `GET /users/:id` or `db::load_user`.
    pub name: Cow<'static, str>,
    /// The span's role.
    pub kind: SpanKind,
    /// The service (the logical application) that recorded the span.
    pub service: Arc<str>,
    /// Where the span ran: process name, pid and host.
    pub process: Arc<Process>,
    /// The code that opened the span, when known.
    pub code: Option<CodeLocation>,
    /// Wall-clock start time.
    pub start: SystemTime,
    /// Wall-clock finish time (`start + duration`).
    pub finish: SystemTime,
    /// Elapsed time from a monotonic clock.
    pub duration: Duration,
    /// Whether the span ended in error.
    pub status: Status,
    /// Typed key/value tags.
    pub tags: Tags,
    /// Named moments inside the span, as offsets from its start.
    pub checkpoints: Vec<Checkpoint>,
    /// Spans this one is causally linked to besides its parent (e.g. the messages of a batch).
    pub links: Vec<Link>,
}

impl SpanRecord {
    /// Whether this span is the root of its trace.
    pub fn is_root(&self) -> bool {
        self.parent_id.is_none()
    }
}

/// Where a span ran. Rendered `name:pid@host`, like the Go original's `process` field.
///
/// ```
/// use trace_core::Process;
/// let p: Process = "api:4242@web-1".parse().unwrap();
/// assert_eq!((p.name.as_str(), p.pid, p.host.as_str()), ("api", 4242, "web-1"));
/// assert_eq!(p.to_string(), "api:4242@web-1");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Process {
    /// The executable's name.
    pub name: String,
    /// The OS process id.
    pub pid: u32,
    /// The host name.
    pub host: String,
}

impl Process {
    /// This process: executable name, pid and host name.
    pub fn current() -> Self {
        let name = std::env::current_exe()
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "unknown".to_owned());
        Self {
            name,
            pid: std::process::id(),
            host: host_name(),
        }
    }
}

/// The machine's host name, through the C library's `gethostname(2)` (the `gethostname` crate
/// would bring `rustix`, the heaviest crate of the runtime's build).
#[cfg(unix)]
fn host_name() -> String {
    // POSIX caps host names at HOST_NAME_MAX (255 on Linux, 256 elsewhere), plus the NUL.
    let mut buf = [0u8; 257];
    // SAFETY: the pointer and length describe `buf`, which outlives the call; the C library writes
    // at most `len` bytes.
    let rc = unsafe { crate::c_library::gethostname(buf.as_mut_ptr().cast(), buf.len() - 1) };
    if rc != 0 {
        return "unknown".to_owned();
    }
    // A name that filled the buffer may lack its NUL; the last byte stays 0 either way.
    let len = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..len]).into_owned()
}

/// The machine's host name, from the environment where there is no `gethostname(2)`.
#[cfg(not(unix))]
fn host_name() -> String {
    std::env::var("COMPUTERNAME")
        .or_else(|_| std::env::var("HOSTNAME"))
        .unwrap_or_else(|_| "unknown".to_owned())
}

impl fmt::Display for Process {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}@{}", self.name, self.pid, self.host)
    }
}

/// The error from parsing a `name:pid@host` process string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcessParseError(String);

impl fmt::Display for ProcessParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid process `{}`: expected `name:pid@host`", self.0)
    }
}

impl std::error::Error for ProcessParseError {}

impl FromStr for Process {
    type Err = ProcessParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ProcessParseError(s.to_owned());
        // The host cannot hold `@` and the pid cannot hold `:`, but a program name may hold both.
        let (rest, host) = s.rsplit_once('@').ok_or_else(err)?;
        let (name, pid) = rest.rsplit_once(':').ok_or_else(err)?;
        let pid = pid.parse().map_err(|_| err())?;
        Ok(Self {
            name: name.to_owned(),
            pid,
            host: host.to_owned(),
        })
    }
}

/// The source location that opened a span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeLocation {
    /// The module path, when known (the macros know it; `#[track_caller]` locations do not).
    pub module: Option<Cow<'static, str>>,
    /// The source file.
    pub file: Cow<'static, str>,
    /// The line in that file.
    pub line: u32,
}

/// A named moment inside a span, like the kamilsk tracer's `call.Checkpoint("serialize")`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// What was reached.
    pub name: Cow<'static, str>,
    /// When, counted from the span's start.
    pub offset: Duration,
}

/// A causal link to a span that is not the parent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Link {
    /// The linked span's trace.
    pub trace_id: TraceId,
    /// The linked span.
    pub span_id: SpanId,
}

impl From<&SpanContext> for Link {
    fn from(ctx: &SpanContext) -> Self {
        Self {
            trace_id: ctx.trace_id(),
            span_id: ctx.span_id(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn process_round_trips_with_awkward_names() {
        let p = Process {
            name: "my:app@v2".into(),
            pid: 7,
            host: "h.example.com".into(),
        };
        assert_eq!(p.to_string().parse::<Process>(), Ok(p));
        assert!("no-pid@host".parse::<Process>().is_err());
        assert!("app:x@host".parse::<Process>().is_err());
    }

    #[test]
    fn current_process_is_filled_in() {
        let p = Process::current();
        assert_eq!(p.pid, std::process::id());
        assert!(!p.name.is_empty() && !p.host.is_empty());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn host_name_is_the_kernels() {
        let kernel = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
        assert_eq!(host_name(), kernel.trim_end());
    }
}
