//! [`YamlRecorder`]: appends one YAML document per finished span to a file or any writer.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;

use trace_core::{ErrorReporter, RecordError, Recorder, SpanBatch, SpanRecord};

use super::emit::Emitter;

/// The end of a complete document; a file that does not end with it was cut short.
const DOCUMENT_END: &[u8] = b"\n...\n";

/// Writes every finished span as one YAML document (see the [schema](crate::yaml)).
///
/// **Cost per span**: about 0.3 µs of the collector thread's time for a typical span (ids, name,
/// times, a few tags), serialized straight from the borrowed span into a buffer reused across
/// batches; no allocation in a steady state.
///
/// **Durability**: each batch is written to the file in one `write` call as soon as the collector
/// hands it over (within its 20 ms cadence), so a process that is killed loses at most the spans
/// still in its threads' queues. Nothing is buffered across calls: a span counts as recorded only
/// once the OS has accepted its document, and the documents a failed write did not complete (a
/// full disk) are counted as dropped. The file is opened in append mode, so processes appending to
/// the same file do not interleave their documents.
///
/// **Torn files**: every document ends with YAML's `...` marker. A file whose last document a
/// crash or a full disk cut short is detected when it is opened for appending: the torn document is
/// closed off on a line of its own, so it cannot swallow the next span, and the first error report
/// says so.
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
    out: W,
    /// Where the documents go, for error messages.
    target: String,
    emitter: Emitter,
    /// The batch being written; reused so a span costs no allocation here.
    buf: Vec<u8>,
    /// Where each document of `buf` ends.
    ends: Vec<usize>,
    /// The last write stopped inside a document: the next one starts on a new line.
    torn: bool,
    /// Said once, at attach: the file was torn before we opened it.
    found_torn: Option<String>,
}

impl YamlRecorder<File> {
    /// Appends to the file at `path`, creating it if needed (earlier runs' spans are kept).
    ///
    /// A file whose last document was cut short (by a crash or a full disk) gets a line break, so
    /// the torn document stays on its own; the tracer's error hook is told about it.
    pub fn create(path: impl AsRef<Path>) -> io::Result<Self> {
        let path = path.as_ref();
        let mut file = OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(path)?;
        let torn = !ends_on_a_boundary(&mut file)?;
        let mut recorder = Self::with_target(file, path.display().to_string());
        if torn {
            recorder.torn = true;
            recorder.found_torn = Some(format!(
                "{} ended inside a document (an earlier writer was cut short); that document is left \
                 unreadable and new spans start after it",
                recorder.target
            ));
        }
        Ok(recorder)
    }

    /// Empties the file at `path` (creating it if needed), then appends to it.
    pub fn truncate(path: impl AsRef<Path>) -> io::Result<Self> {
        let path = path.as_ref();
        File::create(path)?;
        Self::create(path)
    }
}

/// Whether `file` is empty or ends with a complete document. Seekable files only; anything else
/// (a pipe, `/dev/full`) is taken as a boundary.
fn ends_on_a_boundary(file: &mut File) -> io::Result<bool> {
    let Ok(len) = file.seek(SeekFrom::End(0)) else {
        return Ok(true);
    };
    if len == 0 || !file.metadata()?.is_file() {
        return Ok(true);
    }
    if len < DOCUMENT_END.len() as u64 {
        return Ok(false);
    }
    let mut last = [0; DOCUMENT_END.len()];
    file.seek(SeekFrom::End(-(DOCUMENT_END.len() as i64)))?;
    file.read_exact(&mut last)?;
    // Writes go to the end whatever the position (append mode).
    Ok(last == DOCUMENT_END)
}

impl<W: Write> YamlRecorder<W> {
    /// Writes to `writer`, one `write_all` per batch (pass the writer unbuffered: each batch is
    /// one large write already).
    pub fn new(writer: W) -> Self {
        Self::with_target(writer, "the YAML writer".to_owned())
    }

    fn with_target(writer: W, target: String) -> Self {
        Self {
            out: writer,
            target,
            emitter: Emitter::default(),
            buf: Vec::with_capacity(64 * 1024),
            ends: Vec::new(),
            torn: false,
            found_torn: None,
        }
    }

    /// The underlying writer.
    pub fn get_ref(&self) -> &W {
        &self.out
    }

    /// Flushes and returns the underlying writer.
    pub fn into_inner(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }

    /// Writes `buf` out; returns how many bytes reached the writer and the error that stopped it.
    fn write_out(&mut self) -> (usize, Option<io::Error>) {
        let mut written = 0;
        while written < self.buf.len() {
            match self.out.write(&self.buf[written..]) {
                Ok(0) => return (written, Some(io::ErrorKind::WriteZero.into())),
                Ok(n) => written += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return (written, Some(e)),
            }
        }
        (written, None)
    }
}

impl<W: Write + Send + 'static> Recorder for YamlRecorder<W> {
    fn record(&mut self, batch: &SpanBatch<'_>) -> Result<(), RecordError> {
        self.buf.clear();
        self.ends.clear();
        if self.torn {
            // Close off what a failed write left, so it cannot swallow the next document.
            self.buf.push(b'\n');
        }
        let mut unwritable = 0u64;
        let mut first_error = None;
        for span in batch {
            let at = self.buf.len();
            if let Err(e) = self.emitter.document(&mut self.buf, &span) {
                // Only a span the schema cannot express fails here (a clock before 1970); the
                // rest of the batch is still written.
                self.buf.truncate(at);
                unwritable += 1;
                first_error.get_or_insert_with(|| format!("span {}: {e}", span.span_id()));
                continue;
            }
            self.ends.push(self.buf.len());
        }
        let (written, error) = self.write_out();
        // A write that stopped part-way left a document without its end on disk.
        self.torn = written < self.buf.len() && (written > 0 || self.torn);
        if let Some(e) = error {
            let complete = self.ends.partition_point(|&end| end <= written) as u64;
            let lost = self.ends.len() as u64 - complete + unwritable;
            return Err(RecordError::from_source(
                format!(
                    "writing spans to {} ({complete} of {} written)",
                    self.target,
                    batch.len()
                ),
                e,
            )
            .with_lost(lost));
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

    fn attach(&mut self, reporter: ErrorReporter) {
        if let Some(message) = self.found_torn.take() {
            reporter.report(&RecordError::new(message).with_lost(0));
        }
    }
}

impl<W: Write> fmt::Debug for YamlRecorder<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("YamlRecorder")
            .field("target", &self.target)
            .field("torn", &self.torn)
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
///     flags: TraceFlags::default(),
///     trace_state: TraceState::default(),
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
/// flags: 0
/// status: ok
/// ...
/// ");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn to_string(span: &SpanRecord) -> Result<String, WriteError> {
    let mut doc = Vec::with_capacity(512);
    Emitter::default()
        .document(&mut doc, &span.view())
        .map_err(|_| WriteError)?;
    // The emitter writes only UTF-8: `&str`s and ASCII.
    Ok(String::from_utf8_lossy(&doc).into_owned())
}

/// A span the schema cannot express: its start or finish is before 1970 or after 9999 (the
/// system clock was far off).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteError;

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        super::text::TimeOutOfRange.fmt(f)
    }
}

impl std::error::Error for WriteError {}
