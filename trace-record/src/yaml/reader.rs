//! Reading a YAML span file back: [`read_spans`] yields one [`SpanRecord`] per document.

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use trace_core::SpanRecord;

use super::schema::{Interned, InvalidField, SpanDoc};

/// The default for [`SpanReader::max_document_bytes`]: far above any span, far below memory.
pub const MAX_DOCUMENT_BYTES: usize = 64 << 20;

/// Reads the spans of a YAML span file or stream, one per document, in file order.
///
/// The stream is split on `---` lines here, not by a multi-document parser, so one bad document
/// costs only itself: it is reported as an [`Err`] carrying the line where the document starts,
/// and the documents after it are still read. So the same iterator serves both ways of reading:
///
/// - **strict**: `collect::<Result<Vec<_>, _>>()` stops at the first bad document and names it;
/// - **tolerant**: iterate, keep the `Ok` spans and report each `Err`, as `trace-view` does.
///
/// Nothing bad is passed over in silence:
///
/// - a document cut short (the file is still being written, or its writer crashed) is an
///   error of kind [`ErrorKind::Torn`]: it started with a `---` line and the input ends in the
///   middle of a line or before the document is a whole span, or, once the stream's documents
///   end with `...` lines (as the writer's do), it has no `...` line;
/// - input that is not a span file at all (random bytes, a log, a JSON file) yields an error for
///   its first document (not UTF-8, not YAML, or not a span), never an empty sequence.
///
/// An I/O error is reported once, and ends the iteration.
///
/// ```
/// use trace_record::yaml;
///
/// let file = "\
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
/// ...
/// ---
/// trace_id: 4bf92f3577b34da6a3ce929d0e0e4736
/// span_id: 2a3c";                                  // cut off mid-write
/// let mut spans = yaml::read_spans(file.as_bytes());
/// assert_eq!(spans.next().unwrap()?.name, "GET /users");
/// let torn = spans.next().unwrap().unwrap_err();
/// assert!(matches!(torn.kind(), yaml::ErrorKind::Torn));
/// assert_eq!(torn.line(), 14);
/// assert!(spans.next().is_none());
/// # Ok::<(), yaml::ReadError>(())
/// ```
pub fn read_spans<R: Read>(reader: R) -> SpanReader<BufReader<R>> {
    SpanReader::new(BufReader::new(reader))
}

/// Opens the file at `path` and reads its spans; see [`read_spans`].
pub fn read_file(path: impl AsRef<Path>) -> io::Result<SpanReader<BufReader<File>>> {
    Ok(read_spans(File::open(path)?))
}

/// The iterator of [`read_spans`].
pub struct SpanReader<R> {
    input: R,
    /// The line being read.
    line: Vec<u8>,
    /// The document being gathered, without its `---` line.
    doc: Vec<u8>,
    /// The last finished document, being parsed (kept to reuse its allocation).
    ready: Vec<u8>,
    /// The 1-based line where the current document starts (its `---` or its first line).
    doc_line: Option<u64>,
    /// Whether the current document began with a `---` line (as every document our writer
    /// writes does), rather than being the unmarked first document of a stream.
    marked: bool,
    /// The same, for the document in `ready`.
    ready_marked: bool,
    /// Whether the current document (or one of its lines) outgrew `max_document`: its bytes
    /// are dropped rather than held, and it is reported as [`ErrorKind::TooLarge`].
    oversized: bool,
    /// The same, for the document in `ready`.
    ready_oversized: bool,
    /// The most bytes of one document held in memory.
    max_document: usize,
    /// Whether a document of this stream ended with a `...` marker, as every document of
    /// today's writer does: from then on a document that ends without one was cut short.
    markers_seen: bool,
    /// Whether the current document has a non-blank line yet.
    has_content: bool,
    /// Lines read so far.
    lines: u64,
    done: bool,
    interned: Interned,
}

/// How a gathered document ended.
enum End {
    /// At its `...` end marker: whole.
    Marker,
    /// At the next `---`.
    Separator,
    /// At the end of the input, after a newline (`true`) or in the middle of a line.
    Input { newline: bool },
}

impl<R: BufRead> SpanReader<R> {
    /// Reads from an already buffered reader.
    pub fn new(input: R) -> Self {
        Self {
            input,
            line: Vec::with_capacity(256),
            doc: Vec::with_capacity(1024),
            ready: Vec::with_capacity(1024),
            doc_line: None,
            marked: false,
            ready_marked: false,
            oversized: false,
            ready_oversized: false,
            max_document: MAX_DOCUMENT_BYTES,
            markers_seen: false,
            has_content: false,
            lines: 0,
            done: false,
            interned: Interned::default(),
        }
    }

