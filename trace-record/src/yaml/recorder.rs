//! [`YamlRecorder`]: appends one YAML document per finished span to a file or any writer.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::sync::Arc;

use trace_core::{Process, RecordError, Recorder, SpanRecord};

use super::emit;
use super::text::TimeOutOfRange;

/// Bytes buffered before the file is written: many documents per `write` call, and never part
/// of one, since each document enters the buffer whole.
const BUFFER: usize = 64 * 1024;

/// Writes every finished span as one YAML document (see the [schema](crate::yaml)).
///
/// Each document is serialized whole into a reused buffer, then handed to a buffered writer in
/// one piece. The buffered writer only ever passes whole documents to the file (opened in append
/// mode), so processes appending to the same file do not interleave their documents, and a
/// reader following the file sees at most a truncated last document. Buffered documents are
/// written out on [`flush`](Recorder::flush) and at shutdown.
///
/// ```
/// use trace_record::yaml::{self, YamlRecorder};
/// use trace_core::{span, Tracer};
///
/// let path = std::env::temp_dir().join(format!("doc-yaml-{}.yaml", std::process::id()));
/// let tracer = Tracer::builder()
///     .service("docs")
///     .recorder(YamlRecorder::truncate(&path)?)
///     .install()?;
/// {
///     let _request = span("GET /users").enter();
///     let _query = span("SELECT users").enter();
/// }
/// tracer.shutdown()?;
///
/// let spans: Vec<_> = yaml::read_file(&path)?.collect::<Result<_, _>>()?;
/// assert_eq!(spans.len(), 2);
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct YamlRecorder<W: Write = File> {
    out: BufWriter<W>,
    /// Where the documents go, for error messages.
    target: String,
    /// The document being serialized; reused so a span costs no allocation here.
    doc: Vec<u8>,
    /// The last process rendered as `name:pid@host`: every span of a tracer shares one.
    process: Option<(Arc<Process>, String)>,
}

impl YamlRecorder<File> {
    /// Appends to the file at `path`, creating it if needed (earlier runs' spans are kept).
    pub fn create(path: impl AsRef<Path>) -> io::Result<Self> {
        let path = path.as_ref();
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(Self::with_target(file, path.display().to_string()))
    }

    /// Empties the file at `path` (creating it if needed), then appends to it.
    pub fn truncate(path: impl AsRef<Path>) -> io::Result<Self> {
        let path = path.as_ref();
        File::create(path)?;
        Self::create(path)
    }
}

impl<W: Write> YamlRecorder<W> {
    /// Writes to `writer` (through a buffer: there is no need to pass a `BufWriter`).
    pub fn new(writer: W) -> Self {
        Self::with_target(writer, "the YAML writer".to_owned())
    }

    fn with_target(writer: W, target: String) -> Self {
        Self {
            out: BufWriter::with_capacity(BUFFER, writer),
            target,
            doc: Vec::with_capacity(1024),
            process: None,
        }
    }

    /// The underlying writer.
    pub fn get_ref(&self) -> &W {
        self.out.get_ref()
    }

    /// Writes out the buffer and returns the underlying writer.
    pub fn into_inner(self) -> io::Result<W> {
        self.out
            .into_inner()
            .map_err(io::IntoInnerError::into_error)
    }

    /// Serializes `span` into `self.doc`, `---` line included.
    fn serialize(&mut self, span: &SpanRecord) -> Result<(), TimeOutOfRange> {
        let process = match &self.process {
            Some((p, text)) if Arc::ptr_eq(p, &span.process) => text,
            _ => {
                let text = span.process.to_string();
                &self.process.insert((Arc::clone(&span.process), text)).1
            }
        };
        self.doc.clear();
        emit::document(&mut self.doc, span, process)
    }
}

impl<W: Write + Send + 'static> Recorder for YamlRecorder<W> {
    fn record(&mut self, spans: &[SpanRecord]) -> Result<(), RecordError> {
        let mut unwritable = 0u64;
        let mut first_error = None;
        for (i, span) in spans.iter().enumerate() {
            if let Err(e) = self.serialize(span) {
                // Only a span the schema cannot express fails here (a clock before 1970); the
                // rest of the batch is still written.
                unwritable += 1;
                first_error.get_or_insert_with(|| format!("span {}: {e}", span.span_id));
                continue;
            }
            if let Err(e) = self.out.write_all(&self.doc) {
                let lost = (spans.len() - i) as u64 + unwritable;
                return Err(RecordError::from_source(
                    format!("writing spans to {}", self.target),
                    e,
                )
                .with_lost(lost));
            }
        }
        match first_error {
            None => Ok(()),
            Some(first) => Err(RecordError::new(format!(
                "{unwritable} spans could not be written as YAML (first: {first})"
            ))
            .with_lost(unwritable)),
        }
    }

    fn flush(&mut self) -> Result<(), RecordError> {
        self.out
            .flush()
            .map_err(|e| RecordError::from_source(format!("flushing {}", self.target), e))
    }
}

impl<W: Write> fmt::Debug for YamlRecorder<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("YamlRecorder")
            .field("target", &self.target)
            .field("buffered", &self.out.buffer().len())
            .finish_non_exhaustive()
    }
}

/// The YAML document of one span, `---` line included, as [`YamlRecorder`] writes it.
///
/// ```
/// # use std::{borrow::Cow, sync::Arc, time::{Duration, UNIX_EPOCH}};
/// # use trace_core::*;
/// let span = SpanRecord {
///     trace_id: "4bf92f3577b34da6a3ce929d0e0e4736".parse()?,
///     span_id: "00f067aa0ba902b7".parse()?,
///     parent_id: None,
///     name: Cow::Borrowed("GET /users"),
///     kind: SpanKind::Server,
///     service: Arc::from("api"),
///     process: Arc::new("api:4242@web-1".parse()?),
///     code: None,
///     start: UNIX_EPOCH + Duration::from_secs(1_700_000_000),
///     finish: UNIX_EPOCH + Duration::new(1_700_000_000, 1_500_000),
///     duration: Duration::from_micros(1500),
///     status: Status::Ok,
///     tags: Tags::new(),
///     checkpoints: vec![],
///     links: vec![],
/// };
/// assert_eq!(trace_record::yaml::to_string(&span)?, "\
/// ---
/// trace_id: 4bf92f3577b34da6a3ce929d0e0e4736
/// span_id: 00f067aa0ba902b7
/// parent_id: '0000000000000000'
/// name: GET /users
/// kind: server
/// process: api:4242@web-1
/// start: 2023-11-14T22:13:20.000000000Z
/// finish: 2023-11-14T22:13:20.001500000Z
/// service: api
/// duration_ns: 1500000
/// status: ok
/// ");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn to_string(span: &SpanRecord) -> Result<String, WriteError> {
    let mut doc = Vec::with_capacity(512);
    emit::document(&mut doc, span, &span.process.to_string()).map_err(|_| WriteError)?;
    // The emitter writes only UTF-8: `&str`s and ASCII.
    Ok(String::from_utf8_lossy(&doc).into_owned())
}

/// A span the schema cannot express: its start or finish is before 1970 or after 9999 (the
/// system clock was far off).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteError;

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        TimeOutOfRange.fmt(f)
    }
}

impl std::error::Error for WriteError {}