    /// Sets the most bytes one document may hold (default 64 MiB). A longer one (a file that is
    /// not spans at all, with no `---` line for gigabytes) is not held in memory: it is skipped
    /// and reported as [`ErrorKind::TooLarge`].
    pub fn max_document_bytes(mut self, bytes: usize) -> Self {
        self.max_document = bytes.max(1);
        self
    }

    /// Reads one line into `self.line`, at most `max_document` bytes of it (the rest of a longer
    /// line is consumed and dropped, and the document marked oversized); returns the bytes read.
    fn read_line(&mut self) -> io::Result<usize> {
        self.line.clear();
        let limit = self.max_document as u64;
        let n = (&mut self.input)
            .take(limit)
            .read_until(b'\n', &mut self.line)?;
        if n as u64 == limit && !self.line.ends_with(b"\n") {
            self.oversized = true;
            self.has_content = true;
            self.doc_line.get_or_insert(self.lines + 1);
            self.line.clear();
            loop {
                let buf = self.input.fill_buf()?;
                if buf.is_empty() {
                    break;
                }
                match buf.iter().position(|&b| b == b'\n') {
                    Some(i) => {
                        self.input.consume(i + 1);
                        self.line.push(b'\n');
                        break;
                    }
                    None => {
                        let len = buf.len();
                        self.input.consume(len);
                    }
                }
            }
        }
        Ok(n)
    }

    /// Gathers the next non-empty document into `self.ready`; returns where it started and how
    /// it ended.
    fn next_document(&mut self) -> io::Result<Option<(u64, End)>> {
        loop {
            if self.read_line()? == 0 {
                self.done = true;
                if !self.has_content {
                    return Ok(None);
                }
                // A last line cut short may be the start of the next `---`: the document
                // before it is whole.
                let partial = self.doc.len()
                    - self
                        .doc
                        .iter()
                        .rposition(|&b| b == b'\n')
                        .map_or(0, |i| i + 1);
                if partial > 0 && partial < 3 && self.doc.ends_with(&b"--"[..partial]) {
                    self.doc.truncate(self.doc.len() - partial);
                }
                // Likewise the start of the `...` end marker: the document is whole.
                if partial > 0 && partial < 3 && self.doc.ends_with(&b".."[..partial]) {
                    self.doc.truncate(self.doc.len() - partial);
                    self.markers_seen = true;
                    return Ok(Some((self.finish_document(None), End::Marker)));
                }
                let newline = self.doc.ends_with(b"\n");
                return Ok(Some((self.finish_document(None), End::Input { newline })));
            }
            self.lines += 1;
            let content = trim_newline(&self.line);
            let separator = content == b"---" || content.starts_with(b"--- ");
            if separator || content == b"..." {
                // `--- value`: the value is the start of the next document.
                let mut rest = if separator {
                    content[3..].to_vec()
                } else {
                    Vec::new()
                };
                if self.line.ends_with(b"\n") {
                    rest.push(b'\n');
                }
                let next_line = separator.then_some(self.lines);
                if self.has_content {
                    let line = self.finish_document(next_line);
                    self.push_line(&rest);
                    if separator {
                        return Ok(Some((line, End::Separator)));
                    }
                    self.markers_seen = true;
                    return Ok(Some((line, End::Marker)));
                }
                self.doc.clear();
                self.doc_line = next_line;
                self.marked = separator;
                self.push_line(&rest);
                continue;
            }
            let line = std::mem::take(&mut self.line);
            self.push_line(&line);
            self.line = line;
        }
    }

    /// Appends a line (with its newline, if any) to the current document.
    fn push_line(&mut self, line: &[u8]) {
        let blank = line.iter().all(u8::is_ascii_whitespace);
        if !self.has_content && blank {
            return;
        }
        if !self.has_content {
            self.has_content = true;
            self.doc_line.get_or_insert(self.lines);
        }
        if self.oversized || self.doc.len() + line.len() > self.max_document {
            self.oversized = true;
            self.doc.clear();
            return;
        }
        self.doc.extend_from_slice(line);
    }

    /// Moves the current document to `ready` and starts the next one; returns the finished
    /// document's first line.
    fn finish_document(&mut self, next_line: Option<u64>) -> u64 {
        std::mem::swap(&mut self.doc, &mut self.ready);
        self.doc.clear();
        self.has_content = false;
        let line = self.doc_line.unwrap_or(self.lines);
        self.doc_line = next_line;
        self.ready_marked = std::mem::replace(&mut self.marked, next_line.is_some());
        self.ready_oversized = std::mem::take(&mut self.oversized);
        line
    }

    fn parse_ready(&mut self, line: u64) -> Result<SpanRecord, ReadError> {
        let error = |kind| ReadError { line, kind };
        let text = std::str::from_utf8(&self.ready).map_err(|e| error(ErrorKind::Utf8(e)))?;
        let doc: SpanDoc = serde_yaml::from_str(text).map_err(|e| error(ErrorKind::Yaml(e)))?;
        doc.into_record(&mut self.interned)
            .map_err(|e| error(ErrorKind::Field(e)))
    }
}

fn trim_newline(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

impl<R: BufRead> Iterator for SpanReader<R> {
    type Item = Result<SpanRecord, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let (line, end) = match self.next_document() {
            Ok(Some(found)) => found,
            Ok(None) => return None,
            Err(e) => {
                self.done = true;
                return Some(Err(ReadError {
                    line: self.lines + 1,
                    kind: ErrorKind::Io(e),
                }));
            }
        };
        if self.ready_oversized {
            return Some(Err(ReadError {
                line,
                kind: ErrorKind::TooLarge {
                    limit: self.max_document,
                },
            }));
        }
        let torn = || {
            Some(Err(ReadError {
                line,
                kind: ErrorKind::Torn,
            }))
        };
        match end {
            End::Marker => Some(self.parse_ready(line)),
            // In a file whose documents end with `...`, one that the next `---` interrupts
            // was cut short, and its writer closed it off when it appended again: even when
            // what is left parses, it may have lost its tags, so it is not taken as a span.
            // (When it does not parse, what is wrong with it is the more precise error.)
            End::Separator if self.markers_seen && self.ready_marked => {
                Some(self.parse_ready(line).and_then(|_| {
                    Err(ReadError {
                        line,
                        kind: ErrorKind::Torn,
                    })
                }))
            }
            End::Input { .. } if self.markers_seen && self.ready_marked => torn(),
            End::Separator => Some(self.parse_ready(line)),
            End::Input { newline } => {
                let parsed = self.parse_ready(line);
                Some(match parsed {
                    // Whole: every document the writer writes ends with a newline.
                    Ok(span) if newline || !self.ready_marked => Ok(span),
                    // Input that never was a span file: say what it is not, rather than "torn".
                    Err(e) if !self.ready_marked => Err(e),
                    // Cut off mid-line (even a document that parses may hold a truncated
                    // value), or the input ended before the document was a span.
                    _ => Err(ReadError {
                        line,
                        kind: ErrorKind::Torn,
                    }),
                })
            }
        }
    }
}

impl<R> fmt::Debug for SpanReader<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SpanReader")
            .field("lines", &self.lines)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

/// A document that could not be read as a span; the reader goes on with the next one.
#[derive(Debug)]
pub struct ReadError {
    line: u64,
    kind: ErrorKind,
}

/// What went wrong with a document.
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Reading the input failed (this ends the iteration).
    Io(io::Error),
    /// The document is not UTF-8.
    Utf8(std::str::Utf8Error),
    /// The document is not YAML, or lacks a required key, or a key has the wrong YAML type.
    Yaml(serde_yaml::Error),
    /// A value has the right type but is not valid (an id that is not hex, an unknown kind...).
    Field(InvalidField),
    /// The document was cut short: its writer was interrupted (a crash, a full disk) or is
    /// still writing. Either the input ends inside it, or, in a file whose documents end with a
    /// `...` line, the next document starts before its `...`.
    Torn,
    /// The document is longer than the reader holds in memory
    /// ([`SpanReader::max_document_bytes`]); it was skipped.
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
}

impl ReadError {
    /// The 1-based line where the document starts (its `---` line).
    pub fn line(&self) -> u64 {
        self.line
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::Io(e) => write!(f, "reading spans failed before line {}: {e}", self.line),
            ErrorKind::Utf8(e) => write!(f, "span at line {} is not UTF-8: {e}", self.line),
            ErrorKind::Yaml(e) => write!(f, "span at line {}: {e}", self.line),
            ErrorKind::Field(e) => write!(f, "span at line {}: invalid {e}", self.line),
            ErrorKind::TooLarge { limit } => write!(
                f,
                "document at line {} is longer than {limit} bytes: not a span (skipped)",
                self.line
            ),
            ErrorKind::Torn => write!(
                f,
                "span at line {} is torn: cut short by an interrupted write (a crash, a full \
                 disk, or a writer still writing)",
                self.line
            ),
        }
    }
}

impl std::error::Error for ReadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ErrorKind::Io(e) => Some(e),
            ErrorKind::Utf8(e) => Some(e),
            ErrorKind::Yaml(e) => Some(e),
            ErrorKind::Field(e) => Some(e),
            ErrorKind::Torn | ErrorKind::TooLarge { .. } => None,
        }
    }
}
